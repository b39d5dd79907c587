"""GCP prices from the Cloud Billing Catalog API (``CloudCatalogClient.list_skus``), cached.

Compute Engine prices are per resource, not per machine type: an instance costs
vCPUs x "<FAMILY> Instance Core" + GiB x "<FAMILY> Instance Ram" + GPUs x "<GPU> GPU running
in ..." (Spot: the "Spot Preemptible ..." SKUs). Disks are priced per GiB-month, static IPs
per hour. SKUs are requested in the configured currency and cached on disk for a day
(``$COSTOPT_CACHE_DIR/gcp``) so repeated audits do not page through the catalog again.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

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


@dataclass(frozen=True)
class Sku:
    description: str
    usage_type: str
    regions: tuple[str, ...]
    unit: str
    price: float
    currency: str


def _cache_dir() -> Path:
    base = os.environ.get("COSTOPT_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "costopt")
    return Path(base) / "gcp"


def _unit_price(sku) -> tuple[float, str, str]:
    info = sku.pricing_info[0] if sku.pricing_info else None
    if info is None:
        return 0.0, "", ""
    expr = info.pricing_expression
    price, currency = 0.0, ""
    for tier in expr.tiered_rates:
        value = int(tier.unit_price.units) + tier.unit_price.nanos / 1e9
        currency = tier.unit_price.currency_code
        if value > 0:
            price = value
            break
    return price, expr.usage_unit, currency


def fetch_skus(client, service: str, currency: str, *, use_cache: bool = True) -> list[Sku]:
    """All SKUs of ``service`` (paged by the client), from the disk cache when fresh."""
    path = _cache_dir() / f"{service.replace('/', '_')}-{currency}.json"
    try:
        if use_cache and time.time() - path.stat().st_mtime < CACHE_TTL_S:
            return [Sku(**{**d, "regions": tuple(d["regions"])}) for d in json.loads(path.read_text())]
    except (OSError, ValueError, TypeError):
        pass
    out = []
    for sku in client.list_skus(request={"parent": service, "currency_code": currency}, retry=RETRY):
        price, unit, cur = _unit_price(sku)
        out.append(Sku(sku.description, sku.category.usage_type, tuple(sku.service_regions), unit, price,
                       cur or currency))
    if not use_cache:
        return out
    try:
        from costopt.atomic import write_atomic

        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps([{**s.__dict__, "regions": list(s.regions)} for s in out]))
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
        if core is None or ram is None:
            return None
        total = vcpu * core.price + memory_gib * ram.price
        for accel, count in gpus:
            name = GPU_SKUS.get(accel)
            if name is None:
                return None
            gpu = self._find(rf"{prefix}{re.escape(name)} running in", region, usage)
            if gpu is None:
                return None
            total += count * gpu.price
        return total

    def disk_gb_month(self, disk_type: str, region: str) -> float | None:
        name = DISK_SKUS.get(disk_type)
        sku = self._find(rf"^{re.escape(name)}", region) if name else None
        return sku.price if sku else None

    def static_ip_hourly(self, region: str) -> float | None:
        sku = self._find(r"^Static Ip Charge", region)
        return sku.price if sku else None
