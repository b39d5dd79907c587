"""What the metrics say about a serving resource's load and latency.

From the ``requests`` series (count per period, summed over the resource's instances) the
hourly request counts give the peak rate the latency model is evaluated at (a high quantile
of hourly rates: diurnal peaks matter, a single spike less). From ``latency_ms``:

* the **service time** S = a low quantile of the latency points (latency at low load, when
  hardly anyone waits), and
* the **observed latency in busy hours** (points in hours whose request count is at or above
  a high quantile), used to calibrate the model: the model's prediction for today's setup is
  compared with it and the ratio is carried to the prediction after the change.

All per resource, vectorised over points with numpy; no loop over points in Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np

from costopt.metrics import select_series
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


def observe(metrics: Sequence[MetricSeries], resource_ids: Sequence[str], params: TradeoffParams,
            quantiles: Sequence[float] = (0.95, 0.99)) -> dict[str, Observed]:
    """Observed load and latency for each of ``resource_ids`` (missing data noted, not guessed)."""
    wanted = set(resource_ids)
    req_by: dict[str, list[MetricSeries]] = {}
    lat_by: dict[str, list[MetricSeries]] = {}
    for s in select_series(metrics, "requests"):
        if s.resource_id in wanted:
            req_by.setdefault(s.resource_id, []).append(s)
    for s in select_series(metrics, "latency_ms"):
        if s.resource_id in wanted:
            lat_by.setdefault(s.resource_id, []).append(s)
    out: dict[str, Observed] = {}
    for rid in resource_ids:
        notes: list[str] = []
        hours, counts = _hourly(*_pooled(req_by.get(rid, [])))
        peak = mean = None
        if counts.size == 0:
            notes.append("no request metrics")
        else:
            if counts.size < params.min_request_hours:
                notes.append(f"only {counts.size} hours of request metrics (want {params.min_request_hours})")
            peak = float(np.quantile(counts, params.peak_hour_quantile)) / 3600.0
            mean = float(counts.mean()) / 3600.0
        lts, lvs = _pooled(lat_by.get(rid, []))
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
            busy = {q: float(np.quantile(chosen, q)) for q in quantiles}
            if service <= 0:
                service = None
                notes.append("latency at low load is 0 ms")
        out[rid] = Observed(rid, counts, peak, mean, service, busy, int(lvs.size), tuple(notes))
    return out
