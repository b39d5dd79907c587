"""Right-sizing rules: a cheaper type that still fits the measured CPU, memory and GPU peaks.

Both rules read percentiles of 5-minute maxima for every resource at once (see
:mod:`costopt.rules.sizing`), then match all resources of one current type against the
catalog's offers in one boolean matrix. Savings ranges come from re-running the match with a
looser (P95) and a stricter (P99.9) sizing percentile: the high and low ends of the range.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from costopt.evidence import Evidence
from costopt.model import HOURS_PER_MONTH, Recommendation, Skip, Snapshot, recommendation_id
from costopt.records import Current, Impacts, Proposal
from costopt.rules import defaults
from costopt.rules.base import rule
from costopt.rules.gpu_sizing import gpu_recommendations
from costopt.rules.resize_apply import resize_command
from costopt.rules.sizing import (
    HIGH_Q,
    LOW_Q,
    ResourceTable,
    candidate_offers,
    first_fit,
    lookback_stats,
    lower_confidence,
    monthly_resize_savings,
    number_or_none,
    q,
    quality_skips,
    resource_table,
    risk_level,
)

OVERSIZED = "rightsizing.oversized_vm"
GPU = "rightsizing.gpu"
@rule(OVERSIZED, params=defaults.OversizedVm, needs=("inventory",))
def oversized_vm(snapshot: Snapshot, catalog: Any, params: defaults.OversizedVm) -> Iterable[Recommendation | Skip]:
    """VMs sized far above their CPU and memory peaks: move to a smaller or cheaper type.

    Why: most fleets are sized for a guess made at launch. A VM whose P99.5 CPU (of 5-minute
    maxima, over 14 days, with 20% headroom) fits in half the vCPUs pays twice for idle cores.
    How: CPU need = vCPU x speed x P99.5 x (1 + headroom) / target utilisation (stricter for
    inference than batch); memory need = memory x P99.9 x (1 + headroom) when an agent reports
    memory, else at least half of today's memory and lower confidence. The cheapest type of the
    same family that fits wins; then cheaper families (same CPU architecture) that fit. Fewer
    than 30 hours of data, too many gaps/duplicates/out-of-range points, unknown types or
    missing prices -> no recommendation, and the skip says why.
    Fix: change the instance type (the recommendation's ``apply`` step) in a maintenance window.

    Example config::

        [rules."rightsizing.oversized_vm"]
        headroom = 0.3
        target_utilization_inference = 0.6
        other_families = false
    """
    table, skips = resource_table(snapshot, catalog, OVERSIZED, params.kinds, gpu=False)
    yield from skips
    if table.frame.empty:
        return
    main_q = params.cpu_quantile
    quantiles = sorted({HIGH_Q, main_q, LOW_Q})
    cpu = lookback_stats(snapshot, "cpu", quantiles, params.lookback_days, table.frame.index)
    ids, bad = quality_skips(OVERSIZED, table.frame.index, cpu, "cpu", min_hours=params.min_hours,
                             max_bad_share=params.max_bad_point_share,
                             what="enable CPU monitoring (CloudWatch / Cloud Monitoring / Azure Monitor)")
    yield from bad
    if len(ids) == 0:
        return
    mem = lookback_stats(snapshot, "memory", (params.memory_quantile,), params.lookback_days, ids, stat=None)
    frame = table.frame.loc[ids].join(cpu.add_prefix("cpu_")).join(mem.add_prefix("mem_"))
    mem_col = "mem_" + q(params.memory_quantile)
    frame["mem_measured"] = (frame["mem_count"].fillna(0) > 0) & (frame["mem_hours"].fillna(0) >= params.min_hours) \
        & (frame["mem_bad_share"].fillna(1.0) <= params.max_bad_point_share)
    frame["target"] = np.where(frame["inference"], params.target_utilization_inference, params.target_utilization_batch)
    capacity = frame["vcpu"] * frame["speed"]
    frame["need_mem"] = np.where(frame["mem_measured"],
                                 frame["memory_gib"] * frame[mem_col].fillna(100.0) / 100.0 * (1 + params.memory_headroom),
                                 frame["memory_gib"] * params.unmeasured_memory_min_share)
    levels = {"main": main_q, "low": LOW_Q, "high": HIGH_Q}
    for name, level in levels.items():
        frame[f"need_cpu_{name}"] = capacity * frame["cpu_" + q(level)] / 100.0 * (1 + params.headroom) / frame["target"]

    for _, group in frame.groupby(["provider", "region", "price_model", "type", "os"], sort=False):
        head = group.iloc[0]
        offers = candidate_offers(catalog, head, gpu=False, allow_arch=params.allow_architecture_change,
                                   allow_burstable=params.allow_burstable or _is_burst(head))
        if offers.empty:
            continue
        cap = (offers["vcpu"] * offers["relative_speed"]).to_numpy()
        mem_ok = offers["memory_gib"].to_numpy()[None, :] >= group["need_mem"].to_numpy()[:, None]
        same = (offers["family"] == head["family"]).to_numpy()
        picks = {name: first_fit((cap[None, :] >= group[f"need_cpu_{name}"].to_numpy()[:, None]) & mem_ok, same,
                                 params.other_families) for name in levels}
        yield from _oversized_recs(snapshot, table, group, offers, picks, params)


def _is_burst(head: pd.Series) -> bool:
    family = str(head["family"]).removeprefix("ml.")
    return (head["provider"] == "aws" and family[:1] == "t") or str(head["type"]).startswith(("e2-micro", "e2-small", "e2-medium"))


def _oversized_recs(snapshot: Snapshot, table: ResourceTable, group: pd.DataFrame, offers: pd.DataFrame, picks: dict[str, np.ndarray],
                    params: defaults.OversizedVm) -> Iterable[Recommendation]:
    main = picks["main"]
    savings = monthly_resize_savings(group, offers, main)
    low = np.minimum(monthly_resize_savings(group, offers, picks["low"]), savings)
    high = np.maximum(monthly_resize_savings(group, offers, picks["high"]), savings)
    main_col = "cpu_" + q(params.cpu_quantile)
    low_col = "cpu_" + q(LOW_Q)
    mem_col = "mem_" + q(params.memory_quantile)
    main_key = f"cpu_{q(params.cpu_quantile)}"
    mem_key = f"memory_{q(params.memory_quantile)}"
    main_pct = f"{params.cpu_quantile * 100:g}"
    full_hours = 0.9 * params.lookback_days * 24
    memory_note = (" Memory was not measured (no agent metric), so the new type keeps at least "
                   f"{params.unmeasured_memory_min_share:.0%} of today's memory; install the memory agent to confirm.")
    chosen = np.flatnonzero((main >= 0) & (savings >= params.min_monthly_savings))
    if chosen.size == 0:
        return
    needed = ["count", "cpu_count", "cpu_duplicates", "cpu_gaps", "cpu_hours", "cpu_invalid", "cpu_max", "cpu_p95",
              main_col, low_col, "currency", "family", "inference", "mem_measured", mem_col,
              "memory_gib", "price", "price_model", "speed", "target", "vcpu", "workload", "os", "price_source"]
    # plain dicts of the needed columns only, built from column lists: pandas row access (and
    # to_dict("records"), which boxes every cell) is slow
    sub = group.iloc[chosen]
    keys = ["resource_id", *dict.fromkeys(needed)]
    columns = [sub.index.tolist(), *(sub[c].tolist() for c in keys[1:])]
    rows = [dict(zip(keys, values)) for values in zip(*columns)]
    offer_rows = offers.to_dict("records")
    main, savings, low, high = main.tolist(), savings.tolist(), low.tolist(), high.tolist()
    for i, row in zip(chosen.tolist(), rows):
        offer = offer_rows[main[i]]
        r = table.resources[row["resource_id"]]
        peak = float(row[main_col])
        projected = peak / 100.0 * row["vcpu"] * row["speed"] / (offer["vcpu"] * offer["relative_speed"])
        risk = risk_level(projected)
        confidence = "high" if row["cpu_hours"] >= full_hours else "medium"
        notes = ""
        if not row["mem_measured"]:
            confidence = lower_confidence(confidence)
            risk = min(risk + 1, 4)
            notes = memory_note
        if row["inference"]:
            risk = min(risk + 1, 4)
        if offer["family"] != row["family"]:
            notes += f" No cheaper fitting size in the {row['family']} family, so a {offer['family']} type is proposed."
        mem_p = number_or_none(row.get(mem_col))
        before = float(row["price"] * row["count"] * HOURS_PER_MONTH)
        after = before - savings[i]
        target = row["target"]
        rationale = (f"CPU P{main_pct} of 5-minute maxima is {peak:.1f}% of {int(row['vcpu'])} vCPU over "
                     f"{row['cpu_hours']:.0f} h; with {params.headroom:.0%} headroom and a {target:.0%} "
                     f"{'inference' if row['inference'] else 'batch'} utilisation target {offer['type']} "
                     f"({int(offer['vcpu'])} vCPU, {offer['memory_gib']:g} GiB) fits, projected P{main_pct} "
                     f"{projected:.0%}." + notes)
        yield Recommendation(
            id=recommendation_id(OVERSIZED, r.id, "resize"), rule_id=OVERSIZED, resource_id=r.id, action="resize",
            provider=r.provider, account=r.account, region=r.region, resource_kind=r.kind, resource_name=r.name,
            current=Current(type=r.type, count=int(row["count"]), vcpu=int(row["vcpu"]), memory_gib=float(row["memory_gib"])),
            proposed=Proposal(type=offer["type"], count=int(row["count"]), vcpu=int(offer["vcpu"]),
                              memory_gib=float(offer["memory_gib"])),
            monthly_cost_before=before, monthly_cost_after=after, monthly_savings=savings[i],
            savings_low=low[i], savings_high=high[i], currency=row["currency"], confidence=confidence,
            performance_risk=risk,
            evidence=Evidence(facts={"cpu_p95": number_or_none(row["cpu_p95"]), main_key: peak,
                                     "cpu_p99.9": number_or_none(row[low_col]), "cpu_max": number_or_none(row["cpu_max"]),
                                     "samples": int(row["cpu_count"]), "hours": float(row["cpu_hours"]),
                                     "lookback_days": params.lookback_days, "memory_measured": bool(row["mem_measured"]),
                                     mem_key: mem_p if row["mem_measured"] else None,
                                     "gaps": int(row["cpu_gaps"]), "duplicates": int(row["cpu_duplicates"]),
                                     "invalid": int(row["cpu_invalid"]), "price_model": row["price_model"], "os": row["os"],
                                     "savings_range": "low: sized at P99.9, high: sized at P95"},
                              price_source=str(row["price_source"]) if row["price_source"] else None),
            impacts=Impacts(projected_cpu_peak=projected, vcpu_before=int(row["vcpu"]), vcpu_after=int(offer["vcpu"])),
            effort="medium" if r.kind in ("autoscaling_group", "endpoint") else "low",
            rationale=rationale, apply=resize_command(r, offer["type"]), tags=dict(r.tags), workload=row["workload"] or None,
            alternative_group=r.id)


@rule(GPU, params=defaults.Gpu, needs=("inventory",))
def gpu(snapshot: Snapshot, catalog: Any, params: defaults.Gpu) -> Iterable[Recommendation | Skip]:
    """GPU instances whose GPUs are barely used: a smaller GPU, fewer GPUs, or a CPU instance.

    Why: GPUs are the dearest line in an ML bill and the one generic right-sizers skip. A
    g5.12xlarge at 3% GPU or a training box whose model uses a fifth of the GPU memory pays for
    silicon it never touches.
    How: GPU compute need = GPUs x TFLOPS x P99.5 GPU utilisation x (1 + headroom) / target;
    GPU memory need = the maximum GPU memory seen x (1 + headroom), per GPU and in total, and it
    must fit (running out of GPU memory crashes the job). Host CPU and RAM must fit too. When
    GPU utilisation and GPU memory are both near zero the work runs on a CPU type instead.
    Same family first (fewer GPUs / smaller host), then other GPU families with enough memory.
    Without GPU utilisation or GPU memory metrics (DCGM exporter / CloudWatch agent nvidia_gpu)
    the resource is skipped, with the reason.
    Fix: change the type (``apply``); re-run the job's smoke test on the new GPU first.

    Example config::

        [rules."rightsizing.gpu"]
        gpu_headroom = 0.4
        cpu_fallback_max_gpu = 2.0
    """
    yield from gpu_recommendations(snapshot, catalog, params, GPU)
