"""Fixtures: the demo's GCP estate served by the local REST fake and the gRPC Monitoring fake."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from costopt.config import Settings
from costopt.demo.fakes.gcp import FakeGcp
from costopt.demo.fakes.gcp_monitoring import FakeMonitoring
from costopt.demo.fakes.gcp_seed import BQ_TABLE, PROJECT, build_fake_gcp, build_fake_monitoring
from costopt.demo.fakes.http import FakeHttpServer
from costopt.model import Window
from costopt.progress import QUIET
from costopt.providers.gcp.adapter import GcpEndpoints, GcpProvider

NOW = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)
WINDOW = Window(NOW - timedelta(days=14), NOW)


@dataclass
class GcpEnv:
    fake: FakeGcp
    monitoring: FakeMonitoring
    endpoints: GcpEndpoints

    def provider(self, projects=(PROJECT,), bq_table=BQ_TABLE, **kw) -> GcpProvider:
        return GcpProvider(projects=projects, bq_table=bq_table, endpoints=self.endpoints, **kw)

    def collect(self, settings: Settings | None = None, **kw):
        return self.provider(**kw).collect(WINDOW, settings or Settings(), QUIET)


@pytest.fixture(scope="module")
def _servers():
    fake = build_fake_gcp(NOW)
    monitoring = build_fake_monitoring(NOW)
    with FakeHttpServer(fake.handle) as http, monitoring:
        yield fake, monitoring, GcpEndpoints(rest=http.url, monitoring=monitoring.target)


@pytest.fixture
def gcp(_servers) -> GcpEnv:
    """Fresh fault injection per test; the seeded estate is shared (read-only) within the module."""
    fake, monitoring, endpoints = _servers
    fake.denied.clear(), fake.disabled.clear(), fake.throttle.clear(), fake.calls.clear()
    monitoring.denied.clear(), monitoring.requests.clear()
    return GcpEnv(fake, monitoring, endpoints)


@dataclass
class Baseline:
    snapshot: object
    calls: list
    monitoring_requests: list


@pytest.fixture(scope="module")
def baseline(_servers, tmp_path_factory) -> Baseline:
    """One fault-free collect shared by the read-only tests of a module."""
    fake, monitoring, endpoints = _servers
    fake.calls.clear(), monitoring.requests.clear()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COSTOPT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))  # module scope: before autouse
        snapshot = GcpEnv(fake, monitoring, endpoints).collect()
    return Baseline(snapshot, list(fake.calls), list(monitoring.requests))


@contextmanager
def wrapped(gcp: GcpEnv, fault):
    """A local HTTP server answering like the seeded fake except where ``fault(method, path)`` answers."""
    def handler(method, path, headers, body):
        return fault(method, path) or gcp.fake.handle(method, path, headers, body)

    with FakeHttpServer(handler) as server:
        yield GcpEnv(gcp.fake, gcp.monitoring, GcpEndpoints(rest=server.url, monitoring=gcp.endpoints.monitoring))
