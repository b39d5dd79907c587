"""Properties of the calibrated prediction: more load or fewer servers never lowers the p95."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costopt.tradeoff.capacity import Hardware
from costopt.tradeoff.latency import MMc
from costopt.tradeoff.load import Observed
from costopt.tradeoff.params import DEFAULT_PARAMS
from costopt.tradeoff.predict import Setup, predict_latency
from costopt.tradeoff.targets import Workload

GPU = Hardware("ml.g4dn.xlarge", 4, 1, 65.0)
WL = Workload("w", kind="inference", latency_targets_ms={0.95: 100.0})


def observed(peak_rps, service, busy_p95):
    return Observed("r", hourly_requests=np.full(48, peak_rps * 3600.0), peak_rps=peak_rps, mean_rps=peak_rps,
                    service_ms=service, busy_latency_ms={0.95: busy_p95, 0.99: busy_p95 * 1.5}, latency_points=100)


def p95_after(obs, before_count, after_count):
    impacts, checks = predict_latency(obs, WL, Setup(GPU, before_count), Setup(GPU, after_count), DEFAULT_PARAMS)
    value = impacts.get("p95_ms_after")
    return math.inf if value is None else value, checks


@settings(max_examples=60, deadline=None)
@given(rho=st.floats(0.05, 0.9), count=st.integers(2, 12), service=st.floats(2.0, 60.0),
       ratio=st.floats(0.5, 2.0), removed=st.integers(1, 6))
def test_removing_servers_never_lowers_predicted_p95(rho, count, service, ratio, removed):
    peak = rho * count / service * 1000.0
    obs = observed(peak, service, 3.0 * service * ratio)
    same, _ = p95_after(obs, count, count)
    fewer, checks = p95_after(obs, count, max(1, count - removed))
    assert fewer >= same * (1 - 1e-9)
    if math.isinf(fewer):
        assert any(c.status == "breach" for c in checks)


@settings(max_examples=60, deadline=None)
@given(rho=st.floats(0.05, 0.9), count=st.integers(2, 12), service=st.floats(2.0, 60.0), growth=st.floats(0.0, 1.0),
       ratio=st.floats(0.5, 2.0))
def test_more_load_never_lowers_predicted_p95(rho, count, service, growth, ratio):
    # observations that the model explains up to a constant factor (the calibration ratio)
    def consistent(peak):
        model_now = MMc(peak / 1000.0, service, count).response_quantile(0.95)
        return observed(peak, service, ratio * model_now)

    base = rho * count / service * 1000.0
    lo, _ = p95_after(consistent(base), count, count - 1)
    hi, _ = p95_after(consistent(base * (1 + growth)), count, count - 1)
    assert hi >= lo * (1 - 1e-9)
    if math.isfinite(lo):
        impacts, _ = predict_latency(consistent(base), WL, Setup(GPU, count), Setup(GPU, count - 1), DEFAULT_PARAMS)
        assert impacts["calibration_ratio"] == pytest.approx(ratio)
