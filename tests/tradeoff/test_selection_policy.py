"""Selection (strict vs advisory) and the savings / latency-headroom frontier."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from costopt.audit_extras import Extras, frontiers
from costopt.audit_io import audit_to_json, validate_audit_dict
from costopt.model import Audit, Recommendation, SloVerdict, recommendation_id
from costopt.records import Impacts
from costopt.tradeoff.frontier import build_frontier
from costopt.tradeoff.selection import ADVISORY_NOTE, ADVISORY_UNVERIFIED_NOTE, select
from tests.conftest import make_window


def rec(resource, action, savings, status="ok", reasons=(), workload="fraud", before=40.0, after=None, target=80.0,
        group=""):
    impacts = Impacts(workload=workload, latency_quantile="p95", latency_target_ms=target, p95_ms_before=before)
    if after is not False:  # a prediction was made (None after = an unbounded queue)
        impacts = replace(impacts, p95_ms_after=after, servers_after=2)
    return Recommendation(id=recommendation_id("r.x", resource, action), rule_id="r.x", resource_id=resource,
                          action=action, resource_name=resource, monthly_savings=savings,
                          slo=SloVerdict(status, tuple(reasons)), impacts=impacts, alternative_group=group)


def test_strict_rejects_breaches_with_the_reason():
    a = rec("ep", "run 2", 1000.0, "breach", ["p95 would rise from 40 ms to 95 ms, above the 80 ms target"], after=95.0)
    b = rec("ep", "run 3", 500.0, "ok", after=60.0)
    c = rec("ep", "int8", 1200.0, "breach", ["AUC 0.948 of variant int8 is below the floor 0.955"], after=30.0)
    s = select([a, b, c], "strict")
    assert [r.action for r in s.selected] == ["run 3"]
    reasons = {r.action: r.rejection_reason for r in s.rejected}
    assert reasons["run 2"].startswith("SLO breach: p95 would rise")
    assert "below the floor" in reasons["int8"]
    assert all(r.status == "rejected" for r in s.rejected)


def test_advisory_selects_the_breach_but_flags_it():
    a = rec("ep", "run 2", 1000.0, "breach", ["p95 above target"], after=95.0)
    b = rec("ep", "run 3", 500.0, "ok", after=60.0)
    s = select([a, b], "advisory")
    (chosen,) = s.selected
    assert chosen.action == "run 2" and chosen.slo.status == "breach"
    assert ADVISORY_NOTE in chosen.slo.reasons
    assert s.rejected[0].action == "run 3" and "alternative to" in s.rejected[0].rejection_reason


def test_unknown_without_targets_is_selectable_and_groups_are_independent():
    # (this test used to select an "unknown" change on a workload WITH a latency target under
    # strict: issue 13 makes strict fail closed, see the tests below)
    a = rec("ep-1", "x", 300.0, "unknown", ["no latency metrics"], target=None)
    b = rec("ep-2", "y", 200.0, "ok", after=50.0)
    s = select([a, b], "strict")
    assert {r.action for r in s.selected} == {"x", "y"}
    with pytest.raises(ValueError):
        select([a], "lenient")


def test_strict_fails_closed_on_a_targeted_workload():
    int8 = rec("ep", "int8", 1200.0, "unknown", ["no measured AUC for int8"], target=None)
    int8 = replace(int8, impacts=replace(int8.impacts, workload_targets=("AUC >= 0.955",)))
    fp16 = rec("ep", "fp16", 700.0, "ok", after=30.0)
    cut = rec("ep2", "run 2", 900.0, "unknown", ["latency model does not fit"], after=None)
    disk = rec("vol", "delete", 50.0, "n/a", ["cannot touch serving"], target=None)
    disk = replace(disk, impacts=replace(disk.impacts, workload_targets=("p95 <= 80 ms",)))
    s = select([int8, fp16, cut, disk], "strict")
    assert {r.action for r in s.selected} == {"fp16", "delete"}
    reasons = {r.action: r.rejection_reason for r in s.rejected}
    assert reasons["int8"] == "cannot verify: no measured AUC for int8"
    assert reasons["run 2"] == "cannot verify: latency model does not fit"


def test_advisory_selects_the_unverifiable_change_and_flags_it():
    int8 = rec("ep", "int8", 1200.0, "unknown", ["no measured AUC for int8"])
    fp16 = rec("ep", "fp16", 700.0, "ok", after=30.0)
    (chosen,) = select([int8, fp16], "advisory").selected
    assert chosen.action == "int8" and chosen.slo.status == "unknown"
    assert ADVISORY_UNVERIFIED_NOTE in chosen.slo.reasons


def test_frontier_points_pareto_and_selected():
    run3 = rec("ep", "run 3", 500.0, after=60.0)
    run2 = rec("ep", "run 2", 1000.0, "breach", ["saturated"], after=None)
    fp16 = rec("ep", "fp16", 700.0, after=30.0)
    int8 = rec("ep", "int8", 1200.0, "breach", ["accuracy"], after=20.0)
    s = select([run3, run2, fp16, int8], "strict")
    f = s.frontier["fraud"]
    assert f["target_ms"] == 80.0 and f["latency_ms_now"] == 40.0
    points = {p["label"]: p for p in f["points"]}
    assert set(points) == {"current setup", "ep: run 3", "ep: run 2", "ep: fp16", "ep: int8"}
    assert points["current setup"]["savings"] == 0 and points["current setup"]["headroom_ms"] == 40.0
    assert points["ep: run 2"]["headroom_ms"] is None and not points["ep: run 2"]["feasible"]
    assert not points["ep: int8"]["feasible"]
    # fp16 saves more than run 3 AND leaves more headroom: run 3 is dominated
    assert points["ep: fp16"]["pareto"] and not points["ep: run 3"]["pareto"]
    assert points["ep: fp16"]["selected"] and not points["ep: run 3"]["selected"]
    assert sum(p["selected"] for p in f["points"]) == 1


def test_frontier_combines_resources_of_one_workload():
    a1 = rec("ep-a", "shrink a", 100.0, before=40.0, after=70.0)
    b1 = rec("ep-b", "shrink b", 300.0, before=50.0, after=60.0)
    f = build_frontier([a1, b1], {a1.id, b1.id})["fraud"]
    both = next(p for p in f["points"] if len(p["recommendations"]) == 2)
    assert both["savings"] == 400.0
    assert both["latency_ms"] == 70.0 and both["headroom_ms"] == 10.0  # the worst resource decides
    only_b = next(p for p in f["points"] if p["recommendations"] == [b1.id])
    assert only_b["latency_ms"] == 60.0  # ep-a stays at 40, ep-b moves to 60
    assert both["selected"] and len(f["points"]) == 4


def test_frontier_is_bounded_and_skips_workloads_without_target():
    many = [rec(f"ep-{i}", f"opt-{j}", 10.0 + j, after=41.0 + j) for i in range(6) for j in range(4)]
    f = build_frontier(many, (), max_sets=100)["fraud"]
    assert not f["enumerated"]
    # the empty set, single changes (six look-alike resources share 4 distinct points) and the best of each
    assert len(f["points"]) == 1 + 4 + 1
    assert max(p["savings"] for p in f["points"]) == 6 * 13.0
    untargeted = rec("ep", "x", 10.0, target=None)
    assert build_frontier([untargeted]) == {}


def test_audit_json_carries_impacts_verdicts_and_frontier():
    run2 = rec("ep", "run 2", 1000.0, "breach", ["saturated"], after=None)
    fp16 = rec("ep", "fp16", 700.0, after=30.0)
    s = select([run2, fp16], "strict")
    audit = Audit(run_at=make_window().end, window=make_window(), currency="USD", recommendations=s.selected,
                  rejected=s.rejected, extras=Extras(frontier=frontiers(s.frontier)))
    def no_constants(name):
        raise AssertionError(f"non-standard JSON constant {name} in the audit")

    data = json.loads(audit_to_json(audit), parse_constant=no_constants)  # strict JSON: no NaN / Infinity
    validate_audit_dict(data)
    assert data["extras"]["frontier"]["fraud"]["points"][0]["label"] == "current setup"
    rejected = data["rejected"][0]
    assert rejected["slo"]["status"] == "breach" and "servers_after" in rejected["impacts"]
    assert "p95_ms_after" not in rejected["impacts"]  # predicted, and unbounded: not a number
    assert "SLO breach" in rejected["rejection_reason"]


def test_frontier_drops_look_alike_sets():
    same = [rec(f"i-{i}", "resize", 100.0, "breach", ["slow"], before=50.0, after=150.0) for i in range(6)]
    f = build_frontier(same, ())["fraud"]
    # 2**6 sets, but only 7 distinct (savings, latency) points: 0..6 resizes
    assert sorted(p["savings"] for p in f["points"]) == [0.0, 100.0, 200.0, 300.0, 400.0, 500.0, 600.0]
    assert all(len(p["recommendations"]) == p["savings"] / 100.0 for p in f["points"])


def test_summary_words_latency_accuracy_and_rejection():
    from costopt.tradeoff.summary import tradeoff_summary

    r = rec("ep", "int8", 1000.0, "breach", ["AUC 0.948 below the floor"], before=50.0, after=7.25)
    r = replace(r, impacts=replace(r.impacts, accuracy_before=0.962, accuracy_after=0.948, accuracy_floor=0.955,
                                   accuracy_metric="AUC", interruption_rate_per_hour=0.01, added_wall_time_pct=0.5))
    s = select([r], "strict")
    summary = tradeoff_summary(s.rejected[0])
    assert summary.latency == "p95 50 ms -> 7.2 ms (target 80 ms)"
    assert summary.accuracy == "AUC 0.962 -> 0.948 (floor 0.955)"
    assert summary.other == "7.3 interruptions/month, +0.5% wall time"
    assert summary.verdict == "breach" and summary.why.startswith("SLO breach: AUC 0.948")
    unbounded = tradeoff_summary(rec("ep", "run 1", 10.0, "breach", after=None))
    assert unbounded.latency == "p95 40 ms -> unbounded (target 80 ms)"


def test_frontier_does_not_count_an_unverifiable_change_as_feasible():
    fp16 = rec("ep", "fp16", 700.0, after=30.0)
    unverifiable = rec("ep", "int8", 1200.0, "unknown", ["no measured AUC for int8"], after=False)
    s = select([fp16, unverifiable], "strict")
    points = {p["label"]: p for p in s.frontier["fraud"]["points"]}
    assert not points["ep: int8"]["feasible"] and not points["ep: int8"]["pareto"]
    assert points["ep: fp16"]["feasible"] and points["ep: fp16"]["selected"]
