"""`costopt audit --provider gcp` end to end, as the CLI runs it (collect, build_audit, the JSON
report), with the adapter pointed at the local fakes by the options it is built with: nothing in
the environment redirects a production adapter."""

from __future__ import annotations

from datetime import UTC, datetime

from costopt.demo.fakes.gcp_seed import BQ_TABLE, PROJECT, build_fake_gcp, build_fake_monitoring
from costopt.demo.fakes.http import FakeHttpServer
from costopt.pipeline import AuditRequest
from costopt.providers.gcp.adapter import GcpEndpoints, GcpProvider
from tests.providers.cli_audit import audit_json


def audit_gcp(fake, now, tmp_path) -> dict:
    with FakeHttpServer(fake.handle) as http, build_fake_monitoring(now) as monitoring:
        request = AuditRequest(providers=("gcp",), now=now, provider_options={
            "projects": (PROJECT,), "bq_table": BQ_TABLE,
            "endpoints": GcpEndpoints(rest=http.url, monitoring=monitoring.target)})
        return audit_json(request, now, tmp_path)


def test_audit_with_one_unparseable_address_still_reports_the_whole_project(tmp_path):
    """The issue's case: addresses.aggregatedList holds an item the compute client refuses."""
    now = datetime.now(UTC)
    fake = build_fake_gcp(now)
    fake.projects[PROJECT]["addresses"].append(
        {"id": "18446744073709551616", "name": "unparseable-ip", "status": "RESERVED",
         "region": "https://www.googleapis.com/compute/v1/projects/demo/regions/us-central1"})
    audit = audit_gcp(fake, now, tmp_path)
    found = {(r["rule_id"], r["resource_name"]) for r in audit["recommendations"]}
    assert {("idle.unattached_volume", "scratch-ssd"), ("idle.unassociated_address", "old-endpoint-ip"),
            ("rightsizing.oversized_vm", "etl-n2")} <= found
    entries = {c["scope"]: c for c in audit["coverage"]}
    assert entries[f"{PROJECT}/compute/addresses/unparseable-ip"]["status"] == "failed"
    assert "Value out of range" in entries[f"{PROJECT}/compute/addresses/unparseable-ip"]["detail"]
    assert entries[f"{PROJECT}/compute/instances"]["status"] == "ok"


def test_the_environment_does_not_redirect_the_gcp_adapter(monkeypatch):
    """COSTOPT_GCP_ENDPOINT once pointed production clients at whatever it named."""
    monkeypatch.setenv("COSTOPT_GCP_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setenv("COSTOPT_GCP_MONITORING_ENDPOINT", "127.0.0.1:9")
    endpoints = GcpProvider(projects=(PROJECT,)).clients.endpoints
    assert (endpoints.rest, endpoints.monitoring) == (None, None)
