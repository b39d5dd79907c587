"""Issue 14 item 3: Windows, RHEL, SUSE and SQL Server instances are priced with their licence.

Facts: AWS EC2 On-Demand, us-east-1: m5.large Linux $0.096/h, Windows $0.188/h (the issue's
example); m5.2xlarge Linux $0.384/h, Windows $0.752/h; Windows = Linux + $0.046 per vCPU-hour.
PlatformDetails / UsageOperation pairs: AWS "AMI billing information fields" (RunInstances:0002 =
Windows, RunInstances:0006 = Windows with SQL Server Standard, RunInstances:0010 = RHEL). The
DescribeInstances answers go through botocore's Stubber (validated against the shipped service
model); the Price List API is the real client under a Stubber that only answers the expected
operatingSystem / preInstalledSw / licenseModel filters.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import boto3
import pytest
from botocore.stub import Stubber

from costopt.catalog import load_catalog
from costopt.model import HOURS_PER_MONTH
from costopt.providers.aws import inventory_ec2
from costopt.providers.aws.adapter import priced
from costopt.providers.aws.prices import PriceBook
from costopt.providers.aws.session import Account, client_config
from costopt.rules import defaults
from costopt.rules.commitments import reserved_instances
from costopt.rules.rightsizing import oversized_vm
from costopt.rules.spot import interruptible_workload
from tests.conftest import make_resource, make_series, make_snapshot

T0 = datetime(2026, 11, 1, tzinfo=UTC)
LINUX, WINDOWS = 0.096, 0.188


def _instance(iid, **platform):
    return {"InstanceId": iid, "InstanceType": "m5.large", "State": {"Code": 16, "Name": "running"}, "LaunchTime": T0,
            "Placement": {"AvailabilityZone": "us-east-1a"}, **platform}


@pytest.fixture
def instances():
    """Four instances as DescribeInstances reports them: Linux, Windows, SQL Server on Windows
    (UsageOperation only) and RHEL."""
    session = boto3.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name="us-east-1")
    account = Account("123456789012", session, "test", client_config())
    with Stubber(account.client("ec2", "us-east-1")) as ec2:
        ec2.add_response("describe_instances", {"Reservations": [{"ReservationId": "r-1", "Instances": [
            _instance("i-linux", PlatformDetails="Linux/UNIX", UsageOperation="RunInstances"),
            _instance("i-win", Platform="windows", PlatformDetails="Windows", UsageOperation="RunInstances:0002"),
            _instance("i-sql", UsageOperation="RunInstances:0006"),
            _instance("i-rhel", PlatformDetails="Red Hat Enterprise Linux", UsageOperation="RunInstances:0010")]}]})
        ec2.add_response("describe_instance_types", {"InstanceTypes": [{
            "InstanceType": "m5.large", "VCpuInfo": {"DefaultVCpus": 2}, "MemoryInfo": {"SizeInMiB": 8192},
            "ProcessorInfo": {"SupportedArchitectures": ["x86_64"]}}]})
        return {r.id: r for r in inventory_ec2.instances(account, "us-east-1", [])}


def test_inventory_reads_os_and_licence(instances):
    got = {i: (r.attributes["os"], r.attributes["license"], r.attributes["pre_installed_sw"]) for i, r in instances.items()}
    assert got == {"i-linux": ("linux", "No License required", "NA"), "i-win": ("windows", "No License required", "NA"),
                   "i-sql": ("windows_sql_std", "No License required", "SQL Std"),
                   "i-rhel": ("rhel", "No License required", "NA")}
    assert instances["i-sql"].attributes["platform"] == "Windows with SQL Server Standard"


def _product(usd):
    return json.dumps({"product": {"attributes": {"instanceType": "m5.large", "usagetype": "BoxUsage:m5.large"}},
                       "terms": {"OnDemand": {"X.Y": {"priceDimensions": {"X.Y.Z": {
                           "unit": "Hrs", "pricePerUnit": {"USD": str(usd)}}}}}}})


def _filters(os, sw):
    values = [("instanceType", "m5.large"), ("regionCode", "us-east-1"), ("operatingSystem", os), ("tenancy", "Shared"),
              ("preInstalledSw", sw), ("capacitystatus", "Used"), ("licenseModel", "No License required")]
    return {"ServiceCode": "AmazonEC2", "Filters": [{"Type": "TERM_MATCH", "Field": f, "Value": v} for f, v in values]}


def test_price_list_is_asked_for_each_instance_platform(instances):
    pricing = boto3.client("pricing", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    # us-east-1 list prices: m5.large Linux 0.096, Windows 0.188, Windows + SQL Std 0.668, RHEL 0.1248
    answers = [("Linux", "NA", LINUX), ("Windows", "NA", WINDOWS), ("Windows", "SQL Std", 0.668), ("RHEL", "NA", 0.1248)]
    with Stubber(pricing) as stub:
        for os, sw, usd in answers:
            stub.add_response("get_products", {"PriceList": [_product(usd)], "FormatVersion": "aws_v1"}, _filters(os, sw))
        order = ["i-linux", "i-win", "i-sql", "i-rhel"]
        out = priced([instances[i] for i in order], PriceBook(pricing, None), workers=1)
        stub.assert_no_pending_responses()
    assert [r.hourly_cost for r in out] == pytest.approx([LINUX, WINDOWS, 0.668, 0.1248])


def test_catalog_fallback_prices_windows_with_its_licence(instances):
    book = PriceBook(None, load_catalog(None, use_cache=False))
    out = {r.id: r for r in priced(list(instances.values()), book, workers=1)}
    assert out["i-linux"].hourly_cost == pytest.approx(LINUX)
    assert out["i-win"].hourly_cost == pytest.approx(WINDOWS)  # not the Linux 0.096 of before
    # RHEL and SQL Server: the Linux price + their per-vCPU licence fees (tests/catalog/test_licence_fees.py).
    assert out["i-rhel"].hourly_cost == pytest.approx(0.1248)
    assert out["i-sql"].hourly_cost == pytest.approx(0.668)
    assert not any("price_is_lower_bound" in r.attributes for r in out.values())


def _cpu(rid, level):
    return make_series(rid, "cpu", [level] * (14 * 24 * 12))


def test_windows_resize_is_priced_windows_to_windows():
    catalog = load_catalog(None, use_cache=False)
    win = make_resource("i-win", type="m5.2xlarge", hourly_cost=0.752, attributes={"os": "windows"})
    snap = make_snapshot([win], [_cpu("i-win", 8.0), make_series("i-win", "memory", [10.0] * (14 * 24 * 12))])
    (rec,) = [r for r in oversized_vm(snap, catalog, defaults.OversizedVm()) if hasattr(r, "monthly_savings")]
    assert rec.monthly_cost_before == pytest.approx(0.752 * HOURS_PER_MONTH)  # 0.384 + 8 x 0.046
    after = catalog.instance("aws", rec.proposed.type)
    linux_after = catalog.price("aws", "us-east-1", rec.proposed.type).amount
    assert rec.monthly_cost_after == pytest.approx((linux_after + 0.046 * after.vcpu) * HOURS_PER_MONTH)
    assert rec.evidence.facts["os"] == "windows" and rec.evidence.price_source.startswith("estimate:licence-fee")


def test_spot_and_reservations_keep_the_licence():
    catalog = load_catalog(None, use_cache=False)
    box = make_resource("i-win", type="m5.large", workload="batch", attributes={"os": "windows", "platform": "Windows"})
    (spot,) = [r for r in interruptible_workload(make_snapshot([box]), catalog, defaults.InterruptibleWorkload())
               if hasattr(r, "monthly_savings")]
    assert spot.evidence.facts["on_demand_hourly"] == pytest.approx(WINDOWS)
    assert spot.evidence.facts["spot_hourly"] == pytest.approx(LINUX * 0.40 + 2 * 0.046)  # the licence is not discounted
    web = make_resource("i-web", type="m5.large", workload="inference", count=4,
                        attributes={"os": "windows", "platform": "Windows"})
    snap = make_snapshot([web], [_cpu("i-web", 50.0)])
    recs = [r for r in reserved_instances(snap, catalog, defaults.ReservedInstances()) if hasattr(r, "monthly_savings")]
    assert recs and all("--product-description Windows " in r.apply for r in recs)
    assert all(r.monthly_cost_before == pytest.approx(WINDOWS * HOURS_PER_MONTH * r.proposed.count) for r in recs)
