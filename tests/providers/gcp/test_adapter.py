"""GcpProvider end to end: the real google-cloud clients against the local REST and gRPC fakes."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from costopt.config import Settings
from costopt.demo.fakes.gcp_seed import BQ_TABLE, PROJECT, export_rows
from costopt.errors import ProviderError
from costopt.providers.gcp.adapter import GcpProvider
from tests.providers.fields import assert_fields

from .conftest import NOW, WINDOW


def by_name(snapshot):
    return {r.name: r for r in snapshot.resources if r.kind != "volume" or not r.attributes.get("attached")}


def test_inventory_kinds_specs_and_prices(baseline):
    snap = baseline.snapshot
    res = by_name(snap)
    # the catalog knows a2-highgpu-1g, so its specs (and GPU name) come from there, not machineTypes;
    # its price is 12 vCPU x core + 85 GiB x ram + 1 A100, from the catalog SKUs
    assert_fields(res["train-a100"], kind="gpu_vm", type="a2-highgpu-1g", region="us-central1", workload="training",
                  specs={"vcpu": 12, "gpu_count": 1, "gpu_model": "A100"}, tags={"costopt:team": "vision"},
                  attributes={"accelerator_type": "nvidia-tesla-a100", "specs_source": "catalog"},
                  hourly_cost=pytest.approx(12 * 0.031611 + 85 * 0.004237 + 2.933908))
    assert_fields(res["etl-n2"], kind="vm", specs={"memory_gib": 64})
    assert_fields(res["scratch-ssd"], kind="volume", attributes={"attached": False, "size_gb": 2048},
                  hourly_cost=pytest.approx(2048 * 0.17 / 730))
    attached = [r for r in snap.resources if r.kind == "volume" and r.attributes["attached"]]
    assert len(attached) == 3
    assert_fields(res["old-endpoint-ip"], kind="address", attributes={"associated": False},
                  hourly_cost=pytest.approx(0.01))
    assert_fields(res["ml-research-datasets"], kind="bucket", type="STANDARD", attributes={"lifecycle_rules": []})
    assert {c.scope: c.status for c in snap.coverage} == {
        "catalog": "ok", f"{PROJECT}/billing": "ok", f"{PROJECT}/compute/instances": "ok",
        f"{PROJECT}/compute/disks": "ok", f"{PROJECT}/compute/addresses": "ok", f"{PROJECT}/storage": "ok",
        f"{PROJECT}/monitoring": "ok", f"{PROJECT}/vertex": "ok", f"bigquery:{BQ_TABLE}": "ok",
        f"{PROJECT}/workbench": "ok", f"{PROJECT}/vertex/us-central1/customJobs": "ok",
        f"{PROJECT}/vertex/us-central1/hyperparameterTuningJobs": "ok"}
    assert snap.prices and snap.prices[0].provider == "gcp"


def test_lists_are_paged(baseline):
    instance_pages = [c for c in baseline.calls if c[1].endswith("/aggregated/instances")]
    assert len(instance_pages) == 2  # 3 instances, page size 2
    assert len([c for c in baseline.calls if c[1].endswith("/aggregated/disks")]) == 2
    assert len([r for r in baseline.monitoring_requests if r.page_token]) >= 1


def test_metrics_are_scaled_and_named(baseline):
    snap = baseline.snapshot
    res = by_name(snap)
    series = {(m.resource_id, m.metric): m for m in snap.metrics}
    cpu = series[(res["etl-n2"].id, "cpu")]
    assert cpu.unit == "Percent" and cpu.period_s == 300 and len(cpu) == 14 * 288
    assert 1 < cpu.values.max() <= 100  # fraction x 100
    assert (cpu.timestamps[1:] > cpu.timestamps[:-1]).all()  # sorted, although GCP answers newest first
    assert series[(res["train-a100"].id, "gpu")].values.mean() > 70
    assert series[(res["serve-l4"].id, "gpu")].values.max() < 5
    assert (res["etl-n2"].id, "gpu") not in series
    assert series[(res["etl-n2"].id, "memory")].values.mean() < 30
    stored = series[(res["ml-research-datasets"].id, "bytes_stored")]
    assert stored.dimensions == {"storage_class": "STANDARD"} and stored.values.min() > 1e14
    gpu_mem = series[(res["train-a100"].id, "gpu_memory")]
    assert 70 < gpu_mem.values.mean() < 86  # bytes used / 40 GiB per A100
    assert series[(res["ml-research-datasets"].id, "gets")].values.min() >= 200
    net = series[(res["train-a100"].id, "network_in")]
    assert net.stat == "Sum" and net.unit == "Bytes" and net.values.mean() > 1e6
    req = baseline.monitoring_requests[0]
    assert req.aggregation.alignment_period.total_seconds() in (300, 86400)


def test_billing_matches_the_export(baseline):
    snap = baseline.snapshot
    rows = [r for r in export_rows(NOW) if WINDOW.start.replace(tzinfo=None) <= r["usage_start_time"] < WINDOW.end.replace(tzinfo=None)]
    df = snap.billing.query("SELECT ChargeCategory, SUM(BilledCost) AS c FROM focus GROUP BY 1")
    totals = dict(zip(df["ChargeCategory"], df["c"]))
    assert totals["Usage"] == pytest.approx(sum(r["cost"] for r in rows))
    assert totals["Credit"] == pytest.approx(sum(c["amount"] for r in rows for c in r["credits"]))
    egress = snap.billing.scalar("SELECT SUM(BilledCost) FROM focus WHERE x_IsEgress")
    assert egress == pytest.approx(sum(r["cost"] for r in rows if "Egress" in r["sku"]["description"]))
    tags = snap.billing.scalar("SELECT Tags FROM focus WHERE ResourceName = 'train-a100' LIMIT 1")
    assert json.loads(tags)["costopt:workload"] == "training"
    assert snap.billing.scalar("SELECT DISTINCT ProviderName FROM focus") == "Google Cloud"
    ids = set(snap.billing.query("SELECT DISTINCT ResourceId FROM focus")["ResourceId"])
    assert by_name(snap)["train-a100"].id in ids  # billing joins inventory by resource id


def test_currency_from_config(gcp):
    snap = gcp.collect(settings=replace(Settings(), currency="EUR"))
    a100 = by_name(snap)["train-a100"]
    assert a100.currency == "EUR"
    assert a100.hourly_cost == pytest.approx(0.92 * (12 * 0.031611 + 85 * 0.004237 + 2.933908), rel=1e-6)


def test_throttling_is_retried(gcp):
    gcp.fake.throttle["compute"] = 2
    snap = gcp.collect()
    assert {c.scope: c.status for c in snap.coverage}[f"{PROJECT}/compute/instances"] == "ok"
    assert "train-a100" in by_name(snap)


def test_permission_denied_on_one_api_is_recorded_and_the_rest_is_read(gcp):
    gcp.fake.denied.add((PROJECT, "storage"))
    gcp.monitoring.denied.add(PROJECT)
    snap = gcp.collect()
    cov = {c.scope: c for c in snap.coverage}
    assert cov[f"{PROJECT}/storage"].status == "failed"
    assert cov[f"{PROJECT}/storage"].error_code == "PermissionDenied"
    assert "roles/storage" in cov[f"{PROJECT}/storage"].fix
    assert cov[f"{PROJECT}/monitoring"].error_code == "PermissionDenied"
    assert "roles/monitoring.viewer" in cov[f"{PROJECT}/monitoring"].fix
    assert cov[f"{PROJECT}/compute/instances"].status == "ok" and "train-a100" in by_name(snap)
    assert not snap.metrics and snap.billing is not None


def test_disabled_api_and_unknown_project(gcp):
    gcp.fake.disabled.add((PROJECT, "compute"))
    gcp.fake.denied.update({("other-project", "compute"), ("other-project", "storage"), ("other-project", "cloudbilling")})
    snap = gcp.collect(projects=(PROJECT, "other-project"))
    cov = {c.scope: c for c in snap.coverage}
    assert cov[f"{PROJECT}/compute/instances"].error_code == "ServiceDisabled"
    assert cov[f"{PROJECT}/compute/instances"].fix == f"gcloud services enable compute.googleapis.com --project {PROJECT}"
    assert cov["other-project/compute/instances"].error_code == "PermissionDenied"
    assert cov[f"{PROJECT}/storage"].status == "ok"


def test_missing_export_table_is_recorded(gcp):
    snap = gcp.collect(bq_table=f"{PROJECT}.billing_export.nope")
    cov = {c.scope: c for c in snap.coverage}
    assert cov[f"bigquery:{PROJECT}.billing_export.nope"].error_code == "NotFound"
    assert snap.billing is None and snap.resources


def test_no_bq_table_is_a_skipped_scope_with_a_fix(gcp):
    snap = gcp.collect(bq_table=None)
    entry = next(c for c in snap.coverage if c.scope == "billing-export")
    assert entry.status == "skipped" and "--bq-table" in entry.fix


def test_nothing_readable_raises_provider_error(gcp):
    for api in ("compute", "storage", "cloudbilling", "bigquery", "aiplatform", "notebooks"):
        gcp.fake.denied.add((PROJECT, api))
    with pytest.raises(ProviderError, match="nothing could be read"):
        gcp.collect()


def test_missing_credentials_is_a_provider_error_with_the_fix(monkeypatch, tmp_path):
    from google.auth.compute_engine import _metadata

    monkeypatch.setattr(_metadata, "_NO_GCE_CHECK", True)  # no metadata-server probe (offline test)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path))
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    with pytest.raises(ProviderError, match="application-default login"):
        GcpProvider(projects=(PROJECT,)).collect(WINDOW, Settings(), None)


def test_projects_are_discovered_from_billing_accounts(gcp):
    snap = gcp.collect(projects=())
    assert {c.scope.split("/")[0] for c in snap.coverage if "/" in c.scope} == {PROJECT}
    assert any(c[1] == "/v1/billingAccounts" for c in gcp.fake.calls)


def test_project_discovery_denied_names_the_fix(gcp):
    gcp.fake.denied.add(("", "cloudbilling"))
    with pytest.raises(ProviderError, match="--project"):
        gcp.collect(projects=())


def test_cli_without_credentials_exits_2(monkeypatch, tmp_path):
    from click.testing import CliRunner
    from google.auth.compute_engine import _metadata

    from costopt.cli import cli

    monkeypatch.setattr(_metadata, "_NO_GCE_CHECK", True)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["audit", "--provider", "gcp", "--project", PROJECT, "--out", str(tmp_path / "o"),
                                      "--quiet", "--no-history"])
    assert result.exit_code == 2
    assert "application-default login" in result.output


def test_catalog_api_denied_falls_back_to_bundled_prices(gcp):
    gcp.fake.denied.add(("", "cloudbilling"))  # services/*/skus has no project in its path
    snap = gcp.collect()
    cov = {c.scope: c for c in snap.coverage}
    assert cov["catalog"].status == "failed" and cov["catalog"].error_code == "PermissionDenied"
    n2 = by_name(snap)["etl-n2"]
    assert n2.hourly_cost is not None and n2.attributes["price_source"] != "Cloud Billing Catalog API"
    assert cov[f"{PROJECT}/compute/instances"].status == "ok"


def test_specs_from_machine_types_api_without_catalog(gcp):
    from costopt.providers.gcp import inventory
    from costopt.providers.gcp.clients import GcpClients

    clients = GcpClients(None, gcp.endpoints)
    specs = inventory.machine_specs(clients, None, PROJECT, "us-central1-a", "a2-highgpu-1g")
    assert specs["source"] == "compute.machineTypes" and specs["vcpu"] == 12 and specs["memory_gib"] == 85
    assert specs["accelerators"] == [("nvidia-tesla-a100", 1)] and specs["gpu_memory_gib"] == 40
    from google.api_core.exceptions import NotFound

    with pytest.raises(NotFound):
        inventory.machine_specs(clients, None, PROJECT, "us-central1-a", "no-such-type")


def test_standard_export_table_has_no_resource_ids(gcp):
    table = f"{PROJECT}.billing_export.gcp_billing_export_v1_01A2B3_C4D5E6_F7A8B9"
    if table not in gcp.fake.bq_tables:
        rows = [{k: v for k, v in r.items() if k != "resource"} for r in export_rows(NOW, days=20)]
        gcp.fake.add_export_table(table, rows, detailed=False)
    gcp.fake.throttle["bigquery"] = 1  # the tables.get is throttled once, then retried
    snap = gcp.collect(bq_table=table)
    assert snap.billing.scalar("SELECT COUNT(*) FROM focus WHERE ResourceId IS NOT NULL") == 0
    usage = snap.billing.scalar("SELECT SUM(BilledCost) FROM focus WHERE ChargeCategory = 'Usage'")
    start, end = WINDOW.start.replace(tzinfo=None), WINDOW.end.replace(tzinfo=None)
    assert usage == pytest.approx(sum(r["cost"] for r in export_rows(NOW, days=20) if start <= r["usage_start_time"] < end))
