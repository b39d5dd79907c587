"""The demo's seeded FOCUS export: deterministic, consistent with the inventory, one currency."""

from datetime import UTC, datetime

import pandas as pd
import pytest

from costopt.demo.billing import demo_extra_lines, generate_demo_billing
from tests.conftest import make_resource

END = datetime(2026, 11, 27, 6, tzinfo=UTC)
RESOURCES = [
    make_resource("i-train", kind="gpu_vm", type="p3.8xlarge", hourly_cost=12.24, tags={"costopt:team": "vision"}),
    make_resource("i-fleet", kind="vm", type="c5.4xlarge", hourly_cost=0.68 * 6, count=6),
    make_resource("vm-gcp", provider="gcp", account="ml-research-prod", kind="vm", type="n2-standard-16", hourly_cost=0.777),
]


def billing():
    return generate_demo_billing(RESOURCES, END, extras=demo_extra_lines("123456789012", "ml-research-prod", "sub"))


def test_is_deterministic():
    pd.testing.assert_frame_equal(billing(), billing())


def test_five_weeks_of_hourly_usage_per_resource():
    df = billing()
    train = df[df["ResourceId"] == "i-train"]
    assert len(train) == 5 * 7 * 24
    assert train["ChargePeriodStart"].max() == pd.Timestamp("2026-11-27 05:00")
    assert train["EffectiveCost"].sum() == 12.24 * len(train)


def test_savings_plan_usage_is_amortised_not_billed():
    df = billing()
    fleet = df[df["ResourceId"] == "i-fleet"]
    assert (fleet["BilledCost"] == 0).all()
    assert fleet["EffectiveCost"].sum() == pytest.approx(fleet["ListCost"].sum() * 0.72)
    purchases = df[df["ChargeCategory"] == "Purchase"]
    assert not purchases.empty and (purchases["EffectiveCost"] == 0).all()


def test_charge_categories_and_single_currency():
    df = billing()
    assert set(df["ChargeCategory"]) == {"Usage", "Purchase", "Tax", "Credit"}
    assert set(df["BillingCurrency"]) == {"USD"}
    assert (df.loc[df["ChargeCategory"] == "Credit", "BilledCost"] < 0).all()


def test_last_week_has_an_internet_egress_jump():
    df = billing()
    egress = df[df["x_UsageType"] == "DataTransfer-Out-Bytes"].set_index("ChargePeriodStart")["EffectiveCost"]
    weekly = egress.resample("7D", origin=pd.Timestamp("2026-10-23 06:00")).sum()
    assert weekly.iloc[-1] > 2 * weekly.iloc[:-1].mean()
