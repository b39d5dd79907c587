"""One calendar: the report, the Markdown, the gate, history and the terminal mean the same days.

The oracle is an independent sum over the daily rows with the days written out by hand.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from costopt import history
from costopt.calendar import audit_calendar, calendar_of
from costopt.commands.audit import summary_lines
from costopt.gate.budgets import Budget
from costopt.gate.checks import evaluate_budgets
from costopt.model import Window
from costopt.reports import render, view
from costopt.sections import SpendDay
from tests.reports.sample_audit import make_audit

# Billing from 2026-10-29 to 2026-12-03 (36 days; 2026-12-03 only up to 13:00), audited over
# the 14 days ending 2026-12-03 13:00: the demo's shape, where report and gate used to disagree.
FIRST, LAST = date(2026, 10, 29), date(2026, 12, 3)
WINDOW = Window(datetime(2026, 11, 19, 13, tzinfo=UTC), datetime(2026, 12, 3, 13, tzinfo=UTC))


def cost_of(day: date) -> float:
    base = 1000.0 + 37.0 * (day - FIRST).days + (250.0 if day.weekday() == 0 else 0.0)
    return base * (13 / 24 if day == LAST else 1.0)  # the last day is partial


def daily_rows():
    rows = []
    day = FIRST
    while day <= LAST:
        for provider, share in (("AWS", 0.7), ("Google Cloud", 0.3)):
            rows.append({"day": day.isoformat(), "provider": provider, "account": "1", "service": "s", "category": "c",
                         "charge": "Usage", "team": None, "cost": cost_of(day) * share, "billed": cost_of(day) * share,
                         "egress": 0.0})
        day += timedelta(days=1)
    return rows


@pytest.fixture()
def audit():
    rows = daily_rows()
    base = make_audit(daily=rows, with_extras=False)
    return replace(base, window=WINDOW, spend=replace(base.spend, daily=tuple(SpendDay(**r) for r in rows),
                                                      total=sum(r["cost"] for r in rows)))


def hand_sum(first: date, last: date) -> float:
    return sum(cost_of(first + timedelta(days=i)) for i in range((last - first).days + 1))


def test_the_periods_are_the_days_written_out():
    cal = audit_calendar(WINDOW, [FIRST + timedelta(days=i) for i in range(36)])
    assert cal.as_of == date(2026, 12, 3)  # the partial last day is not counted
    assert (cal.last_week.start, cal.last_week.last) == (date(2026, 11, 26), date(2026, 12, 2))
    assert (cal.previous_week.start, cal.previous_week.last) == (date(2026, 11, 19), date(2026, 11, 25))
    assert (cal.month_to_date.start, cal.month_to_date.last) == (date(2026, 12, 1), date(2026, 12, 2))
    assert cal.billing.days == 36 and cal.billing_text() == "2026-10-29 to 2026-12-03 (36 days)"
    assert cal.lookback_text() == "2026-11-19 13:00 to 2026-12-03 13:00 UTC (14 days)"


def test_export_lagging_two_days_moves_as_of_back():
    cal = audit_calendar(WINDOW, [FIRST + timedelta(days=i) for i in range(34)])  # last row 2026-12-01
    assert cal.as_of == date(2026, 12, 2) and cal.last_week.text() == "2026-11-25 to 2026-12-01"


def test_report_gate_history_and_terminal_agree_on_week_over_week(audit):
    current, previous = hand_sum(date(2026, 11, 26), date(2026, 12, 2)), hand_sum(date(2026, 11, 19), date(2026, 11, 25))
    expected = (current - previous) / previous

    h = view.headline(audit)
    assert h.last_week == pytest.approx(current) and h.last_week_change == pytest.approx(expected)
    [growth] = evaluate_budgets(audit, [Budget("total", None, "growth", fail=1000.0)])
    assert growth.actual == pytest.approx(expected * 100.0)
    assert growth.details["current_week"] == pytest.approx(current)
    assert history.summary(audit)["weekly_spend"] == pytest.approx(current)
    weekly = view.weekly_spend(audit, "provider")
    assert sum(series[-1] for series in weekly.series.values()) == pytest.approx(current)
    assert weekly.weeks[-1] == "2026-11-26"

    shown = f"{expected * 100:+.1f}%"
    markdown = render(audit, "md")
    assert f"Last 7 days (2026-11-26 to 2026-12-02): ${current:,.0f} ({shown} on 2026-11-19 to 2026-11-25)" in markdown
    assert f"{shown}</span> on 2026-11-19 to 2026-11-25" in render(audit, "html")
    assert f"({shown} on 2026-11-19 to 2026-11-25)" in "\n".join(summary_lines(audit))
    assert "2026-11-26 to 2026-12-02 against 2026-11-19 to 2026-11-25" in growth.message


def test_header_days_match_its_dates(audit):
    header = render(audit, "md").splitlines()[2]
    assert header.startswith("Lookback 2026-11-19 13:00 to 2026-12-03 13:00 UTC (14 days); "
                             "billing data 2026-10-29 to 2026-12-03 (36 days)")
    for first, last, days in re.findall(r"(\d{4}-\d\d-\d\d)(?: \d\d:\d\d)? to (\d{4}-\d\d-\d\d)(?: \d\d:\d\d UTC)? "
                                        r"\((\d+) days\)", header):
        span = (date.fromisoformat(last) - date.fromisoformat(first)).days
        assert int(days) in (span, span + 1)  # instants (end excluded) or whole days (end included)
    page = render(audit, "html")
    assert "lookback 2026-11-19 13:00 to 2026-12-03 13:00 UTC (14 days)" in page
    assert "billing data 2026-10-29 to 2026-12-03 (36 days)" in page


def test_week_over_week_is_undefined_without_a_whole_previous_week(audit):
    short = tuple(r for r in audit.spend.daily if r.day >= "2026-11-22")
    cut = replace(audit, spend=replace(audit.spend, daily=short))
    h = view.headline(cut)
    assert h.last_week == pytest.approx(hand_sum(date(2026, 11, 26), date(2026, 12, 2)))
    assert h.last_week_change is None
    [growth] = evaluate_budgets(cut, [Budget("total", None, "growth", fail=10.0)])
    assert growth.status == "skipped" and "2026-11-19 to 2026-12-02" in growth.message


def test_calendar_of_a_saved_audit_reads_its_daily_rows(audit):
    cal = calendar_of(audit)
    assert cal.billing.start == FIRST and cal.billing.last == LAST and cal.observed_start == FIRST
