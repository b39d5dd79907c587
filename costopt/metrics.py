"""Percentiles and coverage of metric series, vectorised over all resources.

Rules never loop over points: :func:`metric_stats` stacks the series of one metric into
row blocks, sorts each row once (C speed), and reads every requested quantile, the count,
the hours covered and data-quality counts for all resources at once.

Data quality (reported, never silently fixed): non-finite points are gaps; points outside
``valid_range`` (e.g. a utilisation below 0 % or above 100 %) are dropped and counted as
``invalid``; repeated timestamps are kept once and counted as ``duplicates``.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from costopt.model import MetricSeries

PERCENT_METRICS = frozenset({"cpu", "memory", "gpu", "gpu_memory"})
BLOCK_POINTS = 4_000_000  # points sorted per block: bounds peak memory (~32 MB per block)
DEFAULT_QUANTILES = (0.5, 0.95, 0.99, 0.995)


def quantile_column(q: float) -> str:
    """Column name for a quantile: 0.995 -> 'p99.5', 0.95 -> 'p95'."""
    return "p" + f"{q * 100:.3f}".rstrip("0").rstrip(".")


def select_series(metrics: Iterable[MetricSeries], metric: str, stat: str | None = None) -> list[MetricSeries]:
    return [m for m in metrics if m.metric == metric and (stat is None or m.stat == stat)]


def _clean(series: MetricSeries, valid_range: tuple[float, float] | None) -> tuple[np.ndarray, int, int, int]:
    """Finite, in-range values with duplicate timestamps removed, plus dropped counts."""
    ts, vs = series.timestamps, series.values
    duplicates = 0
    if ts.size > 1:
        _, first = np.unique(ts, return_index=True)
        duplicates = ts.size - first.size
        if duplicates:
            ts, vs = ts[first], vs[first]
    finite = np.isfinite(vs)
    gaps = int(vs.size - finite.sum())
    invalid = 0
    if valid_range is not None:
        lo, hi = valid_range
        ok = finite & (vs >= lo) & (vs <= hi)
        invalid = int(finite.sum() - ok.sum())
        finite = ok
    return vs[finite], duplicates, gaps, invalid


def metric_stats(metrics: Sequence[MetricSeries], metric: str, *, stat: str | None = "Maximum",
                 quantiles: Sequence[float] = DEFAULT_QUANTILES,
                 valid_range: tuple[float, float] | None = None) -> pd.DataFrame:
    """Per-resource statistics of ``metric``.

    Returns a DataFrame indexed by resource_id with columns: count, hours, mean, max,
    one ``p..`` column per quantile (linear interpolation), duplicates, gaps, invalid,
    period_s, first_ts, last_ts. Resources without valid points get count 0 and NaN stats.
    ``valid_range`` defaults to (0, 100) for percent metrics (cpu, memory, gpu, gpu_memory).
    """
    if valid_range is None and metric in PERCENT_METRICS:
        valid_range = (0.0, 100.0)
    chosen = select_series(metrics, metric, stat)
    qcols = [quantile_column(q) for q in quantiles]
    columns = ["count", "hours", "mean", "max", *qcols, "duplicates", "gaps", "invalid", "period_s", "first_ts", "last_ts"]
    if not chosen:
        return pd.DataFrame(columns=columns, index=pd.Index([], name="resource_id"), dtype=float)

    # Several series of one resource (e.g. per-variant) are pooled.
    by_resource: dict[str, list[MetricSeries]] = {}
    for s in chosen:
        by_resource.setdefault(s.resource_id, []).append(s)
    ids = list(by_resource)
    n = len(ids)
    cleaned: list[np.ndarray] = []
    dup = np.zeros(n, dtype=np.int64)
    gaps = np.zeros(n, dtype=np.int64)
    inv = np.zeros(n, dtype=np.int64)
    period = np.zeros(n, dtype=np.float64)
    first = np.full(n, np.nan)
    last = np.full(n, np.nan)
    for i, rid in enumerate(ids):
        parts = []
        for s in by_resource[rid]:
            vals, d, g, v = _clean(s, valid_range)
            parts.append(vals)
            dup[i] += d
            gaps[i] += g
            inv[i] += v
            period[i] = max(period[i], s.period_s)
            if s.timestamps.size:
                first[i] = np.nanmin([first[i], s.timestamps.min()])
                last[i] = np.nanmax([last[i], s.timestamps.max()])
        cleaned.append(parts[0] if len(parts) == 1 else np.concatenate(parts))

    counts = np.fromiter((c.size for c in cleaned), dtype=np.int64, count=n)
    qvals = np.full((n, len(quantiles)), np.nan)
    means = np.full(n, np.nan)
    maxes = np.full(n, np.nan)
    start = 0
    while start < n:
        width = max(int(counts[start:].max(initial=1)), 1)
        rows = max(1, BLOCK_POINTS // width)
        stop = min(n, start + rows)
        block_counts = counts[start:stop]
        width = max(int(block_counts.max(initial=1)), 1)
        block = np.full((stop - start, width), np.inf)
        for j, arr in enumerate(cleaned[start:stop]):
            block[j, : arr.size] = arr
        block.sort(axis=1)
        has = block_counts > 0
        safe_counts = np.where(has, block_counts, 1)
        finite_block = np.where(np.isfinite(block), block, 0.0)
        means[start:stop] = np.where(has, finite_block.sum(axis=1) / safe_counts, np.nan)
        last_idx = safe_counts - 1
        maxes[start:stop] = np.where(has, block[np.arange(stop - start), last_idx], np.nan)
        for k, q in enumerate(quantiles):
            pos = (safe_counts - 1) * q
            lo = np.floor(pos).astype(np.int64)
            hi = np.minimum(lo + 1, last_idx)
            frac = pos - lo
            rows_idx = np.arange(stop - start)
            lo_v = block[rows_idx, lo]
            hi_v = block[rows_idx, hi]
            qvals[start:stop, k] = np.where(has, lo_v + (hi_v - lo_v) * frac, np.nan)
        start = stop

    frame = pd.DataFrame(
        {"count": counts, "hours": counts * period / 3600.0, "mean": means, "max": maxes,
         **{c: qvals[:, k] for k, c in enumerate(qcols)},
         "duplicates": dup, "gaps": gaps, "invalid": inv, "period_s": period,
         "first_ts": first, "last_ts": last},
        index=pd.Index(ids, name="resource_id"),
    )
    return frame


def hourly_profile(metrics: Sequence[MetricSeries], metric: str, stat: str | None = None) -> pd.DataFrame:
    """Sum of ``metric`` per resource per hour (e.g. requests per hour), as a long frame.

    Columns: resource_id, hour (UTC epoch hour start, int), value. Duplicates are kept once.
    """
    frames = []
    for s in select_series(metrics, metric, stat):
        ts, first = np.unique(s.timestamps, return_index=True)
        vs = s.values[first]
        ok = np.isfinite(vs)
        if not ok.any():
            continue
        hours = (ts[ok] // 3600) * 3600
        df = pd.DataFrame({"hour": hours, "value": vs[ok]}).groupby("hour", as_index=False)["value"].sum()
        df.insert(0, "resource_id", s.resource_id)
        frames.append(df)
    if not frames:
        return pd.DataFrame(columns=["resource_id", "hour", "value"])
    return pd.concat(frames, ignore_index=True)
