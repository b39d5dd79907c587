"""Month-end spend forecast from daily spend to date, with the weekday pattern.

Method (simple on purpose, so a person can redo it by hand):

1. Complete days before ``as_of`` are observed; a day with no spend rows spent 0.
2. The *rate* of a weekday is the mean spend of that weekday over the last ``weeks`` weeks of
   observed days (``weeks * 7`` days before ``as_of``, or fewer when the data is shorter).
   ML estates are weekly-cyclic (training jobs start Monday, notebooks idle at the weekend),
   so a Saturday is forecast from past Saturdays, not from a Tuesday.
3. With fewer than 7 observed days some weekdays have no sample: every day then uses the mean
   daily spend of the observed days instead.
4. Forecast for the month = observed month-to-date spend + the rate of each remaining day of
   the month (``as_of`` .. month end) + the rate of any day at the start of the month that the
   data does not cover (those days are *estimated*, and the result says how many).

A constant daily spend ``c`` therefore forecasts exactly ``c x days in month``.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

DAY = timedelta(days=1)


@dataclass(frozen=True)
class MonthForecast:
    """Month to date, the month-end forecast, and how it was made."""

    month_start: date
    month_end: date  # last day of the month (inclusive)
    as_of: date  # first day not observed
    month_to_date: float
    forecast: float | None
    method: str  # "weekday" | "mean" | "none"
    observed_days: int  # observed days in the month
    estimated_days: int  # days of the month before the data starts (estimated)
    remaining_days: int  # days from as_of to month end
    history_days: int  # observed days behind the rates
    rates: tuple[float, ...] = ()  # Monday..Sunday (weekday) or one value (mean)

    def explain(self) -> str:
        if self.method == "none":
            return "no observed days to forecast from"
        basis = (f"mean spend per weekday over the last {self.history_days} days" if self.method == "weekday"
                 else f"mean daily spend over {self.history_days} observed day(s) (fewer than 7: no weekday pattern)")
        text = f"month to date over {self.observed_days} day(s) + {self.remaining_days} remaining day(s) at the {basis}"
        if self.estimated_days:
            text += f"; {self.estimated_days} day(s) at the month start not in the data were estimated the same way"
        return text


def month_bounds(day: date) -> tuple[date, date]:
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


def daily_rates(daily: Mapping[date, float], as_of: date, data_start: date, weeks: int) -> tuple[str, tuple[float, ...], int]:
    """(method, rates, history_days): per-weekday means, or one mean, from observed days."""
    start = max(data_start, as_of - timedelta(days=7 * weeks))
    days = [start + timedelta(days=i) for i in range((as_of - start).days)]
    if not days:
        return "none", (), 0
    if len(days) < 7:
        return "mean", (_mean([daily.get(d, 0.0) for d in days]),), len(days)
    by_weekday: list[list[float]] = [[] for _ in range(7)]
    for d in days:
        by_weekday[d.weekday()].append(daily.get(d, 0.0))
    return "weekday", tuple(_mean(v) for v in by_weekday), len(days)


def _mean(values: list[float]) -> float:
    """Mean as first + mean of the differences: a constant series gives back exactly itself."""
    first = values[0]
    return first + math.fsum(v - first for v in values) / len(values)


def rate_of(day: date, method: str, rates: tuple[float, ...]) -> float:
    if method == "weekday":
        return rates[day.weekday()]
    if method == "mean":
        return rates[0]
    return 0.0


def month_forecast(daily: Mapping[date, float], as_of: date, data_start: date, *, weeks: int = 4) -> MonthForecast:
    """Forecast the month of the last complete day (``as_of - 1``); see the module docstring.

    ``daily`` maps day -> spend; days outside [data_start, as_of) are ignored.
    """
    if weeks < 1:
        raise ValueError("weeks must be >= 1")
    month_start, month_end = month_bounds(as_of - DAY)
    observed_from = max(month_start, data_start)
    observed = [observed_from + timedelta(days=i) for i in range(max(0, (as_of - observed_from).days))]
    actual = [daily.get(d, 0.0) for d in observed]
    mtd = math.fsum(actual)
    method, rates, history = daily_rates(daily, as_of, data_start, weeks)
    estimated = [month_start + timedelta(days=i) for i in range(max(0, (min(data_start, as_of) - month_start).days))]
    remaining = [as_of + timedelta(days=i) for i in range(max(0, (month_end - as_of).days + 1))]
    forecast = None
    if method != "none":
        # One fsum over every day: a constant spend gives exactly c x days in month.
        forecast = math.fsum(actual + [rate_of(d, method, rates) for d in estimated + remaining])
    elif not estimated and not remaining:
        forecast = mtd
    return MonthForecast(month_start, month_end, as_of, mtd, forecast, method, len(observed), len(estimated),
                         len(remaining), history, rates)


def window_sum(daily: Mapping[date, float], start: date, end: date) -> float:
    """Spend over the days [start, end)."""
    return math.fsum(v for d, v in daily.items() if start <= d < end)
