"""The audit's periods, defined once: every reporter, the gate, history and the terminal use them.

Days are UTC calendar days. ``as_of`` is the first day *not* counted as observed: the audit
window's end date (a partial last day is left out), or the day after the last billed day when
the billing data ends earlier (exports lag a day or two). From it:

- ``last_week``: the 7 complete days before ``as_of``; ``previous_week``: the 7 days before those.
  Week over week = (last_week - previous_week) / previous_week, defined only when the billing
  data covers all of ``previous_week``.
- ``month_to_date``: the first of the month of the last complete day up to ``as_of``.
- ``lookback``: the audit window the rules judged (start and end instants, e.g. 14 days).
- ``billing``: the first to the last day the billing data has rows for (it may be longer or
  shorter than the lookback: a 5-week export audited over 14 days covers 36 days).
- ``observed_start``: the first *complete* billed day (a first day that starts mid-day, because
  the window starts mid-day, is partial).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from costopt.model import Audit, Window
from costopt.sections import Spend, SpendDay

DAY = timedelta(days=1)
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class DayRange:
    """The half-open range of days [start, end)."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last(self) -> date:
        return self.end - DAY

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day < self.end

    def text(self) -> str:
        """``2026-11-26 to 2026-12-02`` (both days included)."""
        return f"{self.start.isoformat()} to {self.last.isoformat()}"


@dataclass(frozen=True)
class AuditCalendar:
    """The named periods of one audit (see the module doc for each definition)."""

    as_of: date
    lookback: Window
    billing: DayRange | None
    observed_start: date | None

    @property
    def last_week(self) -> DayRange:
        return DayRange(self.as_of - WEEK, self.as_of)

    @property
    def previous_week(self) -> DayRange:
        return DayRange(self.as_of - 2 * WEEK, self.as_of - WEEK)

    @property
    def month_to_date(self) -> DayRange:
        last_complete = self.as_of - DAY
        return DayRange(last_complete.replace(day=1), self.as_of)

    def observed(self, period: DayRange) -> bool:
        """Whether the billing data covers every day of ``period``."""
        return self.observed_start is not None and self.observed_start <= period.start and period.end <= self.as_of

    def lookback_text(self) -> str:
        """``2026-11-19 13:00 to 2026-12-03 13:00 UTC (14 days)``; whole days as ``2026-11-19 to 2026-12-02``."""
        start, end = self.lookback.start, self.lookback.end
        if start.time() == time(0) and end.time() == time(0):
            return f"{DayRange(start.date(), end.date()).text()} ({_days_text(self.lookback.days)})"
        return f"{start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC ({_days_text(self.lookback.days)})"

    def billing_text(self) -> str:
        """``2026-10-29 to 2026-12-03 (36 days)``, or ``no billing data``."""
        if self.billing is None:
            return "no billing data"
        return f"{self.billing.text()} ({_days_text(self.billing.days)})"


def _days_text(days: float) -> str:
    whole = round(days)
    value = f"{whole}" if abs(days - whole) < 1e-9 else f"{days:.1f}"
    return f"{value} day" if value == "1" else f"{value} days"


def parse_day(value: Any) -> date | None:
    """A day from a date, datetime or ISO text (None when it is none of these)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def audit_calendar(window: Window, billed_days: Iterable[date], today: date | None = None) -> AuditCalendar:
    """The calendar of an audit over ``window`` whose billing has rows on ``billed_days``.

    ``today`` pins ``as_of`` (the first day not counted), e.g. for ``costopt gate --as-of``.
    """
    days = sorted(set(billed_days))
    billing = DayRange(days[0], days[-1] + DAY) if days else None
    observed_start = days[0] if days else None
    window_start = window.start
    if observed_start is not None and observed_start == window_start.date() and window_start.time() != time(0):
        observed_start = observed_start + DAY
    as_of = today or window.end.date()
    if today is None and days:
        as_of = min(as_of, days[-1] + DAY)
    return AuditCalendar(as_of, window, billing, observed_start)


def daily_rows(audit: Audit) -> list[tuple[date, SpendDay]]:
    """The audit's daily spend rows with their parsed day (rows whose day does not parse are left out)."""
    return spend_rows(audit.spend)


def spend_rows(spend: Spend) -> list[tuple[date, SpendDay]]:
    """The daily rows of a spend section (costopt.billing.breakdown.spend_summary) with their day."""
    out = []
    for row in spend.daily:
        day = parse_day(row.day)
        if day is not None:
            out.append((day, row))
    return out


def calendar_of(audit: Audit, today: date | None = None) -> AuditCalendar:
    """The calendar of a built (or saved) audit, from its window and its daily spend rows."""
    return audit_calendar(audit.window, (d for d, _ in daily_rows(audit)), today)


def period_sum(daily: Mapping[date, float], period: DayRange) -> float:
    """Spend over ``period`` from a day -> cost mapping (days without rows spent 0)."""
    return math.fsum(cost for day, cost in daily.items() if day in period)


@dataclass(frozen=True)
class WeekOverWeek:
    """The last 7 complete days against the 7 before: amounts, change and the days they mean."""

    last_week: DayRange
    previous_week: DayRange
    current: float | None
    previous: float | None

    @property
    def change(self) -> float | None:
        """Fraction (0.1 = +10%); None when the previous week is not observed or spent nothing."""
        if self.current is None or not self.previous:
            return None
        return (self.current - self.previous) / self.previous

    def text(self) -> str:
        return f"{self.last_week.text()} against {self.previous_week.text()}"


def week_over_week(calendar: AuditCalendar, daily: Mapping[date, float]) -> WeekOverWeek:
    """Week over week on ``daily`` spend, as every reporter and the gate compute it."""
    last, before = calendar.last_week, calendar.previous_week
    current = period_sum(daily, last) if calendar.observed(last) else None
    previous = period_sum(daily, before) if calendar.observed(before) else None
    return WeekOverWeek(last, before, current, previous)


def daily_totals(audit: Audit, column: str = "cost") -> dict[date, float]:
    """Total spend per day of ``column`` (``cost`` = the audit's cost basis, or ``billed``)."""
    return spend_daily_totals(audit.spend, column)


def spend_daily_totals(spend: Spend, column: str = "cost") -> dict[date, float]:
    """Total spend per day of ``column`` in a spend section."""
    out: dict[date, float] = {}
    for day, row in spend_rows(spend):
        out[day] = out.get(day, 0.0) + row.amount(column)
    return out
