"""The demo's GCP estate, as a FakeGcp + FakeMonitoring seed (deterministic, relative to ``now``).

Project ``ml-research-prod`` (us-central1-a): ``train-a100`` a2-highgpu-1g busy training,
``serve-l4`` g2-standard-8 idle GPU, ``etl-n2`` n2-standard-16 oversized, the unattached 2 TB
pd-ssd ``scratch-ssd``, the unused static address ``old-endpoint-ip`` and the bucket
``ml-research-datasets`` (Standard, no lifecycle rules), the Vertex AI platform of
:mod:`costopt.demo.fakes.vertex_ml_seed`; 14 days of 5-minute metrics and
5 weeks of daily billing-export rows (detailed table, with sustained-use credits).
"""

from __future__ import annotations

import zlib
from datetime import UTC, datetime, timedelta

import numpy as np

from costopt.demo.fakes import vertex_ml_seed
from costopt.demo.fakes.gcp import FakeGcp, sku
from costopt.demo.fakes.gcp_monitoring import FakeMonitoring, FakeSeries
from costopt.demo.tables import table

PROJECT = "ml-research-prod"
PROJECT_NUMBER = "418273645001"
ZONE = "us-central1-a"
REGION = "us-central1"
BILLING_ACCOUNT = "01A2B3-C4D5E6-F7A8B9"
BQ_TABLE = f"{PROJECT}.billing_export.gcp_billing_export_resource_v1_01A2B3_C4D5E6_F7A8B9"
COMPUTE = "6F81-5844-456A"
STORAGE = "95FF-2EF5-5EA1"
API = "https://www.googleapis.com/compute/v1/projects/" + PROJECT
REGIONS = [REGION, "us-east1", "europe-west4"]

SKUS = table("gcp_skus")  # (description, usage type, unit, USD price): public list-price magnitudes, us-central1

MACHINE_TYPES = {
    "a2-highgpu-1g": {"name": "a2-highgpu-1g", "guestCpus": 12, "memoryMb": 87040,
                      "accelerators": [{"guestAcceleratorType": "nvidia-tesla-a100", "guestAcceleratorCount": 1}]},
    "g2-standard-8": {"name": "g2-standard-8", "guestCpus": 8, "memoryMb": 32768,
                      "accelerators": [{"guestAcceleratorType": "nvidia-l4", "guestAcceleratorCount": 1}]},
    "n2-standard-16": {"name": "n2-standard-16", "guestCpus": 16, "memoryMb": 65536},
}

# name, id, machine type, labels, cpu level/spread, gpu level/spread, memory level
INSTANCES = [
    ("train-a100", "5100000000000001", "a2-highgpu-1g",
     {"costopt-workload": "training", "costopt-team": "vision", "costopt-interruptible": "true"}, 55, 15, 85, 8, 60),
    ("serve-l4", "5100000000000002", "g2-standard-8",
     {"costopt-workload": "inference", "costopt-team": "search", "costopt-interruptible": "false"}, 1.2, 0.4, 0.3, 0.2, 18),
    ("etl-n2", "5100000000000003", "n2-standard-16",
     {"costopt-workload": "batch", "costopt-team": "platform", "costopt-interruptible": "false"}, 9, 4, None, None, 21),
]
BUCKET = "ml-research-datasets"
BUCKET_BYTES = 180e12


def _instance_json(name: str, iid: str, mtype: str, labels: dict, accel: list) -> dict:
    return {"id": iid, "name": name, "zone": f"{API}/zones/{ZONE}", "machineType": f"{API}/zones/{ZONE}/machineTypes/{mtype}",
            "status": "RUNNING", "labels": labels, "creationTimestamp": "2026-05-04T09:12:00.000-07:00",
            "scheduling": {"provisioningModel": "STANDARD", "preemptible": False, "onHostMaintenance": "TERMINATE"},
            "selfLink": f"{API}/zones/{ZONE}/instances/{name}",
            "guestAccelerators": [{"acceleratorType": f"{API}/zones/{ZONE}/acceleratorTypes/{t}", "acceleratorCount": c}
                                  for t, c in accel]}


def build_fake_gcp(now: datetime, *, page_size: int = 2) -> FakeGcp:
    fake = FakeGcp(machine_types=MACHINE_TYPES, page_size=page_size, billing_accounts={
        PROJECT: f"billingAccounts/{BILLING_ACCOUNT}"})
    instances, disks = [], []
    for name, iid, mtype, labels, *_rest in INSTANCES:
        accel = [(a["guestAcceleratorType"], a["guestAcceleratorCount"]) for a in
                 MACHINE_TYPES[mtype].get("accelerators", [])]
        instances.append(_instance_json(name, iid, mtype, labels, accel))
        disks.append({"id": f"52{iid[2:]}", "name": name, "zone": f"{API}/zones/{ZONE}", "sizeGb": "200",
                      "type": f"{API}/zones/{ZONE}/diskTypes/pd-balanced", "status": "READY", "labels": labels,
                      "users": [f"{API}/zones/{ZONE}/instances/{name}"], "creationTimestamp": "2026-05-04T09:12:00Z"})
    disks.append({"id": "5300000000000009", "name": "scratch-ssd", "zone": f"{API}/zones/{ZONE}", "sizeGb": "2048",
                  "type": f"{API}/zones/{ZONE}/diskTypes/pd-ssd", "status": "READY", "users": [],
                  "labels": {"costopt-team": "vision"}, "creationTimestamp": "2026-03-02T11:00:00Z",
                  "lastDetachTimestamp": "2026-08-19T16:40:00Z"})
    addresses = [{"id": "5400000000000001", "name": "old-endpoint-ip", "region": f"{API}/regions/{REGION}",
                  "address": "34.118.20.7", "status": "RESERVED", "addressType": "EXTERNAL",
                  "creationTimestamp": "2026-02-11T08:00:00Z"}]
    buckets = [{"name": BUCKET, "id": BUCKET, "storageClass": "STANDARD", "location": "US-CENTRAL1",
                "locationType": "region", "timeCreated": "2025-01-10T00:00:00Z", "versioning": {"enabled": False},
                "labels": {"costopt-workload": "data", "costopt-team": "vision"}}]
    fake.projects[PROJECT] = {"instances": instances, "disks": disks, "addresses": addresses, "buckets": buckets}
    vertex_ml_seed.seed(fake.projects, PROJECT, PROJECT_NUMBER, ZONE, now)
    fake.skus[COMPUTE] = [sku(COMPUTE, f"SKU-{zlib.crc32(d.encode()) % 10000:04d}", d, REGIONS, p, unit, usage)
                          for d, usage, unit, p in SKUS]
    fake.add_export_table(BQ_TABLE, export_rows(now), detailed=True)
    return fake


def export_rows(now: datetime, days: int = 35) -> list[dict]:
    """Daily detailed-export rows for the last ``days`` days (naive UTC timestamps)."""
    prices = {d: p for d, _u, _unit, p in SKUS}
    end = now.astimezone(UTC).replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0)
    rows = []

    def row(day, service, sid, desc, cost, amount, unit, resource=None, labels=None, credits=()):
        rows.append({
            "billing_account_id": BILLING_ACCOUNT, "service": {"id": sid, "description": service},
            "sku": {"id": f"SKU-{zlib.crc32(desc.encode()) % 10000:04d}", "description": desc},
            "usage_start_time": day, "usage_end_time": day + timedelta(days=1),
            "project": {"id": PROJECT, "number": PROJECT_NUMBER, "name": "ML Research (prod)"},
            "labels": [{"key": k, "value": v} for k, v in sorted((labels or {}).items())],
            "location": {"location": REGION, "country": "US", "region": REGION, "zone": ZONE},
            "resource": {"name": resource[0], "global_name": resource[1]} if resource else {"name": None, "global_name": None},
            "cost": round(cost, 6), "currency": "USD",
            "usage": {"amount": amount, "unit": unit, "amount_in_pricing_units": amount, "pricing_unit": unit},
            "credits": [{"name": n, "amount": round(a, 6), "full_name": n, "id": n, "type": t} for n, a, t in credits],
            "invoice": {"month": day.strftime("%Y%m")}, "cost_type": "regular",
        })

    for back in range(days, 0, -1):
        day = end - timedelta(days=back)
        for name, iid, mtype, labels, *_rest in INSTANCES:
            mt = MACHINE_TYPES[mtype]
            family = mtype.split("-")[0].upper()
            res = (name, f"//compute.googleapis.com/projects/{PROJECT}/zones/{ZONE}/instances/{iid}")
            core = mt["guestCpus"] * 24 * prices[f"{family} Instance Core running in Americas"]
            sud = [("Sustained usage discount", -0.2 * core, "SUSTAINED_USAGE_DISCOUNT")] if family == "N2" else []
            row(day, "Compute Engine", COMPUTE, f"{family} Instance Core running in Americas", core,
                mt["guestCpus"] * 24.0, "h", res, labels, sud)
            ram_gib = mt["memoryMb"] / 1024
            ram = ram_gib * 24 * prices[f"{family} Instance Ram running in Americas"]
            row(day, "Compute Engine", COMPUTE, f"{family} Instance Ram running in Americas", ram, ram_gib * 24,
                "GiBy.h", res, labels, [("Sustained usage discount", -0.2 * ram, "SUSTAINED_USAGE_DISCOUNT")] if sud else [])
            for acc in mt.get("accelerators", []):
                gpu_name = {"nvidia-tesla-a100": "Nvidia Tesla A100 GPU", "nvidia-l4": "Nvidia L4 GPU"}[acc["guestAcceleratorType"]]
                desc = f"{gpu_name} running in Americas"
                row(day, "Compute Engine", COMPUTE, desc, 24 * prices[desc], 24.0, "h", res, labels)
            row(day, "Compute Engine", COMPUTE, "Balanced PD Capacity", 200 * 0.10 / 30.4, 200 / 30.4, "GiBy.mo",
                (name, f"//compute.googleapis.com/projects/{PROJECT}/zones/{ZONE}/disks/52{iid[2:]}"), labels)
        row(day, "Compute Engine", COMPUTE, "SSD backed PD Capacity", 2048 * 0.17 / 30.4, 2048 / 30.4, "GiBy.mo",
            ("scratch-ssd", f"//compute.googleapis.com/projects/{PROJECT}/zones/{ZONE}/disks/5300000000000009"),
            {"costopt-team": "vision"})
        row(day, "Compute Engine", COMPUTE, "Static Ip Charge", 24 * 0.01, 24.0, "h",
            ("old-endpoint-ip", f"//compute.googleapis.com/projects/{PROJECT}/regions/{REGION}/addresses/5400000000000001"))
        gb = BUCKET_BYTES / 2**30
        row(day, "Cloud Storage", STORAGE, "Standard Storage US Regional", gb * 0.020 / 30.4, gb / 30.4, "GiBy.mo",
            (BUCKET, f"//storage.googleapis.com/projects/_/buckets/{BUCKET}"), {"costopt-team": "vision"})
        egress_gb = 40.0 + 5 * (back % 7)
        row(day, "Compute Engine", COMPUTE, "Network Internet Egress from Americas to Americas", egress_gb * 0.12,
            egress_gb, "GiBy", res, labels)
    return rows


def build_fake_monitoring(now: datetime, *, days: int = 14, page_size: int = 2) -> FakeMonitoring:
    rng = np.random.default_rng(20261127)
    end = int(now.timestamp()) // 300 * 300
    ts = np.arange(end - days * 86400, end, 300, dtype=np.int64)
    hour = (ts % 86400) / 3600.0
    diurnal = 0.5 + 0.5 * np.sin((hour - 9) / 24 * 2 * np.pi)
    series = []
    for name, iid, _mtype, _labels, cpu, cpu_sd, gpu, gpu_sd, mem in INSTANCES:
        labels = {"project_id": PROJECT, "instance_id": iid, "zone": ZONE}
        cpu_frac = np.clip((cpu + cpu_sd * (diurnal - 0.5) * 2 + rng.normal(0, cpu_sd / 3, ts.size)) / 100, 0, 1)
        series.append(FakeSeries(PROJECT, "compute.googleapis.com/instance/cpu/utilization", "gce_instance", labels,
                                 list(zip(ts.tolist(), cpu_frac.round(4).tolist()))))
        mem_pct = np.clip(mem + rng.normal(0, 2, ts.size), 0, 100)
        series.append(FakeSeries(PROJECT, "agent.googleapis.com/memory/percent_used", "gce_instance", labels,
                                 list(zip(ts.tolist(), mem_pct.round(2).tolist())), {"state": "used"}))
        net_level = {"train-a100": 40e6, "serve-l4": 0.2e6, "etl-n2": 15e6}[name]  # bytes per 5 minutes
        for direction in ("received", "sent"):
            net = np.clip(net_level * (0.5 + diurnal) + rng.normal(0, net_level / 10, ts.size), 0, None)
            series.append(FakeSeries(PROJECT, f"compute.googleapis.com/instance/network/{direction}_bytes_count",
                                     "gce_instance", labels, list(zip(ts.tolist(), net.round(0).tolist())),
                                     {"loadbalanced": "false"}))
        if gpu is not None:
            g = np.clip(gpu + rng.normal(0, gpu_sd, ts.size), 0, 100)
            series.append(FakeSeries(PROJECT, "agent.googleapis.com/gpu/utilization", "gce_instance", labels,
                                     list(zip(ts.tolist(), g.round(2).tolist())), {"gpu_number": "0", "model": "x"}))
            gpu_gib = {"train-a100": 40, "serve-l4": 24}[name]
            used_share = {"train-a100": 0.78, "serve-l4": 0.12}[name]
            used = np.clip(used_share + rng.normal(0, 0.02, ts.size), 0, 1) * gpu_gib * 2**30
            series.append(FakeSeries(PROJECT, "agent.googleapis.com/gpu/memory/bytes_used", "gce_instance", labels,
                                     list(zip(ts.tolist(), used.round(0).tolist())),
                                     {"gpu_number": "0", "memory_state": "used"}))
    daily = np.arange(end - days * 86400, end, 86400, dtype=np.int64)
    series.append(FakeSeries(PROJECT, "storage.googleapis.com/storage/total_bytes", "gcs_bucket",
                             {"project_id": PROJECT, "bucket_name": BUCKET, "location": REGION},
                             [(int(t), BUCKET_BYTES * (1 + 0.001 * i)) for i, t in enumerate(daily)],
                             {"storage_class": "STANDARD", "type": "live-object"}))
    series.append(FakeSeries(PROJECT, "storage.googleapis.com/api/request_count", "gcs_bucket",
                             {"project_id": PROJECT, "bucket_name": BUCKET, "location": REGION},
                             [(int(t), float(200 + 40 * (i % 7))) for i, t in enumerate(daily)],
                             {"method": "ReadObject", "response_code": "OK"}))
    return FakeMonitoring(series, page_size=page_size)
