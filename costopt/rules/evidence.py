"""Positive evidence before a removal: how many hours of metric data a resource has.

Why: a resource with no metric points is not idle, it is unobserved — CloudWatch may have
failed, a permission may be missing, the agent may not run. Rules that delete, stop or cut
capacity on low usage first ask :func:`observed_hours` for the resource and skip (naming the
fix) when the metrics cover fewer hours than their ``min_hours``; only then does a low value
count as idleness.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

import numpy as np

from costopt.metrics import select_series
from costopt.model import Snapshot

AWS_METRICS_FIX = ("metrics missing or GetMetricData failed (see the coverage section); fix: grant "
                   "cloudwatch:GetMetricData and cloudwatch:ListMetrics and re-run")


def observed_hours(snapshot: Snapshot, names: Iterable[str],
                   only: Collection[str] | None = None) -> dict[str, float]:
    """resource_id -> hours of the lookback covered by points of any of the metrics ``names``
    (distinct timestamps x the series' period, the best-covered series counting); with
    ``only``, just for those resource ids (a rule about endpoints need not count the points of
    every VM's CPU series)."""
    best: dict[str, float] = {}
    for name in names:
        for m in select_series(snapshot.metrics, name):
            if only is not None and m.resource_id not in only:
                continue
            if not m.timestamps.size:
                continue
            hours = np.unique(m.timestamps).size * m.period_s / 3600.0
            best[m.resource_id] = max(best.get(m.resource_id, 0.0), hours)
    return best
