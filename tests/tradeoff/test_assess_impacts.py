"""assess(): predicted latency, accuracy, interruptions, storage and cold-start impacts."""

from __future__ import annotations

import math

import numpy as np
import pytest

from costopt.config import Settings
from costopt.evidence import Evidence
from costopt.model import SloVerdict
from costopt.records import Impacts
from costopt.rules.engine import run_rules
from costopt.tradeoff.assess import assess
from costopt.tradeoff.latency import MMc
from costopt.tradeoff.load import observe
from costopt.tradeoff.params import DEFAULT_PARAMS
from costopt.tradeoff.selection import select
from tests.conftest import make_resource, make_series
from tests.tradeoff import estate
from tests.tradeoff.estate import FRAUD, fraud_estate


def by_action(recs):
    return {r.action: r for r in recs}


def test_fewer_instances_ok_until_the_queue_saturates():
    res, _, snap = fraud_estate()
    cands = [estate.candidate(res, "rightsizing.endpoint_count", "run 3", {"count": 3}, 500.0),
             estate.candidate(res, "rightsizing.endpoint_count", "run 2", {"count": 2}, 1000.0)]
    out = by_action(assess(cands, snap, Settings(**FRAUD), estate.catalog()))
    three, two = out["run 3"], out["run 2"]
    assert three.slo.status == "ok", three.slo.reasons
    assert three.impacts.p95_ms_after > three.impacts.p95_ms_before
    assert three.impacts.p95_ms_after <= 80
    assert "within the 80 ms target" in three.slo.reasons[0]
    assert two.slo.status == "breach"  # 2 x 10 ms workers at ~199 req/s: utilisation ~1
    assert two.impacts.utilization_after > 0.98 and two.impacts.p95_ms_after > 10 * 80
    assert "above the 80 ms target" in two.slo.reasons[0]
    for rec in (three, two):
        assert rec.impacts.latency_target_ms == 80 and rec.impacts.workload == "fraud-detector"


def test_prediction_is_the_unscaled_model_checked_for_fit():
    # (replaces a test of the old calibration multiplier, which issue 13 removes)
    res, metrics, snap = fraud_estate()
    cand = estate.candidate(res, "rightsizing.endpoint_count", "run 3", {"count": 3}, 500.0)
    rec = assess([cand], snap, Settings(**FRAUD), estate.catalog())[0]
    obs = observe(metrics, ["fraud-detector"], DEFAULT_PARAMS)["fraud-detector"]
    hourly = np.asarray(obs.hourly_requests)
    assert rec.impacts.peak_rps == pytest.approx(np.quantile(hourly, 0.99) / 3600)
    # the estate's latency is an M/M/c queue with 10 ms service: read at low load, ~10 ms
    s = rec.impacts.service_ms_before
    assert s == pytest.approx(estate.FRAUD_SERVICE_MS, rel=0.02)
    assert rec.impacts.service_cv == 1.0 and rec.impacts.service_cv_basis == "default (cautious)"
    lam = rec.impacts.peak_rps / 1000.0
    # no statistic but Average: the fit compares busy-hour means (busy = top 10 % of hours)
    busy = hourly >= np.quantile(hourly, 0.9)
    model_mean = estate.mmc_mean_response(np.array([hourly[busy].mean() / 3600]), 4, s)[0]
    assert rec.impacts.fit_statistic == "Average"
    assert rec.impacts.fit_ratio == pytest.approx(rec.impacts.fit_observed_ms / model_mean, rel=1e-3)
    assert 0.95 < rec.impacts.fit_ratio < 1.05
    # M/M/c (cv 1, Poisson) predictions, unscaled
    assert rec.impacts.p95_ms_before == pytest.approx(MMc(lam, s, 4).response_quantile(0.95), rel=2e-3)
    assert rec.impacts.p95_ms_after == pytest.approx(MMc(lam, s, 3).response_quantile(0.95), rel=2e-3)
    assert rec.impacts.utilization_after == pytest.approx(lam * s / 3)


def _busy_hours_slower(metrics, factor):
    """The estate's metrics with latency in the busiest hours multiplied by ``factor``."""
    rps = estate.diurnal_rps(high=200.0)
    out = []
    for m in metrics:
        if m.metric == "latency_ms":
            m = make_series("fraud-detector", "latency_ms", np.where(rps > 180, m.values * factor, m.values),
                            unit="Milliseconds", stat="Average")
        out.append(m)
    return out


def test_a_model_that_does_not_fit_the_busy_hours_is_unknown_and_a_fit_is_not_scaled():
    res, metrics, snap = fraud_estate()
    cand = estate.candidate(res, "rightsizing.endpoint_count", "run 3", {"count": 3}, 500.0)
    base = assess([cand], snap, Settings(**FRAUD), estate.catalog())[0]
    slower = assess([cand], estate.snapshot([res], _busy_hours_slower(metrics, 1.15)), Settings(**FRAUD),
                    estate.catalog())[0]
    assert slower.impacts.fit_ratio == pytest.approx(1.15 * base.impacts.fit_ratio, rel=0.03)
    assert slower.slo.status == "ok"
    # inside [0.8, 1.25] the model's predictions stand: not multiplied by the ratio
    assert slower.impacts.p95_ms_after == pytest.approx(base.impacts.p95_ms_after, rel=1e-6)
    misfit = assess([cand], estate.snapshot([res], _busy_hours_slower(metrics, 1.6)), Settings(**FRAUD),
                    estate.catalog())[0]
    assert misfit.slo.status == "unknown"
    assert misfit.slo.reasons[0].startswith("the latency model does not fit what is observed (ratio 1.6")
    assert misfit.impacts.p95_ms_after is None and not misfit.impacts.predicts_latency


def test_smaller_cpu_box_keeps_request_time_and_has_fewer_servers():
    # (replaces a test that asserted the old wrong scaling: half the vCPUs = twice the latency)
    rps = estate.diurnal_rps(high=40.0)
    lat = np.full(rps.size, 20.0)
    res, metrics = estate.serving("search-embed", "c5.4xlarge", 6, rps, lat, kind="autoscaling_group", hourly_cost=6 * 0.68)
    settings = Settings(workloads={"search-embed": {"resources": ["search-embed"], "latency_p95_ms": 120}})
    cand = estate.candidate(res, "rightsizing.oversized_vm", "c5.2xlarge", {"type": "c5.2xlarge"}, 1000.0)
    gpu = estate.candidate(res, "rightsizing.oversized_vm", "g5.2xlarge", {"type": "g5.2xlarge", "count": 1}, 10.0)
    out = by_action(assess([cand, gpu], estate.snapshot([res], metrics), settings, estate.catalog()))
    rec = out["c5.2xlarge"]
    # same cores (Skylake-SP): a request takes as long; 8 vCPUs = 4 cores = 4 workers instead of 8
    assert rec.impacts.service_ms_after == pytest.approx(rec.impacts.service_ms_before)
    assert rec.impacts.servers_before == 6 * 8 and rec.impacts.servers_after == 6 * 4
    assert rec.impacts.latency_basis == "same-hardware"
    cross = out["g5.2xlarge"]
    assert cross.impacts.latency_basis == "estimate-cross-hardware"
    assert any("estimated from the hardware table" in r for r in cross.slo.reasons)


def test_measured_profile_wins_over_catalog_ratio():
    res, _, snap = fraud_estate()
    settings = Settings(workloads=FRAUD["workloads"], models={"fraud-detector": {"variants": {
        "fp32": {"accuracy": 0.962, "relative_compute": 1.0, "throughput_rps": {"ml.g4dn.xlarge": 100}},
        "fp16": {"accuracy": 0.961, "relative_compute": 0.55, "throughput_rps": {"ml.g5.xlarge": 400}}}}})
    cand = estate.candidate(res, "model.cheaper_variant", "fp16 on g5", {"type": "ml.g5.xlarge", "variant": "fp16"}, 10.0)
    rec = assess([cand], snap, settings, estate.catalog())[0]
    assert rec.impacts.latency_basis == "measured"
    assert rec.impacts.service_ms_after == pytest.approx(rec.impacts.service_ms_before / 4)


def test_accuracy_floor_decides_variant_switches():
    res, _, snap = fraud_estate()
    cands = [estate.candidate(res, "model.cheaper_variant", "fp16", {"variant": "fp16", "count": 3}, 500.0),
             estate.candidate(res, "model.cheaper_variant", "int8", {"variant": "int8", "count": 2}, 1000.0)]
    out = by_action(assess(cands, snap, Settings(**FRAUD), estate.catalog()))
    fp16, int8 = out["fp16"], out["int8"]
    assert fp16.slo.status == "ok"
    assert fp16.impacts.accuracy_before == 0.962 and fp16.impacts.accuracy_after == 0.961
    assert int8.slo.status == "breach"
    assert int8.impacts.accuracy_delta == pytest.approx(-0.014)
    assert int8.impacts.accuracy_floor == 0.955
    assert "below the floor 0.955" in int8.slo.reasons[0]
    # int8 needs 0.35x compute: 2 instances keep latency fine, only accuracy fails
    assert int8.impacts.p95_ms_after <= 80


def test_spot_interruptions_and_wall_time():
    res = make_resource("train-nlp", kind="gpu_vm", type="g5.2xlarge", tags={"costopt:workload": "training"})
    inf = make_resource("fraud-detector", kind="endpoint", type="ml.g4dn.xlarge", count=4)
    settings = Settings(workloads={"nlp": {"kind": "training", "resources": ["train-nlp"], "interruptible": True,
                                           "checkpoint_interval_min": 20, "restart_overhead_min": 4},
                                   **FRAUD["workloads"]}, models=FRAUD["models"])
    cands = [estate.candidate(res, "spot.training", "use spot", {"pricing_model": "spot"}, 400.0),
             estate.candidate(inf, "spot.inference", "use spot", {"pricing_model": "spot"}, 900.0)]
    out = assess(cands, estate.snapshot([res, inf], []), settings, estate.catalog())
    train, serve = [r for r in out if r.family == "spot"]
    assert train.slo.status == "ok"
    assert train.impacts.interruption_rate_per_hour == 0.02 and train.impacts.interruption_rate_source == "catalog"
    assert train.impacts.added_wall_time_pct == pytest.approx(0.02 * (10 + 4) / 60 * 100)
    assert serve.slo.status == "breach" and "not interruptible" in serve.slo.reasons[0]


def test_storage_tier_for_a_training_dataset():
    bucket = make_resource("ml-datasets-123", kind="bucket", type="", hourly_cost=None)
    settings = Settings(workloads={"vision": {"kind": "training", "datasets": ["ml-datasets-*"], "interruptible": True}})
    cands = [estate.candidate(bucket, "storage.tiering", "to DEEP_ARCHIVE", {"storage_class": "DEEP_ARCHIVE"}, 800.0),
             estate.candidate(bucket, "storage.tiering", "to STANDARD_IA", {"storage_class": "STANDARD_IA"}, 300.0,
                              evidence=Evidence(read_gb_month=2000.0))]
    out = by_action(assess(cands, estate.snapshot([bucket], []), settings, estate.catalog()))
    deep, ia = out["to DEEP_ARCHIVE"], out["to STANDARD_IA"]
    assert deep.slo.status == "breach" and "restored" in deep.slo.reasons[0]
    assert deep.impacts.first_byte_ms_after == 12 * 3600 * 1000.0
    assert ia.slo.status == "ok"
    assert ia.impacts.retrieval_cost_month == pytest.approx(2000.0 * 0.01)
    assert ia.impacts.read_by == ("vision",)


def test_scale_to_zero_cold_start_against_the_target():
    # traffic only a few hours a day, so many requests arrive after idle hours
    hours = 14 * 24
    rph = np.where(np.arange(hours) % 24 == 9, 10.0, 0.0)  # 10 requests at 09:00, idle otherwise
    res = make_resource("rare-ep", kind="endpoint", type="ml.g4dn.xlarge", count=1, name="rare-ep")
    metrics = [make_series("rare-ep", "requests", rph, period_s=3600, unit="Count", stat="Sum")]
    strict_target = Settings(workloads={"rare": {"resources": ["rare-ep"], "latency_p95_ms": 500}})
    no_target = Settings(workloads={"rare": {"kind": "dev", "resources": ["rare-ep"], "cold_start_s": 40}})
    cand = estate.candidate(res, "autoscaling.scale_to_zero", "scale to zero", {"count_min": 0, "count_max": 1}, 400.0)
    snap = estate.snapshot([res], metrics)
    breach = assess([cand], snap, strict_target, estate.catalog())[0]
    assert breach.slo.status == "breach"
    assert breach.impacts.cold_start_s == DEFAULT_PARAMS.cold_start_s
    # each day's first request meets a cold start: 14 of 140 requests, above the 5 % p95 tail
    assert breach.impacts.cold_start_request_share == pytest.approx(14 / 140)
    assert any("cold start" in r and "10.0%" in r for r in breach.slo.reasons)
    unknown = assess([cand], snap, no_target, estate.catalog())[0]
    assert unknown.slo.status == "unknown" and unknown.impacts.cold_start_s == 40


def test_scale_to_zero_is_read_from_the_proposal_not_from_the_rule_id_or_action_text():
    res, _, snap = fraud_estate()
    worded = estate.candidate(res, "autoscaling.scale_to_zero", "leave serverless: scale to zero at night",
                              {"type": res.type, "count_min": 1, "count_max": 6, "scale_out_lag_hours": 0}, 600.0)
    silent = estate.candidate(res, "autoscaling.fixed_capacity", "autoscale 0-6",
                              {"type": res.type, "count_min": 0, "count_max": 6, "scale_out_lag_hours": 0}, 650.0)
    out = by_action(assess([worded, silent], snap, Settings(**FRAUD), estate.catalog()))
    assert out["leave serverless: scale to zero at night"].impacts.cold_start_s is None
    assert out["autoscale 0-6"].impacts.cold_start_s == DEFAULT_PARAMS.cold_start_s


def test_model_that_does_not_fit_is_unknown_not_ok():
    # 4 workers at 200 req/s with 30 ms latency at low load would be 1.5x overloaded: the
    # model cannot describe today's fleet, so it must not claim anything
    rps = estate.diurnal_rps(high=200.0)
    res, metrics = estate.serving("fraud-detector", "ml.g4dn.xlarge", 4, rps, np.full(rps.size, 30.0))
    cand = estate.candidate(res, "rightsizing.endpoint_count", "run 3", {"count": 3}, 500.0)
    rec = assess([cand], estate.snapshot([res], metrics), Settings(**FRAUD), estate.catalog())[0]
    assert rec.slo.status == "unknown"
    assert "workers_per_instance" in rec.slo.reasons[0]
    # telling it each instance runs 4 workers makes the model fit
    fixed = Settings(workloads={"fraud-detector": {**FRAUD["workloads"]["fraud-detector"], "workers_per_instance": 4}},
                     models=FRAUD["models"])
    rec2 = assess([cand], estate.snapshot([res], metrics), fixed, estate.catalog())[0]
    assert rec2.impacts.servers_before == 16 and rec2.impacts.fit_ratio == pytest.approx(1.0, abs=0.05)
    # with exponential service (the cautious default) the p95 of a 30 ms service alone is
    # 30 ms x ln(20) = 89.9 ms: above the 80 ms target whatever the queue, so the cut breaches
    assert rec2.slo.status == "breach"
    assert rec2.impacts.p95_ms_after >= 30.0 * math.log(20) - 0.5


def test_no_metrics_means_unknown_and_untargeted_candidates_are_untouched():
    res = make_resource("fraud-detector", kind="endpoint", type="ml.g4dn.xlarge", count=4)
    other = make_resource("vol-1", kind="volume", type="gp2")
    cands = [estate.candidate(res, "rightsizing.endpoint_count", "run 3", {"count": 3}, 500.0),
             estate.candidate(other, "idle.unattached_volume", "delete", {"count": 0}, 20.0),
             estate.candidate(res, "commitments.savings_plan", "commit", {}, 50.0)]
    out = by_action(assess(cands, estate.snapshot([res, other], []), Settings(**FRAUD), estate.catalog()))
    assert out["run 3"].slo.status == "unknown" and "no request or utilisation metrics" in " ".join(out["run 3"].slo.reasons)
    assert "no request metrics" in out["run 3"].impacts.observation_notes
    assert out["delete"].slo == SloVerdict() and out["delete"].impacts == Impacts()
    assert out["commit"].slo.status == "ok"


def test_autoscaling_uses_the_count_each_hour_needs():
    res, _, snap = fraud_estate()
    no_lag = {"scale_out_lag_hours": 0}
    tight = estate.candidate(res, "autoscaling.endpoint", "1-2", {"count_min": 1, "count_max": 2, **no_lag}, 700.0)
    roomy = estate.candidate(res, "autoscaling.endpoint", "1-6", {"count_min": 1, "count_max": 6, **no_lag}, 600.0)
    out = by_action(assess([tight, roomy], snap, Settings(**FRAUD), estate.catalog()))
    assert out["1-2"].slo.status == "breach"  # capped at 2 at the peak: saturated
    assert out["1-6"].slo.status == "ok"
    assert (out["1-6"].impacts.servers_after_min, out["1-6"].impacts.servers_after) == (1, 6)
    assert math.isfinite(out["1-6"].impacts.p95_ms_after)


def test_autoscaling_judges_each_hour_with_the_count_chosen_lag_hours_before():
    res, metrics, snap = fraud_estate()
    lagged = estate.candidate(res, "autoscaling.fixed_capacity", "1-6",
                              {"count_min": 1, "count_max": 6, "scale_out_lag_hours": 1}, 600.0)  # the rule's policy
    rec = assess([lagged], snap, Settings(**FRAUD), estate.catalog())[0]
    assert rec.impacts.scale_out_lag_hours == 1
    # independent bookkeeping: hour h runs the count sized for hour h-1's load at 70 % target
    rph = np.asarray(observe(metrics, ["fraud-detector"], DEFAULT_PARAMS)["fraud-detector"].hourly_requests)
    lam = rph / 3600.0 / 1000.0
    s = rec.impacts.service_ms_after
    need = np.clip(np.ceil(lam * s / 0.7), 1, 6)
    rho = lam[1:] * s / need[:-1]
    assert rec.impacts.utilization_after == pytest.approx(rho.max())
    assert rho.max() > 0.85  # on the morning ramp last hour's count runs hot
    assert rec.slo.status == "breach" and "above the 80 ms target" in rec.slo.reasons[0]


def test_model_variant_candidates_come_from_the_rules_and_are_judged():
    res, _, snap = fraud_estate()
    settings = Settings(**FRAUD)
    proposed = run_rules(snap, estate.catalog(), settings, only=["model.cheaper_variant"]).candidates
    assert assess([], snap, settings, estate.catalog()) == []  # assess judges; it adds no candidates
    out = assess(proposed, snap, settings, estate.catalog())
    variants = {r.proposed.variant: r for r in out if r.rule_id == "model.cheaper_variant"}
    assert {"fp16", "int8"} <= set(variants)
    assert variants["int8"].slo.status == "breach"
    assert variants["fp16"].slo.status == "ok"


def test_shapes_the_other_rule_families_emit():
    res, _, snap = fraud_estate()
    cands = [
        # idle.* : proposed state
        estate.candidate(res, "idle.endpoint_no_invocations", "delete endpoint", {"state": "deleted", "keeps": "config"}, 2000.0),
        # autoscaling.* : count_min / count_max
        estate.candidate(res, "autoscaling.fixed_capacity", "autoscale 1-6",
                         {"type": res.type, "count_min": 1, "count_max": 6, "scale_out_lag_hours": 0}, 600.0),
        # off-hours schedule with traffic outside it
        estate.candidate(res, "autoscaling.off_hours", "stop at night", {"type": res.type, "hours_per_week": 60},
                         900.0, evidence=Evidence(busy_hours_outside=40)),
        # spot with an on-demand base
        estate.candidate(res, "spot.interruptible_workload", "spot 2 of 4",
                         {"type": res.type, "count": 4, "pricing_model": "spot", "spot_count": 2, "on_demand_base": 2},
                         700.0, impacts=Impacts.of({"interruption_rate_per_hour": 0.001})),
        estate.candidate(res, "spot.interruptible_workload", "spot 1 of 4",
                         {"type": res.type, "count": 4, "pricing_model": "spot", "spot_count": 1, "on_demand_base": 3},
                         350.0, impacts=Impacts.of({"interruption_rate_per_hour": 0.001})),
    ]
    out = by_action(assess(cands, snap, Settings(**FRAUD), estate.catalog()))
    assert out["delete endpoint"].slo.status == "breach" and "removes capacity" in out["delete endpoint"].slo.reasons[0]
    assert out["autoscale 1-6"].slo.status == "ok" and out["autoscale 1-6"].impacts.servers_after == 6
    assert out["stop at night"].slo.status == "breach" and "outside the proposed schedule" in out["stop at night"].slo.reasons[0]
    two = out["spot 2 of 4"]
    assert two.slo.status == "breach" and "reclaimed" in two.slo.reasons[0]
    assert two.impacts.interruption_rate_per_hour == 0.001 and two.impacts.interruption_rate_source == "rule"
    three = out["spot 1 of 4"]
    assert three.slo.status == "ok" and "on-demand base of 3" in three.slo.reasons[0]
    assert three.impacts.if_spot_reclaimed.p95_ms_after <= 80


def test_latency_statistics_maximum_ignored_average_is_the_mean_percentiles_fit_the_spread():
    rps = estate.diurnal_rps(high=100.0)
    res, metrics = estate.serving("fraud-detector", "ml.g4dn.xlarge", 4, rps, np.full(rps.size, 20.0))
    maxima = make_series("fraud-detector", "latency_ms", np.full(rps.size, 500.0), unit="Milliseconds", stat="Maximum")
    obs = observe([*metrics, maxima], ["fraud-detector"], DEFAULT_PARAMS)["fraud-detector"]
    assert obs.latency_stat == "Average" and obs.service_ms == 20.0 and obs.service_cv is None
    assert obs.busy_latency_ms == {"Average": 20.0}
    # request percentiles of a lognormal service time (mean 20 ms, cv 0.3), from samples
    samples = np.random.default_rng(1).lognormal(np.log(20.0) - np.log1p(0.09) / 2, np.sqrt(np.log1p(0.09)), 400_000)
    p50, p95 = np.percentile(samples, [50, 95])
    pct = [make_series("fraud-detector", "latency_ms", np.full(rps.size, v), unit="Milliseconds", stat=st)
           for st, v in (("p50", p50), ("p95", p95))]
    obs = observe([*metrics[:1], maxima, *pct], ["fraud-detector"], DEFAULT_PARAMS)["fraud-detector"]
    assert obs.latency_stat == "p50,p95" and obs.service_basis == "p50 and p95 at low load"
    assert obs.service_ms == pytest.approx(20.0, rel=0.01) and obs.service_cv == pytest.approx(0.3, rel=0.03)
    assert obs.busy_latency_ms["p95"] == pytest.approx(p95)


def test_group_members_pool_into_the_group_and_load_from_utilisation():
    ids = [f"i-{k}" for k in range(4)]
    group = make_resource("asg-search", kind="autoscaling_group", type="c5.4xlarge", count=4, name="search-embed",
                          attributes={"instance_ids": ids})
    members = [make_resource(i, type="c5.4xlarge", name="search-embed") for i in ids]
    cpu = [make_series(i, "cpu", np.full(2000, 30.0)) for i in ids]  # rho = 0.3 per instance
    settings = Settings(workloads={"search-embed": {"resources": ["search-embed"], "latency_p95_ms": 120}},
                        models={"search-embed": {"variants": {"fp32": {"accuracy": 0.91, "latency_ms": 20.0}}}})
    cand = estate.candidate(members[0], "rightsizing.oversized_vm", "resize", {"type": "c5.2xlarge", "count": 1}, 250.0)
    stop = estate.candidate(members[1], "idle.instance", "stop", {"state": "stopped"}, 400.0)
    out = by_action(assess([cand, stop], estate.snapshot([group, *members], cpu), settings, estate.catalog()))
    resize = out["resize"]
    assert resize.impacts.load_basis == "cpu utilisation"
    # priced as one member, predicted as one member: its share (1/4) of the group's load
    assert resize.impacts.evaluated_for.startswith("member i-0 of group search-embed (1/4")
    # c5.4xlarge = 16 vCPUs = 8 cores = 8 workers; c5.2xlarge = 4 (one per core by default)
    assert resize.impacts.servers_before == 8 and resize.impacts.servers_after == 4
    assert resize.impacts.utilization_before == pytest.approx(0.3)
    assert resize.impacts.peak_rps == pytest.approx(0.3 * 8 * 4 / 20.0 * 1000 / 4)
    # half the cores, each as fast: same service time, half the servers, twice the utilisation
    assert resize.impacts.service_ms_after == pytest.approx(20.0)
    assert resize.impacts.utilization_after == pytest.approx(0.6)
    assert resize.impacts.fit_ratio is None  # no latency observed: nothing to check the model against
    # stopping one of four: three carry the group's load
    assert out["stop"].impacts.servers_after == 3 * 8
    assert out["stop"].impacts.utilization_after == pytest.approx(0.4)


def test_a_workload_at_full_cpu_with_a_latency_target_does_not_crash_the_audit():
    vm = make_resource("api-1", kind="vm", type="c5.4xlarge", name="api")
    cpu = [make_series("api-1", "cpu", np.full(2000, 100.0))]
    settings = Settings(workloads={"api": {"resources": ["api-1"], "latency_p95_ms": 50}},
                        models={"api": {"variants": {"fp32": {"accuracy": 0.9, "latency_ms": 20.0}}}})
    cands = [estate.candidate(vm, "rightsizing.oversized_vm", "smaller", {"type": "c5.2xlarge"}, 100.0),
             estate.candidate(vm, "rightsizing.oversized_vm", "same", {"type": "c5.4xlarge", "count": 1}, 1.0)]
    out = by_action(assess(cands, estate.snapshot([vm], cpu), settings, estate.catalog()))
    for rec in out.values():
        assert rec.slo.status == "unknown" and "utilisation 1.00 >= 1" in rec.slo.reasons[0]
        assert rec.impacts.peak_rps == pytest.approx(1.0 * 8 / 20.0 * 1000)  # 8 cores busy, 20 ms each


def test_request_and_utilisation_load_that_disagree_are_reported_and_the_higher_is_used():
    rps = estate.diurnal_rps(high=20.0)  # 20 req/s x 10 ms on 4 GPUs: utilisation 0.05
    res, metrics = estate.serving("fraud-detector", "ml.g4dn.xlarge", 4, rps, np.full(rps.size, 10.0))
    gpu = make_series("fraud-detector", "gpu", np.full(rps.size, 80.0))  # but the GPUs run at 80 %
    cand = estate.candidate(res, "rightsizing.endpoint_count", "run 3", {"count": 3}, 500.0)
    models = {"fraud-detector": {"current": "fp32", "variants": {"fp32": {"accuracy": 0.962, "latency_ms": 10.0}}}}
    settings = Settings(workloads=FRAUD["workloads"], models=models)  # service time from config
    requests = [m for m in metrics if m.metric == "requests"]
    rec = assess([cand], estate.snapshot([res], [*requests, gpu]), settings, estate.catalog())[0]
    assert rec.impacts.load_basis == "gpu utilisation"
    assert rec.impacts.utilization_before == pytest.approx(0.8)
    assert any("disagree 16x; using the higher (gpu utilisation)" in r for r in rec.slo.reasons)
    assert rec.impacts.utilization_after == pytest.approx(0.8 * 4 / 3)


def test_member_changes_compete_with_the_group():
    ids = ["i-1", "i-2"]
    group = make_resource("asg", kind="autoscaling_group", type="c5.4xlarge", count=2, name="search-embed",
                          attributes={"instance_ids": ids})
    members = [make_resource(i, type="c5.4xlarge", name="search-embed") for i in ids]
    settings = Settings(workloads={"search-embed": {"resources": ["search-embed"], "latency_p95_ms": 120}})
    cands = [estate.candidate(members[0], "rightsizing.oversized_vm", "resize i-1", {"type": "c5.2xlarge"}, 250.0),
             estate.candidate(group, "autoscaling.fixed_capacity", "autoscale", {"count_min": 1, "count_max": 2}, 300.0)]
    out = by_action(assess(cands, estate.snapshot([group, *members], []), settings, estate.catalog()))
    assert out["resize i-1"].alternative_group == "asg"
    # the group's own change and a member's resize are exclusive: one is selected, never both
    chosen = select(list(out.values()), "advisory")
    assert len(chosen.selected) == 1 and len(chosen.rejected) == 1
    assert chosen.selected[0].action == "autoscale"  # the larger saving of the two
