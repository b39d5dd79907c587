"""spot.interruptible_workload: who is eligible, the effective-cost formula, bases, skips, properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costopt.catalog import bundled_catalog
from costopt.model import HOURS_PER_MONTH, Recommendation, Skip
from costopt.rules import defaults
from costopt.rules.spot import effective_spot_hourly, interruptible_workload
from tests.conftest import make_resource, make_snapshot

CATALOG = bundled_catalog()
P = defaults.InterruptibleWorkload()


def run(resources, params=P):
    out = list(interruptible_workload(make_snapshot(resources), CATALOG, params))
    return [x for x in out if isinstance(x, Recommendation)], [x for x in out if isinstance(x, Skip)]


CASES = [
    # id, kind, type, workload, tags, count, pricing_model, expect spot_count (None = no recommendation)
    ("train-vision-a", "gpu_vm", "p3.8xlarge", "training", {"costopt:interruptible": "true"}, 1, "on_demand", 1),
    ("batch-fleet", "autoscaling_group", "c5.4xlarge", "batch", {}, 4, "on_demand", 4),
    ("dev-box", "vm", "m5.xlarge", "dev", {}, 1, "on_demand", 1),
    ("tagged-only", "vm", "m5.2xlarge", None, {"costopt:interruptible": "true"}, 1, "on_demand", 1),
    ("opted-out", "gpu_vm", "g5.2xlarge", "training", {"costopt:interruptible": "false"}, 1, "on_demand", None),
    ("untagged-vm", "vm", "m5.2xlarge", None, {}, 1, "on_demand", None),
    ("notebook", "notebook", "g4dn.xlarge", "notebook", {}, 1, "on_demand", None),
    ("already-spot", "gpu_vm", "g5.2xlarge", "training", {}, 1, "spot", None),
    ("inference-fleet", "autoscaling_group", "c5.4xlarge", "inference", {}, 6, "on_demand", None),
    ("inference-tagged", "autoscaling_group", "c5.4xlarge", "inference", {"costopt:interruptible": "true"}, 6, "on_demand", 3),
    ("inference-single", "vm", "c5.4xlarge", "inference", {"costopt:interruptible": "true"}, 1, "on_demand", None),
    ("sagemaker-training", "training_job", "ml.p3.8xlarge", "training", {}, 2, "on_demand", 2),
]


@pytest.mark.parametrize("rid,kind,type_,workload,tags,count,pm,spot_n", CASES, ids=[c[0] for c in CASES])
def test_cases(rid, kind, type_, workload, tags, count, pm, spot_n):
    r = make_resource(rid, kind=kind, type=type_, workload=workload, tags=tags, count=count, pricing_model=pm)
    recs, skips = run([r])
    assert skips == []
    if spot_n is None:
        assert recs == []
        return
    (rec,) = recs
    assert rec.proposed.spot_count == spot_n and rec.proposed.on_demand_base == count - spot_n
    od = CATALOG.price("aws", "us-east-1", type_).amount
    eff = rec.evidence.facts["effective_spot_hourly"]  # checked against a simulation below
    spot = CATALOG.price("aws", "us-east-1", type_, "spot").amount
    assert spot <= eff < od
    before = od * count * HOURS_PER_MONTH
    after = (od * (count - spot_n) + eff * spot_n) * HOURS_PER_MONTH
    assert rec.monthly_cost_before == pytest.approx(before)
    assert rec.monthly_savings == pytest.approx(before - after)
    assert 0 <= rec.savings_low <= rec.monthly_savings <= rec.savings_high
    assert rec.alternative_group == rid and rec.apply
    if count - spot_n:
        assert "stay on demand" in rec.rationale


def simulated_overhead(rate: float, gang: int, lost_max_h: float, restart_h: float, hours: int, seed: int) -> float:
    """Added wall time per useful hour, by simulation: each hour every one of ``gang`` instances is
    reclaimed with probability ``rate``; a reclaimed job loses the work since its last checkpoint
    (uniform in 0..lost_max_h) and waits ``restart_h`` to restart."""
    rng = np.random.default_rng(seed)
    hit = (rng.random((hours, gang)) < rate).any(axis=1)
    n = int(hit.sum())
    return float((rng.uniform(0.0, lost_max_h, n) + restart_h).sum()) / hours


@pytest.mark.parametrize("rid,kind,type_,workload,count,lost_max_h", [
    ("sagemaker-training", "training_job", "ml.p3.8xlarge", "training", 2, P.checkpoint_interval_hours),
    ("train-vision-a", "gpu_vm", "p3.8xlarge", "training", 1, P.checkpoint_interval_hours),
    ("batch-fleet", "autoscaling_group", "c5.4xlarge", "batch", 4, P.batch_task_hours),
])
def test_added_wall_time_and_effective_price_match_a_simulation(rid, kind, type_, workload, count, lost_max_h):
    r = make_resource(rid, kind=kind, type=type_, workload=workload, count=count,
                      tags={"costopt:interruptible": "true"})
    (rec,), _ = run([r])
    rate = CATALOG.interruption_rate("aws", "us-east-1", type_)
    gang = count if kind == "training_job" else 1  # a training job stops when any of its instances goes
    hours = int(400 / rate)  # about 400 reclaims per instance: the simulation is within a few percent
    simulated = simulated_overhead(rate, gang, lost_max_h, P.restart_overhead_hours, hours, seed=len(rid))
    assert rec.impacts.added_wall_time_pct / 100.0 == pytest.approx(simulated, rel=0.12)
    spot = CATALOG.price("aws", "us-east-1", type_, "spot").amount
    assert rec.evidence.facts["effective_spot_hourly"] == pytest.approx(spot * (1 + simulated), rel=0.01)


def test_inference_fleet_never_entirely_spot():
    for count in range(2, 12):
        r = make_resource("fleet", kind="autoscaling_group", type="c5.4xlarge", workload="inference",
                          tags={"costopt:interruptible": "true"}, count=count)
        for share in (0.0, 0.1, 0.5, 0.9):
            recs, _ = run([r], defaults.InterruptibleWorkload(inference_on_demand_share=share))
            for rec in recs:
                assert rec.proposed.on_demand_base >= 1 and rec.proposed.spot_count < count


def test_formula():
    assert effective_spot_hourly(1.0, 0.0, 5, 5) == 1.0
    assert effective_spot_hourly(2.0, 0.1, 0.25, 0.25) == pytest.approx(2.0 * 1.05)


def test_longer_checkpoint_interval_costs_more():
    r = make_resource("t", kind="gpu_vm", type="p3.8xlarge", workload="training")
    short = run([r], defaults.InterruptibleWorkload(checkpoint_interval_hours=0.25))[0][0]
    long = run([r], defaults.InterruptibleWorkload(checkpoint_interval_hours=24.0))[0][0]
    assert long.evidence.facts["effective_spot_hourly"] > short.evidence.facts["effective_spot_hourly"]
    attr = make_resource("t", kind="gpu_vm", type="p3.8xlarge", workload="training", attributes={"checkpoint_interval_h": 24.0})
    assert run([attr])[0][0].evidence.facts["lost_hours_per_interruption"] == 12.0


def test_missing_prices_and_types_skip_with_reason():
    recs, skips = run([make_resource("a", type="m99.large", workload="batch"),
                       make_resource("b", type="m5.large", workload="batch", region="mars-1")])
    reasons = {s.resource_id: s.reason for s in skips}
    assert recs == []
    assert "not in the aws price catalog" in reasons["a"]
    assert "no on-demand price or spot price or interruption rate for m5.large in region mars-1" in reasons["b"]


def test_gcp_and_azure():
    recs, skips = run([make_resource("g", provider="gcp", region="us-central1", type="a2-highgpu-1g", workload="training"),
                       make_resource("z", provider="azure", region="westeurope", type="Standard_NC24ads_A100_v4",
                                     workload="batch")])
    assert skips == [] and {r.resource_id for r in recs} == {"g", "z"}
    assert "--provisioning-model=SPOT" in next(r for r in recs if r.resource_id == "g").apply
    assert "--priority Spot" in next(r for r in recs if r.resource_id == "z").apply


@settings(max_examples=40, deadline=None)
@given(type_=st.sampled_from(["m5.large", "c5.4xlarge", "g4dn.xlarge", "p3.16xlarge", "g5.48xlarge"]),
       workload=st.sampled_from(["training", "batch", "dev", "inference"]), count=st.integers(1, 20),
       interval=st.floats(0.01, 24), longer=st.floats(1.0, 4.0), restart=st.floats(0, 2), more=st.floats(0, 2),
       kind=st.sampled_from(["vm", "autoscaling_group", "training_job"]))
def test_property_more_lost_work_never_saves_more(type_, workload, count, interval, longer, restart, more, kind):
    """Metamorphic: a longer checkpoint interval or a slower restart loses more work per
    interruption, so the same resource can never be worth more on spot (nor appear only then)."""
    r = make_resource("x", type=type_, workload=workload, count=count, kind=kind, tags={"costopt:interruptible": "true"})

    def savings(interval_h: float, restart_h: float) -> float:
        recs, skips = run([r], defaults.InterruptibleWorkload(checkpoint_interval_hours=interval_h,
                                                              restart_overhead_hours=restart_h))
        assert skips == []
        return recs[0].monthly_savings if recs else 0.0

    base = savings(interval, restart)
    assert savings(interval * longer, restart) <= base + 1e-9
    assert savings(interval, restart + more) <= base + 1e-9


def test_without_catalog_every_rule_skips_once():
    from costopt.rules.rightsizing import gpu, oversized_vm

    snap = make_snapshot([make_resource("x", workload="batch")])
    for func, params in ((interruptible_workload, P), (oversized_vm, defaults.OversizedVm()), (gpu, defaults.Gpu())):
        out = list(func(snap, None, params))
        assert out == [Skip(out[0].rule_id, "*", "no price catalog loaded")]
