"""Autoscaling rules: fixed fleets with a load cycle, scale-to-zero endpoints, off-hours schedules.

All three read hourly profiles (requests per hour from :func:`costopt.metrics.hourly_profile`,
hourly maxima of cpu/gpu utilisation) over the whole window, vectorised with pandas, and
price instance-hours at the resource's own hourly cost or the catalog's on-demand price.
"""

from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np
import pandas as pd

from costopt.metrics import hourly_profile
from costopt.model import HOURS_PER_MONTH, Recommendation, Resource, Skip, Snapshot, recommendation_id
from costopt.rules import defaults
from costopt.rules.base import rule
from costopt.rules.hourly import (hourly_max, instance_price, is_autoscaled, metric_hours, pooled_members,
                                  window_hours)

DAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")


def _scaling_apply(r: Resource, lo: int, hi: int, target: float) -> str:
    name = r.name or r.id
    if r.provider == "gcp":
        return (f"gcloud compute instance-groups managed set-autoscaling {name} --region {r.region} "
                f"--min-num-replicas {lo} --max-num-replicas {hi} --target-cpu-utilization {target:.2f}")
    if r.provider == "azure":
        return (f"az monitor autoscale create --resource {r.id} --min-count {lo} --max-count {hi} --count {hi} "
                f"&& az monitor autoscale rule create ... --condition \"Percentage CPU > {target * 100:.0f} avg 5m\"")
    if r.kind == "endpoint":
        variant = r.attributes.get("variant", "AllTraffic")
        return (f"aws application-autoscaling register-scalable-target --service-namespace sagemaker --resource-id "
                f"endpoint/{name}/variant/{variant} --scalable-dimension sagemaker:variant:DesiredInstanceCount "
                f"--min-capacity {lo} --max-capacity {hi} && aws application-autoscaling put-scaling-policy "
                f"--policy-type TargetTrackingScaling ... (SageMakerVariantInvocationsPerInstance)")
    return (f"aws autoscaling update-auto-scaling-group --auto-scaling-group-name {name} --min-size {lo} "
            f"--max-size {hi} && aws autoscaling put-scaling-policy --auto-scaling-group-name {name} "
            f"--policy-type TargetTrackingScaling --target-tracking-configuration "
            f"'{{\"PredefinedMetricSpecification\":{{\"PredefinedMetricType\":\"ASGAverageCPUUtilization\"}},"
            f"\"TargetValue\":{target * 100:.0f}}}'")


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
    ids = {r.id for r in fleet}
    members = {r.id: [str(i) for i in r.attributes.get("instance_ids") or ()] for r in fleet}
    member_ids = {i for m in members.values() for i in m}
    req = hourly_profile([s for s in snapshot.metrics if s.resource_id in ids], "requests")
    util = hourly_max(snapshot, ("cpu", "gpu"), ids | member_ids)
    present = metric_hours(snapshot, ids)
    grid = window_hours(snapshot)
    req_by = {k: g for k, g in req.groupby("resource_id")}
    util_by = {k: g for k, g in util.groupby("resource_id")}
    for r in fleet:
        g, u = req_by.get(r.id), util_by.get(r.id)
        if u is None and members[r.id]:
            u = pooled_members(util_by, members[r.id], r.count)
        if g is None and u is None:
            continue  # no load metrics: nothing to size from
        known = pd.Series(True, index=np.unique(present.get(r.id, np.zeros(0, dtype=np.int64)))).reindex(
            grid, fill_value=False)
        util_h = u.set_index("hour")["value"].reindex(grid) if u is not None else pd.Series(np.nan, index=grid)
        if g is not None:
            load = g.set_index("hour")["value"].reindex(grid)
            load[known.to_numpy() & load.isna().to_numpy()] = 0.0  # metrics but no requests: a quiet hour
        else:
            load = util_h
        observed = int(load.notna().sum())
        if observed < params.min_hours or observed / grid.size < params.min_hour_coverage:
            yield Skip(rid, r.id, f"load data in {observed} of {grid.size} hours; need {params.min_hours} and "
                                  f"{params.min_hour_coverage:.0%} coverage")
            continue
        price, source = instance_price(r, catalog)
        if price is None:
            yield Skip(rid, r.id, f"no hourly cost and no on-demand price for {r.type or r.kind} in {r.region}")
            continue
        vals = load.dropna().to_numpy()
        p95, p5 = np.percentile(vals, 95), np.percentile(vals, 5)
        ratio = p95 / p5 if p5 > 0 else math.inf
        if ratio < params.min_peak_trough_ratio:
            continue
        peak_util = float(np.nanpercentile(util_h.to_numpy(), 99)) / 100.0 if util_h.notna().any() else math.nan
        if g is None:
            # Utilisation as load (target tracking on cpu/gpu): busy instance-equivalents per hour.
            capacity, capacity_source = 100.0 / r.count, "cpu/gpu utilisation (no request metric)"
        elif r.attributes.get("capacity_per_instance"):
            capacity, capacity_source = float(r.attributes["capacity_per_instance"]), "attributes.capacity_per_instance"
        elif math.isfinite(peak_util) and peak_util > 0:
            capacity, capacity_source = vals.max() / r.count / max(peak_util, 0.05), "observed peak / p99 utilisation"
        else:
            capacity = vals.max() / r.count / params.assumed_peak_utilization
            capacity_source = "observed peak (no utilisation metric)"
        if capacity <= 0:
            continue
        needed = np.maximum(np.ceil(vals / (capacity * params.target_utilization)), params.min_instances)
        peak_needed = int(needed.max())
        hours_needed = load.copy()
        hours_needed[load.notna()] = needed
        full = hours_needed.fillna(peak_needed).to_numpy()  # unknown hours are treated as peak
        lag = pd.Series(full).rolling(params.scale_out_lag_hours + 1, min_periods=1).max().to_numpy()
        monthly_before = r.count * price * HOURS_PER_MONTH
        after = full.mean() * price * HOURS_PER_MONTH
        after_lag = lag.mean() * price * HOURS_PER_MONTH
        savings = monthly_before - after
        if savings < params.min_monthly_savings:
            continue
        hi = max(peak_needed, params.min_instances)
        unit = "requests" if g is not None else "utilisation"
        yield Recommendation(
            id=recommendation_id(rid, r.id, "autoscale"), rule_id=rid, resource_id=r.id,
            action=f"autoscale {params.min_instances}-{hi} instances at {params.target_utilization:.0%} target",
            provider=r.provider, account=r.account, region=r.region, resource_kind=r.kind, resource_name=r.name,
            current={"type": r.type, "count": r.count},
            proposed={"type": r.type, "count_min": params.min_instances, "count_max": hi,
                      "count_mean": float(full.mean()), "target_utilization": params.target_utilization},
            monthly_cost_before=monthly_before, monthly_cost_after=after, monthly_savings=savings,
            savings_low=max(0.0, monthly_before - after_lag), savings_high=savings, currency=r.currency,
            confidence="low" if capacity_source.startswith("observed peak (") else "medium",
            performance_risk=2,
            evidence={"hours_observed": observed, "load_metric": unit, f"{unit}_p95_per_hour": float(p95),
                      f"{unit}_p5_per_hour": float(p5), "peak_trough_ratio": float(ratio),
                      "capacity_per_instance_per_hour": float(capacity), "capacity_source": capacity_source,
                      "peak_utilization_p99": peak_util if math.isfinite(peak_util) else None,
                      "instances_needed_by_hour_p50": float(np.median(full)), "price_source": source},
            impacts={"count_min": params.min_instances, "count_max": hi, "scale_out_lag_hours": params.scale_out_lag_hours},
            effort="medium", tags=dict(r.tags), workload=r.workload,
            rationale=(f"load swings {ratio:.1f}x between trough and peak; {float(full.mean()):.1f} instances "
                       f"on average would do the work of {r.count}"),
            apply=_scaling_apply(r, params.min_instances, hi, params.target_utilization),
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
    eps = [r for r in snapshot.resources if r.kind in params.kinds]
    if not eps:
        return
    ids = {r.id for r in eps}
    req = hourly_profile([s for s in snapshot.metrics if s.resource_id in ids], "requests")
    req_by = {k: g for k, g in req.groupby("resource_id")}
    present = metric_hours(snapshot, ids)
    for r in eps:
        g = req_by.get(r.id)
        if g is None or g.empty:
            continue
        # Hours with any metric of the endpoint; hours without a requests point had none.
        observed = int(np.union1d(present.get(r.id, np.zeros(0, dtype=np.int64)), g["hour"].to_numpy()).size)
        if observed < params.min_hours:
            yield Skip(rid, r.id, f"only {observed} hours of request data; {params.min_hours} needed")
            continue
        active = g.groupby("hour")["value"].sum()
        active_hours = int((active > 0).sum())
        total = float(active.sum())
        if total <= 0 or active_hours / observed > params.max_active_hour_fraction:
            continue
        price, source = instance_price(r, catalog)
        if price is None:
            yield Skip(rid, r.id, f"no hourly cost and no on-demand price for {r.type} in {r.region}")
            continue
        # Cold starts: active hours whose previous hour was quiet.
        hrs = np.sort(active[active > 0].index.to_numpy())
        cold = int(1 + np.sum(np.diff(hrs) > 3600)) if hrs.size else 0
        run_hours = min(observed, active_hours * (1.0 + params.warm_hours_per_active_hour))
        before = r.count * price * HOURS_PER_MONTH
        after = run_hours / observed * price * HOURS_PER_MONTH
        savings = before - after
        if savings < params.min_monthly_savings:
            continue
        spec = catalog.instance(r.provider, r.type) if catalog is not None and r.type else None
        gpu = bool(spec and spec.gpu_count) or int(r.specs.get("gpu_count", 0) or 0) > 0
        scale = HOURS_PER_MONTH / observed
        how = ("scale the inference component to 0 instances when idle" if gpu
               else "move to serverless inference")
        apply = (f"aws sagemaker update-inference-component-runtime-config --inference-component-name {r.name or r.id} "
                 f"--desired-runtime-config CopyCount=0  # and a scaling policy with MinCapacity 0"
                 if gpu else
                 f"aws sagemaker create-endpoint-config --endpoint-config-name {r.name or r.id}-serverless "
                 f"--production-variants VariantName=AllTraffic,ModelName=<model>,ServerlessConfig="
                 f"{{MemorySizeInMB=4096,MaxConcurrency=5}} && aws sagemaker update-endpoint --endpoint-name "
                 f"{r.name or r.id} --endpoint-config-name {r.name or r.id}-serverless")
        yield Recommendation(
            id=recommendation_id(rid, r.id, "scale-to-zero"), rule_id=rid, resource_id=r.id,
            action=how, provider=r.provider, account=r.account, region=r.region, resource_kind=r.kind,
            resource_name=r.name, current={"type": r.type, "count": r.count},
            proposed={"type": r.type, "count_min": 0, "count_max": 1, "serverless": not gpu},
            monthly_cost_before=before, monthly_cost_after=after, monthly_savings=savings,
            savings_low=max(0.0, before - min(observed, active_hours * (2.0 + params.warm_hours_per_active_hour))
                            / observed * price * HOURS_PER_MONTH),
            savings_high=before - active_hours / observed * price * HOURS_PER_MONTH, currency=r.currency,
            confidence="medium", performance_risk=3 if gpu else 2,
            evidence={"hours_observed": observed, "active_hours": active_hours, "requests": total,
                      "price_source": source},
            impacts={"cold_start_s": params.cold_start_s, "cold_starts_per_month": cold * scale,
                     "share_of_requests_cold": cold / total},
            effort="medium", tags=dict(r.tags), workload=r.workload,
            rationale=f"traffic in {active_hours} of {observed} hours ({total:,.0f} requests); idle the rest",
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
    util = hourly_max(snapshot, params.metrics, {r.id for r in cands})
    by_id = {k: g for k, g in util.groupby("resource_id")}
    for r in cands:
        g = by_id.get(r.id)
        if g is None:
            continue
        if len(g) < params.min_weeks * 168:
            yield Skip(rid, r.id, f"{len(g)} hours of utilisation data; {params.min_weeks * 168:.0f} needed")
            continue
        price, source = instance_price(r, catalog)
        if price is None:
            yield Skip(rid, r.id, f"no hourly cost and no on-demand price for {r.type} in {r.region}")
            continue
        hours = g["hour"].to_numpy()
        # hour of week with Monday 00:00 UTC = 0 (the epoch began on a Thursday: +72 h)
        slot = ((hours // 3600) + 72) % 168
        busy = g["value"].to_numpy() > params.idle_threshold
        on_slots = np.bincount(slot[busy], minlength=168) > 0
        start, stop, mask = _schedule(on_slots)
        off_per_week = int((~mask).sum())
        if off_per_week < params.min_off_hours_per_week or not start:
            continue
        busy_outside = int((busy & ~mask[slot]).sum())
        if busy.sum() and busy_outside / busy.sum() > params.max_busy_share_in_off_hours:
            continue
        before = r.count * price * HOURS_PER_MONTH
        savings = before * off_per_week / 168.0
        if savings < params.min_monthly_savings:
            continue
        name = r.name or r.id
        apply = {
            "gcp": f"gcloud compute resource-policies create instance-schedule {name}-office --region {r.region} "
                   f"--vm-start-schedule '{start}' --vm-stop-schedule '{stop}' --timezone UTC  (cron fields as shown)",
            "azure": f"az vm auto-shutdown --resource-group <rg> --name {name} --time {stop.split()[1]}00",
        }.get(r.provider, f"aws scheduler create-schedule --name {name}-stop --schedule-expression '{stop}' "
                          f"--flexible-time-window Mode=OFF --target '{{\"Arn\":\"arn:aws:scheduler:::aws-sdk:ec2:stopInstances\","
                          f"\"Input\":\"{{\\\"InstanceIds\\\":[\\\"{r.id}\\\"]}}\"}}' ... and a start schedule '{start}'")
        yield Recommendation(
            id=recommendation_id(rid, r.id, "schedule"), rule_id=rid, resource_id=r.id,
            action=f"stop outside {start} .. {stop} (UTC)", provider=r.provider, account=r.account,
            region=r.region, resource_kind=r.kind, resource_name=r.name, current={"type": r.type, "hours_per_week": 168},
            proposed={"type": r.type, "hours_per_week": 168 - off_per_week, "start": start, "stop": stop},
            monthly_cost_before=before, monthly_cost_after=before - savings, monthly_savings=savings,
            savings_low=max(0.0, savings - busy_outside / len(g) * HOURS_PER_MONTH * price * r.count),
            savings_high=savings, currency=r.currency,
            confidence="high" if len(g) >= 2 * 168 else "medium", performance_risk=1,
            evidence={"hours_observed": int(len(g)), "busy_hours": int(busy.sum()), "busy_hours_outside": busy_outside,
                      "idle_threshold": params.idle_threshold, "off_hours_per_week": off_per_week,
                      "price_source": source},
            impacts={"unavailable_hours_per_week": off_per_week, "start_delay_s": 120},
            effort="low", tags=dict(r.tags), workload=r.workload,
            rationale=f"busy only inside {168 - off_per_week} of 168 weekly hours; stopped {off_per_week} h a week",
            apply=apply, alternative_group=r.id,
        )
