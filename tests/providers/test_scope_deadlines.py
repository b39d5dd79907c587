"""GCP projects and Azure subscriptions whose APIs accept connections and never answer are given
up at ``[providers.*] deadline_s``: the audit ends in bounded time with a "timed out" entry.

The hung APIs are a local TCP server that never sends a byte (tests/silent.py); the real
client libraries talk to it through the adapters' endpoint settings.
"""

from __future__ import annotations

import time

import pytest

from costopt.config import Settings
from costopt.errors import ProviderError
from costopt.progress import QUIET
from costopt.providers.azure.adapter import AzureProvider
from costopt.providers.gcp.adapter import GcpEndpoints, GcpProvider
from tests.providers.azure.conftest import WINDOW, FakeCredential
from tests.silent import silent

LIMITS = {"read_timeout_s": 60, "connect_timeout_s": 5, "deadline_s": 3}


def test_azure_subscriptions_that_hang_time_out():
    with silent() as address:
        provider = AzureProvider(subscriptions=("sub-a", "sub-b"), credential=FakeCredential(),
                                 base_url=f"http://{address}", prices_url=f"http://{address}/prices", max_workers=2)
        started = time.monotonic()
        with pytest.raises(ProviderError) as caught:
            provider.collect(WINDOW, Settings(providers={"azure": LIMITS}), QUIET)
        took = time.monotonic() - started
    assert took < 30, f"took {took:.1f} s with a 3 s deadline"
    assert "timed out" in str(caught.value) and "deadline_s" in str(caught.value)


def test_gcp_projects_that_hang_time_out():
    with silent() as address:
        provider = GcpProvider(projects=("proj-a",), endpoints=GcpEndpoints(f"http://{address}", address))
        started = time.monotonic()
        with pytest.raises(ProviderError) as caught:
            provider.collect(WINDOW, Settings(providers={"gcp": LIMITS}), QUIET)
        took = time.monotonic() - started
    assert took < 30, f"took {took:.1f} s with a 3 s deadline (catalog, then the project)"
    assert "timed out" in str(caught.value)
