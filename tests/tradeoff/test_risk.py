"""performance_risk 0-4 per candidate from predicted headroom and evidence (not a rule constant)."""

from __future__ import annotations

import numpy as np

from costopt.config import Settings
from costopt.tradeoff.assess import assess
from tests.conftest import make_resource
from tests.tradeoff import estate
from tests.tradeoff.estate import FRAUD, fraud_estate


def expected_base(impacts):
    """Compute Optimizer's 0 (always enough) .. 4 scale from the share of the target left."""
    share = (impacts.latency_target_ms - impacts.p95_ms_after) / impacts.latency_target_ms
    return 0 if share >= 0.5 else 1 if share >= 0.3 else 2 if share >= 0.15 else 3


def test_risk_follows_each_candidates_headroom_not_its_rule():
    res, _, snap = fraud_estate(high=150.0)
    # one rule, four counts: the same rule's candidates get different risks
    cands = [estate.candidate(res, "rightsizing.endpoint_count", f"run {n}", {"count": n}, 100.0 * (4 - n) + 1,
                              performance_risk=2) for n in (4, 3, 2, 1)]
    out = {r.action: r for r in assess(cands, snap, Settings(**FRAUD), estate.catalog())}
    risks = [out[f"run {n}"].performance_risk for n in (4, 3, 2, 1)]
    assert risks == sorted(risks) and len(set(risks)) >= 3, risks
    for n in (4, 3):
        rec = out[f"run {n}"]
        assert rec.slo.status == "ok" and rec.performance_risk == expected_base(rec.impacts)
    assert out["run 1"].slo.status == "breach" and out["run 1"].performance_risk == 4


def test_unverifiable_na_and_cross_hardware():
    res, _, snap = fraud_estate()
    vol = make_resource("vol-1", kind="volume", type="gp3", attributes={"attached": False})
    models = {"fraud-detector": {**FRAUD["models"]["fraud-detector"], "variants": {
        **FRAUD["models"]["fraud-detector"]["variants"], "int8": {"relative_compute": 0.35}}}}
    cands = [estate.candidate(res, "model.cheaper_variant", "int8", {"variant": "int8"}, 300.0, performance_risk=1),
             estate.candidate(vol, "idle.unattached_volume", "delete", {"state": "deleted"}, 20.0, performance_risk=2)]
    out = {r.action: r for r in assess(cands, estate.snapshot([res, vol], snap.metrics),
                                       Settings(workloads=FRAUD["workloads"], models=models), estate.catalog())}
    assert out["int8"].slo.status == "unknown" and out["int8"].performance_risk == 3
    assert out["delete"].slo.status == "n/a" and out["delete"].performance_risk == 0

    rps = estate.diurnal_rps(high=40.0)
    fleet, metrics = estate.serving("search-embed", "c5.4xlarge", 6, rps, np.full(rps.size, 20.0))
    settings = Settings(workloads={"search-embed": {"resources": ["search-embed"], "latency_p95_ms": 400}})
    gpu = estate.candidate(fleet, "rightsizing.oversized_vm", "g5", {"type": "g5.2xlarge", "count": 6}, 10.0,
                           confidence="high")
    rec = assess([gpu], estate.snapshot([fleet], metrics), settings, estate.catalog())[0]
    assert rec.slo.status == "ok" and rec.impacts.latency_basis == "estimate-cross-hardware"
    assert rec.performance_risk == min(4, expected_base(rec.impacts) + 2)  # GPU/CPU estimate: +2
    assert rec.confidence == "low" and "(+2)" in rec.impacts.performance_risk_basis
