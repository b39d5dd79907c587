"""The ``max_unrealised_savings`` check: savings left on the table for too long.

A recommendation is *unrealised* when it is still open in this audit (selected) and the
history says it was first seen more than ``weeks`` weeks before ``as_of``. Their monthly
savings are added up and judged against the warn/fail levels.

The ages come from the history section costopt.history writes (``audit.extras.history``):
``open_since`` maps each open recommendation's id to the run time (ISO 8601) of the first
audit in which it appeared. That is the one spelling read; an entry whose time does not parse
is not aged. With no history (or no ``open_since``), the check is skipped with the reason.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from costopt.audit_extras import HistorySection
from costopt.gate.budgets import SavingsBudget
from costopt.gate.result import CheckResult, level_of, money
from costopt.model import Audit


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def history_ages(history: HistorySection, as_of: date) -> dict[str, float]:
    """Recommendation id -> days open at ``as_of``, from the history's ``open_since``."""
    seen = {rec_id: _date(value) for rec_id, value in history.open_since.items()}
    return {rec_id: float((as_of - day).days) for rec_id, day in seen.items() if day is not None}


def savings_check(audit: Audit, savings: SavingsBudget, as_of: date) -> CheckResult:
    unit = f"{audit.currency}/month"
    ident = "unrealised-savings"
    scope = f"open > {savings.weeks} week(s)"

    def result(status: str, actual: float | None, message: str, **details: Any) -> CheckResult:
        return CheckResult(ident, scope, "recommendations", "unrealised_savings", status, unit, actual, None,
                           savings.warn, savings.fail, message, "", savings.key, details)

    history = audit.extras.history
    if history is None:
        return result("skipped", None, "no history in this audit: run `costopt audit --history DIR` weekly so "
                                       "open recommendations can be aged")
    ages = history_ages(history, as_of)
    if not ages:
        return result("skipped", None, "the audit's history section has no open_since dates for recommendations")
    limit_days = 7.0 * savings.weeks
    aged = []
    other_currency = 0
    for rec in audit.recommendations:
        if rec.id in ages and ages[rec.id] > limit_days:
            if rec.currency != audit.currency:  # budgets are in the billing currency; never converted
                other_currency += 1
                continue
            aged.append((rec.monthly_savings, rec.id, ages[rec.id], rec.resource_name or rec.resource_id))
    total = math.fsum(a[0] for a in aged)
    status = level_of(total, savings.warn, savings.fail)
    aged.sort(reverse=True)
    top = ", ".join(f"{name} ({money(s, audit.currency)}/month, {age / 7:.0f} weeks)" for s, _, age, name in aged[:3])
    what = f"{len(aged)} recommendation(s) open for more than {savings.weeks} week(s) worth {money(total, audit.currency)}/month"
    level = savings.fail if status == "fail" else savings.warn
    if status in ("fail", "warn"):
        message = f"{what} exceeds the {status} level {money(level, audit.currency)}/month"
    else:
        message = f"{what}: within"
    if top:
        message += f"; largest: {top}"
    if other_currency:
        message += f"; {other_currency} priced in another currency not counted (never converted)"
    return result(status, total, message, ids=[a[1] for a in aged], weeks=savings.weeks, as_of=as_of.isoformat())
