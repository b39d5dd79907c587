"""Bisection for the quantile and decay-rate searches of the queueing models (:mod:`latency`, :mod:`ggc`).

``above(x)`` says whether the root lies above ``x`` (a survival function still above the tail
probability, a function still below zero): bisection keeps ``lo`` where it holds and ``hi``
where it does not, halving until ``hi - lo <= rel_tol * hi``, and answers the midpoint.
"""

from __future__ import annotations

import math
from collections.abc import Callable


def bracket(above: Callable[[float], bool], lo: float, hi: float, cap: float) -> tuple[float, float]:
    """Double ``hi`` (moving ``lo`` up to the old ``hi``) until the root is below it; ``hi`` is
    inf when it passes ``cap`` first (an unbounded answer)."""
    while above(hi):
        lo, hi = hi, hi * 2.0
        if hi > cap:
            return lo, math.inf
    return lo, hi


def bisect(above: Callable[[float], bool], lo: float, hi: float, rel_tol: float, steps: int = 200) -> float:
    """The root between ``lo`` and ``hi`` to ``rel_tol`` (at most ``steps`` halvings)."""
    for _ in range(steps):
        mid = 0.5 * (lo + hi)
        if above(mid):
            lo = mid
        else:
            hi = mid
        if hi - lo <= rel_tol * hi:
            break
    return 0.5 * (lo + hi)
