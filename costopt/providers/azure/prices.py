"""Azure prices from the public Retail Prices API (no credentials), paged and cached.

``GET https://prices.azure.com/api/retail/prices?currencyCode='USD'&$filter=...`` pages with
``NextPageLink``; results are cached per query in memory and on disk for a day
(``$COSTOPT_CACHE_DIR/azure``). VM prices are the Linux consumption meters (productName
without "Windows"), or the Windows ones (productName with "Windows") for a Windows VM without
Azure Hybrid Benefit (:mod:`costopt.providers.azure.licence`); Spot = skuName ending " Spot"; "Low Priority" only for Azure ML low-priority
clusters, :meth:`RetailPrices.vm_low_priority_hourly`); managed disks by
tier (P30, E30, S30 ... from size); Ultra and Premium SSD v2 disks by provisioned GiB, IOPS
and MB/s; public IPs by SKU.

Every item is read with its ``unitOfMeasure`` ("1 Hour", "100 Hours", "1/Month", "1 GiB/Hour"
...: price per that many units per that period) and ``currencyCode`` (an item in another
currency than asked is not used). A meter priced in tiers has one item per tier, from its
``tierMinimumUnits``: Premium SSD v2 lists IOPS and throughput at 0 up to the 3,000 IOPS and
125 MB/s each disk includes, then a price, so the tiers price a disk's provisioned amount.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from pathlib import Path
from typing import Any

import requests

from costopt.atomic import write_atomic
from costopt.model import HOURS_PER_MONTH

RETAIL_URL = "https://prices.azure.com/api/retail/prices"
CACHE_TTL_S = 24 * 3600
TIER_SIZES = (4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32767)
TIER_NUMBERS = (1, 2, 3, 4, 6, 10, 15, 20, 30, 40, 50, 60, 70, 80)
DISK_FAMILY = {"premium_lrs": ("P", "Premium SSD Managed Disks", "LRS"), "premium_zrs": ("P", "Premium SSD Managed Disks", "ZRS"),
               "standardssd_lrs": ("E", "Standard SSD Managed Disks", "LRS"),
               "standard_lrs": ("S", "Standard HDD Managed Disks", "LRS")}
# Disks billed by provisioned capacity, IOPS and throughput: sku -> (productName, meter prefix).
PROVISIONED_DISKS = {"premiumv2_lrs": ("Azure Premium SSD v2", "Premium LRS"),
                     "ultrassd_lrs": ("Ultra Disks", "Ultra LRS")}
PERIOD_HOURS = {"hour": 1.0, "day": 24.0, "month": HOURS_PER_MONTH}
UNIT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KM]?)\s*(?:GiB|GB|TB|MB/s)?\s*/?\s*(hour|day|month)s?\s*$", re.IGNORECASE)


def per_hour(item: dict[str, Any]) -> float | None:
    """The item's price per unit-hour from ``unitOfMeasure`` ("100 Hours" -> /100); None if not per time."""
    m = UNIT.match(str(item.get("unitOfMeasure") or ""))
    if m is None:
        return None
    quantity = float(m.group(1)) * {"": 1.0, "K": 1e3, "M": 1e6}[m.group(2).upper()]
    return float(item["retailPrice"]) / quantity / PERIOD_HOURS[m.group(3).lower()]


def tiered_hourly(items: list[dict[str, Any]], quantity: float) -> float | None:
    """Hourly cost of ``quantity`` units of one meter whose tiers are ``items`` (by tierMinimumUnits)."""
    tiers = sorted((float(i.get("tierMinimumUnits") or 0.0), per_hour(i)) for i in items)
    if not tiers or any(rate is None for _start, rate in tiers) or tiers[0][0] > 0:
        return None
    total = 0.0
    for k, (start, rate) in enumerate(tiers):
        end = tiers[k + 1][0] if k + 1 < len(tiers) else float("inf")
        total += rate * max(0.0, min(quantity, end) - start)
    return total


def disk_tier(sku: str, size_gb: float) -> str | None:
    family = DISK_FAMILY.get((sku or "").lower())
    if family is None:
        return None
    for size, number in zip(TIER_SIZES, TIER_NUMBERS):
        if size_gb <= size:
            return f"{family[0]}{number}"
    return f"{family[0]}{TIER_NUMBERS[-1]}"


class RetailPrices:
    """Query the Retail Prices API with a session that retries 429/5xx (Retry-After honoured)."""

    def __init__(self, currency: str = "USD", url: str | None = None, use_cache: bool = True,
                 session: requests.Session | None = None):
        self.currency = currency
        self.url = url or RETAIL_URL
        self.use_cache = use_cache
        self.session = session or _session()
        self._memo: dict[str, list[dict]] = {}
        self.requests = 0
        self.lookups = 0  # price queries answered (from the API, memory or the disk cache)

    def items(self, filter_: str) -> list[dict[str, Any]]:
        key = f"{self.url}|{self.currency}|{filter_}"
        self.lookups += 1
        if key in self._memo:
            return self._memo[key]
        path = _cache_dir() / f"{hashlib.sha256(key.encode()).hexdigest()[:24]}.json"
        if self.use_cache:
            try:
                if time.time() - path.stat().st_mtime < CACHE_TTL_S:
                    self._memo[key] = json.loads(path.read_text())
                    return self._memo[key]
            except (OSError, ValueError):
                pass
        out: list[dict] = []
        next_url: str | None = self.url
        params: dict[str, str] | None = {"currencyCode": f"'{self.currency}'", "$filter": filter_}
        pages = 0
        while next_url and pages < 200:
            response = self._get(next_url, params)
            response.raise_for_status()
            data = response.json()
            out.extend(data.get("Items") or [])
            next_url, params = data.get("NextPageLink"), None
            pages += 1
        self._memo[key] = out
        if self.use_cache:
            try:
                write_atomic(path, json.dumps(out))
            except OSError:
                pass
        return out

    def _get(self, url: str, params: dict[str, str] | None, attempts: int = 5) -> requests.Response:
        """GET with retries on 429/5xx, sleeping Retry-After (capped at 30 s) or an exponential backoff."""
        for attempt in range(attempts):
            response = self.session.get(url, params=params, timeout=30)
            self.requests += 1
            if response.status_code not in (429, 500, 502, 503, 504) or attempt == attempts - 1:
                return response
            try:
                wait = float(response.headers.get("Retry-After", ""))
            except ValueError:
                wait = 0.5 * 2 ** attempt
            time.sleep(min(max(wait, 0.0), 30.0))
        return response

    def priced(self, filter_: str) -> list[dict[str, Any]]:
        """The items of a query in the book's currency (an answer in another currency is not a price here)."""
        return [i for i in self.items(filter_) if str(i.get("currencyCode") or self.currency) == self.currency]

    def vm_hourly(self, region: str, size: str, spot: bool = False, windows: bool = False) -> float | None:
        """The consumption rate of a size: the Linux meter, or the Windows one (``windows``)."""
        items = self.priced(f"serviceName eq 'Virtual Machines' and armRegionName eq '{_q(region)}' and "
                            f"armSkuName eq '{_q(size)}' and priceType eq 'Consumption'")
        for item in items:
            sku = item.get("skuName", "")
            if ("Windows" in item.get("productName", "")) != windows or "Low Priority" in sku:
                continue
            rate = per_hour(item)
            if sku.endswith(" Spot") == spot and rate is not None and not float(item.get("tierMinimumUnits") or 0):
                return rate
        return None

    def vm_low_priority_hourly(self, region: str, size: str) -> float | None:
        """The Linux "Low Priority" rate of a size (Azure ML low-priority cluster nodes), else its Spot rate."""
        items = self.priced(f"serviceName eq 'Virtual Machines' and armRegionName eq '{_q(region)}' and "
                            f"armSkuName eq '{_q(size)}' and priceType eq 'Consumption'")
        linux = [i for i in items if "Windows" not in i.get("productName", "") and not float(i.get("tierMinimumUnits") or 0)]
        for suffix in (" Low Priority", " Spot"):
            for item in linux:
                rate = per_hour(item)
                if str(item.get("skuName", "")).endswith(suffix) and rate is not None:
                    return rate
        return None

    def provisioned_disk_hourly(self, region: str, sku: str, size_gb: float, iops: float,
                                mbps: float) -> float | None:
        """Ultra / Premium SSD v2: GiB + IOPS + MB/s, each priced through its meter's tiers."""
        product = PROVISIONED_DISKS.get((sku or "").lower())
        if product is None:
            return None
        items = self.priced(f"serviceName eq 'Storage' and armRegionName eq '{_q(region)}' and "
                            f"productName eq '{product[0]}' and priceType eq 'Consumption'")
        total = 0.0
        for suffix, quantity in (("Capacity", size_gb), ("IOPS", iops), ("Throughput (MBps)", mbps)):
            meter = [i for i in items if i.get("meterName") == f"{product[1]} Provisioned {suffix}"]
            cost = tiered_hourly(meter, quantity)
            if cost is None:
                return None
            total += cost
        return total

    def disk_monthly(self, region: str, sku: str, size_gb: float,
                     performance_tier: str | None = None) -> float | None:
        """Monthly price of the disk's tier: its size's, or a higher performance tier it was set to
        (a Premium SSD is billed at its performance tier, e.g. a 1 TiB disk at P50)."""
        tier = disk_tier(sku, size_gb)
        family = DISK_FAMILY.get((sku or "").lower())
        if tier is None or family is None:
            return None
        chosen = (performance_tier or "").upper()
        if re.fullmatch(rf"{family[0]}(\d+)", chosen) and int(chosen[1:]) > int(tier[1:]):
            tier = chosen
        items = self.priced(f"serviceName eq 'Storage' and armRegionName eq '{_q(region)}' and "
                            f"skuName eq '{tier} {family[2]}' and priceType eq 'Consumption'")
        for item in items:
            rate = per_hour(item)
            if item.get("productName") == family[1] and item.get("meterName", "").endswith("Disk") and rate is not None:
                return rate * HOURS_PER_MONTH
        return None

    def public_ip_hourly(self, region: str, sku: str = "Standard") -> float | None:
        items = self.priced(f"serviceName eq 'Virtual Network' and armRegionName eq '{_q(region)}' and "
                            f"productName eq 'IP Addresses' and skuName eq '{_q(sku)}'")
        for item in items:
            rate = per_hour(item)
            if "Static" in item.get("meterName", "") and "IPv4" in item.get("meterName", "") and rate is not None:
                return rate
        return None


def _q(value: str) -> str:
    return str(value).replace("'", "''")


def _session() -> requests.Session:
    return requests.Session()


def _cache_dir() -> Path:
    base = os.environ.get("COSTOPT_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "costopt")
    return Path(base) / "azure"
