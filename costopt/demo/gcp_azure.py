"""The demo's GCP and Azure parts: local fakes on 127.0.0.1, read by the REAL adapters.

GCP: :mod:`costopt.demo.fakes.gcp` (Compute, Storage, Billing Catalog, BigQuery over
DuckDB) on a local HTTP server plus the gRPC Cloud Monitoring fake, seeded by
:mod:`costopt.demo.fakes.gcp_seed` (project ``ml-research-prod``). Azure: the ARM and
Retail Prices fake on a local HTTP server, seeded by :mod:`costopt.demo.fakes.azure_seed`.
Then :class:`GcpProvider` and :class:`AzureProvider` collect from them exactly as from the
clouds (REST/gRPC clients, paging, coverage), with anonymous / fixed-token credentials.
Everything is seeded from ``now``: the same ``now`` gives the same snapshots.
"""

from __future__ import annotations

import os
import time
from datetime import datetime

from azure.core.credentials import AccessToken

from costopt.config import Settings
from costopt.demo.fakes.azure_seed import SUBSCRIPTION, build_fake_azure
from costopt.demo.fakes.gcp_seed import BQ_TABLE, PROJECT, build_fake_gcp, build_fake_monitoring
from costopt.demo.fakes.http import FakeHttpServer
from costopt.model import Snapshot, Window
from costopt.progress import Progress
from costopt.providers.azure.adapter import AzureProvider
from costopt.providers.gcp.adapter import GcpEndpoints, GcpProvider


class DemoCredential:
    """A TokenCredential for the local Azure fake (it never leaves 127.0.0.1)."""

    def get_token(self, *scopes, **kwargs):
        return AccessToken("costopt-demo-token", int(time.time()) + 3600)


def collect_demo_gcp(window: Window, settings: Settings, progress: Progress, now: datetime) -> Snapshot:
    fake = build_fake_gcp(now, page_size=50)
    with FakeHttpServer(fake.handle) as http, build_fake_monitoring(now, page_size=50) as monitoring:
        provider = GcpProvider(projects=(PROJECT,), bq_table=BQ_TABLE,
                               endpoints=GcpEndpoints(rest=http.url, monitoring=monitoring.target))
        return provider.collect(window, settings, progress)


def collect_demo_azure(window: Window, settings: Settings, progress: Progress, now: datetime) -> Snapshot:
    fake = build_fake_azure(now, page_size=50)
    with FakeHttpServer(fake.handle) as http:
        fake.arm_base = fake.prices_base = http.url
        provider = AzureProvider(subscriptions=(SUBSCRIPTION,), credential=DemoCredential(), base_url=http.url,
                                 prices_url=f"{http.url}/api/retail/prices")
        return provider.collect(window, settings, progress)


# What the demo's GCP and Azure clients must not pick up from the user's shell: proxies (requests,
# azure-core and gRPC send even 127.0.0.1 through HTTP(S)_PROXY / grpc_proxy, so the fakes' traffic
# left the machine), Google/Azure credentials, projects, mTLS and universe settings, managed
# identity endpoints. Cleared while the fakes are read, restored afterwards.
HERMETIC_PREFIXES = ("GOOGLE_", "CLOUDSDK_", "GCE_", "AZURE_", "MSI_", "IDENTITY_")
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "grpc_proxy", "no_proxy", "no_grpc_proxy")


def _hermetic(key: str) -> bool:
    return key.upper().startswith(HERMETIC_PREFIXES) or key.lower() in PROXY_VARIABLES


def collect_demo_gcp_azure(window: Window, settings: Settings, progress: Progress, now: datetime) -> list[Snapshot]:
    """[GCP snapshot, Azure snapshot] of the demo organisation."""
    saved = {k: os.environ.pop(k) for k in list(os.environ) if _hermetic(k)}
    try:
        return [collect_demo_gcp(window, settings, progress, now), collect_demo_azure(window, settings, progress, now)]
    finally:
        os.environ.update(saved)
