"""The demo's Azure estate, as a FakeAzure seed (deterministic, relative to ``now``).

Subscription ``5f1c7a2e-...`` (ml-platform-prod, eastus, resource group ml-prod): ``gpu-train-nc6``
Standard_NC6s_v3 almost idle, ``api-d16`` Standard_D16s_v5 oversized, the unattached 1 TB
Premium disk ``orphan-data-disk``, the unassociated public IP ``old-lb-pip`` and the Hot-tier
storage account ``mlrawdata001`` without a lifecycle policy (52 TB Hot, rarely read); 14 days of
5-minute VM metrics, hourly blob metrics, and
5 weeks of daily Cost Management rows (actual = amortized: no reservations).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from costopt.demo.fakes import azureml_seed
from costopt.demo.fakes.azure import FakeAzure, FakeSubscription
from costopt.demo.tables import table

SUBSCRIPTION = "5f1c7a2e-0d7b-4c1e-9a43-2b8d6e3f9c10"
LOCATION = "eastus"
RG = "ml-prod"
BASE = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{RG}/providers"

# name, size, tags, cpu level, cpu spread, memory used %, vcpu, memory GiB, gpus
VMS = [
    ("gpu-train-nc6", "Standard_NC6s_v3", {"costopt:workload": "training", "costopt:team": "vision",
                                           "costopt:interruptible": "true"}, 3.0, 2.0, 12.0, 6, 112, 1),
    ("api-d16", "Standard_D16s_v5", {"costopt:workload": "inference", "costopt:team": "fraud",
                                     "costopt:interruptible": "false"}, 8.0, 4.0, 22.0, 16, 64, 0),
]
SKU_SPECS = [("Standard_NC6s_v3", 6, 112, 1), ("Standard_D16s_v5", 16, 64, 0), ("Standard_D8s_v5", 8, 32, 0),
             ("Standard_D4s_v5", 4, 16, 0), ("Standard_NC4as_T4_v3", 4, 28, 1)]
VM_PRICES = table("azure_vm_prices")  # (armSkuName, skuName, productName, USD per hour)
DISK_PRICES = [("P10 LRS", 19.71), ("P30 LRS", 135.17)]
IP_HOURLY = 0.005


def _retail() -> list[dict]:
    items = [{"currencyCode": "USD", "retailPrice": p, "unitPrice": p, "armRegionName": LOCATION, "location": "US East",
              "armSkuName": arm, "skuName": sku, "productName": product, "serviceName": "Virtual Machines",
              "serviceFamily": "Compute", "unitOfMeasure": "1 Hour", "type": "Consumption", "priceType": "Consumption",
              "meterName": sku, "effectiveStartDate": "2026-01-01T00:00:00Z", "isPrimaryMeterRegion": True}
             for arm, sku, product, p in VM_PRICES]
    items += [{"currencyCode": "USD", "retailPrice": p, "unitPrice": p, "armRegionName": LOCATION, "armSkuName": "",
               "skuName": sku, "productName": "Premium SSD Managed Disks", "serviceName": "Storage",
               "unitOfMeasure": "1/Month", "type": "Consumption", "priceType": "Consumption",
               "meterName": f"{sku.split()[0]} LRS Disk"} for sku, p in DISK_PRICES]
    items.append({"currencyCode": "USD", "retailPrice": IP_HOURLY, "unitPrice": IP_HOURLY, "armRegionName": LOCATION,
                  "armSkuName": "", "skuName": "Standard", "productName": "IP Addresses",
                  "serviceName": "Virtual Network", "unitOfMeasure": "1 Hour", "type": "Consumption",
                  "priceType": "Consumption", "meterName": "Standard IPv4 Static Public IP"})
    return items


def build_fake_azure(now: datetime, *, page_size: int = 2, days_of_cost: int = 35, days_of_metrics: int = 14) -> FakeAzure:
    sub = FakeSubscription()
    for name, size, tags, *_rest in VMS:
        sub.vms.append({"id": f"{BASE}/Microsoft.Compute/virtualMachines/{name}", "name": name, "location": LOCATION,
                        "type": "Microsoft.Compute/virtualMachines", "tags": tags,
                        "properties": {"hardwareProfile": {"vmSize": size}, "priority": "Regular",
                                       "timeCreated": "2026-04-02T10:00:00Z", "provisioningState": "Succeeded",
                                       "instanceView": {"statuses": [{"code": "ProvisioningState/succeeded"},
                                                                     {"code": "PowerState/running"}]}}})
        sub.disks.append(_disk(f"{name}-osdisk", 128, "Attached", tags, f"{BASE}/Microsoft.Compute/virtualMachines/{name}"))
    sub.disks.append(_disk("orphan-data-disk", 1024, "Unattached", {"costopt:team": "vision"}, None))
    azureml_seed.seed(sub.ml, SUBSCRIPTION, now)
    sub.public_ips = [
        _ip("api-pip", "20.120.4.10", {"id": f"{BASE}/Microsoft.Network/networkInterfaces/api-nic/ipConfigurations/ipconfig1"}),
        _ip("old-lb-pip", "20.120.9.77", None),
    ]
    sub.storage_accounts = [{
        "id": f"{BASE}/Microsoft.Storage/storageAccounts/mlrawdata001", "name": "mlrawdata001", "location": LOCATION,
        "type": "Microsoft.Storage/storageAccounts", "kind": "StorageV2", "sku": {"name": "Standard_LRS", "tier": "Standard"},
        "tags": {"costopt:workload": "data", "costopt:team": "vision"},
        "properties": {"accessTier": "Hot", "creationTime": "2025-06-01T00:00:00Z", "provisioningState": "Succeeded"}}]
    sub.resource_skus = [{"resourceType": "virtualMachines", "name": n, "tier": "Standard", "size": n.split("_", 1)[1],
                          "locations": [LOCATION], "capabilities": [
                              {"name": "vCPUs", "value": str(c)}, {"name": "MemoryGB", "value": str(m)},
                              {"name": "GPUs", "value": str(g)}]} for n, c, m, g in SKU_SPECS]
    sub.resource_skus.append({"resourceType": "disks", "name": "Premium_LRS", "locations": [LOCATION], "capabilities": []})
    sub.cost_rows = _cost_rows(now, days_of_cost)
    sub.metrics = _metrics(now, days_of_metrics)
    return FakeAzure(subscriptions={SUBSCRIPTION: sub}, retail_items=_retail(), page_size=page_size)


def _disk(name: str, size: int, state: str, tags: dict, managed_by: str | None) -> dict:
    props = {"diskSizeGB": size, "diskState": state, "timeCreated": "2026-04-02T10:00:00Z", "provisioningState": "Succeeded",
             "tier": "P30" if size > 512 else "P10"}
    out = {"id": f"{BASE}/Microsoft.Compute/disks/{name}", "name": name, "location": LOCATION,
           "type": "Microsoft.Compute/disks", "tags": tags, "sku": {"name": "Premium_LRS", "tier": "Premium"},
           "properties": props}
    if managed_by:
        out["managedBy"] = managed_by
    return out


def _ip(name: str, address: str, ip_config: dict | None) -> dict:
    props = {"ipAddress": address, "publicIPAllocationMethod": "Static", "publicIPAddressVersion": "IPv4",
             "provisioningState": "Succeeded"}
    if ip_config:
        props["ipConfiguration"] = ip_config
    return {"id": f"{BASE}/Microsoft.Network/publicIPAddresses/{name}", "name": name, "location": LOCATION,
            "type": "Microsoft.Network/publicIPAddresses", "sku": {"name": "Standard", "tier": "Regional"},
            "properties": props}


def _cost_rows(now: datetime, days: int) -> list[dict]:
    end = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    prices = {arm: p for arm, sku, product, p in VM_PRICES if sku.count(" ") == 1 and "Windows" not in product}
    rows = []

    def add(day, rid, service, meter, amount):
        rows.append({"UsageDate": int(day.strftime("%Y%m%d")), "ResourceId": rid.lower(), "ServiceName": service,
                     "MeterCategory": meter, "ResourceLocation": LOCATION, "ChargeType": "Usage",
                     "actual": round(amount, 6), "amortized": round(amount, 6), "Currency": "USD"})

    for back in range(days, 0, -1):
        day = end - timedelta(days=back)
        for name, size, *_rest in VMS:
            add(day, f"{BASE}/Microsoft.Compute/virtualMachines/{name}", "Virtual Machines", "Virtual Machines",
                24 * prices[size])
            add(day, f"{BASE}/Microsoft.Compute/disks/{name}-osdisk", "Storage", "Storage", 19.71 / 30.4)
        add(day, f"{BASE}/Microsoft.Compute/disks/orphan-data-disk", "Storage", "Storage", 135.17 / 30.4)
        add(day, f"{BASE}/Microsoft.Network/publicIPAddresses/old-lb-pip", "Virtual Network", "Virtual Network",
            24 * IP_HOURLY)
        add(day, f"{BASE}/Microsoft.Network/publicIPAddresses/api-pip", "Virtual Network", "Virtual Network",
            24 * IP_HOURLY)
        add(day, f"{BASE}/Microsoft.Storage/storageAccounts/mlrawdata001", "Storage", "Storage", 52_000 * 0.0184 / 30.4)
        add(day, f"{BASE}/Microsoft.Compute/virtualMachines/api-d16", "Bandwidth", "Bandwidth", 0.087 * (30 + back % 5))
    return rows


def _metrics(now: datetime, days: int) -> dict[tuple[str, str], list[tuple[int, float]]]:
    rng = np.random.default_rng(11272026)
    end = int(now.timestamp()) // 300 * 300
    ts = np.arange(end - days * 86400, end, 300, dtype=np.int64)
    hour = (ts % 86400) / 3600.0
    diurnal = 0.5 + 0.5 * np.sin((hour - 9) / 24 * 2 * np.pi)
    out = {}
    for name, _size, _tags, cpu, spread, mem_used, _vcpu, mem_gib, _gpus in VMS:
        rid = f"{BASE}/Microsoft.Compute/virtualMachines/{name}".lower()
        values = np.clip(cpu + spread * (diurnal - 0.5) * 2 + rng.normal(0, spread / 3, ts.size), 0, 100)
        out[(rid, "Percentage CPU")] = list(zip(ts.tolist(), values.round(2).tolist()))
        used = np.clip(mem_used + rng.normal(0, 1.5, ts.size), 0, 100)
        avail = (1 - used / 100) * mem_gib * 2**30
        out[(rid, "Available Memory Bytes")] = list(zip(ts.tolist(), avail.round(0).tolist()))
        net = np.clip(3e6 * (0.5 + diurnal) + rng.normal(0, 2e5, ts.size), 0, None)  # bytes per 5 minutes
        out[(rid, "Network In Total")] = list(zip(ts.tolist(), net.round(0).tolist()))
        out[(rid, "Network Out Total")] = list(zip(ts.tolist(), (net * 0.4).round(0).tolist()))
    hourly = np.arange(end - days * 86400, end, 3600, dtype=np.int64)
    blob = f"{BASE}/Microsoft.Storage/storageAccounts/mlrawdata001/blobServices/default".lower()
    out[(blob, "BlobCapacity")] = {"Hot": [(int(t), 52e12 * (1 + 0.0001 * i)) for i, t in enumerate(hourly)],
                                   "Cool": [(int(t), 0.0) for t in hourly]}
    out[(blob, "BlobCount")] = [(int(t), 8.2e6 + 10 * i) for i, t in enumerate(hourly)]
    out[(blob, "Transactions")] = {"GetBlob": [(int(t), float(3 + i % 4)) for i, t in enumerate(hourly)],
                                   "PutBlob": [(int(t), 1.0) for t in hourly]}
    return out
