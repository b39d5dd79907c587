"""Bulk CloudWatch points for the in-process demo account (moto), served by GetMetricData.

Why this exists: moto parses every PutMetricData point through the wire protocol (~170 us a
point) and answers GetMetricData by scanning every stored point once per period of every
query — quadratic, minutes for 14 days of 5-minute points. The demo needs ~200k points and
must finish in seconds, so:

- every demo series still goes through the real ``put_metric_data`` API for its first point
  (so ``ListMetrics`` shows it with its exact dimensions), and the rest of its points are kept
  here in numpy arrays (:class:`BulkMetrics`);
- while :func:`serving` is active, moto's CloudWatch ``get_metric_data`` is replaced by a
  vectorised one that merges moto's own points with these, buckets them by period and
  computes the statistic. The adapter's requests and responses still cross botocore (CBOR
  protocol, pagination) exactly as against AWS.

The points are statistic sets, which keep no percentiles. A series may carry request
percentiles per point besides (:meth:`BulkMetrics.add_percentiles`: the demo's endpoints
know their queue's p50..p99 per period); an extended statistic (``Stat: "p95"``) is answered
from those at their own period, and with no values at a coarser period (percentiles of
periods do not combine) or for a series without them, as CloudWatch does for statistic sets.

Only the demo uses this; the adapter's tests run against stock moto.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import numpy as np
from moto.cloudwatch.models import CloudWatchBackend

Key = tuple[str, str, tuple[tuple[str, str], ...]]  # namespace, metric name, sorted dimensions
PERCENTILE_STATS = ("p50", "p90", "p95", "p99")  # the extended statistics a series may carry


def metric_key(namespace: str, name: str, dims: list[dict[str, str]] | dict[str, str]) -> Key:
    pairs = dims.items() if isinstance(dims, dict) else ((d["Name"], d["Value"]) for d in dims)
    return namespace, name, tuple(sorted((str(k), str(v)) for k, v in pairs))


class BulkMetrics:
    """Points per (account, region, metric key): epoch seconds, min, max, sum, sample count."""

    def __init__(self) -> None:
        self.data: dict[tuple[str, str], dict[Key, list[np.ndarray]]] = {}
        self.extended: dict[tuple[str, str], dict[Key, tuple[np.ndarray, dict[str, np.ndarray]]]] = {}

    def add(self, account: str, region: str, key: Key, ts: np.ndarray, avg: np.ndarray, mx: np.ndarray,
            samples: int = 5) -> None:
        ts = np.asarray(ts, dtype=np.int64)
        avg = np.asarray(avg, dtype=np.float64)
        mx = np.maximum(np.asarray(mx, dtype=np.float64), avg)
        n = np.full(ts.shape, float(samples))
        self.data.setdefault((account, region), {})[key] = [ts, np.minimum(avg, mx), mx, avg * n, n]

    def add_percentiles(self, account: str, region: str, key: Key, ts: np.ndarray,
                        values: dict[str, np.ndarray]) -> None:
        """Request percentiles per point of ``key``: {"p95": array, ...}, aligned with ``ts``."""
        self.extended.setdefault((account, region), {})[key] = (
            np.asarray(ts, dtype=np.int64), {k: np.asarray(v, dtype=np.float64) for k, v in values.items()})

    def percentiles(self, account: str, region: str, key: Key, stat: str) -> tuple[np.ndarray, np.ndarray] | None:
        ts, values = self.extended.get((account, region), {}).get(key, (None, {}))
        return None if ts is None or stat not in values else (ts, values[stat])

    def points(self, account: str, region: str, key: Key) -> list[np.ndarray] | None:
        return self.data.get((account, region), {}).get(key)

    def count(self) -> int:
        return sum(int(v[0].size) for per in self.data.values() for v in per.values())


def _moto_points(backend: Any, key: Key) -> list[np.ndarray] | None:
    """Points moto stored itself (via put_metric_data) for ``key``, as arrays."""
    rows = []
    for md in backend.metric_data:
        if (md.namespace, md.name) != key[:2]:
            continue
        if tuple(sorted((d.name, d.value) for d in md.dimensions)) != key[2]:
            continue
        t = int(md.timestamp.timestamp())
        if hasattr(md, "value"):
            v = float(md.value)
            rows.append((t, v, v, v, 1.0))
        else:
            rows.append((t, float(md.min), float(md.max), float(md.sum), float(md.sample_count)))
    if not rows:
        return None
    arr = np.asarray(rows, dtype=np.float64)
    return [arr[:, 0].astype(np.int64), arr[:, 1], arr[:, 2], arr[:, 3], arr[:, 4]]


def aggregate(parts: list[list[np.ndarray]], start: int, end: int, period: int, stat: str) -> tuple[np.ndarray, np.ndarray]:
    """(bucket start epochs, statistic) of the points in [start, end) grouped by ``period``."""
    ts, mn, mx, sm, n = (np.concatenate([p[i] for p in parts]) for i in range(5))
    keep = (ts >= start) & (ts < end)
    ts, mn, mx, sm, n = ts[keep], mn[keep], mx[keep], sm[keep], n[keep]
    if ts.size == 0:
        return np.empty(0, np.int64), np.empty(0)
    bucket = (ts - start) // period
    order = np.argsort(bucket, kind="stable")
    bucket, mn, mx, sm, n = bucket[order], mn[order], mx[order], sm[order], n[order]
    uniq, first = np.unique(bucket, return_index=True)
    if stat == "Maximum":
        vals = np.maximum.reduceat(mx, first)
    elif stat == "Minimum":
        vals = np.minimum.reduceat(mn, first)
    elif stat == "Sum":
        vals = np.add.reduceat(sm, first)
    elif stat == "SampleCount":
        vals = np.add.reduceat(n, first)
    elif stat == "Average":
        vals = np.add.reduceat(sm, first) / np.add.reduceat(n, first)
    else:  # a percentile: statistic sets (min, max, sum, count) keep none, as in CloudWatch
        return np.empty(0, np.int64), np.empty(0)
    return start + uniq * period, vals


def aggregate_percentile(points: tuple[np.ndarray, np.ndarray] | None, start: int, end: int,
                         period: int) -> tuple[np.ndarray, np.ndarray]:
    """(bucket start epochs, values) of one stored percentile; empty unless every bucket holds
    one point (asked at the points' own period)."""
    empty = np.empty(0, np.int64), np.empty(0)
    if points is None:
        return empty
    ts, vs = points
    keep = (ts >= start) & (ts < end)
    ts, vs = ts[keep], vs[keep]
    bucket = (ts - start) // period
    if ts.size == 0 or np.unique(bucket).size != bucket.size:
        return empty
    order = np.argsort(bucket, kind="stable")
    return start + bucket[order] * period, vs[order]


def _fast_get_metric_data(bulk: BulkMetrics):
    def get_metric_data(self, queries, start_time, end_time, scan_by="TimestampAscending"):
        start, end = int(start_time.timestamp()), int(end_time.timestamp())
        results = []
        for q in queries:
            ms = q.get("MetricStat")
            if ms is None:
                continue
            metric = ms["Metric"]
            key = metric_key(metric["Namespace"], metric["MetricName"], metric.get("Dimensions", []))
            if ms["Stat"] in PERCENTILE_STATS:
                ts, vals = aggregate_percentile(bulk.percentiles(self.account_id, self.region_name, key, ms["Stat"]),
                                                start, end, int(ms["Period"]))
            else:
                parts = [p for p in (bulk.points(self.account_id, self.region_name, key), _moto_points(self, key)) if p]
                ts, vals = aggregate(parts, start, end, int(ms["Period"]), ms["Stat"]) if parts else ([], [])
            stamps = [datetime.fromtimestamp(int(t), tz=UTC) for t in ts]
            values = [float(v) for v in vals]
            if scan_by == "TimestampDescending":
                stamps.reverse()
                values.reverse()
            if q.get("ReturnData", True):
                results.append({"id": q["Id"], "label": q.get("Label") or f"{metric['MetricName']} {ms['Stat']}",
                                "values": values, "timestamps": stamps, "status_code": "Complete"})
        return results

    return get_metric_data


@contextlib.contextmanager
def serving(bulk: BulkMetrics) -> Iterator[BulkMetrics]:
    """Serve ``bulk`` through moto's CloudWatch GetMetricData while the block runs."""
    original = CloudWatchBackend.get_metric_data
    CloudWatchBackend.get_metric_data = _fast_get_metric_data(bulk)
    try:
        yield bulk
    finally:
        CloudWatchBackend.get_metric_data = original
