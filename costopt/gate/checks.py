"""Evaluate budgets against an audit's daily spend: one CheckResult per budget.

Data: ``audit.spend.daily`` rows (:class:`costopt.sections.SpendDay`: (day, provider, account, service, category, charge,
team, cost, billed, egress; see costopt.billing.breakdown.spend_summary). ``as_of`` is the
first day *not* counted: complete days before it are observed. By default it is the audit
window's end date (a partial last day is left to the forecast), or the day after the last
day with data when the billing data ends earlier (exports lag a day or two).

Periods: ``month`` = month to date of the month of the last complete day, and its forecast to
month end (costopt.gate.forecast); ``week`` = the last 7 complete days; ``window`` = the audit
window's days; ``growth`` = the last 7 days against the 7 before, in percent. A value above
``fail`` fails, above ``warn`` warns (equal to a level is within). A check that cannot be
judged (no data for the period, unknown scope value, no history) is ``skipped`` with the reason.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from costopt.calendar import AuditCalendar, audit_calendar, daily_rows, period_sum, week_over_week
from costopt.errors import InputError
from costopt.gate.budgets import Budget, BudgetSet
from costopt.gate.forecast import month_forecast, window_sum
from costopt.gate.result import STATUSES, CheckResult, level_of, money, to_dict, worst
from costopt.gate.savings import savings_check
from costopt.model import Audit
from costopt.sections import SpendDay

# FOCUS ProviderName values are "AWS", "Google Cloud", "Microsoft"; budgets may say GCP or Azure.
PROVIDER_ALIASES = {"gcp": "google cloud", "google": "google cloud", "google cloud platform": "google cloud",
                    "azure": "microsoft", "microsoft azure": "microsoft", "amazon web services": "aws", "amazon": "aws"}
ROW_FIELDS = {"provider": "provider", "account": "account", "service": "service", "category": "category",
              "tag": "team"}


@dataclass(frozen=True)
class SpendDays:
    """The audit's daily rows and its calendar (costopt.calendar: as_of, weeks, month to date)."""

    rows: tuple[tuple[date, SpendDay], ...]  # (parsed day, row)
    calendar: AuditCalendar

    @property
    def as_of(self) -> date:
        return self.calendar.as_of

    @property
    def data_start(self) -> date | None:
        return self.calendar.observed_start

    @property
    def data_end(self) -> date | None:
        return self.calendar.billing.last if self.calendar.billing else None

    @property
    def window_start(self) -> date:
        return self.calendar.lookback.start.date()

    def gap_note(self) -> str:
        """Days between the end of the data and as_of count as 0: say so."""
        if self.data_end is None or self.as_of <= self.data_end + timedelta(days=1):
            return ""
        return f"; no billing data after {self.data_end.isoformat()}: the days up to {self.as_of.isoformat()} count as 0"


def spend_days(audit: Audit, today: date | None = None) -> SpendDays:
    """The audit's daily rows; a cost that is not a finite number stops the gate (fail closed)."""
    rows = tuple(daily_rows(audit))
    for i, (_, row) in enumerate(rows):
        for column, value in (("cost", row.cost), ("billed", row.billed)):
            if value is not None and not math.isfinite(value):
                raise InputError(f"not a finite number ({value!r}): the gate cannot judge a budget on it",
                                 key=f"spend.daily[{i}].{column}")
    return SpendDays(rows, audit_calendar(audit.window, (d for d, _ in rows), today))


def _canonical_provider(name: str) -> str:
    key = name.strip().casefold()
    return PROVIDER_ALIASES.get(key, key)


def daily_for(budget: Budget, spend: SpendDays) -> tuple[dict[date, float], int]:
    """Spend per day in the budget's scope, and how many rows matched."""
    column = "billed" if budget.cost == "billed" else "cost"
    field_name = ROW_FIELDS.get(budget.scope_kind)
    canon = _canonical_provider if budget.scope_kind == "provider" else str.casefold
    wanted = canon(budget.scope_value or "")
    out: dict[date, float] = {}
    matched = 0
    for day, row in spend.rows:
        if field_name is not None and canon(row.group(field_name) or "") != wanted:
            continue
        matched += 1
        out[day] = out.get(day, 0.0) + row.amount(column)
    return out, matched


def known_values(budget: Budget, spend: SpendDays) -> list[str]:
    field_name = ROW_FIELDS.get(budget.scope_kind)
    if field_name is None:
        return []
    return sorted({value for _, r in spend.rows if (value := r.group(field_name))})


def _result(budget: Budget, ident: str, status: str, unit: str, actual: float | None, forecast: float | None,
            message: str, **details: Any) -> CheckResult:
    return CheckResult(ident, budget.label, budget.scope_kind, budget.period, status, unit, actual, forecast,
                       budget.warn, budget.fail, message, budget.name, budget.key, details)


def _levels_text(warn: float | None, fail: float | None, fmt: Callable[[float | None], str]) -> str:
    parts = ([f"warn {fmt(warn)}"] if warn is not None else []) + ([f"fail {fmt(fail)}"] if fail is not None else [])
    return ", ".join(parts)


def _verdict_text(status: str, what: str, value: float, budget: Budget, fmt: Callable[[float | None], str]) -> str:
    if status == "fail":
        return f"{what} {fmt(value)} exceeds the fail level {fmt(budget.fail)}"
    if status == "warn":
        return f"{what} {fmt(value)} exceeds the warn level {fmt(budget.warn)}"
    return f"{what} {fmt(value)} is within ({_levels_text(budget.warn, budget.fail, fmt)})"


def check_budget(budget: Budget, ident: str, spend: SpendDays, currency: str, weeks: int) -> CheckResult:
    result = _check_budget(budget, ident, spend, currency, weeks)
    note = spend.gap_note()
    if note and result.status != "skipped":
        result = replace(result, message=result.message + note)
    return result


def _check_budget(budget: Budget, ident: str, spend: SpendDays, currency: str, weeks: int) -> CheckResult:
    fmt: Callable[[float | None], str] = lambda v: money(v, currency)  # noqa: E731
    unit = "%" if budget.period == "growth" else currency
    if spend.data_start is None:
        return _result(budget, ident, "skipped", unit, None, None, "no billing data in the audit (spend.daily is empty)")
    daily, matched = daily_for(budget, spend)
    if budget.scope_kind != "total" and matched == 0:
        known = known_values(budget, spend)
        hint = f"; values in the data: {', '.join(known[:12])}" if known else ""
        return _result(budget, ident, "skipped", unit, None, None,
                       f"no spend rows match {budget.label}{hint}")
    as_of, start = spend.as_of, spend.data_start
    if budget.period == "month":
        fc = month_forecast(daily, as_of, start, weeks=weeks)
        details = {"from": fc.month_start.isoformat(), "to": fc.month_end.isoformat(), "as_of": as_of.isoformat(),
                   "method": fc.method, "forecast_method": fc.explain(), "estimated_days": fc.estimated_days,
                   "remaining_days": fc.remaining_days, "observed_days": fc.observed_days}
        actual_status = level_of(fc.month_to_date, budget.warn, budget.fail)
        judged = [("month to date", fc.month_to_date, actual_status)]
        if budget.basis == "forecast" and fc.forecast is not None:
            judged.append(("forecast to month end", fc.forecast, level_of(fc.forecast, budget.warn, budget.fail)))
        status = worst([s for _, _, s in judged])
        what, value, _ = next((j for j in judged if j[2] == status), judged[-1])
        message = _verdict_text(status, what, value, budget, fmt)
        message += f" ({fc.month_start:%Y-%m}: month to date {fmt(fc.month_to_date)}, forecast {fmt(fc.forecast)})"
        if fc.estimated_days:
            message += f"; the data starts {start.isoformat()}: {fc.estimated_days} day(s) estimated"
        return _result(budget, ident, status, unit, fc.month_to_date, fc.forecast, message, basis=budget.basis, **details)
    if budget.period == "week":
        week = spend.calendar.last_week
        if not spend.calendar.observed(week):
            return _result(budget, ident, "skipped", unit, None, None,
                           f"needs the 7 complete days {week.text()}; the data starts {start.isoformat()}")
        value = period_sum(daily, week)
        status = level_of(value, budget.warn, budget.fail)
        message = _verdict_text(status, f"spend {week.text()}", value, budget, fmt)
        return _result(budget, ident, status, unit, value, None, message,
                       **{"from": week.start.isoformat(), "to": week.end.isoformat()})
    if budget.period == "window":
        first = max(start, spend.window_start)
        value = window_sum(daily, first, as_of)
        status = level_of(value, budget.warn, budget.fail)
        message = _verdict_text(status, f"spend in the audit window {first.isoformat()}.."
                                        f"{(as_of - timedelta(days=1)).isoformat()}", value, budget, fmt)
        return _result(budget, ident, status, unit, value, None, message, **{"from": first.isoformat(), "to": as_of.isoformat()})
    return _growth(budget, ident, daily, spend, currency)


def _growth(budget: Budget, ident: str, daily: Mapping[date, float], spend: SpendDays, currency: str) -> CheckResult:
    wow = week_over_week(spend.calendar, daily)
    if wow.previous is None or wow.current is None:
        return _result(budget, ident, "skipped", "%", None, None,
                       f"needs the 14 complete days {wow.previous_week.start.isoformat()} to "
                       f"{wow.last_week.last.isoformat()} for week over week; the data starts "
                       f"{spend.data_start.isoformat() if spend.data_start else 'nowhere'}")
    details = {"current_week": wow.current, "previous_week": wow.previous,
               "from": wow.previous_week.start.isoformat(), "to": wow.last_week.end.isoformat()}
    if wow.change is None:
        return _result(budget, ident, "skipped", "%", None, None,
                       f"no spend in the previous week ({wow.previous_week.text()}): growth is undefined "
                       f"(this week {money(wow.current, currency)})", **details)
    growth = wow.change * 100.0
    status = level_of(growth, budget.warn, budget.fail)
    pct = lambda v: f"{v:+.1f}%"  # noqa: E731
    message = _verdict_text(status, "week-over-week growth", growth, budget, pct)
    message += f" ({money(wow.previous, currency)} -> {money(wow.current, currency)}, {wow.text()})"
    return _result(budget, ident, status, "%", growth, None, message, **details)


def evaluate_budgets(audit: Audit, budgets: BudgetSet | Sequence[Budget], today: date | None = None) -> list[CheckResult]:
    """Judge every budget against ``audit``; ``today`` is the first day not counted (see module doc)."""
    budget_set = budgets if isinstance(budgets, BudgetSet) else BudgetSet(budgets=tuple(budgets))
    if budget_set.currency and audit.currency and budget_set.currency != audit.currency:
        raise budget_set.error("currency", f"budgets are in {budget_set.currency} but the audit is in "
                                           f"{audit.currency}; costopt never converts currencies")
    spend = spend_days(audit, today)
    results: list[CheckResult] = []
    seen: dict[str, int] = {}
    for budget in budget_set.budgets:
        ident = f"{budget.label}:{budget.period}"
        seen[ident] = seen.get(ident, 0) + 1
        if seen[ident] > 1:
            ident = f"{ident}#{seen[ident]}"
        results.append(check_budget(budget, ident, spend, audit.currency, budget_set.forecast_weeks))
    if budget_set.savings is not None:
        results.append(savings_check(audit, budget_set.savings, spend.as_of))
    return results


def overall(results: Sequence[CheckResult]) -> str:
    return worst([r.status for r in results])


def exit_code(results: Sequence[CheckResult], warn_only: bool = False) -> int:
    return 1 if (not warn_only and any(r.status == "fail" for r in results)) else 0

# the verdict record and its helpers, re-exported for the gate command and output
__all__ = ["STATUSES", "CheckResult", "to_dict", "level_of", "money", "worst", "evaluate_budgets"]
