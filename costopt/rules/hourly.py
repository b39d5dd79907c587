"""Hourly load matrices for the autoscaling and reservation rules, vectorised with numpy.

:func:`hour_matrix` turns the series of many resources into one (resources x hours) array
over the window's hour grid: per series one pass of O(points) numpy (``reduceat`` on the
hour boundaries of time-sorted points), never a Python loop over points and no per-series
pandas objects, so 100k resources stay in seconds. Rows follow the order of ``rows``; an
hour without a valid point is NaN (or False for :func:`presence_matrix`).

Data quality: non-finite points are gaps, repeated timestamps are kept once, points outside
``valid`` (e.g. 0..100 for utilisation) are dropped, points outside the window ignored.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from costopt.catalog.licence import os_of
from costopt.model import MetricSeries, Resource, Snapshot


def instance_price(r: Resource, catalog: Any) -> tuple[float | None, str]:
    """Hourly price of ONE instance of ``r`` and where it came from."""
    if r.hourly_cost is not None and r.count > 0:
        return r.hourly_cost / r.count, "resource hourly cost"
    if catalog is not None and r.type:
        p = catalog.price(r.provider, r.region, r.type, "on_demand", os=os_of(r))
        if p is not None:
            return p.amount, f"{p.source} ({p.as_of})"
    return None, ""


def hour_grid(snapshot: Snapshot) -> tuple[int, int]:
    """(first epoch hour, number of hours) of the snapshot's window."""
    start = int(snapshot.window.start.timestamp()) // 3600
    end = int(math.ceil(snapshot.window.end.timestamp() / 3600))
    return start, max(end - start, 0)


class _HourIndex:
    """Hour index of timestamp arrays, computed once per array (aligned series share one).

    :meth:`runs` returns, for one series, the grid hours it covers and the start of each
    hour's run of points, so callers reduce values with ``ufunc.reduceat``. When all the
    series' values are usable (the common case) the cached runs of its timestamp array are
    reused as they are.
    """

    def __init__(self, start_h: int, n_hours: int):
        self.start_h, self.n_hours = start_h, n_hours
        self._cache: dict[int, tuple[Any, ...]] = {}

    def _layout(self, ts: np.ndarray) -> tuple[Any, ...]:
        hit = self._cache.get(id(ts))
        if hit is not None and hit[0] is ts:
            return hit
        keep = None
        srt = ts
        if ts.size > 1 and np.any(ts[1:] <= ts[:-1]):
            srt, keep = np.unique(ts, return_index=True)
        h = srt // 3600 - self.start_h
        inwin = (h >= 0) & (h < self.n_hours)
        win = None if inwin.all() else np.flatnonzero(inwin)
        hw = h if win is None else h[win]
        bounds = np.flatnonzero(np.r_[True, hw[1:] != hw[:-1]]) if hw.size else np.zeros(0, dtype=np.int64)
        hit = (ts, keep, win, hw, bounds, hw[bounds] if hw.size else hw)
        self._cache[id(ts)] = hit
        return hit

    def runs(self, s: MetricSeries, valid: tuple[float, float] | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(values, run starts, hour of each run) of the usable points of ``s``."""
        _, keep, win, hw, bounds, hours = self._layout(s.timestamps)
        vs = s.values if keep is None else s.values[keep]
        if win is not None:
            vs = vs[win]
        if vs.size == 0:
            return vs, bounds[:0], hours[:0]
        # Fast path (one pass each, no temporaries): every value finite and in range.
        if np.isfinite(vs.sum()) and (valid is None or (vs.min() >= valid[0] and vs.max() <= valid[1])):
            return vs, bounds, hours
        bad = ~np.isfinite(vs)
        if valid is not None:
            with np.errstate(invalid="ignore"):
                bad |= (vs < valid[0]) | (vs > valid[1])
        ok = ~bad
        vs, h = vs[ok], hw[ok]
        if h.size == 0:
            return vs, h, h
        b = np.flatnonzero(np.r_[True, h[1:] != h[:-1]])
        return vs, b, h[b]


def row_quantiles(matrix: np.ndarray, qs: Iterable[float]) -> np.ndarray:
    """Quantiles (linear interpolation) of each row, ignoring NaN; NaN for rows without values.

    Returns an array of shape (len(qs), rows). One sort of the whole matrix, no per-row calls.
    """
    srt = np.sort(matrix, axis=1)  # NaN sort last
    n = (~np.isnan(matrix)).sum(axis=1)
    rows = np.arange(matrix.shape[0])
    last = np.maximum(n - 1, 0)
    out = []
    for q in qs:
        pos = last * q
        lo = np.floor(pos).astype(np.int64)
        hi = np.minimum(lo + 1, last)
        frac = pos - lo
        lo_v, hi_v = srt[rows, lo], srt[rows, hi]
        out.append(np.where(n > 0, lo_v + (hi_v - lo_v) * frac, np.nan))
    return np.array(out)


def hour_matrix(metrics: Iterable[MetricSeries], names: Iterable[str], rows: Mapping[str, int], start_h: int,
                n_hours: int, how: str = "sum", valid: tuple[float, float] | None = None) -> np.ndarray:
    """(len(rows) x n_hours) array of ``names`` per resource per hour: "sum" or "max" of the points.

    Several series of one resource (variants, stats) are added ("sum") or maxed ("max").
    """
    wanted = set(names)
    index = _HourIndex(start_h, n_hours)
    out = np.full((len(rows), n_hours), np.nan)
    ufunc = np.add if how == "sum" else np.maximum
    for s in metrics:
        i = rows.get(s.resource_id) if s.metric in wanted else None
        if i is None or s.timestamps.size == 0 or s.values.size != s.timestamps.size:
            continue
        vs, bounds, hours = index.runs(s, valid)
        if hours.size == 0:
            continue
        agg = ufunc.reduceat(vs, bounds)
        row = out[i]
        cur = row[hours]
        if how == "sum":
            row[hours] = np.where(np.isnan(cur), agg, cur + agg)
        else:
            row[hours] = np.fmax(cur, agg)
    return out


def presence_matrix(metrics: Iterable[MetricSeries], rows: Mapping[str, int], start_h: int, n_hours: int,
                    names: Iterable[str] | None = None) -> np.ndarray:
    """Boolean (len(rows) x n_hours): the resource reported any (of ``names``) metric in the hour.

    CloudWatch has no Invocations point for an hour without requests: an hour with other
    metrics but no requests point had zero requests; an hour with no metric at all is a gap.
    """
    wanted = set(names) if names is not None else None
    index = _HourIndex(start_h, n_hours)
    out = np.zeros((len(rows), n_hours), dtype=bool)
    for s in metrics:
        if wanted is not None and s.metric not in wanted:
            continue
        i = rows.get(s.resource_id)
        if i is None or s.timestamps.size == 0 or s.values.size != s.timestamps.size:
            continue
        _, _, hours = index.runs(s, None)
        out[i, hours] = True
    return out


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


def pooled_rows(matrix: np.ndarray, member_rows: list[int], count: int) -> np.ndarray | None:
    """A group's hourly utilisation from its members' rows: the mean over reporting members.

    Hours in which fewer than half of ``count`` members reported are gaps (NaN).
    """
    if not member_rows:
        return None
    block = matrix[member_rows]
    reporting = np.sum(~np.isnan(block), axis=0)
    with np.errstate(invalid="ignore"):
        mean = np.nansum(block, axis=0) / np.where(reporting > 0, reporting, 1)
    return np.where(reporting >= max(1.0, count / 2), mean, np.nan)


def rolling_max(matrix: np.ndarray, hours: int) -> np.ndarray:
    """Each hour's max over itself and the ``hours`` before it (row-wise)."""
    out = matrix.copy()
    for k in range(1, max(hours, 0) + 1):
        out[:, k:] = np.maximum(out[:, k:], matrix[:, :-k])
    return out
