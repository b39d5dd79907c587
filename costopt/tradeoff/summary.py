"""A reporter-friendly view of a recommendation's trade-off impacts.

Reporters show, for every recommendation, the predicted latency before/after against the
target and the accuracy before/after against the floor. The figures are the typed fields of
:class:`costopt.records.Impacts` (set by :mod:`assess`; see that class for every field).

:func:`tradeoff_summary` turns them into short strings such as ``"p95 50 ms -> 28 ms (target
80 ms)"`` and ``"AUC 0.962 -> 0.961 (floor 0.955)"`` so every reporter words them alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from costopt.model import Recommendation
from costopt.records import Impacts


@dataclass(frozen=True)
class TradeoffSummary:
    latency: str = ""  # "p95 50 ms -> 28 ms (target 80 ms)"
    accuracy: str = ""  # "AUC 0.962 -> 0.961 (floor 0.955)"
    other: str = ""  # interruptions / cold start / first byte
    verdict: str = "unknown"
    why: str = ""  # the verdict's reasons, or the rejection reason


def _ms(value: float | None) -> str:
    """'71 ms', '4.5 ms', or 'unbounded' (a queue that grows without bound)."""
    if value is None:
        return "unbounded"
    return f"{value:,.0f} ms" if abs(value) >= 10 else f"{value:.1f} ms"


def _num(value: float | None) -> str:
    return "?" if value is None else f"{value:g}"


def latency_text(impacts: Impacts) -> str:
    q = impacts.latency_quantile or "p95"
    before = impacts.latency("before")
    if before is None and not impacts.predicts_latency:
        return ""
    target = impacts.latency_target_ms
    text = f"{q} {_ms(before)} -> {_ms(impacts.latency('after'))}"
    return text + (f" (target {_ms(target)})" if target is not None else "")


def accuracy_text(impacts: Impacts) -> str:
    if impacts.accuracy_after is None and impacts.variant_after is None:
        return ""
    metric = impacts.accuracy_metric or "accuracy"
    text = f"{metric} {_num(impacts.accuracy_before)} -> {_num(impacts.accuracy_after)}"
    floor = impacts.accuracy_floor
    return text + (f" (floor {_num(floor)})" if floor is not None else "")


def other_text(impacts: Impacts) -> str:
    parts = []
    rate = impacts.interruption_rate_per_hour
    if rate is not None:
        part = f"{rate * 730:.2g} interruptions/month"
        if impacts.added_wall_time_pct is not None:
            part += f", +{impacts.added_wall_time_pct:.2g}% wall time"
        parts.append(part)
    if impacts.cold_start_s is not None:
        parts.append(f"cold start {impacts.cold_start_s:g} s")
    if impacts.first_byte_ms_after is not None:
        part = f"first byte {_ms(impacts.first_byte_ms_after)}"
        if impacts.retrieval_cost_month is not None:
            part += f", retrieval {impacts.retrieval_cost_month:,.2f}/month"
        parts.append(part)
    return "; ".join(parts)


def tradeoff_summary(rec: Recommendation) -> TradeoffSummary:
    impacts = rec.impacts
    why = rec.rejection_reason or "; ".join(rec.slo.reasons)
    return TradeoffSummary(latency_text(impacts), accuracy_text(impacts), other_text(impacts), rec.slo.status, why)
