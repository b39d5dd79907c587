"""Hand-built inputs for the trade-off tests: a small catalog (the catalog's own classes, round
test prices) and serving resources whose metrics follow a known load."""

from __future__ import annotations

import math

import numpy as np

from costopt.catalog.catalog import Catalog
from costopt.catalog.model import InstanceSpec, Price, StorageTier
from costopt.model import Recommendation, recommendation_id
from costopt.records import Current, Proposal
from tests.conftest import make_resource, make_series, make_snapshot

SRC, AS_OF = "tests", "2026-11-01"
PERIOD = 300


def catalog() -> Catalog:
    cat = Catalog()
    for spec in (
        InstanceSpec("aws", "ml.g4dn.xlarge", "ml.g4dn", "xlarge", 4, 4, 16.0, 1, "T4", 16.0, gpu_tflops=65.0),
        InstanceSpec("aws", "ml.g4dn.2xlarge", "ml.g4dn", "2xlarge", 4, 8, 32.0, 1, "T4", 16.0, gpu_tflops=65.0),
        InstanceSpec("aws", "ml.g5.xlarge", "ml.g5", "xlarge", 5, 4, 16.0, 1, "A10G", 24.0, gpu_tflops=130.0),
        InstanceSpec("aws", "ml.c5.2xlarge", "ml.c5", "2xlarge", 5, 8, 16.0, relative_speed=1.0),
        InstanceSpec("aws", "c5.4xlarge", "c5", "4xlarge", 5, 16, 32.0, relative_speed=1.0),
        InstanceSpec("aws", "c5.2xlarge", "c5", "2xlarge", 5, 8, 16.0, relative_speed=1.0),
        InstanceSpec("aws", "g5.2xlarge", "g5", "2xlarge", 5, 8, 32.0, 1, "A10G", 24.0, gpu_tflops=70.0),
    ):
        cat.add_instance(spec)
    for type_, od in (("ml.g4dn.xlarge", 0.7), ("ml.g4dn.2xlarge", 0.9), ("ml.g5.xlarge", 1.4),
                      ("ml.c5.2xlarge", 0.4), ("c5.4xlarge", 0.68), ("c5.2xlarge", 0.34), ("g5.2xlarge", 1.2)):
        cat.add_price("aws", "us-east-1", type_, "on_demand", Price(od, "hour", "USD", SRC, AS_OF))
    cat.add_price("aws", "us-east-1", "g5.2xlarge", "spot", Price(0.48, "hour", "USD", SRC, AS_OF))
    cat.add_interruption_rate("aws", "us-east-1", "g5.2xlarge", 0.02)
    for tier in (
        StorageTier("aws", "us-east-1", "STANDARD", 0.023, 0.0, 0.005, 0.0004, 0.0, 0, 0, 100, source=SRC, as_of=AS_OF),
        StorageTier("aws", "us-east-1", "STANDARD_IA", 0.0125, 0.01, 0.01, 0.001, 0.01, 30, 128, 100, source=SRC, as_of=AS_OF),
        StorageTier("aws", "us-east-1", "DEEP_ARCHIVE", 0.00099, 0.02, 0.05, 0.0004, 0.05, 180, 40, 12 * 3600 * 1000.0,
                    source=SRC, as_of=AS_OF),
    ):
        cat.add_storage_tier(tier)
    return cat


def diurnal_rps(days: int = 14, low: float = 20.0, high: float = 200.0) -> np.ndarray:
    """Requests per second at each 5-minute point: low at night, high in the afternoon."""
    t = np.arange(days * 24 * 3600 // PERIOD) * PERIOD
    hour = (t % 86400) / 3600.0
    shape = np.clip(np.sin((hour - 6.0) / 12.0 * np.pi), 0.0, None)  # 0 before 06:00 / after 18:00
    return low + (high - low) * shape


def serving(resource_id: str, type_: str, count: int, rps: np.ndarray, latency_ms: np.ndarray, **kw):
    res = make_resource(resource_id, kind=kw.pop("kind", "endpoint"), type=type_, count=count, name=resource_id,
                        hourly_cost=kw.pop("hourly_cost", None), **kw)
    metrics = [make_series(resource_id, "requests", rps * PERIOD, unit="Count", stat="Sum"),
               make_series(resource_id, "latency_ms", latency_ms, unit="Milliseconds", stat="Average")]
    return res, metrics


def snapshot(resources, metrics):
    return make_snapshot(resources, metrics)


def candidate(resource, rule_id: str, action: str, proposed: dict, savings: float, **kw) -> Recommendation:
    current = kw.pop("current", {"type": resource.type, "count": resource.count})
    return Recommendation(id=recommendation_id(rule_id, resource.id, action), rule_id=rule_id,
                          resource_id=resource.id, action=action, provider=resource.provider,
                          account=resource.account, region=resource.region, resource_kind=resource.kind,
                          resource_name=resource.name, current=Current.of(current), proposed=Proposal.of(proposed),
                          monthly_savings=savings, monthly_cost_before=savings * 2,
                          monthly_cost_after=savings, savings_low=savings * 0.9, savings_high=savings * 1.1,
                          tags=dict(resource.tags), **kw)


FRAUD = {
    "workloads": {"fraud-detector": {"kind": "inference", "resources": ["fraud-detector"], "latency_p95_ms": 80,
                                     "min_accuracy": 0.955, "accuracy_metric": "AUC", "interruptible": False}},
    "models": {"fraud-detector": {"current": "fp32", "variants": {
        "fp32": {"accuracy": 0.962, "relative_compute": 1.0},
        "fp16": {"accuracy": 0.961, "relative_compute": 0.55},
        "int8": {"accuracy": 0.948, "relative_compute": 0.35}}}},
}


def mmc_mean_response(rps: np.ndarray, servers: int, service_ms: float) -> np.ndarray:
    """Mean response time (ms) of an M/M/c queue, textbook Erlang C (sum of a^k / k!)."""
    out = []
    for lam in np.asarray(rps, dtype=float) / 1000.0:
        a = lam * service_ms
        if a >= servers:
            out.append(np.inf)
            continue
        head = sum(a ** k / math.factorial(k) for k in range(servers))
        top = a ** servers / math.factorial(servers) * servers / (servers - a)
        out.append(service_ms + top / (head + top) / (servers / service_ms - lam))
    return np.array(out)


FRAUD_SERVICE_MS = 10.0


def fraud_estate(count=4, high=200.0, type_="ml.g4dn.xlarge"):
    """A fleet whose Average latency is what an M/M/c queue of ``count`` workers gives, plus noise."""
    rps = diurnal_rps(high=high)
    rng = np.random.default_rng(5)
    latency = mmc_mean_response(rps, count, FRAUD_SERVICE_MS) * rng.normal(1.0, 0.03, rps.size)
    res, metrics = serving("fraud-detector", type_, count, rps, latency, hourly_cost=0.7 * count)
    return res, metrics, snapshot([res], metrics)
