"""The trade-off as the reports show it: what each serving change does to p95 and accuracy, and
the headline "N changes keep every target: $X; M would break p95 or accuracy: $Y".

The trade-off step (costopt.tradeoff) fills a recommendation's typed ``impacts``
(:class:`costopt.records.Impacts`); :func:`serving_impact` picks the serving figures, so every
reporter (HTML, Markdown, charts) shows the same ones.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from costopt.audit_extras import FrontierPoint
from costopt.model import Audit, Recommendation
from costopt.reports.fmt import money


@dataclass(frozen=True)
class ServingImpact:
    """Predicted p95 latency and accuracy of a serving change, before and after, against the targets."""

    quantile: str
    latency_before_ms: float | None
    latency_after_ms: float | None
    latency_target_ms: float | None
    accuracy_metric: str
    accuracy_before: float | None
    accuracy_after: float | None
    accuracy_floor: float | None

    @property
    def breaks_latency(self) -> bool:
        return (self.latency_after_ms is not None and self.latency_target_ms is not None
                and self.latency_after_ms > self.latency_target_ms)

    @property
    def breaks_accuracy(self) -> bool:
        return (self.accuracy_after is not None and self.accuracy_floor is not None
                and self.accuracy_after < self.accuracy_floor)

    def text(self) -> str:
        """``p95 65 → 35 ms (target 80); AUC 0.962 → 0.961 (floor 0.955)``."""
        parts = []
        if self.latency_after_ms is not None:
            before = f"{self.latency_before_ms:,.0f} → " if self.latency_before_ms is not None else ""
            target = f" (target {self.latency_target_ms:,.0f})" if self.latency_target_ms is not None else ""
            parts.append(f"{self.quantile} {before}{self.latency_after_ms:,.0f} ms{target}")
        if self.accuracy_after is not None:
            before = f"{self.accuracy_before:.3f} → " if self.accuracy_before is not None else ""
            floor = f" (floor {self.accuracy_floor:.3f})" if self.accuracy_floor is not None else ""
            parts.append(f"{self.accuracy_metric or 'accuracy'} {before}{self.accuracy_after:.3f}{floor}")
        return "; ".join(parts)


def serving_impact(rec: Recommendation) -> ServingImpact | None:
    """The p95/accuracy prediction of a change to a model's serving, or None for other changes."""
    impacts = rec.impacts
    impact = ServingImpact(
        quantile=impacts.latency_quantile or "p95",
        latency_before_ms=impacts.latency("before"),
        latency_after_ms=impacts.latency("after"),
        latency_target_ms=impacts.latency_target_ms,
        accuracy_metric=impacts.accuracy_metric or "accuracy",
        accuracy_before=impacts.accuracy_before,
        accuracy_after=impacts.accuracy_after,
        accuracy_floor=impacts.accuracy_floor,
    )
    if impact.latency_after_ms is None and impact.accuracy_after is None:
        return None
    return impact


def impact_text(rec: Recommendation) -> str:
    impact = serving_impact(rec)
    return impact.text() if impact else ""


@dataclass(frozen=True)
class TradeoffSummary:
    """Serving changes that keep every target (selected) and those that would break one (rejected)."""

    currency: str
    kept: int
    kept_savings: float
    broken: int  # distinct resources whose best rejected change breaks p95 or accuracy
    broken_savings: float  # the largest breaking saving per resource, never alternatives added up
    unverified: int

    def text(self) -> str:
        c = self.currency
        out = f"{self.kept:,} serving change(s) keep every target: {money(self.kept_savings, c)}/month"
        out += f"; {self.broken:,} would break p95 or accuracy: {money(self.broken_savings, c)}/month (not selected)"
        if self.unverified:
            out += f"; {self.unverified:,} could not be verified (not selected)"
        return out


def _best_per_resource(recs: Iterable[Recommendation]) -> dict[str, Recommendation]:
    best: dict[str, Recommendation] = {}
    for r in recs:
        key = r.alternative_group or r.resource_id
        if key not in best or r.monthly_savings > best[key].monthly_savings:
            best[key] = r
    return best


def tradeoff_summary(audit: Audit) -> TradeoffSummary | None:
    """None when the audit has no serving change at all (no targets to weigh)."""
    c = audit.currency
    kept = [r for r in audit.recommendations if r.currency == c and serving_impact(r) and r.slo.status == "ok"]
    judged = [r for r in audit.rejected if r.currency == c and serving_impact(r)]
    broken = _best_per_resource(r for r in judged if r.slo.status == "breach")
    unverified = _best_per_resource(r for r in judged if r.slo.status == "unknown")
    if not (kept or broken or unverified):
        return None
    return TradeoffSummary(c, len(kept), math.fsum(r.monthly_savings for r in kept), len(broken),
                           math.fsum(r.monthly_savings for r in broken.values()), len(unverified))


def frontier_breach(point: FrontierPoint, target_ms: float | None, recs: Mapping[str, Recommendation]) -> str:
    """Why a frontier point is out: "latency", "accuracy", "unverified" or "" (it meets every target)."""
    if point.feasible:
        return ""
    impacts = [serving_impact(recs[i]) for i in point.recommendations if i in recs]
    if any(i is not None and i.breaks_accuracy for i in impacts):
        return "accuracy"
    if point.latency_ms is not None and target_ms is not None and point.latency_ms > target_ms:
        return "latency"
    if any(i is not None and i.breaks_latency for i in impacts):
        return "latency"
    return "unverified"
