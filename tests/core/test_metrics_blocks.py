"""metric_stats' block path (shared timestamps, float32) and the per-snapshot memo of snapshot_stats."""

import gc

import numpy as np
import pandas as pd
import pytest

import costopt.metrics as metrics
from costopt.metrics import metric_stats, quantile_column, snapshot_stats
from costopt.model import MetricSeries
from tests.conftest import make_series, make_snapshot

QS = (0.5, 0.95, 0.995, 0.999)


def _expected(values: np.ndarray, lo: float = 0.0, hi: float = 100.0) -> dict:
    v = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(v)
    ok = finite & (v >= lo) & (v <= hi)
    kept = v[ok]
    out = {"count": kept.size, "gaps": int((~finite).sum()), "invalid": int((finite & ~ok).sum())}
    if kept.size:
        out.update({quantile_column(q): np.percentile(kept, q * 100) for q in QS}, max=kept.max(), mean=kept.mean())
    return out


def _aligned_series(n: int = 60, points: int = 500, dtype=np.float32) -> list[MetricSeries]:
    rng = np.random.default_rng(5)
    ts = 1_700_000_000 + np.arange(points, dtype=np.int64) * 300  # one array shared by every series
    block = rng.uniform(-10, 110, (n, points)).astype(dtype)
    block[rng.random((n, points)) < 0.05] = np.nan
    block[3] = np.nan  # a resource with no valid point at all
    block[4, :] = 42.0
    return [MetricSeries(f"r{i}", "cpu", "Percent", 300, ts, block[i]) for i in range(n)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_shared_timestamp_blocks_match_numpy_per_resource(monkeypatch, dtype):
    series = _aligned_series(dtype=dtype)
    monkeypatch.setattr(metrics, "BLOCK_POINTS", 1_700)  # several blocks, a partial last one
    stats = metric_stats(series, "cpu", quantiles=QS)
    assert list(stats.index) == [s.resource_id for s in series]
    for s in series:
        row, exp = stats.loc[s.resource_id], _expected(s.values)
        assert (row["count"], row["gaps"], row["invalid"], row["duplicates"]) == (exp["count"], exp["gaps"], exp["invalid"], 0)
        assert row["first_ts"] == s.timestamps[0] and row["last_ts"] == s.timestamps[-1]
        if exp["count"] == 0:
            assert np.isnan(row[["mean", "max", *map(quantile_column, QS)]].to_numpy(dtype=float)).all()
            continue
        for q in QS:
            assert row[quantile_column(q)] == pytest.approx(exp[quantile_column(q)], abs=1e-9)
        assert row["max"] == exp["max"] and row["mean"] == pytest.approx(exp["mean"], rel=1e-9)
    assert all(stats[c].dtype == np.float64 for c in ("mean", "max", "p99.5", "hours"))
    assert all(stats[c].dtype == np.int64 for c in ("count", "gaps", "invalid", "duplicates"))


def test_mixed_paths_give_the_same_rows_as_one_series_at_a_time():
    rng = np.random.default_rng(9)
    series = _aligned_series(n=12, points=50)
    series.append(make_series("pooled", "cpu", rng.uniform(0, 100, 30)))
    series.append(make_series("pooled", "cpu", rng.uniform(0, 100, 20)))
    series.append(MetricSeries("dups", "cpu", "Percent", 60, np.array([5, 5, 1, 9]), np.array([1.0, 2.0, 3.0, 4.0])))
    series.append(MetricSeries("empty", "cpu", "Percent", 60, np.array([], dtype=np.int64), np.array([])))
    together = metric_stats(series, "cpu", quantiles=QS)
    for rid in together.index:
        alone = metric_stats([s for s in series if s.resource_id == rid], "cpu", quantiles=QS)
        pd.testing.assert_series_equal(together.loc[rid], alone.loc[rid], check_exact=False, rtol=1e-12)
    # pooled series are cleaned one by one (repeats are counted within a series), then pooled
    assert together.loc["pooled", "duplicates"] == 0 and together.loc["pooled", "count"] == 50
    assert together.loc["dups", "duplicates"] == 1 and together.loc["dups", "count"] == 3
    assert together.loc["empty", "count"] == 0 and np.isnan(together.loc["empty", "first_ts"])


def test_float32_values_and_shared_timestamps_are_not_copied():
    ts = np.arange(10, dtype=np.int64)
    vals = np.linspace(0, 1, 10, dtype=np.float32)
    s = MetricSeries("r", "cpu", "Percent", 60, ts, vals)
    assert s.timestamps is ts and s.values is vals and s.values.dtype == np.float32
    assert MetricSeries("r", "cpu", "Percent", 60, ts, [1] * 10).values.dtype == np.float64


def test_snapshot_stats_equals_metric_stats_and_is_computed_once():
    series = _aligned_series(n=20, points=100)
    snap = make_snapshot(metrics=series)
    first = snapshot_stats(snap, "cpu", quantiles=(0.95,))
    pd.testing.assert_frame_equal(first, metric_stats(series, "cpu", quantiles=(0.95,)))
    memo = metrics._MEMO[id(snap)][2]
    assert len(memo) == 1
    first["extra"] = 1.0  # callers may add columns: the memo is not touched
    again = snapshot_stats(snap, "cpu", quantiles=(0.995, 0.95), resource_ids=["r7", "r2", "nope"])
    assert len(memo) == 1  # served from the memo (CACHE_QUANTILES include 0.995)
    assert list(again.index) == ["r2", "r7"] and "extra" not in again.columns
    pd.testing.assert_frame_equal(again, metric_stats(series, "cpu", quantiles=(0.995, 0.95)).loc[["r2", "r7"]])
    snapshot_stats(snap, "cpu", quantiles=(0.5,))  # not in the memo yet: recomputed with the union
    assert len(memo) == 1 and 0.5 in next(iter(memo.values()))[0]


def test_snapshot_stats_since_cuts_like_a_lookback():
    series = _aligned_series(n=5, points=100)
    snap = make_snapshot(metrics=series)
    since = int(series[0].timestamps[60])
    cut = [MetricSeries(s.resource_id, s.metric, s.unit, s.period_s, s.timestamps[60:], s.values[60:]) for s in series]
    pd.testing.assert_frame_equal(snapshot_stats(snap, "cpu", since=since), metric_stats(cut, "cpu"))
    # a `since` before every point cuts nothing and shares the uncut entry
    pd.testing.assert_frame_equal(snapshot_stats(snap, "cpu", since=0), metric_stats(series, "cpu"))


def test_memo_never_serves_another_snapshot():
    a = make_snapshot(metrics=[make_series("r", "cpu", [10.0, 20.0])])
    assert snapshot_stats(a, "cpu").loc["r", "max"] == 20.0
    key = id(a)
    del a
    gc.collect()
    assert key not in metrics._MEMO  # dropped with its Snapshot
    b = make_snapshot(metrics=[make_series("r", "cpu", [50.0, 70.0])])
    assert snapshot_stats(b, "cpu").loc["r", "max"] == 70.0
