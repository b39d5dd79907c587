"""Issue 15: every rule prices findings in any public region, not only the two bundled ones.

The storage, egress and idle rules run on small snapshots in three regions per cloud outside the
project's old two (AWS us-east-1/eu-west-1, Azure eastus/westeurope, GCP us-central1/europe-west4)
against the bundled catalog. AWS and Azure have no real storage/transfer/EBS/NAT price outside
those regions in the shared tables, so the catalog carries labelled estimates: the base region's
list price x the region's compute price ratio. The oracle below recomputes them from facts:
AWS m5.large Linux on-demand (aws.amazon.com/ec2/pricing: us-east-1 $0.096, ap-southeast-2 $0.12,
eu-central-1 $0.115, sa-east-1 $0.153), S3 us-east-1 Standard $0.023 / Standard-IA $0.0125 per
GB-month, gp3 $0.08 per GB-month, snapshots $0.05 per GB-month, NAT gateway $0.045/h, inter-region
transfer $0.02/GB; Azure Standard_D2s_v5 Linux pay-as-you-go (eastus $0.096, australiaeast $0.12,
germanywestcentral $0.115, brazilsouth $0.153 in the shared Azure table), Blob Hot $0.0184 / Cool
$0.01 per GB-month, inter-region $0.02/GB. GCP regions get their real per-region Cyclenerd prices.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from costopt.catalog import bundled_catalog
from costopt.model import Recommendation
from costopt.price_trust import trusted
from costopt.providers.aws.adapter import priced
from costopt.providers.aws.prices import PriceBook
from costopt.rules import defaults
from costopt.rules.egress import cross_region
from costopt.rules.idle import bucket_without_lifecycle, idle_nat_gateway, old_snapshot, unassociated_address, unattached_volume
from costopt.rules.storage import tiering
from tests.conftest import T0, make_resource, make_series, make_snapshot
from tests.rules.test_storage import bucket_snapshot

GiB = 1024.0 ** 3


def approx(expected):
    """The bundled estimates are stored rounded to 7 decimals."""
    return pytest.approx(expected, rel=1e-5)
AWS_RATIO = {"ap-southeast-2": 0.12 / 0.096, "eu-central-1": 0.115 / 0.096, "sa-east-1": 0.153 / 0.096}
AZURE_RATIO = {"australiaeast": 0.12 / 0.096, "germanywestcentral": 0.115 / 0.096, "brazilsouth": 0.153 / 0.096}
GCP_REGIONS = ("australia-southeast1", "europe-west3", "southamerica-east1")


@pytest.fixture(scope="module")
def catalog():
    return bundled_catalog()


def recs(out):
    return [o for o in out if isinstance(o, Recommendation)]


def _assert_low_confidence_estimate(rec):
    source = rec.evidence.price_source
    assert source.startswith("estimate:"), source
    assert trusted(rec, ()).confidence == "low"


@pytest.mark.parametrize("region", sorted(AWS_RATIO))
def test_aws_storage_tiering_priced_by_labelled_estimate(catalog, region):
    out = recs(tiering(bucket_snapshot(region=region, gets_per_hour=0.0), catalog, defaults.StorageTiering()))
    ia = next(r for r in out if r.proposed.storage_class == "STANDARD_IA")
    ratio = AWS_RATIO[region]
    assert ia.evidence.facts["storage_saving"] == approx(ia.proposed.gb_moved * (0.023 - 0.0125) * ratio)
    _assert_low_confidence_estimate(ia)


@pytest.mark.parametrize("region", sorted(AZURE_RATIO))
def test_azure_storage_tiering_priced_by_labelled_estimate(catalog, region):
    snap = bucket_snapshot(region=region, gets_per_hour=0.0, storage_class="Hot")
    account = make_resource(snap.resources[0].id, kind="storage_account", type="", provider="azure", region=region,
                            hourly_cost=None, name=snap.resources[0].name)
    out = recs(tiering(make_snapshot([account], snap.metrics), catalog, defaults.StorageTiering()))
    cool = next(r for r in out if r.proposed.storage_class == "Cool")
    assert cool.evidence.facts["storage_saving"] == approx(cool.proposed.gb_moved * (0.0184 - 0.01) * AZURE_RATIO[region])
    _assert_low_confidence_estimate(cool)


@pytest.mark.parametrize("region", GCP_REGIONS)
def test_gcp_storage_tiering_priced_from_real_regional_prices(catalog, region, shared_data):
    snap = bucket_snapshot(region=region, gets_per_hour=0.0)
    bucket = make_resource(snap.resources[0].id, kind="bucket", type="", provider="gcp", region=region,
                           hourly_cost=None, name=snap.resources[0].name)
    out = recs(tiering(make_snapshot([bucket], snap.metrics), catalog, defaults.StorageTiering()))
    assert out and all(r.evidence.price_source.startswith("gcp-cyclenerd-2026") for r in out)


def _reader_snapshot(provider, data_region, reader_region):
    bucket = make_resource("data", kind="bucket", type="", provider=provider, region=data_region, hourly_cost=None)
    reader = make_resource("i-r", provider=provider, region=reader_region, attributes={"data_sources": ["data"]})
    hourly_bytes = np.full(14 * 24, 100e9)  # 100 GB (decimal, as transfer is billed) an hour = 73,000 GB a month
    return make_snapshot([bucket, reader], [make_series("i-r", "network_in", hourly_bytes, period_s=3600, unit="Bytes",
                                                        stat="Sum")])


@pytest.mark.parametrize("provider,region,ratio", [("aws", r, x) for r, x in AWS_RATIO.items()]
                         + [("azure", r, x) for r, x in AZURE_RATIO.items()])
def test_cross_region_transfer_priced_by_labelled_estimate(catalog, provider, region, ratio):
    other = "us-east-1" if provider == "aws" else "eastus"
    (rec,) = recs(cross_region(_reader_snapshot(provider, region, other), catalog, defaults.CrossRegion()))
    assert rec.monthly_savings == approx(100 * 730 * 0.02 * ratio)
    _assert_low_confidence_estimate(rec)


@pytest.mark.parametrize("region", GCP_REGIONS)
def test_gcp_cross_region_transfer_priced_in_every_region(catalog, region):
    (rec,) = recs(cross_region(_reader_snapshot("gcp", region, "us-central1"), catalog, defaults.CrossRegion()))
    assert rec.monthly_savings > 0
    _assert_low_confidence_estimate(rec)  # the shared GCP table has no inter-region price: estimated


def _aws_idle_resources(region):
    old = T0 - timedelta(days=400)
    return [
        make_resource("vol-1", kind="volume", type="gp3", region=region, hourly_cost=None, created=old,
                      attributes={"attached": False, "size_gb": 500, "volume_type": "gp3"}),
        make_resource("snap-1", kind="snapshot", type="snapshot", region=region, hourly_cost=None, created=old,
                      attributes={"size_gb": 200}),
        make_resource("eipalloc-1", kind="address", type="ipv4", region=region, hourly_cost=None,
                      attributes={"associated": False, "public_ip": "203.0.113.7"}),
        make_resource("nat-1", kind="nat_gateway", type="nat", region=region, hourly_cost=None, created=old),
    ]


@pytest.mark.parametrize("region", sorted(AWS_RATIO))
def test_aws_idle_rules_priced_through_the_adapter_price_book(catalog, region):
    """The adapter's PriceBook without the Price List API falls back to the catalog in any region."""
    resources = priced(_aws_idle_resources(region), PriceBook(None, catalog), workers=1)
    quiet = make_series("nat-1", "nat_bytes", np.zeros(336), period_s=3600, stat="Sum", unit="Bytes")
    snap = make_snapshot(resources, [quiet])  # the NAT's byte counters: evidence it moved nothing
    ratio = AWS_RATIO[region]
    rules = ((unattached_volume, defaults.UnattachedVolume), (old_snapshot, defaults.OldSnapshot),
             (unassociated_address, defaults.UnassociatedAddress), (idle_nat_gateway, defaults.IdleNatGateway))
    found = {r.rule_id: r for rule, params in rules for r in recs(rule(snap, catalog, params()))}
    expected = {"idle.unattached_volume": 500 * 0.08 * ratio, "idle.old_snapshot": 200 * 0.05 * ratio,
                "idle.unassociated_address": 0.005 * 730, "idle.nat_gateway": 0.045 * ratio * 730}
    assert {k: v.monthly_savings for k, v in found.items()} == approx(expected)
    for rule_id in ("idle.unattached_volume", "idle.old_snapshot", "idle.nat_gateway"):
        _assert_low_confidence_estimate(found[rule_id])
    assert found["idle.unassociated_address"].evidence.price_source.startswith("aws-vpc-list-price")


@pytest.mark.parametrize("region", sorted(AWS_RATIO))
def test_aws_bucket_without_lifecycle_priced_in_any_region(catalog, region):
    snap = bucket_snapshot(region=region, has_lifecycle=False)
    (rec,) = recs(bucket_without_lifecycle(snap, catalog, defaults.BucketWithoutLifecycle()))
    assert rec.savings_high == approx(100_000 * (0.023 - 0.0125) * AWS_RATIO[region])
    _assert_low_confidence_estimate(rec)


def test_every_public_aws_and_azure_region_has_storage_egress_and_resource_prices(catalog, shared_data):
    aws_regions = ["af-south-1", "ap-east-2", "ap-southeast-4", "ca-west-1", "eu-central-2", "il-central-1",
                   "me-central-1", "mx-central-1"]
    for region in aws_regions:
        assert catalog.storage_tier("aws", region, "STANDARD") is not None, region
        assert catalog.egress("aws", region, "internet") is not None, region
        for item in ("ebs:gp3", "ebs:snapshot", "vpc:nat_gateway", "vpc:public_ipv4"):
            assert catalog.price("aws", region, item) is not None, (region, item)
        assert catalog.price("aws", region, "m5.large").estimate  # compute is estimated there too
    assert len({r for r in catalog.regions("azure") if catalog.storage_tier("azure", r, "Hot")}) >= 55


def test_real_prices_win_over_regional_estimates(catalog):
    assert catalog.storage_tier("aws", "eu-west-1", "STANDARD").source == "aws-s3-list-price"
    assert catalog.price("aws", "eu-west-1", "ebs:gp3").amount == 0.088
    assert not catalog.price("aws", "eu-west-1", "ebs:gp3").estimate
    assert catalog.egress("azure", "westeurope", "internet").source == "azure-bandwidth-list-price"
