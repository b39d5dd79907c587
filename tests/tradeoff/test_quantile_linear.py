"""The trade-off's one-partition quantile is numpy's default quantile, bit for bit."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from costopt.model import MetricSeries
from costopt.tradeoff.load import peak_utilisations, quantile_linear, quantile_rows


@settings(max_examples=300, deadline=None)
@given(n=st.integers(1, 3000), q=st.floats(0.0, 1.0), seed=st.integers(0, 2**32 - 1),
       dtype=st.sampled_from([np.float32, np.float64]), ties=st.booleans())
def test_quantile_linear_is_numpys_quantile(n, q, seed, dtype, ties):
    values = (np.random.default_rng(seed).random(n) * 100).astype(dtype)
    if ties:
        values = np.round(values)
    assert quantile_linear(values, q) == float(np.quantile(values, q))


@settings(max_examples=200, deadline=None)
@given(rows=st.integers(1, 40), n=st.integers(1, 600), q=st.floats(0.0, 1.0), seed=st.integers(0, 2**32 - 1),
       dtype=st.sampled_from([np.float32, np.float64]), ties=st.booleans())
def test_quantile_rows_is_numpys_quantile_per_row(rows, n, q, seed, dtype, ties):
    block = (np.random.default_rng(seed).random((rows, n)) * 100).astype(dtype)
    if ties:
        block = np.round(block)
    assert quantile_rows(block, q) == [float(np.quantile(row, q)) for row in block]


def test_batched_peak_utilisations_equal_one_by_one():
    """Series of one length and dtype are partitioned in blocks; the rest (several series, points
    outside 0..100, NaN, other lengths, float64, empty) one by one: every answer is numpy's p99 of
    the points in 0..100, divided by 100."""
    rng = np.random.default_rng(3)
    ts = np.arange(4032, dtype=np.int64) * 300
    groups = {}
    for i in range(600):  # more than one block
        values = (rng.random(4032) * 100).astype(np.float32)
        groups[(f"r{i}", "cpu")] = [MetricSeries(f"r{i}", "cpu", "Percent", 300, ts, values)]
    odd = rng.random(4032) * 120
    odd[::7] = np.nan
    groups[("odd", "cpu")] = [MetricSeries("odd", "cpu", "Percent", 300, ts, odd)]
    groups[("short", "gpu")] = [MetricSeries("short", "gpu", "Percent", 300, ts[:100], rng.random(100) * 100)]
    groups[("two", "cpu")] = [MetricSeries("two", "cpu", "Percent", 300, ts, rng.random(4032) * 100),
                              MetricSeries("two", "cpu", "Percent", 300, ts, rng.random(4032) * 100)]
    groups[("empty", "gpu")] = [MetricSeries("empty", "gpu", "Percent", 300, ts[:0], np.zeros(0))]
    groups[("none", "gpu")] = [MetricSeries("none", "gpu", "Percent", 300, ts[:3], np.array([-1.0, 101.0, np.inf]))]
    peaks = peak_utilisations(groups)
    for key, series in groups.items():
        values = np.concatenate([s.values for s in series])
        values = values[(values >= 0) & (values <= 100)]
        expected = None if values.size == 0 else float(np.quantile(values, 0.99)) / 100.0
        assert peaks[key] == expected, key
