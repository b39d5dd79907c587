"""egress.hot_spots, egress.cross_region and egress.nat_gateway_endpoint."""

from datetime import timedelta

import numpy as np
import pandas as pd
import pytest

from costopt.model import Recommendation, Skip
from costopt.rules import defaults
from costopt.rules.egress import cross_region, hot_spots, nat_gateway_endpoint
from tests.conftest import T0, make_resource, make_series, make_snapshot
from tests.rules.billing_frames import billing_table
from tests.rules.tiny_catalog import tiny_catalog

DAYS = 28


def rows(usage_type, per_day, *, egress=True, service="Amazon S3", region="us-east-1", provider="AWS", days=DAYS):
    out = []
    for d in range(days):
        start = T0 + timedelta(days=d)
        cost = per_day(d) if callable(per_day) else per_day
        out.append({"ProviderName": provider, "BillingAccountId": "123456789012", "BillingCurrency": "USD",
                    "ChargePeriodStart": start, "ChargePeriodEnd": start + timedelta(days=1),
                    "ChargeCategory": "Usage", "ServiceName": service, "RegionId": region,
                    "x_UsageType": usage_type, "x_IsEgress": egress, "BilledCost": cost, "EffectiveCost": cost,
                    "ConsumedQuantity": cost / 0.09, "ConsumedUnit": "GB"})
    return pd.DataFrame(out)


def billing_snapshot(*frames):
    return make_snapshot(billing=billing_table(pd.concat(frames, ignore_index=True)))


ESTATE = [
    rows("USE1-DataTransfer-Out-Bytes", 90.0),                                   # 2,737.5/month
    rows("USE1-DataTransfer-Out-Bytes", 30.0, service="Amazon EC2"),
    rows("EUW1-DataTransfer-Out-Bytes", 1.0, region="eu-west-1"),                # below the floor
    rows("USE1-EUW1-AWS-Out-Bytes", lambda d: 20.0 if d < 14 else 40.0),         # inter-region
    rows("Network Inter Region Egress from Americas to EMEA", 10.0, provider="Google Cloud", region="us-central1"),
    rows("NatGateway-Bytes", 50.0, egress=False, service="Amazon EC2"),           # not egress
    rows("BoxUsage:m5.xlarge", 500.0, egress=False, service="Amazon EC2"),
]


def test_hot_spots_rank_internet_egress_and_leave_inter_region_out():
    recs = list(hot_spots(billing_snapshot(*ESTATE), None, defaults.EgressHotSpots()))
    assert [r.resource_name for r in recs] == ["USE1-DataTransfer-Out-Bytes"]
    [rec] = recs
    assert rec.current["monthly_cost"] == pytest.approx(120.0 * 730 / 24)
    assert rec.current["services"] == "Amazon EC2, Amazon S3"
    assert rec.monthly_savings == 0 and rec.savings_high == pytest.approx(rec.current["monthly_cost"])
    assert rec.evidence.facts["savings_estimated"] is False
    assert rec.evidence.facts["share_of_internet_egress"] == pytest.approx(120 / 121)


def test_hot_spots_top_n():
    frames = [rows(f"USE1-Type{i}-Out-Bytes", 10.0 * (i + 1)) for i in range(5)]
    recs = list(hot_spots(billing_snapshot(*frames), None, defaults.EgressHotSpots(top_n=2)))
    assert [r.resource_name for r in recs] == ["USE1-Type4-Out-Bytes", "USE1-Type3-Out-Bytes"]
    assert len({r.alternative_group for r in recs}) == 2


def test_cross_region_from_billing_with_weekly_range():
    recs = list(cross_region(billing_snapshot(*ESTATE), tiny_catalog(), defaults.CrossRegion()))
    by_name = {r.resource_name: r for r in recs}
    assert set(by_name) == {"USE1-EUW1-AWS-Out-Bytes", "Network Inter Region Egress from Americas to EMEA"}
    aws = by_name["USE1-EUW1-AWS-Out-Bytes"]
    assert aws.monthly_savings == pytest.approx(30.0 * 730 / 24)
    assert aws.savings_low == pytest.approx(20.0 * 730 / 24)
    assert aws.savings_high == pytest.approx(40.0 * 730 / 24)
    assert aws.evidence.facts["catalog_inter_region_per_gb"] == 0.02
    assert by_name["Network Inter Region Egress from Americas to EMEA"].provider == "gcp"


def test_no_egress_no_findings():
    snap = billing_snapshot(rows("BoxUsage:m5.xlarge", 500.0, egress=False))
    assert list(hot_spots(snap, None, defaults.EgressHotSpots())) == []
    assert list(cross_region(snap, None, defaults.CrossRegion())) == []


# --- inventory cross-region ------------------------------------------------------------------


def test_cross_region_from_inventory_network_in():
    bucket = make_resource("ml-datasets", kind="bucket", type="", region="eu-west-1", hourly_cost=None)
    trainer = make_resource("i-train", type="p3.8xlarge", attributes={"data_sources": ["ml-datasets"]})
    local = make_resource("i-local", attributes={"data_sources": ["ml-datasets"]}, region="eu-west-1")
    gb_per_hour = 100.0
    metrics = [make_series("i-train", "network_in", np.full(24 * 7, gb_per_hour * 1e9), period_s=3600, stat="Sum"),
               make_series("i-local", "network_in", np.full(24 * 7, 1e12), period_s=3600, stat="Sum")]
    snap = make_snapshot([bucket, trainer, local], metrics)
    [rec] = list(cross_region(snap, tiny_catalog(), defaults.CrossRegion()))
    assert rec.resource_id == "i-train"
    assert rec.monthly_savings == pytest.approx(gb_per_hour * 730 * 0.02)
    no_price = make_snapshot([make_resource("b2", kind="bucket", region="ap-south-1"),
                              make_resource("i-x", attributes={"data_sources": ["b2"]})],
                             [make_series("i-x", "network_in", np.full(48, 1e9), period_s=3600, stat="Sum")])
    [skip] = list(cross_region(no_price, tiny_catalog(), defaults.CrossRegion()))
    assert isinstance(skip, Skip) and "no inter-region transfer price" in skip.reason


# --- NAT ---------------------------------------------------------------------------------------


def nat_series(nat_id, gb_per_hour, destination=None, hours=24 * 7):
    s = make_series(nat_id, "nat_bytes", np.full(hours, gb_per_hour * 1e9), period_s=3600, unit="Bytes", stat="Sum")
    if destination is None:
        return s
    return type(s)(s.resource_id, s.metric, s.unit, s.period_s, s.timestamps, s.values, s.stat,
                   {"destination": destination})


NAT_CASES = [
    # (name, series, attributes, expected savings per month or None, expected action word)
    ("s3 through nat", [("s3", 10.0), ("internet", 2.0)], {}, 10.0 * 730 * 0.045, "add gateway endpoints for s3"),
    ("s3 and dynamodb", [("s3", 10.0), ("dynamodb", 1.0)], {}, 11.0 * 730 * 0.045, "dynamodb, s3"),
    ("endpoint already there", [("s3", 10.0)], {"gateway_endpoints": ["s3"]}, None, None),
    ("internet only", [("internet", 10.0)], {}, None, None),
    ("no breakdown", [(None, 10.0)], {}, 0.0, "investigate"),
]


@pytest.mark.parametrize("name, parts, attrs, savings, action", NAT_CASES, ids=[c[0] for c in NAT_CASES])
def test_nat_gateway_endpoint_table(name, parts, attrs, savings, action):
    nat = make_resource("nat-pipeline", kind="nat_gateway", type="", attributes={"vpc_id": "vpc-1", **attrs})
    snap = make_snapshot([nat], [nat_series("nat-pipeline", gb, dest) for dest, gb in parts])
    out = list(nat_gateway_endpoint(snap, tiny_catalog(), defaults.NatGatewayEndpoint()))
    if savings is None:
        assert out == []
        return
    [rec] = out
    assert isinstance(rec, Recommendation)
    assert rec.monthly_savings == pytest.approx(savings)
    assert action in rec.action or action in rec.apply or action in rec.rationale
    if savings:
        assert "com.amazonaws.us-east-1.s3" in rec.apply and "vpc-1" in rec.apply


def test_nat_skips_without_price_or_enough_hours():
    nat = make_resource("nat-eu", kind="nat_gateway", region="eu-west-1")
    snap = make_snapshot([nat], [nat_series("nat-eu", 10.0, "s3")])
    [skip] = list(nat_gateway_endpoint(snap, tiny_catalog(), defaults.NatGatewayEndpoint()))
    assert "no NAT processing price" in skip.reason
    nat = make_resource("nat-short", kind="nat_gateway")
    snap = make_snapshot([nat], [nat_series("nat-short", 10.0, "s3", hours=5)])
    [skip] = list(nat_gateway_endpoint(snap, tiny_catalog(), defaults.NatGatewayEndpoint()))
    assert "only 5 hours" in skip.reason
    [skip] = list(nat_gateway_endpoint(make_snapshot([nat], [nat_series("nat-short", 1.0, "s3")]), None,
                                       defaults.NatGatewayEndpoint()))
    assert "catalog" in skip.reason


def test_nat_duplicates_and_negative_points_are_not_counted():
    nat = make_resource("nat-d", kind="nat_gateway")
    s = nat_series("nat-d", 10.0, "s3")
    ts = np.concatenate([s.timestamps, s.timestamps[:10]])
    vs = np.concatenate([s.values, s.values[:10]])
    vs[0] = -1
    dup = type(s)(s.resource_id, s.metric, s.unit, s.period_s, ts, vs, s.stat, {"destination": "s3"})
    [rec] = list(nat_gateway_endpoint(make_snapshot([nat], [dup]), tiny_catalog(), defaults.NatGatewayEndpoint()))
    assert rec.monthly_savings == pytest.approx(10.0 * 730 * 0.045)


def direction_series(nat_id, direction, gb_per_hour, hours=24 * 7):
    s = make_series(nat_id, "nat_bytes", np.full(hours, gb_per_hour * 1e9), period_s=3600, unit="Bytes", stat="Sum")
    return type(s)(s.resource_id, s.metric, s.unit, s.period_s, s.timestamps, s.values, s.stat, {"direction": direction})


def cloudwatch_nat():
    """The four AWS/NATGateway byte metrics: each processed byte shows up twice."""
    nat = make_resource("nat-pipeline", kind="nat_gateway", type="")
    parts = [("BytesOutToDestination", 2.0), ("BytesInFromSource", 2.0),
             ("BytesInFromDestination", 8.0), ("BytesOutToSource", 8.0)]
    return make_snapshot([nat], [direction_series("nat-pipeline", d, gb) for d, gb in parts])


def test_cloudwatch_directions_are_counted_once():
    [rec] = list(nat_gateway_endpoint(cloudwatch_nat(), tiny_catalog(), defaults.NatGatewayEndpoint()))
    assert rec.current["gb_per_month"] == pytest.approx(10.0 * 730)
    assert rec.monthly_savings == 0 and rec.savings_high == pytest.approx(10.0 * 730 * 0.045)


def test_known_share_from_config_prices_the_endpoint_with_low_confidence():
    params = defaults.NatGatewayEndpoint(assumed_gateway_share=0.8)
    [rec] = list(nat_gateway_endpoint(cloudwatch_nat(), tiny_catalog(), params))
    assert rec.monthly_savings == pytest.approx(0.8 * 10.0 * 730 * 0.045)
    assert rec.confidence == "low" and rec.savings_low == 0
    assert "assumed_gateway_share" in rec.evidence.facts["assumption"]


def test_run_rate_counts_from_when_the_traffic_started():
    late = rows("USE1-EUW1-AWS-Out-Bytes", 30.0, days=DAYS)
    late = late[late["ChargePeriodStart"] >= T0 + timedelta(days=14)]  # the last two weeks only
    snap = billing_snapshot(rows("BoxUsage:m5.xlarge", 500.0, egress=False), late)
    [rec] = list(cross_region(snap, tiny_catalog(), defaults.CrossRegion()))
    assert rec.monthly_savings == pytest.approx(30.0 * 730 / 24)
    assert rec.savings_low == pytest.approx(rec.monthly_savings)  # every week since then was the same


def test_hot_spots_rank_by_run_rate_not_by_total():
    old = rows("USE1-Old-Out-Bytes", 20.0)                       # 28 days x 20 = 560 total
    new = rows("USE1-New-Out-Bytes", 60.0)
    new = new[new["ChargePeriodStart"] >= T0 + timedelta(days=21)]  # 7 days x 60 = 420 total, 3x the rate
    recs = list(hot_spots(billing_snapshot(old, new), None, defaults.EgressHotSpots()))
    assert [r.resource_name for r in recs] == ["USE1-New-Out-Bytes", "USE1-Old-Out-Bytes"]
    assert recs[0].current["gb_per_month"] == pytest.approx(60.0 / 0.09 * 730 / 24)


def test_nat_bytes_from_billing_when_cloudwatch_has_none():
    nat = make_resource("nat-0abc", kind="nat_gateway", type="", name="nat-pipeline")
    frame = rows("NatGateway-Bytes", 9.0, egress=False, service="Amazon EC2")  # ConsumedQuantity: 100 GB a day
    frame["ResourceId"] = "arn:aws:ec2:us-east-1:123456789012:natgateway/nat-0abc"
    snap = make_snapshot([nat], billing=billing_table(frame))
    [rec] = list(nat_gateway_endpoint(snap, tiny_catalog(), defaults.NatGatewayEndpoint(assumed_gateway_share=0.5)))
    assert rec.current["gb_per_month"] == pytest.approx(100.0 * 730 / 24)
    assert rec.monthly_savings == pytest.approx(0.5 * 100.0 * 730 / 24 * 0.045)
    by_name = frame.assign(ResourceId="nat-pipeline")
    [rec] = list(nat_gateway_endpoint(make_snapshot([nat], billing=billing_table(by_name)), tiny_catalog(),
                                      defaults.NatGatewayEndpoint()))
    assert rec.monthly_savings == 0 and rec.savings_high == pytest.approx(100.0 * 730 / 24 * 0.045)
