"""Properties of the prediction: more load or fewer servers never lowers the p95, and a model
that fits what is observed is never scaled by the observed / model ratio."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costopt.tradeoff.capacity import Hardware
from costopt.tradeoff.ggc import GGc, ServiceTime
from costopt.tradeoff.latency import MMc
from costopt.tradeoff.load import Observed
from costopt.tradeoff.params import DEFAULT_PARAMS
from costopt.tradeoff.predict import Setup, predict_latency
from costopt.tradeoff.targets import Workload

GPU = Hardware("ml.g4dn.xlarge", 4, 1, 65.0)
WL = Workload("w", kind="inference", latency_targets_ms={0.95: 100.0})


def observed(peak_rps, service, busy_p95=None):
    busy = {} if busy_p95 is None else {"p95": busy_p95}
    return Observed("r", hourly_requests=np.full(48, peak_rps * 3600.0), peak_rps=peak_rps, mean_rps=peak_rps,
                    service_ms=service, busy_latency_ms=busy, busy_rps=peak_rps if busy else None,
                    latency_points=100)


def p95_after(obs, before_count, after_count, workload=WL):
    impacts, checks = predict_latency(obs, workload, Setup(GPU, before_count), Setup(GPU, after_count), DEFAULT_PARAMS)
    value = impacts.get("p95_ms_after")
    return math.inf if value is None else value, checks


@settings(max_examples=60, deadline=None)
@given(rho=st.floats(0.05, 0.9), count=st.integers(2, 12), service=st.floats(2.0, 60.0),
       removed=st.integers(1, 6), cv=st.sampled_from([0.0, 0.1, 0.5, 1.0, 1.5]))
def test_removing_servers_never_lowers_predicted_p95(rho, count, service, removed, cv):
    peak = rho * count / service * 1000.0
    wl = Workload("w", kind="inference", latency_targets_ms={0.95: 100.0}, service_cv=cv)
    same, _ = p95_after(observed(peak, service), count, count, wl)
    fewer, checks = p95_after(observed(peak, service), count, max(1, count - removed), wl)
    assert fewer >= same * (1 - 1e-9)
    if math.isinf(fewer):
        assert any(c.status == "breach" for c in checks)


@settings(max_examples=60, deadline=None)
@given(rho=st.floats(0.05, 0.9), count=st.integers(2, 12), service=st.floats(2.0, 60.0), growth=st.floats(0.0, 1.0),
       ratio=st.floats(0.81, 1.24))  # inside the fit range, off its float edges
def test_more_load_never_lowers_predicted_p95_and_a_fit_is_not_scaled(rho, count, service, growth, ratio):
    # observations the model explains within the goodness-of-fit range
    def consistent(peak):
        model_now = MMc(peak / 1000.0, service, count).response_quantile(0.95)
        return observed(peak, service, ratio * model_now)

    base = rho * count / service * 1000.0
    lo, _ = p95_after(consistent(base), count, count - 1)
    hi, _ = p95_after(consistent(base * (1 + growth)), count, count - 1)
    assert hi >= lo * (1 - 1e-9)
    if math.isfinite(lo):
        impacts, _ = predict_latency(consistent(base), WL, Setup(GPU, count), Setup(GPU, count - 1), DEFAULT_PARAMS)
        assert impacts["fit_ratio"] == pytest.approx(ratio, rel=3e-3)
        unscaled = MMc(base / 1000.0, service, count - 1).response_quantile(0.95)
        assert impacts["p95_ms_after"] == pytest.approx(unscaled, rel=3e-3)


@settings(max_examples=80, deadline=None)
@given(rho=st.floats(0.02, 0.95), servers=st.integers(1, 24), growth=st.floats(0.0, 0.5),
       cv=st.sampled_from([0.0, 0.1, 0.3, 0.5, 1.0, 1.5]), q=st.sampled_from([0.5, 0.95, 0.99]))
def test_ggc_quantiles_grow_with_load_and_shrink_with_servers(rho, servers, growth, cv, q):
    st_ = ServiceTime(10.0, cv, "exponential" if cv == 1.0 else "lognormal")
    lam = rho * servers / 10.0
    base = GGc(lam, st_, servers).response_quantile(q)
    assert GGc(min(lam * (1 + growth), 0.999 * servers / 10.0), st_, servers).response_quantile(q) >= base * (1 - 1e-6)
    assert GGc(lam, st_, servers + 1).response_quantile(q) <= base * (1 + 1e-6)
