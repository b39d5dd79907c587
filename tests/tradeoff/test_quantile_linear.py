"""The trade-off's one-partition quantile is numpy's default quantile, bit for bit."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from costopt.tradeoff.load import quantile_linear


@settings(max_examples=300, deadline=None)
@given(n=st.integers(1, 3000), q=st.floats(0.0, 1.0), seed=st.integers(0, 2**32 - 1),
       dtype=st.sampled_from([np.float32, np.float64]), ties=st.booleans())
def test_quantile_linear_is_numpys_quantile(n, q, seed, dtype, ties):
    values = (np.random.default_rng(seed).random(n) * 100).astype(dtype)
    if ties:
        values = np.round(values)
    assert quantile_linear(values, q) == float(np.quantile(values, q))
