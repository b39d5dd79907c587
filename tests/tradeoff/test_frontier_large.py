"""The frontier of a workload with more sets than it enumerates: the same points and Pareto marks
as the definition (every pair compared, every set's latency from all its groups)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from costopt.tradeoff.frontier import _describe, _point, workload_frontier
from tests.tradeoff.test_selection_policy import rec

OPTION = st.tuples(st.sampled_from([100.0, 250.0, 400.0, 400.0]), st.sampled_from(["ok", "ok", "breach", "unknown"]),
                   st.one_of(st.none(), st.sampled_from([20.0, 60.0, 79.0, 95.0])), st.booleans())


def _definition_pareto(points):
    ok = [p for p in points if p["feasible"] and p["headroom_ms"] is not None]
    return [not any(o is not p and o["savings"] >= p["savings"] and o["headroom_ms"] >= p["headroom_ms"]
                    and (o["savings"] > p["savings"] or o["headroom_ms"] > p["headroom_ms"]) for o in ok)
            for p in ok]


@settings(max_examples=60, deadline=None)
@given(groups=st.lists(st.tuples(st.sampled_from([None, 30.0, 45.0, 70.0]), st.lists(OPTION, min_size=1, max_size=3)),
                       min_size=2, max_size=12))
def test_large_frontier_matches_the_definition(groups):
    recs = []
    for g, (before, options) in enumerate(groups):
        for k, (savings, status, after, predicted) in enumerate(options):
            r = rec(f"r{g}", f"change {k}", savings + k, status, after=after if predicted else False,
                    before=before, group=f"g{g:02d}")
            recs.append(r)
    frontier = workload_frontier(recs, set(), max_sets=1)  # never enumerates: today, singles, biggest of each
    assert frontier is not None and not frontier["enumerated"]
    points = frontier["points"]
    keys = sorted({r.alternative_group for r in recs})
    befores = [next((b for b, _ in [groups[int(k[1:])]] if b is not None), None) for k in keys]
    by_id = {r.id: r for r in recs}
    for p in points:  # every point as the definition computes it from all groups
        chosen = [next((by_id[i] for i in p["recommendations"] if by_id[i].alternative_group == k), None) for k in keys]
        expected = _describe(_point(chosen, befores), 80.0, False)
        assert (p["savings"], p["latency_ms"], p["headroom_ms"], p["feasible"]) == \
               (expected["savings"], expected["latency_ms"], expected["headroom_ms"], expected["feasible"])
    ok = [p for p in points if p["feasible"] and p["headroom_ms"] is not None]
    assert [p["pareto"] for p in ok] == _definition_pareto(points)
