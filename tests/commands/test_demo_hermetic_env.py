"""The demo's GCP and Azure parts never leave the process either: a shell's proxies (requests,
azure-core and gRPC send even 127.0.0.1 through them), Google and Azure credentials, projects and
identity endpoints are ignored while the local fakes are read, and restored afterwards.

A local HTTP server records anything those variables could send to it."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta

from costopt.config import Settings
from costopt.demo.collect import demo_settings
from costopt.demo.gcp_azure import collect_demo_gcp_azure
from costopt.model import Window
from tests.local_http import QuietHandler, local_server

NOW = datetime(2026, 12, 3, 13, tzinfo=UTC)


class _Recorder(QuietHandler):
    hits: list[str] = []

    def _any(self):
        self.hits.append(f"{self.command} {self.path}")
        self.send_response(502)
        self.end_headers()

    do_GET = do_POST = do_PUT = do_DELETE = do_CONNECT = _any


def test_proxies_and_cloud_variables_cannot_pull_the_demo_out(monkeypatch, tmp_path):
    _Recorder.hits = []
    with local_server(_Recorder) as url:
        adc = tmp_path / "adc.json"  # application default credentials whose token endpoint is the recorder
        adc.write_text(json.dumps({"type": "authorized_user", "client_id": "c", "client_secret": "s", "refresh_token": "r",
                                   "token_uri": f"{url}/token"}))
        variables = {"HTTP_PROXY": url, "HTTPS_PROXY": url, "ALL_PROXY": url, "http_proxy": url, "https_proxy": url,
                     "grpc_proxy": url, "GOOGLE_APPLICATION_CREDENTIALS": str(adc), "GOOGLE_CLOUD_PROJECT": "prod",
                     "CLOUDSDK_CORE_PROJECT": "prod", "AZURE_CLIENT_ID": "c", "AZURE_CLIENT_SECRET": "s",
                     "AZURE_TENANT_ID": "t", "AZURE_AUTHORITY_HOST": url, "IDENTITY_ENDPOINT": url, "MSI_ENDPOINT": url}
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        gcp, azure = collect_demo_gcp_azure(Window(NOW - timedelta(days=14), NOW), demo_settings(Settings()),
                                            lambda _: None, NOW)
    assert _Recorder.hits == []
    assert gcp.resources and azure.resources
    assert not [c for c in gcp.coverage + azure.coverage if c.status == "failed"]
    assert {k: os.environ.get(k) for k in variables} == variables  # the user's shell is left as it was
