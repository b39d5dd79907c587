"""The trade-off shares work across a fleet (one merged workload per config workload and set of
costopt:* tags, one variant search per type/count/region, G/G/c answers per queue). Oracle:
each resource assessed alone, on a snapshot holding only it, with freshly parsed targets (so
nothing can be shared between resources) gives exactly the verdicts, impacts, risk and
variant candidates the whole-estate pass gives. The estate is built so that resources share
what the shared work is keyed on while differing in what it must not ignore (name, load,
count, specs, tags, declared kind)."""

from __future__ import annotations

import gc

import numpy as np

from costopt.config import Settings
from costopt.rules.engine import run_rules
from costopt.tradeoff.assess import assess, assess_and_select
from costopt.tradeoff.selection import select
from costopt.tradeoff.targets import targets_for
from tests.tradeoff import estate

CONFIG = {
    "workloads": {
        "ranker": {"kind": "inference", "model": "ranker", "latency_p95_ms": 60, "min_accuracy": 0.9},
        "search": {"resources": ["search-*"], "model": "ranker", "latency_p99_ms": 90},
    },
    "models": {"ranker": {"current": "fp32", "accuracy_metric": "AUC", "variants": {
        "fp32": {"accuracy": 0.93, "relative_compute": 1.0},
        "fp16": {"accuracy": 0.925, "relative_compute": 0.55},
        "int8": {"accuracy": 0.88, "relative_compute": 0.35, "throughput_rps": {"ml.g4dn.xlarge": 400}}}}},
}


def _estate():
    """Resources that pairwise share type, count and region but differ elsewhere."""
    rng = np.random.default_rng(11)
    resources, metrics, candidates = [], [], []
    variations = [
        {},
        {"costopt:slo-p95-ms": "40"},
        {"costopt:slo-p95-ms": "fast"},  # a bad tag: noted, ignored
        {"costopt:interruptible": "true"},
        {"costopt:workload": "batch"},
        {"costopt:workload": "nonsense"},
    ]
    for i in range(24):
        tags = dict(variations[i % len(variations)])
        name = f"search-{i}" if i % 4 == 0 else f"svc-{i}"
        if i % 4 != 3:  # the others: a workload from their tags alone, or none
            tags["costopt:model"] = "ranker"
        type_ = ("ml.g4dn.xlarge", "ml.g4dn.2xlarge", "ml.c5.2xlarge")[i % 3]
        count = 2 + (i // 3) % 3
        high = float(rng.uniform(40, 400))
        rps = estate.diurnal_rps(high=high)
        latency = estate.mmc_mean_response(rps, count * 4, estate.FRAUD_SERVICE_MS) * rng.normal(1.0, 0.03, rps.size)
        specs = {"vcpu": 4, "gpu_count": 1, "gpu_model": "T4"} if i % 5 == 0 else {}
        res, series = estate.serving(f"ep-{i}", type_, count, rps, latency, hourly_cost=0.7 * count, tags=tags,
                                     specs=specs, workload=tags.get("costopt:workload"))
        res = type(res)(**{**res.__dict__, "name": name})
        resources.append(res)
        metrics.extend(series)
        candidates.append(estate.candidate(res, "rightsizing.endpoint", "resize", {"type": "ml.g4dn.xlarge",
                                                                                   "count": max(1, count - 1)}, 300.0 + i))
        candidates.append(estate.candidate(res, "autoscaling.endpoint", "autoscale", {"count_min": 1, "count_max": count},
                                           200.0 + i))
    return resources, metrics, candidates


def _facts(rec):
    return (rec.rule_id, rec.action, rec.slo, rec.impacts, rec.performance_risk, rec.confidence,
            rec.proposed, rec.current, rec.monthly_savings, rec.alternative_group)


def test_the_whole_estate_pass_equals_each_resource_assessed_alone():
    resources, metrics, candidates = _estate()
    cat = estate.catalog()
    settings = Settings(**CONFIG)

    def with_variants(snap, cands):  # the rules phase adds model.cheaper_variant's switches
        return list(cands) + list(run_rules(snap, cat, settings, only=["model.cheaper_variant"]).candidates)

    snap = estate.snapshot(resources, metrics)
    whole = assess(with_variants(snap, candidates), snap, settings, cat)
    alone = []
    for res in resources:
        mine = [c for c in candidates if c.resource_id == res.id]
        own = estate.snapshot([res], [m for m in metrics if m.resource_id == res.id])
        alone.extend(assess(with_variants(own, mine), own, settings, cat))
    assert len(whole) == len(alone)
    by_id = {r.id: r for r in alone}
    assert {r.id for r in whole} == set(by_id)
    for rec in whole:
        assert _facts(rec) == _facts(by_id[rec.id]), rec.id
    # the estate exercises what the shared work must keep apart
    variants = [r for r in whole if r.rule_id == "model.cheaper_variant"]
    assert len(variants) >= 8
    assert {r.slo.status for r in whole} >= {"ok", "breach", "unknown"}
    assert len({r.impacts.workload_targets for r in whole if r.impacts.workload_targets}) >= 3
    # and selection over either is the same
    assert [_facts(r) for r in select(whole).selected] == [_facts(r) for r in select(alone).selected]


def test_one_pass_assess_and_select_equals_select_of_assess():
    """The pipeline's step sets the status of its own judged copies in place instead of copying
    them again: the same selected, rejected and frontier as the two calls, under both policies,
    and the rules' candidates it was given are left as they were."""
    resources, metrics, candidates = _estate()
    cat = estate.catalog()
    settings = Settings(**CONFIG)
    snap = estate.snapshot(resources, metrics)
    candidates = candidates + list(run_rules(snap, cat, settings, only=["model.cheaper_variant"]).candidates)
    candidates.append(estate.candidate(resources[0], "idle.endpoint_no_invocations", "look into it", {}, 0.0))
    given = [(id(c), c.status, c.slo, c.impacts) for c in candidates]
    for policy in ("strict", "advisory"):
        two = select(assess(candidates, snap, settings, cat), policy)
        one = assess_and_select(candidates, snap, settings, cat, policy)
        assert one.selected == two.selected and one.rejected == two.rejected and one.frontier == two.frontier
        assert {r.status for r in one.selected} == {"selected"} and {r.status for r in one.rejected} == {"rejected"}
        assert [(id(c), c.status, c.slo, c.impacts) for c in candidates] == given
    # the estate reaches the branches that change more than the status
    advisory = assess_and_select(candidates, snap, settings, cat, "advisory")
    assert any("advisory" in " ".join(r.slo.reasons) for r in advisory.selected)
    assert any(r.rejection_reason.startswith("alternative to") for r in advisory.rejected)


def test_the_step_reuses_the_workloads_the_rules_phase_resolved():
    """One parse of the workloads per (settings, snapshot): the variant rule's resolutions serve
    the step; another snapshot or settings object gets its own parse, and none outlives them."""
    resources, metrics, _ = _estate()
    settings = Settings(**CONFIG)
    snap = estate.snapshot(resources, metrics)
    first = targets_for(settings, snap)
    assert targets_for(settings, snap) is first
    run_rules(snap, estate.catalog(), settings, only=["model.cheaper_variant"])
    assert len(first._resolved) == len(resources)  # the rule resolved every resource, once
    other = estate.snapshot(resources, metrics)
    assert targets_for(settings, other) is not first
    assert targets_for(Settings(**CONFIG), other) is not targets_for(settings, other)
    again = targets_for(settings, other)
    del other
    gc.collect()
    assert targets_for(settings, snap) is not again
