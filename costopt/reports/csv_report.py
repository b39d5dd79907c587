"""CSV reporter: one row per selected recommendation, safe to open in a spreadsheet.

Every cell goes through :func:`costopt.sanitize.csv_cells.safe_cell` (formula triggers
prefixed with ``'``, control characters shown escaped); numbers stay numbers; mappings are
written as compact JSON.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from costopt.model import Audit, Recommendation
from costopt.records import plain
from costopt.reports import view
from costopt.sanitize.csv_cells import safe_cell

COLUMNS = (
    "id", "status", "rule_id", "family", "provider", "account", "region", "resource_id", "resource_name",
    "resource_kind", "action", "monthly_cost_before", "monthly_cost_after", "monthly_savings", "savings_low",
    "savings_high", "currency", "confidence", "performance_risk", "effort", "slo_status", "slo_reasons", "team",
    "workload", "current", "proposed", "evidence", "impacts", "rationale", "apply",
)
def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True, default=str) if value else ""


def _row(r: Recommendation, team_keys: Sequence[str]) -> list[Any]:
    values = {
        "id": r.id, "status": r.status, "rule_id": r.rule_id, "family": r.family, "provider": r.provider,
        "account": r.account, "region": r.region, "resource_id": r.resource_id, "resource_name": r.resource_name,
        "resource_kind": r.resource_kind, "action": r.action, "monthly_cost_before": r.monthly_cost_before,
        "monthly_cost_after": r.monthly_cost_after, "monthly_savings": r.monthly_savings, "savings_low": r.savings_low,
        "savings_high": r.savings_high, "currency": r.currency, "confidence": r.confidence,
        "performance_risk": int(r.performance_risk), "effort": r.effort, "slo_status": r.slo.status,
        "slo_reasons": "; ".join(r.slo.reasons), "team": view.team_of(r, team_keys), "workload": r.workload,
        "current": _json(plain(r.current)), "proposed": _json(plain(r.proposed)), "evidence": _json(dict(r.evidence.items())),
        "impacts": _json(plain(r.impacts)), "rationale": r.rationale, "apply": r.apply,
    }
    return [safe_cell(values[c]) for c in COLUMNS]


def render(audit: Audit, **_: Any) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    keys = view.team_tag_keys(audit)
    for r in view.by_savings(audit.recommendations):
        writer.writerow(_row(r, keys))
    return buf.getvalue()
