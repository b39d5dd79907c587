"""The Illinois root (``roots.solve``) finds the root bisection finds, to the same tolerance,
on smooth decreasing functions, step functions and functions that turn infinite."""

from __future__ import annotations

import math
import random

from costopt.tradeoff.roots import bisect, solve


def _close(a: float, b: float, rel: float) -> bool:
    return abs(a - b) <= rel * max(abs(a), abs(b))


def test_solve_matches_bisection_on_survival_functions() -> None:
    rng = random.Random(11)
    for _ in range(2000):
        rate, weight, tail = rng.uniform(0.01, 50), rng.uniform(0, 5), rng.uniform(1e-4, 0.6)

        def survival(t: float, rate: float = rate, weight: float = weight) -> float:
            return math.exp(-rate * t) * (1.0 + weight * rate * t)

        hi = 1.0
        while survival(hi) > tail:
            hi *= 2.0
        want = bisect(lambda t, tail=tail: survival(t) > tail, 0.0, hi, 1e-12)
        got = solve(lambda t, tail=tail: survival(t) - tail, 0.0, hi, 1e-12)
        assert _close(got, want, 2e-12), (rate, weight, tail, got, want)


def test_solve_on_a_step_and_an_infinite_side() -> None:
    step = 0.3141592653589793
    got = solve(lambda t: 1.0 if t < step else -1.0, 0.0, 1.0, 1e-12)
    assert _close(got, step, 2e-12)
    # -inf past the pole at 2 (like a moment generating function's log), root at 1.5
    got = solve(lambda x: -math.inf if x >= 2.0 else 1.5 - x, 0.0, 4.0, 1e-12)
    assert _close(got, 1.5, 2e-12)


def test_solve_takes_fewer_evaluations_than_bisection() -> None:
    calls = {"solve": 0, "bisect": 0}

    def counted(kind: str, t: float) -> float:
        calls[kind] += 1
        return math.exp(-3.0 * t) * (1.0 + 0.7 * 3.0 * t) - 0.01

    solve(lambda t: counted("solve", t), 0.0, 8.0, 1e-12)
    bisect(lambda t: counted("bisect", t) > 0, 0.0, 8.0, 1e-12)
    assert calls["solve"] * 2 < calls["bisect"], calls
