"""Non-instance prices: EBS volumes/snapshots, public IPv4, NAT gateway.

Bundled rows in the keys the AWS adapter asks for, the cache's unit column, the live refresh
(botocore Stubber on the real pricing client) and the idle rules pricing what the adapter found.
"""

from __future__ import annotations

import json
from datetime import timedelta

import boto3
import numpy as np
import pytest
from botocore.stub import Stubber

from costopt.catalog import bundled_catalog, load_catalog
from costopt.catalog.cache import write_cache
from costopt.catalog.refresh_aws_resources import classify, resource_rows
from costopt.errors import InputError
from costopt.model import HOURS_PER_MONTH, Recommendation, Skip
from costopt.providers.aws.adapter import priced
from costopt.providers.aws.prices import PriceBook
from costopt.rules import defaults
from costopt.rules.idle import (
    idle_nat_gateway,
    old_snapshot,
    unassociated_address,
    unattached_volume,
)
from tests.conftest import make_series

EBS_TYPES = ("gp3", "gp2", "io1", "io2", "st1", "sc1", "standard")


@pytest.fixture(scope="module")
def catalog():
    return bundled_catalog()


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1"])
def test_every_adapter_key_is_bundled_with_unit_and_provenance(catalog, region):
    keys = [(f"ebs:{t}", "GB-month") for t in EBS_TYPES] + [("ebs:snapshot", "GB-month"),
                                                           ("ebs:snapshot_archive", "GB-month"),
                                                           ("vpc:public_ipv4", "hour"), ("vpc:nat_gateway", "hour")]
    for key, unit in keys:
        price = catalog.price("aws", region, key)
        assert price is not None, (region, key)
        assert price.unit == unit and price.amount > 0 and price.currency == "USD"
        assert price.source in catalog.source_details and price.as_of
        assert (price.hourly is not None) == (unit == "hour")
    assert catalog.egress("aws", region, "nat_processing").amount > 0


def test_known_us_east_1_list_prices(catalog):
    expected = {"ebs:gp3": 0.08, "ebs:gp2": 0.10, "ebs:io1": 0.125, "ebs:io2": 0.125, "ebs:st1": 0.045,
                "ebs:sc1": 0.015, "ebs:standard": 0.05, "ebs:snapshot": 0.05, "ebs:snapshot_archive": 0.0125,
                "vpc:public_ipv4": 0.005, "vpc:nat_gateway": 0.045}
    got = {k: catalog.price("aws", "us-east-1", k).amount for k in expected}
    assert got == pytest.approx(expected)
    # Ireland costs at least as much as N. Virginia for every one of them.
    for key, amount in expected.items():
        assert catalog.price("aws", "eu-west-1", key).amount >= amount, key
    # Ordering facts of the EBS price list: sc1 < st1 < gp3 < gp2 < io1.
    order = [catalog.price("aws", "us-east-1", f"ebs:{t}").amount for t in ("sc1", "st1", "gp3", "gp2", "io1")]
    assert order == sorted(order) and len(set(order)) == len(order)


def test_unknown_keys_and_regions_stay_none(catalog):
    assert catalog.price("aws", "us-east-1", "ebs:gp9") is None
    assert catalog.price("aws", "ap-south-7", "ebs:gp3") is None
    assert catalog.price("aws", "us-east-1", "ebs:gp3", "spot") is None
    # Resource prices are not instance types: they do not leak into instances() / offers().
    assert all(not s.type.startswith(("ebs:", "vpc:")) for s in catalog.instances("aws", "us-east-1"))
    assert not catalog.offers("aws", "us-east-1")["type"].str.contains(":").any()


def test_price_book_reads_the_catalog_in_the_adapters_units(catalog):
    book = PriceBook(None, catalog)
    assert book.volume_gb_month("eu-west-1", "gp3") == pytest.approx(0.088)
    assert book.volume_gb_month("us-east-1", "io2") == pytest.approx(0.125)
    assert book.snapshot_gb_month("us-east-1") == pytest.approx(0.05)
    assert book.idle_address_hour("eu-west-1") == pytest.approx(0.005)
    assert book.nat_hour("eu-west-1") == pytest.approx(0.048)
    assert book.volume_gb_month("ap-south-7", "gp3") is None
    assert book.used_catalog and not book.used_api


def test_idle_rules_price_what_the_adapter_found(builders, catalog):
    window = builders.window(days=14)
    old = window.end - timedelta(days=200)
    resources = [
        builders.resource("vol-1", kind="volume", type="gp2", region="eu-west-1", hourly_cost=None, created=old,
                          attributes={"attached": False, "size_gb": 200, "volume_type": "gp2"}),
        builders.resource("snap-1", kind="snapshot", type="standard", hourly_cost=None, created=old,
                          attributes={"size_gb": 750}),
        builders.resource("eipalloc-1", kind="address", type="ipv4", hourly_cost=None,
                          attributes={"associated": False, "public_ip": "198.51.100.7"}),
        builders.resource("nat-1", kind="nat_gateway", type="nat", region="eu-west-1", hourly_cost=None, created=old,
                          attributes={}),
    ]
    # the gateway sent nothing for the whole lookback: positive evidence that it is idle
    quiet = [make_series("nat-1", "nat_bytes", np.zeros(14 * 24), period_s=3600, start=window.start, stat="Sum",
                         unit="Bytes")]
    snap = builders.snapshot(priced(resources, PriceBook(None, catalog), 1), window=window, metrics=quiet)
    out = [*unattached_volume(snap, catalog, defaults.UnattachedVolume()),
           *old_snapshot(snap, catalog, defaults.OldSnapshot()),
           *unassociated_address(snap, catalog, defaults.UnassociatedAddress()),
           *idle_nat_gateway(snap, catalog, defaults.IdleNatGateway())]
    assert not [o for o in out if isinstance(o, Skip)]
    savings = {o.resource_id: o.monthly_savings for o in out if isinstance(o, Recommendation)}
    assert savings == pytest.approx({"vol-1": 200 * 0.11, "snap-1": 750 * 0.05,
                                     "eipalloc-1": 0.005 * HOURS_PER_MONTH, "nat-1": 0.048 * HOURS_PER_MONTH})


def test_without_the_bundled_row_the_rule_skips(builders):
    from costopt.catalog import Catalog

    window = builders.window(days=14)
    vol = builders.resource("vol-2", kind="volume", type="gp3", hourly_cost=None, created=window.end - timedelta(days=30),
                            attributes={"attached": False, "size_gb": 10, "volume_type": "gp3"})
    snap = builders.snapshot(priced([vol], PriceBook(None, Catalog()), 1), window=window)
    out = list(unattached_volume(snap, Catalog(), defaults.UnattachedVolume()))
    assert len(out) == 1 and isinstance(out[0], Skip) and "no GB-month price" in out[0].reason


# --- cache rows with a unit ---------------------------------------------------------------------

def test_cache_price_rows_carry_their_unit(tmp_path):
    write_cache({"provider": "aws", "fetched_at": "2026-11-27T00:00:00Z", "currency": "USD",
                 "prices": [["us-east-1", "ebs:gp3", "on_demand", 0.079, "aws-pricing-api", "2026-11-27", "GB-month"],
                            ["us-east-1", "m5.large", "on_demand", 0.1, "aws-pricing-api", "2026-11-27"]],
                 "egress": [["us-east-1", "nat_processing", 0.046, "aws-pricing-api", "2026-11-27"]]}, tmp_path)
    catalog = load_catalog(cache_dir=tmp_path)
    gp3 = catalog.price("aws", "us-east-1", "ebs:gp3")
    assert (gp3.amount, gp3.unit, gp3.source) == (0.079, "GB-month", "aws-pricing-api")
    assert catalog.price("aws", "us-east-1", "m5.large").unit == "hour"
    assert catalog.price("aws", "eu-west-1", "ebs:gp3").source == "aws-ebs-list-price"  # untouched region
    assert catalog.egress("aws", "us-east-1", "nat_processing").amount == 0.046


def test_cache_price_rows_carry_their_os(tmp_path):
    write_cache({"provider": "aws", "prices": [
        ["us-east-1", "m5.large", "on_demand", 0.188, "aws-price-list-bulk", "2026-11-20", "hour", "windows"],
        ["us-east-1", "m5.large", "on_demand", 0.096, "aws-price-list-bulk", "2026-11-20", "hour", "linux"]]}, tmp_path)
    catalog = load_catalog(cache_dir=tmp_path)
    windows = catalog.price("aws", "us-east-1", "m5.large", os="windows")
    assert (windows.amount, windows.source, windows.estimate) == (0.188, "aws-price-list-bulk", False)
    assert catalog.price("aws", "us-east-1", "m5.large").amount == 0.096


@pytest.mark.parametrize("row", [["us-east-1", "ebs:gp3", "on_demand", 0.08, "s", "2026-11-27", "GB-year"],
                                 ["us-east-1", "ebs:gp3", "on_demand", 0.08, "s", "2026-11-27", "GB-month", "x"],
                                 ["us-east-1", "ebs:gp3", "on_demand", 0.08, "s", "2026-11-27", "GB-month", "windows"],
                                 ["us-east-1", "m5.large", "on_demand", 0.2, "s", "2026-11-27", "hour", "plan9"],
                                 ["us-east-1", "m5.large", "on_demand", 0.2, "s", "2026-11-27", "hour", "suse", "x"]])
def test_cache_row_with_bad_unit_is_an_input_error(tmp_path, row):
    write_cache({"provider": "aws", "prices": [row]}, tmp_path)
    with pytest.raises(InputError, match="malformed"):
        load_catalog(cache_dir=tmp_path)


# --- live refresh -------------------------------------------------------------------------------

def _product(family: str, usage: str, unit: str, usd: str, **attrs: str) -> str:
    return json.dumps({"product": {"productFamily": family, "attributes": {"usagetype": usage, **attrs}},
                       "terms": {"OnDemand": {"T": {"priceDimensions": {"D": {
                           "unit": unit, "pricePerUnit": {"USD": usd}}}}}}})


def _filters(region: str, family: str | None) -> list[dict[str, str]]:
    out = [{"Type": "TERM_MATCH", "Field": "regionCode", "Value": region}]
    if family:
        out.append({"Type": "TERM_MATCH", "Field": "productFamily", "Value": family})
    return out


def _stub_resource_queries(stubber: Stubber, region: str = "eu-west-1") -> None:
    answers = [
        ("AmazonEC2", "Storage", [
            # a Local Zone in the same region code (listed first): not the region's price
            _product("Storage", "EU-LHR1-EBS:VolumeUsage.gp3", "GB-Mo", "0.1100000000", volumeApiName="gp3"),
            _product("Storage", "EU-EBS:VolumeUsage.gp3", "GB-Mo", "0.0880000000", volumeApiName="gp3"),
            _product("Storage", "EU-EBS:VolumeUsage", "GB-Mo", "0.0550000000", volumeApiName="standard"),
        ]),
        ("AmazonEC2", "Storage Snapshot", [
            _product("Storage Snapshot", "EU-EBS:SnapshotUsage", "GB-Mo", "0.0500000000"),
            _product("Storage Snapshot", "EU-EBS:SnapshotArchiveStorage", "GB-Mo", "0.0125000000"),
            _product("Storage Snapshot", "EU-EBS:FastSnapshotRestore", "Hrs", "0.8250000000"),
        ]),
        ("AmazonEC2", "NAT Gateway", [
            _product("NAT Gateway", "EU-NatGateway-Hours", "Hrs", "0.0480000000"),
            _product("NAT Gateway", "EU-NatGateway-Bytes", "GB", "0.0480000000"),
        ]),
        ("AmazonVPC", None, [
            _product("VpcPublicIPv4Address", "EU-PublicIPv4:InUseAddress", "Hrs", "0.0050000000"),
            _product("VpcPublicIPv4Address", "EU-PublicIPv4:IdleAddress", "Hrs", "0.0050000000"),
            _product("Cloud Connectivity", "EU-VPN-Usage-Hours:ipsec.1", "Hrs", "0.0500000000"),
        ]),
    ]
    for service, family, products in answers:
        stubber.add_response("get_products", {"PriceList": products, "FormatVersion": "aws_v1"},
                             {"ServiceCode": service, "Filters": _filters(region, family), "FormatVersion": "aws_v1"})


def test_resource_rows_from_stubbed_price_list():
    pricing = boto3.client("pricing", region_name="us-east-1")
    with Stubber(pricing) as sp:
        _stub_resource_queries(sp)
        prices, egress = resource_rows(pricing, "eu-west-1", "2026-11-27")
        sp.assert_no_pending_responses()
    got = {row[1]: (row[3], row[6]) for row in prices}
    assert got == {"ebs:gp3": (0.088, "GB-month"), "ebs:standard": (0.055, "GB-month"),
                   "ebs:snapshot": (0.05, "GB-month"), "ebs:snapshot_archive": (0.0125, "GB-month"),
                   "vpc:nat_gateway": (0.048, "hour"), "vpc:public_ipv4": (0.005, "hour")}
    assert all(row[0] == "eu-west-1" and row[2] == "on_demand" and row[4] == "aws-pricing-api" for row in prices)
    assert egress == [["eu-west-1", "nat_processing", 0.048, "aws-pricing-api", "2026-11-27"]]


def test_classify_ignores_other_usage_and_zero_prices():
    assert classify(json.loads(_product("System Operation", "EBS:VolumeP-IOPS.io2", "IOPS-Mo", "0.065",
                                        volumeApiName="io2"))) is None
    assert classify(json.loads(_product("Storage", "EBS:VolumeUsage.gp3", "GB-Mo", "0.0", volumeApiName="gp3"))) is None
    assert classify(json.loads(_product("Storage", "EBS:VolumeUsage.gp3", "GB-Mo", "0.08", volumeApiName="gp3"))) == \
        ("price", "ebs:gp3", 0.08, "GB-month")


def test_refresh_aws_includes_resource_prices_and_overlays_the_bundle(tmp_path):
    from costopt.catalog.refresh import refresh_aws

    pricing = boto3.client("pricing", region_name="us-east-1")
    ec2 = boto3.client("ec2", region_name="eu-west-1")
    instance = json.dumps({"product": {"attributes": {"instanceType": "m5.large", "vcpu": "2", "memory": "8 GiB"}},
                           "terms": {"OnDemand": {"T": {"priceDimensions": {"D": {
                               "unit": "Hrs", "pricePerUnit": {"USD": "0.1070000000"}}}}}}})
    with Stubber(pricing) as sp, Stubber(ec2) as se:
        sp.add_response("get_products", {"PriceList": [instance], "FormatVersion": "aws_v1"}, None)
        se.add_response("describe_spot_price_history", {"SpotPriceHistory": []}, None)
        _stub_resource_queries(sp)
        doc = refresh_aws(iter(["eu-west-1"]), pricing_client=pricing, ec2_client_for=lambda region: ec2,
                          known=bundled_catalog())
        sp.assert_no_pending_responses()
    write_cache(doc, tmp_path)
    catalog = load_catalog(cache_dir=tmp_path)
    gp3 = catalog.price("aws", "eu-west-1", "ebs:gp3")
    assert (gp3.amount, gp3.unit, gp3.source) == (0.088, "GB-month", "aws-pricing-api")
    assert catalog.price("aws", "eu-west-1", "vpc:nat_gateway").unit == "hour"
    assert catalog.egress("aws", "eu-west-1", "nat_processing").source == "aws-pricing-api"
    assert catalog.price("aws", "eu-west-1", "ebs:gp2").source == "aws-ebs-list-price"  # not refreshed -> bundled
