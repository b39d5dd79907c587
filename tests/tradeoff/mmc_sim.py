"""A small discrete-event simulation of an M/M/c FCFS queue, to check the analytic model.

Arrivals are Poisson, service times exponential, and each arrival starts on the server
that frees up first (first come, first served), so its start time is
``max(arrival, earliest free time)``. Seeded, so a test run is deterministic. Used by the
tests only; the audit uses costopt.tradeoff.ggc and costopt.tradeoff.latency.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SimResult:
    waits: np.ndarray
    responses: np.ndarray

    def quantile(self, q: float) -> float:
        return float(np.quantile(self.responses, q))

    @property
    def p_wait(self) -> float:
        return float(np.mean(self.waits > 0))

    @property
    def mean_wait(self) -> float:
        return float(np.mean(self.waits))


def simulate_mmc(lam: float, service: float, servers: int, arrivals: int = 30_000, *,
                 warmup: int = 2_000, seed: int = 0) -> SimResult:
    """Simulate ``arrivals`` customers; the first ``warmup`` are dropped from the result."""
    if lam <= 0 or service <= 0 or servers < 1:
        raise ValueError("need lam > 0, service > 0 and servers >= 1")
    rng = np.random.default_rng(seed)
    arrive = np.cumsum(rng.exponential(1.0 / lam, size=arrivals))
    work = rng.exponential(service, size=arrivals)
    free = [0.0] * servers  # heap of the times each server becomes free
    heapq.heapify(free)
    waits = np.empty(arrivals)
    for i in range(arrivals):
        earliest = free[0]
        start = arrive[i] if arrive[i] > earliest else earliest
        waits[i] = start - arrive[i]
        heapq.heapreplace(free, start + work[i])
    waits = waits[warmup:]
    return SimResult(waits=waits, responses=waits + work[warmup:])
