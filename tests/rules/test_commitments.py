"""commitments.savings_plan (hourly billing) and commitments.reserved_instances (inventory)."""

from datetime import timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costopt.model import Recommendation, Skip
from costopt.rules import defaults
from costopt.rules.commitment_math import TERM_MONTHS, UPFRONT_SHARE, cost_curve
from costopt.rules.commitments import reserved_instances, savings_plan
from tests.conftest import T0, make_resource, make_series, make_snapshot, make_window
from tests.rules.billing_frames import billing_table
from tests.rules.tiny_catalog import tiny_catalog

HOURS = 21 * 24


def usage_rows(n_base=10, n_busy=6, hours=HOURS, price=0.2, committed=0, type_="m5.xlarge", provider="AWS",
               period_h=1, currency="USD", skip_hours=()):
    """Hourly EC2 usage rows: n_base instances always, n_busy more 9:00-17:00 UTC."""
    rows = []
    for h in range(0, hours, period_h):
        if h in skip_hours:
            continue
        start = T0 + timedelta(hours=h)
        n = n_base + (n_busy if 9 <= start.hour < 17 else 0)
        for i in range(n):
            is_committed = i < committed
            rows.append({
                "ProviderName": provider, "BillingAccountId": "123456789012", "BillingCurrency": currency,
                "ChargePeriodStart": start, "ChargePeriodEnd": start + timedelta(hours=period_h),
                "ChargeCategory": "Usage", "ServiceCategory": "Compute", "ServiceName": "Amazon EC2",
                "RegionId": "us-east-1", "ResourceId": f"i-{i}", "x_UsageType": f"USE1-BoxUsage:{type_}",
                "SkuId": "SKU1", "PricingCategory": "Committed" if is_committed else "Standard",
                "CommitmentDiscountId": "sp-1" if is_committed else None,
                "BilledCost": 0.0 if is_committed else price * period_h,
                "EffectiveCost": 0.12 * period_h if is_committed else price * period_h,
                "ConsumedQuantity": float(period_h),
            })
    return pd.DataFrame(rows)


def run_sp(frame, catalog="tiny", **params):
    snap = make_snapshot(billing=billing_table(frame),
                         window=make_window(days=21, end=T0 + timedelta(hours=HOURS)))
    cat = tiny_catalog() if catalog == "tiny" else catalog
    return list(savings_plan(snap, cat, defaults.SavingsPlan(**params)))


def test_savings_plan_commits_at_the_quantile_of_hourly_spend():
    out = run_sp(usage_rows())
    [rec] = out
    assert isinstance(rec, Recommendation)
    # r = 0.12 / 0.20 = 0.6; busy hours are 1/3 of the time (< 0.6) -> commit the 10-instance base.
    assert rec.proposed.on_demand_equivalent_per_hour == pytest.approx(2.0)
    assert rec.proposed.commitment_per_hour == pytest.approx(1.2)
    assert rec.monthly_savings == pytest.approx(2.0 * 0.4 * 730)
    assert rec.evidence.facts["break_even_month"] == 8
    assert rec.evidence.facts["utilisation"] == pytest.approx(1.0)
    assert rec.savings_low <= rec.monthly_savings <= rec.savings_high
    assert rec.alternative_group == "commit:aws:123456789012"
    assert "create-savings-plan" in rec.apply and "--commitment 1.20" in rec.apply
    assert rec.currency == "USD" and rec.rationale


def test_savings_plan_matches_brute_force_over_levels():
    frame = usage_rows(n_base=3, n_busy=9)
    [rec] = run_sp(frame)
    hourly = frame.groupby("ChargePeriodStart")["EffectiveCost"].sum().to_numpy()
    levels = np.linspace(0, hourly.max(), 4001)
    costs = cost_curve(hourly, levels, 0.6, 1.0)
    best = levels[int(np.argmin(costs))]
    assert rec.proposed.on_demand_equivalent_per_hour == pytest.approx(best, abs=hourly.max() / 4000)


def test_existing_commitments_are_subtracted_first():
    [rec] = run_sp(usage_rows(committed=4))
    assert rec.proposed.on_demand_equivalent_per_hour == pytest.approx(6 * 0.2)
    assert rec.evidence.facts["existing_commitment_cost_in_window"] > 0


def test_fully_committed_usage_gives_nothing():
    assert run_sp(usage_rows(n_base=4, n_busy=0, committed=4)) == []


@pytest.mark.parametrize("frame, kwargs, reason", [
    (usage_rows(period_h=24), {}, "not hourly"),
    (usage_rows(hours=48), {}, "only 48 hours"),
    (usage_rows(skip_hours=set(range(0, HOURS, 3))), {}, "gaps"),
    (pd.concat([usage_rows(), usage_rows().head(500)]), {}, "duplicates"),
    (usage_rows(type_="zz9.mega"), {}, "no 1y commitment price"),
    (pd.concat([usage_rows(), usage_rows(currency="EUR").head(50)]), {}, "currencies"),
])
def test_savings_plan_skips_bad_input_with_a_reason(frame, kwargs, reason):
    out = run_sp(frame, **kwargs)
    assert out and all(isinstance(o, Skip) for o in out)
    assert reason in out[0].reason


@pytest.mark.parametrize("params, key, value", [(defaults.SavingsPlan, "term", "5y"), (defaults.SavingsPlan, "payment", "monthly"),
                                                (defaults.ReservedInstances, "term", "2y")])
def test_commitment_parameters_outside_their_choices_cannot_be_built(params, key, value):
    with pytest.raises(ValueError, match=f"{key} must be one of"):
        params(**{key: value})


def test_the_commitment_choices_are_the_terms_and_payments_the_math_prices():
    for params in (defaults.SavingsPlan, defaults.ReservedInstances):
        assert set(params.CHOICES["term"]) == set(TERM_MONTHS)
        assert set(params.CHOICES["payment"]) == set(UPFRONT_SHARE)


def test_savings_plan_without_catalog_skips():
    [skip] = run_sp(usage_rows(), catalog=None)
    assert isinstance(skip, Skip) and "catalog" in skip.reason


def test_savings_plan_ignores_spot_usage():
    frame = usage_rows()
    frame["PricingCategory"] = "Dynamic"
    assert run_sp(frame) == []


def test_three_year_term_saves_more_and_breaks_even_later():
    [one] = run_sp(usage_rows())
    [three] = run_sp(usage_rows(), term="3y")
    assert three.monthly_savings > one.monthly_savings
    assert three.evidence.facts["break_even_month"] > one.evidence.facts["break_even_month"]
    assert three.id != one.id


# --- reserved instances -------------------------------------------------------------------


def fleet(reserved=1, busy=2, always=3, days=14, type_="m5.xlarge"):
    resources, metrics = [], []
    hours = days * 24
    on = np.ones(hours) * 30.0
    office = np.array([30.0 if 9 <= (h % 24) < 17 else np.nan for h in range(hours)])
    for i in range(always):
        resources.append(make_resource(f"i-a{i}", type=type_))
        metrics.append(make_series(f"i-a{i}", "cpu", on, period_s=3600))
    for i in range(reserved):
        resources.append(make_resource(f"i-r{i}", type=type_, pricing_model="reserved"))
        metrics.append(make_series(f"i-r{i}", "cpu", on, period_s=3600))
    for i in range(busy):
        resources.append(make_resource(f"i-b{i}", type=type_))
        metrics.append(make_series(f"i-b{i}", "cpu", office, period_s=3600))
    window = make_window(days=days, end=T0 + timedelta(days=days))
    return make_snapshot(resources, metrics, window=window)


def test_reserved_instances_from_running_hours_after_existing_reservations():
    [rec] = reserved_instances(fleet(), tiny_catalog(), defaults.ReservedInstances())
    # 3 on demand + 1 reserved always, +2 office hours; minus 1 reserved -> 3 / 5; r = 0.6 -> 3.
    assert rec.proposed.count == 3
    assert rec.monthly_savings == pytest.approx(3 * (0.20 - 0.12) * 730)
    assert rec.alternative_group == "commit:aws:111111111111:us-east-1:m5.xlarge"
    assert "purchase-reserved-instances-offering --instance-count 3" in rec.apply


def test_reserved_instances_skip_when_billing_has_hourly_compute():
    snap = fleet()
    snap = make_snapshot(snap.resources, snap.metrics, window=snap.window,
                         billing=billing_table(usage_rows(hours=24)))
    assert list(reserved_instances(snap, tiny_catalog(), defaults.ReservedInstances())) == []


@pytest.mark.parametrize("snap, catalog, reason", [
    (fleet(type_="zz9.mega"), "tiny", "no on-demand price"),
    (fleet(), None, "no price catalog"),
    (fleet(days=3), "tiny", "hours with running instances"),
])
def test_reserved_instances_skip_reasons(snap, catalog, reason):
    out = list(reserved_instances(snap, tiny_catalog() if catalog == "tiny" else None, defaults.ReservedInstances()))
    assert out and isinstance(out[0], Skip) and reason in out[0].reason


def test_instances_without_metrics_are_skipped_not_guessed():
    snap = fleet()
    snap = make_snapshot(snap.resources + (make_resource("i-nometrics", type="m5.xlarge"),), snap.metrics, window=snap.window)
    out = list(reserved_instances(snap, tiny_catalog(), defaults.ReservedInstances()))
    skips = [o for o in out if isinstance(o, Skip)]
    recs = [o for o in out if isinstance(o, Recommendation)]
    assert [s.resource_id for s in skips] == ["i-nometrics"]
    assert recs[0].proposed.count == 3


def test_spot_and_all_reserved_fleets_give_nothing():
    assert list(reserved_instances(fleet(reserved=3, busy=0, always=0), tiny_catalog(),
                                   defaults.ReservedInstances())) == []


def test_engine_runs_one_commitment_sizing_per_provider_never_both():
    from costopt.config import Settings
    from costopt.rules.engine import run_rules

    snap = fleet()
    with_billing = make_snapshot(snap.resources, snap.metrics, window=make_window(days=21, end=T0 + timedelta(hours=HOURS)),
                                 billing=billing_table(usage_rows()))
    only = ["commitments.savings_plan", "commitments.reserved_instances"]
    run = run_rules(with_billing, tiny_catalog(), Settings(), only=only)
    assert [r.rule_id for r in run.candidates] == ["commitments.savings_plan"]
    run = run_rules(snap, tiny_catalog(), Settings(), only=only)
    assert [r.rule_id for r in run.candidates] == ["commitments.reserved_instances"]


def test_group_whose_members_are_listed_is_not_reserved_twice():
    snap = fleet()
    asg = make_resource("asg-1", kind="autoscaling_group", type="m5.xlarge", count=3,
                        attributes={"members_priced_separately": True})
    snap2 = make_snapshot(snap.resources + (asg,), snap.metrics + (make_series("asg-1", "cpu", np.full(14 * 24, 30.0),
                                                                               period_s=3600),), window=snap.window)
    [a] = reserved_instances(snap, tiny_catalog(), defaults.ReservedInstances())
    [b] = reserved_instances(snap2, tiny_catalog(), defaults.ReservedInstances())
    assert a.proposed.count == b.proposed.count == 3


@settings(max_examples=15, deadline=None)
@given(st.lists(st.floats(0.0, 20.0, allow_nan=False), min_size=24, max_size=120))
def test_savings_plan_rule_equals_brute_force_on_random_hourly_spend(hourly):
    frame = pd.DataFrame([{
        "ProviderName": "AWS", "BillingAccountId": "1", "BillingCurrency": "USD",
        "ChargePeriodStart": T0 + timedelta(hours=h), "ChargePeriodEnd": T0 + timedelta(hours=h + 1),
        "ChargeCategory": "Usage", "ServiceCategory": "Compute", "RegionId": "us-east-1",
        "ResourceId": f"i-{h}", "x_UsageType": "BoxUsage:m5.xlarge", "PricingCategory": "Standard",
        "BilledCost": u, "EffectiveCost": u} for h, u in enumerate(hourly)])
    snap = make_snapshot(billing=billing_table(frame), window=make_window(days=len(hourly) / 24, end=T0 + timedelta(
        hours=len(hourly))))
    out = list(savings_plan(snap, tiny_catalog(), defaults.SavingsPlan(min_hours=24, min_coverage_hours=0.0,
                                                                       min_monthly_savings=0.0)))
    u = np.asarray(hourly)
    levels = np.unique(np.concatenate([u, [0.0]]))
    costs = cost_curve(u, levels, 0.6, 1.0)
    brute_saving = (u.sum() - costs.min()) * 730 / u.size
    if not out:
        assert brute_saving <= 1e-9  # nothing to commit to: the brute force agrees
        return
    [rec] = out
    assert rec.monthly_savings >= 0
    assert rec.monthly_savings == pytest.approx(brute_saving, rel=1e-9, abs=1e-9)


def test_a_few_identical_lines_are_tolerated_and_reported():
    [rec] = run_sp(pd.concat([usage_rows(), usage_rows().head(3)]))
    assert isinstance(rec, Recommendation) and rec.evidence.facts["identical_usage_rows"] == 3


def test_interruptible_usage_is_left_to_spot_not_committed():
    # i-0..i-3 of the always-on base are training instances tagged interruptible: spot.* prices them.
    inventory = [make_resource(f"i-{k}", type="m5.xlarge", workload="training",
                               tags={"costopt:interruptible": "true"}) for k in range(4)]
    snap = make_snapshot(inventory, billing=billing_table(usage_rows()),
                         window=make_window(days=21, end=T0 + timedelta(hours=HOURS)))
    [rec] = savings_plan(snap, tiny_catalog(), defaults.SavingsPlan())
    assert rec.proposed.on_demand_equivalent_per_hour == pytest.approx(6 * 0.2)
    assert rec.evidence.facts["left_to_spot_resources"] == 4
    # Tagged false, a training instance is steady base load again.
    pinned = [make_resource(r.id, type="m5.xlarge", workload="training", tags={"costopt:interruptible": "false"})
              for r in inventory]
    snap = make_snapshot(pinned, billing=snap.billing, window=snap.window)
    [rec] = savings_plan(snap, tiny_catalog(), defaults.SavingsPlan())
    assert rec.proposed.on_demand_equivalent_per_hour == pytest.approx(10 * 0.2)


def test_reservations_skip_spot_candidates():
    snap = fleet()
    batch = [make_resource(r.id, type=r.type, pricing_model=r.pricing_model,
                           workload="batch" if r.id.startswith("i-a") else None) for r in snap.resources]
    # Without the three always-on batch instances: 1 reserved always + 2 in office hours, minus the
    # reservation -> 0 at night, 2 for a third of the hours (< r = 0.6): nothing more to reserve.
    assert list(reserved_instances(make_snapshot(batch, snap.metrics, window=snap.window), tiny_catalog(),
                                   defaults.ReservedInstances())) == []
