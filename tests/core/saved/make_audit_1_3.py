"""How saved/audit-1.3.json and its renders were made: run with costopt at schema 1.3 on the path
(the commit before schema 1.4), from that checkout's root so ``tests.gate.spend`` is its own:

    PYTHONPATH=. python /path/to/make_audit_1_3.py OUT_DIR

It is kept for the record; this version of costopt cannot run it (it writes 1.3 dict sections).
"""
import json
import math
import sys
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from costopt import history
from costopt.audit_io import audit_to_json, load_audit
from costopt.calendar import calendar_of, daily_totals
from costopt.gate import Budget, BudgetSet, SavingsBudget, evaluate_budgets, to_dict
from costopt.model import PriceSource, Recommendation, Skip
from costopt.records import Current, Proposal
from costopt.reports import render
from costopt.totals import build_totals
from tests.gate.spend import make_audit

out = Path(sys.argv[1])
hist = out / "hist"


def shaped(audit):
    """The audit with its spend and totals sections as the 1.3 pipeline wrote them."""
    rows = audit.spend["daily"]
    def by(col):
        sums = {}
        for r in rows:
            sums[r[col]] = sums.get(r[col], 0.0) + r["cost"]
        return [{col: k, "cost": c} for k, c in sorted(sums.items(), key=lambda kv: (-kv[1], kv[0] is None, kv[0] or ""))]
    spend = {"currency": "USD", "cost_basis": "effective", "total": math.fsum(r["cost"] for r in rows),
             "billed_total": math.fsum(r["billed"] for r in rows), "egress": 0.0, "first_day": rows[0]["day"],
             "last_day": rows[-1]["day"], "by_provider": by("provider"), "by_service": by("service"),
             "by_category": by("category"), "by_charge": by("charge"), "daily": rows}
    audit = replace(audit, spend=spend)
    cal = calendar_of(audit)
    totals = build_totals(audit.recommendations, (), "USD", spend["total"], cal, daily_totals(audit))
    return replace(audit, totals=totals)
def recs(n):
    return tuple(Recommendation(id=f"rec-{i}", rule_id="idle.unattached_volume", resource_id=f"vol-{i}", action="delete unattached volume",
                                provider="aws", resource_kind="volume", resource_name=f"data-{i}", current=Current(type="gp3", size_gb=100.0),
                                proposed=Proposal(state="deleted", keeps="snapshot"), monthly_cost_before=80.0 + i,
                                monthly_savings=80.0 + i, savings_low=70.0, savings_high=90.0 + i, status="selected")
                 for i in range(n))
start, end = date(2026, 11, 1), date(2026, 11, 22)
first = replace(make_audit(start, end), recommendations=recs(3), run_at=datetime(2026, 11, 22, 6, tzinfo=UTC),
                settings={"lookback_days": 21.0, "slo_policy": "strict", "config": "costopt.toml"},
                prices=(PriceSource("aws", "aws-ebs-list-price", "2025-01-15"),))
history.record(shaped(first), hist)
second = replace(make_audit(start + timedelta(days=7), end + timedelta(days=7), lambda d: 100.0 + d.day),
                 recommendations=recs(2), run_at=datetime(2026, 11, 29, 6, tzinfo=UTC),
                 settings={"lookback_days": 21.0, "slo_policy": "strict", "config": "costopt.toml"},
                 skipped=(Skip("idle.instance", "i-9", "no metrics"),),
                 extras={"frontier": {"fraud-detector": {"latency_quantile": "p95", "target_ms": 80.0, "latency_ms_now": 42.5, "currency": "USD", "enumerated": True,
                            "points": [{"savings": 0, "latency_ms": 42.5, "headroom_ms": 37.5, "recommendations": [], "actions": [], "label": "current setup", "feasible": True, "selected": False, "pareto": False},
                                       {"savings": 537.5, "latency_ms": 61.0, "headroom_ms": 19.0, "recommendations": ["rec-x"], "actions": ["fraud-detector: fp16"], "label": "fraud-detector: fp16", "feasible": True, "selected": True, "pareto": True}]}},
                         "stale_prices": [{"provider": "aws", "source": "aws-ebs-list-price", "as_of": "2025-01-15", "age_days": 683, "limit_days": 90}]})
class Snap:
    resources = ()
second = history.record(shaped(second), hist, snapshot=Snap())
budgets = BudgetSet(budgets=(Budget("total", None, "week", warn=500.0, fail=900.0), Budget("provider", "AWS", "growth", fail=5.0)),
                    savings=SavingsBudget(warn=100.0, fail=1000.0, weeks=1))
second = replace(second, budgets=tuple(to_dict(r) for r in evaluate_budgets(second, budgets)))
(out / "audit-1.3.json").write_text(audit_to_json(second), encoding="utf-8")
loaded = load_audit(out / "audit-1.3.json")
for fmt, ext in (("md", "md"), ("junit", "xml"), ("csv", "csv")):
    (out / f"audit-1.3.{ext}").write_text(render(loaded, fmt), encoding="utf-8")
print(json.loads((out / "audit-1.3.json").read_text())["schema_version"])
