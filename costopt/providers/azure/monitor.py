"""Azure utilisation from azure-mgmt-monitor metrics (one request per VM).

``Percentage CPU`` (Maximum per 5 minutes) -> ``cpu``; ``Available Memory Bytes`` (Minimum
per 5 minutes) -> ``memory`` percent used, from the VM size's memory; ``Network In/Out Total``
(Total per 5 minutes) -> ``network_in`` / ``network_out`` bytes. Azure has no platform
GPU metric: GPU utilisation needs the Azure Monitor agent and is not read here.

The request is the one ``metrics.list`` sends (built by the SDK's own request builder) and
goes through the client's pipeline (bearer token, throttling retry); the JSON is read
directly because the SDK's model deserialisation costs about a millisecond per data point
(14 days x 5 minutes x 2 metrics = 8,064 points per VM). Should the builder move in a future
SDK, ``metrics.list`` is used as is.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import numpy as np
from azure.core.exceptions import HttpResponseError, map_error
from azure.mgmt.core.exceptions import ARMErrorFormat

from costopt.model import MetricSeries, Resource, Window

INTERVAL = "PT5M"
PERIOD_S = 300
METRICS = "Percentage CPU,Available Memory Bytes,Network In Total,Network Out Total"
AGGREGATION = "Maximum,Minimum,Total"
NETWORK = {"Network In Total": "network_in", "Network Out Total": "network_out"}


def _raw_metrics(client, resource_uri: str, timespan: str, *, metricnames: str = METRICS, interval: str = INTERVAL,
                 aggregation: str = AGGREGATION, filter: str | None = None) -> list[tuple[str, Any]]:
    """[(metric name, [(timestamp, maximum, minimum, total, average, dimension), ...])] for one resource.

    ``dimension`` is the first metadata value of the time series (e.g. the blob tier), or "".
    """
    try:
        from azure.mgmt.monitor.operations._metrics_operations import build_list_request  # heavy SDK module: imported when metrics are read
    except ImportError:  # pragma: no cover - SDK layout changed: fall back to the typed call
        result = client.metrics.list(resource_uri, timespan=timespan, interval=interval, metricnames=metricnames,
                                     aggregation=aggregation, filter=filter)
        return [(m.name.value, [(d.time_stamp, d.maximum, d.minimum, d.total, d.average,
                                 (ts.metadatavalues[0].value if ts.metadatavalues else ""))
                                for ts in m.timeseries or [] for d in ts.data or []])
                for m in result.value or []]

    request = build_list_request(resource_uri, timespan=timespan, interval=interval, metricnames=metricnames,
                                 aggregation=aggregation, filter=filter)
    response = client._send_request(request)
    if response.status_code != 200:
        map_error(status_code=response.status_code, response=response, error_map={})
        raise HttpResponseError(response=response, error_format=ARMErrorFormat)
    out = []
    for metric in response.json().get("value") or []:
        name = (metric.get("name") or {}).get("value", "")
        rows = []
        for ts in metric.get("timeseries") or []:
            meta = ts.get("metadatavalues") or []
            dim = str(meta[0].get("value", "")) if meta else ""
            rows.extend((d.get("timeStamp"), d.get("maximum"), d.get("minimum"), d.get("total"), d.get("average"), dim)
                        for d in ts.get("data") or [])
        out.append((name, rows))
    return out


def _epoch(value: Any) -> int:
    if isinstance(value, datetime):
        return int(value.timestamp())
    return int(datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp())


def read_vm_metrics(client, vm: Resource, window: Window) -> list[MetricSeries]:
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    timespan = (f"{window.start.astimezone(UTC).strftime(fmt)}/"
                f"{window.end.astimezone(UTC).strftime(fmt)}")
    memory_bytes = float(vm.specs.get("memory_gib") or 0) * 2**30
    out = []
    for name, data in _raw_metrics(client, vm.id, timespan):
        pick = 1 if name == "Percentage CPU" else 3 if name in NETWORK else 2
        points = sorted((_epoch(p[0]), float(p[pick])) for p in data if p[0] is not None and p[pick] is not None)
        if not points:
            continue
        ts = np.fromiter((p[0] for p in points), dtype=np.int64, count=len(points))
        values = np.fromiter((p[1] for p in points), dtype=np.float64, count=len(points))
        if name == "Percentage CPU":
            out.append(MetricSeries(vm.id, "cpu", "Percent", PERIOD_S, ts, values, "Maximum"))
        elif name in NETWORK:
            out.append(MetricSeries(vm.id, NETWORK[name], "Bytes", PERIOD_S, ts, values, "Sum"))
        elif name == "Available Memory Bytes" and memory_bytes > 0:
            used = np.clip(100.0 * (1.0 - values / memory_bytes), 0.0, 100.0)
            out.append(MetricSeries(vm.id, "memory", "Percent", PERIOD_S, ts, used, "Maximum"))
    return out


STORAGE_INTERVAL = "PT1H"


def read_storage_metrics(client, account: Resource, window: Window) -> list[MetricSeries]:
    """Blob capacity per access tier -> ``bytes_stored`` (dimension storage_class), blob count ->
    ``objects``, GetBlob transactions -> ``gets``; hourly, from the account's blob service."""
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    timespan = (f"{window.start.astimezone(UTC).strftime(fmt)}/"
                f"{window.end.astimezone(UTC).strftime(fmt)}")
    uri = f"{account.id}/blobServices/default"
    out: list[MetricSeries] = []
    queries = (("BlobCapacity", "Average", "Tier eq '*'", "bytes_stored", "Bytes", 4),
               ("BlobCount", "Average", None, "objects", "Count", 4),
               ("Transactions", "Total", "ApiName eq 'GetBlob'", "gets", "Count", 3))
    for name, aggregation, filter_, metric, unit, pick in queries:
        by_dim: dict[str, list[tuple[int, float]]] = {}
        for _name, data in _raw_metrics(client, uri, timespan, metricnames=name, interval=STORAGE_INTERVAL,
                                        aggregation=aggregation, filter=filter_):
            for row in data:
                if row[0] is not None and row[pick] is not None:
                    by_dim.setdefault(row[5] if metric == "bytes_stored" else "", []).append((_epoch(row[0]),
                                                                                              float(row[pick])))
        for dim, points in sorted(by_dim.items()):
            points.sort()
            ts = np.fromiter((p[0] for p in points), dtype=np.int64, count=len(points))
            values = np.fromiter((p[1] for p in points), dtype=np.float64, count=len(points))
            dims = {"storage_class": dim} if dim else {}
            out.append(MetricSeries(account.id, metric, unit, 3600, ts, values,
                                    "Sum" if metric == "gets" else "Average", dims))
    return out
