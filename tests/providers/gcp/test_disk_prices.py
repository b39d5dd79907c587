"""A GCP disk the Cloud Billing Catalog API did not price gets the bundled catalog's GB-month
price (zonal or replicated), and a Hyperdisk provisioned past its free baseline stays unknown:
the bundled catalog has no per-IOPS / per-MiB/s Hyperdisk price and no Hyperdisk Balanced row.

Oracle: /work/shared/data/prices/gcp_disk_cyclenerd.csv.gz read here on its own
(Cyclenerd/google-cloud-pricing-cost-calculator@fd66b26f pricing.yml, generated 2026-07-30).
"""

from __future__ import annotations

import csv
import gzip
from dataclasses import replace
from pathlib import Path

import pytest

from costopt.catalog import load_catalog
from costopt.config import Settings
from costopt.model import HOURS_PER_MONTH
from costopt.providers.gcp.disk_prices import LIVE_SOURCE, with_disk_price
from tests.conftest import make_resource

SHARED = Path("/work/shared/data/prices/gcp_disk_cyclenerd.csv.gz")


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(Settings(), use_cache=False)


@pytest.fixture(scope="module")
def table():
    if not SHARED.exists():
        pytest.skip("shared price tables absent")
    with gzip.open(SHARED, "rt", encoding="utf-8") as fh:
        return {(r["region"], r["sku_or_type"]): float(r["price"]) for r in csv.DictReader(fh)
                if r["price_model"] == "on_demand"}


def disk(type_, region="europe-west4", zone="europe-west4-a", size=500, iops=None, mibps=None, hourly=None):
    return make_resource(f"//disks/{type_}-{zone}", kind="volume", type=type_, provider="gcp", account="p",
                         region=region, hourly_cost=hourly, currency="USD",
                         attributes={"zone": zone, "size_gb": size, "provisioned_iops": iops,
                                     "provisioned_throughput_mibps": mibps})


@pytest.mark.parametrize(("type_", "zone", "row"), [
    ("pd-balanced", "europe-west4-a", "balanced (pd-balanced)"),
    ("pd-ssd", "", "ssd-replicated (pd-ssd)"),  # a regional disk: its replicated price
    ("pd-standard", "europe-west4-b", "hdd (pd-standard)"),
    ("hyperdisk-extreme", "europe-west4-a", "hyperdisk-extreme (hyperdisk-extreme)"),  # no IOPS provisioned
])
def test_unpriced_disk_gets_the_bundled_gb_month_price(catalog, table, type_, zone, row):
    got = with_disk_price(disk(type_, zone=zone), catalog)
    assert got.hourly_cost == pytest.approx(500 * table[("europe-west4", row)] / HOURS_PER_MONTH)
    assert got.attributes["price_source"] == "gcp-cyclenerd-2026"


def test_hyperdisk_past_its_baseline_stays_unknown(catalog):
    assert with_disk_price(disk("hyperdisk-extreme", iops=20000), catalog).hourly_cost is None
    assert with_disk_price(disk("hyperdisk-balanced", iops=6000, mibps=290), catalog).hourly_cost is None
    # and Hyperdisk Balanced at its free 3,000 IOPS / 140 MiB/s has no bundled capacity price at all
    assert with_disk_price(disk("hyperdisk-balanced", iops=3000, mibps=140), catalog).hourly_cost is None


def test_a_live_price_is_kept_and_labelled(catalog):
    got = with_disk_price(disk("pd-balanced", hourly=0.123), catalog)
    assert got.hourly_cost == 0.123 and got.attributes["price_source"] == LIVE_SOURCE
    other = with_disk_price(replace(disk("pd-balanced"), currency="EUR"), catalog)
    assert other.hourly_cost is None  # the bundled prices are USD: no price in another currency
