"""The demo's bulk CloudWatch store answers extended statistics only where it can: a series'
own percentiles at their own period; nothing at a coarser period or for statistic sets."""

from __future__ import annotations

import numpy as np

from costopt.demo.moto_metrics import BulkMetrics, aggregate, aggregate_percentile, metric_key

KEY = metric_key("AWS/SageMaker", "ModelLatency", {"EndpointName": "e", "VariantName": "AllTraffic"})


def test_percentiles_served_at_their_own_period_only():
    bulk = BulkMetrics()
    hours = np.arange(6, dtype=np.int64) * 3600
    bulk.add_percentiles("1", "us-east-1", KEY, hours, {"p95": hours / 3600.0 + 10.0})
    stored = bulk.percentiles("1", "us-east-1", KEY, "p95")
    ts, vs = aggregate_percentile(stored, 3600, 5 * 3600, 3600)
    assert ts.tolist() == [3600, 7200, 10800, 14400] and vs.tolist() == [11.0, 12.0, 13.0, 14.0]
    ts, vs = aggregate_percentile(stored, 0, 6 * 3600, 2 * 3600)  # two hourly p95s per bucket: no value
    assert ts.size == 0 and vs.size == 0
    assert bulk.percentiles("1", "us-east-1", KEY, "p99") is None
    assert aggregate_percentile(None, 0, 3600, 300)[0].size == 0


def test_statistic_sets_answer_no_percentile():
    bulk = BulkMetrics()
    ts = np.arange(4, dtype=np.int64) * 300
    bulk.add("1", "us-east-1", KEY, ts, np.full(4, 20.0), np.full(4, 90.0))
    parts = [bulk.points("1", "us-east-1", KEY)]
    assert aggregate(parts, 0, 1200, 300, "p95")[0].size == 0
    assert aggregate(parts, 0, 1200, 600, "Average")[1].tolist() == [20.0, 20.0]
