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


# A candidate set before it is described: its changes, the worst latency and whether every
# change keeps the queue bounded. Most sets of a large workload land on a spot another set
# already holds (:func:`_dedupe`), so only the kept ones are described.
Proto = tuple[list[Recommendation], float | None, bool]


def _point(chosen: Sequence[Recommendation | None], befores: Sequence[float | None]) -> Proto:
    """One candidate set: its changes, the worst predicted latency, whether it is bounded."""
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
    return [r for r in chosen if r is not None], worst, bounded


def _single(rec: Recommendation, before: float | None, worst_rest: float | None) -> Proto:
    """:func:`_point` of a set with one change, given its group's latency now and the worst of the
    other groups as they are (O(1): a workload with thousands of groups has thousands of such sets)."""
    worst, bounded = worst_rest, True
    value = before  # a change without a latency prediction leaves its group's latency as it is
    if rec.impacts.predicts_latency:
        value = _latency(rec, "after")
        bounded = value is not None
    if value is not None:
        worst = value if worst is None else max(worst, value)
    return [rec], worst, bounded


def _worst_without(befores: Sequence[float | None]) -> list[float | None]:
    """For each group, the worst current latency of all the other groups (the two largest suffice)."""
    ranked = sorted(((b, i) for i, b in enumerate(befores) if b is not None), reverse=True)[:2]
    out: list[float | None] = []
    for i in range(len(befores)):
        rest = [b for b, j in ranked if j != i]
        out.append(rest[0] if rest else None)
    return out


def _feasible(proto: Proto) -> bool:
    recs, _, bounded = proto
    return bounded and all(verified(r) for r in recs)


def _describe(proto: Proto, target: float, selected: bool) -> dict[str, Any]:
    recs, worst, bounded = proto
    return {
        "savings": sum(r.monthly_savings for r in recs),
        "latency_ms": worst if bounded else None,
        "headroom_ms": (target - worst) if bounded and worst is not None else None,
        "recommendations": sorted(r.id for r in recs),
        "actions": [f"{r.resource_name or r.resource_id}: {r.action}" for r in recs],
        "label": "; ".join(f"{r.resource_name or r.resource_id}: {r.action}" for r in recs) or "current setup",
        "feasible": _feasible(proto),
        "selected": selected,
        "pareto": False,
    }


def _dedupe(protos: list[Proto], selected_ids: set[str], target: float) -> list[dict[str, Any]]:
    """One point per (savings, latency, feasibility): sets of look-alike changes (six members of
    one group resized the same way) would otherwise pile up on the same spot of the plot. The
    set with the fewest changes is kept; a selected set always stays. A set is selected when
    its changes are exactly the selected ones; only the kept sets are described."""
    def is_selected(recs: list[Recommendation]) -> bool:
        return len(recs) == len(selected_ids) and all(r.id in selected_ids for r in recs)

    marked = [(not is_selected(p[0]), len(p[0]), i) for i, p in enumerate(protos)]
    kept: dict[tuple[Any, ...], tuple[Proto, bool]] = {}
    for unselected, _, i in sorted(marked):
        recs, worst, bounded = proto = protos[i]
        latency = None if not bounded or worst is None else round(worst, 6)
        key = (round(sum(r.monthly_savings for r in recs), 6), latency, _feasible(proto))
        if key not in kept:
            kept[key] = (proto, not unselected)
        elif not unselected:
            kept[(*key, "selected")] = (proto, True)
    return [_describe(proto, target, selected) for proto, selected in kept.values()]


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
        protos = [_point(combo, befores) for combo in itertools.product(*options)]
    else:  # today, each change alone, and the biggest change of every group
        rest = _worst_without(befores)
        protos = [_point(tuple(None for _ in keys), befores),
                  *(_single(opt, befores[i], rest[i]) for i, o in enumerate(options) for opt in o[1:] if opt),
                  _point(tuple(o[1] for o in options), befores)]
    group_selected = {r.id for k in keys for r in groups[k] if r.id in selected_ids}
    points = _dedupe(protos, group_selected, float(target))
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
