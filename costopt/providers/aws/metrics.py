"""CloudWatch utilisation -> MetricSeries, by the metrics' real names and namespaces.

Queries are planned per resource (EC2 CPU and network; the CloudWatch agent's memory and
NVIDIA GPU metrics when :func:`list_metrics` shows them; SageMaker invocations, model latency
and endpoint CPU/GPU utilisation per variant; NAT gateway bytes; S3 bucket size per storage
class and object count; RDS CPU), then fetched with ``GetMetricData`` in batches of up to 500
queries, every page followed. Average and Maximum are asked at 5-minute periods (hourly past
63 days, as CloudWatch keeps them); costopt computes the percentiles of utilisation over time
itself (:mod:`costopt.metrics`).

Request latency is different: the p95 of a period's hourly averages is not the p95 of its
requests. For SageMaker ``ModelLatency`` and ``OverheadLatency`` (microseconds) and for an
Application Load Balancer's ``TargetResponseTime`` (seconds, per target group: see
:mod:`load_balancers`) CloudWatch's extended statistics p50, p90, p95 and p99 are asked too:
the request percentiles of each period, recorded with ``stat`` "p95" etc. CloudWatch answers
them empty for a metric it holds only as statistic sets; then Average and Maximum stand alone
and :func:`percentile_gaps` names the sources for a coverage note.

Each series carries its own period (:func:`native_period`): a sparse hourly metric read at
5-minute periods counts one hour per point, so hours of data follow the series' timestamps.

Endpoint ``CPUUtilization``/``GPUUtilization`` are sums over cores/GPUs (up to 100 x n); they
are divided by the instance's vCPU/GPU count so every percent metric is 0..100.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from costopt.model import MetricSeries, Resource, Window
from costopt.providers.aws.common import chunks, pages

MAX_QUERIES = 500  # GetMetricData limit per call
FINE_PERIOD_S = 300
COARSE_PERIOD_S = 3600
DAILY_PERIOD_S = 86400
PERCENT_STATS = ("Maximum", "Average")
LATENCY_PERCENTILES = ("p50", "p90", "p95", "p99")  # CloudWatch extended statistics (Stat "p95")
LATENCY_STATS = PERCENT_STATS + LATENCY_PERCENTILES
SAGEMAKER_LATENCY = (("latency_ms", "ModelLatency"), ("overhead_latency_ms", "OverheadLatency"))
NAT_METRICS = ("BytesOutToDestination", "BytesInFromDestination", "BytesOutToSource", "BytesInFromSource")
CW_AGENT = {"mem_used_percent": "memory", "nvidia_smi_utilization_gpu": "gpu"}


@dataclass
class Query:
    """One CloudWatch metric statistic and where its points go."""

    resource_id: str
    metric: str
    unit: str
    stat: str
    namespace: str
    name: str
    dims: list[dict[str, str]]
    period: int
    scale: float = 1.0
    dimensions: dict[str, str] = field(default_factory=dict)
    pair: str | None = None  # "used"/"total" halves of a ratio (GPU memory percent)

    def request(self, qid: str) -> dict[str, Any]:
        return {"Id": qid, "ReturnData": True,
                "MetricStat": {"Metric": {"Namespace": self.namespace, "MetricName": self.name, "Dimensions": self.dims},
                               "Period": self.period, "Stat": self.stat}}


def fine_period(window: Window) -> int:
    """5-minute points while CloudWatch keeps them (63 days), hourly beyond."""
    return FINE_PERIOD_S if window.days <= 63 else COARSE_PERIOD_S


def _dims(**kv: str) -> list[dict[str, str]]:
    return [{"Name": k, "Value": v} for k, v in kv.items()]


def listed(cloudwatch: Any, namespace: str) -> list[dict[str, Any]]:
    """Metrics that exist in ``namespace`` (names + exact dimensions, each once), paginated."""
    seen: dict[tuple, dict[str, Any]] = {}
    for m in pages(cloudwatch, "list_metrics", "Metrics", Namespace=namespace):
        key = (m["MetricName"], tuple(sorted((d["Name"], d["Value"]) for d in m.get("Dimensions", ()))))
        seen.setdefault(key, m)
    return list(seen.values())


def plan_instance(r: Resource, period: int, agent: list[dict[str, Any]]) -> list[Query]:
    d = _dims(InstanceId=r.id)
    qs = [Query(r.id, "cpu", "Percent", s, "AWS/EC2", "CPUUtilization", d, period) for s in PERCENT_STATS]
    qs += [Query(r.id, m, "Bytes", "Sum", "AWS/EC2", n, d, period) for m, n in (("network_in", "NetworkIn"),
                                                                               ("network_out", "NetworkOut"))]
    totals = {}
    for m in agent:
        dims = {x["Name"]: x["Value"] for x in m.get("Dimensions", ())}
        if dims.get("InstanceId") != r.id:
            continue
        extra = {"gpu_index": dims["index"]} if "index" in dims else {}
        name = m["MetricName"]
        if name in CW_AGENT:
            qs += [Query(r.id, CW_AGENT[name], "Percent", s, "CWAgent", name, m["Dimensions"], period, dimensions=extra)
                   for s in PERCENT_STATS]
        elif name in ("nvidia_smi_memory_used", "nvidia_smi_memory_total"):
            totals.setdefault(dims.get("index", "0"), {})[name] = m["Dimensions"]
    for index, parts in sorted(totals.items()):
        if len(parts) == 2:
            for s in PERCENT_STATS:
                for half, name in (("used", "nvidia_smi_memory_used"), ("total", "nvidia_smi_memory_total")):
                    qs.append(Query(r.id, "gpu_memory", "Percent", s, "CWAgent", name, parts[name], period,
                                    dimensions={"gpu_index": index}, pair=half))
    return qs


def plan_endpoint(r: Resource, period: int, spec_of: Callable[[str], dict[str, Any]]) -> list[Query]:
    qs = []
    for v in r.attributes.get("variants", ()):
        d = _dims(EndpointName=r.name, VariantName=v["name"])
        extra = {"variant": v["name"]}
        qs.append(Query(r.id, "requests", "Count", "Sum", "AWS/SageMaker", "Invocations", d, period, dimensions=extra))
        qs += [Query(r.id, metric, "Milliseconds", s, "AWS/SageMaker", name, d, period, 0.001, extra)
               for metric, name in SAGEMAKER_LATENCY for s in LATENCY_STATS]
        spec = spec_of(v.get("instance_type") or "") or {}
        vcpu, gpus = spec.get("vcpu") or 1, spec.get("gpu_count") or 1
        for metric, name, per in (("cpu", "CPUUtilization", vcpu), ("gpu", "GPUUtilization", gpus),
                                  ("gpu_memory", "GPUMemoryUtilization", gpus)):
            if metric != "cpu" and not spec.get("gpu_count"):
                continue
            qs += [Query(r.id, metric, "Percent", s, "/aws/sagemaker/Endpoints", name, d, period, 1.0 / per, extra)
                   for s in PERCENT_STATS]
    return qs


def plan_target_group(resource_id: str, load_balancer: str, target_group: str, period: int) -> list[Query]:
    """ALB ``TargetResponseTime`` (seconds -> ms) of one target group behind one load balancer.

    ``load_balancer`` / ``target_group`` are the CloudWatch dimension values ("app/NAME/ID",
    "targetgroup/NAME/ID")."""
    d = _dims(LoadBalancer=load_balancer, TargetGroup=target_group)
    extra = {"target_group": target_group}
    return [Query(resource_id, "latency_ms", "Milliseconds", s, "AWS/ApplicationELB", "TargetResponseTime", d, period,
                  1000.0, extra) for s in LATENCY_STATS]


def percentile_gaps(queries: list[Query], series: list[MetricSeries]) -> list[str]:
    """Latency sources asked for request percentiles that came back with Average/Maximum only.

    Each is named "MetricName of RESOURCE (dimension values)", once."""
    answered = {(s.resource_id, s.metric, tuple(sorted(s.dimensions.items())), s.stat) for s in series}
    gaps: dict[tuple, str] = {}
    for q in queries:
        if q.stat not in LATENCY_PERCENTILES:
            continue
        key = (q.resource_id, q.metric, tuple(sorted(q.dimensions.items())))
        has_mean = any(key + (s,) in answered for s in PERCENT_STATS)
        has_pct = any(key + (p,) in answered for p in LATENCY_PERCENTILES)
        if has_mean and not has_pct:
            where = ", ".join(q.dimensions.values())
            gaps.setdefault(key, f"{q.name} of {q.resource_id}" + (f" ({where})" if where else ""))
    return list(gaps.values())


def plan_nat(r: Resource, period: int) -> list[Query]:
    d = _dims(NatGatewayId=r.id)
    return [Query(r.id, "nat_bytes", "Bytes", "Sum", "AWS/NATGateway", n, d, period, dimensions={"direction": n})
            for n in NAT_METRICS]


def plan_buckets(buckets: dict[str, Resource], s3_listed: list[dict[str, Any]]) -> list[Query]:
    qs = []
    for m in s3_listed:
        dims = {x["Name"]: x["Value"] for x in m.get("Dimensions", ())}
        r = buckets.get(dims.get("BucketName", ""))
        if r is None:
            continue
        storage = dims.get("StorageType", "")
        if m["MetricName"] == "BucketSizeBytes":
            qs.append(Query(r.id, "bytes_stored", "Bytes", "Average", "AWS/S3", "BucketSizeBytes", m["Dimensions"],
                            DAILY_PERIOD_S, dimensions={"storage_class": storage}))
        elif m["MetricName"] == "NumberOfObjects":
            qs.append(Query(r.id, "objects", "Count", "Average", "AWS/S3", "NumberOfObjects", m["Dimensions"],
                            DAILY_PERIOD_S))
        elif m["MetricName"] == "GetRequests":
            qs.append(Query(r.id, "gets", "Count", "Sum", "AWS/S3", "GetRequests", m["Dimensions"], DAILY_PERIOD_S,
                            dimensions={"filter": dims.get("FilterId", "")}))
    return qs


def plan_database(r: Resource, period: int) -> list[Query]:
    d = _dims(DBInstanceIdentifier=r.attributes.get("identifier", r.name))
    return [Query(r.id, "cpu", "Percent", s, "AWS/RDS", "CPUUtilization", d, period) for s in PERCENT_STATS]


def _epoch(values: Iterable[datetime]) -> np.ndarray:
    return np.fromiter((int(t.timestamp()) for t in values), dtype=np.int64)


def fetch(cloudwatch: Any, queries: list[Query], window: Window) -> list[MetricSeries]:
    """Run ``queries`` with GetMetricData (<= 500 per call, all pages) -> MetricSeries."""
    raw: dict[int, tuple[list, list]] = {}
    for base, batch in enumerate(chunks(queries, MAX_QUERIES)):
        offset = base * MAX_QUERIES
        requests = [q.request(f"q{offset + i}") for i, q in enumerate(batch)]
        paginator = cloudwatch.get_paginator("get_metric_data")
        for page in paginator.paginate(MetricDataQueries=requests, StartTime=window.start, EndTime=window.end,
                                       ScanBy="TimestampAscending"):
            for res in page.get("MetricDataResults", ()):
                ts, vs = raw.setdefault(int(res["Id"][1:]), ([], []))
                ts.extend(res.get("Timestamps", ()))
                vs.extend(res.get("Values", ()))
    return assemble(queries, raw)


def native_period(ts: np.ndarray, requested: int) -> int:
    """The series' own spacing when it is coarser than the period asked for, else ``requested``.

    A metric published hourly (a custom metric, an agent with a long interval) read at
    5-minute periods answers one point an hour: its points stand for an hour each, and the
    hours of data are count x 3600 s, not count x 300 s. The spacing is taken when one step
    (a multiple of the requested period) makes up at least half of the steps; irregular gaps
    (a stopped instance, idle minutes) leave the requested period.
    """
    if ts.size < 3:
        return requested
    steps = np.diff(np.unique(ts))
    if not steps.size:
        return requested
    values, counts = np.unique(steps, return_counts=True)
    step, share = int(values[np.argmax(counts)]), int(counts.max())
    if step > requested and step % requested == 0 and 2 * share >= steps.size:
        return step
    return requested


def assemble(queries: list[Query], raw: dict[int, tuple[list, list]]) -> list[MetricSeries]:
    out: list[MetricSeries] = []
    halves: dict[tuple, dict[str, tuple[np.ndarray, np.ndarray]]] = {}
    for i, q in enumerate(queries):
        ts_list, vs_list = raw.get(i, ([], []))
        if not ts_list:
            continue
        ts = _epoch(ts_list)
        vs = np.asarray(vs_list, dtype=np.float64) * q.scale
        if q.stat in LATENCY_PERCENTILES:  # a period without requests has no percentile
            keep = np.isfinite(vs)
            ts, vs = ts[keep], vs[keep]
            if not ts.size:
                continue
        order = np.argsort(ts, kind="stable")
        ts, vs = ts[order], vs[order]
        if q.pair:
            key = (q.resource_id, q.metric, q.stat, tuple(sorted(q.dimensions.items())), q.period)
            halves.setdefault(key, {})[q.pair] = (ts, vs)
            continue
        out.append(MetricSeries(q.resource_id, q.metric, q.unit, native_period(ts, q.period), ts, vs, q.stat,
                                dict(q.dimensions)))
    for (rid, metric, stat, dims, period), parts in halves.items():
        if set(parts) != {"used", "total"}:
            continue
        (tu, vu), (tt, vt) = parts["used"], parts["total"]
        common, iu, it = np.intersect1d(tu, tt, return_indices=True)
        total = vt[it]
        pct = np.where(total > 0, 100.0 * vu[iu] / np.where(total > 0, total, 1.0), np.nan)
        out.append(MetricSeries(rid, metric, "Percent", native_period(common, period), common, pct, stat, dict(dims)))
    return out
