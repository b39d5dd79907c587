"""Usage-type prefixes -> regions, checked against the region list botocore ships and against
a real CUR export (../shared/data), and the regeneration from Price List products."""

from __future__ import annotations

import csv
import json
from datetime import timedelta

import boto3
import botocore.loaders
import pandas as pd
import pytest
import requests
from botocore.stub import Stubber

from costopt.providers.aws import billing_codes
from costopt.providers.aws.billing_codes import ANNOUNCED_WITHOUT_CODE, REGION_CODES, usage_region
from tests.conftest import SHARED_DATA

PARTITIONS = ("aws", "aws-cn", "aws-us-gov")  # commercial, China, GovCloud


def _botocore_regions() -> tuple[set[str], set[str]]:
    """(regions with service endpoints in endpoints.json, every region of partitions.json)."""
    loader = botocore.loaders.create_loader()
    endpoints = {r for p in loader.load_data("endpoints")["partitions"] if p["partition"] in PARTITIONS
                 for r in p["regions"]}
    listed = {r for p in loader.load_data("partitions")["partitions"] if p["id"] in PARTITIONS
              for r in p.get("regions", {}) if not r.endswith("-global")}
    return endpoints, listed


def test_every_region_botocore_knows_has_a_billing_code():
    endpoints, listed = _botocore_regions()
    assert {"us-gov-west-1", "us-gov-east-1", "cn-north-1", "cn-northwest-1", "ap-east-1"} <= endpoints
    missing = (endpoints | listed) - set(REGION_CODES) - ANNOUNCED_WITHOUT_CODE
    assert not missing, f"regions without a billing code: {sorted(missing)} (update billing-codes.json)"
    # a region AWS serves (it has endpoints) can not be waved through as "announced"
    assert not (endpoints & ANNOUNCED_WITHOUT_CODE)
    assert len(set(REGION_CODES.values())) == len(REGION_CODES)  # one code per region


@pytest.mark.parametrize("usage_type, region", [
    ("EU-BoxUsage:m5.large", "eu-west-1"), ("APE1-BoxUsage:g4dn.xlarge", "ap-east-1"),
    ("UGW1-BoxUsage:m5.large", "us-gov-west-1"), ("UGE1-EBS:VolumeUsage.gp3", "us-gov-east-1"),
    ("CNN1-BoxUsage:m5.large", "cn-north-1"), ("CNW1-NatGateway-Hours", "cn-northwest-1"),
    ("APS3-Requests-Tier1", "ap-south-1"), ("APS6-BoxUsage:c5.large", "ap-southeast-4"),
    ("MXC1-BoxUsage:m7i.large", "mx-central-1"), ("CAN2-EBS:VolumeUsage.gp3", "ca-west-1"),
    ("USE1-EUC1-AWS-Out-Bytes", "us-east-1"), ("BoxUsage:m5.large", "us-east-1"),
    ("DataTransfer-Out-Bytes", "us-east-1"), ("ca-central-1-KMS-Keys", "ca-central-1"),
])
def test_usage_type_regions(usage_type, region):
    assert usage_region(usage_type) == region


def test_every_code_maps_back_to_its_region():
    for region, code in REGION_CODES.items():
        assert usage_region(f"{code}-BoxUsage:m5.large") == region


def test_unknown_codes_give_no_region_never_us_east_1():
    assert usage_region("XYZ9-BoxUsage:m5.large") is None
    assert billing_codes.unknown_code("XYZ9-BoxUsage:m5.large") == "XYZ9"
    assert billing_codes.unknown_code("EU-BoxUsage:m5.large") is None
    # CloudFront's edge groups are not regions and not unknown codes
    assert usage_region("US-DataTransfer-Out-Bytes", "Amazon CloudFront") is None
    assert billing_codes.unknown_code("JP-Requests-Tier1", "Amazon CloudFront") is None


@pytest.mark.shared_data
def test_real_cur_usage_types_match_their_product_region():
    path = SHARED_DATA / "aws_cur_legacy_csv" / "sample-anonymous-aws-export-dataset.csv"
    if not path.exists():
        pytest.skip(f"{path} not present (../shared/data)")
    checked = 0
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            usage, region = row.get("lineItem/UsageType") or "", row.get("product/region") or ""
            if not usage or region in ("", "global") or "-" not in usage:
                continue
            assert usage_region(usage, row.get("product/ProductName") or "") == region, usage
            checked += 1
    assert checked > 100


def _transfer(usage, src, dst):
    return json.dumps({"product": {"productFamily": "Data Transfer", "attributes": {
        "usagetype": usage, "fromRegionCode": src, "toRegionCode": dst, "transferType": "InterRegion Outbound"}},
        "serviceCode": "AWSDataTransfer", "terms": {}})


def test_regeneration_reads_codes_from_price_list_transfer_products():
    pricing = boto3.client("pricing", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(pricing) as stub:
        stub.add_response("get_products", {"PriceList": [
            _transfer("APS9-MXC1-AWS-Out-Bytes", "ap-southeast-7", "mx-central-1"),
            _transfer("MEW1-USE1-AWS-Out-Bytes", "me-west-1", "us-east-1")], "NextToken": "n"})
        stub.add_response("get_products", {"PriceList": [_transfer("EU-USE1-AWS-Out-Bytes", "eu-west-1", "us-east-1")]})
        table = billing_codes.regenerate(pricing)
    assert table["regions"]["me-west-1"] == "MEW1" and "me-west-1" not in table["announced_without_code"]
    assert table["regions"]["eu-west-1"] == "EU" and table["regions"]["cn-north-1"] == "CNN1"  # kept


def _group(service, usage, amount):
    return {"Keys": [service, usage], "Metrics": {"UnblendedCost": {"Amount": str(amount), "Unit": "USD"},
                                                  "AmortizedCost": {"Amount": str(amount), "Unit": "USD"},
                                                  "UsageQuantity": {"Amount": "1", "Unit": "Hrs"}}}


def test_cost_explorer_rows_with_an_unknown_code_have_no_region_and_a_coverage_note(moto_account, adapter, window):
    day = window.start.date()
    result = {"ResultsByTime": [{"TimePeriod": {"Start": day.isoformat(), "End": (day + timedelta(days=1)).isoformat()},
                                 "Total": {}, "Estimated": False, "Groups": [
        _group("Amazon Elastic Compute Cloud - Compute", "APE1-BoxUsage:m5.large", 10.0),
        _group("Amazon Elastic Compute Cloud - Compute", "ZZZ1-BoxUsage:m5.large", 5.0)]}], "DimensionValueAttributes": []}
    requests.post("http://motoapi.amazonaws.com/moto-api/static/ce/cost-and-usage-results",
                  json={"account_id": "123456789012", "results": [result]}, timeout=5)
    snap = adapter().collect(window)
    df = snap.billing.query("SELECT x_UsageType, RegionId FROM focus")
    regions = dict(zip(df.x_UsageType, df.RegionId))
    assert regions["APE1-BoxUsage:m5.large"] == "ap-east-1"
    assert pd.isna(regions["ZZZ1-BoxUsage:m5.large"])  # not us-east-1
    (note,) = [c for c in snap.coverage if c.error_code == "UnknownRegionCode"]
    assert note.status == "partial" and "ZZZ1 (1 rows)" in note.detail
