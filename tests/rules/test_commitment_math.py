"""The commitment optimum (a quantile) against brute force, and the plan's accounting."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costopt.rules.commitment_math import (
    commitment_cost,
    cost_curve,
    optimal_level,
    plan,
    weekly_savings_range,
)

usage_lists = st.lists(st.floats(0, 50, allow_nan=False, allow_infinity=False), min_size=1, max_size=200)
ratios = st.floats(0.05, 1.2)


@settings(max_examples=150, deadline=None)
@given(usage_lists, ratios)
def test_quantile_optimum_equals_brute_force_minimum(usage, r):
    u = np.asarray(usage)
    p_od = 1.0
    p_commit = r * p_od
    c = optimal_level(u, p_commit, p_od)
    # Brute force over a fine grid of every level from 0 to max plus all observed values.
    grid = np.unique(np.concatenate([np.linspace(0, u.max(), 2001), u, [0.0]]))
    brute = cost_curve(u, grid, p_commit, p_od).min()
    assert commitment_cost(u, c, p_commit, p_od) <= brute + 1e-9 * max(1.0, brute)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=1, max_size=300), ratios)
def test_whole_unit_optimum_equals_brute_force_over_all_integer_levels(usage, r):
    u = np.asarray(usage, dtype=float)
    c = optimal_level(u, r * 0.5, 0.5, step=1)
    assert c == int(c)
    levels = np.arange(0, u.max() + 2)
    costs = cost_curve(u, levels, r * 0.5, 0.5)
    assert commitment_cost(u, c, r * 0.5, 0.5) == pytest.approx(costs.min(), rel=1e-12, abs=1e-9)


@settings(max_examples=150, deadline=None)
@given(usage_lists, ratios, st.sampled_from(["1y", "3y"]),
       st.sampled_from(["all_upfront", "partial_upfront", "no_upfront"]))
def test_savings_at_the_optimum_are_never_negative(usage, r, term, payment):
    c = optimal_level(usage, r, 1.0)
    p = plan(usage, c, r, 1.0, term=term, payment=payment)
    assert p.savings_monthly >= -1e-9
    assert 0.0 <= p.coverage <= 1.0 + 1e-12
    assert 0.0 <= p.utilisation <= 1.0 + 1e-12


@given(usage_lists, st.floats(0, 60))
def test_cost_curve_matches_direct_cost(usage, level):
    assert cost_curve(usage, [level], 0.6, 1.0)[0] == pytest.approx(commitment_cost(usage, level, 0.6, 1.0))


def test_quantile_of_a_daily_cycle():
    # 10 instances for 8 hours a day, 4 otherwise; commit price 60% of on-demand.
    day = [10] * 8 + [4] * 16
    u = np.array(day * 14, dtype=float)
    # At c = 4 the share of hours above c is 1/3 < 0.6: committing more than 4 does not pay.
    assert optimal_level(u, 0.6, 1.0, step=1) == 4
    # With a 70% discount (r = 0.3) the 8 busy hours (1/3 > 0.3) justify committing to 10.
    assert optimal_level(u, 0.3, 1.0, step=1) == 10


def test_never_commit_when_commitment_is_not_cheaper():
    assert optimal_level([5, 5, 5], 1.0, 1.0) == 0.0
    assert optimal_level([5, 5, 5], 1.1, 1.0) == 0.0


def test_plan_numbers_for_flat_usage():
    u = np.full(730, 4.0)
    p = plan(u, 4, 0.6, 1.0, term="1y", payment="all_upfront")
    assert p.on_demand_monthly == pytest.approx(4 * 730)
    assert p.with_commit_monthly == pytest.approx(4 * 0.6 * 730)
    assert p.savings_monthly == pytest.approx(4 * 0.4 * 730)
    assert p.coverage == pytest.approx(1.0) and p.utilisation == pytest.approx(1.0)
    # Upfront = 12 months of fee = 12 * 0.6 * 2920; monthly benefit = 2920 -> month ceil(7.2) = 8.
    assert p.upfront == pytest.approx(12 * 0.6 * 2920)
    assert p.break_even_month == math.ceil(12 * 0.6)
    no_up = plan(u, 4, 0.6, 1.0, payment="no_upfront")
    assert no_up.upfront == 0 and no_up.break_even_month == 1


def test_plan_never_breaks_even_when_mostly_unused():
    u = np.array([10.0] + [0.0] * 99)
    p = plan(u, 10, 0.6, 1.0)
    assert p.savings_monthly < 0
    assert p.break_even_month is None
    assert p.utilisation == pytest.approx(0.01)


def test_weekly_range_brackets_the_average():
    rng = np.random.default_rng(1)
    u = np.concatenate([rng.uniform(5, 10, 168), rng.uniform(8, 12, 168), rng.uniform(3, 6, 168)])
    c = optimal_level(u, 0.6, 1.0)
    low, high = weekly_savings_range(u, c, 0.6, 1.0)
    mid = plan(u, c, 0.6, 1.0).savings_monthly
    assert low <= mid <= high and low < high


@pytest.mark.parametrize("bad", [[], [1.0, -1.0], [np.nan], [[1.0, 2.0]]])
def test_bad_usage_is_rejected(bad):
    with pytest.raises(ValueError):
        optimal_level(bad, 0.5, 1.0)
