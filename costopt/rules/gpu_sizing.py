"""The matching behind ``rightsizing.gpu``: GPU compute, GPU memory and host fit, all resources at once.

Per resource: GPU compute need (TFLOPS), GPU memory need per GPU and in total, host vCPU and
RAM need. Per current type, one boolean matrix against the catalog's GPU offers (and, for
GPUs that are barely used, its CPU offers) picks the cheapest fit, same family first.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from costopt.evidence import Evidence
from costopt.model import HOURS_PER_MONTH, Recommendation, Skip, Snapshot, recommendation_id
from costopt.records import Current, Impacts, Proposal
from costopt.rules import defaults, sizing
from costopt.rules.resize_apply import resize_command
from costopt.rules.sizing import HIGH_Q, LOW_Q, number_or_none, q

HOST_MEMORY_HEADROOM = 0.15
GPU_AGENT = "install the NVIDIA DCGM exporter or the CloudWatch agent's nvidia_gpu metrics"


def gpu_recommendations(snapshot: Snapshot, catalog: Any, params: defaults.Gpu, rule_id: str) -> Iterable[Recommendation | Skip]:
    table, skips = sizing.resource_table(snapshot, catalog, rule_id, params.kinds, gpu=True)
    yield from skips
    if table.frame.empty:
        return
    levels = {"main": params.gpu_quantile, "low": LOW_Q, "high": HIGH_Q}
    days = params.lookback_days
    gstats = sizing.lookback_stats(snapshot, "gpu", sorted(set(levels.values())), days, table.frame.index)
    ids, bad = sizing.quality_skips(rule_id, table.frame.index, gstats, "gpu", min_hours=params.min_hours,
                             max_bad_share=params.max_bad_point_share, what=GPU_AGENT)
    yield from bad
    gmem = sizing.lookback_stats(snapshot, "gpu_memory", (0.999,), days, table.frame.index, stat=None)
    ids, bad = sizing.quality_skips(rule_id, ids, gmem, "gpu_memory", min_hours=params.min_hours,
                             max_bad_share=params.max_bad_point_share, what=GPU_AGENT + " (GPU memory must fit)")
    yield from bad
    if len(ids) == 0:
        return
    cpu = sizing.lookback_stats(snapshot, "cpu", (0.995,), days, table.frame.index)
    mem = sizing.lookback_stats(snapshot, "memory", (0.999,), days, table.frame.index, stat=None)
    f = (table.frame.loc[ids].join(gstats.add_prefix("gu_")).join(gmem.add_prefix("gm_"))
         .join(cpu.add_prefix("cpu_")).join(mem.add_prefix("mem_")))
    f["cpu_measured"] = (f["cpu_hours"].fillna(0) >= params.min_hours) & (f["cpu_bad_share"].fillna(1) <= params.max_bad_point_share)
    f["mem_measured"] = (f["mem_hours"].fillna(0) >= params.min_hours) & (f["mem_bad_share"].fillna(1) <= params.max_bad_point_share)
    f["target"] = np.where(f["inference"], params.target_utilization_inference, params.target_utilization_batch)
    host_cap = f["vcpu"] * f["speed"]
    f["need_cpu"] = np.where(f["cpu_measured"], host_cap * f["cpu_p99.5"].fillna(100) / 100 * (1 + params.cpu_headroom),
                             host_cap * params.unmeasured_host_share)
    f["need_mem"] = np.where(f["mem_measured"], f["memory_gib"] * f["mem_p99.9"].fillna(100) / 100 * (1 + HOST_MEMORY_HEADROOM),
                             f["memory_gib"] * params.unmeasured_host_share)
    f["need_gmem_per"] = f["gpu_memory_gib"] * f["gm_max"] / 100 * (1 + params.gpu_memory_headroom)
    f["need_gmem_total"] = f["need_gmem_per"] * f["gpu_count"]
    for name, level in levels.items():
        f[f"need_tflops_{name}"] = (f["gpu_count"] * f["gpu_tflops"] * f["gu_" + q(level)] / 100
                                    * (1 + params.gpu_headroom) / f["target"])
    f["to_cpu"] = (f["gu_" + q(params.gpu_quantile)] <= params.cpu_fallback_max_gpu) & \
        (f["gm_max"] <= params.cpu_fallback_max_gpu_memory)

    for _, group in f.groupby(["provider", "region", "price_model", "type", "os"], sort=False):
        head = group.iloc[0]
        gpu_offers = sizing.candidate_offers(catalog, head, gpu=True, allow_arch=False, allow_burstable=False)
        cpu_offers = sizing.candidate_offers(catalog, head, gpu=False, allow_arch=False, allow_burstable=False)
        picks = _gpu_picks(group, gpu_offers, levels)
        cpu_pick = _host_fit(group, cpu_offers)
        yield from _gpu_recs(table, group, gpu_offers, cpu_offers, picks, cpu_pick, params, rule_id)


def _host_fit(group: pd.DataFrame, offers: pd.DataFrame) -> np.ndarray:
    if offers.empty:
        return np.full(len(group), -1)
    cap = (offers["vcpu"] * offers["relative_speed"]).to_numpy()[None, :]
    fits = (cap >= group["need_cpu"].to_numpy()[:, None]) & \
        (offers["memory_gib"].to_numpy()[None, :] >= group["need_mem"].to_numpy()[:, None])
    return sizing.first_fit(fits, np.zeros(len(offers), dtype=bool), True)


def _gpu_picks(group: pd.DataFrame, offers: pd.DataFrame, levels: dict[str, float]) -> dict[str, np.ndarray]:
    if offers.empty:
        return {name: np.full(len(group), -1) for name in levels}
    count = offers["gpu_count"].to_numpy()[None, :]
    per = offers["gpu_memory_gib"].to_numpy()[None, :]
    cap = (offers["vcpu"] * offers["relative_speed"]).to_numpy()[None, :]
    base = (per >= group["need_gmem_per"].to_numpy()[:, None]) & \
        (count * per >= group["need_gmem_total"].to_numpy()[:, None]) & \
        (cap >= group["need_cpu"].to_numpy()[:, None]) & \
        (offers["memory_gib"].to_numpy()[None, :] >= group["need_mem"].to_numpy()[:, None])
    tflops = count * offers["gpu_tflops"].to_numpy()[None, :]
    same = (offers["family"] == group.iloc[0]["family"]).to_numpy()
    return {name: sizing.first_fit(base & (tflops >= group[f"need_tflops_{name}"].to_numpy()[:, None]), same, True)
            for name in levels}


def _gpu_recs(table: sizing.ResourceTable, group: pd.DataFrame, gpu_offers: pd.DataFrame, cpu_offers: pd.DataFrame,
              picks: dict[str, np.ndarray], cpu_pick: np.ndarray, params: defaults.Gpu, rule_id: str) -> Iterable[Recommendation]:
    use_cpu = group["to_cpu"].to_numpy() & (cpu_pick >= 0)
    gpu_save = {name: sizing.monthly_resize_savings(group, gpu_offers, pick) for name, pick in picks.items()}
    cpu_save = sizing.monthly_resize_savings(group, cpu_offers, cpu_pick)
    savings = np.where(use_cpu, cpu_save, gpu_save["main"])
    # CPU moves: if the CPU turns out too slow the fallback is the strict GPU pick -> the low end.
    low = np.minimum(gpu_save["low"], savings)
    high = np.maximum(np.where(use_cpu, cpu_save, gpu_save["high"]), savings)
    chosen = np.where(use_cpu, cpu_pick, picks["main"])
    main_q = "gu_" + q(params.gpu_quantile)
    keep = np.flatnonzero((chosen >= 0) & (savings >= params.min_monthly_savings))
    if keep.size == 0:
        return
    rows = group.iloc[keep].reset_index().to_dict("records")
    offer_rows = {True: cpu_offers.to_dict("records"), False: gpu_offers.to_dict("records")}
    for i, row in zip(keep, rows):
        r = table.resources[row["resource_id"]]
        to_cpu = bool(use_cpu[i])
        offer = offer_rows[to_cpu][chosen[i]]
        util = float(row[main_q])
        if to_cpu:
            action, projected = "move_to_cpu", None
            risk = 2 + int(bool(row["inference"]))
            what = (f"GPU utilisation P{params.gpu_quantile * 100:g} is {util:.1f}% and GPU memory peaked at "
                    f"{row['gm_max']:.1f}%: the GPUs are barely used, so a CPU type ({offer['type']}, "
                    f"{int(offer['vcpu'])} vCPU, {offer['memory_gib']:g} GiB) that fits the host's CPU and RAM peaks is "
                    f"proposed; benchmark the model on CPU first")
        else:
            action = "resize"
            cur = row["gpu_count"] * row["gpu_tflops"]
            projected = util / 100 * cur / (offer["gpu_count"] * offer["gpu_tflops"])
            risk = sizing.risk_level(projected) + int(bool(row["inference"]))
            risk += int(offer["gpu_model"] != row["gpu_model"])
            what = (f"GPU utilisation P{params.gpu_quantile * 100:g} is {util:.1f}% of {int(row['gpu_count'])} x "
                    f"{row['gpu_model']} and GPU memory peaked at {row['gm_max']:.1f}% of {row['gpu_memory_gib']:g} GiB; "
                    f"{offer['type']} ({int(offer['gpu_count'])} x {offer['gpu_model']}, {offer['gpu_memory_gib']:g} GiB each) "
                    f"fits {row['need_gmem_per']:.1f} GiB per GPU with {params.gpu_memory_headroom:.0%} headroom, "
                    f"projected GPU utilisation {projected:.0%}")
        notes = []
        if not row["cpu_measured"] or not row["mem_measured"]:
            notes.append(f"host CPU/RAM were not fully measured, so at least {params.unmeasured_host_share:.0%} of "
                         "them is kept")
        confidence = "high" if row["gu_hours"] >= 0.9 * params.lookback_days * 24 and row["mem_measured"] else "medium"
        if to_cpu:
            confidence = "medium" if confidence == "high" else "low"
        before = float(row["price"] * row["count"] * HOURS_PER_MONTH)
        yield Recommendation(
            id=recommendation_id(rule_id, r.id, action), rule_id=rule_id, resource_id=r.id, action=action,
            provider=r.provider, account=r.account, region=r.region, resource_kind=r.kind, resource_name=r.name,
            current=Current(type=r.type, count=int(row["count"]), vcpu=int(row["vcpu"]), memory_gib=float(row["memory_gib"]),
                            gpu_count=int(row["gpu_count"]), gpu_model=row["gpu_model"],
                            gpu_memory_gib=float(row["gpu_memory_gib"])),
            proposed=Proposal(type=offer["type"], count=int(row["count"]), vcpu=int(offer["vcpu"]),
                              memory_gib=float(offer["memory_gib"]), gpu_count=int(offer["gpu_count"]),
                              gpu_model=offer["gpu_model"], gpu_memory_gib=float(offer["gpu_memory_gib"])),
            monthly_cost_before=before, monthly_cost_after=before - float(savings[i]), monthly_savings=float(savings[i]),
            savings_low=float(low[i]), savings_high=float(high[i]), currency=row["currency"], confidence=confidence,
            performance_risk=min(risk, 4),
            evidence=Evidence(facts={"gpu_p95": number_or_none(row["gu_p95"]), "gpu_" + q(params.gpu_quantile): util,
                                     "gpu_p99.9": number_or_none(row["gu_" + q(LOW_Q)]), "gpu_max": number_or_none(row["gu_max"]),
                                     "gpu_memory_max": number_or_none(row["gm_max"]),
                                     "cpu_p99.5": number_or_none(row["cpu_p99.5"]) if row["cpu_measured"] else None,
                                     "memory_p99.9": number_or_none(row["mem_p99.9"]) if row["mem_measured"] else None,
                                     "samples": int(row["gu_count"]), "hours": float(row["gu_hours"]),
                                     "lookback_days": params.lookback_days,
                                     "savings_range": "low: sized at P99.9 GPU utilisation, high: sized at P95"}),
            impacts=Impacts(projected_gpu_utilization=projected, gpus_before=int(row["gpu_count"]),
                            gpus_after=int(offer["gpu_count"])),
            effort="medium", rationale=what + "." + "".join(" " + n[0].upper() + n[1:] + "." for n in notes),
            apply=resize_command(r, offer["type"]), tags=dict(r.tags), workload=row["workload"] or None,
            alternative_group=r.id)
