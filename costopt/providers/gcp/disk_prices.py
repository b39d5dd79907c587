"""A GCP disk the Cloud Billing Catalog API could not price, priced from the bundled catalog.

The bundled catalog (``scripts/build_catalog.py`` from the shared Cyclenerd tables) holds the
GB-month list price of every persistent-disk type per region -- ``disk:pd-balanced``, the
regional (replicated) ``disk:pd-balanced-replicated``, ... -- and the capacity price of
Hyperdisk Extreme, but no per-IOPS or per-MiB/s Hyperdisk price and nothing for Hyperdisk
Balanced (the shared tables do not carry them, and no published figure was found). So a
Hyperdisk volume provisioned beyond what it includes free (Hyperdisk Balanced: 3,000 IOPS and
140 MiB/s; Hyperdisk Extreme: none) stays unknown (None): its capacity alone would undercount.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from costopt.model import HOURS_PER_MONTH, Resource
from costopt.providers.gcp.prices import HYPERDISK

LIVE_SOURCE = "Cloud Billing Catalog API"


def with_disk_price(disk: Resource, catalog: Any) -> Resource:
    """``disk`` with ``price_source`` (and, when it had no price, the bundled GB-month price)."""
    if disk.hourly_cost is not None:
        return replace(disk, attributes={**disk.attributes, "price_source": LIVE_SOURCE})
    if catalog is None:
        return disk
    if disk.type in HYPERDISK:
        _name, free_iops, free_mibps = HYPERDISK[disk.type]
        if (disk.attributes.get("provisioned_iops") or 0) > free_iops or \
                (disk.attributes.get("provisioned_throughput_mibps") or 0) > free_mibps:
            return disk
    key = f"disk:{disk.type}" + ("" if disk.attributes.get("zone") else "-replicated")
    price = catalog.price("gcp", disk.region, key)
    if price is None or price.unit != "GB-month" or price.currency != disk.currency:
        return disk
    size = float(disk.attributes.get("size_gb") or 0)
    return replace(disk, hourly_cost=size * price.amount / HOURS_PER_MONTH,
                   attributes={**disk.attributes, "price_source": price.source, "gb_month_price": price.amount})
