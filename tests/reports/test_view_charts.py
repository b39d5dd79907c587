"""The shared report numbers (weekly spend, budgets) and the chart builders."""

from __future__ import annotations

from dataclasses import replace
from importlib import resources

import pytest

from costopt.audit_extras import Extras, Frontier, FrontierPoint
from costopt.reports import charts, view
from costopt.sections import CheckResult
from tests.reports.sample_audit import HOSTILE_TAG, daily_spend, make_audit


def test_weekly_spend_buckets_end_on_the_last_day():
    daily = [r for r in daily_spend(days=17)]  # 2 whole weeks + 3 days at the start
    weekly = view.weekly_spend(make_audit(daily=daily), "provider")
    assert weekly.weeks == ("2026-10-15", "2026-10-22", "2026-10-29")
    assert weekly.complete == (False, True, True)
    total = sum(r["cost"] for r in daily)
    assert sum(sum(v) for v in weekly.series.values()) == pytest.approx(total)
    last = sum(r["cost"] for r in daily if r["day"] >= "2026-10-29")
    before = sum(r["cost"] for r in daily if "2026-10-22" <= r["day"] < "2026-10-29")
    assert weekly.last_week == pytest.approx(last)
    assert weekly.last_week_change == pytest.approx((last - before) / before)
    assert list(weekly.series)[0] == "AWS"  # biggest group first


def test_week_over_week_needs_a_whole_previous_week():
    weekly = view.weekly_spend(make_audit(daily=daily_spend(days=10)))
    assert weekly.complete == (False, True) and weekly.last_week_change is None
    assert view.weekly_spend(make_audit(daily=[])).weeks == ()


def test_budget_rows_read_the_gates_check_results():
    def check(scope, status, period="", unit="USD", fail=None, warn=None, actual=None, forecast=None, message=""):
        return CheckResult(f"{scope}:{period}", scope, "total", period, status, unit, actual, forecast, warn, fail, message)

    audit = replace(make_audit(), budgets=(
        check("total", "fail", "month", fail=100.0, actual=120.0),
        check("team=x", "pass", fail=100.0, actual=50.0, forecast=90.0),
        check("nolimit", "skipped", actual=5.0),
        check("total", "fail", "week-over-week", unit="%", fail=10.0, actual=12.5),
        check("svc", "warn", fail=10.0, warn=5.0, actual=7.0, message="7 over the 5 warning"),
    ))
    rows = view.budget_rows(audit)
    assert [(b.scope, b.status) for b in rows] == [("total", "breach"), ("team=x", "ok"), ("nolimit", "unknown"),
                                                   ("total", "breach"), ("svc", "warn")]
    assert (rows[4].limit, rows[4].warn, rows[4].detail) == (10.0, 5.0, "7 over the 5 warning")
    growth = rows[3]
    assert view.budget_amount(growth.actual, growth, "USD") == "12.5%"
    assert view.budget_amount(rows[0].actual, rows[0], "USD") == "$120"
    fig = charts.budgets(audit).to_plotly_json()
    assert len(fig["data"][0]["x"]) == 3  # the growth check (a percentage) and the one without a limit are not drawn


def test_frontier_skips_bad_points_and_empty_workloads():
    audit = replace(make_audit(), extras=Extras(frontier={
        "m1": Frontier("p95", 100.0, 50.0, "USD", True, (FrontierPoint(10, 50, 50.0), FrontierPoint(5, None, None))),
        "empty": Frontier("p95", 100.0, None, "USD", True, ()),
    }))
    figs = charts.frontier(audit)
    assert [m for m, _ in figs] == ["m1"]
    fig = figs[0][1].to_plotly_json()
    assert fig["layout"]["shapes"][0]["x0"] == 100
    assert [list(t["x"]) for t in fig["data"] if t.get("mode") == "markers"] == [[50.0]]


def test_no_frontier_no_budgets_no_trend():
    audit = make_audit(with_extras=False)
    assert charts.frontier(audit) == [] and charts.budgets(audit) is None and charts.trend(audit) is None


def test_chart_labels_are_entity_escaped_for_plotly():
    assert charts.plot_text(HOSTILE_TAG) == "&lt;img src=x onerror=alert(1)&gt;"
    fig = charts.top_resources(make_audit()).to_plotly_json()
    labels = list(fig["data"][0]["y"])
    assert not any("<" in str(label) for label in labels)


def test_report_script_never_parses_markup():
    script = resources.files("costopt.reports").joinpath("templates", "report.js").read_text()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in script, sink
