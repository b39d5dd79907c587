"""The verdict of one budget check (:class:`costopt.sections.CheckResult`, the record
``Audit.budgets`` holds) and the few helpers every check shares (levels, amounts).

Kept apart from costopt.gate.checks so that the budget checks and the unrealised-savings
check (costopt.gate.savings) both build results without importing each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from costopt.reports.fmt import money as fmt_money
from costopt.sections import STATUS_VALUES, CheckResult

STATUSES = STATUS_VALUES


def to_dict(result: CheckResult) -> dict[str, Any]:
    """Plain JSON-ready dict (what ``--format json`` prints and audit.json's ``budgets`` hold)."""
    return asdict(result)


def level_of(value: float | None, warn: float | None, fail: float | None) -> str:
    if value is None:
        return "skipped"
    if fail is not None and value > fail:
        return "fail"
    if warn is not None and value > warn:
        return "warn"
    return "pass"


def worst(statuses: Sequence[str]) -> str:
    order = {"pass": 0, "skipped": 0, "warn": 1, "fail": 2}
    return max(statuses, key=lambda s: order[s]) if statuses else "pass"


def money(amount: float | None, currency: str) -> str:
    """The gate's amounts: the reports' formatter to the cent (``$15,420.06``, ``1,234.50 CHF``)."""
    return "—" if amount is None else fmt_money(amount, currency, decimals=2)




__all__ = ["STATUSES", "CheckResult", "to_dict", "level_of", "worst", "money"]
