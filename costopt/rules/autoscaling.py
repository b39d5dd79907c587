"""Autoscaling rules: fixed fleets with a load cycle, scale-to-zero endpoints, off-hours schedules.

All three read (resources x hours) matrices over the window's hour grid — requests per hour,
hourly maxima of cpu/gpu utilisation, hours with any metric — built once for all resources
by :mod:`costopt.rules.hourly` and processed with array operations; the Python loop is over
resources only to emit recommendations. Instance-hours are priced at the resource's own
hourly cost or the catalog's on-demand price.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from costopt.evidence import Evidence
from costopt.model import HOURS_PER_MONTH, Recommendation, Skip, Snapshot, recommendation_id
from costopt.records import Current, Impacts, Proposal
from costopt.rules import defaults, scaling_apply
from costopt.rules.base import rule
from costopt.rules.hourly import (
    hour_grid,
    hour_matrix,
    instance_price,
    is_autoscaled,
    pooled_rows,
    presence_matrix,
    rolling_max,
    row_quantiles,
)

DAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")


@rule("autoscaling.fixed_capacity", params=defaults.FixedCapacity, needs=("inventory", "metrics"))
def fixed_capacity(snapshot: Snapshot, catalog: Any, params: defaults.FixedCapacity) -> Iterable[Recommendation | Skip]:
    """A fixed-size endpoint or group whose load has a daily/weekly cycle: let it scale.

    Why: a fleet sized for the daily peak idles through every night and weekend. How: from
    hourly requests, the instances needed in hour h are ceil(requests_h / (capacity per
    instance x ``target_utilization``)), at least ``min_instances`` (without a request
    metric, e.g. an ASG: ceil(count x utilisation_h / target), as target tracking on cpu
    would do; a group without metrics of its own uses the mean of its members' hourly
    maxima, ``attributes["instance_ids"]``). An hour with other metrics but no requests point had no requests. Capacity per instance
    is ``attributes["capacity_per_instance"]`` (requests/hour) when given, else the observed
    peak requests per instance divided by the utilisation at that peak (p99 of hourly max
    cpu/gpu; ``assumed_peak_utilization`` when no utilisation metric). Hours without data
    count as peak hours. Needs a load cycle (p95/p5 of hourly requests at least
    ``min_peak_trough_ratio``) and ``min_hour_coverage`` of the window. Savings: the
    instance-hours above the needed curve; the low end keeps instances
    ``scale_out_lag_hours`` after each peak. Example config::

        [rules."autoscaling.fixed_capacity"]
        target_utilization = 0.5
        min_instances = 1
    """
    rid = "autoscaling.fixed_capacity"
    fleet = [r for r in snapshot.resources if r.kind in params.kinds and r.count > params.min_instances
             and not is_autoscaled(r)]
    if not fleet:
        return
    start_h, n_hours = hour_grid(snapshot)
    rows = {r.id: i for i, r in enumerate(fleet)}
    member_rows: dict[str, list[int]] = {}
    for r in fleet:
        ids = [str(i) for i in r.attributes.get("instance_ids") or ()]
        member_rows[r.id] = [rows.setdefault(i, len(rows)) for i in ids]
    req = hour_matrix(snapshot.metrics, ("requests",), rows, start_h, n_hours, "sum")
    util = hour_matrix(snapshot.metrics, ("cpu", "gpu"), rows, start_h, n_hours, "max", valid=(0.0, 100.0))
    seen = presence_matrix(snapshot.metrics, rows, start_h, n_hours)
    n = len(fleet)
    req, seen = req[:n], seen[:n]
    own_util = util[:n].copy()
    for i, r in enumerate(fleet):
        if np.isnan(own_util[i]).all() and member_rows[r.id]:
            pooled = pooled_rows(util, member_rows[r.id], r.count)
            if pooled is not None:
                own_util[i] = pooled
    has_req = ~np.isnan(req).all(axis=1)
    load = np.where(has_req[:, None], np.where(np.isnan(req) & seen, 0.0, req), own_util)
    observed = (~np.isnan(load)).sum(axis=1)
    counts = np.array([r.count for r in fleet], dtype=float)
    p95, p5, peak = row_quantiles(load, (0.95, 0.05, 1.0))
    peak_util = row_quantiles(own_util, (0.99,))[0] / 100.0
    attr_cap = np.array([float(r.attributes.get("capacity_per_instance") or 0.0) for r in fleet])
    util_ok = np.isfinite(peak_util) & (peak_util > 0)
    capacity = np.where(~has_req, 100.0 / counts,
                        np.where(attr_cap > 0, attr_cap,
                                 np.where(util_ok, peak / counts / np.maximum(np.nan_to_num(peak_util), 0.05),
                                          peak / counts / params.assumed_peak_utilization)))
    source = np.where(~has_req, "cpu/gpu utilisation (no request metric)",
                      np.where(attr_cap > 0, "attributes.capacity_per_instance",
                               np.where(util_ok, "observed peak / p99 utilisation",
                                        "observed peak (no utilisation metric)")))
    with np.errstate(divide="ignore", invalid="ignore"):
        needed = np.maximum(np.ceil(load / (capacity[:, None] * params.target_utilization)), params.min_instances)
        peak_needed = np.nanmax(np.where(np.isnan(needed), -np.inf, needed), axis=1)
        full = np.where(np.isnan(needed), peak_needed[:, None], needed)  # unknown hours count as peak
        ratio = np.where(p5 > 0, p95 / np.where(p5 > 0, p5, 1.0), np.inf)
    full_mean = full.mean(axis=1) if n_hours else np.zeros(len(fleet))
    full_median = np.median(full, axis=1) if n_hours else np.zeros(len(fleet))
    lagged_mean = rolling_max(full, params.scale_out_lag_hours).mean(axis=1) if n_hours else full_mean
    no_load = ~has_req & np.isnan(own_util).all(axis=1)
    for i, r in enumerate(fleet):
        if no_load[i]:
            continue  # no load metrics: nothing to size from
        if observed[i] < params.min_hours or observed[i] / max(n_hours, 1) < params.min_hour_coverage:
            yield Skip(rid, r.id, f"load data in {observed[i]} of {n_hours} hours; need {params.min_hours} and "
                                  f"{params.min_hour_coverage:.0%} coverage")
            continue
        if ratio[i] < params.min_peak_trough_ratio or not capacity[i] > 0:
            continue
        price, price_source = instance_price(r, catalog)
        if price is None:
            yield Skip(rid, r.id, f"no hourly cost and no on-demand price for {r.type or r.kind} in {r.region}")
            continue
        before = r.count * price * HOURS_PER_MONTH
        after = float(full_mean[i]) * price * HOURS_PER_MONTH
        savings = before - after
        if savings < params.min_monthly_savings:
            continue
        hi = int(max(peak_needed[i], params.min_instances))
        unit = "requests" if has_req[i] else "utilisation"
        mean_needed = float(full_mean[i])
        yield Recommendation(
            id=recommendation_id(rid, r.id, "autoscale"), rule_id=rid, resource_id=r.id,
            action=f"autoscale {params.min_instances}-{hi} instances at {params.target_utilization:.0%} target",
            provider=r.provider, account=r.account, region=r.region, resource_kind=r.kind, resource_name=r.name,
            current=Current(type=r.type, count=r.count),
            proposed=Proposal(type=r.type, count_min=params.min_instances, count_max=hi, count_mean=mean_needed,
                              target_utilization=params.target_utilization,
                              scale_out_lag_hours=params.scale_out_lag_hours),
            monthly_cost_before=before, monthly_cost_after=after, monthly_savings=savings,
            savings_low=max(0.0, before - float(lagged_mean[i]) * price * HOURS_PER_MONTH), savings_high=savings,
            currency=r.currency, confidence="low" if str(source[i]).startswith("observed peak (") else "medium",
            performance_risk=2,
            evidence=Evidence(facts={"hours_observed": int(observed[i]), "load_metric": unit, f"{unit}_p95_per_hour": float(p95[i]),
                                     f"{unit}_p5_per_hour": float(p5[i]), "peak_trough_ratio": float(ratio[i]),
                                     "capacity_per_instance_per_hour": float(capacity[i]), "capacity_source": str(source[i]),
                                     "peak_utilization_p99": float(peak_util[i]) if np.isfinite(peak_util[i]) else None,
                                     "instances_needed_by_hour_p50": float(full_median[i])}, price_source=price_source),
            effort="medium", tags=dict(r.tags), workload=r.workload,
            rationale=(f"load swings {ratio[i]:.1f}x between trough and peak; {mean_needed:.1f} instances "
                       f"on average would do the work of {r.count}"),
            apply=scaling_apply.target_tracking(r, params.min_instances, hi, params.target_utilization),
            alternative_group=r.id,
        )


@rule("autoscaling.scale_to_zero", params=defaults.ScaleToZero, needs=("inventory", "metrics"))
def scale_to_zero(snapshot: Snapshot, catalog: Any, params: defaults.ScaleToZero) -> Iterable[Recommendation | Skip]:
    """An endpoint used only a few hours a week: serverless inference or scale to zero.

    Why: an always-on endpoint that serves a handful of hours pays for every idle hour.
    How: hours with any request / observed hours at most ``max_active_hour_fraction`` (and
    some traffic: endpoints with none are the idle rule's). After the change one instance
    runs only in active hours plus ``warm_hours_per_active_hour`` (it stays warm after
    traffic); requests after a quiet spell wait a cold start (``cold_start_s``, carried in
    impacts with the expected number of cold starts, so the trade-off can check the SLO).
    GPU endpoints cannot use SageMaker Serverless: they scale an inference component to 0.
    Example config::

        [rules."autoscaling.scale_to_zero"]
        cold_start_s = 180
        max_active_hour_fraction = 0.05
    """
    rid = "autoscaling.scale_to_zero"
    eps = [r for r in snapshot.resources if r.kind in params.kinds and r.count > 0]  # count 0: serverless already
    if not eps:
        return
    start_h, n_hours = hour_grid(snapshot)
    rows = {r.id: i for i, r in enumerate(eps)}
    req = hour_matrix(snapshot.metrics, ("requests",), rows, start_h, n_hours, "sum")
    seen = presence_matrix(snapshot.metrics, rows, start_h, n_hours)
    has_req = ~np.isnan(req).all(axis=1)
    observed = (seen | ~np.isnan(req)).sum(axis=1)  # hours without a requests point had none
    active = np.nan_to_num(req) > 0
    active_hours = active.sum(axis=1)
    total = np.nansum(req, axis=1)
    cold = (active & ~np.concatenate([np.zeros((len(eps), 1), dtype=bool), active[:, :-1]], axis=1)).sum(axis=1)
    for i, r in enumerate(eps):
        if not has_req[i]:
            continue
        if observed[i] < params.min_hours:
            yield Skip(rid, r.id, f"only {observed[i]} hours of request data; {params.min_hours} needed")
            continue
        if total[i] <= 0 or active_hours[i] / observed[i] > params.max_active_hour_fraction:
            continue
        price, source = instance_price(r, catalog)
        if price is None:
            yield Skip(rid, r.id, f"no hourly cost and no on-demand price for {r.type} in {r.region}")
            continue
        obs, act = float(observed[i]), float(active_hours[i])
        run_hours = min(obs, act * (1.0 + params.warm_hours_per_active_hour))
        before = r.count * price * HOURS_PER_MONTH
        after = run_hours / obs * price * HOURS_PER_MONTH
        savings = before - after
        if savings < params.min_monthly_savings:
            continue
        spec = catalog.instance(r.provider, r.type) if catalog is not None and r.type else None
        gpu = bool(spec and spec.gpu_count) or int(r.specs.get("gpu_count", 0) or 0) > 0
        how = "scale the inference component to 0 instances when idle" if gpu else "move to serverless inference"
        apply = scaling_apply.scale_to_zero(r, gpu)
        yield Recommendation(
            id=recommendation_id(rid, r.id, "scale-to-zero"), rule_id=rid, resource_id=r.id,
            action=how, provider=r.provider, account=r.account, region=r.region, resource_kind=r.kind,
            resource_name=r.name, current=Current(type=r.type, count=r.count),
            proposed=Proposal(type=r.type, count_min=0, count_max=1, serverless=not gpu),
            monthly_cost_before=before, monthly_cost_after=after, monthly_savings=savings,
            savings_low=max(0.0, before - min(obs, act * (2.0 + params.warm_hours_per_active_hour))
                            / obs * price * HOURS_PER_MONTH),
            savings_high=before - act / obs * price * HOURS_PER_MONTH, currency=r.currency,
            confidence="medium", performance_risk=3 if gpu else 2,
            evidence=Evidence(facts={"hours_observed": int(obs), "active_hours": int(act), "requests": float(total[i])},
                              price_source=source),
            impacts=Impacts(cold_start_s=params.cold_start_s, cold_starts_per_month=float(cold[i]) * HOURS_PER_MONTH / obs,
                            cold_start_request_share=float(cold[i]) / float(total[i])),
            effort="medium", tags=dict(r.tags), workload=r.workload,
            rationale=f"traffic in {int(act)} of {int(obs)} hours ({total[i]:,.0f} requests); idle the rest",
            apply=apply, alternative_group=r.id,
        )


def _schedule(on_slots: np.ndarray) -> tuple[str, str, np.ndarray]:
    """A weekday on-window (and weekends on or off) covering every busy hour-of-week slot.

    ``on_slots`` is a boolean array of 168 hour-of-week slots (Monday 00:00 UTC = 0).
    Returns (start cron, stop cron, boolean mask of scheduled-on slots).
    """
    by_hour = on_slots.reshape(7, 24)
    weekday_busy = by_hour[:5].any(axis=0)
    weekend_busy = by_hour[5:].any()
    hours = np.flatnonzero(weekday_busy | (by_hour[5:].any(axis=0) if weekend_busy else False))
    mask = np.zeros((7, 24), dtype=bool)
    if hours.size == 0:
        return "", "", mask.ravel()
    first, last = int(hours.min()), int(hours.max()) + 1
    days = 7 if weekend_busy else 5
    mask[:days, first:last] = True
    span = f"{DAYS[0]}-{DAYS[days - 1]}"
    return f"cron(0 {first} ? * {span} *)", f"cron(0 {last % 24} ? * {span} *)", mask.ravel()


@rule("autoscaling.off_hours", params=defaults.OffHours, needs=("inventory", "metrics"))
def off_hours(snapshot: Snapshot, catalog: Any, params: defaults.OffHours) -> Iterable[Recommendation | Skip]:
    """Notebooks and dev instances idle at night and at weekends: stop them on a schedule.

    Why: a GPU notebook used in office hours runs ~120 of 168 hours a week for nothing.
    How: the hourly maximum of cpu/gpu utilisation is busy above ``idle_threshold``; each
    hour of the week (UTC) that was ever busy must stay on, and a schedule is built from
    them: one weekday window from the first to the last busy hour, weekends off unless a
    weekend hour was busy. It is proposed when it stops at least
    ``min_off_hours_per_week`` hours and at most ``max_busy_share_in_off_hours`` of busy
    hours fall outside it. Needs ``min_weeks`` of data. Example config::

        [rules."autoscaling.off_hours"]
        idle_threshold = 5.0
        workloads = ["notebook", "dev", "batch"]
    """
    rid = "autoscaling.off_hours"
    cands = [r for r in snapshot.resources
             if (r.workload in params.workloads or (r.tag("costopt:workload") or "") in params.workloads
                 or r.kind in params.kinds) and r.pricing_model not in ("spot",)]
    if not cands:
        return
    start_h, n_hours = hour_grid(snapshot)
    rows = {r.id: i for i, r in enumerate(cands)}
    util = hour_matrix(snapshot.metrics, params.metrics, rows, start_h, n_hours, "max", valid=(0.0, 100.0))
    observed = (~np.isnan(util)).sum(axis=1)
    busy = np.nan_to_num(util, nan=-1.0) > params.idle_threshold
    # hour of week of each grid column, Monday 00:00 UTC = 0 (the epoch began on a Thursday: +72 h)
    slot = (np.arange(start_h, start_h + n_hours) + 72) % 168
    onehot = np.zeros((n_hours, 168))
    onehot[np.arange(n_hours), slot] = 1.0
    on_slots = (busy.astype(float) @ onehot) > 0
    for i, r in enumerate(cands):
        if observed[i] == 0:
            continue
        if observed[i] < params.min_weeks * 168:
            yield Skip(rid, r.id, f"{observed[i]} hours of utilisation data; {params.min_weeks * 168:.0f} needed")
            continue
        price, source = instance_price(r, catalog)
        if price is None:
            yield Skip(rid, r.id, f"no hourly cost and no on-demand price for {r.type} in {r.region}")
            continue
        start, stop, mask = _schedule(on_slots[i])
        off_per_week = int((~mask).sum())
        if off_per_week < params.min_off_hours_per_week or not start:
            continue
        n_busy = int(busy[i].sum())
        busy_outside = int((busy[i] & ~mask[slot]).sum())
        if n_busy and busy_outside / n_busy > params.max_busy_share_in_off_hours:
            continue
        before = r.count * price * HOURS_PER_MONTH
        savings = before * off_per_week / 168.0
        if savings < params.min_monthly_savings:
            continue
        apply = scaling_apply.office_hours(r, start, stop)
        yield Recommendation(
            id=recommendation_id(rid, r.id, "schedule"), rule_id=rid, resource_id=r.id,
            action=f"stop outside {start} .. {stop} (UTC)", provider=r.provider, account=r.account,
            region=r.region, resource_kind=r.kind, resource_name=r.name, current=Current(type=r.type, hours_per_week=168),
            proposed=Proposal(type=r.type, hours_per_week=168 - off_per_week, start=start, stop=stop),
            monthly_cost_before=before, monthly_cost_after=before - savings, monthly_savings=savings,
            savings_low=max(0.0, savings - busy_outside / observed[i] * HOURS_PER_MONTH * price * r.count),
            savings_high=savings, currency=r.currency,
            confidence="high" if observed[i] >= 2 * 168 else "medium", performance_risk=1,
            evidence=Evidence(facts={"hours_observed": int(observed[i]), "busy_hours": n_busy,
                                     "idle_threshold": params.idle_threshold, "off_hours_per_week": off_per_week},
                              busy_hours_outside=busy_outside, price_source=source),
            impacts=Impacts(unavailable_hours_per_week=off_per_week, start_delay_s=120),
            effort="low", tags=dict(r.tags), workload=r.workload,
            rationale=f"busy only inside {168 - off_per_week} of 168 weekly hours; stopped {off_per_week} h a week",
            apply=apply, alternative_group=r.id,
        )
