"""Read a Cloud Monitoring point's value; a DISTRIBUTION is reduced to the statistic asked for.

Why: latency metrics (e.g. Vertex AI ``prediction_latencies``) are DISTRIBUTION-valued. When
the server does not align them to a double (an aligner it cannot apply, a raw read), the point
holds a ``google.api.Distribution``: reading its absent ``double_value`` gives 0 ms, a silently
wrong latency. Here a distribution is read as the percentile named by the series' statistic
("p95" -> the 95th percentile, interpolated within the bucket that holds that rank), its mean
for "Average", and its highest occupied bucket for "Maximum". Bucket bounds follow the
documented ``BucketOptions``: linear (offset + width x i), exponential (scale x growth^i) or
explicit bounds, with an underflow bucket first and an overflow bucket last.
"""

from __future__ import annotations

import math
import re


def _bounds(options) -> list[float]:
    """The finite bucket boundaries of ``options`` (N finite buckets -> N + 1 boundaries)."""
    kind = options.WhichOneof("options")
    if kind == "linear_buckets":
        lin = options.linear_buckets
        return [lin.offset + lin.width * i for i in range(lin.num_finite_buckets + 1)]
    if kind == "exponential_buckets":
        exp = options.exponential_buckets
        return [exp.scale * exp.growth_factor ** i for i in range(exp.num_finite_buckets + 1)]
    if kind == "explicit_buckets":
        return list(options.explicit_buckets.bounds)
    return []


def percentile(dist, q: float) -> float | None:
    """The ``q`` quantile (0..1) of a ``google.api.Distribution`` message, None when it is empty."""
    counts = list(dist.bucket_counts)
    total = sum(counts) or int(dist.count)
    if total <= 0:
        return None
    bounds = _bounds(dist.bucket_options)
    if not bounds or not counts:
        return float(dist.mean)
    rank = q * total
    seen = 0.0
    for i, n in enumerate(counts):
        if n and seen + n >= rank:
            if i == 0:  # underflow bucket: below the first bound
                return bounds[0]
            if i > len(bounds) - 1:  # overflow bucket: above the last bound
                return bounds[-1]
            lo, hi = bounds[i - 1], bounds[i]
            return lo + (hi - lo) * (rank - seen) / n
        seen += n
    return bounds[-1]


def point_value(point, stat: str) -> float | None:
    """A point's number: double or int64 as is, a DISTRIBUTION reduced to ``stat``, else None."""
    kind = point.value.WhichOneof("value")
    if kind == "double_value":
        return point.value.double_value
    if kind == "int64_value":
        return float(point.value.int64_value)
    if kind == "bool_value":
        return 1.0 if point.value.bool_value else 0.0
    if kind == "distribution_value":
        dist = point.value.distribution_value
        m = re.fullmatch(r"p(\d+(?:\.\d+)?)", stat)
        if m:
            return percentile(dist, float(m.group(1)) / 100.0)
        if stat == "Maximum":
            return percentile(dist, 1.0)
        return float(dist.mean) if dist.count else None
    return None


def finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)
