"""Predicted response-time quantiles before and after a compute change (type, count, variant).

The model (see :mod:`latency`): arrivals at the peak-hour rate, mean service time S (the
latency at low load), c = instances x workers per instance. A change of type or variant
scales S (:mod:`capacity`); a change of count changes c; an autoscaling policy is evaluated
hour by hour with the count it would run (``ceil(lambda_h S / (workers x target_util))``
clamped to [min, max]) and the worst hour counts. The model's quantile for today's setup is
compared with the observed busy-hour quantile, and that ratio (the calibration) multiplies
the prediction after the change. Utilisation >= 1 is an unbounded queue: a breach.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from costopt.tradeoff.accuracy import Check
from costopt.tradeoff.capacity import Hardware, service_scale
from costopt.tradeoff.latency import MMc, response_quantile
from costopt.tradeoff.load import Observed
from costopt.tradeoff.params import TradeoffParams
from costopt.tradeoff.targets import ModelVariant, Workload


@dataclass(frozen=True)
class Setup:
    """One way of running a workload's resource: hardware, instance count, variant, scaling."""

    hardware: Hardware
    count: int
    variant: ModelVariant | None = None
    min_count: int | None = None  # autoscaling range (None = fixed count)
    max_count: int | None = None
    target_utilization: float | None = None  # the scaling policy's target (None = the default)


def qname(q: float) -> str:
    return "p" + f"{q * 100:g}"


def _fmt(ms: float | None) -> str:
    return "unbounded" if ms is None else f"{ms:,.0f} ms" if ms >= 10 else f"{ms:.1f} ms"


def _quantile(lam: float, service: float, servers: int, q: float) -> float:
    if lam <= 0:
        return response_quantile(0.0, service, max(servers, 1), q)
    if servers < 1:
        return math.inf
    return response_quantile(lam, service, servers, q)


def _autoscaled_worst(obs: Observed, peak: float, service: float, workers: int, setup: Setup, q: float,
                      params: TradeoffParams) -> tuple[float, float]:
    """Worst hourly quantile (ms) and its utilisation under the proposed scaling range."""
    lam_h = obs.hourly_requests / 3600.0 / 1000.0 if obs.hourly_requests.size else np.array([peak])  # per ms
    busy = lam_h[lam_h > 0]
    if busy.size == 0:
        return _quantile(0.0, service, workers, q), 0.0
    lo = max(setup.min_count or 0, 1)
    hi = max(setup.max_count or lo, lo)
    target = setup.target_utilization or params.autoscaling_target_utilization
    need = np.ceil(busy * service / (workers * target)).astype(np.int64)
    counts = np.clip(need, lo, hi)
    worst, worst_rho = 0.0, 0.0
    for lam, n in set(zip(np.round(busy, 12).tolist(), counts.tolist())):
        value = _quantile(lam, service, int(n) * workers, q)
        if value > worst:
            worst, worst_rho = value, lam * service / (int(n) * workers)
    return worst, worst_rho


def predict_latency(obs: Observed | None, workload: Workload, before: Setup, after: Setup,
                    params: TradeoffParams) -> tuple[dict[str, Any], list[Check]]:
    """Impacts (quantiles before/after, utilisation, calibration) and latency checks."""
    impacts: dict[str, Any] = {}
    if obs is not None and obs.notes:
        impacts["observation_notes"] = list(obs.notes)
    target_q = dict(workload.latency_targets_ms)
    quantiles = sorted(set(target_q) | {0.95})
    primary = workload.latency_quantile or 0.95
    impacts["latency_quantile"] = qname(primary)
    impacts["latency_target_ms"] = workload.latency_target_ms
    if not target_q:
        checks = [Check("unknown", f"workload {workload.name} declares no latency target")]
    else:
        checks = []
    service = obs.service_ms if obs is not None and obs.service_ms else None
    if service is None and before.variant is not None and before.variant.latency_ms:
        service = before.variant.latency_ms
        impacts["service_time_basis"] = "config"
    util = None
    if obs is not None and obs.peak_rps is None:
        util = obs.peak_gpu if before.hardware.has_gpu else obs.peak_cpu
    if obs is None or (obs.peak_rps is None and util is None):
        return impacts, checks + [Check("unknown", "no request or utilisation metrics to predict latency from")]
    if service is None:
        return impacts, checks + [Check("unknown", "no latency metrics (or latency_ms in config) to estimate service time")]
    scale = service_scale(before.hardware, after.hardware, before.variant, after.variant, workload, params)
    if scale is None:
        return impacts, checks + [Check("unknown", f"no hardware figures to compare {before.hardware.type} with {after.hardware.type}")]
    c0 = before.count * scale.workers_before
    if c0 < 1:
        return impacts, checks + [Check("unknown", "the current setup has no serving capacity")]
    if obs.peak_rps is not None:
        lam = obs.peak_rps / 1000.0  # per ms
        impacts["load_basis"] = "requests"
    else:  # utilisation is rho: lambda = rho c / S
        lam = float(util) * c0 / service
        impacts["load_basis"] = "gpu utilisation" if before.hardware.has_gpu else "cpu utilisation"
    service_after = service * scale.factor
    impacts.update({
        "peak_rps": lam * 1000.0, "service_ms_before": service, "service_ms_after": service_after,
        "servers_before": c0, "latency_basis": scale.basis, "latency_stat": obs.latency_stat or None,
    })
    now = MMc(lam, service, c0)
    impacts["utilization_before"] = now.rho
    if not now.stable:
        return impacts, checks + [Check("unknown", (
            f"latency model does not fit: utilisation {now.rho:.2f} >= 1 at the observed peak "
            f"({obs.peak_rps:,.1f} req/s) with {c0} workers; set workers_per_instance for {workload.name}"))]
    ratios: dict[float, float | None] = {}
    for q in quantiles:
        model_now = _quantile(lam, service, c0, q)
        observed = obs.busy_latency_ms.get(q)
        ratio = None
        if observed is not None and model_now > 0:
            lo, hi = params.calibration_range
            raw = observed / model_now
            ratio = min(max(raw, lo), hi)
            if raw != ratio:
                impacts["calibration_note"] = f"observed/model ratio {raw:.2f} clamped to {ratio:.2f}"
        ratios[q] = ratio
        impacts[f"{qname(q)}_ms_before"] = observed if observed is not None else model_now
    impacts["calibration_ratio"] = ratios.get(primary)
    impacts["calibrated"] = ratios.get(primary) is not None
    autoscaled = after.min_count is not None or after.max_count is not None
    if autoscaled:
        impacts["servers_after_min"] = (after.min_count or 0) * scale.workers_after
        impacts["servers_after"] = (after.max_count or after.count) * scale.workers_after
    else:
        impacts["servers_after"] = after.count * scale.workers_after
    for q in quantiles:
        if autoscaled:
            raw_after, rho_after = _autoscaled_worst(obs, lam, service_after, scale.workers_after, after, q, params)
        else:
            c1 = after.count * scale.workers_after
            raw_after = _quantile(lam, service_after, c1, q)
            rho_after = lam * service_after / c1 if c1 >= 1 else math.inf
        value = None if not math.isfinite(raw_after) else raw_after * (ratios[q] or 1.0)
        impacts[f"{qname(q)}_ms_after"] = value
        if q == primary:
            impacts["utilization_after"] = rho_after if math.isfinite(rho_after) else None
        target = target_q.get(q)
        if target is None:
            continue
        name = qname(q)
        before_ms = impacts[f"{name}_ms_before"]
        if value is None:
            checks.append(Check("breach", (
                f"utilisation {rho_after:.2f} >= 1 at the peak ({obs.peak_rps:,.1f} req/s): the queue grows "
                f"without bound ({name} target {_fmt(target)})")))
        elif value > target:
            checks.append(Check("breach", f"{name} would rise from {_fmt(before_ms)} to {_fmt(value)}, above the {_fmt(target)} target"))
        else:
            checks.append(Check("ok", f"{name} {_fmt(before_ms)} -> {_fmt(value)}, within the {_fmt(target)} target"))
    primary_after = impacts.get(f"{qname(primary)}_ms_after")
    if workload.latency_target_ms is not None:
        impacts["headroom_ms_before"] = workload.latency_target_ms - impacts[f"{qname(primary)}_ms_before"]
        impacts["headroom_ms_after"] = None if primary_after is None else workload.latency_target_ms - primary_after
    if scale.basis == "estimate-cross-hardware":
        checks.append(Check("ok", "GPU/CPU speed ratio estimated from catalog figures; measure throughput_rps to confirm"))
    return impacts, checks
