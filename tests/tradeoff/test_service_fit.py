"""Service variability from config or from observed percentiles drives the G/G/c prediction,
checked against the independent simulation (a GPU fleet with near-constant service times)."""

from __future__ import annotations

import numpy as np
import pytest

from costopt.config import Settings
from costopt.tradeoff.assess import assess
from costopt.tradeoff.load import observe
from costopt.tradeoff.params import DEFAULT_PARAMS
from tests.conftest import make_series
from tests.tradeoff import estate
from tests.tradeoff.queue_sim import Queue, response_times

SERVICE_MS, CV = 40.0, 0.1  # a GPU model: 40 ms per request, nearly constant


def simulated(rps: float, servers: int, arrivals: int = 6000) -> np.ndarray:
    """p50 and p95 (ms) of the simulated queue at ``rps``."""
    t = response_times([Queue(rps * SERVICE_MS / 1000.0, servers, "lognormal", CV)], reps=40, arrivals=arrivals,
                       warmup=arrivals // 5, seed=int(rps * 10) + servers)[0]
    return np.quantile(t, [0.5, 0.95]) * SERVICE_MS


def gpu_fleet():
    """4 x 1 GPU at 45 req/s peak (utilisation 0.45) with request p50/p95 metrics from the
    simulation: night (5 req/s) and busy-hour values, interpolated in between."""
    rps = estate.diurnal_rps(high=45.0, low=5.0)
    res, requests = estate.serving("ranker", "ml.g4dn.xlarge", 4, rps, np.zeros(rps.size))
    requests = [m for m in requests if m.metric == "requests"]
    hourly = observe(requests, ["ranker"], DEFAULT_PARAMS)["ranker"].hourly_requests
    busy_rps = float(hourly[hourly >= np.quantile(hourly, DEFAULT_PARAMS.busy_hour_quantile)].mean()) / 3600.0
    night, busy = simulated(5.0, 4), simulated(busy_rps, 4)
    share = (rps - 5.0) / (busy_rps - 5.0)
    series = [make_series("ranker", "latency_ms", night[i] + (busy[i] - night[i]) * share, unit="Milliseconds", stat=stat)
              for i, stat in enumerate(("p50", "p95"))]
    return res, requests + series


def test_fitted_variability_predicts_a_capacity_cut_within_ten_percent_of_simulation():
    res, metrics = gpu_fleet()
    settings = Settings(workloads={"ranker": {"resources": ["ranker"], "latency_p95_ms": 100}})
    cut = estate.candidate(res, "rightsizing.endpoint_count", "run 2", {"count": 2}, 500.0)
    rec = assess([cut], estate.snapshot([res], metrics), settings, estate.catalog())[0]
    assert rec.impacts.service_cv_basis == "fitted (p50 and p95 at low load)"
    assert rec.impacts.service_cv == pytest.approx(CV, abs=0.05)
    assert rec.impacts.service_ms_before == pytest.approx(SERVICE_MS, rel=0.03)
    assert rec.impacts.fit_statistic == "p95 (CloudWatch extended statistic)" and 0.9 < rec.impacts.fit_ratio < 1.1
    truth = simulated(rec.impacts.peak_rps, 2, arrivals=20000)[1]
    assert rec.impacts.p95_ms_after == pytest.approx(truth, rel=0.10)
    assert rec.slo.status == ("breach" if truth > 100 else "ok")
    # the cautious default (cv 1, M/M/c) over-predicts the same cut by far and no longer fits
    # the observed p95 of today's fleet
    loose = Settings(workloads={"ranker": {"resources": ["ranker"], "latency_p95_ms": 100, "service_cv": 1.0}})
    mm = assess([cut], estate.snapshot([res], metrics), loose, estate.catalog())[0]
    assert mm.impacts.service_cv_basis == "config"
    assert mm.slo.status == "unknown" and "does not fit what is observed" in mm.slo.reasons[0]
