"""Erlang C / M/M/c maths: known values, M/M/1 reduction, stability, monotonicity."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costopt.tradeoff.latency import MMc, erlang_b, erlang_c, response_quantile


def erlang_c_exact(c: int, a: Fraction) -> Fraction:
    """Textbook formula in exact rational arithmetic (independent of the recursion)."""
    terms = sum(a ** k / math.factorial(k) for k in range(c))
    top = a ** c / math.factorial(c) * Fraction(c) / (c - a)
    return top / (terms + top)


@pytest.mark.parametrize("c,a", [(1, "1/2"), (2, "1"), (3, "2"), (5, "4"), (10, "8"), (12, "10"), (30, "27")])
def test_erlang_c_matches_exact_formula(c, a):
    exact = erlang_c_exact(c, Fraction(a))
    assert erlang_c(c, float(Fraction(a))) == pytest.approx(float(exact), rel=1e-12)


def test_tabulated_values():
    # Classic values: 2 servers at 1 Erlang wait with probability 1/3; 10 Erlangs on 11 agents ~ 0.6821
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert erlang_c(11, 10.0) == pytest.approx(0.6821, abs=5e-4)
    # Erlang B: 1 Erlang on 1 line blocks half the calls
    assert erlang_b(1, 1.0) == pytest.approx(0.5)


def test_large_server_counts_are_stable():
    # a**c / c! overflows a float long before c = 2000; the recursion must not
    value = erlang_c(2000, 1950.0)
    assert 0.0 < value < 1.0 and math.isfinite(value)
    assert erlang_c(2000, 1000.0) < 1e-12


@pytest.mark.parametrize("rho", [0.1, 0.5, 0.8, 0.95])
def test_mm1_reduction(rho):
    q = MMc(lam=rho, service=1.0, servers=1)
    assert q.p_wait == pytest.approx(rho)
    assert q.mean_wait == pytest.approx(rho / (1 - rho))
    # M/M/1 response time is Exp(mu - lambda): quantile = -ln(1 - p) / (mu - lambda)
    for p in (0.5, 0.95, 0.99):
        assert q.response_quantile(p) == pytest.approx(-math.log(1 - p) / (1 - rho), rel=1e-9)
    # waiting time given a wait is Exp(mu - lambda)
    assert q.wait_survival(2.0) == pytest.approx(rho * math.exp(-(1 - rho) * 2.0))


def test_response_survival_when_theta_equals_mu():
    # c*mu - lambda == mu  (c=2, lambda=1, mu=1): the g(t) = t branch
    q = MMc(lam=1.0, service=1.0, servers=2)
    t = 3.0
    expected = math.exp(-t) * (1 + q.p_wait * t)
    assert q.response_survival(t) == pytest.approx(expected, rel=1e-12)
    near = MMc(lam=1.0 + 1e-9, service=1.0, servers=2)
    assert near.response_survival(t) == pytest.approx(expected, rel=1e-6)


def test_unstable_queue_is_unbounded():
    q = MMc(lam=4.0, service=1.0, servers=4)
    assert not q.stable
    assert q.response_quantile(0.95) == math.inf
    assert q.mean_wait == math.inf
    assert erlang_c(3, 5.0) == 1.0


def test_low_load_p95_is_service_p95():
    # almost no queueing: p95 of Exp(mean S) = S ln 20
    assert response_quantile(1e-9, 10.0, 4, 0.95) == pytest.approx(10.0 * math.log(20), rel=1e-6)


def test_invalid_inputs():
    with pytest.raises(ValueError):
        MMc(1.0, 0.0, 1)
    with pytest.raises(ValueError):
        MMc(1.0, 1.0, 0)
    with pytest.raises(ValueError):
        MMc(1.0, 1.0, 2).response_quantile(1.0)


loads = st.floats(min_value=0.01, max_value=0.98)
servers = st.integers(min_value=1, max_value=64)
service = st.floats(min_value=0.5, max_value=200.0)


@settings(max_examples=100, deadline=None)
@given(rho=loads, bump=st.floats(min_value=0.0, max_value=0.5), c=servers, s=service,
       q=st.sampled_from([0.5, 0.9, 0.95, 0.99]))
def test_quantile_never_decreases_when_load_grows(rho, bump, c, s, q):
    lam = rho * c / s
    more = lam * (1 + bump)
    a = response_quantile(lam, s, c, q)
    b = response_quantile(more, s, c, q)
    assert b >= a * (1 - 1e-9)


@settings(max_examples=100, deadline=None)
@given(rho=loads, c=st.integers(min_value=2, max_value=64), s=service, removed=st.integers(min_value=1, max_value=8),
       q=st.sampled_from([0.95, 0.99]))
def test_quantile_never_decreases_when_servers_are_removed(rho, c, s, removed, q):
    lam = rho * c / s
    fewer = max(1, c - removed)
    assert response_quantile(lam, s, fewer, q) >= response_quantile(lam, s, c, q) * (1 - 1e-9)


@settings(max_examples=100, deadline=None)
@given(rho=loads, c=servers, s=service)
def test_probabilities_and_ordering(rho, c, s):
    q = MMc(rho * c / s, s, c)
    assert 0.0 <= q.p_wait <= 1.0
    assert q.p_wait <= rho + 1e-9  # all busy implies any given server busy: P(wait) <= utilisation
    assert q.response_quantile(0.95) <= q.response_quantile(0.99)
    assert q.response_quantile(0.95) >= s * math.log(20) * (1 - 1e-9)  # waiting only adds
    # survival at the quantile is the tail mass
    t = q.response_quantile(0.95)
    assert q.response_survival(t) == pytest.approx(0.05, rel=1e-6)


def test_utilisation_within_rounding_of_one_is_unbounded_not_a_crash():
    # found by hypothesis: lam * S / c rounds below 1 while c / S - lam is exactly 0
    q = MMc(lam=0.13389121338912133, service=7.46875, servers=1)
    assert q.response_quantile(0.95) == math.inf or math.isfinite(q.response_quantile(0.95))
    assert MMc(lam=0.0106951871657754, service=93.5, servers=1).response_quantile(0.95) > 0


def test_survival_forms_agree_and_never_overflow():
    q = MMc(lam=0.9, service=1.0, servers=1)  # theta = 0.1 < mu = 1
    for t in (1.0, 50.0, 600.0, 5000.0):
        exact = math.exp(-(1 - 0.9) * t)  # M/M/1 response time is Exp(mu - lambda)
        assert q.response_survival(t) == pytest.approx(exact, rel=1e-9, abs=1e-300)
    nearly = MMc(lam=3.0 * (1 - 1e-15), service=1.0, servers=3)
    assert nearly.response_quantile(0.95) > 1e6  # huge or inf, but no OverflowError
