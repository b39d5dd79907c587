"""What the metrics say about a serving resource's load and latency.

From the ``requests`` series (count per period, summed over the resource's instances) the
hourly request counts give the peak rate the latency model is evaluated at (a high quantile
of hourly rates: diurnal peaks matter, a single spike less). From ``latency_ms``:

* the **service time** S = a low quantile of the latency points (latency at low load, when
  hardly anyone waits), and
* the **observed latency in busy hours** (points in hours whose request count is at or above
  a high quantile), used to calibrate the model: the model's prediction for today's setup is
  compared with it and the ratio is carried to the prediction after the change.

Latency series come in several statistics (a provider may report Average and Maximum per
period); one is used per resource, in this order: a percentile statistic (``p95``...),
``Average``, anything else. Percentiles over time are computed from the chosen points.

Without request metrics (an EC2 fleet behind a load balancer), the load can still be read
from utilisation: the peak CPU (or GPU) utilisation is the M/M/c utilisation rho, so
``lambda = rho x c / S`` (see :mod:`predict`). A group (Auto Scaling group) pools the
series of its member instances (``attributes["instance_ids"]``).

All per resource, vectorised over points with numpy; no loop over points in Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np

from costopt.model import MetricSeries
from costopt.tradeoff.params import TradeoffParams


@dataclass(frozen=True)
class Observed:
    """Load and latency facts of one resource over the lookback."""

    resource_id: str
    hourly_requests: np.ndarray = field(default_factory=lambda: np.zeros(0))  # per hour, in time order
    peak_rps: float | None = None
    mean_rps: float | None = None
    service_ms: float | None = None
    busy_latency_ms: Mapping[float, float] = field(default_factory=dict)  # quantile -> ms
    latency_points: int = 0
    latency_stat: str = ""
    peak_cpu: float | None = None  # fraction 0..1 (high quantile of points)
    peak_gpu: float | None = None
    notes: tuple[str, ...] = ()

    @property
    def request_hours(self) -> int:
        return int(self.hourly_requests.size)

    @property
    def total_requests(self) -> float:
        return float(self.hourly_requests.sum()) if self.hourly_requests.size else 0.0

    def cold_starts(self) -> int:
        """Idle hours followed by an hour with traffic: each costs at least one cold start."""
        h = self.hourly_requests
        if h.size < 2:
            return 0
        return int(np.sum((h[:-1] <= 0) & (h[1:] > 0)))


def _pooled(series: Sequence[MetricSeries]) -> tuple[np.ndarray, np.ndarray]:
    ts = np.concatenate([s.timestamps for s in series]) if series else np.zeros(0, dtype=np.int64)
    vs = np.concatenate([s.values for s in series]) if series else np.zeros(0)
    ok = np.isfinite(vs) & (vs >= 0)
    return ts[ok], vs[ok]


def _hourly(ts: np.ndarray, vs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hour starts (continuous, gaps filled with 0 only inside the observed span) and sums."""
    if ts.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    ts_u, first = np.unique(ts, return_index=True)
    vs_u = vs[first]
    hours = (ts_u // 3600) * 3600
    h0, h1 = int(hours.min()), int(hours.max())
    idx = ((hours - h0) // 3600).astype(np.int64)
    sums = np.bincount(idx, weights=vs_u, minlength=(h1 - h0) // 3600 + 1)
    covered = np.bincount(idx, minlength=sums.size) > 0
    starts = h0 + np.arange(sums.size, dtype=np.int64) * 3600
    return starts[covered], sums[covered]


def _stat_rank(stat: str) -> int:
    low = stat.lower()
    if low.startswith("p") and low[1:].replace(".", "", 1).isdigit():
        return 0
    return 1 if low == "average" else 2


def _latency_series(series: Sequence[MetricSeries]) -> tuple[list[MetricSeries], str]:
    if not series:
        return [], ""
    best = min(_stat_rank(s.stat) for s in series)
    chosen = [s for s in series if _stat_rank(s.stat) == best]
    stat = chosen[0].stat
    return [s for s in chosen if s.stat == stat], stat


def _peak_util(series: Sequence[MetricSeries]) -> float | None:
    _, vs = _pooled(series)
    vs = vs[vs <= 100.0]
    return None if vs.size == 0 else float(np.quantile(vs, 0.99)) / 100.0


def observe(metrics: Sequence[MetricSeries], resource_ids: Sequence[str], params: TradeoffParams,
            quantiles: Sequence[float] = (0.95, 0.99),
            members: Mapping[str, Sequence[str]] | None = None) -> dict[str, Observed]:
    """Observed load and latency for each of ``resource_ids`` (missing data noted, not guessed).

    ``members`` maps a group's id to its member instances, whose series are pooled into it.
    """
    members = members or {}
    owner: dict[str, list[str]] = {}
    for rid in resource_ids:
        for source in (rid, *members.get(rid, ())):
            owner.setdefault(source, []).append(rid)
    by: dict[tuple[str, str], list[MetricSeries]] = {}
    for s in metrics:
        if s.metric in ("requests", "latency_ms", "cpu", "gpu") and s.resource_id in owner:
            for rid in owner[s.resource_id]:
                by.setdefault((rid, s.metric), []).append(s)
    out: dict[str, Observed] = {}
    for rid in resource_ids:
        notes: list[str] = []
        hours, counts = _hourly(*_pooled(by.get((rid, "requests"), [])))
        peak = mean = None
        if counts.size == 0:
            notes.append("no request metrics")
        else:
            if counts.size < params.min_request_hours:
                notes.append(f"only {counts.size} hours of request metrics (want {params.min_request_hours})")
            peak = float(np.quantile(counts, params.peak_hour_quantile)) / 3600.0
            mean = float(counts.mean()) / 3600.0
        lat_series, stat = _latency_series(by.get((rid, "latency_ms"), []))
        lts, lvs = _pooled(lat_series)
        service = None
        busy: dict[float, float] = {}
        if lvs.size < params.min_latency_points:
            notes.append(f"{lvs.size} latency points (want {params.min_latency_points})")
        else:
            service = float(np.quantile(lvs, params.service_time_quantile))
            chosen = lvs
            if counts.size:
                threshold = np.quantile(counts, params.busy_hour_quantile)
                busy_hours = hours[counts >= threshold]
                in_busy = np.isin((lts // 3600) * 3600, busy_hours)
                if in_busy.sum() >= params.min_latency_points:
                    chosen = lvs[in_busy]
            busy = dict(zip(quantiles, np.quantile(chosen, list(quantiles)).tolist()))
            if service <= 0:
                service = None
                notes.append("latency at low load is 0 ms")
        out[rid] = Observed(rid, counts, peak, mean, service, busy, int(lvs.size), stat,
                            _peak_util(by.get((rid, "cpu"), [])), _peak_util(by.get((rid, "gpu"), [])), tuple(notes))
    return out
