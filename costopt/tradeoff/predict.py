"""Predicted response-time quantiles before and after a compute change (type, count, variant).

The model is G/G/c (:mod:`ggc`): arrivals at the peak-hour rate, a service time with mean S
(latency at low load) and coefficient of variation cs (the workload's ``service_cv`` in
config, else fitted from two latency statistics at low load, else the cautious default
1.0), and c = instances x workers per instance. A change of type or variant scales S
(:mod:`capacity`: a measured profile, else the hardware table); a change of count changes c.

**Goodness of fit, not a multiplier.** The model's prediction for today's set-up in the busy
hours is compared with what was observed there, statistic for statistic (the request p95
with the model's p95, and the p99 with the model's p99 when observed; an Average with the
model's mean only when no percentile was published). ``fit_statistic`` names it, e.g.
"p95 (CloudWatch extended statistic)" or "Average". When observed / model falls
outside ``fit_range`` (about [0.8, 1.25]) the verdict is unknown: the model does not describe
the fleet, so it cannot vouch for a change. Inside, the predictions stand unscaled.

**Load.** Requests per second when request metrics exist; else the peak CPU/GPU utilisation
read as rho (``lambda = rho c / S``). When both exist and disagree by more than
``load_disagreement`` (3x) the reasons say so and the higher load is used.

**Autoscaling** is evaluated hour by hour: the count of hour h is the one the policy chose
for the load of hour h - lag (``ceil(lambda S / (workers x target))`` clamped to [min, max],
the rule's ``scale_out_lag_hours``), judged against hour h's load; the worst hour counts.
Utilisation >= 1 is an unbounded queue: a breach. A fleet whose target percentile was
observed above the target in the busy hours is judged from that observation: a change that
does not lower the prediction is a breach, whatever the model says of today.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from costopt.tradeoff.accuracy import Check
from costopt.tradeoff.capacity import Hardware, ServiceScale, missing_figures, service_scale
from costopt.tradeoff.ggc import ServiceTime, mean_response, response_quantile
from costopt.tradeoff.load import Observed, percentile_of, stat_label, stats_label
from costopt.tradeoff.params import TradeoffParams
from costopt.tradeoff.targets import Model, ModelVariant, Workload


@dataclass(frozen=True, slots=True)
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


def service_time(mean: float, cv: float) -> ServiceTime:
    """Constant for cv 0, exponential for cv 1 (M/M/c), lognormal otherwise."""
    return ServiceTime(mean, cv, "exponential" if cv == 1.0 else "lognormal")


def _quantile(lam: float, st: ServiceTime, servers: int, q: float, ca: float) -> float:
    if servers < 1:
        return math.inf
    return response_quantile(max(lam, 0.0), st.mean, st.cv, st.shape, int(servers), q, ca)


def _mean(lam: float, st: ServiceTime, servers: int, ca: float) -> float:
    if servers < 1:
        return math.inf
    return mean_response(max(lam, 0.0), st.mean, st.cv, st.shape, int(servers), ca)


def _load(obs: Observed, before: Setup, c0: int, service: float,
          params: TradeoffParams) -> tuple[float, str, str | None]:
    """Arrival rate per ms, its basis, and a note when requests and utilisation disagree."""
    util = obs.peak_gpu if before.hardware.has_gpu else obs.peak_cpu
    kind = "gpu utilisation" if before.hardware.has_gpu else "cpu utilisation"
    from_util = None if util is None else float(util) * c0 / service
    if obs.peak_rps is None:
        return float(from_util or 0.0), kind, None
    from_req = obs.peak_rps / 1000.0
    if from_util is None or from_util <= 0 or from_req <= 0:
        return from_req, "requests", None
    factor = max(from_util, from_req) / min(from_util, from_req)
    if factor <= params.load_disagreement:
        return from_req, "requests", None
    higher = "requests" if from_req >= from_util else kind
    note = (f"request-based load ({from_req * 1000:,.1f} req/s, utilisation {from_req * service / c0:.2f}) and "
            f"{kind} (p99 {util:.2f}) disagree {factor:.0f}x; using the higher ({higher})")
    return max(from_req, from_util), higher, note


def _fit_statistics(obs: Observed, primary: float) -> list[str]:
    """The busy-hour statistics the model is checked against: the target's percentile (else
    the highest observed), p99 too when observed; "Average" only without percentiles."""
    percentiles = {k: percentile_of(k) or 0.0 for k in obs.busy_latency_ms if k != "Average"}
    if not percentiles:
        return ["Average"]
    first = qname(primary) if qname(primary) in percentiles else max(percentiles, key=lambda k: percentiles[k])
    return [first] + (["p99"] if "p99" in percentiles and first != "p99" else [])


def _fit(obs: Observed, scale: float, c0: int, st: ServiceTime, ca: float, primary: float,
         params: TradeoffParams) -> tuple[dict[str, Any], Check | None]:
    """Observed / model in the busy hours, statistic for statistic; a check when one does not fit."""
    if not obs.busy_latency_ms or obs.busy_rps is None:
        return {"fit_ratio": None, "fit_statistic": None}, None
    lam = obs.busy_rps / 1000.0 * scale
    impacts: dict[str, Any] = {}
    ratios: dict[str, float] = {}
    for stat in _fit_statistics(obs, primary):
        q = percentile_of(stat)
        model = _quantile(lam, st, c0, q, ca) if q is not None else _mean(lam, st, c0, ca)
        observed = obs.busy_latency_ms[stat]
        label = stat_label(stat, obs.provider)
        if not impacts:
            impacts = {"fit_statistic": label, "fit_observed_ms": observed,
                       "fit_model_ms": model if math.isfinite(model) else None, "fit_ratio": None}
        if not math.isfinite(model) or model <= 0:
            return impacts, Check("unknown", (
                f"the latency model does not fit what is observed: it puts today's busy hours at utilisation >= 1 "
                f"while {label} {_fmt(observed)} was observed"))
        ratios[stat] = observed / model
        if len(ratios) == 1:
            impacts["fit_ratio"] = ratios[stat]
        lo, hi = params.fit_range
        if not lo <= ratios[stat] <= hi:
            impacts["fit_ratios"] = dict(ratios)
            return impacts, Check("unknown", (
                f"the latency model does not fit what is observed (ratio {ratios[stat]:.2f}): busy-hour {label} "
                f"{_fmt(observed)} observed vs {_fmt(model)} modelled; check workers_per_instance, service_cv and "
                f"that the latency metric is per request"))
    impacts["fit_ratios"] = ratios
    return impacts, None


def _observed_breach(obs: Observed, primary: float, target: float | None, before_ms: float,
                     after_ms: float | None) -> Check | None:
    """A breach when the target's percentile was observed above the target in the busy hours
    and the change does not bring the prediction down: the fleet is judged from its p95."""
    observed = obs.busy_latency_ms.get(qname(primary))
    if target is None or observed is None or observed <= target:
        return None
    if after_ms is not None and after_ms < before_ms:
        return None
    label = stat_label(qname(primary), obs.provider)
    return Check("breach", f"busy-hour {label} was {_fmt(observed)}, already above the {_fmt(target)} target, "
                           f"and this change does not lower it")


def _lagged_counts(obs: Observed, need: np.ndarray, lag: int) -> np.ndarray:
    """The count running in each hour: the one chosen for the load of ``lag`` hours before."""
    if lag <= 0 or obs.hour_starts.size != need.size:
        return need
    position = {int(h): i for i, h in enumerate(obs.hour_starts.tolist())}
    earlier = [position.get(int(h) - lag * 3600) for h in obs.hour_starts.tolist()]
    return np.array([need[j] if j is not None else need[i] for i, j in enumerate(earlier)], dtype=np.int64)


def _autoscaled_worst(obs: Observed, peak: float, scale: float, st: ServiceTime, workers: int, setup: Setup,
                      q: float, ca: float, lag: int, params: TradeoffParams) -> tuple[float, float]:
    """Worst hourly quantile (ms) and its utilisation under the proposed scaling range."""
    lam_h = obs.hourly_requests / 3600.0 / 1000.0 * scale if obs.hourly_requests.size else np.array([peak])
    lo = max(setup.min_count or 0, 1)
    hi = max(setup.max_count or lo, lo)
    target = setup.target_utilization or params.autoscaling_target_utilization
    need = np.clip(np.ceil(lam_h * st.mean / (workers * target)), lo, hi).astype(np.int64)
    counts = _lagged_counts(obs, need, lag) if obs.hourly_requests.size else need
    worst, worst_rho = _quantile(0.0, st, workers, q, ca), 0.0
    for n in np.unique(counts[lam_h > 0]).tolist():  # per count, only its busiest hour matters
        lam = float(lam_h[(counts == n) & (lam_h > 0)].max())
        value = _quantile(lam, st, int(n) * workers, q, ca)
        if value > worst or (math.isinf(value) and worst_rho < lam * st.mean / (int(n) * workers)):
            worst, worst_rho = value, lam * st.mean / (int(n) * workers)
    return worst, worst_rho


def _service_cv(obs: Observed, workload: Workload, params: TradeoffParams) -> tuple[float, str]:
    if workload.service_cv is not None:
        return workload.service_cv, "config"
    if obs.service_cv is not None:
        return obs.service_cv, f"fitted ({obs.service_basis})"
    return params.service_cv, "default (cautious)"


def _hardware_evidence(scale: ServiceScale, before: Setup, after: Setup) -> tuple[dict[str, Any], Check | None]:
    """Impacts and a reason saying what the service-time change rests on."""
    hw = scale.hardware
    if scale.basis == "measured":
        return {"latency_basis_detail": scale.note}, Check("ok", f"service time from a {scale.note}")
    if hw is None or scale.basis == "same-hardware":
        return {}, None
    impacts: dict[str, Any] = {"hardware_bound": hw.bound, "hardware_sources": tuple(d.citation for d in hw.devices)}
    if hw.compute is not None:
        impacts["hardware_compute_ratio"], impacts["hardware_memory_ratio"] = hw.compute, hw.memory
    where = f"{before.hardware.type} -> {after.hardware.type}"
    if hw.devices:
        text = f"service time {where} estimated from the hardware table ({hw.cites}): x{scale.factor:.2f}, {hw.bound}"
    else:
        text = f"service time {where} estimated from catalog relative speeds: x{scale.factor:.2f}"
    if scale.basis == "estimate-cross-hardware":
        text += "; GPU/CPU moves are coarse: measure a profile to confirm"
    else:
        text += "; measure a profile to confirm"
    return impacts, Check("ok", text)


def predict_latency(obs: Observed | None, workload: Workload, before: Setup, after: Setup,
                    params: TradeoffParams, lag_hours: int | None = None,
                    model: Model | None = None) -> tuple[dict[str, Any], list[Check]]:
    """Impacts (quantiles before/after, utilisation, goodness of fit) and latency checks."""
    impacts: dict[str, Any] = {}
    if obs is not None and obs.notes:
        impacts["observation_notes"] = tuple(obs.notes)
    target_q = dict(workload.latency_targets_ms)
    quantiles = sorted(set(target_q) | {0.95})
    primary = workload.latency_quantile or 0.95
    impacts["latency_quantile"] = qname(primary)
    impacts["latency_target_ms"] = workload.latency_target_ms
    checks = [] if target_q else [Check("unknown", f"workload {workload.name} declares no latency target")]
    service = obs.service_ms if obs is not None and obs.service_ms else None
    if service is None and before.variant is not None and before.variant.latency_ms:
        service = before.variant.latency_ms
        impacts["service_time_basis"] = "config"
    util = None if obs is None else (obs.peak_gpu if before.hardware.has_gpu else obs.peak_cpu)
    if obs is None or (obs.peak_rps is None and util is None):
        return impacts, checks + [Check("unknown", "no request or utilisation metrics to predict latency from")]
    if service is None:
        return impacts, checks + [Check("unknown", "no latency metrics (or latency_ms in config) to estimate service time")]
    scale = service_scale(before.hardware, after.hardware, before.variant, after.variant, workload, params,
                          model, service)
    if scale is None:
        return impacts, checks + [Check("unknown", (
            f"{missing_figures(before.hardware, after.hardware)}; add a measured profile "
            f"([models.{model.name if model is not None else 'NAME'}.profiles.\"{after.hardware.type}\"] p50_ms)"))]
    c0 = before.count * scale.workers_before
    if c0 < 1:
        return impacts, checks + [Check("unknown", "the current setup has no serving capacity")]
    lam, basis, disagreement = _load(obs, before, c0, service, params)
    load_scale = lam / (obs.peak_rps / 1000.0) if obs.peak_rps else 1.0
    cv, cv_basis = _service_cv(obs, workload, params)
    st0 = service_time(service, cv)
    st1 = st0.scaled(scale.factor)
    ca = params.arrival_cv
    impacts.update({
        "peak_rps": lam * 1000.0, "load_basis": basis, "service_ms_before": service, "service_ms_after": st1.mean,
        "service_cv": cv, "service_cv_basis": cv_basis, "servers_before": c0, "latency_basis": scale.basis,
        "latency_stat": stats_label(obs.latency_stat.split(","), obs.provider) if obs.latency_stat else None,
        "latency_model": "G/G/c (Erlang C, Allen-Cunneen)",
    })
    if obs.service_basis and "service_time_basis" not in impacts:
        impacts["service_time_basis"] = obs.service_basis
    if disagreement:
        impacts["load_note"] = disagreement
        checks.append(Check("ok", disagreement))
    rho0 = lam * service / c0
    impacts["utilization_before"] = rho0
    if not (rho0 < 1.0 and c0 / service - lam > 0.0):
        return impacts, checks + [Check("unknown", (
            f"latency model does not fit: utilisation {rho0:.2f} >= 1 at the observed peak "
            f"({lam * 1000:,.1f} req/s) with {c0} workers; set workers_per_instance for {workload.name}"))]
    fit, misfit = _fit(obs, load_scale, c0, st0, ca, primary, params)
    impacts.update(fit)
    if misfit is not None:
        return impacts, checks + [misfit]
    for q in quantiles:
        impacts[f"{qname(q)}_ms_before"] = _quantile(lam, st0, c0, q, ca)
    autoscaled = after.min_count is not None or after.max_count is not None
    lag = params.scale_out_lag_hours if lag_hours is None else lag_hours
    if autoscaled:
        impacts["servers_after_min"] = (after.min_count or 0) * scale.workers_after
        impacts["servers_after"] = (after.max_count or after.count) * scale.workers_after
        impacts["scale_out_lag_hours"] = lag
    else:
        impacts["servers_after"] = after.count * scale.workers_after
    for q in quantiles:
        if autoscaled:
            raw, rho_after = _autoscaled_worst(obs, lam, load_scale, st1, scale.workers_after, after, q, ca, lag, params)
        else:
            c1 = after.count * scale.workers_after
            raw = _quantile(lam, st1, c1, q, ca)
            rho_after = lam * st1.mean / c1 if c1 >= 1 else math.inf
        value = raw if math.isfinite(raw) else None
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
                f"utilisation {rho_after:.2f} >= 1 at the peak ({lam * 1000:,.1f} req/s): the queue grows "
                f"without bound ({name} target {_fmt(target)})")))
        elif value > target:
            checks.append(Check("breach", f"{name} would rise from {_fmt(before_ms)} to {_fmt(value)}, above the {_fmt(target)} target"))
        else:
            checks.append(Check("ok", f"{name} {_fmt(before_ms)} -> {_fmt(value)}, within the {_fmt(target)} target"))
    primary_after = impacts.get(f"{qname(primary)}_ms_after")
    observed = _observed_breach(obs, primary, target_q.get(primary), impacts[f"{qname(primary)}_ms_before"],
                                primary_after)
    if observed is not None:
        impacts[f"{qname(primary)}_ms_observed"] = obs.busy_latency_ms[qname(primary)]
        checks.append(observed)
    if workload.latency_target_ms is not None:
        impacts["headroom_ms_before"] = workload.latency_target_ms - impacts[f"{qname(primary)}_ms_before"]
        impacts["headroom_ms_after"] = None if primary_after is None else workload.latency_target_ms - primary_after
    evidence, reason = _hardware_evidence(scale, before, after)
    impacts.update(evidence)
    if reason is not None:
        checks.append(reason)
    return impacts, checks
