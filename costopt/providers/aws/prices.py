"""Prices of what the inventory found: the AWS Price List API, cached on disk, else the catalog.

Lookup order per (service, region, item): the day's disk cache
(``$COSTOPT_CACHE_DIR`` or ``~/.cache/costopt``, file ``aws-pricing-<date>.json``), then
``pricing:GetProducts`` (us-east-1 endpoint; on-demand, shared tenancy, the instance's own
operatingSystem / preInstalledSw / licenseModel for EC2), then the
bundled catalog (:func:`costopt.catalog.load_catalog`). A price nobody knows stays None and the
rules skip that resource with the reason; no price is ever invented.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from datetime import date
from pathlib import Path
from typing import Any

import botocore.exceptions

from costopt.atomic import write_atomic
from costopt.model import PriceSource
from costopt.providers.aws.common import pages
from costopt.providers.aws.platform import LINUX, Platform

log = logging.getLogger(__name__)

PRICING_REGION = "us-east-1"


def ec2_filters(itype: str, region: str, platform: Platform) -> dict[str, str]:
    """GetProducts filters of one EC2 instance type on ``platform``, shared tenancy, on demand."""
    return {"instanceType": itype, "regionCode": region, "operatingSystem": platform.operating_system,
            "tenancy": "Shared", "preInstalledSw": platform.pre_installed_sw, "capacitystatus": "Used",
            "licenseModel": platform.license_model}


def cache_dir() -> Path:
    base = os.environ.get("COSTOPT_CACHE_DIR")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "costopt"


def _filters(**kv: str) -> list[dict[str, str]]:
    return [{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in kv.items()]


def on_demand_usd(product_json: str) -> tuple[float | None, str]:
    """(price per unit in USD, unit) of a Price List product's first OnDemand dimension."""
    product = json.loads(product_json)
    for term in (product.get("terms", {}).get("OnDemand") or {}).values():
        for dim in (term.get("priceDimensions") or {}).values():
            usd = dim.get("pricePerUnit", {}).get("USD")
            if usd is not None and float(usd) > 0:
                return float(usd), str(dim.get("unit", ""))
    return None, ""


def _usage_type(product_json: str) -> str:
    return json.loads(product_json).get("product", {}).get("attributes", {}).get("usagetype", "")


class PriceBook:
    """Thread-safe price lookups for one run; ``save()`` writes the day's cache."""

    def __init__(self, pricing_client: Any | None, catalog: Any | None, today: date | None = None):
        self.client = pricing_client
        self.catalog = catalog
        self.today = (today or date.today()).isoformat()
        self.path = cache_dir() / f"aws-pricing-{self.today}.json"
        self._lock = threading.Lock()
        self._cache: dict[str, float | None] = self._load()
        self._dirty = False
        self.used_api = False
        self.used_catalog = False
        self.api_error: str | None = None

    def _load(self) -> dict[str, float | None]:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def save(self) -> None:
        if self._dirty:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, json.dumps(self._cache, sort_keys=True, indent=1))

    def sources(self) -> tuple[PriceSource, ...]:
        out = []
        if self.used_api or (self._cache and not self.used_catalog):
            out.append(PriceSource("aws", "AWS Price List API (pricing:GetProducts, on-demand, each instance's OS and licence)", self.today,
                                   f"cached in {self.path}"))
        if self.used_catalog and self.catalog is not None and hasattr(self.catalog, "price_sources"):
            out.extend(p for p in self.catalog.price_sources() if p.provider in ("aws", ""))
        return tuple(out)

    # --- API ----------------------------------------------------------------------------
    def _api(self, key: str, service: str, filters: dict[str, str], usage_suffix: str | None = None,
             units: dict[str, float] | None = None) -> float | None:
        """The first positive on-demand price of the matching products (``units``: the units
        accepted, each with the factor that turns its price into the wanted unit)."""
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        if self.client is None or self.api_error:
            return None
        price = None
        try:
            for item in pages(self.client, "get_products", "PriceList", ServiceCode=service,
                              Filters=_filters(**filters)):
                if usage_suffix and not _usage_type(item).endswith(usage_suffix):
                    continue
                price, unit = on_demand_usd(item)
                if price is not None and units is not None:
                    factor = units.get(unit.lower())
                    price = None if factor is None else price * factor
                if price is not None:
                    break
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
            log.info("pricing api unavailable: %s", exc)
            with self._lock:
                self.api_error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            return None
        with self._lock:
            self.used_api = True
            self._cache[key] = price
            self._dirty = True
        return price

    def _catalog(self, region: str, item: str, model: str = "on_demand", unit: str = "hour",
                 os: str = "linux") -> float | None:
        if self.catalog is None:
            return None
        try:
            p = self.catalog.price("aws", region, item, model, os=os)
        except Exception:  # a catalog without this item/model
            return None
        if p is None or (getattr(p, "unit", unit) or unit) != unit:
            return None
        self.used_catalog = True
        return float(p.amount)

    def source_of(self, api_key: str, region: str, item: str) -> str | None:
        """Where the price under ``api_key`` (Price List) or ``item`` (catalog) came from, or None:
        "AWS Price List API" when the API answered, else the catalog price's source and date
        (``estimate:...`` for a labelled estimate)."""
        with self._lock:
            if self._cache.get(api_key) is not None:
                return "AWS Price List API"
        price = self.catalog.price("aws", region, item) if self.catalog is not None else None
        return None if price is None else f"{price.source} ({price.as_of})"

    # --- lookups -------------------------------------------------------------------------
    def instance_hour(self, region: str, itype: str, model: str = "on_demand",
                      platform: Platform = LINUX) -> float | None:
        """USD per hour of ``itype`` on ``platform`` (EC2: its OS, pre-installed software and licence)."""
        if model == "on_demand":
            if itype.startswith("ml."):
                price = self._api(f"sagemaker|{region}|{itype}", "AmazonSageMaker",
                                  {"instanceName": itype, "regionCode": region, "component": "Hosting"})
            elif itype.startswith("db."):
                price = None
            else:
                key = f"ec2|{region}|{itype}" + ("" if platform == LINUX else f"|{platform.os}")
                price = self._api(key, "AmazonEC2", ec2_filters(itype, region, platform))
            if price is not None:
                return price
        return self._catalog(region, itype, model, os=platform.os)

    def volume_gb_month(self, region: str, volume_type: str) -> float | None:
        price = self._api(f"ebs|{region}|{volume_type}", "AmazonEC2",
                          {"productFamily": "Storage", "volumeApiName": volume_type, "regionCode": region})
        return price if price is not None else self._catalog(region, f"ebs:{volume_type}", unit="GB-month")

    def snapshot_gb_month(self, region: str) -> float | None:
        price = self._api(f"ebs-snapshot|{region}", "AmazonEC2",
                          {"productFamily": "Storage Snapshot", "regionCode": region}, "EBS:SnapshotUsage")
        return price if price is not None else self._catalog(region, "ebs:snapshot", unit="GB-month")

    def idle_address_hour(self, region: str) -> float | None:
        price = self._api(f"ipv4-idle|{region}", "AmazonVPC", {"regionCode": region}, "PublicIPv4:IdleAddress")
        return price if price is not None else self._catalog(region, "vpc:public_ipv4")

    def nat_hour(self, region: str) -> float | None:
        price = self._api(f"nat-hour|{region}", "AmazonEC2", {"productFamily": "NAT Gateway", "regionCode": region},
                          "NatGateway-Hours")
        return price if price is not None else self._catalog(region, "vpc:nat_gateway")

    # --- EBS performance dimensions (AmazonEC2 "System Operation" / "Provisioned Throughput") ---
    def ebs_iops_month(self, region: str, usage: str) -> float | None:
        """USD per provisioned IOPS-month of ``usage`` (EBS:VolumeP-IOPS.piops | .gp3 | .io2 | .io2.tier2 | .io2.tier3)."""
        price = self._api(f"ebs-iops|{region}|{usage}", "AmazonEC2",
                          {"productFamily": "System Operation", "regionCode": region}, usage,
                          units={"iops-mo": 1.0, "iops-month": 1.0})
        return price if price is not None else self._catalog(region, f"ebs:{usage}", unit="IOPS-month")

    def ebs_throughput_month(self, region: str) -> float | None:
        """USD per provisioned MiB/s-month of gp3 throughput (the Price List prices it per GiBps-month)."""
        price = self._api(f"ebs-throughput|{region}|gp3", "AmazonEC2",
                          {"productFamily": "Provisioned Throughput", "regionCode": region},
                          "EBS:VolumeP-Throughput.gp3", units={"gibps-mo": 1 / 1024, "mibps-mo": 1.0})
        return price if price is not None else self._catalog(region, "ebs:throughput:gp3", unit="MiBps-month")

    # --- RDS (AmazonRDS) -----------------------------------------------------------------
    def rds_instance_hour(self, region: str, db_class: str, engine: str, edition: str | None, deployment: str,
                          licence: str) -> float | None:
        """USD per hour of ``db_class`` for this engine/edition/deployment/licence (no catalog
        fallback: the catalog has no database prices)."""
        filters = {"instanceType": db_class, "regionCode": region, "databaseEngine": engine,
                   "deploymentOption": deployment, "licenseModel": licence}
        if edition:
            filters["databaseEdition"] = edition
        return self._api("rds|" + "|".join(filters.values()), "AmazonRDS", filters)

    def rds_storage_gb_month(self, region: str, usage_suffix: str, deployment: str) -> float | None:
        """USD per GB-month of the storage whose usage type ends with ``usage_suffix`` (RDS:GP3-Storage...)."""
        return self._api(f"rds-storage|{region}|{usage_suffix}", "AmazonRDS",
                         {"productFamily": "Database Storage", "regionCode": region, "deploymentOption": deployment},
                         usage_suffix)
