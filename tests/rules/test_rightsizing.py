"""rightsizing.oversized_vm and rightsizing.gpu: table-driven cases, bad data, properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costopt.catalog import bundled_catalog
from costopt.model import HOURS_PER_MONTH, Recommendation, Skip
from costopt.rules import defaults
from costopt.rules.rightsizing import gpu, oversized_vm
from tests.conftest import make_resource, make_series, make_snapshot

POINTS = 14 * 288  # 14 days of 5-minute points
CATALOG = bundled_catalog()


def level(value: float, n: int = POINTS, jitter: float = 2.0, seed: int = 1) -> np.ndarray:
    """A noisy flat load at ``value`` percent whose maximum is exactly ``value``."""
    rng = np.random.default_rng(seed)
    return np.clip(value - jitter * rng.random(n), 0, 100)


def run(func, resources, metrics, params):
    out = list(func(make_snapshot(resources, metrics), CATALOG, params))
    return [x for x in out if isinstance(x, Recommendation)], [x for x in out if isinstance(x, Skip)]


def only(recs, skips):
    """The one recommendation of a run without skips, or None when there is none."""
    assert skips == [] and len(recs) <= 1
    return recs[0] if recs else None


# --- oversized_vm: table of resource + metrics -> expected proposal ----------------------------

CPU_CASES = [
    # id, type, kind, workload, cpu peak %, memory peak % (None = not measured), expected type or None
    ("half-idle-m5", "m5.2xlarge", "vm", "batch", 30, 30, "m5.xlarge"),
    ("quarter-m5", "m5.4xlarge", "vm", "batch", 18, 20, "m5.xlarge"),
    ("busy-m5", "m5.2xlarge", "vm", "batch", 70, 60, None),
    ("busy-cpu-light-memory", "m5.2xlarge", "vm", "batch", 70, 40, "c5.2xlarge"),
    ("smallest-already", "m5.large", "vm", "batch", 5, 60, None),
    ("smallest-m5-low-memory", "m5.large", "vm", "batch", 5, 10, "c5.large"),
    # same inputs, inference target is stricter -> one size bigger than batch
    ("batch-c5", "c5.4xlarge", "vm", "batch", 35, 20, "c5.2xlarge"),
    ("inference-c5", "c5.4xlarge", "vm", "inference", 35, 20, None),
    ("inference-c5-low", "c5.4xlarge", "autoscaling_group", "inference", 20, 20, "c5.2xlarge"),
    # memory-bound: CPU idle but memory used -> stays in a type with enough memory
    ("memory-bound-r5", "r5.2xlarge", "vm", "batch", 10, 80, None),
    # no memory metric: may shrink, but keeps >= 50% memory and says so
    ("no-memory", "m5.4xlarge", "vm", "batch", 10, None, "m5.2xlarge"),
    ("sagemaker", "ml.m5.4xlarge", "endpoint", "inference", 10, 20, "ml.m5.xlarge"),
    ("gcp-n2", "n2-standard-16", "vm", "batch", 20, 20, "n2-standard-4"),
    ("azure-d", "Standard_D16s_v5", "vm", "batch", 20, 20, "Standard_D4s_v5"),
]


@pytest.mark.parametrize("rid,type_,kind,workload,cpu,mem,expected", CPU_CASES, ids=[c[0] for c in CPU_CASES])
def test_oversized_vm_cases(rid, type_, kind, workload, cpu, mem, expected):
    provider = "gcp" if type_.startswith("n2") else "azure" if type_.startswith("Standard") else "aws"
    region = {"aws": "us-east-1", "gcp": "us-central1", "azure": "eastus"}[provider]
    r = make_resource(rid, type=type_, kind=kind, workload=workload, provider=provider, region=region, count=2)
    metrics = [make_series(rid, "cpu", level(cpu))]
    if mem is not None:
        metrics.append(make_series(rid, "memory", level(mem), stat="Average"))
    rec = only(*run(oversized_vm, [r], metrics, defaults.OversizedVm()))
    if expected is None:
        assert rec is None
        return
    assert rec.proposed.type == expected
    before = CATALOG.price(provider, region, type_).amount * 2 * HOURS_PER_MONTH
    after = CATALOG.price(provider, region, expected).amount * 2 * HOURS_PER_MONTH
    assert rec.monthly_cost_before == pytest.approx(before)
    assert rec.monthly_savings == pytest.approx(before - after)
    assert rec.savings_low <= rec.monthly_savings <= rec.savings_high
    assert rec.alternative_group == rid and rec.current["count"] == rec.proposed.count == 2
    assert rec.evidence.facts["cpu_p99.5"] == pytest.approx(np.quantile(level(cpu), 0.995))
    assert rec.evidence.facts["samples"] == POINTS and rec.evidence.facts["hours"] == pytest.approx(336)
    assert expected in rec.apply
    if mem is None:
        assert rec.confidence in ("medium", "low") and "memory was not measured" in rec.rationale.lower()
        assert CATALOG.instance(provider, expected).memory_gib >= 0.5 * CATALOG.instance(provider, type_).memory_gib
    else:
        assert rec.confidence == "high" and rec.evidence.facts["memory_measured"]
    assert 0 <= rec.performance_risk <= 4


def test_other_families_only_when_allowed():
    # c5.4xlarge with high memory use: no smaller c5 has the memory; m5.2xlarge (32 GiB) does.
    r = make_resource("i-1", type="c5.4xlarge")
    metrics = [make_series("i-1", "cpu", level(30)), make_series("i-1", "memory", level(75))]
    recs, _ = run(oversized_vm, [r], metrics, defaults.OversizedVm())
    assert [x.proposed.type for x in recs] == ["m5.2xlarge"]
    assert "no cheaper fitting size in the c5 family" in recs[0].rationale.lower()
    recs, _ = run(oversized_vm, [r], metrics, defaults.OversizedVm(other_families=False))
    assert recs == []


def test_architecture_kept_unless_allowed():
    # m5.large is the smallest m5: the candidates are other families; m6g.medium (arm64) is cheapest.
    r = make_resource("i-1", type="m5.large")
    metrics = [make_series("i-1", "cpu", level(30)), make_series("i-1", "memory", level(30))]
    recs, _ = run(oversized_vm, [r], metrics, defaults.OversizedVm())
    assert [x.proposed.type for x in recs] == ["c5.large"]
    recs, _ = run(oversized_vm, [r], metrics, defaults.OversizedVm(allow_architecture_change=True))
    assert [x.proposed.type for x in recs] == ["m6g.medium"]
    assert CATALOG.instance("aws", "m6g.medium").architecture == "arm64"


def test_performance_risk_grows_with_projected_utilisation():
    pairs = []
    for peak in (10, 14, 25, 40):
        r = make_resource("i-1", type="m5.8xlarge")
        recs, _ = run(oversized_vm, [r], [make_series("i-1", "cpu", level(peak)), make_series("i-1", "memory", level(10))],
                      defaults.OversizedVm())
        pairs.append((recs[0].impacts.projected_cpu_peak, recs[0].performance_risk))
    pairs.sort()
    risks = [risk for _, risk in pairs]
    assert risks == sorted(risks) and risks[-1] > risks[0]
    assert all(0 <= risk <= 4 for risk in risks)


# --- bad input: skip with a reason, never crash ------------------------------------------------

def _bad_cases():
    vals = level(20)
    dup = make_series("i-1", "cpu", vals)
    duplicated = type(dup)("i-1", "cpu", "Percent", 300, np.concatenate([dup.timestamps, dup.timestamps]),
                           np.concatenate([vals, vals]))
    gappy = vals.copy()
    gappy[::3] = np.nan
    invalid = vals.copy()
    invalid[::4] = -5.0
    invalid[1::4] = 140.0
    return [
        ("no-metric", [], "no cpu metric"),
        ("short", [make_series("i-1", "cpu", level(20, n=200))], "only 16.7 h of cpu data"),
        ("gaps", [make_series("i-1", "cpu", gappy)], "gaps"),
        ("duplicates", [duplicated], "duplicate timestamps"),
        ("out-of-range", [make_series("i-1", "cpu", invalid)], "outside 0-100%"),
    ]


@pytest.mark.parametrize("name,metrics,reason", _bad_cases(), ids=[c[0] for c in _bad_cases()])
def test_bad_metrics_skip_with_reason(name, metrics, reason):
    recs, skips = run(oversized_vm, [make_resource("i-1", type="m5.4xlarge")], metrics, defaults.OversizedVm())
    assert recs == []
    assert len(skips) == 1 and reason in skips[0].reason and skips[0].resource_id == "i-1"


def test_old_points_outside_lookback_do_not_count():
    # 20 days of data, busy in the first 6 days only: the 14-day lookback sees an idle VM.
    values = np.concatenate([level(90, n=6 * 288), level(10, n=14 * 288)])
    r = make_resource("i-1", type="m5.4xlarge")
    from datetime import timedelta

    from tests.conftest import T0, make_window
    series = make_series("i-1", "cpu", values, start=T0 - timedelta(days=6))
    snap = make_snapshot([r], [series, make_series("i-1", "memory", level(60))], window=make_window(20))
    recs = [x for x in oversized_vm(snap, CATALOG, defaults.OversizedVm()) if isinstance(x, Recommendation)]
    assert recs and recs[0].evidence.facts["hours"] == pytest.approx(336)
    assert [x for x in oversized_vm(snap, CATALOG, defaults.OversizedVm(lookback_days=20))
            if isinstance(x, Recommendation)] == []


def test_unknown_type_and_missing_region_price_skip():
    resources = [make_resource("i-unknown", type="m99.4xlarge"), make_resource("i-region", type="m5.4xlarge", region="mars-1"),
                 make_resource("i-notype", type="")]
    metrics = [make_series(r.id, "cpu", level(10)) for r in resources]
    recs, skips = run(oversized_vm, resources, metrics, defaults.OversizedVm())
    reasons = {s.resource_id: s.reason for s in skips}
    assert recs == []
    assert "'m99.4xlarge' is not in the aws price catalog" in reasons["i-unknown"]
    assert "no on_demand price for m5.4xlarge in region mars-1" in reasons["i-region"]
    assert "no instance type" in reasons["i-notype"]


def test_spot_priced_resources_compare_spot_prices():
    r = make_resource("i-1", type="m5.4xlarge", pricing_model="spot")
    recs, _ = run(oversized_vm, [r], [make_series("i-1", "cpu", level(15)), make_series("i-1", "memory", level(15))],
                  defaults.OversizedVm())
    spot = CATALOG.price("aws", "us-east-1", "m5.4xlarge", "spot").amount
    assert recs[0].monthly_cost_before == pytest.approx(spot * HOURS_PER_MONTH)


# --- properties ------------------------------------------------------------------------------

TYPES = ["m5.large", "m5.2xlarge", "m5.8xlarge", "c5.4xlarge", "r5.2xlarge", "m6i.4xlarge", "t3.large"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(type_=st.sampled_from(TYPES), cpu=st.floats(0, 100), mem=st.one_of(st.none(), st.floats(0, 100)),
       points=st.integers(0, POINTS), inference=st.booleans(), count=st.integers(1, 5))
def test_property_savings_never_negative_and_insufficient_data_gives_none(type_, cpu, mem, points, inference, count):
    r = make_resource("i-p", type=type_, count=count, workload="inference" if inference else "batch")
    metrics = [make_series("i-p", "cpu", level(cpu, n=points, jitter=min(cpu, 2.0)))] if points else []
    if mem is not None and points:
        metrics.append(make_series("i-p", "memory", level(mem, n=points, jitter=min(mem, 2.0))))
    recs, skips = run(oversized_vm, [r], metrics, defaults.OversizedVm())
    for rec in recs:
        assert 0 <= rec.savings_low <= rec.monthly_savings <= rec.savings_high
        assert rec.monthly_cost_after >= 0
        assert rec.monthly_savings == pytest.approx(rec.monthly_cost_before - rec.monthly_cost_after)
        spec = CATALOG.instance("aws", rec.proposed.type)
        assert spec.vcpu * spec.relative_speed >= 0  # exists in catalog
    if points * 300 / 3600 < 30:
        assert recs == [] and len(skips) == 1


# --- rightsizing.gpu ---------------------------------------------------------------------------

GPU_CASES = [
    # id, type, workload, gpu util peak, gpu memory peak, cpu peak (None = unmeasured), expected action, type
    ("train-nlp", "g5.2xlarge", "training", 25, 20, 20, "resize", "g5.xlarge"),
    ("four-to-one", "g5.12xlarge", "training", 15, 15, 10, "resize", "g5.2xlarge"),
    ("idle-gpu", "g5.12xlarge", "training", 1, 1, 10, "move_to_cpu", None),
    ("busy-p3", "p3.8xlarge", "training", 85, 70, 60, "resize", "g6e.12xlarge"),  # 4 x L40S: faster and cheaper
    ("big-model-memory", "g5.xlarge", "inference", 10, 90, 10, None, None),
    ("t4-on-gcp", "n1-standard-16+nvidia-tesla-t4:4", "batch", 10, 10, 10, "resize", None),
]


@pytest.mark.parametrize("rid,type_,workload,g,gm,cpu,action,expected", GPU_CASES, ids=[c[0] for c in GPU_CASES])
def test_gpu_cases(rid, type_, workload, g, gm, cpu, action, expected):
    provider, region = ("gcp", "us-central1") if "+" in type_ else ("aws", "us-east-1")
    r = make_resource(rid, type=type_, kind="gpu_vm", workload=workload, provider=provider, region=region)
    metrics = [make_series(rid, "gpu", level(g, jitter=min(g, 2))), make_series(rid, "gpu_memory", level(gm, jitter=min(gm, 2)))]
    if cpu is not None:
        metrics += [make_series(rid, "cpu", level(cpu)), make_series(rid, "memory", level(cpu))]
    rec = only(*run(gpu, [r], metrics, defaults.Gpu()))
    if action is None:
        assert rec is None
        return
    assert rec.action == action
    cur = CATALOG.instance(provider, type_)
    new = CATALOG.instance(provider, rec.proposed.type)
    if expected:
        assert rec.proposed.type == expected
    if action == "resize":
        assert new.gpu_count >= 1
        need_per = cur.gpu_memory_gib * gm / 100 * 1.2
        assert new.gpu_memory_gib >= need_per
        assert new.gpu_count * new.gpu_tflops >= cur.gpu_count * cur.gpu_tflops * g / 100
    else:
        assert new.gpu_count == 0 and rec.performance_risk >= 2
    assert rec.monthly_savings > 0 and rec.savings_low <= rec.monthly_savings <= rec.savings_high
    assert rec.evidence.facts["gpu_memory_max"] == pytest.approx(level(gm, jitter=min(gm, 2)).max())


def test_gpu_without_gpu_metrics_is_skipped_with_reason():
    r = make_resource("g-1", type="g5.2xlarge", kind="gpu_vm")
    recs, skips = run(gpu, [r], [make_series("g-1", "cpu", level(10))], defaults.Gpu())
    assert recs == [] and "no gpu metric" in skips[0].reason and "DCGM" in skips[0].reason
    recs, skips = run(gpu, [r], [make_series("g-1", "gpu", level(10))], defaults.Gpu())
    assert recs == [] and "no gpu_memory metric" in skips[0].reason


def test_cpu_rule_ignores_gpu_types_and_gpu_rule_ignores_cpu_types():
    resources = [make_resource("g-1", type="g5.2xlarge", kind="gpu_vm"), make_resource("c-1", type="m5.4xlarge")]
    metrics = [make_series(x, m, level(5)) for x in ("g-1", "c-1") for m in ("cpu", "memory", "gpu", "gpu_memory")]
    recs, _ = run(oversized_vm, resources, metrics, defaults.OversizedVm())
    assert [x.resource_id for x in recs] == ["c-1"]
    recs, _ = run(gpu, resources, metrics, defaults.Gpu())
    assert [x.resource_id for x in recs] == ["g-1"]


def test_many_resources_one_pass():
    resources, metrics = [], []
    for i in range(300):
        rid = f"i-{i}"
        resources.append(make_resource(rid, type=["m5.4xlarge", "c5.2xlarge", "r5.xlarge"][i % 3]))
        metrics.append(make_series(rid, "cpu", level(5 + i % 60, seed=i)))
    recs, skips = run(oversized_vm, resources, metrics, defaults.OversizedVm())
    assert skips == [] and 0 < len(recs) < 300
    assert len({r.id for r in recs}) == len(recs)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(type_=st.sampled_from(["g4dn.2xlarge", "g5.12xlarge", "p3.8xlarge", "g5.2xlarge"]), g=st.floats(0, 100),
       gm=st.floats(0, 100), points=st.integers(0, 2 * 360), inference=st.booleans())
def test_property_gpu_savings_non_negative_and_needs_data(type_, g, gm, points, inference):
    r = make_resource("g-p", type=type_, kind="gpu_vm", workload="inference" if inference else "training")
    metrics = [make_series("g-p", "gpu", level(g, n=points, jitter=min(g, 2))),
               make_series("g-p", "gpu_memory", level(gm, n=points, jitter=min(gm, 2)))] if points else []
    recs, skips = run(gpu, [r], metrics, defaults.Gpu())
    for rec in recs:
        assert 0 <= rec.savings_low <= rec.monthly_savings <= rec.savings_high
        new = CATALOG.instance("aws", rec.proposed.type)
        if rec.action == "resize":
            assert new.gpu_memory_gib >= CATALOG.instance("aws", type_).gpu_memory_gib * level(gm, n=points, jitter=min(gm, 2)).max() / 100
    if points * 300 / 3600 < 30:
        assert recs == [] and len(skips) == 1
