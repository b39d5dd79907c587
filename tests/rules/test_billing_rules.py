"""billing.cost_anomaly: week-over-week robust z-score per service."""

from datetime import timedelta

import numpy as np
import pandas as pd
import pytest

from costopt.model import Recommendation, Skip
from costopt.rules import defaults
from costopt.rules.billing_rules import cost_anomaly, robust_sigma
from tests.conftest import T0, make_snapshot
from tests.rules.billing_frames import billing_table


def daily(service, per_day, days=35, provider="AWS", category="Usage", currency="USD"):
    rows = []
    for d in range(days):
        start = T0 + timedelta(days=d)
        cost = per_day(d) if callable(per_day) else per_day
        rows.append({"ProviderName": provider, "ServiceName": service, "BillingCurrency": currency,
                     "ChargePeriodStart": start, "ChargePeriodEnd": start + timedelta(days=1),
                     "ChargeCategory": category, "BilledCost": cost, "EffectiveCost": cost})
    return pd.DataFrame(rows)


def run(frame, **kw):
    return list(cost_anomaly(make_snapshot(billing=billing_table(frame)), None, defaults.CostAnomaly(**kw)))


rng = np.random.default_rng(7)
NOISE = rng.normal(0, 20, 35)

CASES = [
    # (name, per_day function, flagged?)
    ("flat", lambda d: 1000.0, False),
    ("noisy", lambda d: 1000.0 + NOISE[d], False),
    ("jump in last week", lambda d: 1000.0 + NOISE[d] + (600.0 if d >= 28 else 0.0), True),
    ("small jump under the absolute floor", lambda d: 10.0 + (5.0 if d >= 28 else 0.0), False),
    # A plain standard deviation of the baseline (~9,100) would give z = 2.5 here; the MAD is not
    # inflated by the one spiky week, so the jump is still found.
    ("earlier spike does not inflate sigma", lambda d: 1000.0 + (3000.0 if 7 <= d < 14 else 0) +
     (4000.0 if d >= 28 else 0), True),
    ("decrease", lambda d: 1000.0 - (500.0 if d >= 28 else 0.0), False),
    ("new service", lambda d: 0.0 if d < 28 else 300.0, True),
]


@pytest.mark.parametrize("name, per_day, flagged", CASES, ids=[c[0] for c in CASES])
def test_anomaly_table(name, per_day, flagged):
    out = run(daily("Amazon SageMaker", per_day))
    recs = [o for o in out if isinstance(o, Recommendation)]
    assert bool(recs) == flagged
    if flagged:
        [rec] = recs
        assert rec.action == "investigate cost increase"
        assert rec.evidence.facts["savings_estimated"] is False
        assert rec.savings_low == 0 and rec.monthly_savings == 0  # never added to the savings total
        assert rec.savings_high == pytest.approx(rec.evidence.facts["weekly_delta"] * 730 / 168)
        assert rec.evidence.facts["excess_monthly"] == pytest.approx(rec.savings_high)
        assert rec.confidence == "low"


def test_only_the_jumping_service_is_flagged_and_purchases_are_ignored():
    frame = pd.concat([
        daily("Amazon EC2", 1000.0),
        daily("Amazon S3", lambda d: 200.0 + NOISE[d] / 10),
        daily("Amazon SageMaker", lambda d: 500.0 + (500.0 if d >= 28 else 0)),
        daily("Savings Plans", lambda d: 90000.0 if d == 30 else 0.0, category="Purchase"),
    ])
    recs = run(frame)
    assert [r.resource_name for r in recs] == ["Amazon SageMaker"]
    rec = recs[0]
    assert rec.evidence.facts["weekly_delta"] == pytest.approx(3500.0)
    assert rec.resource_id == "service:aws:Amazon SageMaker"
    assert rec.evidence.facts["weekly_costs_oldest_first"][-1] == pytest.approx(7000.0)


def test_partial_last_day_and_first_week_are_not_used():
    # 35.5 days: the half day at the end is cut; week boundaries count back from the last full day.
    frame = daily("Amazon EC2", 1000.0, days=36)
    frame.loc[frame.index[-1], "ChargePeriodEnd"] = frame["ChargePeriodStart"].iloc[-1] + timedelta(hours=12)
    frame.loc[frame.index[-1], "EffectiveCost"] = 99999.0
    assert run(frame) == []


def test_too_few_weeks_is_a_skip_with_reason():
    [skip] = run(daily("Amazon EC2", 1000.0, days=20))
    assert isinstance(skip, Skip) and "2 full weeks; 4 needed" in skip.reason


def test_currencies_are_judged_apart():
    frame = pd.concat([daily("Compute", 1000.0, currency="USD"),
                       daily("Compute", lambda d: 50.0 if d < 28 else 900.0, currency="EUR", provider="Microsoft")])
    [rec] = run(frame)
    assert rec.currency == "EUR" and rec.provider == "azure"


def test_bad_cost_column_is_a_skip():
    [skip] = run(daily("Amazon EC2", 1000.0), cost_column="Bogus")
    assert isinstance(skip, Skip) and "cost column" in skip.reason


def test_robust_sigma_ignores_one_outlier():
    base = np.array([100.0, 102.0, 98.0, 101.0, 5000.0])
    assert robust_sigma(base, 0.0) < 5
    assert robust_sigma(np.array([7.0, 7.0, 7.0]), 0.5) == 0.5
