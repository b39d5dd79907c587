"""A reporter-friendly view of a recommendation's trade-off impacts.

Reporters show, for every recommendation, the predicted latency before/after against the
target and the accuracy before/after against the floor. The raw figures live in
``Recommendation.impacts`` under these keys (set by :mod:`assess`):

=========================  ===========================================================
``workload``               workload name the resource belongs to
``latency_quantile``       "p95" or "p99": the quantile of the primary latency target
``latency_target_ms``      the target (ms) or None
``p95_ms_before/after``    predicted p95 (ms); after is None when the queue is unbounded
``p99_ms_before/after``    when a p99 target is declared
``headroom_ms_before/after``  target minus the predicted quantile
``utilization_before/after``  G/G/c utilisation at the peak hour
``fit_statistic/fit_ratio``  goodness of fit: observed / model at today's set-up in busy hours;
                           the statistic named with its source, "p95 (CloudWatch extended
                           statistic)" or "Average"; ``fit_ratios`` per statistic (p95, p99)
``latency_stat``           the latency statistics read, e.g. "Average; p50, p95 (...)"
``p95_ms_observed``        busy-hour p95 observed above the target (the change is judged by it)
``service_cv(_basis)``     variability of the service time: config, fitted, or the default
``load_basis/load_note``   requests or utilisation; a note when they disagree > 3x
``performance_risk_basis`` why the candidate's 0-4 performance risk is what it is
``accuracy_before/after``  measured accuracy of the variants (``accuracy_metric``)
``accuracy_floor``         the workload's ``min_accuracy``
``interruption_rate``      spot interruptions per hour; ``added_wall_time_pct`` (training)
``cold_start_s``           scale-to-zero / serverless cold start
``first_byte_ms``          storage tier first-byte latency; ``retrieval_cost_month``
=========================  ===========================================================

:func:`tradeoff_summary` turns them into short strings such as ``"p95 50 ms -> 28 ms (target
80 ms)"`` and ``"AUC 0.962 -> 0.961 (floor 0.955)"`` so every reporter words them alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from costopt.model import Recommendation


@dataclass(frozen=True)
class TradeoffSummary:
    latency: str = ""  # "p95 50 ms -> 28 ms (target 80 ms)"
    accuracy: str = ""  # "AUC 0.962 -> 0.961 (floor 0.955)"
    other: str = ""  # interruptions / cold start / first byte
    verdict: str = "unknown"
    why: str = ""  # the verdict's reasons, or the rejection reason


def _ms(value: Any) -> str:
    """'71 ms', '4.5 ms', or 'unbounded' (a queue that grows without bound)."""
    if value is None:
        return "unbounded"
    if not isinstance(value, (int, float)):
        return str(value)
    return f"{value:,.0f} ms" if abs(value) >= 10 else f"{value:.1f} ms"


def _num(value: Any) -> str:
    return f"{value:g}" if isinstance(value, (int, float)) else "?"


def latency_text(impacts: Mapping[str, Any]) -> str:
    q = impacts.get("latency_quantile") or "p95"
    before, after = f"{q}_ms_before", f"{q}_ms_after"
    if before not in impacts and after not in impacts:
        return ""
    target = impacts.get("latency_target_ms")
    text = f"{q} {_ms(impacts.get(before))} -> {_ms(impacts.get(after))}"
    return text + (f" (target {_ms(target)})" if target is not None else "")


def accuracy_text(impacts: Mapping[str, Any]) -> str:
    if "accuracy_after" not in impacts:
        return ""
    metric = impacts.get("accuracy_metric") or "accuracy"
    text = f"{metric} {_num(impacts.get('accuracy_before'))} -> {_num(impacts.get('accuracy_after'))}"
    floor = impacts.get("accuracy_floor")
    return text + (f" (floor {_num(floor)})" if floor is not None else "")


def other_text(impacts: Mapping[str, Any]) -> str:
    parts = []
    rate = impacts.get("interruption_rate")
    if isinstance(rate, (int, float)):
        part = f"{rate * 730:.2g} interruptions/month"
        if isinstance(impacts.get("added_wall_time_pct"), (int, float)):
            part += f", +{impacts['added_wall_time_pct']:.2g}% wall time"
        parts.append(part)
    if isinstance(impacts.get("cold_start_s"), (int, float)):
        parts.append(f"cold start {impacts['cold_start_s']:g} s")
    if isinstance(impacts.get("first_byte_ms"), (int, float)):
        part = f"first byte {_ms(impacts['first_byte_ms'])}"
        if isinstance(impacts.get("retrieval_cost_month"), (int, float)):
            part += f", retrieval {impacts['retrieval_cost_month']:,.2f}/month"
        parts.append(part)
    return "; ".join(parts)


def tradeoff_summary(rec: Recommendation) -> TradeoffSummary:
    impacts = rec.impacts or {}
    why = rec.rejection_reason or "; ".join(rec.slo.reasons)
    return TradeoffSummary(latency_text(impacts), accuracy_text(impacts), other_text(impacts), rec.slo.status, why)
