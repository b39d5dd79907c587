"""The month-end forecast: exact on constant spend, follows the weekday pattern, says what it did."""

from __future__ import annotations

import calendar
import math
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costopt.gate.forecast import daily_rates, month_bounds, month_forecast

costs = st.floats(min_value=0.0, max_value=1e7, allow_nan=False, allow_infinity=False)
days_2020s = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(c=costs, as_of=days_2020s, history=st.integers(min_value=1, max_value=70), weeks=st.integers(1, 12))
def test_constant_daily_spend_forecasts_exactly(c, as_of, history, weeks):
    """A constant daily spend c forecasts exactly c x days in the month, whatever the history."""
    data_start = as_of - timedelta(days=history)
    daily = {data_start + timedelta(days=i): c for i in range(history + 40)}  # days after as_of are ignored
    fc = month_forecast(daily, as_of, data_start, weeks=weeks)
    start, end = month_bounds(as_of - timedelta(days=1))
    assert fc.forecast == c * ((end - start).days + 1)
    assert fc.observed_days + fc.estimated_days + fc.remaining_days == (end - start).days + 1
    assert fc.month_to_date == math.fsum([c] * fc.observed_days)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(weekday_costs=st.lists(costs, min_size=7, max_size=7), as_of=days_2020s, weeks=st.integers(1, 8),
       extra=st.integers(0, 30))
def test_repeating_weekly_pattern_forecasts_the_pattern(weekday_costs, as_of, weeks, extra):
    """Spend that repeats every week is forecast day by day from its weekday."""
    data_start = as_of - timedelta(days=7 * weeks + extra)
    daily = {data_start + timedelta(days=i): weekday_costs[(data_start + timedelta(days=i)).weekday()]
             for i in range((as_of - data_start).days)}
    fc = month_forecast(daily, as_of, data_start, weeks=weeks)
    start, end = month_bounds(as_of - timedelta(days=1))
    expected = math.fsum(weekday_costs[(start + timedelta(days=i)).weekday()] for i in range((end - start).days + 1))
    assert fc.method == "weekday"
    assert math.isclose(fc.forecast, expected, rel_tol=1e-9, abs_tol=1e-6)


def test_weekday_pattern_by_hand():
    # November 2026 starts on a Sunday; as_of = Nov 16 (Mon): 15 observed days, 15 remaining.
    as_of = date(2026, 11, 16)
    data_start = date(2026, 10, 19)  # 4 weeks before as_of
    daily = {}
    for i in range((as_of - data_start).days):
        d = data_start + timedelta(days=i)
        daily[d] = 300.0 if d.weekday() < 5 else 60.0
    fc = month_forecast(daily, as_of, data_start, weeks=4)
    assert fc.method == "weekday" and fc.history_days == 28
    assert fc.month_to_date == 10 * 300 + 5 * 60  # Nov 1..15: 10 weekdays, 5 weekend days
    # Nov 16..30: 11 weekdays (16-20, 23-27, 30) and 4 weekend days (21, 22, 28, 29).
    assert fc.forecast == fc.month_to_date + 11 * 300 + 4 * 60
    # A mean-daily forecast would have said otherwise: the weekday method matters here.
    mean = (20 * 300 + 8 * 60) / 28
    assert fc.forecast != fc.month_to_date + 15 * mean
    assert "weekday" in fc.explain() and "15 remaining" in fc.explain()


def test_recent_weeks_outweigh_older_ones():
    as_of = date(2026, 11, 23)
    data_start = date(2026, 9, 1)
    daily = {data_start + timedelta(days=i): (10.0 if data_start + timedelta(days=i) < as_of - timedelta(days=14) else 50.0)
             for i in range((as_of - data_start).days)}
    fc = month_forecast(daily, as_of, data_start, weeks=2)
    assert fc.rates == (50.0,) * 7
    remaining = (date(2026, 11, 30) - as_of).days + 1
    assert fc.forecast == math.fsum(daily[d] for d in daily if d >= date(2026, 11, 1)) + 50.0 * remaining


def test_fewer_than_seven_days_use_the_mean():
    as_of = date(2026, 11, 6)
    data_start = date(2026, 11, 1)
    daily = {date(2026, 11, 1): 10.0, date(2026, 11, 2): 20.0, date(2026, 11, 3): 30.0, date(2026, 11, 4): 40.0}
    fc = month_forecast(daily, as_of, data_start)  # Nov 5 has no rows: it spent 0
    assert fc.method == "mean" and fc.rates == (20.0,) and fc.history_days == 5
    assert fc.month_to_date == 100.0
    assert fc.forecast == 100.0 + 20.0 * 25
    assert "fewer than 7" in fc.explain()


def test_days_before_the_data_are_estimated_and_counted():
    as_of = date(2026, 11, 25)
    data_start = date(2026, 11, 11)  # a 14-day audit window
    daily = {data_start + timedelta(days=i): 5.0 for i in range(14)}
    fc = month_forecast(daily, as_of, data_start)
    assert fc.estimated_days == 10 and fc.observed_days == 14 and fc.remaining_days == 6
    assert fc.month_to_date == 70.0
    assert fc.forecast == 150.0
    assert "10 day(s) at the month start" in fc.explain()


def test_month_of_the_last_complete_day():
    # Data through Nov 30: the month judged is November, complete, nothing left to forecast.
    as_of = date(2026, 12, 1)
    data_start = date(2026, 10, 1)
    daily = {data_start + timedelta(days=i): float(i) for i in range(61)}
    fc = month_forecast(daily, as_of, data_start)
    assert (fc.month_start, fc.month_end) == (date(2026, 11, 1), date(2026, 11, 30))
    assert fc.remaining_days == 0 and fc.forecast == fc.month_to_date
    assert fc.month_to_date == math.fsum(float(i) for i in range(31, 61))


def test_no_observed_days():
    as_of = date(2026, 11, 10)
    fc = month_forecast({}, as_of, as_of)
    assert fc.method == "none" and fc.forecast is None and fc.month_to_date == 0.0


def test_leap_february():
    as_of = date(2028, 2, 15)
    data_start = date(2028, 1, 1)
    daily = {data_start + timedelta(days=i): 2.5 for i in range(60)}
    assert month_forecast(daily, as_of, data_start).forecast == 2.5 * calendar.monthrange(2028, 2)[1]


def test_daily_rates_window():
    as_of = date(2026, 11, 16)
    method, rates, n = daily_rates({}, as_of, date(2026, 1, 1), weeks=3)
    assert (method, n) == ("weekday", 21) and rates == (0.0,) * 7


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(costs, min_size=1, max_size=60), as_of=days_2020s, k=st.floats(0.0, 1000.0),
       weeks=st.integers(1, 6))
def test_forecast_is_linear_and_never_below_month_to_date(values, as_of, k, weeks):
    data_start = as_of - timedelta(days=len(values))
    daily = {data_start + timedelta(days=i): v for i, v in enumerate(values)}
    fc = month_forecast(daily, as_of, data_start, weeks=weeks)
    scaled = month_forecast({d: v * k for d, v in daily.items()}, as_of, data_start, weeks=weeks)
    assert fc.forecast >= fc.month_to_date - 1e-9 * max(1.0, fc.month_to_date)
    assert math.isclose(scaled.forecast, fc.forecast * k, rel_tol=1e-9, abs_tol=1e-6)
    assert fc.method == ("weekday" if len(values) >= 7 else "mean")
