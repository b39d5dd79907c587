"""An independent discrete-event simulation of FCFS multi-server queues (a test oracle).

Every queue to simulate is a row, and each row runs ``reps`` independent replications side by
side (numpy, one step per arrival for all rows at once). A row's ``free`` vector holds the
times each of its servers next becomes free (rows with fewer servers pad with +inf, which
is never the earliest). Each Poisson arrival takes the server that frees up first, starts at
``max(arrival, that time)`` and holds it for its own service time. Replications start empty;
the first ``warmup`` arrivals of each are dropped. Nothing here uses costopt's formulas: the
only shared facts are the distributions' definitions (mean 1 service time).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np


class Queue(NamedTuple):
    lam: float  # arrivals per unit of mean service time
    servers: int
    service: str  # exponential | deterministic | lognormal
    cv: float = 1.0


def _service_times(rng: np.random.Generator, queue: Queue, shape: tuple[int, int]) -> np.ndarray:
    if queue.service == "exponential":
        return rng.exponential(1.0, size=shape)
    if queue.service == "deterministic":
        return np.ones(shape)
    if queue.service == "lognormal":
        sigma2 = np.log1p(queue.cv ** 2)
        return rng.lognormal(-sigma2 / 2.0, np.sqrt(sigma2), size=shape)
    raise ValueError(queue.service)


def response_times(queues: Sequence[Queue], *, reps: int | Sequence[int] = 60, arrivals: int = 8000,
                   warmup: int = 2000, seed: int = 0) -> list[np.ndarray]:
    """Response times of each queue (pooled over its replications, warm-up dropped); ``reps``
    may differ per queue."""
    rng = np.random.default_rng(seed)
    counts = [reps] * len(queues) if isinstance(reps, int) else list(reps)
    edges = np.concatenate(([0], np.cumsum(counts)))
    width = max(q.servers for q in queues)
    rows = int(edges[-1])
    lam = np.repeat([q.lam for q in queues], counts)
    free = np.zeros((rows, width))
    for i, q in enumerate(queues):
        free[edges[i]:edges[i + 1], q.servers:] = np.inf
    work = np.concatenate([_service_times(rng, q, (arrivals, n)) for q, n in zip(queues, counts)], axis=1)
    clock = np.cumsum(rng.exponential(1.0, size=(arrivals, rows)), axis=0) / lam
    base = np.arange(rows) * width
    flat = free.ravel()  # a view: writes go to ``free``
    out = np.empty((arrivals, rows))
    for n in range(arrivals):
        at = base + free.argmin(axis=1)
        start = np.maximum(clock[n], flat[at])
        flat[at] = start + work[n]
        out[n] = start
    out += work - clock
    kept = out[warmup:]
    return [kept[:, edges[i]:edges[i + 1]].ravel() for i in range(len(queues))]
