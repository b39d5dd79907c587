"""The maths of commitments (RIs, Savings Plans, CUDs, Azure reservations), pure numpy.

Committing ``c`` units per hour for ``H`` hours with hourly usage ``u_h`` costs

    cost(c) = c * p_commit * H + sum_h max(0, u_h - c) * p_od

(the commitment is paid whether used or not; usage above it is paid on demand). ``cost`` is
convex and piecewise linear in ``c``; its slope is ``p_commit * H - p_od * #{h : u_h > c}``,
so it is minimal where the share of hours with usage above ``c`` equals ``p_commit / p_od``:
``c*`` is the (1 - p_commit/p_od) quantile of hourly usage. On the empirical distribution
the exact minimiser is the order statistic ``u_(H - floor(H * r))`` (1-based, ascending),
``r = p_commit / p_od``; with a unit step (whole instances) the best of its floor and ceiling
on the step grid is taken, since a convex function's grid minimum brackets the real one.

Units: for RIs / resource CUDs a unit is one instance (or normalised instance) for one hour
and the prices are the hourly rates; for Savings Plans and spend-based CUDs a unit is one
currency unit per hour of on-demand-equivalent spend, with ``p_od = 1`` and
``p_commit = 1 - discount``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from costopt.model import HOURS_PER_MONTH

TERM_MONTHS = {"1y": 12, "3y": 36}
# The durations the clouds' APIs take: AWS Savings Plans and RI offerings are 365 x 24 h per year
# (1 y = 31,536,000 s; 3 y = 94,608,000 s); any other value matches no offering.
TERM_SECONDS = {"1y": 31_536_000, "3y": 94_608_000}
UPFRONT_SHARE = {"all_upfront": 1.0, "partial_upfront": 0.5, "no_upfront": 0.0}


def _usage(usage: ArrayLike) -> np.ndarray:
    u = np.asarray(usage, dtype=np.float64)
    if u.ndim != 1 or u.size == 0:
        raise ValueError("hourly usage must be a non-empty 1-d sequence")
    if not np.all(np.isfinite(u)) or np.any(u < 0):
        raise ValueError("hourly usage must be finite and non-negative")
    return u


def commitment_cost(usage: ArrayLike, level: float, p_commit: float, p_od: float) -> float:
    """Total cost over the hours of ``usage`` when ``level`` units are committed."""
    u = _usage(usage)
    return float(level * p_commit * u.size + np.maximum(u - level, 0.0).sum() * p_od)


def cost_curve(usage: ArrayLike, levels: ArrayLike, p_commit: float, p_od: float) -> np.ndarray:
    """cost(c) for every c in ``levels`` (vectorised; used for plots and brute-force checks)."""
    u = np.sort(_usage(usage))
    c = np.asarray(levels, dtype=np.float64)
    # sum_h max(0, u_h - c) = sum of u above c - c * count above c, via prefix sums.
    suffix = np.concatenate([np.cumsum(u[::-1])[::-1], [0.0]])
    idx = np.searchsorted(u, c, side="right")
    above = u.size - idx
    overflow = suffix[idx] - c * above
    cost: np.ndarray = c * p_commit * u.size + overflow * p_od
    return cost


def optimal_level(usage: ArrayLike, p_commit: float, p_od: float, step: float | None = None) -> float:
    """The commitment level minimising :func:`commitment_cost` (0 when committing never pays).

    ``step`` restricts levels to multiples of ``step`` (1 for whole instances).
    """
    u = _usage(usage)
    if p_od <= 0 or p_commit < 0:
        raise ValueError("prices must be positive")
    r = p_commit / p_od
    if r >= 1.0:
        return 0.0
    srt = np.sort(u)
    k = u.size - math.floor(u.size * r)  # 1-based order statistic
    level = float(srt[k - 1]) if k >= 1 else 0.0
    if step:
        lo = math.floor(level / step + 1e-12) * step
        hi = lo + step if lo < level - 1e-12 else lo
        costs = cost_curve(u, [lo, hi], p_commit, p_od)
        level = float(lo if costs[0] <= costs[1] else hi)
    return level


@dataclass(frozen=True)
class CommitmentPlan:
    """A commitment level and what it does over the observed hours (money per month)."""

    level: float
    hours: int
    on_demand_monthly: float      # what the usage costs without the new commitment
    with_commit_monthly: float    # commitment fee + remaining on-demand
    savings_monthly: float
    commitment_monthly: float     # the fee for the committed units
    coverage: float               # share of usage the commitment covers
    utilisation: float            # share of committed units actually used
    break_even_month: int | None  # month in which cumulative savings repay the upfront part
    upfront: float                # upfront payment for the whole term
    term: str
    payment: str


def plan(usage: ArrayLike, level: float, p_commit: float, p_od: float, *, term: str = "1y",
         payment: str = "all_upfront") -> CommitmentPlan:
    """Price a commitment of ``level`` units against the observed hourly ``usage``.

    Break-even: the upfront share of the term's fee is repaid by the monthly benefit
    (covered on-demand value minus the recurring part of the fee); the month in which the
    cumulative benefit first reaches the upfront payment (1 = first month). None when the
    commitment never breaks even within its term.
    """
    if term not in TERM_MONTHS:
        raise ValueError(f"term must be one of {sorted(TERM_MONTHS)}")
    if payment not in UPFRONT_SHARE:
        raise ValueError(f"payment must be one of {sorted(UPFRONT_SHARE)}")
    u = _usage(usage)
    hours = int(u.size)
    scale = HOURS_PER_MONTH / hours
    od = float(u.sum() * p_od) * scale
    covered_units = float(np.minimum(u, level).sum())
    fee_monthly = level * p_commit * HOURS_PER_MONTH
    with_commit = fee_monthly + float(np.maximum(u - level, 0.0).sum() * p_od) * scale
    total_usage = float(u.sum())
    coverage = covered_units / total_usage if total_usage > 0 else 0.0
    utilisation = covered_units / (level * hours) if level > 0 else 0.0
    months = TERM_MONTHS[term]
    share = UPFRONT_SHARE[payment]
    upfront = fee_monthly * months * share
    benefit = covered_units * p_od * scale - fee_monthly * (1.0 - share)
    if level <= 0:
        breakeven: int | None = None
    elif upfront <= 0:
        breakeven = 1 if benefit > 0 else None
    elif benefit <= 0:
        breakeven = None
    else:
        m = math.ceil(upfront / benefit - 1e-9)
        breakeven = max(1, m) if m <= months else None
    return CommitmentPlan(level, hours, od, with_commit, od - with_commit, fee_monthly, coverage,
                          utilisation, breakeven, upfront, term, payment)


def weekly_savings_range(usage: ArrayLike, level: float, p_commit: float, p_od: float,
                         block_hours: int = 168) -> tuple[float, float]:
    """Monthly savings of ``level`` on the worst and best block (week) of the observed hours.

    The range says how much the result depends on which week is typical. Blocks shorter
    than half a block (a trailing partial week) are ignored unless they are all there is.
    """
    u = _usage(usage)
    blocks = [u[i:i + block_hours] for i in range(0, u.size, block_hours)]
    full = [b for b in blocks if b.size >= block_hours // 2] or blocks
    values = []
    for b in full:
        od = b.sum() * p_od
        with_commit = level * p_commit * b.size + np.maximum(b - level, 0.0).sum() * p_od
        values.append((od - with_commit) * HOURS_PER_MONTH / b.size)
    return float(min(values)), float(max(values))
