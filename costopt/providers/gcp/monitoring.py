"""GCP utilisation from Cloud Monitoring (``MetricServiceClient.list_time_series``).

Metrics read per project, each aligned by the server (``ALIGN_MAX`` over 5 minutes; storage
bytes ``ALIGN_MEAN`` per day) and mapped to costopt's names:

- ``compute.googleapis.com/instance/cpu/utilization`` (fraction) x100 -> ``cpu`` percent;
- Ops Agent ``agent.googleapis.com/gpu/utilization`` -> ``gpu`` percent (several GPUs of one
  instance are merged by their maximum per timestamp);
- Ops Agent ``agent.googleapis.com/gpu/memory/bytes_used`` (state used) / the GPU's memory
  x100 -> ``gpu_memory`` percent (per GPU; the busiest GPU per timestamp);
- Ops Agent ``agent.googleapis.com/memory/percent_used`` (state=used) -> ``memory`` percent;
- ``compute.googleapis.com/instance/network/{received,sent}_bytes_count`` (ALIGN_SUM per 5
  minutes) -> ``network_in`` / ``network_out`` bytes;
- Vertex AI endpoints: ``prediction/online/prediction_count`` -> ``requests`` (sum per 5 min),
  ``prediction_latencies`` (a distribution, ALIGN_PERCENTILE_95) -> ``latency_ms`` stat ``p95``
  (a point still holding a distribution is read as its 95th percentile, never as 0 or a mean),
  ``cpu/utilization`` and ``accelerator/duty_cycle`` (fractions) x100 -> ``cpu`` / ``gpu``;
- ``storage.googleapis.com/api/request_count`` (method ReadObject, sum per day) -> ``gets``;
- ``storage.googleapis.com/storage/total_bytes`` -> ``bytes_stored`` (per storage class).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from costopt.model import MetricSeries, Window
from costopt.providers.gcp.clients import RETRY
from costopt.providers.gcp.distribution import finite, point_value
from costopt.providers.gcp.inventory import bucket_id, instance_id
from costopt.providers.gcp.vertex import endpoint_id


@dataclass(frozen=True)
class GcpMetric:
    metric_type: str
    resource_type: str
    name: str
    unit: str
    scale: float
    period_s: int
    aligner: str
    stat: str
    extra_filter: str = ""
    per_capacity: bool = False  # values are bytes: divide by the resource's capacity (x100 = percent)


METRICS = (
    GcpMetric("compute.googleapis.com/instance/cpu/utilization", "gce_instance", "cpu", "Percent", 100.0, 300,
              "ALIGN_MAX", "Maximum"),
    GcpMetric("agent.googleapis.com/gpu/utilization", "gce_instance", "gpu", "Percent", 1.0, 300, "ALIGN_MAX",
              "Maximum"),
    GcpMetric("agent.googleapis.com/gpu/memory/bytes_used", "gce_instance", "gpu_memory", "Percent", 100.0, 300,
              "ALIGN_MAX", "Maximum", ' AND metric.labels.memory_state = "used"', per_capacity=True),
    GcpMetric("agent.googleapis.com/memory/percent_used", "gce_instance", "memory", "Percent", 1.0, 300,
              "ALIGN_MAX", "Maximum", ' AND metric.labels.state = "used"'),
    GcpMetric("compute.googleapis.com/instance/network/received_bytes_count", "gce_instance", "network_in", "Bytes",
              1.0, 300, "ALIGN_SUM", "Sum"),
    GcpMetric("compute.googleapis.com/instance/network/sent_bytes_count", "gce_instance", "network_out", "Bytes",
              1.0, 300, "ALIGN_SUM", "Sum"),
    GcpMetric("aiplatform.googleapis.com/prediction/online/prediction_count", "aiplatform.googleapis.com/Endpoint",
              "requests", "Count", 1.0, 300, "ALIGN_SUM", "Sum"),
    GcpMetric("aiplatform.googleapis.com/prediction/online/prediction_latencies", "aiplatform.googleapis.com/Endpoint",
              "latency_ms", "Milliseconds", 1.0, 300, "ALIGN_PERCENTILE_95", "p95"),
    GcpMetric("aiplatform.googleapis.com/prediction/online/cpu/utilization", "aiplatform.googleapis.com/Endpoint",
              "cpu", "Percent", 100.0, 300, "ALIGN_MAX", "Maximum"),
    GcpMetric("aiplatform.googleapis.com/prediction/online/accelerator/duty_cycle",
              "aiplatform.googleapis.com/Endpoint", "gpu", "Percent", 100.0, 300, "ALIGN_MAX", "Maximum"),
    GcpMetric("storage.googleapis.com/api/request_count", "gcs_bucket", "gets", "Count", 1.0, 86400, "ALIGN_SUM",
              "Sum", ' AND metric.labels.method = "ReadObject"'),
    GcpMetric("storage.googleapis.com/storage/total_bytes", "gcs_bucket", "bytes_stored", "Bytes", 1.0, 86400,
              "ALIGN_MEAN", "Average"),
)


def _resource_id(project: str, resource_type: str, labels) -> str | None:
    if resource_type == "gce_instance" and labels.get("instance_id"):
        return instance_id(labels.get("project_id") or project, labels.get("zone", ""), labels["instance_id"])
    if resource_type == "aiplatform.googleapis.com/Endpoint" and labels.get("endpoint_id"):
        return endpoint_id(project, labels.get("location", ""), labels["endpoint_id"])
    if resource_type == "gcs_bucket" and labels.get("bucket_name"):
        return bucket_id(labels["bucket_name"])
    return None


def read_metric(client, project: str, metric: GcpMetric, window: Window, wanted: set[str],
                capacity: dict[str, float] | None = None, timeout: float | None = None) -> list[MetricSeries]:
    """One metric for one project; only series of resources in ``wanted`` are kept.

    ``capacity`` (resource id -> bytes) is needed by ``per_capacity`` metrics; resources
    without a known capacity are left out of those.
    """
    if metric.per_capacity:
        wanted = {rid for rid in wanted if (capacity or {}).get(rid)}
        if not wanted:
            return []
    from google.cloud import monitoring_v3  # heavy GCP SDK module: imported when metrics are read

    request = {
        "name": f"projects/{project}",
        "filter": f'metric.type = "{metric.metric_type}" AND resource.type = "{metric.resource_type}"'
                  f"{metric.extra_filter}",
        "interval": {"start_time": {"seconds": int(window.start.timestamp())},
                     "end_time": {"seconds": int(window.end.timestamp())}},
        "view": monitoring_v3.ListTimeSeriesRequest.TimeSeriesView.FULL,
        "aggregation": {"alignment_period": {"seconds": metric.period_s},
                        "per_series_aligner": getattr(monitoring_v3.Aggregation.Aligner, metric.aligner)},
    }
    merged: dict[tuple[str, str], dict[int, float]] = {}
    for wrapped in client.list_time_series(request=request, retry=RETRY, timeout=timeout):
        series = monitoring_v3.TimeSeries.pb(wrapped)  # raw protobuf: fast over thousands of points
        rid = _resource_id(project, metric.resource_type, series.resource.labels)
        if rid is None or rid not in wanted:
            continue
        storage_class = series.metric.labels.get("storage_class", "") if metric.name == "bytes_stored" else ""
        points = merged.setdefault((rid, storage_class), {})
        for point in series.points:
            ts = int(point.interval.end_time.seconds)
            value = point_value(point, metric.stat)
            if not finite(value):
                continue
            value *= metric.scale
            if metric.per_capacity:
                value /= capacity[rid]
            previous = points.get(ts)
            if metric.stat == "Sum":
                points[ts] = value + (previous or 0.0)
            else:
                points[ts] = value if previous is None or value > previous else previous
    out = []
    for (rid, storage_class), points in sorted(merged.items()):
        ts = np.fromiter(sorted(points), dtype=np.int64, count=len(points))
        values = np.array([points[t] for t in ts.tolist()], dtype=np.float64)
        dims = {"storage_class": storage_class.upper()} if storage_class else {}
        out.append(MetricSeries(rid, metric.name, metric.unit, metric.period_s, ts, values, metric.stat, dims))
    return out

