"""The data the HTML report hands to its script: one compact row per recommendation.

Rows are lists in the order of :data:`COLUMNS` (keys are not repeated 10,000 times);
evidence and impacts are pre-formatted here as ``[label, text]`` pairs so the page's
script only ever places text (``textContent``), never markup.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from collections.abc import Mapping
from typing import Any, Sequence

from costopt.model import Audit, Recommendation
from costopt.reports import view

COLUMNS = ("id", "family", "rule", "provider", "account", "region", "team", "kind", "resource_id", "name",
           "action", "savings", "before", "after", "low", "high", "confidence", "risk", "slo", "slo_reasons",
           "effort", "evidence", "impacts", "apply", "rationale", "change", "workload", "currency")

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
    if isinstance(value, Mapping):
        return ", ".join(f"{humanise(str(k))}: {value_text(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(value_text(v) for v in value)
    return str(value)


def pairs(mapping: Mapping[str, Any] | None) -> list[list[str]]:
    return [[humanise(str(k)), value_text(v)] for k, v in (mapping or {}).items()]


def _pick(impacts: Mapping[str, Any], topic: str, role: str) -> tuple[str | None, float | None]:
    role_words = {"before": ("before", "current"), "after": ("after", "predicted", "proposed"),
                  "target": ("target", "slo", "floor", "min", "limit")}[role]
    for key, value in impacts.items():
        k = str(key).lower()
        if topic in k and any(w in k for w in role_words) and isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(key), float(value)
    return None, None


def impact_summary(impacts: Mapping[str, Any] | None) -> tuple[list[list[str]], set[str]]:
    """Headline impact lines (latency and accuracy before -> after vs target) and keys used."""
    lines: list[list[str]] = []
    used: set[str] = set()
    if not impacts:
        return lines, used
    for topic, label, unit, fmt in (("p95", "p95 latency", " ms", "{:,.0f}"), ("latency", "Latency", " ms", "{:,.0f}"),
                                    ("accuracy", "Accuracy", "", "{:.3f}")):
        kb, before = _pick(impacts, topic, "before")
        ka, after = _pick(impacts, topic, "after")
        kt, target = _pick(impacts, topic, "target")
        if after is None or (ka in used):
            continue
        text = (fmt.format(before) + unit + " → " if before is not None else "") + fmt.format(after) + unit
        if target is not None:
            word = "floor" if topic == "accuracy" else "target"
            ok = after >= target if topic == "accuracy" else after <= target
            text += f" ({word} {fmt.format(target)}{unit}: {'within' if ok else 'NOT met'})"
        lines.append([label, text])
        used.update(k for k in (kb, ka, kt) if k)
    return lines, used


def change_text(rec: Recommendation) -> str:
    cur = ", ".join(f"{k}={value_text(v)}" for k, v in (rec.current or {}).items())
    new = ", ".join(f"{k}={value_text(v)}" for k, v in (rec.proposed or {}).items())
    if cur and new:
        return f"{cur} → {new}"
    return cur or new


def row(rec: Recommendation, team_keys: Sequence[str]) -> list[Any]:
    summary, used = impact_summary(rec.impacts)
    rest = [[humanise(str(k)), value_text(v)] for k, v in (rec.impacts or {}).items() if k not in used]
    return [
        rec.id, rec.family, rec.rule_id, rec.provider, rec.account, rec.region, view.team_of(rec, team_keys),
        rec.resource_kind, rec.resource_id, rec.resource_name or rec.resource_id, rec.action,
        round(rec.monthly_savings, 2), round(rec.monthly_cost_before, 2), round(rec.monthly_cost_after, 2),
        round(rec.savings_low, 2), round(rec.savings_high, 2), rec.confidence, int(rec.performance_risk),
        rec.slo.status, list(rec.slo.reasons), rec.effort, pairs(rec.evidence), summary + rest, rec.apply,
        rec.rationale, change_text(rec), rec.workload or "", rec.currency,
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
