"""EBS volumes priced with every dimension, against AWS's us-east-1 list prices
(https://aws.amazon.com/ebs/pricing/): gp3 $0.08/GB-month, $0.005 per IOPS-month above 3,000,
$0.04 per MiB/s-month above 125 (the Price List says $40.96 per GiBps-month); io1 $0.125/GB-month
and $0.065 per provisioned IOPS-month; io2 $0.125/GB-month and IOPS at $0.065 up to 32,000,
$0.0455 to 64,000 and $0.03185 above. The Price List API is the real client under a Stubber."""

from __future__ import annotations

import json

import pytest

from costopt.catalog import Catalog, Price, load_catalog
from costopt.model import HOURS_PER_MONTH, Resource
from costopt.providers.aws.adapter import priced
from costopt.providers.aws.prices import PriceBook


def _product(usage: str, usd: float, unit: str) -> str:
    return json.dumps({"product": {"attributes": {"usagetype": usage}},
                       "terms": {"OnDemand": {"T.1": {"priceDimensions": {"T.1.1": {
                           "unit": unit, "pricePerUnit": {"USD": str(usd)}}}}}}})


SYSTEM_OPERATION = [  # what a regionCode + productFamily query returns: every IOPS product, and more
    _product("EBS:VolumeIOUsage", 0.00000005, "IOs"), _product("EBS:VolumeP-IOPS.gp3", 0.005, "IOPS-Mo"),
    _product("EBS:VolumeP-IOPS.piops", 0.065, "IOPS-Mo"), _product("EBS:VolumeP-IOPS.io2", 0.065, "IOPS-Mo"),
    _product("EBS:VolumeP-IOPS.io2.tier2", 0.0455, "IOPS-Mo"), _product("EBS:VolumeP-IOPS.io2.tier3", 0.03185, "IOPS-Mo"),
]


def _volume(vtype, size, iops=None, throughput=None):
    return Resource("aws", "1", "us-east-1", f"vol-{vtype}", "volume", vtype,
                    attributes={"volume_type": vtype, "size_gb": size, "iops": iops, "throughput": throughput})


def _monthly(r: Resource) -> float:
    return r.hourly_cost * HOURS_PER_MONTH


def test_io1_pays_for_every_provisioned_iops(pricing):
    client, stub = pricing
    stub.add_response("get_products", {"PriceList": [_product("EBS:VolumeUsage.piops", 0.125, "GB-Mo")]})
    stub.add_response("get_products", {"PriceList": SYSTEM_OPERATION})
    (vol,) = priced([_volume("io1", 100, iops=5000)], PriceBook(client, None), 1)
    assert _monthly(vol) == pytest.approx(12.50 + 5000 * 0.065)  # $337.50, not $12.50
    assert vol.attributes["monthly_by_dimension"]["iops"] == pytest.approx(325.0)


def test_gp3_pays_iops_above_3000_and_throughput_above_125(pricing):
    client, stub = pricing
    stub.add_response("get_products", {"PriceList": [_product("EBS:VolumeUsage.gp3", 0.08, "GB-Mo")]})
    stub.add_response("get_products", {"PriceList": SYSTEM_OPERATION})
    stub.add_response("get_products", {"PriceList": [_product("EBS:VolumeP-Throughput.gp3", 40.96, "GiBps-mo")]})
    (vol,) = priced([_volume("gp3", 1000, iops=6000, throughput=500)], PriceBook(client, None), 1)
    assert _monthly(vol) == pytest.approx(80.0 + 3000 * 0.005 + 375 * 0.04)
    assert "price_is_lower_bound" not in vol.attributes


def test_gp3_at_its_baseline_pays_storage_only(pricing):
    client, stub = pricing
    stub.add_response("get_products", {"PriceList": [_product("EBS:VolumeUsage.gp3", 0.08, "GB-Mo")]})
    (vol,) = priced([_volume("gp3", 500, iops=3000, throughput=125)], PriceBook(client, None), 1)
    assert _monthly(vol) == pytest.approx(40.0)


def test_io2_iops_are_priced_in_tiers(pricing):
    client, stub = pricing
    stub.add_response("get_products", {"PriceList": [_product("EBS:VolumeUsage.io2", 0.125, "GB-Mo")]})
    for _ in range(3):  # one lookup per tier
        stub.add_response("get_products", {"PriceList": SYSTEM_OPERATION})
    (vol,) = priced([_volume("io2", 100, iops=80000)], PriceBook(client, None), 1)
    assert _monthly(vol) == pytest.approx(12.5 + 32000 * 0.065 + 32000 * 0.0455 + 16000 * 0.03185)


def test_unknown_iops_price_gives_a_lower_bound_that_says_so():
    # The bundled catalog now knows IOPS prices, so this catalog holds the GB-month price only.
    catalog = Catalog()
    catalog.add_price("aws", "us-east-1", "ebs:io1", "on_demand", Price(0.125, "GB-month", "USD", "test", "2026-01-01"))
    (vol,) = priced([_volume("io1", 100, iops=5000)], PriceBook(None, catalog), 1)
    assert _monthly(vol) == pytest.approx(100 * 0.125)
    assert "5000 IOPS" in vol.attributes["price_is_lower_bound"]


def test_bundled_catalog_prices_every_ebs_dimension_without_the_api():
    """Without the Price List API the catalog fallback gives the same list prices (cited above)."""
    catalog = load_catalog(None, use_cache=False)
    vols = priced([_volume("io1", 100, iops=5000), _volume("io2", 100, iops=80000),
                   _volume("gp3", 1000, iops=6000, throughput=500)], PriceBook(None, catalog), 1)
    assert [_monthly(v) for v in vols] == pytest.approx([
        12.50 + 5000 * 0.065, 12.5 + 32000 * 0.065 + 32000 * 0.0455 + 16000 * 0.03185,
        80.0 + 3000 * 0.005 + 375 * 0.04])
    assert not any("price_is_lower_bound" in v.attributes for v in vols)


def test_snapshots_say_their_price_is_an_upper_bound():
    snap = Resource("aws", "1", "us-east-1", "snap-1", "snapshot", "standard", attributes={"size_gb": 100})
    (out,) = priced([snap], PriceBook(None, load_catalog(None, use_cache=False)), 1)
    assert out.hourly_cost is not None
    assert "only the blocks it stores" in out.attributes["price_is_upper_bound"]
