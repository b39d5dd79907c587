"""Selection: alternatives for one resource are exclusive; keep the best feasible one.

Candidates that share an ``alternative_group`` (default: the resource id) compete; the one
with the largest monthly savings whose SLO verdict is not a breach is selected (under the
``advisory`` policy a breach may be selected but stays flagged); the others are kept as
rejected with the reason. Totals only ever add selected recommendations, so alternatives
are never double-counted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Iterable

from costopt.model import Recommendation


@dataclass(frozen=True)
class Selection:
    selected: tuple[Recommendation, ...]
    rejected: tuple[Recommendation, ...]


def _group(rec: Recommendation) -> str:
    return rec.alternative_group or rec.resource_id


def select(candidates: Iterable[Recommendation], policy: str = "strict") -> Selection:
    """Pick one recommendation per alternative group; reject the rest with a reason."""
    groups: dict[str, list[Recommendation]] = defaultdict(list)
    for rec in candidates:
        groups[_group(rec)].append(rec)
    selected: list[Recommendation] = []
    rejected: list[Recommendation] = []
    for key in sorted(groups):
        recs = sorted(groups[key], key=lambda r: (-r.monthly_savings, r.rule_id, r.id))
        winner = None
        for rec in recs:
            if rec.monthly_savings <= 0:
                rejected.append(replace(rec, status="rejected", rejection_reason="no savings"))
                continue
            if rec.slo.status == "breach" and policy == "strict":
                why = "; ".join(rec.slo.reasons) or "breaches its workload's SLO"
                rejected.append(replace(rec, status="rejected", rejection_reason=f"SLO breach: {why}"))
                continue
            if winner is None:
                winner = rec
                selected.append(replace(rec, status="selected"))
            else:
                rejected.append(replace(rec, status="rejected", rejection_reason=(
                    f"alternative to {winner.rule_id} ({winner.action}), which saves more "
                    f"({winner.monthly_savings:,.2f} vs {rec.monthly_savings:,.2f} per month)")))
    selected.sort(key=lambda r: (-r.monthly_savings, r.id))
    return Selection(tuple(selected), tuple(rejected))
