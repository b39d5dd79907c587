"""The verdict of one budget check and the few helpers every check shares (levels, amounts).

Kept apart from costopt.gate.checks so that the budget checks and the unrealised-savings
check (costopt.gate.savings) both build results without importing each other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from costopt.reports.fmt import money as fmt_money

STATUSES = ("pass", "warn", "fail", "skipped")


@dataclass(frozen=True)
class CheckResult:
    """The verdict of one budget check, with the amounts behind it."""

    id: str
    scope: str
    scope_kind: str
    period: str
    status: str  # pass | warn | fail | skipped
    unit: str  # the currency, "%" for growth, "<currency>/month" for unrealised savings
    actual: float | None
    forecast: float | None
    warn: float | None
    fail: float | None
    message: str
    name: str = ""
    key: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)


def to_dict(result: CheckResult) -> dict[str, Any]:
    """Plain JSON-ready dict (what ``Audit.budgets`` stores and ``--json`` prints)."""
    return asdict(result)


def from_dict(data: Mapping[str, Any]) -> CheckResult:
    known = CheckResult.__dataclass_fields__
    return CheckResult(**{k: v for k, v in data.items() if k in known})


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


