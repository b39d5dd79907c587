"""What the metrics say about a serving resource's load and latency.

From the ``requests`` series (count per period, summed over the resource's instances) the
hourly request counts give the peak rate the latency model is evaluated at (a high quantile
of hourly rates: diurnal peaks matter, a single spike less). From ``latency_ms``, one value
per statistic the provider reports per period (``p50``, ``p90``, ``p95``, ``p99``: request
percentiles; ``Average``: the mean; Maximum/Minimum/Sum are not used):

* the **service time** from the **low-load hours** (request count at or below a low
  quantile, when hardly anyone waits): its mean is the median ``Average`` there (else the
  lognormal fitted to the percentiles); its coefficient of variation is fitted when two
  statistics allow it (``p50`` with ``p95``/``p99``/``p90``, or ``Average`` with one
  percentile: a lognormal through both). Without request counts the low quantile
  (``service_time_quantile``) of the points stands in for "low load";
* the **busy-hour observation** of each statistic (median of its points in hours at or above
  a high quantile of request counts) and the mean request rate of those hours: the
  goodness-of-fit check compares the model's prediction for today's set-up with it.

A percentile series is never read as a service time on its own: the p95 of a period is a
tail, not a typical request.

The audit names the statistic each prediction rests on (:func:`stat_label`): a request
percentile with where it comes from ("p95 (CloudWatch extended statistic)"), or "Average".

Without request metrics (an EC2 fleet behind a load balancer), the load can still be read
from utilisation: the peak CPU (or GPU) utilisation is the utilisation rho, so
``lambda = rho x c / S`` (see :mod:`predict`). A group (Auto Scaling group) pools the
series of its member instances (``attributes["instance_ids"]``).

All per resource, vectorised over points with numpy; no loop over points in Python.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

import numpy as np

from costopt.model import MetricSeries
from costopt.tradeoff.params import TradeoffParams

# Where each provider's request percentiles come from, as the audit names them.
PERCENTILE_SOURCES = {"aws": "CloudWatch extended statistic", "gcp": "Cloud Monitoring distribution percentile",
                      "azure": "Azure Monitor percentile"}


@dataclass(frozen=True, slots=True)
class Observed:
    """Load and latency facts of one resource over the lookback."""

    resource_id: str
    hourly_requests: np.ndarray = field(default_factory=lambda: np.zeros(0))  # per hour, in time order
    peak_rps: float | None = None
    mean_rps: float | None = None
    service_ms: float | None = None  # mean service time (latency at low load)
    service_cv: float | None = None  # fitted from two statistics at low load, else None
    service_basis: str = ""  # which statistics the service time rests on
    busy_latency_ms: Mapping[str, float] = field(default_factory=dict)  # statistic -> ms in busy hours
    busy_rps: float | None = None  # mean request rate of the busy hours
    latency_points: int = 0
    latency_stat: str = ""  # the statistics used, e.g. "Average" or "p50,p95,p99"
    peak_cpu: float | None = None  # fraction 0..1 (high quantile of points)
    peak_gpu: float | None = None
    notes: tuple[str, ...] = ()
    hour_starts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # of hourly_requests
    provider: str = ""  # whose metrics these are (names the percentiles' source)

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
    if len(series) == 1:  # no copy to concatenate: the mask below makes the new arrays
        ts, vs = series[0].timestamps, series[0].values
    else:
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


def percentile_of(stat: str) -> float | None:
    """0.95 for "p95" (also "P95", "p95.0"); None for anything that is not a percentile."""
    low = stat.lower()
    if low.startswith("p") and low[1:].replace(".", "", 1).isdigit():
        q = float(low[1:]) / 100.0
        return q if 0.0 < q < 1.0 else None
    return None


def stat_label(stat: str, provider: str = "") -> str:
    """"p95 (CloudWatch extended statistic)" for a request percentile, the name itself otherwise."""
    if percentile_of(stat) is None:
        return stat
    return f"{stat} ({PERCENTILE_SOURCES.get(provider, 'request percentile')})"


def stats_label(stats: Sequence[str], provider: str = "") -> str:
    """The statistics read, e.g. "Average" or "Average; p50, p95 (CloudWatch extended statistics)"."""
    plain = [s for s in stats if percentile_of(s) is None]
    pct = sorted((s for s in stats if percentile_of(s) is not None), key=lambda s: percentile_of(s) or 0.0)
    parts = list(plain)
    if pct:
        parts.append(f"{', '.join(pct)} ({PERCENTILE_SOURCES.get(provider, 'request percentile')}s)")
    return "; ".join(parts)


def _by_stat(series: Sequence[MetricSeries]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Pooled (timestamps, values) per usable statistic, keyed "Average" or "pNN"."""
    groups: dict[str, list[MetricSeries]] = {}
    for s in series:
        share = percentile_of(s.stat)
        if s.stat.lower() == "average" or share is not None:
            key = "Average" if share is None else f"p{share * 100:g}"
            groups.setdefault(key, []).append(s)
    return {k: _pooled(v) for k, v in groups.items()}


def fit_service(values: Mapping[str, float]) -> tuple[float | None, float | None, str]:
    """Mean and cv of a lognormal service time from low-load statistics (ms), and the basis.

    ``p50`` with a higher percentile fixes both lognormal parameters; ``Average`` with one
    percentile does too; ``Average`` alone gives the mean only (cv None)."""
    mean = values.get("Average")
    tails = sorted((percentile_of(k), v) for k, v in values.items() if k != "Average" and k != "p50")
    median = values.get("p50")
    q, tail = tails[-1] if tails else (None, None)
    if median is not None and median > 0 and q is not None and q > 0.5 and tail is not None and tail >= median:
        sigma = math.log(tail / median) / NormalDist().inv_cdf(q)
        return median * math.exp(sigma * sigma / 2.0), math.sqrt(math.expm1(sigma * sigma)), f"p50 and {_name(q)} at low load"
    if mean is not None and mean > 0 and q is not None and q > 0.5 and tail is not None and tail >= mean:
        z = NormalDist().inv_cdf(q)
        disc = z * z - 2.0 * math.log(tail / mean)  # ln(tail) = ln(mean) - s^2/2 + z s
        if disc >= 0:
            sigma = z - math.sqrt(disc)
            return mean, math.sqrt(math.expm1(sigma * sigma)), f"Average and {_name(q)} at low load"
    if mean is not None and mean > 0:
        return mean, None, "Average at low load"
    if median is not None and median > 0:
        return median, None, "p50 at low load (taken as the mean)"
    return None, None, ""


def _name(q: float) -> str:
    return f"p{q * 100:g}"


def _linear_at(n: int, q: float) -> tuple[int, int, float]:
    """numpy's linear method: the two order statistics around the virtual index (n - 1) q and the weight."""
    h = (n - 1) * q
    lo = min(max(int(math.floor(h)), 0), n - 1)
    return lo, min(lo + 1, n - 1), h - math.floor(h)


def quantile_linear(values: np.ndarray, q: float) -> float:
    """``np.quantile(values, q)`` for a 1-D array and a float ``q`` (the default linear method,
    bit for bit: virtual index (n - 1) q, the interpolation in the data's dtype) by one
    partition; numpy's generic quantile costs about ten times more on a few thousand points."""
    lo, hi, t = _linear_at(values.size, q)
    part = np.partition(values, (lo, hi) if hi != lo else lo)
    a, b = part[lo], part[hi]
    cast = part.dtype.type
    diff = b - a
    return float(b - diff * cast(1 - t) if t >= 0.5 else a + diff * cast(t))


def quantile_rows(block: np.ndarray, q: float) -> list[float]:
    """:func:`quantile_linear` of each row of a 2-D block (one partition for all rows; the same
    order statistics and the same arithmetic in the block's dtype, so the same floats)."""
    lo, hi, t = _linear_at(block.shape[1], q)
    part = np.partition(block, (lo, hi) if hi != lo else lo, axis=1)
    return _interpolate(part[:, lo], part[:, hi], t)


def _interpolate(a: np.ndarray, b: np.ndarray, t: float) -> list[float]:
    """numpy's linear interpolation between order statistics ``a`` <= ``b`` at weight ``t``, in
    their dtype (as :func:`quantile_linear` does it)."""
    cast = a.dtype.type
    diff = b - a
    return (b - diff * cast(1 - t) if t >= 0.5 else a + diff * cast(t)).tolist()  # type: ignore[no-any-return]


PEAK_QUANTILE = 0.99  # the peak utilisation: this quantile of the points in 0..100 %
PEAK_BLOCK = 256  # series partitioned together (~4 MB of float32 at 14 days of 5-minute points)


def _peak_util(series: Sequence[MetricSeries]) -> float | None:
    vs = series[0].values if len(series) == 1 else _pooled(series)[1]
    vs = vs[(vs >= 0) & (vs <= 100.0)]  # NaN and inf fail both comparisons: the points _pooled keeps, <= 100
    return None if vs.size == 0 else quantile_linear(vs, PEAK_QUANTILE) / 100.0


def peak_utilisations(groups: Mapping[Any, Sequence[MetricSeries]],
                      known: Mapping[Any, tuple[float, float, int]] | None = None) -> dict[Any, float | None]:
    """:func:`_peak_util` of each group of series. A group of one series whose points all lie
    in 0..100 joins the others of its length and dtype in 2-D blocks (one partition per
    block instead of one per series); the rest are computed one by one. ``known`` may give,
    per group, the two order statistics at PEAK_QUANTILE and the count of valid points that
    the rules already found for that one series (:func:`costopt.metrics.memoised_order_statistics`):
    when every point is valid they are the ones the partition would find, so only the
    interpolation (in the series' dtype) is left to do."""
    out: dict[Any, float | None] = {}
    alike: dict[tuple[int, Any], list[tuple[Any, np.ndarray]]] = {}
    ordered: dict[tuple[int, Any], list[tuple[Any, float, float]]] = {}
    for key, series in groups.items():
        vs = series[0].values if len(series) == 1 else None
        found = known.get(key) if known is not None and vs is not None else None
        if found is not None and vs is not None and vs.size and found[2] == vs.size:
            ordered.setdefault((vs.size, vs.dtype), []).append((key, found[0], found[1]))
        elif vs is not None and vs.size and vs.min() >= 0 and vs.max() <= 100.0:  # NaN fails both
            alike.setdefault((vs.size, vs.dtype), []).append((key, vs))
        else:
            out[key] = _peak_util(series)
    for (size, dtype), found_rows in ordered.items():
        t = _linear_at(size, PEAK_QUANTILE)[2]
        peaks = _interpolate(np.array([a for _, a, _ in found_rows], dtype=dtype),
                             np.array([b for _, _, b in found_rows], dtype=dtype), t)
        out.update((key, peak / 100.0) for (key, _, _), peak in zip(found_rows, peaks))
    for rows in alike.values():
        for start in range(0, len(rows), PEAK_BLOCK):
            chunk = rows[start:start + PEAK_BLOCK]
            peaks = quantile_rows(np.stack([vs for _, vs in chunk]), PEAK_QUANTILE)
            out.update((key, peak / 100.0) for (key, _), peak in zip(chunk, peaks))
    return out


SERIES_METRICS = ("requests", "latency_ms", "cpu", "gpu")


class Observations:
    """Observed load and latency per resource, computed when first asked for (most candidates
    of a large estate never need their resource's observation) and kept.

    The series are indexed by resource once; ``members`` maps a group's id to its member
    instances, whose series are pooled into it; ``providers`` a resource's id to its provider;
    ``order_statistics`` what the rules already know of the utilisation series (per metric, see
    :func:`peak_utilisations`).
    """

    def __init__(self, metrics: Sequence[MetricSeries], resource_ids: Sequence[str], params: TradeoffParams,
                 members: Mapping[str, Sequence[str]] | None = None,
                 providers: Mapping[str, str] | None = None,
                 order_statistics: Mapping[str, Mapping[str, tuple[float, float, int]]] | None = None) -> None:
        members = members or {}
        # metric -> series resource id -> the rules' order statistics at PEAK_QUANTILE (see peak_utilisations)
        self.order_statistics = order_statistics or {}
        self.params = params
        self.providers = providers or {}
        self.ids = frozenset(resource_ids)
        owner: dict[str, list[str]] = {}
        for rid in resource_ids:
            for source in (rid, *members.get(rid, ())):
                owner.setdefault(source, []).append(rid)
        self.series: dict[tuple[str, str], list[MetricSeries]] = {}
        for s in metrics:
            if s.resource_id in owner and s.metric in SERIES_METRICS:
                for rid in owner[s.resource_id]:
                    self.series.setdefault((rid, s.metric), []).append(s)
        self.known: dict[str, Observed] = {}
        self.peaks: dict[tuple[str, str], float | None] | None = None  # (id, cpu/gpu) -> peak, on first use

    def get(self, rid: str) -> Observed | None:
        """The observation of ``rid`` (None for a resource that is not among ``resource_ids``)."""
        found = self.known.get(rid)
        if found is None and rid in self.ids:
            if self.peaks is None:  # every resource's peak utilisation at once: batched partitions
                groups = {k: v for k, v in self.series.items() if k[1] in ("cpu", "gpu")}
                known = {k: order for k, v in groups.items() if len(v) == 1
                         and (order := self.order_statistics.get(k[1], {}).get(v[0].resource_id)) is not None}
                self.peaks = peak_utilisations(groups, known)
            found = self.known[rid] = _observe_one(rid, self.series, self.params, self.providers.get(rid, ""),
                                                   self.peaks)
        return found


def observe(metrics: Sequence[MetricSeries], resource_ids: Sequence[str], params: TradeoffParams,
            members: Mapping[str, Sequence[str]] | None = None,
            providers: Mapping[str, str] | None = None) -> dict[str, Observed]:
    """Observed load and latency for each of ``resource_ids`` (missing data noted, not guessed).

    ``members`` maps a group's id to its member instances, whose series are pooled into it;
    ``providers`` a resource's id to its provider (which names where percentiles come from).
    """
    found = Observations(metrics, resource_ids, params, members, providers)
    return {rid: obs for rid in resource_ids if (obs := found.get(rid)) is not None}


def _observe_one(rid: str, by: Mapping[tuple[str, str], list[MetricSeries]], params: TradeoffParams,
                 provider: str, peaks: Mapping[tuple[str, str], float | None]) -> Observed:
    notes: list[str] = []
    requests = by.get((rid, "requests"))
    hours, counts = _hourly(*_pooled(requests)) if requests else (np.zeros(0, dtype=np.int64), np.zeros(0))
    peak = mean = None
    if counts.size == 0:
        notes.append("no request metrics")
    else:
        if counts.size < params.min_request_hours:
            notes.append(f"only {counts.size} hours of request metrics (want {params.min_request_hours})")
        peak = quantile_linear(counts, params.peak_hour_quantile) / 3600.0
        mean = float(counts.mean()) / 3600.0
    stats = _by_stat(by.get((rid, "latency_ms"), []))
    points = max((v.size for _, v in stats.values()), default=0)
    low_values: dict[str, float] = {}
    busy: dict[str, float] = {}
    busy_rps = None
    if points < params.min_latency_points:
        notes.append(f"{points} latency points (want {params.min_latency_points})")
        stats = {}
    low_hours = busy_hours = None
    if counts.size:
        low_hours = hours[counts <= quantile_linear(counts, params.low_load_hour_quantile)]
        busy_mask = counts >= quantile_linear(counts, params.busy_hour_quantile)
        busy_hours, busy_rps = hours[busy_mask], float(counts[busy_mask].mean()) / 3600.0
    for key, (lts, lvs) in stats.items():
        hour_of = (lts // 3600) * 3600
        at_low = lvs[np.isin(hour_of, low_hours)] if low_hours is not None else np.zeros(0)
        low_values[key] = (float(np.median(at_low)) if at_low.size >= params.min_latency_points else
                           quantile_linear(lvs, params.service_time_quantile))
        at_busy = lvs[np.isin(hour_of, busy_hours)] if busy_hours is not None else np.zeros(0)
        if at_busy.size >= params.min_latency_points:
            busy[key] = float(np.median(at_busy))
    service, cv, basis = fit_service(low_values)
    if stats and service is None:
        notes.append("latency at low load is 0 ms")
    return Observed(rid, counts, peak, mean, service, cv, basis, busy, busy_rps if busy else None, points,
                    ",".join(sorted(stats)), peaks.get((rid, "cpu")), peaks.get((rid, "gpu")), tuple(notes), hours,
                    provider)
