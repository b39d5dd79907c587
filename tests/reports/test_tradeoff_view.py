"""The trade-off as reported: headline figures, per-row p95/accuracy, and the frontier's breach kinds."""

from __future__ import annotations

from dataclasses import replace

import pytest

from costopt.audit_extras import Extras, Frontier, FrontierPoint
from costopt.records import Impacts
from costopt.reports import charts
from costopt.reports.tradeoff_view import frontier_breach, serving_impact, tradeoff_summary
from tests.reports.sample_audit import make_audit, rec, recommendations, rejected


def breaching(resource, action, savings, *, accuracy_after=0.96, p95_after=60.0, group="g"):
    r = rec("model.cheaper_variant", resource, action, savings, slo="breach", status="rejected", group=group,
            impacts=Impacts.of({"p95_ms_before": 50.0, "p95_ms_after": p95_after, "latency_target_ms": 80.0,
                     "accuracy_before": 0.962, "accuracy_after": accuracy_after, "accuracy_floor": 0.955,
                     "accuracy_metric": "AUC"}))
    return r


def test_headline_counts_kept_and_broken_changes_without_adding_alternatives():
    extra = (breaching("ep-a", "int8", 700.0, accuracy_after=0.94), breaching("ep-a", "2 instances", 500.0, p95_after=95.0),
             breaching("ep-b", "1 instance", 300.0, p95_after=120.0, group="h"))
    audit = replace(make_audit(with_extras=False), rejected=rejected() + extra)
    summary = tradeoff_summary(audit)
    kept = [r for r in recommendations() if r.slo.status == "ok"]
    assert (summary.kept, summary.kept_savings) == (len(kept), pytest.approx(sum(r.monthly_savings for r in kept)))
    # fraud-detector int8 (3,900), ep-a's best breaking alternative (700, not 700 + 500) and ep-b (300)
    assert (summary.broken, summary.broken_savings) == (3, pytest.approx(3900.0 + 700.0 + 300.0))
    assert summary.text().startswith("2 serving change(s) keep every target: $4,877/month; 3 would break")


def test_no_serving_changes_no_headline():
    audit = make_audit(recs=[rec("idle.unattached_volume", "vol-1", "delete", 10.0)], with_extras=False)
    assert tradeoff_summary(replace(audit, rejected=())) is None


def test_serving_impact_reads_the_producers_fields():
    impact = serving_impact(breaching("ep", "int8", 1.0, accuracy_after=0.94, p95_after=90.0))
    assert impact.breaks_accuracy and impact.breaks_latency
    assert impact.text() == "p95 50 → 90 ms (target 80); AUC 0.962 → 0.940 (floor 0.955)"
    assert serving_impact(rec("idle.unattached_volume", "vol-1", "delete", 10.0)) is None


def test_frontier_marks_accuracy_breaches_apart_from_latency_breaches():
    acc = breaching("ep", "int8", 900.0, accuracy_after=0.94, p95_after=30.0)
    lat = breaching("ep", "2 instances", 600.0, p95_after=95.0)
    points = (
        FrontierPoint(0.0, 50.0, 30.0, (), label="current", feasible=True),
        FrontierPoint(900.0, 30.0, 50.0, (acc.id,), label="int8", feasible=False),
        FrontierPoint(600.0, 95.0, -15.0, (lat.id,), label="2 instances", feasible=False),
        FrontierPoint(100.0, 40.0, 40.0, (), label="unverifiable", feasible=False),
    )
    by_id = {acc.id: acc, lat.id: lat}
    assert [frontier_breach(p, 80.0, by_id) for p in points] == ["", "accuracy", "latency", "unverified"]
    audit = replace(make_audit(with_extras=False), rejected=(acc, lat),
                    extras=Extras(frontier={"ep": Frontier("p95", 80.0, 50.0, "USD", True, points)}))
    [(_, figure)] = charts.frontier(audit)
    names = {trace.name: list(trace.text) for trace in figure.data if trace.mode == "markers"}
    assert names == {"meets every target": ["current"], "breaks the accuracy floor": ["int8"],
                     "breaks the p95 target": ["2 instances"], "cannot be verified": ["unverifiable"]}
    assert figure.layout.xaxis.title.text == "predicted p95 latency (ms)"
    assert figure.layout.yaxis.title.text == "savings per month (USD)"
