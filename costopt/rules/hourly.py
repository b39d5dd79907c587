"""Hourly load helpers shared by the autoscaling rules: prices per instance, hour grids, hourly maxima.

Vectorised with numpy/pandas over all points of the selected series; no rule logic here.
"""

from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np
import pandas as pd

from costopt.metrics import select_series
from costopt.model import Resource, Snapshot


def instance_price(r: Resource, catalog: Any) -> tuple[float | None, str]:
    """Hourly price of ONE instance of ``r`` and where it came from."""
    if r.hourly_cost is not None and r.count > 0:
        return r.hourly_cost / r.count, "resource hourly cost"
    if catalog is not None and r.type:
        p = catalog.price(r.provider, r.region, r.type, "on_demand")
        if p is not None:
            return p.amount, f"{p.source} ({p.as_of})"
    return None, ""


def window_hours(snapshot: Snapshot) -> np.ndarray:
    start = int(snapshot.window.start.timestamp()) // 3600
    end = int(math.ceil(snapshot.window.end.timestamp() / 3600))
    return np.arange(start, end, dtype=np.int64) * 3600


def hourly_max(snapshot: Snapshot, metrics: Iterable[str], ids: set[str]) -> pd.DataFrame:
    """Max of ``metrics`` per resource per hour (percent, out-of-range points dropped): columns resource_id, hour, value."""
    frames = []
    for m in metrics:
        for s in select_series(snapshot.metrics, m):
            if s.resource_id not in ids:
                continue
            ok = np.isfinite(s.values) & (s.values >= 0) & (s.values <= 100)
            frames.append(pd.DataFrame({"resource_id": s.resource_id, "hour": (s.timestamps[ok] // 3600) * 3600,
                                        "value": s.values[ok]}))
    if not frames:
        return pd.DataFrame(columns=["resource_id", "hour", "value"])
    df = pd.concat(frames, ignore_index=True)
    return df.groupby(["resource_id", "hour"], as_index=False)["value"].max()


def metric_hours(snapshot: Snapshot, ids: set[str]) -> dict[str, np.ndarray]:
    """Hours (epoch seconds of the hour start) in which each resource reported any metric.

    CloudWatch reports no Invocations point for an hour without requests; an hour in which
    the endpoint reported cpu/latency but no requests had zero requests, while an hour with
    no metric at all is a gap.
    """
    parts: dict[str, list[np.ndarray]] = {}
    for s in snapshot.metrics:
        if s.resource_id in ids and s.timestamps.size:
            parts.setdefault(s.resource_id, []).append(np.unique(s.timestamps[np.isfinite(s.values)] // 3600))
    return {rid: np.unique(np.concatenate(p)) * 3600 for rid, p in parts.items()}


def is_autoscaled(r: Resource) -> bool:
    """Scaling already configured: a flag, scaling policies, or a min/max range (ASG/MIG/VMSS)."""
    a = r.attributes
    if a.get("autoscaling") or a.get("policies"):
        return True
    for lo_key, hi_key in (("min", "max"), ("min_size", "max_size")):
        lo, hi = a.get(lo_key), a.get(hi_key)
        if isinstance(lo, (int, float)) and isinstance(hi, (int, float)) and hi > lo:
            return True
    return False


def pooled_members(util_by: dict[str, pd.DataFrame], member_ids: list[str], count: int) -> pd.DataFrame | None:
    """A group's utilisation from its members': mean over the members reporting in each hour.

    Only hours in which at least half of ``count`` members reported are kept (fewer is a gap).
    """
    parts = [util_by[i] for i in member_ids if i in util_by]
    if not parts:
        return None
    df = pd.concat(parts, ignore_index=True).groupby("hour")["value"].agg(["mean", "count"]).reset_index()
    df = df[df["count"] >= max(1, count / 2)]
    return df.rename(columns={"mean": "value"})[["hour", "value"]]
