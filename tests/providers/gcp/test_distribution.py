"""Cloud Monitoring DISTRIBUTION points are read as the percentile the series asks for.

A test-local gRPC ``ListTimeSeries`` server answers the real MetricServiceClient with
DISTRIBUTION-valued points shaped like ``google.api.Distribution`` (count, mean,
bucketOptions, bucketCounts). The oracle spreads each bucket's count evenly over the bucket
and takes numpy's percentile: an independent reading of the same histogram.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from google.api import metric_pb2
from google.cloud import monitoring_v3

from costopt.demo.fakes.gcp_monitoring import FakeMonitoring
from costopt.model import Window
from costopt.providers.gcp.clients import GcpClients, GcpEndpoints
from costopt.providers.gcp.monitoring import METRICS, read_metric
from costopt.providers.gcp.vertex import endpoint_id

PROJECT = "latency-project"
NOW = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)
WINDOW = Window(NOW - timedelta(hours=1), NOW)
LATENCY = next(m for m in METRICS if m.name == "latency_ms")
BOUNDS = [0.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0]  # explicit bucket bounds, ms
COUNTS = [0, 400, 300, 150, 80, 50, 20, 0]  # underflow, 6 finite buckets, overflow


def spread_oracle(bounds, counts, q):
    values = []
    for i, n in enumerate(counts[1:len(bounds)], start=1):
        lo, hi = bounds[i - 1], bounds[i]
        values.extend(lo + (hi - lo) * (k + 0.5) / n for k in range(n))
    return float(np.percentile(values, q * 100))


class DistributionMonitoring(FakeMonitoring):
    """Answers every request with one endpoint series of DISTRIBUTION points."""

    def __init__(self, options: str):
        super().__init__([])
        self.options = options

    def _list(self, request, context):
        self.requests.append(request)
        response = monitoring_v3.ListTimeSeriesResponse.pb()()
        ts = response.time_series.add()
        ts.metric.type = LATENCY.metric_type
        ts.resource.type = LATENCY.resource_type
        ts.resource.labels.update({"resource_container": PROJECT, "location": "us-central1", "endpoint_id": "42"})
        ts.metric_kind = metric_pb2.MetricDescriptor.MetricKind.DELTA
        ts.value_type = metric_pb2.MetricDescriptor.ValueType.DISTRIBUTION
        for when in range(int(WINDOW.end.timestamp()) - 600, int(WINDOW.end.timestamp()), 300):
            point = ts.points.add()
            point.interval.end_time.seconds = when
            dist = point.value.distribution_value
            dist.count = sum(COUNTS)
            dist.mean = 31.0
            if self.options == "explicit":
                dist.bucket_options.explicit_buckets.bounds.extend(BOUNDS)
                dist.bucket_counts.extend(COUNTS)
            else:  # exponential: scale 1, growth 2 -> bounds 1, 2, 4, ..., 256
                dist.bucket_options.exponential_buckets.num_finite_buckets = 8
                dist.bucket_options.exponential_buckets.growth_factor = 2.0
                dist.bucket_options.exponential_buckets.scale = 1.0
                dist.bucket_counts.extend([0, 0, 0, 100, 300, 400, 150, 40, 10])  # trailing overflow omitted
        return response


@pytest.mark.parametrize("options", ["explicit", "exponential"])
def test_distribution_points_are_read_as_their_95th_percentile(options):
    with DistributionMonitoring(options) as fake:
        client = GcpClients(None, GcpEndpoints(monitoring=fake.target)).monitoring()
        rid = endpoint_id(PROJECT, "us-central1", "42")
        series = read_metric(client, PROJECT, LATENCY, WINDOW, {rid})
    assert len(series) == 1
    s = series[0]
    assert s.metric == "latency_ms" and s.stat == "p95" and s.unit == "Milliseconds"  # a percentile, named so
    if options == "explicit":
        expected = spread_oracle(BOUNDS, COUNTS, 0.95)
    else:
        expected = spread_oracle([2.0 ** i for i in range(9)], [0, 0, 0, 100, 300, 400, 150, 40, 10, 0], 0.95)
    assert s.values == pytest.approx([expected] * len(s.values), rel=0.02)
    assert s.values.min() > 31.0  # not the mean, and not 0 (the absent double_value)
