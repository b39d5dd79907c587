"""Where budgets come from: ``--budgets FILE``, the config's ``[budgets]``, and the CLI shortcuts."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

from costopt.config import ConfigSource, Settings
from costopt.errors import ConfigError, read_input_file
from costopt.gate.budgets import Budget, BudgetSet, parse_budgets
from costopt.gate.checks import evaluate_budgets
from costopt.model import Audit


def load_budgets_file(path: str | Path, team_tag_keys: Sequence[str] = ()) -> BudgetSet:
    """A TOML file with a ``[budgets]`` table (e.g. a costopt.toml) or the budgets at its top level."""
    p = Path(path)
    text = read_input_file(p, "budgets file not found; pass a TOML file with a [budgets] table", encoding="utf-8-sig")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", path=str(p)) from None
    source = ConfigSource(path=str(p), text=text)
    if "budgets" in data:
        return parse_budgets(data["budgets"], source, ("budgets",), team_tag_keys)
    return parse_budgets(data, source, (), team_tag_keys)


def budgets_from_settings(settings: Settings) -> BudgetSet:
    """The ``budgets`` section of costopt.toml / [tool.costopt], validated."""
    return parse_budgets(settings.budgets, settings.source, ("budgets",), settings.team_tag_keys)


def cli_budgets(budget: float | None, budget_period: str, max_growth: float | None) -> list[Budget]:
    """``--budget AMOUNT`` (fail level of the total for the period) and ``--max-growth PCT``."""
    out = []
    if budget is not None:
        out.append(Budget("total", None, budget_period, fail=budget, key="--budget"))
    if max_growth is not None:
        out.append(Budget("total", None, "growth", fail=max_growth, key="--max-growth"))
    return out


def attach_budgets(audit: Audit, settings: Settings, today: date | None = None) -> Audit:
    """The audit with its ``budgets`` verdicts filled from the config (unchanged when none are set).

    For the audit command / pipeline, so the HTML and Markdown reports can show budget
    verdicts next to the recommendations.
    """
    budgets = budgets_from_settings(settings)
    if not len(budgets):
        return audit
    return replace(audit, budgets=tuple(evaluate_budgets(audit, budgets, today)))
