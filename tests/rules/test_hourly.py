"""hour_matrix / presence_matrix / row_quantiles against plain pandas and numpy references."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costopt.model import MetricSeries
from costopt.rules.hourly import hour_matrix, presence_matrix, rolling_max, row_quantiles

START_H = 1_000_000
N_HOURS = 12

point = st.tuples(st.integers(-2 * 3600, 14 * 3600), st.one_of(st.floats(-10, 120), st.just(float("nan"))))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.lists(point, max_size=40)), max_size=6),
       st.sampled_from(["sum", "max"]), st.booleans())
def test_hour_matrix_matches_a_pandas_groupby(series, how, with_range):
    valid = (0.0, 100.0) if with_range else None
    shared = np.arange(0, 14 * 3600, 1800, dtype=np.int64) + START_H * 3600
    ms, frames = [], []
    for k, (rid, pts) in enumerate(series):
        if k % 2 and pts:  # some series share one timestamp array, as aligned providers give
            ts, vs = shared, np.resize(np.array([v for _, v in pts]), shared.size)
        else:
            ts = np.array([t for t, _ in pts], dtype=np.int64) + START_H * 3600
            vs = np.array([v for _, v in pts], dtype=float)
        ms.append(MetricSeries(rid, "cpu", "Percent", 300, ts, vs))
        _, first = np.unique(ts, return_index=True)
        frames.append(pd.DataFrame({"rid": rid, "ts": ts[first], "v": vs[first]}))
    rows = {"a": 0, "b": 1, "c": 2}
    got = hour_matrix(ms, ["cpu"], rows, START_H, N_HOURS, how, valid)
    want = np.full((3, N_HOURS), np.nan)
    if frames:
        df = pd.concat(frames)
        df = df[np.isfinite(df["v"])]
        if valid:
            df = df[(df["v"] >= 0) & (df["v"] <= 100)]
        df["h"] = df["ts"] // 3600 - START_H
        df = df[(df["h"] >= 0) & (df["h"] < N_HOURS)]
        agg = df.groupby(["rid", "h"])["v"].agg(how)
        for (rid, h), v in agg.items():
            want[rows[rid], h] = v
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)
    assert np.array_equal(presence_matrix(ms, rows, START_H, N_HOURS),
                          ~np.isnan(hour_matrix(ms, ["cpu"], rows, START_H, N_HOURS, "max")))


@given(st.lists(st.lists(st.one_of(st.floats(-1e6, 1e6), st.just(float("nan"))), min_size=5, max_size=5),
                min_size=1, max_size=6))
def test_row_quantiles_match_nanpercentile(rows):
    m = np.array(rows)
    got = row_quantiles(m, (0.05, 0.5, 0.99, 1.0))
    for j, q in enumerate((5, 50, 99, 100)):
        for i in range(m.shape[0]):
            if np.isnan(m[i]).all():
                assert np.isnan(got[j, i])
            else:
                assert got[j, i] == pytest.approx(np.nanpercentile(m[i], q), rel=1e-9, abs=1e-6)


def test_rolling_max_keeps_instances_after_a_peak():
    m = np.array([[1.0, 5.0, 1.0, 1.0, 3.0, 1.0]])
    assert rolling_max(m, 1).tolist() == [[1.0, 5.0, 5.0, 1.0, 3.0, 3.0]]
    assert rolling_max(m, 0).tolist() == m.tolist()
