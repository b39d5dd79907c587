"""Shared fixtures and builders; the network guard that fails any test reaching the internet."""

from __future__ import annotations

import ipaddress
import os
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from costopt.model import MetricSeries, Resource, Snapshot, Window

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


def _is_local(address) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX path
        return True
    host = address[0]
    if host in ("localhost", "", None):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class NetworkAccessError(RuntimeError):
    pass


def _guarded_connect(self, address):
    if not _is_local(address):
        raise NetworkAccessError(f"test tried to reach the network: {address!r}")
    return _real_connect(self, address)


def _guarded_connect_ex(self, address):
    if not _is_local(address):
        raise NetworkAccessError(f"test tried to reach the network: {address!r}")
    return _real_connect_ex(self, address)


def _guarded_getaddrinfo(host, *args, **kwargs):
    if host not in (None, "localhost") and not _is_literal_loopback(host):
        raise NetworkAccessError(f"test tried to resolve a network host: {host!r}")
    return _real_getaddrinfo(host, *args, **kwargs)


def _is_literal_loopback(host) -> bool:
    try:
        return ipaddress.ip_address(host if isinstance(host, str) else host.decode()).is_loopback
    except ValueError:
        return False


def pytest_configure(config):
    socket.socket.connect = _guarded_connect
    socket.socket.connect_ex = _guarded_connect_ex
    socket.getaddrinfo = _guarded_getaddrinfo
    # Never let a test pick up real cloud credentials or write to the user's home.
    for key in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "GOOGLE_APPLICATION_CREDENTIALS", "AZURE_CLIENT_SECRET"):
        os.environ.pop(key, None)
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
    os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """Caches and history go to a temp dir, never to the real home."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("COSTOPT_CACHE_DIR", str(home / ".cache" / "costopt"))
    yield


@pytest.fixture
def shared_data() -> Path:
    """The real exports in ../shared/data; skip (with the reason) when the folder is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real exports not available: {SHARED_DATA} does not exist")
    return SHARED_DATA


# --- builders -------------------------------------------------------------------------------

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def make_window(days: float = 14, end: datetime = T0 + timedelta(days=14)) -> Window:
    return Window(end - timedelta(days=days), end)


def make_resource(id: str = "i-1", kind: str = "vm", type: str = "m5.2xlarge", **kw) -> Resource:
    defaults = dict(provider="aws", account="111111111111", region="us-east-1", hourly_cost=0.384)
    defaults.update(kw)
    return Resource(id=id, kind=kind, type=type, **defaults)


def make_series(resource_id: str, metric: str, values, *, period_s: int = 300, start: datetime | None = None,
                unit: str = "Percent", stat: str = "Maximum") -> MetricSeries:
    values = np.asarray(values, dtype=float)
    t0 = int((start or (T0)).timestamp())
    ts = t0 + np.arange(values.size, dtype=np.int64) * period_s
    return MetricSeries(resource_id, metric, unit, period_s, ts, values, stat)


def make_snapshot(resources=(), metrics=(), billing=None, window: Window | None = None, **kw) -> Snapshot:
    return Snapshot(window=window or make_window(), resources=tuple(resources), metrics=tuple(metrics),
                    billing=billing, **kw)


@pytest.fixture
def builders():
    """Access to the builders above from tests: builders.resource(...), builders.series(...)."""

    class B:
        window = staticmethod(make_window)
        resource = staticmethod(make_resource)
        series = staticmethod(make_series)
        snapshot = staticmethod(make_snapshot)
        t0 = T0

    return B
