"""metric_stats against numpy's own percentile, and its data-quality counts."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costopt.metrics import metric_stats, quantile_column
from tests.conftest import make_series


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.floats(0, 100, allow_nan=False), min_size=1, max_size=60), min_size=1, max_size=8))
def test_quantiles_match_numpy_for_every_resource(rows):
    series = [make_series(f"r{i}", "cpu", vals) for i, vals in enumerate(rows)]
    stats = metric_stats(series, "cpu", quantiles=(0.5, 0.95, 0.995))
    for i, vals in enumerate(rows):
        row = stats.loc[f"r{i}"]
        assert row["count"] == len(vals)
        for q in (0.5, 0.95, 0.995):
            assert row[quantile_column(q)] == pytest.approx(np.percentile(vals, q * 100), abs=1e-9)
        assert row["max"] == pytest.approx(max(vals))
        assert row["mean"] == pytest.approx(np.mean(vals))


def test_invalid_gaps_and_duplicates_are_counted_not_used():
    s = make_series("r", "cpu", [10, 20, np.nan, -5, 150, 30])
    dup = make_series("d", "cpu", [1, 2])
    dup = type(dup)("d", "cpu", "Percent", 300, np.array([0, 0]), np.array([1.0, 9.0]))
    stats = metric_stats([s, dup], "cpu")
    r = stats.loc["r"]
    assert (r["count"], r["gaps"], r["invalid"]) == (3, 1, 2)
    assert r["max"] == 30
    assert stats.loc["d", "duplicates"] == 1 and stats.loc["d", "count"] == 1


def test_hours_covered_uses_the_period():
    s = make_series("r", "cpu", np.ones(360), period_s=300)
    assert metric_stats([s], "cpu").loc["r", "hours"] == pytest.approx(30.0)


def test_blocks_give_the_same_answer_as_one_pass(monkeypatch):
    import costopt.metrics as m

    rng = np.random.default_rng(1)
    series = [make_series(f"r{i}", "cpu", rng.uniform(0, 100, rng.integers(5, 50))) for i in range(40)]
    whole = metric_stats(series, "cpu")
    monkeypatch.setattr(m, "BLOCK_POINTS", 64)
    blocked = metric_stats(series, "cpu")
    assert np.allclose(whole.to_numpy(dtype=float), blocked.to_numpy(dtype=float), equal_nan=True)
