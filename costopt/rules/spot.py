"""Spot rules: interruption-tolerant work on spot / preemptible capacity, priced per useful hour.

Effective cost per useful hour = spot price x (1 + interruption rate x (lost work per
interruption + restart overhead)), where lost work is half the checkpoint interval for
training, half a task for batch, nothing for dev boxes. A gang of N instances (multi-node
training) is interrupted when any one is: job rate = 1 - (1 - rate)^N.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from costopt.catalog.licence import os_of
from costopt.catalog.model import Price
from costopt.evidence import Evidence
from costopt.model import HOURS_PER_MONTH, Recommendation, Resource, Skip, Snapshot, recommendation_id
from costopt.records import Current, Impacts, Proposal
from costopt.rules import defaults
from costopt.rules.base import rule
from costopt.rules.resize_apply import spot_command
from costopt.rules.sizing import workload_of

RULE = "spot.interruptible_workload"
WORKLOAD_RISK = {"training": 1, "dev": 1, "batch": 2, "inference": 3}
CHECKPOINT_ATTRS = ("checkpoint_interval_h", "checkpoint_interval_hours")
GANG_KINDS = frozenset({"training_job"})


def effective_spot_hourly(spot: float, rate: float, lost_hours: float, restart_hours: float) -> float:
    """Spot price per useful hour: spot x (1 + rate x (lost work + restart overhead))."""
    return spot * (1.0 + rate * (lost_hours + restart_hours))


def _tolerance(r: Resource, params: defaults.InterruptibleWorkload) -> tuple[str | None, str]:
    """(workload class or None when not tolerant, why)."""
    tag = (r.tag(params.interruptible_tag) or "").strip().lower()
    workload = workload_of(r)
    if tag == "false":
        return None, f"tagged {params.interruptible_tag}=false"
    if workload == "inference":
        if tag == "true" and r.count >= 2:
            return "inference", f"inference fleet tagged {params.interruptible_tag}=true"
        return None, "inference is latency-bound: spot only above an on-demand base of a fleet tagged interruptible"
    if workload in params.tolerant_workloads:
        return workload, f"workload {workload}"
    if tag == "true":
        return workload or "batch", f"tagged {params.interruptible_tag}=true"
    return None, ""


def _lost_hours(r: Resource, workload: str, params: defaults.InterruptibleWorkload) -> float:
    if workload == "training":
        interval = next((r.attributes[k] for k in CHECKPOINT_ATTRS if k in r.attributes), None)
        return float(interval if interval is not None else params.checkpoint_interval_hours) / 2
    if workload == "dev":
        return params.dev_lost_hours
    return params.batch_task_hours / 2


def _lookup(catalog: Any, provider: str, region: str, type_: str, os: str) -> tuple[Any, ...]:
    """(spec, on-demand price, spot price, (interruption rate, its source)) of one type and OS in one region."""
    spec = catalog.instance(provider, type_)
    if spec is None:
        return None, None, None, None
    rate = catalog.interruption_rate(provider, region, type_)
    source = catalog.interruption_source(provider, type_) if hasattr(catalog, "interruption_source") else ""
    return (spec, catalog.price(provider, region, type_, os=os), catalog.price(provider, region, type_, "spot", os=os),
            None if rate is None else (rate, source))


@rule(RULE, params=defaults.InterruptibleWorkload, needs=("inventory",))
def interruptible_workload(snapshot: Snapshot, catalog: Any,
                           params: defaults.InterruptibleWorkload) -> Iterable[Recommendation | Skip]:
    """Interruption-tolerant work (training with checkpoints, batch, dev) still on on-demand capacity.

    Why: spot / preemptible capacity costs 60-90% less; training that checkpoints, batch jobs
    and dev boxes lose little when interrupted. What they lose is priced in: the effective cost
    per useful hour = spot x (1 + interruption rate x (checkpoint interval / 2 + restart
    overhead)), using the catalog's typical interruption rate for the type and region.
    Only tolerant work is considered (workload training/batch/dev, or tag
    costopt:interruptible=true); never a whole inference fleet: a fleet tagged interruptible
    keeps an on-demand base (inference_on_demand_share, at least one instance) and only the part
    above it moves. Missing spot prices or interruption rates -> skip with the reason.
    Fix: relaunch on spot (``apply``): a mixed-instances policy for groups, managed spot
    training for SageMaker jobs; make sure checkpoints go to durable storage.

    Example config::

        [rules."spot.interruptible_workload"]
        checkpoint_interval_hours = 1.0
        tolerant_workloads = ["training", "batch"]
    """
    if catalog is None:
        yield Skip(RULE, "*", "no price catalog loaded")
        return
    kinds = set(params.kinds)
    rows = []
    looked_up: dict[tuple[str, str, str, str], tuple[Any, ...]] = {}
    for r in snapshot.resources:
        if r.kind not in kinds or r.pricing_model != "on_demand" or not r.type:
            continue
        workload, why = _tolerance(r, params)
        if workload is None:
            continue
        key = (r.provider, r.region, r.type, os_of(r))
        if key not in looked_up:
            looked_up[key] = _lookup(catalog, *key)
        spec, od, spot, rate = looked_up[key]
        if spec is None:
            yield Skip(RULE, r.id, f"instance type {r.type!r} is not in the {r.provider} price catalog")
            continue
        missing = [name for name, value in (("on-demand price", od), ("spot price", spot), ("interruption rate", rate))
                   if value is None]
        if missing:
            yield Skip(RULE, r.id, f"no {' or '.join(missing)} for {r.type} in region {r.region or '(none)'} "
                                   f"({r.provider}) in the catalog")
            continue
        count = max(int(r.count), 1)
        if workload == "inference":
            base = max(1, math.ceil(count * params.inference_on_demand_share))
            if base >= count:
                continue
        else:
            base = 0
        gang = count if r.kind in GANG_KINDS or (workload == "training" and r.kind != "autoscaling_group") else 1
        rows.append((r, workload, why, od, spot, rate[0], count, base, gang, _lost_hours(r, workload, params), rate[1]))
    if not rows:
        return
    frame = pd.DataFrame([(row[3].amount, row[4].amount, row[5], row[6], row[7], row[8], row[9]) for row in rows],
                         columns=["od", "spot", "rate", "count", "base", "gang", "lost"])
    job_rate = 1.0 - (1.0 - frame["rate"]) ** frame["gang"]
    spot_n = frame["count"] - frame["base"]
    restart = params.restart_overhead_hours
    eff = effective_spot_hourly(frame["spot"], job_rate, frame["lost"], restart)
    eff_low = effective_spot_hourly(frame["spot"] * (1 + params.spot_price_uncertainty),
                                    np.minimum(job_rate * params.interruption_uncertainty, 1.0), frame["lost"], restart)
    eff_high = effective_spot_hourly(frame["spot"], job_rate / params.interruption_uncertainty, frame["lost"], restart)
    before = frame["od"] * frame["count"] * HOURS_PER_MONTH
    after = (frame["od"] * frame["base"] + eff * spot_n) * HOURS_PER_MONTH
    savings = np.maximum(before - after, 0.0)
    low = np.minimum(np.maximum(before - (frame["od"] * frame["base"] + eff_low * spot_n) * HOURS_PER_MONTH, 0.0), savings)
    high = np.maximum(before - (frame["od"] * frame["base"] + eff_high * spot_n) * HOURS_PER_MONTH, savings)
    added = job_rate * (frame["lost"] + restart)
    job_rate, eff, before, after, savings_l, low, high, added = (
        np.asarray(x, dtype=float).tolist() for x in (job_rate, eff, before, after, savings, low, high, added))
    savings_range = (f"low: spot +{params.spot_price_uncertainty:.0%} and {params.interruption_uncertainty:g}x interruptions; "
                     f"high: {params.interruption_uncertainty:g}x fewer interruptions")
    for i in np.flatnonzero(savings >= params.min_monthly_savings).tolist():
        r, workload, why, od, spot, rate, count, base, gang, lost, rate_source = rows[i]
        yield _recommendation(r, workload, why, od, spot, rate, count, base, gang, lost, job_rate[i], eff[i],
                              before[i], after[i], savings_l[i], low[i], high[i], added[i], params, savings_range,
                              rate_source)


def _recommendation(r: Resource, workload: str, why: str, od: Price, spot: Price, rate: float, count: int, base: int,
                    gang: int, lost: float, job_rate: float, eff: float, before: float, after: float, savings: float,
                    low: float, high: float, added: float, params: defaults.InterruptibleWorkload, savings_range: str,
                    rate_source: str = "") -> Recommendation:
    # An estimated interruption rate (a previous generation's band) caps the confidence at low.
    confidence = "low" if rate_source.startswith("estimate") else "medium"
    spot_n = count - base
    risk = WORKLOAD_RISK.get(workload, 2)
    if rate * HOURS_PER_MONTH > 0.15:  # more than 15% of instances interrupted per month
        risk += 1
    part = f"{spot_n} of {count} instances" if base else ("all instances" if count > 1 else "the instance")
    rationale = (f"{why}: moving {part} to spot costs {eff:.4f} {od.currency}/useful hour each instead of "
                 f"{od.amount:.4f} on demand (spot {spot.amount:.4f} x (1 + {job_rate:.2e} interruptions/h x "
                 f"({lost:.2f} h lost work + {params.restart_overhead_hours:.2f} h restart)))")
    if base:
        rationale += f"; {base} instance(s) stay on demand as the base so the service never depends on spot alone"
    if gang > 1:
        rationale += f"; the {gang} instances run as one job, so any interruption restarts it"
    return Recommendation(
        id=recommendation_id(RULE, r.id, "spot"), rule_id=RULE, resource_id=r.id, action="spot",
        provider=r.provider, account=r.account, region=r.region, resource_kind=r.kind, resource_name=r.name,
        current=Current(type=r.type, count=count, pricing_model="on_demand"),
        proposed=Proposal(type=r.type, count=count, pricing_model="spot", spot_count=spot_n, on_demand_base=base),
        monthly_cost_before=before, monthly_cost_after=after, monthly_savings=savings, savings_low=low, savings_high=high,
        currency=od.currency, confidence=confidence, performance_risk=min(risk, 4),
        evidence=Evidence(facts={"on_demand_hourly": od.amount, "spot_hourly": spot.amount, "effective_spot_hourly": eff,
                                 "interruption_rate_per_hour": rate, "job_interruption_rate_per_hour": job_rate,
                                 "lost_hours_per_interruption": lost, "restart_overhead_hours": params.restart_overhead_hours,
                                 "workload": workload, "as_of": spot.as_of,
                                 "interruption_rate_source": rate_source,
                                 "savings_range": savings_range}, price_sources=(od.source, spot.source)),
        impacts=Impacts(interruption_rate_per_hour=job_rate, interruptions_per_month=job_rate * HOURS_PER_MONTH,
                        added_wall_time_pct=added * 100.0, spot_share=spot_n / count),
        effort="medium", rationale=rationale + ".", apply=spot_command(r, spot_n, base), tags=dict(r.tags),
        workload=workload, alternative_group=r.id)
