"""An in-process gRPC server implementing Cloud Monitoring's ``ListTimeSeries`` (127.0.0.1).

google-cloud-monitoring's MetricServiceClient is gRPC-only, so the fake speaks gRPC: a generic
handler for ``google.monitoring.v3.MetricService/ListTimeSeries`` using the package's own
proto-plus messages for (de)serialisation. It filters by ``metric.type``, ``metric.labels.KEY = "VALUE"`` clauses and the request
interval, pages (``page_size`` series per page) and can deny a project (PERMISSION_DENIED).
"""

from __future__ import annotations

import re
from concurrent import futures
from dataclasses import dataclass, field

import grpc
from google.cloud import monitoring_v3

SERVICE = "google.monitoring.v3.MetricService"


@dataclass
class FakeSeries:
    project: str
    metric_type: str
    resource_type: str
    resource_labels: dict[str, str]
    points: list[tuple[int, float]]  # (epoch seconds, value)
    metric_labels: dict[str, str] = field(default_factory=dict)


class FakeMonitoring:
    """Seed ``series``, then ``start()``; ``target`` is the host:port for an insecure channel."""

    def __init__(self, series: list[FakeSeries] | None = None, *, page_size: int = 2):
        self.series = list(series or [])
        self.page_size = page_size
        self.denied: set[str] = set()
        self.requests: list[monitoring_v3.ListTimeSeriesRequest] = []
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        handler = grpc.method_handlers_generic_handler(SERVICE, {
            "ListTimeSeries": grpc.unary_unary_rpc_method_handler(
                self._list, request_deserializer=monitoring_v3.ListTimeSeriesRequest.deserialize,
                response_serializer=lambda message: message.SerializeToString()),
        })
        self._server.add_generic_rpc_handlers((handler,))
        self.port = self._server.add_insecure_port("127.0.0.1:0")

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> FakeMonitoring:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop(0)

    def __enter__(self) -> FakeMonitoring:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _list(self, request: monitoring_v3.ListTimeSeriesRequest, context):
        self.requests.append(request)
        project = request.name.split("/", 1)[-1]
        if project in self.denied:
            context.abort(grpc.StatusCode.PERMISSION_DENIED,
                          f"Permission monitoring.timeSeries.list denied (or the resource may not exist) on {project}")
        m = re.search(r'metric\.type\s*=\s*"([^"]+)"', request.filter)
        wanted = m.group(1) if m else None
        start = int(request.interval.start_time.timestamp())
        end = int(request.interval.end_time.timestamp())
        label_filters = dict(re.findall(r'metric\.labels\.(\w+)\s*=\s*"([^"]*)"', request.filter))
        matching = [s for s in self.series if s.project == project and (wanted is None or s.metric_type == wanted)
                    and all(s.metric_labels.get(k) == v for k, v in label_filters.items())]
        offset = int(request.page_token or 0)
        page = matching[offset:offset + self.page_size]
        # Raw protobuf messages (not proto-plus wrappers): thousands of points stay fast.
        response = monitoring_v3.ListTimeSeriesResponse.pb()()
        for s in page:
            ts = response.time_series.add()
            ts.metric.type = s.metric_type
            ts.metric.labels.update(s.metric_labels)
            ts.resource.type = s.resource_type
            ts.resource.labels.update(s.resource_labels)
            for when, value in sorted(s.points, reverse=True):  # newest first, like GCP
                if start <= when <= end:
                    point = ts.points.add()
                    point.interval.end_time.seconds = when
                    point.interval.start_time.seconds = when
                    point.value.double_value = value
        if offset + self.page_size < len(matching):
            response.next_page_token = str(offset + self.page_size)
        return response
