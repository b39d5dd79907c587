"""Live AWS prices of things that are not instances: EBS volumes and snapshots, public IPv4, NAT.

Queried from the Price List Query API (``pricing.get_products``) per region, into the keys the
AWS adapter asks the catalog for (see ``costopt.providers.aws.prices``):

- ``ebs:<volumeApiName>`` (gp3, gp2, io1, ...) per GB-month: AmazonEC2, productFamily
  ``Storage``, usage type ``[<region prefix>-]EBS:VolumeUsage[.<type>]``;
- ``ebs:snapshot`` / ``ebs:snapshot_archive`` per GB-month: productFamily ``Storage Snapshot``,
  usage types ``EBS:SnapshotUsage`` / ``EBS:SnapshotArchiveStorage``;
- ``vpc:nat_gateway`` per hour (``NatGateway-Hours``) and the ``nat_processing`` egress price
  per GB (``NatGateway-Bytes``): productFamily ``NAT Gateway``;
- ``vpc:public_ipv4`` per hour: AmazonVPC, usage type ``PublicIPv4:IdleAddress``.

Usage types with a second location segment (Local Zones, Wavelength: ``USE1-BOS1-...``) are
ignored, so a region's price is the region's own. Rows are cache-document rows (see
:mod:`costopt.catalog.cache`): prices ``[region, type, "on_demand", amount, source, as_of, unit]``
and egress ``[region, "nat_processing", amount, source, as_of]``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

SOURCE = "aws-pricing-api"
UNITS = {"GB-Mo": "GB-month", "Hrs": "hour", "GB": "GB"}
_PREFIX = r"^(?:[A-Z]{2,4}\d?-)?"
VOLUME_USAGE = re.compile(_PREFIX + r"EBS:VolumeUsage(?:\.[\w.]+)?$")
SNAPSHOT_USAGE = {"EBS:SnapshotUsage": "ebs:snapshot", "EBS:SnapshotArchiveStorage": "ebs:snapshot_archive"}
NAT_USAGE = {"NatGateway-Hours": "hour", "NatGateway-Bytes": "GB"}
IPV4_USAGE = "PublicIPv4:IdleAddress"

# (service code, productFamily or None) queried per region.
QUERIES = (("AmazonEC2", "Storage"), ("AmazonEC2", "Storage Snapshot"), ("AmazonEC2", "NAT Gateway"),
           ("AmazonVPC", None))


def on_demand_rate(product: dict[str, Any]) -> tuple[float, str] | None:
    """(USD per unit, catalog unit) of a product's first positive on-demand dimension."""
    for term in (product.get("terms", {}).get("OnDemand") or {}).values():
        for dim in (term.get("priceDimensions") or {}).values():
            usd = float((dim.get("pricePerUnit") or {}).get("USD") or 0)
            unit = UNITS.get(str(dim.get("unit", "")))
            if usd > 0 and unit is not None:
                return usd, unit
    return None


def _usage(product: dict[str, Any], name: str) -> bool:
    """Whether the product's usage type is ``name`` in the region itself (optional region prefix)."""
    usage = product.get("product", {}).get("attributes", {}).get("usagetype", "")
    return re.match(_PREFIX + re.escape(name) + "$", usage) is not None


def classify(product: dict[str, Any]) -> tuple[str, str, float, str] | None:
    """("price" | "egress", catalog key or egress kind, amount, unit) of one product, or None."""
    attrs = product.get("product", {}).get("attributes", {})
    rate = on_demand_rate(product)
    if rate is None:
        return None
    amount, unit = rate
    family = product.get("product", {}).get("productFamily") or attrs.get("productFamily", "")
    usage = attrs.get("usagetype", "")
    if family == "Storage" and VOLUME_USAGE.match(usage) and attrs.get("volumeApiName") and unit == "GB-month":
        return "price", f"ebs:{attrs['volumeApiName'].lower()}", amount, unit
    for name, key in SNAPSHOT_USAGE.items():
        if _usage(product, name) and unit == "GB-month":
            return "price", key, amount, unit
    for name, want in NAT_USAGE.items():
        if _usage(product, name) and unit == want:
            return ("price", "vpc:nat_gateway", amount, unit) if unit == "hour" else ("egress", "nat_processing", amount, unit)
    if _usage(product, IPV4_USAGE) and unit == "hour":
        return "price", "vpc:public_ipv4", amount, unit
    return None


def _products(pricing: Any, service: str, region: str, family: str | None) -> Iterator[dict[str, Any]]:
    filters = [{"Type": "TERM_MATCH", "Field": "regionCode", "Value": region}]
    if family:
        filters.append({"Type": "TERM_MATCH", "Field": "productFamily", "Value": family})
    for page in pricing.get_paginator("get_products").paginate(ServiceCode=service, Filters=filters,
                                                               FormatVersion="aws_v1"):
        for raw in page.get("PriceList", []):
            yield json.loads(raw) if isinstance(raw, str) else raw


def resource_rows(pricing: Any, region: str, today: str) -> tuple[list[list[Any]], list[list[Any]]]:
    """(price rows, egress rows) of EBS, snapshot, NAT gateway and public IPv4 prices in ``region``."""
    prices: dict[str, list[Any]] = {}
    egress: dict[str, list[Any]] = {}
    for service, family in QUERIES:
        for product in _products(pricing, service, region, family):
            found = classify(product)
            if found is None:
                continue
            kind, key, amount, unit = found
            if kind == "price":
                prices.setdefault(key, [region, key, "on_demand", amount, SOURCE, today, unit])
            else:
                egress.setdefault(key, [region, key, amount, SOURCE, today])
    return [prices[k] for k in sorted(prices)], [egress[k] for k in sorted(egress)]
