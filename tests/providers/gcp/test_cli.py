"""`costopt audit --provider gcp` end to end, the CLI pointed at the local fakes by environment."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from click.testing import CliRunner

from costopt.cli import cli
from costopt.demo.fakes.gcp_seed import BQ_TABLE, PROJECT, build_fake_gcp, build_fake_monitoring
from costopt.demo.fakes.http import FakeHttpServer


def test_audit_provider_gcp_writes_gcp_recommendations(monkeypatch, tmp_path):
    now = datetime.now(UTC)  # the CLI's window ends now: seed the fakes relative to it
    with FakeHttpServer(build_fake_gcp(now).handle) as http, build_fake_monitoring(now) as monitoring:
        monkeypatch.setenv("COSTOPT_GCP_ENDPOINT", http.url)
        monkeypatch.setenv("COSTOPT_GCP_MONITORING_ENDPOINT", monitoring.target)
        monkeypatch.chdir(tmp_path)
        out = tmp_path / "report"
        result = CliRunner().invoke(cli, ["audit", "--provider", "gcp", "--project", PROJECT, "--bq-table", BQ_TABLE,
                                          "--lookback", "14d", "--out", str(out), "--format", "json", "--no-history",
                                          "--quiet"])
    assert result.exit_code == 0, result.output
    audit = json.loads((out / "audit.json").read_text())
    found = {(r["rule_id"], r["resource_name"]) for r in audit["recommendations"]}
    assert ("idle.unattached_volume", "scratch-ssd") in found
    assert ("idle.unassociated_address", "old-endpoint-ip") in found
    assert ("rightsizing.oversized_vm", "etl-n2") in found  # needs the metrics inside the window
    assert {r["provider"] for r in audit["recommendations"]} == {"gcp"}
    assert audit["spend"]["total"] > 0


def test_audit_with_one_unparseable_address_still_reports_the_whole_project(monkeypatch, tmp_path):
    """The issue's case: addresses.aggregatedList holds an item the compute client refuses."""
    now = datetime.now(UTC)
    fake = build_fake_gcp(now)
    fake.projects[PROJECT]["addresses"].append(
        {"id": "18446744073709551616", "name": "unparseable-ip", "status": "RESERVED",
         "region": "https://www.googleapis.com/compute/v1/projects/demo/regions/us-central1"})
    with FakeHttpServer(fake.handle) as http, build_fake_monitoring(now) as monitoring:
        monkeypatch.setenv("COSTOPT_GCP_ENDPOINT", http.url)
        monkeypatch.setenv("COSTOPT_GCP_MONITORING_ENDPOINT", monitoring.target)
        monkeypatch.chdir(tmp_path)
        out = tmp_path / "report"
        result = CliRunner().invoke(cli, ["audit", "--provider", "gcp", "--project", PROJECT, "--bq-table", BQ_TABLE,
                                          "--lookback", "14d", "--out", str(out), "--format", "json", "--no-history",
                                          "--quiet"])
    assert result.exit_code == 0, result.output
    audit = json.loads((out / "audit.json").read_text())
    found = {(r["rule_id"], r["resource_name"]) for r in audit["recommendations"]}
    assert {("idle.unattached_volume", "scratch-ssd"), ("idle.unassociated_address", "old-endpoint-ip"),
            ("rightsizing.oversized_vm", "etl-n2")} <= found
    entries = {c["scope"]: c for c in audit["coverage"]}
    assert entries[f"{PROJECT}/compute/addresses/unparseable-ip"]["status"] == "failed"
    assert "Value out of range" in entries[f"{PROJECT}/compute/addresses/unparseable-ip"]["detail"]
    assert entries[f"{PROJECT}/compute/instances"]["status"] == "ok"
