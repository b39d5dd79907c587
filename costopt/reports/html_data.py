"""The data the HTML report hands to its script: one compact row per recommendation.

Rows are lists in the order of :data:`COLUMNS` (keys are not repeated 10,000 times);
evidence and impacts are pre-formatted here as ``[label, text]`` pairs so the page's
script only ever places text (``textContent``), never markup.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from costopt.model import Audit, Recommendation
from costopt.records import Impacts
from costopt.reports import view
from costopt.reports.tradeoff_view import impact_text, serving_impact

COLUMNS = ("id", "family", "rule", "provider", "account", "region", "team", "kind", "resource_id", "name",
           "action", "savings", "before", "after", "low", "high", "confidence", "risk", "slo", "slo_reasons",
           "effort", "evidence", "impacts", "apply", "rationale", "change", "workload", "currency", "impact")

_WORDS = {"p50": "p50", "p95": "p95", "p99": "p99", "ms": "(ms)", "pct": "(%)", "gib": "(GiB)", "gb": "(GB)",
          "usd": "(USD)", "cpu": "CPU", "gpu": "GPU", "slo": "SLO", "id": "ID"}


@lru_cache(maxsize=4096)
def humanise(key: str) -> str:
    words = [w for w in re.split(r"[_\s]+", str(key)) if w]
    out = [_WORDS.get(w.lower(), w) for w in words]
    text = " ".join(out)
    return text[:1].upper() + text[1:] if text else str(key)


def value_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if not math.isfinite(value):
            return "n/a"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 1:
            return f"{value:,.2f}".rstrip("0").rstrip(".")
        return f"{value:.4g}"
    if isinstance(value, Impacts):  # the on-demand base's own prediction, nested
        value = dict(value.items())
    if isinstance(value, Mapping):
        return ", ".join(f"{humanise(str(k))}: {value_text(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(value_text(v) for v in value)
    return str(value)


def pairs(mapping: Mapping[str, Any] | None) -> list[list[str]]:
    return [[humanise(str(k)), value_text(v)] for k, v in (mapping or {}).items()]


SERVING_KEYS = ("latency_quantile", "p95_ms_before", "p95_ms_after", "p99_ms_before", "p99_ms_after",
                "latency_target_ms", "accuracy_metric", "accuracy_before", "accuracy_after", "accuracy_floor")


def impact_summary(rec: Recommendation) -> tuple[list[list[str]], set[str]]:
    """Headline impact lines (p95 and accuracy before -> after against the targets) and the fields they use."""
    impact = serving_impact(rec)
    if impact is None:
        return [], set()
    lines = []
    if impact.latency_after_ms is not None:
        text = (f"{impact.latency_before_ms:,.0f} ms → " if impact.latency_before_ms is not None else "")
        text += f"{impact.latency_after_ms:,.0f} ms"
        if impact.latency_target_ms is not None:
            text += f" (target {impact.latency_target_ms:,.0f} ms: {'NOT met' if impact.breaks_latency else 'within'})"
        lines.append([f"{impact.quantile} latency", text])
    if impact.accuracy_after is not None:
        text = (f"{impact.accuracy_before:.3f} → " if impact.accuracy_before is not None else "")
        text += f"{impact.accuracy_after:.3f}"
        if impact.accuracy_floor is not None:
            text += f" (floor {impact.accuracy_floor:.3f}: {'NOT met' if impact.breaks_accuracy else 'within'})"
        lines.append([f"Accuracy ({impact.accuracy_metric})" if impact.accuracy_metric != "accuracy" else "Accuracy", text])
    return lines, set(SERVING_KEYS)


def change_text(rec: Recommendation) -> str:
    cur = ", ".join(f"{k}={value_text(v)}" for k, v in rec.current.items())
    new = ", ".join(f"{k}={value_text(v)}" for k, v in rec.proposed.items())
    if cur and new:
        return f"{cur} → {new}"
    return cur or new


def row(rec: Recommendation, team_keys: Sequence[str]) -> list[Any]:
    summary, used = impact_summary(rec)
    rest = [[humanise(k), value_text(v)] for k, v in rec.impacts.items() if k not in used]
    return [
        rec.id, rec.family, rec.rule_id, rec.provider, rec.account, rec.region, view.team_of(rec, team_keys),
        rec.resource_kind, rec.resource_id, rec.resource_name or rec.resource_id, rec.action,
        round(rec.monthly_savings, 2), round(rec.monthly_cost_before, 2), round(rec.monthly_cost_after, 2),
        round(rec.savings_low, 2), round(rec.savings_high, 2), rec.confidence, int(rec.performance_risk),
        rec.slo.status, list(rec.slo.reasons), rec.effort, pairs(dict(rec.evidence.items())), summary + rest, rec.apply,
        rec.rationale, change_text(rec), rec.workload or "", rec.currency, impact_text(rec),
    ]


def rows(audit: Audit) -> list[list[Any]]:
    keys = view.team_tag_keys(audit)
    return [row(r, keys) for r in view.by_savings(audit.recommendations)]


def filter_options(audit: Audit) -> list[dict[str, Any]]:
    """The table's filter controls: one <select> per dimension, values sorted."""
    keys = view.team_tag_keys(audit)
    recs = audit.recommendations
    dims = (
        ("family", "Family", lambda r: r.family),
        ("provider", "Provider", lambda r: r.provider),
        ("account", "Account", lambda r: r.account),
        ("team", "Team", lambda r: view.team_of(r, keys)),
        ("risk", "Risk", lambda r: str(int(r.performance_risk))),
        ("slo", "SLO verdict", lambda r: r.slo.status),
    )
    out = []
    for key, label, get in dims:
        values = sorted({str(get(r) or "") for r in recs})
        options = [{"value": v, "label": (view.risk_label(int(v)) if key == "risk" else (v or "(none)"))} for v in values]
        out.append({"key": key, "label": label, "options": options})
    return out
