"""build_audit: commitments are sized on the usage other selected changes leave, never counted twice."""

import numpy as np
import pandas as pd
import pytest

from costopt.billing.table import BillingTable
from costopt.catalog import load_catalog
from costopt.config import Settings
from costopt.pipeline import build_audit, usage_factors
from costopt.rules.engine import run_rules
from tests.conftest import make_resource, make_series, make_snapshot, make_window

HOURLY = 0.384  # m5.2xlarge on demand, us-east-1


def estate(days=14):
    w = make_window(days)
    hours = pd.date_range(w.start.replace(tzinfo=None), periods=days * 24, freq="h")
    rows = [pd.DataFrame({
        "ChargePeriodStart": hours, "ChargePeriodEnd": hours + pd.Timedelta(hours=1), "ResourceId": rid,
        "EffectiveCost": HOURLY, "BilledCost": HOURLY, "ListCost": HOURLY, "BillingCurrency": "USD",
        "ChargeCategory": "Usage", "ProviderName": "AWS", "ServiceName": "Amazon Elastic Compute Cloud",
        "ServiceCategory": "Compute", "SkuId": "m5.2xlarge", "x_UsageType": "BoxUsage:m5.2xlarge",
        "RegionId": "us-east-1", "SubAccountId": "111111111111", "BillingAccountId": "111111111111",
        "PricingCategory": "Standard", "PricingQuantity": 1.0, "ConsumedQuantity": 1.0})
        for rid in ("i-idle", "i-busy")]
    n = days * 24 * 12
    resources = [make_resource(rid, attributes={"state": "running"}) for rid in ("i-idle", "i-busy")]
    metrics = [make_series("i-idle", "cpu", np.full(n, 0.5), start=w.start),
               make_series("i-busy", "cpu", np.full(n, 70.0), start=w.start),
               make_series("i-idle", "network_out", np.zeros(n), start=w.start, unit="Bytes")]
    return make_snapshot(resources, metrics, billing=BillingTable.from_frame(pd.concat(rows)), window=w)


def test_commitment_is_sized_after_idle_and_resize_changes():
    snapshot = estate()
    catalog = load_catalog()
    alone = run_rules(snapshot, catalog, Settings(), families=("commitments",)).candidates
    assert len(alone) == 1
    audit = build_audit(snapshot, Settings(), catalog)
    by_rule = {r.rule_id: r for r in audit.recommendations}
    assert {"idle.instance", "rightsizing.oversized_vm", "commitments.savings_plan"} <= set(by_rule)
    commit = by_rule["commitments.savings_plan"]
    resize = by_rule["rightsizing.oversized_vm"]
    # The commitment only covers what is left of i-busy after its resize; i-idle is stopped.
    left = HOURLY * resize.monthly_cost_after / resize.monthly_cost_before
    assert commit.proposed.on_demand_equivalent_per_hour == pytest.approx(left)
    assert commit.monthly_savings < alone[0].monthly_savings
    assert commit.evidence.sized_after_other_changes == 2
    # Total = what the estate would really save: nothing is counted twice.
    after = commit.monthly_cost_after
    assert audit.totals.monthly_savings == pytest.approx(2 * HOURLY * 730 - after)


def test_usage_factors():
    snapshot = estate()
    audit = build_audit(snapshot, Settings(), load_catalog())
    factors = usage_factors(snapshot, audit.recommendations)
    assert factors["i-idle"] == 0.0
    assert 0 < factors["i-busy"] < 1
