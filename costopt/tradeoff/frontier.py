"""The savings / latency-headroom frontier per workload, for the report to plot.

For each workload with a latency target, every *candidate set* (per resource of the
workload: keep it as is, or apply one of its alternative candidates) is a point: the monthly
savings of the set and the latency headroom left (target minus the worst predicted
quantile over the workload's resources). A point is *feasible* when every candidate in it
is verified (:mod:`verdicts`: no breach of latency, accuracy or interruptions, and no
unverifiable change on a targeted workload) and the queue stays bounded; feasible
points that no other feasible point beats on both savings and headroom are the Pareto
frontier: what each extra dollar of savings costs in latency. The point made of the
selected recommendations is marked ``selected``.

Enumeration is bounded (``max_frontier_sets``); beyond it only single changes, the empty
set and the largest-savings combination are listed.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from costopt.model import Recommendation
from costopt.tradeoff.params import DEFAULT_PARAMS
from costopt.tradeoff.verdicts import verified


def _latency(rec: Recommendation, when: str) -> float | None:
    value = rec.impacts.latency(when)
    return value if value is not None and math.isfinite(value) else None


def _point(chosen: Sequence[Recommendation | None], befores: Sequence[float | None],
           target: float) -> dict[str, Any]:
    """One candidate set: savings, worst predicted latency, headroom, feasibility."""
    worst: float | None = None
    bounded = True
    for rec, before in zip(chosen, befores):
        value = before
        if rec is not None:
            if rec.impacts.predicts_latency:
                value = _latency(rec, "after")
                bounded = bounded and value is not None
            # candidates without a latency prediction (spot, storage) leave latency as it is
        if value is not None:
            worst = value if worst is None else max(worst, value)
    return _describe([r for r in chosen if r is not None], worst, bounded, target)


def _single(rec: Recommendation, before: float | None, worst_rest: float | None, target: float) -> dict[str, Any]:
    """:func:`_point` of a set with one change, given its group's latency now and the worst of the
    other groups as they are (O(1): a workload with thousands of groups has thousands of such sets)."""
    worst, bounded = worst_rest, True
    value = before  # a change without a latency prediction leaves its group's latency as it is
    if rec.impacts.predicts_latency:
        value = _latency(rec, "after")
        bounded = value is not None
    if value is not None:
        worst = value if worst is None else max(worst, value)
    return _describe([rec], worst, bounded, target)


def _worst_without(befores: Sequence[float | None]) -> list[float | None]:
    """For each group, the worst current latency of all the other groups (the two largest suffice)."""
    ranked = sorted(((b, i) for i, b in enumerate(befores) if b is not None), reverse=True)[:2]
    out: list[float | None] = []
    for i in range(len(befores)):
        rest = [b for b, j in ranked if j != i]
        out.append(rest[0] if rest else None)
    return out


def _describe(recs: list[Recommendation], worst: float | None, bounded: bool, target: float) -> dict[str, Any]:
    return {
        "savings": sum(r.monthly_savings for r in recs),
        "latency_ms": worst if bounded else None,
        "headroom_ms": (target - worst) if bounded and worst is not None else None,
        "recommendations": sorted(r.id for r in recs),
        "actions": [f"{r.resource_name or r.resource_id}: {r.action}" for r in recs],
        "label": "; ".join(f"{r.resource_name or r.resource_id}: {r.action}" for r in recs) or "current setup",
        "feasible": bounded and all(verified(r) for r in recs),
        "selected": False,
        "pareto": False,
    }


def _dedupe(points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One point per (savings, latency, feasibility): sets of look-alike changes (six members of
    one group resized the same way) would otherwise pile up on the same spot of the plot. The
    set with the fewest changes is kept; a selected set always stays."""
    kept: dict[tuple[Any, ...], dict[str, Any]] = {}
    for p in sorted(points, key=lambda p: (not p["selected"], len(p["recommendations"]))):
        latency = None if p["latency_ms"] is None else round(p["latency_ms"], 6)
        key = (round(p["savings"], 6), latency, p["feasible"])
        if key not in kept:
            kept[key] = p
        elif p["selected"]:
            kept[(*key, "selected")] = p
    return list(kept.values())


def _mark_pareto(points: list[dict[str, Any]]) -> None:
    """A feasible point is on the frontier unless another saves at least as much with at least as
    much headroom, and more of one. One sweep by savings, highest first (not all pairs)."""
    ok = sorted((p for p in points if p["feasible"] and p["headroom_ms"] is not None), key=lambda p: -p["savings"])
    best_richer = -math.inf  # the most headroom among points that save strictly more
    for _, same in itertools.groupby(ok, key=lambda p: p["savings"]):
        tied = list(same)
        most = max(p["headroom_ms"] for p in tied)
        for p in tied:
            p["pareto"] = p["headroom_ms"] == most and p["headroom_ms"] > best_richer
        best_richer = max(best_richer, most)


def workload_frontier(recs: Sequence[Recommendation], selected_ids: set[str],
                      max_sets: int = DEFAULT_PARAMS.max_frontier_sets) -> dict[str, Any] | None:
    """The frontier of one workload's candidates (None when it has no latency target)."""
    target = next((r.impacts.latency_target_ms for r in recs if r.impacts.latency_target_ms is not None), None)
    if target is None:
        return None
    groups: dict[str, list[Recommendation]] = defaultdict(list)
    for r in recs:
        if r.monthly_savings > 0:
            groups[r.alternative_group or r.resource_id].append(r)
    keys = sorted(groups)
    befores = [next((_latency(r, "before") for r in groups[k] if _latency(r, "before") is not None), None)
               for k in keys]
    options = [[None, *sorted(groups[k], key=lambda r: (-r.monthly_savings, r.id))] for k in keys]
    total = math.prod(len(o) for o in options)
    if total <= max_sets:
        points = [_point(combo, befores, float(target)) for combo in itertools.product(*options)]
    else:  # today, each change alone, and the biggest change of every group
        rest = _worst_without(befores)
        points = [_point(tuple(None for _ in keys), befores, float(target)),
                  *(_single(opt, befores[i], rest[i], float(target)) for i, o in enumerate(options) for opt in o[1:] if opt),
                  _point(tuple(o[1] for o in options), befores, float(target))]
    group_selected = {r.id for k in keys for r in groups[k] if r.id in selected_ids}
    for point in points:
        point["selected"] = set(point["recommendations"]) == group_selected
    points = _dedupe(points)
    _mark_pareto(points)
    points.sort(key=lambda p: (p["savings"], -(p["headroom_ms"] if p["headroom_ms"] is not None else -math.inf)))
    quantile = next((r.impacts.latency_quantile for r in recs if r.impacts.latency_quantile), "p95")
    now = [b for b in befores if b is not None]
    return {
        "latency_quantile": quantile,
        "target_ms": float(target),
        "latency_ms_now": max(now) if now else None,
        "currency": recs[0].currency if recs else "USD",
        "enumerated": total <= max_sets,
        "points": points,
    }


def build_frontier(recs: Iterable[Recommendation], selected_ids: Iterable[str] = (),
                   max_sets: int = DEFAULT_PARAMS.max_frontier_sets) -> Mapping[str, Any]:
    """Frontier per workload (keyed by workload name) from assessed candidates."""
    chosen = set(selected_ids)
    by_workload: dict[str, list[Recommendation]] = defaultdict(list)
    for r in recs:
        if r.impacts.workload:
            by_workload[r.impacts.workload].append(r)
    out: dict[str, Any] = {}
    for name in sorted(by_workload):
        f = workload_frontier(by_workload[name], chosen, max_sets)
        if f is not None:
            out[name] = f
    return out
