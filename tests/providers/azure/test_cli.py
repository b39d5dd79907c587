"""`costopt audit --provider azure` end to end, the CLI pointed at the local ARM fake by environment."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from click.testing import CliRunner

from costopt.cli import cli
from costopt.demo.fakes.azure_seed import SUBSCRIPTION, build_fake_azure
from costopt.demo.fakes.http import FakeHttpServer


def test_audit_provider_azure_writes_azure_recommendations(monkeypatch, tmp_path):
    fake = build_fake_azure(datetime.now(UTC))  # the CLI's window ends now
    with FakeHttpServer(fake.handle) as http:
        fake.arm_base = fake.prices_base = http.url
        monkeypatch.setenv("COSTOPT_AZURE_ENDPOINT", http.url)
        monkeypatch.chdir(tmp_path)
        out = tmp_path / "report"
        result = CliRunner().invoke(cli, ["audit", "--provider", "azure", "--subscription", SUBSCRIPTION,
                                          "--lookback", "14d", "--out", str(out), "--format", "json",
                                          "--no-history", "--quiet"])
    assert result.exit_code == 0, result.output
    audit = json.loads((out / "audit.json").read_text())
    found = {(r["rule_id"], r["resource_name"]) for r in audit["recommendations"]}
    assert ("idle.unattached_volume", "orphan-data-disk") in found
    assert ("rightsizing.oversized_vm", "api-d16") in found
    assert {r["provider"] for r in audit["recommendations"]} == {"azure"}


def test_audit_with_one_unmappable_disk_still_reports_the_whole_subscription(monkeypatch, tmp_path):
    fake = build_fake_azure(datetime.now(UTC))
    sub = fake.subscriptions[SUBSCRIPTION]
    sub.disks.insert(0, {**sub.disks[0], "name": "bad-disk", "id": sub.disks[0]["id"].replace("/disks/", "/disks/bad"),
                         "properties": {**sub.disks[0]["properties"], "diskSizeGB": "lots"}})
    with FakeHttpServer(fake.handle) as http:
        fake.arm_base = fake.prices_base = http.url
        monkeypatch.setenv("COSTOPT_AZURE_ENDPOINT", http.url)
        monkeypatch.chdir(tmp_path)
        out = tmp_path / "report"
        result = CliRunner().invoke(cli, ["audit", "--provider", "azure", "--subscription", SUBSCRIPTION,
                                          "--lookback", "14d", "--out", str(out), "--format", "json",
                                          "--no-history", "--quiet"])
    assert result.exit_code == 0, result.output
    audit = json.loads((out / "audit.json").read_text())
    found = {(r["rule_id"], r["resource_name"]) for r in audit["recommendations"]}
    assert {("idle.unattached_volume", "orphan-data-disk"), ("rightsizing.oversized_vm", "api-d16")} <= found
    entries = {c["scope"]: c for c in audit["coverage"]}
    assert entries[f"{SUBSCRIPTION}/compute/disks/bad-disk"]["status"] == "failed"
    assert entries[f"{SUBSCRIPTION}/compute/disks"]["status"] == "partial"
