"""The "ML platform" section of the HTML and Markdown reports: the ``mlplatform.*`` findings
(idle notebooks, training on on-demand capacity, tuning searches, idle Studio apps and warm
clusters) grouped by team tag, largest savings first. Plain data; reporters do the escaping.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from costopt.model import Audit, Recommendation
from costopt.reports import view

FAMILY = "mlplatform"
NO_TEAM = "(no team tag)"
WHAT = {"notebook": "notebook", "training_run": "training jobs", "tuning_job": "tuning job", "ml_app": "Studio app",
        "ml_cluster": "ML cluster"}


@dataclass(frozen=True)
class TeamFindings:
    """One team's ML platform findings (selected only, so nothing is counted twice)."""

    team: str
    monthly_savings: float
    currency: str
    findings: tuple[Recommendation, ...]


def what(rec: Recommendation) -> str:
    return WHAT.get(rec.resource_kind, rec.resource_kind)


def by_team(audit: Audit) -> list[TeamFindings]:
    """Selected ``mlplatform.*`` findings by team (``costopt:team`` or the configured team tags);
    savings in the audit's currency only (other currencies are listed, never added)."""
    keys = view.team_tag_keys(audit)
    groups: dict[str, list[Recommendation]] = {}
    for rec in audit.recommendations:
        if rec.family == FAMILY:
            groups.setdefault(view.team_of(rec, keys) or NO_TEAM, []).append(rec)
    out = [TeamFindings(team, math.fsum(r.monthly_savings for r in recs if r.currency == audit.currency),
                        audit.currency, tuple(view.by_savings(recs)))
           for team, recs in groups.items()]
    return sorted(out, key=lambda g: (-g.monthly_savings, g.team == NO_TEAM, g.team))
