"""The ``max_unrealised_savings`` check: savings left on the table for too long.

A recommendation is *unrealised* when it is still open in this audit (selected) and the
history says it was first seen more than ``weeks`` weeks before ``as_of``. Their monthly
savings are added up and judged against the warn/fail levels.

The history section (``audit.extras["history"]``, written by costopt.history) is read
defensively, in any of these shapes, so the gate keeps working as that section grows:

- ``{"open_since": {"<rec id>": "2026-10-01T06:00:00+00:00", ...}}`` (what costopt.history
  writes: the run time of the first audit in which each open recommendation appeared), or
  the same mapping under ``first_seen``
- ``{"open" | "recommendations" | "persisting" | "still_open" | "unchanged": [ {"id": ...,
  "first_seen": "2026-10-01" | "weeks_open": 5 | "age_days": 35 | "open_days": 35,
  "monthly_savings": 120.0}, ... ]}`` (a mapping of id -> such dict works too)

With no history (or none of these), the check is skipped with the reason.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from costopt.audit_io import number
from costopt.gate.budgets import SavingsBudget
from costopt.gate.result import CheckResult, level_of, money
from costopt.model import Audit

LIST_KEYS = ("open", "recommendations", "persisting", "still_open", "unchanged", "open_recommendations")
AGE_DAY_KEYS = ("age_days", "open_days", "days_open")
AGE_WEEK_KEYS = ("weeks_open", "open_weeks", "age_weeks")
SEEN_KEYS = ("first_seen", "first_seen_at", "since", "opened")


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _age_days(entry: Mapping[str, Any], as_of: date) -> float | None:
    for key in AGE_DAY_KEYS:
        if number(entry.get(key)) is not None:
            return number(entry.get(key))
    for key in AGE_WEEK_KEYS:
        weeks = number(entry.get(key))
        if weeks is not None:
            return weeks * 7.0
    for key in SEEN_KEYS:
        seen = _date(entry.get(key))
        if seen is not None:
            return float((as_of - seen).days)
    return None


def history_ages(history: Mapping[str, Any], as_of: date) -> dict[str, tuple[float, float | None]]:
    """Recommendation id -> (age in days, monthly savings the history recorded or None)."""
    ages: dict[str, tuple[float, float | None]] = {}
    for key in ("open_since", "first_seen"):
        since = history.get(key)
        if not isinstance(since, Mapping):
            continue
        for rec_id, value in since.items():
            seen = _date(value)
            if seen is not None:
                ages.setdefault(str(rec_id), (float((as_of - seen).days), None))
    for key in LIST_KEYS:
        entries = history.get(key)
        if isinstance(entries, Mapping):
            entries = [{"id": k, **v} for k, v in entries.items() if isinstance(v, Mapping)]
        if not isinstance(entries, list):
            continue
        for entry in entries:
            if not isinstance(entry, Mapping) or not entry.get("id"):
                continue
            age = _age_days(entry, as_of)
            if age is not None:
                ages.setdefault(str(entry["id"]), (age, number(entry.get("monthly_savings"))))
    return ages


def savings_check(audit: Audit, savings: SavingsBudget, as_of: date) -> CheckResult:
    unit = f"{audit.currency}/month"
    ident = "unrealised-savings"
    scope = f"open > {savings.weeks} week(s)"

    def result(status: str, actual: float | None, message: str, **details: Any) -> CheckResult:
        return CheckResult(ident, scope, "recommendations", "unrealised_savings", status, unit, actual, None,
                           savings.warn, savings.fail, message, "", savings.key, details)

    history = (audit.extras or {}).get("history")
    if not isinstance(history, Mapping) or not history:
        return result("skipped", None, "no history in this audit: run `costopt audit --history DIR` weekly so "
                                       "open recommendations can be aged")
    ages = history_ages(history, as_of)
    if not ages:
        return result("skipped", None, "the audit's history section has no first-seen dates for recommendations")
    limit_days = 7.0 * savings.weeks
    aged = []
    other_currency = 0
    for rec in audit.recommendations:
        if rec.id in ages and ages[rec.id][0] > limit_days:
            if rec.currency != audit.currency:  # budgets are in the billing currency; never converted
                other_currency += 1
                continue
            aged.append((rec.monthly_savings, rec.id, ages[rec.id][0], rec.resource_name or rec.resource_id))
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
