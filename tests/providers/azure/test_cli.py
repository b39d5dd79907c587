"""`costopt audit --provider azure` end to end, as the CLI runs it (collect, build_audit, the JSON
report), with the adapter pointed at the local ARM fake by the options it is built with: nothing
in the environment redirects a production adapter."""

from __future__ import annotations

from datetime import UTC, datetime

from costopt.demo.fakes.azure_seed import SUBSCRIPTION, build_fake_azure
from costopt.demo.fakes.http import FakeHttpServer
from costopt.demo.gcp_azure import DemoCredential
from costopt.pipeline import AuditRequest
from costopt.providers.azure.adapter import AzureProvider
from tests.providers.cli_audit import audit_json


def audit_azure(fake, now, tmp_path) -> dict:
    with FakeHttpServer(fake.handle) as http:
        fake.arm_base = fake.prices_base = http.url
        request = AuditRequest(providers=("azure",), now=now, provider_options={
            "subscriptions": (SUBSCRIPTION,), "base_url": http.url, "credential": DemoCredential(),
            "prices_url": f"{http.url}/api/retail/prices"})
        return audit_json(request, now, tmp_path)


def test_audit_with_one_unmappable_disk_still_reports_the_whole_subscription(tmp_path):
    now = datetime.now(UTC)
    fake = build_fake_azure(now)
    sub = fake.subscriptions[SUBSCRIPTION]
    sub.disks.insert(0, {**sub.disks[0], "name": "bad-disk", "id": sub.disks[0]["id"].replace("/disks/", "/disks/bad"),
                         "properties": {**sub.disks[0]["properties"], "diskSizeGB": "lots"}})
    audit = audit_azure(fake, now, tmp_path)
    found = {(r["rule_id"], r["resource_name"]) for r in audit["recommendations"]}
    assert {("idle.unattached_volume", "orphan-data-disk"), ("rightsizing.oversized_vm", "api-d16")} <= found
    entries = {c["scope"]: c for c in audit["coverage"]}
    assert entries[f"{SUBSCRIPTION}/compute/disks/bad-disk"]["status"] == "failed"
    assert entries[f"{SUBSCRIPTION}/compute/disks"]["status"] == "partial"


def test_the_environment_does_not_redirect_the_azure_adapter(monkeypatch):
    """COSTOPT_AZURE_ENDPOINT once pointed production clients (with a fixed token) at whatever it named."""
    monkeypatch.setenv("COSTOPT_AZURE_ENDPOINT", "http://127.0.0.1:9")
    provider = AzureProvider(subscriptions=(SUBSCRIPTION,))
    assert provider.clients.base_url is None and provider.prices_url is None
