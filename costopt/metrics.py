"""Percentiles and coverage of metric series, vectorised over all resources.

Rules never loop over points: :func:`metric_stats` stacks the series of one metric into
row blocks, orders each row once (C speed: a partition at the lowest requested quantile and a
sort of the tail), and reads every requested quantile, the count, the hours covered and
data-quality counts for all resources at once. :func:`snapshot_stats` memoises that per
Snapshot, so rules asking for the same metric share one computation.

Data quality (reported, never silently fixed): non-finite points are gaps; points outside
``valid_range`` (e.g. a utilisation below 0 % or above 100 %) are dropped and counted as
``invalid``; repeated timestamps are kept once and counted as ``duplicates``.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from costopt.model import MetricSeries, Snapshot

PERCENT_METRICS = frozenset({"cpu", "memory", "gpu", "gpu_memory"})
BLOCK_POINTS = 1_000_000  # points ordered per block: bounds peak memory (4-8 MB per block, small
# enough for the allocator to reuse memory between blocks instead of mapping fresh pages)
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


def _unique_timestamps(ts: np.ndarray) -> bool:
    """True when no timestamp repeats (strictly increasing is the common, cheap case)."""
    if ts.size < 2 or bool(np.all(ts[1:] > ts[:-1])):
        return True
    return int(np.unique(ts).size) == ts.size


class _Stats:
    """Output columns of :func:`metric_stats`, filled row block by row block."""

    def __init__(self, n: int, nq: int):
        self.count = np.zeros(n, dtype=np.int64)
        self.dup = np.zeros(n, dtype=np.int64)
        self.gaps = np.zeros(n, dtype=np.int64)
        self.inv = np.zeros(n, dtype=np.int64)
        self.period = np.zeros(n, dtype=np.float64)
        self.first = np.full(n, np.nan)
        self.last = np.full(n, np.nan)
        self.mean = np.full(n, np.nan)
        self.max = np.full(n, np.nan)
        self.q = np.full((n, nq), np.nan)
        self.order = np.full((n, nq, 2), np.nan)  # the two order statistics each quantile reads

    def read_block(self, rows: np.ndarray, block: np.ndarray, counts: np.ndarray, quantiles: Sequence[float]) -> None:
        """Mean, max and quantiles of ``rows`` from ``block`` (modified in place): each row holds
        its ``counts[i]`` valid values and +inf in the remaining cells."""
        has = counts > 0
        safe = np.where(has, counts, 1)
        last_idx = safe - 1
        r = np.arange(block.shape[0])
        start = _order_tail(block, safe, quantiles)
        total = block[:, :start].sum(axis=1, dtype=np.float64)
        total += np.where(np.isfinite(block[:, start:]), block[:, start:], 0).sum(axis=1, dtype=np.float64)
        self.mean[rows] = np.where(has, total / safe, np.nan)
        self.max[rows] = np.where(has, block[r, last_idx].astype(np.float64), np.nan)
        for k, q in enumerate(quantiles):
            pos = (safe - 1) * q
            lo = np.floor(pos).astype(np.int64)
            hi = np.minimum(lo + 1, last_idx)
            lo_v = block[r, lo].astype(np.float64)
            hi_v = block[r, hi].astype(np.float64)
            self.order[rows, k, 0], self.order[rows, k, 1] = lo_v, hi_v  # float64 holds float32 exactly
            with np.errstate(invalid="ignore"):  # inf - inf in rows without valid points (-> NaN)
                self.q[rows, k] = np.where(has, lo_v + (hi_v - lo_v) * (pos - lo), np.nan)


def _order_tail(block: np.ndarray, counts: np.ndarray, quantiles: Sequence[float]) -> int:
    """Sort each row of ``block`` from the first position any quantile (or the max) reads:
    a partition there, then a sort of the tail only (the high quantiles rules use are the last
    few percent of a row). Returns that position; cells before it are unordered."""
    q_min = min(quantiles, default=1.0)
    start = int(np.floor((counts - 1) * q_min).min()) if counts.size else 0
    if start > 0:
        block.partition(start, axis=1)
        block[:, start:].sort(axis=1)
    else:
        block.sort(axis=1)
    return start


def _aligned_rows(rows: list[int], series: list[MetricSeries], out: _Stats, quantiles: Sequence[float],
                  valid_range: tuple[float, float] | None) -> None:
    """Rows with one series each, all of the same length and without duplicate timestamps:
    stacked into blocks of at most BLOCK_POINTS points, cleaned and ordered block-wise."""
    length = series[0].values.size
    per_block = max(1, BLOCK_POINTS // length)
    for start in range(0, len(rows), per_block):
        chunk = series[start:start + per_block]
        idx = np.asarray(rows[start:start + per_block], dtype=np.int64)
        block = np.stack([s.values for s in chunk])  # a copy: cleaned and sorted in place
        lo, hi = valid_range if valid_range is not None else (-np.inf, np.inf)
        low, high = block.min(), block.max()  # NaN anywhere makes both NaN
        if np.isfinite(low) and np.isfinite(high) and lo <= low and high <= hi:
            counts = n_finite = np.full(len(chunk), length, dtype=np.int64)  # every point valid
        else:
            if valid_range is None:
                ok = np.isfinite(block)
            else:  # NaN fails both comparisons, +-inf one of them when the range is finite
                ok = block >= lo
                ok &= block <= hi
                if not (np.isfinite(lo) and np.isfinite(hi)):
                    ok &= np.isfinite(block)
            counts = np.count_nonzero(ok, axis=1)
            n_finite = counts.copy()
            partial = np.flatnonzero(counts < length)
            if partial.size:  # only rows with dropped points: tell gaps from invalid, mark them +inf
                n_finite[partial] = np.count_nonzero(np.isfinite(block[partial]), axis=1)
                np.copyto(block, np.inf, where=~ok)
            del ok
        out.count[idx] = counts
        out.gaps[idx] = length - n_finite
        out.inv[idx] = n_finite - counts
        out.period[idx] = [max(0.0, float(s.period_s)) for s in chunk]
        out.read_block(idx, block, counts, quantiles)


def _pooled_rows(rows: list[int], groups: list[list[MetricSeries]], out: _Stats, quantiles: Sequence[float],
                 valid_range: tuple[float, float] | None) -> None:
    """Any other row (several series, duplicate timestamps, ragged lengths): cleaned per series,
    then padded with +inf into blocks of at most BLOCK_POINTS points and ordered."""
    cleaned: list[np.ndarray] = []
    for i, group in zip(rows, groups):
        parts = []
        for s in group:
            vals, d, g, v = _clean(s, valid_range)
            parts.append(vals)
            out.dup[i] += d
            out.gaps[i] += g
            out.inv[i] += v
            out.period[i] = max(out.period[i], s.period_s)
            if s.timestamps.size:
                out.first[i] = np.nanmin([out.first[i], s.timestamps.min()])
                out.last[i] = np.nanmax([out.last[i], s.timestamps.max()])
        cleaned.append(parts[0] if len(parts) == 1 else np.concatenate(parts))
    counts = np.fromiter((c.size for c in cleaned), dtype=np.int64, count=len(cleaned))
    out.count[rows] = counts
    start = 0
    while start < len(rows):
        width = max(int(counts[start:].max(initial=1)), 1)
        stop = min(len(rows), start + max(1, BLOCK_POINTS // width))
        width = max(int(counts[start:stop].max(initial=1)), 1)
        dtype = np.result_type(*(c.dtype for c in cleaned[start:stop]))
        block = np.full((stop - start, width), np.inf, dtype=dtype)
        for j, arr in enumerate(cleaned[start:stop]):
            block[j, : arr.size] = arr
        out.read_block(np.asarray(rows[start:stop], dtype=np.int64), block, counts[start:stop], quantiles)
        start = stop


def metric_stats(metrics: Sequence[MetricSeries], metric: str, *, stat: str | None = "Maximum",
                 quantiles: Sequence[float] = DEFAULT_QUANTILES,
                 valid_range: tuple[float, float] | None = None) -> pd.DataFrame:
    return _metric_stats(metrics, metric, stat, quantiles, valid_range)[0]


def _metric_stats(metrics: Sequence[MetricSeries], metric: str, stat: str | None, quantiles: Sequence[float],
                  valid_range: tuple[float, float] | None) -> tuple[pd.DataFrame, np.ndarray]:
    """Per-resource statistics of ``metric``.

    Returns a DataFrame indexed by resource_id with columns: count, hours, mean, max,
    one ``p..`` column per quantile (linear interpolation), duplicates, gaps, invalid,
    period_s, first_ts, last_ts. Resources without valid points get count 0 and NaN stats.
    ``valid_range`` defaults to (0, 100) for percent metrics (cpu, memory, gpu, gpu_memory).

    Resources with one series whose timestamps do not repeat (checked once per distinct
    timestamps array) are processed as 2-D blocks of equal-length rows; the others (several
    series per resource, duplicate timestamps) are cleaned series by series. float32 values
    are sorted as float32; every statistic is returned as float64.
    """
    if valid_range is None and metric in PERCENT_METRICS:
        valid_range = (0.0, 100.0)
    chosen = select_series(metrics, metric, stat)
    qcols = [quantile_column(q) for q in quantiles]
    columns = ["count", "hours", "mean", "max", *qcols, "duplicates", "gaps", "invalid", "period_s", "first_ts", "last_ts"]
    if not chosen:
        return (pd.DataFrame(columns=columns, index=pd.Index([], name="resource_id"), dtype=float),
                np.zeros((0, len(quantiles), 2)))

    # Several series of one resource (e.g. per-variant) are pooled.
    by_resource: dict[str, list[MetricSeries]] = {}
    for s in chosen:
        by_resource.setdefault(s.resource_id, []).append(s)
    ids = list(by_resource)
    out = _Stats(len(ids), len(quantiles))
    # id(timestamps) -> (no repeats, min, max), once per distinct array (they live in `chosen` meanwhile)
    seen_ts: dict[int, tuple[bool, float, float]] = {}
    aligned: dict[tuple[int, np.dtype], tuple[list[int], list[MetricSeries]]] = {}
    other_rows: list[int] = []
    other_groups: list[list[MetricSeries]] = []
    first, last = [np.nan] * len(ids), [np.nan] * len(ids)  # Python lists: no per-cell numpy writes
    for i, group in enumerate(by_resource.values()):
        s = group[0]
        if len(group) == 1 and s.timestamps.size:
            key = id(s.timestamps)
            if key not in seen_ts:
                ts = s.timestamps
                seen_ts[key] = (_unique_timestamps(ts), float(ts.min()), float(ts.max()))
            unique, first[i], last[i] = seen_ts[key]
            if unique:
                rows, members = aligned.setdefault((s.values.size, s.values.dtype), ([], []))
                rows.append(i)
                members.append(s)
                continue
        other_rows.append(i)
        other_groups.append(group)
    out.first[:], out.last[:] = first, last
    for rows, members in aligned.values():
        _aligned_rows(rows, members, out, quantiles, valid_range)
    if other_rows:
        _pooled_rows(other_rows, other_groups, out, quantiles, valid_range)

    return pd.DataFrame(
        {"count": out.count, "hours": out.count * out.period / 3600.0, "mean": out.mean, "max": out.max,
         **{c: out.q[:, k] for k, c in enumerate(qcols)},
         "duplicates": out.dup, "gaps": out.gaps, "invalid": out.inv, "period_s": out.period,
         "first_ts": out.first, "last_ts": out.last},
        index=pd.Index(ids, name="resource_id"),
    ), out.order


# --- Per-snapshot memo -------------------------------------------------------------------
# Several rules need the same statistics of one Snapshot (idle.instance and
# rightsizing.oversized_vm both read CPU quantiles of every VM; rightsizing.gpu reads them for
# the GPU VMs). :func:`snapshot_stats` computes each (metric, stat, valid_range, since) once per
# Snapshot object, with the requested quantiles plus CACHE_QUANTILES (one partition serves all
# of them), and answers later calls from the memo by selecting columns and rows.
# The memo lives here, not on the Snapshot (which stays a plain frozen record): a dict keyed
# by id(snapshot) whose entries hold a weak reference to that Snapshot and its metrics tuple.
# An entry is used only while `ref() is snapshot` and `snapshot.metrics` is the same tuple,
# and is dropped when the Snapshot is garbage-collected, so a new Snapshot that happens to get
# the same id never sees old results. Snapshots are frozen and series are never mutated after
# collection (model contract), so a hit cannot be stale. Returned frames are new objects:
# callers may add columns without touching the memo.

CACHE_QUANTILES = (0.95, 0.99, 0.995, 0.999)
_MEMO: dict[int, tuple[weakref.ref, tuple, dict]] = {}
# memo[key] = (quantiles computed, frame, order statistics (rows x sorted quantiles x 2))


def _memo_for(snapshot: Snapshot) -> dict | None:
    key = id(snapshot)
    entry = _MEMO.get(key)
    if entry is not None and entry[0]() is snapshot and entry[1] is snapshot.metrics:
        return entry[2]

    def drop(ref: weakref.ref, key: int = key) -> None:
        if key in _MEMO and _MEMO[key][0] is ref:
            del _MEMO[key]

    try:
        ref = weakref.ref(snapshot, drop)
    except TypeError:  # an object without weak-reference support: no memo
        return None
    _MEMO[key] = (ref, snapshot.metrics, {})
    return _MEMO[key][2]


def _since_cut(chosen: list[MetricSeries], since: int | None) -> tuple[int | None, list[MetricSeries]]:
    """Series cut to points at or after ``since`` (copied only when they reach further back;
    a timestamps array shared by many series is cut once and stays shared). ``since`` is
    returned as None when it cuts nothing, so it does not split the memo."""
    if since is None:
        return None, chosen
    cuts: dict[int, tuple[np.ndarray, np.ndarray] | None] = {}
    out: list[MetricSeries] = []
    for s in chosen:
        key = id(s.timestamps)
        if key not in cuts:
            ts = s.timestamps
            if ts.size == 0 or ts.min() >= since:
                cuts[key] = None
            else:
                keep = ts >= since
                cuts[key] = (keep, ts[keep])
        cut = cuts[key]
        out.append(s if cut is None else MetricSeries(s.resource_id, s.metric, s.unit, s.period_s, cut[1],
                                                      s.values[cut[0]], s.stat, s.dimensions))
    if all(c is None for c in cuts.values()):
        return None, chosen
    return since, out


def snapshot_stats(snapshot: Snapshot, metric: str, *, stat: str | None = "Maximum",
                   quantiles: Sequence[float] = DEFAULT_QUANTILES, valid_range: tuple[float, float] | None = None,
                   since: int | None = None, resource_ids: Iterable[str] | None = None) -> pd.DataFrame:
    """:func:`metric_stats` of ``snapshot.metrics``, memoised per Snapshot (see above).

    ``since`` (epoch seconds): only points at or after it. ``resource_ids``: only these rows
    (in the order metric_stats gives them). Same columns and values as
    ``metric_stats(<those series>, metric, stat=stat, quantiles=quantiles, valid_range=...)``.
    """
    if valid_range is None and metric in PERCENT_METRICS:
        valid_range = (0.0, 100.0)
    since, series = _since_cut(select_series(snapshot.metrics, metric, stat), since)
    memo = _memo_for(snapshot)
    key = (metric, stat, None if valid_range is None else tuple(map(float, valid_range)), since)
    wanted = {float(q) for q in quantiles}
    cached = memo.get(key) if memo is not None else None
    if cached is None or not wanted <= cached[0]:
        qs = wanted | set(CACHE_QUANTILES) | (cached[0] if cached else set())
        cached = (qs, *_metric_stats(series, metric, stat, sorted(qs), valid_range))
        if memo is not None:
            memo[key] = cached
    frame = cached[1]
    qcols = list(dict.fromkeys(quantile_column(q) for q in quantiles))
    frame = frame[["count", "hours", "mean", "max", *qcols, "duplicates", "gaps", "invalid", "period_s",
                   "first_ts", "last_ts"]]
    if resource_ids is not None:  # hash lookups, kept in the frame's order
        pos = frame.index.get_indexer(pd.Index(list(resource_ids), dtype=frame.index.dtype))
        pos = np.unique(pos[pos >= 0])
        if pos.size < len(frame):
            frame = frame.iloc[pos]
    return frame.copy()


def memoised_order_statistics(snapshot: Snapshot, metric: str, q: float,
                              stat: str | None = "Maximum") -> dict[str, tuple[float, float, int]]:
    """Per resource, the two order statistics quantile ``q`` of its ``metric`` interpolates
    between and the count of valid points, as a rule already computed them for this Snapshot
    (:func:`snapshot_stats` with the default valid range, no ``since``); empty when none did (this
    never computes). A reader that holds the same points can interpolate them in its own
    dtype: the trade-off's peak utilisation reads the rules' work instead of repeating it."""
    memo = _memo_for(snapshot)
    valid = (0.0, 100.0) if metric in PERCENT_METRICS else None
    cached = memo.get((metric, stat, valid, None)) if memo is not None else None
    if cached is None or float(q) not in cached[0]:
        return {}
    qs, frame, order = cached
    k = sorted(qs).index(float(q))
    return dict(zip(frame.index.tolist(), zip(order[:, k, 0].tolist(), order[:, k, 1].tolist(),
                                              frame["count"].tolist())))


def stats_by_resource(snapshot: Snapshot, metric: str, q: float,
                      stat: str | None = "Maximum") -> dict[str, dict[str, Any]]:
    """resource_id -> {count, hours, max, period_s, p..} of :func:`snapshot_stats`, as plain Python
    numbers (pandas per-cell access costs ~80 us; a dict lookup per resource keeps rules linear)."""
    frame = snapshot_stats(snapshot, metric, stat=stat, quantiles=(q,))
    cols = ["count", "hours", "max", "period_s", quantile_column(q)]
    rows = (dict(zip(cols, values)) for values in zip(*(frame[c].tolist() for c in cols)))
    return dict(zip(frame.index.tolist(), rows))


def totals_by_resource(snapshot: Snapshot, *metrics: str) -> dict[str, float]:
    """resource_id -> the sum of every point of its ``metrics`` series over the lookback."""
    out: dict[str, float] = {}
    for metric in metrics:
        for m in select_series(snapshot.metrics, metric):
            out[m.resource_id] = out.get(m.resource_id, 0.0) + float(np.nansum(m.values))
    return out
