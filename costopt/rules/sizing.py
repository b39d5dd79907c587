"""Shared machinery of the right-sizing rules: which resources, their stats, and candidate matching.

Everything is by whole resources (never a loop over metric points):

- :func:`resource_table` joins the inventory with catalog specs and current prices, one row per
  resource; unknown types and missing prices become Skips that say which.
- :func:`lookback_stats` computes percentiles for every resource at once with
  :func:`costopt.metrics.snapshot_stats` over the lookback (memoised per Snapshot, so rules
  share one computation), plus the share of bad points (gaps, duplicates, out-of-range
  values); :func:`windowed_stats` does the same for a given list of series.
- :func:`first_fit` picks, per resource, the cheapest catalog offer that satisfies a boolean
  fit matrix (resources x offers), same family first; offers are sorted by price so the first
  True in a row is the cheapest.
- :func:`candidate_offers` lists the types a resource may move to (same provider, region, price
  model, licence; CPU or GPU; no cross-vendor accelerator moves), and
  :func:`monthly_resize_savings` what each move saves. Used by the CPU (:mod:`costopt.rules.rightsizing`)
  and GPU (:mod:`costopt.rules.gpu_sizing`) right-sizing rules.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from costopt.catalog.licence import os_of
from costopt.metrics import metric_stats, quantile_column, snapshot_stats
from costopt.model import HOURS_PER_MONTH, MetricSeries, Resource, Skip, Snapshot

INFERENCE_KINDS = frozenset({"endpoint"})
RISK_EDGES = (0.40, 0.55, 0.70, 0.85)  # projected peak utilisation -> performance risk 0..4
WORKLOAD_TAG = "costopt:workload"
LOW_Q, HIGH_Q = 0.999, 0.95  # stricter / looser sizing percentiles that bound the savings range


def workload_of(resource: Resource) -> str:
    """The resource's workload kind: attribute, then tag, then 'inference' for endpoints."""
    workload = resource.workload or resource.tag(WORKLOAD_TAG) or ""
    if not workload and resource.kind in INFERENCE_KINDS:
        workload = "inference"
    return workload.lower()


def price_model_of(resource: Resource) -> str:
    """Catalog price model that matches how the resource is bought today."""
    return "spot" if resource.pricing_model == "spot" else "on_demand"


def is_burstable(spec: Any) -> bool:
    """CPU-credit / shared-core types (AWS t*, GCP e2 micro/small/medium, Azure B)."""
    family = spec.family.removeprefix("ml.")
    if spec.provider == "aws" and family[:1] == "t" and family[1:2].isdigit():
        return True
    if spec.provider == "gcp" and family == "e2" and spec.size in ("micro", "small", "medium"):
        return True
    return bool(spec.provider == "azure" and spec.family.upper().startswith("B"))


@dataclass
class ResourceTable:
    """Eligible resources joined with their catalog spec and current hourly price."""

    frame: pd.DataFrame  # indexed by resource_id
    resources: dict[str, Resource]
    specs: dict[tuple[str, str], Any]


def resource_table(snapshot: Snapshot, catalog: Any, rule_id: str, kinds: Sequence[str], *,
                   gpu: bool | None) -> tuple[ResourceTable, list[Skip]]:
    """Resources of ``kinds`` whose type the catalog knows and prices; Skips for the others.

    ``gpu`` True keeps only GPU types, False only CPU types, None both.
    """
    skips: list[Skip] = []
    if catalog is None:
        return ResourceTable(pd.DataFrame(), {}, {}), [Skip(rule_id, "*", "no price catalog loaded")]
    spec_cache: dict[tuple[str, str], Any] = {}
    price_cache: dict[tuple[str, str, str, str, str], Any] = {}
    rows: list[tuple[Any, ...]] = []
    keep: dict[str, Resource] = {}
    wanted = set(kinds)
    for r in snapshot.resources:
        if r.kind not in wanted:
            continue
        if not r.type:
            skips.append(Skip(rule_id, r.id, f"no instance type reported for this {r.kind}"))
            continue
        skey = (r.provider, r.type)
        if skey not in spec_cache:
            spec_cache[skey] = catalog.instance(r.provider, r.type)
        spec = spec_cache[skey]
        if spec is None:
            skips.append(Skip(rule_id, r.id, f"instance type {r.type!r} is not in the {r.provider} price catalog"))
            continue
        if gpu is not None and bool(spec.gpu_count) != gpu:
            continue
        model = price_model_of(r)
        os = os_of(r)
        pkey = (r.provider, r.region, r.type, model, os)
        if pkey not in price_cache:
            price_cache[pkey] = catalog.price(r.provider, r.region, r.type, model, os=os)
        price = price_cache[pkey]
        if price is None:
            what = model if os == "linux" else f"{model} {os}"
            skips.append(Skip(rule_id, r.id, f"no {what} price for {r.type} in region {r.region or '(none)'} "
                                             f"({r.provider}) in the catalog"))
            continue
        workload = workload_of(r)
        keep[r.id] = r
        rows.append((r.id, r.provider, r.region, r.type, max(int(r.count), 1), r.kind, workload,
                     workload == "inference", model, price.amount, price.currency, spec.family, spec.vcpu,
                     spec.memory_gib, spec.relative_speed, spec.architecture, spec.gpu_count, spec.gpu_memory_gib,
                     spec.gpu_tflops, spec.gpu_model, r.type.lower().startswith("ml."), os,
                     price.source if price.estimate else ""))  # an estimate is named so it caps confidence
    columns = ["resource_id", "provider", "region", "type", "count", "kind", "workload", "inference", "price_model",
               "price", "currency", "family", "vcpu", "memory_gib", "speed", "architecture", "gpu_count",
               "gpu_memory_gib", "gpu_tflops", "gpu_model", "sagemaker", "os", "price_source"]
    frame = pd.DataFrame(rows, columns=columns).set_index("resource_id")
    return ResourceTable(frame, keep, {k: v for k, v in spec_cache.items() if v is not None}), skips


def lookback_metrics(snapshot: Snapshot, names: Iterable[str], days: float,
                     resource_ids: Iterable[str] | None = None) -> list[MetricSeries]:
    """Series of ``names`` (of ``resource_ids`` when given) cut to the last ``days`` before the window end.

    Series are only copied when they reach further back than the lookback.
    """
    wanted = set(names)
    ids = set(resource_ids) if resource_ids is not None else None
    cutoff = int(snapshot.window.end.timestamp() - days * 86400)
    out: list[MetricSeries] = []
    for s in snapshot.metrics:
        if s.metric not in wanted or (ids is not None and s.resource_id not in ids):
            continue
        ts = s.timestamps
        if ts.size == 0 or ts.min() >= cutoff:
            out.append(s)
            continue
        keep = ts >= cutoff
        out.append(MetricSeries(s.resource_id, s.metric, s.unit, s.period_s, ts[keep], s.values[keep], s.stat,
                                s.dimensions))
    return out


def windowed_stats(series: Sequence[MetricSeries], metric: str, quantiles: Sequence[float], *,
                   stat: str | None = "Maximum") -> pd.DataFrame:
    """metric_stats of ``metric`` plus ``bad_share`` (gaps + duplicates + invalid over all points)."""
    stats = metric_stats(series, metric, stat=stat, quantiles=tuple(quantiles))
    if stat is not None and stats.empty:  # agents differ: fall back to any statistic
        stats = metric_stats(series, metric, stat=None, quantiles=tuple(quantiles))
    return _with_bad_share(stats)


def lookback_stats(snapshot: Snapshot, metric: str, quantiles: Sequence[float], days: float,
                   resource_ids: Iterable[str], *, stat: str | None = "Maximum") -> pd.DataFrame:
    """windowed_stats(lookback_metrics(snapshot, [metric], days, resource_ids), ...), from the
    per-snapshot memo of :func:`costopt.metrics.snapshot_stats` (computed once for all rules)."""
    cutoff = int(snapshot.window.end.timestamp() - days * 86400)
    ids = list(resource_ids)
    stats = snapshot_stats(snapshot, metric, stat=stat, quantiles=tuple(quantiles), since=cutoff, resource_ids=ids)
    if stat is not None and stats.empty:  # agents differ: fall back to any statistic
        stats = snapshot_stats(snapshot, metric, stat=None, quantiles=tuple(quantiles), since=cutoff, resource_ids=ids)
    return _with_bad_share(stats)


def _with_bad_share(stats: pd.DataFrame) -> pd.DataFrame:
    bad = stats["gaps"] + stats["duplicates"] + stats["invalid"]
    total = stats["count"] + bad
    stats["bad_share"] = np.where(total > 0, bad / total.where(total > 0, 1), 0.0)
    return stats


def quality_skips(rule_id: str, ids: pd.Index, stats: pd.DataFrame, metric: str, *, min_hours: float,
                  max_bad_share: float, what: str) -> tuple[pd.Index, list[Skip]]:
    """Split ``ids`` into those with enough clean ``metric`` data and Skips for the rest."""
    joined = stats.reindex(ids)
    missing = joined["count"].isna() | (joined["count"].fillna(0) == 0)
    bad = ~missing & (joined["bad_share"] > max_bad_share)
    short = ~missing & ~bad & (joined["hours"] < min_hours)
    skips: list[Skip] = []
    for rid in ids[missing.to_numpy()]:
        skips.append(Skip(rule_id, rid, f"no {metric} metric in the lookback: {what}"))
    for rid, row in joined[bad.to_numpy()].iterrows():
        total = int(row["count"] + row["gaps"] + row["duplicates"] + row["invalid"])
        skips.append(Skip(rule_id, rid, f"{metric} data unusable: {int(row['gaps'])} gaps, {int(row['duplicates'])} "
                                        f"duplicate timestamps and {int(row['invalid'])} values outside 0-100% of "
                                        f"{total} points (over {max_bad_share:.0%})"))
    for rid, row in joined[short.to_numpy()].iterrows():
        skips.append(Skip(rule_id, rid, f"only {row['hours']:.1f} h of {metric} data in the lookback "
                                        f"(needs {min_hours:g} h)"))
    ok = ~(missing | bad | short)
    return ids[ok.to_numpy()], skips


def first_true(mask: np.ndarray) -> np.ndarray:
    """Column index of the first True per row, -1 where a row has none."""
    if mask.shape[1] == 0:
        return np.full(mask.shape[0], -1)
    return np.where(mask.any(axis=1), mask.argmax(axis=1), -1)


def first_fit(fits: np.ndarray, same_family: np.ndarray, other_families: bool) -> np.ndarray:
    """Cheapest fitting offer per row: same family first, then (optionally) any family."""
    same = first_true(fits & same_family[None, :])
    if not other_families:
        return same
    return np.where(same >= 0, same, first_true(fits))


def q(value: float) -> str:
    return quantile_column(value)


def risk_from_utilization(util: np.ndarray) -> np.ndarray:
    """Performance risk 0-4 from projected peak utilisation (share of the new capacity)."""
    risk: np.ndarray = np.digitize(util, RISK_EDGES).astype(int)
    return risk


def risk_level(util: float) -> int:
    """risk_from_utilization for one value, without numpy overhead (NaN -> 0)."""
    return bisect_right(RISK_EDGES, util) if util == util else 0


def lower_confidence(level: str) -> str:
    return {"high": "medium", "medium": "low"}.get(level, "low")


def _burstable_mask(offers: pd.DataFrame) -> np.ndarray:
    family = offers["family"].str.removeprefix("ml.")
    aws = (offers["provider"] == "aws") & family.str.match(r"^t\d")
    gcp = (offers["provider"] == "gcp") & (family == "e2") & offers["size"].isin(["micro", "small", "medium"])
    azure = (offers["provider"] == "azure") & offers["family"].str.upper().str.startswith("B")
    burstable: np.ndarray = (aws | gcp | azure).to_numpy()
    return burstable


def candidate_offers(catalog: Any, head: pd.Series, *, gpu: bool, allow_arch: bool, allow_burstable: bool) -> pd.DataFrame:
    """Offers a resource of ``head``'s type may move to (same provider/region/price model)."""
    offers = catalog.offers(head["provider"], head["region"], head["price_model"], os=head["os"])  # keeps the licence
    if offers.empty:
        return offers
    keep = (offers["gpu_count"] > 0).to_numpy() == gpu
    keep &= offers["type"].str.lower().str.startswith("ml.").to_numpy() == bool(head["sagemaker"])
    if not allow_arch:
        keep &= (offers["architecture"] == head["architecture"]).to_numpy()
    if not allow_burstable:
        keep &= ~_burstable_mask(offers)
    if gpu:  # CUDA work cannot move to Inferentia/Trainium (Neuron SDK) or back without a port
        keep &= (offers["gpu_model"].map(accelerator_vendor) == accelerator_vendor(head["gpu_model"])).to_numpy()
    keep &= (offers["price"] < head["price"] - 1e-12).to_numpy()
    return offers[keep].reset_index(drop=True)


def accelerator_vendor(model: str) -> str:
    """Software stack an accelerator needs: 'neuron' (AWS Inferentia/Trainium) or 'cuda'."""
    return "neuron" if str(model).lower().startswith(("inferentia", "trainium")) else "cuda"


def number_or_none(value: Any) -> float | None:
    """A float, or None for None and NaN (pandas' missing values)."""
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else float(value)


def monthly_resize_savings(group: pd.DataFrame, offers: pd.DataFrame, pick: np.ndarray) -> np.ndarray:
    """Monthly savings of moving each row of ``group`` to its picked offer (-1 = stay, no saving)."""
    price = offers["price"].to_numpy()
    new = np.where(pick >= 0, price[np.maximum(pick, 0)], group["price"].to_numpy()) if len(price) else group["price"].to_numpy()
    saved: np.ndarray = np.maximum((group["price"].to_numpy() - new) * group["count"].to_numpy() * HOURS_PER_MONTH, 0.0)
    return saved
