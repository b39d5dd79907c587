"""Azure priced paths on the documented API shapes, checked against published list prices.

Retail Prices pages follow the documented response (``BillingCurrency``, ``Items`` with
``currencyCode``, ``tierMinimumUnits``, ``retailPrice``, ``unitOfMeasure``, ``type``,
``NextPageLink``, ``Count``); VMs, disks and management policies follow the ARM REST
shapes (``priority`` Spot, ``diskIOPSReadWrite`` / ``diskMBpsReadWrite``, a management
policy with ``tierToCool`` / ``tierToArchive`` / ``delete`` actions). All are served to the
real clients at the wire through `responses`.

Oracles:
- Standard_D16s_v5 eastus Linux on demand 0.768 USD/h (/work/shared/data/prices/
  azure_vm_karpenter.csv.gz, Azure/karpenter-provider-azure@352646f5, 2026-06-18) and Spot
  0.08448 USD/h (/work/shared/data/prices/azure_compute_prices.csv).
- Premium SSD v2, ukwest, GBP (Retail Prices API items, effectiveStartDate 2023-12-01):
  capacity 0.000105 per GiB-hour; IOPS 0 up to 3,000 then 0.000006 per IOPS-hour; throughput
  0 up to 125 MB/s then 0.000052 per MB/s-hour.
- Ultra Disks, westeurope, USD: the Retail Prices API's answer recorded in "Handling dynamic
  retail prices of Azure services in Azure Cost Estimator" (the ACE project's post of 2024-01-06,
  query ``serviceId eq 'DZH317F1HKN0' and armRegionName eq 'westeurope' and skuName eq 'Ultra
  LRS'``): Provisioned Capacity 0.000213 per GiB-hour (meter 38394a77-2cd5-4ed7-8cfc-778297962ed8),
  Provisioned IOPS 0.000088 per IOPS-hour (13c698e9-e26c-4d9c-94b4-f668f8bc6deb), Provisioned
  Throughput (MBps) 0.000572 per MB/s-hour (b2ab2927-4439-4afb-be02-dd96224acf14) and the
  Reservation per vCPU Provisioned 0.0078 per vCPU-hour (40a54ded-7840-4be0-a0dc-d034d3e78d0b).
"""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest

from costopt.config import Settings
from costopt.demo.fakes.azure_seed import BASE, SUBSCRIPTION
from costopt.providers.azure.prices import RetailPrices, per_hour, tiered_hourly

from .conftest import faulty, seeded

PRICES = "https://prices.azure.com/api/retail/prices"


def item(meter: str, product: str, sku: str, price: float, unit: str, *, currency: str = "USD",
         region: str = "eastus", tier: float = 0.0, arm_sku: str = "", service: str = "Virtual Machines") -> dict:
    return {"currencyCode": currency, "tierMinimumUnits": tier, "retailPrice": price, "unitPrice": price,
            "armRegionName": region, "location": region, "effectiveStartDate": "2023-12-01T00:00:00Z",
            "meterId": f"meter-{meter}", "meterName": meter, "productId": f"product-{product}",
            "skuId": f"product-{product}/0001", "productName": product, "skuName": sku, "serviceName": service,
            "serviceId": "DZH313Z7MMC8", "serviceFamily": "Compute" if service == "Virtual Machines" else "Storage",
            "unitOfMeasure": unit, "type": "Consumption", "isPrimaryMeterRegion": True, "armSkuName": arm_sku}


def page(items: list[dict], currency: str = "USD", next_link: str | None = None) -> dict:
    return {"BillingCurrency": currency, "CustomerEntityId": "Default", "CustomerEntityType": "Retail",
            "Items": items, "NextPageLink": next_link, "Count": len(items)}


D16 = "Standard_D16s_v5"
D16_PAGES = [
    page([item("D16s v5", "Virtual Machines Dsv5 Series Windows", "D16s v5", 1.504, "1 Hour", arm_sku=D16),
          item("D16s v5 Low Priority", "Virtual Machines Dsv5 Series", "D16s v5 Low Priority", 0.1536, "1 Hour",
               arm_sku=D16)],
         next_link=f"{PRICES}?currencyCode='USD'&$filter=armSkuName%20eq%20'{D16}'&$skip=2"),
    page([item("D16s v5", "Virtual Machines Dsv5 Series", "D16s v5", 0.768, "1 Hour", arm_sku=D16),
          item("D16s v5 Spot", "Virtual Machines Dsv5 Series", "D16s v5 Spot", 0.08448, "1 Hour", arm_sku=D16)]),
]
V2 = "Azure Premium SSD v2"
PV2_PAGE = page([
    item("Premium LRS Provisioned Throughput (MBps)", V2, "Premium LRS", 0.0, "1/Hour", currency="GBP",
         region="ukwest", service="Storage"),
    item("Premium LRS Provisioned Throughput (MBps)", V2, "Premium LRS", 0.000052, "1/Hour", currency="GBP",
         region="ukwest", tier=125, service="Storage"),
    item("Premium LRS Provisioned IOPS", V2, "Premium LRS", 0.0, "1/Hour", currency="GBP", region="ukwest",
         service="Storage"),
    item("Premium LRS Provisioned IOPS", V2, "Premium LRS", 0.000006, "1/Hour", currency="GBP", region="ukwest",
         tier=3000, service="Storage"),
    item("Premium LRS Provisioned Capacity", V2, "Premium LRS", 0.000105, "1 GiB/Hour", currency="GBP",
         region="ukwest", service="Storage"),
], currency="GBP")
ULTRA_METERS = {  # meterName suffix -> (meterId, retailPrice, unitOfMeasure, effectiveStartDate), westeurope
    "Provisioned IOPS": ("13c698e9-e26c-4d9c-94b4-f668f8bc6deb", 8.8e-05, "1/Hour", "2019-10-30T00:00:00Z"),
    "Provisioned Capacity": ("38394a77-2cd5-4ed7-8cfc-778297962ed8", 0.000213, "1 GiB/Hour", "2019-10-30T00:00:00Z"),
    "Reservation per vCPU Provisioned": ("40a54ded-7840-4be0-a0dc-d034d3e78d0b", 0.0078, "1/Hour",
                                         "2019-10-30T00:00:00Z"),
    "Provisioned Throughput (MBps)": ("b2ab2927-4439-4afb-be02-dd96224acf14", 0.000572, "1/Hour",
                                      "2021-05-01T00:00:00Z"),
}
ULTRA_PAGE = page([{  # the recorded items as the API returned them
    "currencyCode": "USD", "tierMinimumUnits": 0.0, "retailPrice": price, "unitPrice": price,
    "armRegionName": "westeurope", "location": "EU West", "effectiveStartDate": start, "meterId": meter_id,
    "meterName": f"Ultra LRS {suffix}", "productId": "DZH318Z0BP68", "skuId": "DZH318Z0BP68/0006",
    "productName": "Ultra Disks", "skuName": "Ultra LRS", "serviceName": "Storage", "serviceId": "DZH317F1HKN0",
    "serviceFamily": "Storage", "unitOfMeasure": unit, "type": "Consumption", "isPrimaryMeterRegion": True,
    "armSkuName": ""} for suffix, (meter_id, price, unit, start) in ULTRA_METERS.items()])


def retail(pages_by_filter: dict[str, list[dict]]):
    """A fault function answering Retail Prices queries whose $filter contains a key with its pages."""
    def fault(method, url):
        parts = urlsplit(url)
        if not url.startswith(PRICES):
            return None
        query = parse_qs(parts.query)
        filter_ = query.get("$filter", [""])[0]
        skip = int(query.get("$skip", ["0"])[0])
        for key, pages in pages_by_filter.items():
            if key in filter_:
                return 200, {}, pages[0 if skip == 0 else 1]
        return None
    return fault


def test_vm_page_follows_next_link_and_picks_linux_then_spot(_seed):
    with faulty(_seed, retail({D16: D16_PAGES})):
        prices = RetailPrices("USD", use_cache=False)
        assert prices.vm_hourly("eastus", D16) == pytest.approx(0.768)
        assert prices.requests == 2  # the Linux meter is on the page NextPageLink points to
        assert prices.vm_hourly("eastus", D16, spot=True) == pytest.approx(0.08448)


def test_an_answer_in_another_currency_is_not_a_price(_seed):
    with faulty(_seed, retail({D16: D16_PAGES})):  # asked EUR, the pages say USD
        assert RetailPrices("EUR", use_cache=False).vm_hourly("eastus", D16) is None


@pytest.mark.parametrize("unit,price,hourly", [("1 Hour", 0.768, 0.768), ("100 Hours", 76.8, 0.768),
                                               ("1/Month", 135.17, 135.17 / 730), ("1 GiB/Hour", 0.000105, 0.000105),
                                               ("1 GB/Month", 0.0184, 0.0184 / 730), ("10K", 0.0004, None)])
def test_unit_of_measure(unit, price, hourly):
    got = per_hour({"unitOfMeasure": unit, "retailPrice": price})
    assert got == (None if hourly is None else pytest.approx(hourly))


def test_tiers_price_only_past_the_included_amount():
    iops = [i for i in PV2_PAGE["Items"] if i["meterName"] == "Premium LRS Provisioned IOPS"]
    assert tiered_hourly(iops, 3000) == 0.0
    assert tiered_hourly(iops, 4000) == pytest.approx(1000 * 0.000006)
    assert tiered_hourly(list(reversed(iops)), 4000) == pytest.approx(1000 * 0.000006)  # order of items


def _disk(name: str, sku: str, size: int, iops: int, mbps: int, location: str) -> dict:
    return {"id": f"{BASE}/Microsoft.Compute/disks/{name}", "name": name, "location": location,
            "type": "Microsoft.Compute/disks", "sku": {"name": sku, "tier": sku.split("_")[0]},
            "properties": {"diskSizeGB": size, "diskIOPSReadWrite": iops, "diskMBpsReadWrite": mbps,
                           "diskState": "Unattached", "provisioningState": "Succeeded",
                           "timeCreated": "2026-04-02T10:00:00Z"}}


SPOT_VM = {"id": f"{BASE}/Microsoft.Compute/virtualMachines/spot-d16", "name": "spot-d16", "location": "eastus",
           "type": "Microsoft.Compute/virtualMachines",
           "properties": {"hardwareProfile": {"vmSize": D16}, "priority": "Spot", "evictionPolicy": "Deallocate",
                          "billingProfile": {"maxPrice": -1},
                          "instanceView": {"statuses": [{"code": "PowerState/running"}]}}}
POLICY = {  # ManagementPolicies_Get example shape
    "id": f"{BASE}/Microsoft.Storage/storageAccounts/mlrawdata001/managementPolicies/default",
    "name": "DefaultManagementPolicy", "type": "Microsoft.Storage/storageAccounts/managementPolicies",
    "properties": {"lastModifiedTime": "2026-06-08T03:01:55.7168089Z", "policy": {"rules": [{
        "enabled": True, "name": "olcmtest", "type": "Lifecycle",
        "definition": {"filters": {"blobTypes": ["blockBlob"], "prefixMatch": ["olcmtestcontainer"]},
                       "actions": {"baseBlob": {"tierToCool": {"daysAfterModificationGreaterThan": 30},
                                                "tierToArchive": {"daysAfterModificationGreaterThan": 90},
                                                "delete": {"daysAfterModificationGreaterThan": 1000}},
                                   "snapshot": {"delete": {"daysAfterCreationGreaterThan": 30}}}}}]}}}


P50 = 491.52  # fixture value for the P50 LRS Disk meter (checks which meter is chosen)
P50_PAGE = page([item("P50 LRS Disk", "Premium SSD Managed Disks", "P50 LRS", P50, "1/Month", service="Storage")])


def test_premium_disk_billed_at_its_performance_tier(_seed):
    def premium(name, tier):
        disk = _disk(name, "Premium_LRS", 1024, 0, 0, "eastus")
        disk["properties"] = {"diskSizeGB": 1024, "diskState": "Unattached", "tier": tier}
        return disk

    with seeded(_seed, "disks", [premium("p50-perf", "P50"), premium("p20-below", "P20")]), \
            faulty(_seed, retail({"'P50 LRS'": [P50_PAGE]})) as env:
        snap = env.collect()
    disks = {r.name: r for r in snap.resources if r.kind == "volume"}
    assert disks["p50-perf"].hourly_cost == pytest.approx(P50 / 730)  # a 1 TiB disk set to P50 bills as P50
    assert disks["p20-below"].hourly_cost == pytest.approx(135.17 / 730)  # never below its size's tier (P30)


@pytest.fixture
def shaped(_seed):
    disks = [_disk("pv2-data", "PremiumV2_LRS", 100, 4000, 200, "ukwest"),
             _disk("pv2-baseline", "PremiumV2_LRS", 100, 3000, 125, "ukwest"),
             _disk("ultra-data", "UltraSSD_LRS", 1024, 20000, 500, "westeurope")]
    account = f"{BASE}/Microsoft.Storage/storageAccounts/mlrawdata001".lower()
    policies = _seed.subscriptions[SUBSCRIPTION].policies
    policies[account] = POLICY
    try:
        with seeded(_seed, "disks", disks), seeded(_seed, "vms", [SPOT_VM]), \
                faulty(_seed, retail({D16: D16_PAGES, V2: [PV2_PAGE], "Ultra Disks": [ULTRA_PAGE]})) as env:
            yield env
    finally:
        del policies[account]


def test_spot_vm_is_priced_as_spot(shaped):
    snap = shaped.collect()
    vm = next(r for r in snap.resources if r.name == "spot-d16")
    assert vm.pricing_model == "spot" and vm.attributes["priority"] == "Spot"
    assert vm.hourly_cost == pytest.approx(0.08448)
    assert next(r for r in snap.resources if r.name == "api-d16").hourly_cost == pytest.approx(0.768)


def test_premium_v2_disk_priced_for_provisioned_iops_and_throughput(shaped):
    snap = shaped.collect(settings=replace(Settings(), currency="GBP"))
    disks = {r.name: r for r in snap.resources if r.kind == "volume"}
    pv2 = disks["pv2-data"]
    assert pv2.attributes["provisioned_iops"] == 4000 and pv2.attributes["provisioned_mbps"] == 200
    assert pv2.currency == "GBP"
    assert pv2.hourly_cost == pytest.approx(100 * 0.000105 + (4000 - 3000) * 0.000006 + (200 - 125) * 0.000052)
    assert disks["pv2-baseline"].hourly_cost == pytest.approx(100 * 0.000105)  # baseline IOPS/MBps included


def test_ultra_disk_priced_for_capacity_iops_and_throughput(shaped):
    snap = shaped.collect()
    ultra = next(r for r in snap.resources if r.name == "ultra-data")
    # 1,024 GiB x 0.000213 + 20,000 IOPS x 0.000088 + 500 MB/s x 0.000572 (the recorded westeurope prices)
    assert ultra.hourly_cost == pytest.approx(0.218112 + 1.76 + 0.286)  # the per-vCPU reservation is no disk cost
    assert ultra.region == "westeurope" and ultra.currency == "USD"


def test_storage_account_with_a_lifecycle_policy(shaped):
    snap = shaped.collect()
    account = next(r for r in snap.resources if r.name == "mlrawdata001")
    assert account.attributes["has_lifecycle"] is True
    (rule,) = account.attributes["lifecycle_rules"]
    assert rule["name"] == "olcmtest" and rule["enabled"] is True
    text = repr(rule)
    assert re.search(r"tier_?to_?cool", text, re.IGNORECASE) and "30" in text
