"""Selection: alternatives for one resource are exclusive; keep the best feasible one.

Candidates that share an ``alternative_group`` (default: the resource id) compete; the one
with the largest monthly savings whose SLO verdict is not a breach is selected; the others
are kept as rejected with the reason.

Under the ``strict`` policy selection fails closed: on a workload that declares a latency or
accuracy target (``impacts["workload_targets"]``, or a latency target / accuracy floor in
the impacts) a change is selected only when its verdict is ``ok`` (``n/a`` changes cannot
touch serving); an ``unknown`` one is rejected as "cannot verify: <why>". Under the
``advisory`` policy a breach or an unverifiable change may be selected but stays flagged
(its reasons say it was selected under the advisory policy). Totals only ever add selected recommendations, so alternatives
are never double-counted. A finding that claims no savings but has an upper bound (e.g. a
cost anomaly to investigate) is selected when it stands alone and counts as zero. The selection also carries the savings / latency-headroom
frontier per workload (:mod:`costopt.tradeoff.frontier`), for the report to plot.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from costopt.model import Recommendation, SloVerdict, evolve
from costopt.tradeoff.frontier import build_frontier
from costopt.tradeoff.verdicts import verified

POLICIES = ("strict", "advisory")
ADVISORY_NOTE = "selected under the advisory SLO policy despite the breach"
ADVISORY_UNVERIFIED_NOTE = "selected under the advisory SLO policy although its targets cannot be verified"


@dataclass(frozen=True)
class Selection:
    selected: tuple[Recommendation, ...]
    rejected: tuple[Recommendation, ...]
    frontier: Mapping[str, Any] = field(default_factory=dict)


def _breach_reason(rec: Recommendation) -> str:
    why = "; ".join(r for r in rec.slo.reasons if r) or "breaches its workload's SLO"
    return f"SLO breach: {why}"


def _unverified_reason(rec: Recommendation) -> str:
    why = "; ".join(r for r in rec.slo.reasons if r) or "no prediction for its workload's targets"
    return f"cannot verify: {why}"


def select(candidates: Iterable[Recommendation], policy: str = "strict") -> Selection:
    """Pick one recommendation per alternative group; reject the rest with a reason."""
    return select_owned(list(candidates), policy, frozenset())


def select_owned(candidates: list[Recommendation], policy: str, owned: frozenset[int]) -> Selection:
    """:func:`select`, where the records whose ``id()`` is in ``owned`` belong to the caller alone
    (copies nobody else holds, e.g. fresh from :func:`~costopt.tradeoff.assess.assess` inside one
    step): those get their status set in place instead of being copied once more."""
    if policy not in POLICIES:
        raise ValueError(f"SLO policy must be one of {', '.join(POLICIES)}, got {policy!r}")
    return _select(candidates, policy, owned)


def _final(rec: Recommendation, owned: frozenset[int], status: str, reason: str | None = None,
           slo: SloVerdict | None = None) -> Recommendation:
    """``rec`` with its status (and rejection reason, or new verdict): set in place on a record the
    caller owns, else a copy."""
    if id(rec) in owned:  # the frozen record is still private to this step
        object.__setattr__(rec, "status", status)
        if reason is not None:
            object.__setattr__(rec, "rejection_reason", reason)
        if slo is not None:
            object.__setattr__(rec, "slo", slo)
        return rec
    if reason is not None:
        return evolve(rec, status=status, rejection_reason=reason)
    return evolve(rec, status=status) if slo is None else evolve(rec, status=status, slo=slo)


def _rank(rec: Recommendation) -> tuple[float, str, str]:
    return -rec.monthly_savings, rec.rule_id, rec.id


def _select(candidates: list[Recommendation], policy: str, owned: frozenset[int]) -> Selection:
    groups: dict[str, list[Recommendation]] = {}
    for rec in candidates:
        key = rec.alternative_group or rec.resource_id
        members = groups.get(key)
        if members is None:
            groups[key] = [rec]
        else:
            members.append(rec)
    selected: list[Recommendation] = []
    rejected: list[Recommendation] = []
    strict = policy == "strict"
    # (id of a verdict, breach?) -> (the verdict, its rejection reason): candidates share verdicts
    reasons: dict[tuple[int, bool], tuple[SloVerdict, str]] = {}

    def reason_for(slo: SloVerdict, breach: bool, rec: Recommendation) -> str:
        found = reasons.get((id(slo), breach))
        if found is None or found[0] is not slo:
            found = reasons[(id(slo), breach)] = (slo, _breach_reason(rec) if breach else _unverified_reason(rec))
        return found[1]

    for key in sorted(groups):
        recs = groups[key]
        if len(recs) > 1:
            recs = sorted(recs, key=_rank)
        winner = None
        for rec in recs:
            if rec.monthly_savings <= 0:
                if rec.savings_high > 0 and winner is None:
                    # A finding to investigate (e.g. a cost anomaly): shown, counted as zero.
                    winner = rec
                    selected.append(_final(rec, owned, "selected"))
                else:
                    rejected.append(_final(rec, owned, "rejected", "no savings"))
                continue
            slo = rec.slo
            status = slo.status
            if status == "breach" and strict:
                rejected.append(_final(rec, owned, "rejected", reason_for(slo, True, rec)))
                continue
            unverified = not verified(rec)
            if unverified and strict:
                rejected.append(_final(rec, owned, "rejected", reason_for(slo, False, rec)))
                continue
            if winner is None:
                winner = rec
                if status == "breach":
                    slo = SloVerdict("breach", tuple(slo.reasons) + (ADVISORY_NOTE,))
                elif unverified:
                    slo = SloVerdict(status, tuple(slo.reasons) + (ADVISORY_UNVERIFIED_NOTE,))
                selected.append(_final(rec, owned, "selected", slo=slo if slo is not rec.slo else None))
            else:
                rejected.append(_final(rec, owned, "rejected", (
                    f"alternative to {winner.rule_id} ({winner.action}), which saves at least as much "
                    f"({winner.monthly_savings:,.2f} vs {rec.monthly_savings:,.2f} per month)")))
    selected.sort(key=lambda r: (-r.monthly_savings, r.id))
    frontier = build_frontier(candidates, {r.id for r in selected})
    return Selection(tuple(selected), tuple(rejected), frontier)
