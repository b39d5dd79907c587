"""Root finding for the quantile and decay-rate searches of the queueing models (:mod:`latency`, :mod:`ggc`).

``above(x)`` says whether the root lies above ``x`` (a survival function still above the tail
probability, a function still below zero): :func:`bisect` keeps ``lo`` where it holds and ``hi``
where it does not, halving until ``hi - lo <= rel_tol * hi``, and answers the midpoint.

:func:`solve` finds the same root from a signed function (``gap(x) > 0`` where the root lies
above ``x``) by the Illinois variant of regula falsi: the secant through the bracket's ends, the
end kept twice in a row having its value halved, so both ends converge (superlinearly, ~6-10
evaluations instead of ~35-45 halvings). A step that is not finite or leaves the bracket, or
two steps that do not halve it, fall back to a halving, so it never does worse than bisection
by more than a constant factor. Same stopping rule and answer (the final bracket's midpoint).
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


def solve(gap: Callable[[float], float], lo: float, hi: float, rel_tol: float, steps: int = 200) -> float:
    """The root of ``gap`` between ``lo`` (``gap > 0``, or unknown) and ``hi`` (``gap <= 0``)
    to ``rel_tol``: Illinois steps, halvings when they stall (at most ``steps`` evaluations)."""
    g_lo, g_hi = gap(lo), gap(hi)
    if not g_lo > 0:  # the caller's lo was only a lower bound on the root: nothing to interpolate
        g_lo = math.nan
    side = 0  # the end moved last: -1 lo, +1 hi
    width = hi - lo
    slow = 0
    for _ in range(steps):
        if hi - lo <= rel_tol * hi:
            break
        x = math.nan
        if slow < 2 and math.isfinite(g_lo) and math.isfinite(g_hi) and g_lo != g_hi:
            x = hi - g_hi * (hi - lo) / (g_hi - g_lo)
        if not lo < x < hi:
            x, slow = 0.5 * (lo + hi), 0
        g = gap(x)
        if g == 0.0:
            return x
        if g > 0:
            lo, g_lo = x, g
            if side == -1:
                g_hi *= 0.5
            side = -1
        else:
            hi, g_hi = x, g
            if side == 1:
                g_lo *= 0.5
            side = 1
        slow = slow + 1 if hi - lo > 0.5 * width else 0
        width = hi - lo
    return 0.5 * (lo + hi)
