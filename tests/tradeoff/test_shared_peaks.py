"""The trade-off's peak utilisation reads the order statistics the rules already found.

Oracle: ``np.quantile`` of each series (the linear method, in the series' dtype), which is
what the trade-off's own partition computes; the rules' memo must give the same floats.
"""

from __future__ import annotations

import numpy as np
import pytest

from costopt.metrics import memoised_order_statistics, snapshot_stats
from costopt.tradeoff.load import PEAK_QUANTILE, Observations, peak_utilisations
from costopt.tradeoff.params import DEFAULT_PARAMS
from tests.conftest import make_resource, make_series, make_snapshot


def _estate(dtype):
    rng = np.random.default_rng(3)
    series = []
    for i in range(6):
        values = rng.uniform(0, 100, 4032).astype(dtype)
        s = make_series(f"i-{i}", "cpu", values)
        series.append(s if dtype is float else type(s)(s.resource_id, s.metric, s.unit, s.period_s, s.timestamps,
                                                      values, s.stat))
    bad = rng.uniform(0, 100, 4032)
    bad[7] = 130.0  # one point out of range: the rules drop it, the trade-off's count differs
    series.append(make_series("i-bad", "cpu", bad))
    return make_snapshot([make_resource(f"i-{i}") for i in range(6)] + [make_resource("i-bad")], series)


def test_no_rule_ran_nothing_is_shared():
    assert memoised_order_statistics(_estate(float), "cpu", PEAK_QUANTILE) == {}


def test_rules_order_statistics_give_the_same_peaks_bit_for_bit():
    for dtype in (np.float32, float):
        snap = _estate(dtype)
        snapshot_stats(snap, "cpu")  # what idle.instance / rightsizing ask for
        shared = memoised_order_statistics(snap, "cpu", PEAK_QUANTILE)
        assert set(shared) == {s.resource_id for s in snap.metrics}
        assert shared["i-bad"][2] == 4031
        groups = {(s.resource_id, "cpu"): [s] for s in snap.metrics}
        known = {k: shared[k[0]] for k in groups}
        with_known = peak_utilisations(groups, known)
        for (rid, _), series in groups.items():
            values = series[0].values
            expected = float(np.quantile(values[(values >= 0) & (values <= 100)], PEAK_QUANTILE)) / 100.0
            assert with_known[(rid, "cpu")] == expected, (dtype, rid)
        assert with_known == peak_utilisations(groups)


def test_observations_use_the_shared_statistics():
    snap = _estate(np.float32)
    snapshot_stats(snap, "cpu")
    shared = {"cpu": memoised_order_statistics(snap, "cpu", PEAK_QUANTILE)}
    ids = [r.id for r in snap.resources]
    plain = Observations(snap.metrics, ids, DEFAULT_PARAMS)
    reused = Observations(snap.metrics, ids, DEFAULT_PARAMS, order_statistics=shared)
    for rid in ids:
        assert reused.get(rid).peak_cpu == plain.get(rid).peak_cpu  # type: ignore[union-attr]
    # made-up order statistics show that they are read, not recomputed (and that a count
    # other than the series' points is not trusted)
    fake = {"cpu": {rid: (50.0, 60.0, 4032) for rid in ids} | {"i-1": (50.0, 60.0, 4000)}}
    faked = Observations(snap.metrics, ids, DEFAULT_PARAMS, order_statistics=fake)
    t = 4031 * PEAK_QUANTILE % 1
    assert faked.get("i-0").peak_cpu == pytest.approx(0.5 + 0.1 * t, rel=1e-6)  # type: ignore[union-attr]
    assert faked.get("i-1").peak_cpu == plain.get("i-1").peak_cpu  # type: ignore[union-attr]
