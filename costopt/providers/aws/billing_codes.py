"""AWS Region billing codes: the prefix of a usage type (``EUC1-BoxUsage:m5.large``) -> its region.

Why: Cost Explorer and CUR rows say where a charge was made only through the usage type's
prefix. A prefix read wrongly moves spend to another region; one not known must give no
region (and a coverage note), never a guess.

The table is data (``billing-codes.json`` beside this module), generated from the AWS Price
List, which is where AWS maintains the codes: every inter-region data-transfer product of
``AWSDataTransfer`` has a usage type ``<from code>-<to code>-AWS-Out-Bytes`` and the
attributes ``fromRegionCode``/``toRegionCode``. Regenerate it with
``python -m costopt.providers.aws.billing_codes`` (credentials allowed ``pricing:GetProducts``);
codes the Price List does not show (the China partition has its own price list) are kept.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import boto3

TABLE = Path(__file__).with_name("billing-codes.json")
_DATA: dict[str, Any] = json.loads(TABLE.read_text(encoding="utf-8"))

REGION_CODES: dict[str, str] = dict(_DATA["regions"])
CODE_REGIONS: dict[str, str] = {**{code: region for region, code in REGION_CODES.items()}, **_DATA["aliases"]}
ANNOUNCED_WITHOUT_CODE: frozenset[str] = frozenset(_DATA["announced_without_code"])
# CloudFront bills by edge-location group (US-, EU-, JP-...): those rows have no AWS region.
EDGE_GROUPS = frozenset({"US", "CA", "EU", "JP", "AP", "AU", "IN", "SA", "ZA", "ME", "KR", "TW"})
# What a billing code looks like (EU, USE1, APS9, UGW1): an unknown one is reported, not guessed.
_CODE_LIKE = re.compile(r"^[A-Z]{2,4}[0-9]?$")
_REGION_NAME = re.compile(r"^([a-z]{2}(?:-[a-z]+)+-[0-9])-")


def prefix_of(usage_type: str) -> str:
    return usage_type.split("-", 1)[0] if "-" in usage_type else ""


def usage_region(usage_type: str, service: str = "") -> str | None:
    """The region of a usage type; None when it has none (CloudFront edges) or its code is unknown.

    A usage type without a code prefix (``BoxUsage:m5.large``, ``DataTransfer-Out-Bytes``) is
    us-east-1's, as AWS writes them; one that starts with a region name
    (``ca-central-1-KMS-Keys``) is that region's.
    """
    if not usage_type:
        return None
    named = _REGION_NAME.match(usage_type)
    if named:
        return named.group(1)
    prefix = prefix_of(usage_type)
    if "cloudfront" in service.lower() and prefix in EDGE_GROUPS:
        return None
    if prefix in CODE_REGIONS:
        return CODE_REGIONS[prefix]
    if _CODE_LIKE.match(prefix):
        return None  # a code this table does not know
    return "us-east-1"


def unknown_code(usage_type: str, service: str = "") -> str | None:
    """The prefix of ``usage_type`` when it looks like a billing code this table does not know."""
    if not usage_type or _REGION_NAME.match(usage_type):
        return None
    prefix = prefix_of(usage_type)
    if prefix in CODE_REGIONS or ("cloudfront" in service.lower() and prefix in EDGE_GROUPS):
        return None
    return prefix if _CODE_LIKE.match(prefix) else None


# --- regeneration -------------------------------------------------------------------------
def codes_from_products(products: Iterable[str]) -> dict[str, str]:
    """region -> code from Price List products (JSON strings) of inter-region transfers."""
    found: dict[str, str] = {}
    for raw in products:
        attrs = json.loads(raw).get("product", {}).get("attributes", {})
        parts = str(attrs.get("usagetype", "")).split("-")
        if len(parts) < 3 or not str(attrs.get("usagetype", "")).endswith("-AWS-Out-Bytes"):
            continue
        for region, code in ((attrs.get("fromRegionCode"), parts[0]), (attrs.get("toRegionCode"), parts[1])):
            if region and _CODE_LIKE.match(code):
                found.setdefault(str(region), code)
    return found


def regenerate(pricing: Any, today: date | None = None) -> dict[str, Any]:
    """The table with every code the Price List shows (``pricing`` is a boto3 pricing client)."""
    paginator = pricing.get_paginator("get_products")
    products = (p for page in paginator.paginate(ServiceCode="AWSDataTransfer", Filters=[
        {"Type": "TERM_MATCH", "Field": "transferType", "Value": "InterRegion Outbound"}])
        for p in page.get("PriceList", ()))
    fresh = codes_from_products(products)
    return {**_DATA, "as_of": (today or date.today()).isoformat(),
            "regions": dict(sorted({**REGION_CODES, **fresh}.items())),
            "announced_without_code": sorted(ANNOUNCED_WITHOUT_CODE - set(fresh))}


def main() -> int:
    table = regenerate(boto3.client("pricing", region_name="us-east-1"))
    TABLE.write_text(json.dumps(table, indent=2) + "\n", encoding="utf-8")
    print(f"{len(table['regions'])} region codes written to {TABLE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
