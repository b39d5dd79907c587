"""Budgets and thresholds -> verdicts and a CI exit code (``costopt gate``).

- :mod:`costopt.gate.budgets` parses and validates the budgets format (documented there).
- :mod:`costopt.gate.forecast` is the month-end forecast (weekday pattern; method in its doc).
- :mod:`costopt.gate.checks` judges budgets against an audit's daily spend:
  ``evaluate_budgets(audit, budgets, today) -> list[CheckResult]``; ``Audit.budgets`` holds
  the CheckResults; ``to_dict`` gives their plain JSON form.
- :mod:`costopt.gate.savings` is the unrealised-savings check (from the audit's history).
- :mod:`costopt.gate.output` renders the table, Markdown and JSON; JUnit XML is the
  ``junit`` reporter (costopt.reports.junit).

Exit codes: 0 all within (warnings allowed), 1 a ``fail`` level breached (0 with
``--warn-only``), 2 usage or input error.
"""

from costopt.gate.budgets import Budget, BudgetSet, SavingsBudget, parse_budgets
from costopt.gate.checks import CheckResult, evaluate_budgets, exit_code, overall, to_dict
from costopt.gate.forecast import MonthForecast, month_forecast
from costopt.gate.load import attach_budgets, budgets_from_settings, cli_budgets, load_budgets_file

__all__ = [
    "Budget", "BudgetSet", "SavingsBudget", "parse_budgets", "CheckResult", "evaluate_budgets", "exit_code",
    "overall", "to_dict", "MonthForecast", "month_forecast", "attach_budgets",
    "budgets_from_settings", "cli_budgets", "load_budgets_file",
]
