"""GCP prices from the Cloud Billing Catalog API (``CloudCatalogClient.list_skus``), cached.

Compute Engine prices are per resource, not per machine type: an instance costs
vCPUs x "<FAMILY> Instance Core" + GiB x "<FAMILY> Instance Ram" + GPUs x "<GPU> GPU running
in ..." (Spot: the "Spot Preemptible ..." core and RAM SKUs and "<GPU> GPU attached to Spot
Preemptible VMs running in ..."). Persistent disks are priced per GiB, Hyperdisk
per GiB plus provisioned IOPS and throughput (Hyperdisk Balanced includes 3,000 IOPS and
140 MiB/s per volume at no charge), static IPs per hour.

A SKU's price is read from its ``tieredRates`` (``units`` + ``nanos``, sorted by
``startUsageAmount``; the first non-zero tier is the list price past any free tier) and its
``usageUnit`` says per what: "h" / "GiBy.h" per hour, "mo" / "GiBy.mo" per month
(:data:`costopt.model.HOURS_PER_MONTH` hours), "d" per day; a SKU in another unit is not
used for an hourly price. SKUs are requested in the configured currency and cached on disk
for a day (``$COSTOPT_CACHE_DIR/gcp``) so repeated audits do not page through the catalog again.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from costopt.atomic import write_atomic
from costopt.model import HOURS_PER_MONTH
from costopt.providers.gcp.clients import RETRY

COMPUTE_SERVICE = "services/6F81-5844-456A"
STORAGE_SERVICE = "services/95FF-2EF5-5EA1"
CACHE_TTL_S = 24 * 3600
DISK_SKUS = {"pd-ssd": "SSD backed PD Capacity", "pd-standard": "Storage PD Capacity",
             "pd-balanced": "Balanced PD Capacity", "pd-extreme": "Extreme PD Capacity"}
GPU_SKUS = {"nvidia-tesla-a100": "Nvidia Tesla A100 GPU", "nvidia-a100-80gb": "Nvidia Tesla A100 80GB GPU",
            "nvidia-l4": "Nvidia L4 GPU", "nvidia-tesla-t4": "Nvidia Tesla T4 GPU",
            "nvidia-tesla-v100": "Nvidia Tesla V100 GPU", "nvidia-tesla-p100": "Nvidia Tesla P100 GPU",
            "nvidia-h100-80gb": "Nvidia H100 80GB GPU", "nvidia-tesla-p4": "Nvidia Tesla P4 GPU"}
# Hyperdisk type -> SKU name prefix and the (IOPS, MiB/s) each volume gets at no charge.
HYPERDISK = {"hyperdisk-balanced": ("Hyperdisk Balanced", 3000.0, 140.0),
             "hyperdisk-extreme": ("Hyperdisk Extreme", 0.0, 0.0)}
PERIOD_HOURS = {"h": 1.0, "d": 24.0, "mo": HOURS_PER_MONTH}


@dataclass(frozen=True)
class Sku:
    """One catalog SKU: ``price`` is its list price per ``unit`` (past any free first tier)."""

    description: str
    usage_type: str
    regions: tuple[str, ...]
    unit: str
    price: float
    currency: str
    tiers: tuple[tuple[float, float], ...] = ()  # (startUsageAmount, unit price), sorted

    def per_hour(self) -> float | None:
        """The price per unit-hour ("GiBy.mo" -> per GiB-hour); None for a unit that is not per time."""
        hours = PERIOD_HOURS.get(self.unit.rsplit(".", 1)[-1])
        return None if hours is None else self.price / hours


def _cache_dir() -> Path:
    base = os.environ.get("COSTOPT_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "costopt")
    return Path(base) / "gcp"


def _unit_price(sku) -> tuple[float, str, str, tuple[tuple[float, float], ...]]:
    """(list price, usage unit, currency, tiers) of the SKU's current pricing info."""
    info = sku.pricing_info[0] if sku.pricing_info else None
    if info is None:
        return 0.0, "", "", ()
    expr = info.pricing_expression
    tiers = sorted((float(t.start_usage_amount), int(t.unit_price.units) + t.unit_price.nanos / 1e9)
                   for t in expr.tiered_rates)
    currency = next((t.unit_price.currency_code for t in expr.tiered_rates if t.unit_price.currency_code), "")
    price = next((value for _start, value in tiers if value > 0), 0.0)
    return price, expr.usage_unit, currency, tuple(tiers)


def fetch_skus(client, service: str, currency: str, *, use_cache: bool = True, timeout: float | None = None) -> list[Sku]:
    """All SKUs of ``service`` (paged by the client), from the disk cache when fresh."""
    path = _cache_dir() / f"{service.replace('/', '_')}-{currency}.json"
    try:
        if use_cache and time.time() - path.stat().st_mtime < CACHE_TTL_S:
            return [Sku(**{**d, "regions": tuple(d["regions"]), "tiers": tuple(map(tuple, d["tiers"]))})
                    for d in json.loads(path.read_text())]
    except (OSError, ValueError, TypeError, KeyError):  # missing, stale or from an older costopt: refetch
        pass
    out = []
    for sku in client.list_skus(request={"parent": service, "currency_code": currency}, retry=RETRY,
                                timeout=timeout):
        price, unit, cur, tiers = _unit_price(sku)
        out.append(Sku(sku.description, sku.category.usage_type, tuple(sku.service_regions), unit, price,
                       cur or currency, tiers))
    if not use_cache:
        return out
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps([{**s.__dict__, "regions": list(s.regions), "tiers": [list(t) for t in s.tiers]}
                                       for s in out]))
    except (OSError, TypeError):
        pass
    return out


class GcpPriceBook:
    """Look up instance, disk and static-IP prices in a list of SKUs."""

    def __init__(self, skus: list[Sku], currency: str):
        self.skus = skus
        self.currency = currency

    def _find(self, pattern: str, region: str, usage_type: str = "OnDemand") -> Sku | None:
        rx = re.compile(pattern, re.IGNORECASE)
        for sku in self.skus:
            if sku.currency != self.currency:  # the catalog answered in another currency: not this book's price
                continue
            if sku.usage_type == usage_type and rx.search(sku.description) and (
                    region in sku.regions or "global" in sku.regions):
                return sku
        return None

    def instance_hourly(self, machine_type: str, region: str, vcpu: float | None, memory_gib: float | None,
                        gpus: list[tuple[str, int]], spot: bool = False) -> float | None:
        if not vcpu or memory_gib is None:
            return None
        family = re.escape(machine_type.split("-", 1)[0].upper())
        usage = "Preemptible" if spot else "OnDemand"
        prefix = "^Spot Preemptible " if spot else "^"
        core = self._find(rf"{prefix}{family} (Predefined )?Instance Core running in", region, usage)
        ram = self._find(rf"{prefix}{family} (Predefined )?Instance Ram running in", region, usage)
        rates = [core.per_hour() if core else None, ram.per_hour() if ram else None]
        if None in rates:
            return None
        total = vcpu * rates[0] + memory_gib * rates[1]
        for accel, count in gpus:
            name = GPU_SKUS.get(accel)
            if name is None:
                return None
            # On demand "Nvidia Tesla T4 GPU running in Americas"; Spot / preemptible GPUs are
            # "Nvidia Tesla T4 GPU attached to Spot Preemptible VMs running in Americas".
            pattern = (rf"^{re.escape(name)} attached to (Spot )?Preemptible VMs? running in" if spot
                       else rf"^{re.escape(name)} running in")
            gpu = self._find(pattern, region, usage)
            rate = gpu.per_hour() if gpu else None
            if rate is None:
                return None
            total += count * rate
        return total

    def suspended_hourly(self, region: str, memory_gib: float | None) -> float | None:
        """A suspended instance's preserved memory and device state (None when no SKU prices it)."""
        sku = self._find(r"suspend.*(memory|ram|state)|(memory|ram|state).*suspend", region)
        rate = sku.per_hour() if sku else None
        return None if rate is None or memory_gib is None else memory_gib * rate

    def disk_hourly(self, disk_type: str, region: str, size_gb: float, iops: float = 0.0,
                    throughput: float = 0.0, regional: bool = False) -> float | None:
        """Per hour: GiB x capacity price; Hyperdisk also IOPS and MiB/s provisioned past what it includes.

        A regional (replicated) persistent disk is priced by the "Regional ..." SKU (about twice
        the zonal one); without it the price is unknown rather than the zonal half.
        """
        if regional and disk_type in DISK_SKUS:
            parts = [(size_gb, rf"^Regional {re.escape(DISK_SKUS[disk_type])}")]
        elif regional:
            return None
        elif disk_type in HYPERDISK:
            name, free_iops, free_mibps = HYPERDISK[disk_type]
            parts = [(size_gb, rf"^{name} Capacity( in |$)"), (max(iops - free_iops, 0.0), rf"^{name} IOPS( in |$)"),
                     (max(throughput - free_mibps, 0.0), rf"^{name} Throughput( in |$)")]
        elif disk_type in DISK_SKUS:
            parts = [(size_gb, rf"^{re.escape(DISK_SKUS[disk_type])}")]
        else:
            return None
        total = 0.0
        for quantity, pattern in parts:
            if quantity <= 0:
                continue
            sku = self._find(pattern, region)
            rate = sku.per_hour() if sku else None
            if rate is None:
                return None
            total += quantity * rate
        return total

    def static_ip_hourly(self, region: str) -> float | None:
        sku = self._find(r"^Static Ip Charge", region)
        return sku.per_hour() if sku else None
