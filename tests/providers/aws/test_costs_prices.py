"""Cost Explorer -> FOCUS rows (moto's configurable CE results, Stubber for paging) and the
Price List API with its disk cache (Stubber on the real pricing client)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import boto3
import pytest
import requests
from botocore.stub import Stubber

from costopt.model import Window
from costopt.providers.aws import costs
from costopt.providers.aws.prices import PriceBook, cache_dir
from costopt.providers.aws.session import Account, client_config
from tests.providers.aws.conftest import NOW


def _group(service, usage, amount, qty=1.0, unit="Hrs"):
    return {"Keys": [service, usage], "Metrics": {"UnblendedCost": {"Amount": str(amount), "Unit": "USD"},
                                                  "AmortizedCost": {"Amount": str(amount * 0.9), "Unit": "USD"},
                                                  "UsageQuantity": {"Amount": str(qty), "Unit": unit}}}


def test_cost_explorer_rows_become_focus_with_egress_and_categories(moto_account, adapter, window):
    day = window.start.date().isoformat()
    result = {"ResultsByTime": [{"TimePeriod": {"Start": day, "End": (window.start.date() + timedelta(days=1)).isoformat()},
                                 "Total": {}, "Estimated": False, "Groups": [
        _group("Amazon Elastic Compute Cloud - Compute", "BoxUsage:p3.8xlarge", 293.76, 24),
        _group("EC2 - Other", "DataTransfer-Out-Bytes", 31.5, 350, "GB"),
        _group("EC2 - Other", "EUW1-NatGateway-Bytes", 27.9, 620, "GB"),
        _group("EC2 - Other", "USE1-EU-AWS-Out-Bytes", 18.0, 900, "GB"),
        _group("Amazon SageMaker", "EUW1-Host:ml.g4dn.2xlarge", 50.5, 48),
        _group("Tax", "Tax", 12.0),
        _group("Amazon Simple Storage Service", "Requests-Tier1", 0.0),
    ]}], "DimensionValueAttributes": []}
    requests.post("http://motoapi.amazonaws.com/moto-api/static/ce/cost-and-usage-results",
                  json={"account_id": "123456789012", "results": [result]}, timeout=5)

    snap = adapter().collect(window)

    df = snap.billing.query("SELECT * FROM focus ORDER BY BilledCost DESC")
    assert len(df) == 6  # the zero-cost row is dropped
    top = df.iloc[0]
    assert top.ProviderName == "AWS" and top.BillingAccountId == "123456789012" and top.ServiceCategory == "Compute"
    assert top.BilledCost == pytest.approx(293.76) and top.EffectiveCost == pytest.approx(293.76 * 0.9)
    assert top.RegionId == "us-east-1" and top.ChargeCategory == "Usage" and top.ConsumedQuantity == 24
    egress = set(df[df.x_IsEgress].x_UsageType)
    assert egress == {"DataTransfer-Out-Bytes", "USE1-EU-AWS-Out-Bytes"}  # NAT processing is not egress
    sm = df[df.ServiceName == "Amazon SageMaker"].iloc[0]
    assert sm.RegionId == "eu-west-1" and sm.ServiceCategory == "AI and Machine Learning"
    assert df[df.ServiceName == "Tax"].iloc[0].ChargeCategory == "Tax"
    assert any(c.scope.endswith("cost explorer") and c.status == "ok" for c in snap.coverage)


def test_cost_explorer_pages_are_followed():
    ce = boto3.client("ce", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    account = Account("111111111111", boto3.Session(aws_access_key_id="x", aws_secret_access_key="x"), "t", client_config())
    account._clients[("ce", "us-east-1")] = ce
    window = Window(NOW - timedelta(days=2), NOW)

    def page(day, amount):
        return {"TimePeriod": {"Start": day, "End": day},
                "Groups": [_group("Amazon SageMaker", "Host:ml.g4dn.xlarge", amount)]}

    with Stubber(ce) as stub:
        stub.add_response("get_cost_and_usage", {"ResultsByTime": [page("2026-11-18", 10.0)], "NextPageToken": "p2"})
        stub.add_response("get_cost_and_usage", {"ResultsByTime": [page("2026-11-19", 20.0)]})
        frame = costs.billing(account, window)
        stub.assert_no_pending_responses()
    assert list(frame.BilledCost) == [10.0, 20.0]


def _product(itype, usd, usage="BoxUsage"):
    return json.dumps({"product": {"attributes": {"instanceType": itype, "usagetype": usage}},
                       "terms": {"OnDemand": {"X.Y": {"priceDimensions": {"X.Y.Z": {
                           "unit": "Hrs", "pricePerUnit": {"USD": str(usd)}}}}}}})


def test_price_list_api_then_disk_cache_with_the_date():
    pricing = boto3.client("pricing", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    today = date(2026, 11, 20)
    with Stubber(pricing) as stub:
        stub.add_response("get_products", {"PriceList": [_product("g5.2xlarge", 1.234)], "FormatVersion": "aws_v1"}, {
            "ServiceCode": "AmazonEC2", "Filters": [
                {"Type": "TERM_MATCH", "Field": "instanceType", "Value": "g5.2xlarge"},
                {"Type": "TERM_MATCH", "Field": "regionCode", "Value": "us-east-1"},
                {"Type": "TERM_MATCH", "Field": "operatingSystem", "Value": "Linux"},
                {"Type": "TERM_MATCH", "Field": "tenancy", "Value": "Shared"},
                {"Type": "TERM_MATCH", "Field": "preInstalledSw", "Value": "NA"},
                {"Type": "TERM_MATCH", "Field": "capacitystatus", "Value": "Used"},
                {"Type": "TERM_MATCH", "Field": "licenseModel", "Value": "No License required"}]})
        book = PriceBook(pricing, None, today)
        assert book.instance_hour("us-east-1", "g5.2xlarge") == pytest.approx(1.234)
        assert book.instance_hour("us-east-1", "g5.2xlarge") == pytest.approx(1.234)  # memo, no 2nd call
        stub.assert_no_pending_responses()
    book.save()
    path = cache_dir() / "aws-pricing-2026-11-20.json"
    assert json.loads(path.read_text())["ec2|us-east-1|g5.2xlarge"] == pytest.approx(1.234)
    offline = PriceBook(None, None, today)  # no client at all: the cache answers
    assert offline.instance_hour("us-east-1", "g5.2xlarge") == pytest.approx(1.234)
    assert offline.sources()[0].as_of == "2026-11-20"
    assert PriceBook(None, None, date(2026, 11, 21)).instance_hour("us-east-1", "g5.2xlarge") is None  # new day


def test_price_list_usage_type_selects_the_snapshot_product():
    pricing = boto3.client("pricing", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(pricing) as stub:
        stub.add_response("get_products", {"PriceList": [
            _product("", 0.0125, "USE1-EBS:SnapshotArchiveStorage"), _product("", 0.05, "EBS:SnapshotUsage")]})
        assert PriceBook(pricing, None).snapshot_gb_month("us-east-1") == pytest.approx(0.05)


def test_pricing_failure_falls_back_to_the_catalog_and_is_reported(moto_account, adapter, window):
    ec2 = moto_account.client("ec2", region_name="us-east-1")
    ec2.run_instances(ImageId="ami-12345678", InstanceType="g5.2xlarge", MinCount=1, MaxCount=1)
    snap = adapter(prices="auto").collect(window)  # moto has no Price List API
    (vm,) = [r for r in snap.resources if r.kind == "gpu_vm"]
    assert vm.hourly_cost == pytest.approx(1.212)
    (entry,) = [c for c in snap.coverage if c.scope == "pricing"]
    assert entry.status == "partial" and "pricing:GetProducts" in entry.fix
