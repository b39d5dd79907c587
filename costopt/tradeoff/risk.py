"""Performance risk 0-4 per candidate, from its predicted headroom and the evidence behind it.

The scale is AWS Compute Optimizer's: 0 = the change is predicted to always keep enough
capacity, 4 = very likely to hurt the workload. The trade-off step replaces the rule's
guess with a score for the candidate at hand:

* a breach is 4; an unknown verdict on a workload with a latency or accuracy target is 3
  (nothing vouches for it); a change that cannot touch serving (n/a) is 0;
* with a latency prediction, the headroom left at the target's quantile decides the base:
  at least half the target left is 0, 30 % is 1, 15 % is 2, less is 3;
* weaker evidence adds to it: a service time carried to other hardware by the hardware table
  or the catalog (+1; +2 between a GPU and a CPU), and a model that no observed latency could
  check (no busy-hour statistic, +1);
* a variant switch judged on accuracy alone (no latency target) that meets its floor is 1.

Estimates across hardware also lower the confidence: to medium from the table or catalog, to
low between a GPU and a CPU; an unchecked model caps it at medium. A measured profile in
config carries no such penalty. Candidates the trade-off has nothing to say about keep the rule's figures.
"""

from __future__ import annotations

from costopt.model import Recommendation, SloVerdict, evolve
from costopt.records import Impacts

HEADROOM_STEPS = ((0.5, 0), (0.3, 1), (0.15, 2))  # (share of the target left, risk) best first
CONFIDENCE_ORDER = ("low", "medium", "high")
# latency_basis -> (risk added, confidence at most, why)
HARDWARE_ESTIMATES = {
    "hardware-table": (1, "medium", "service time on other hardware estimated from the hardware table (+1)"),
    "catalog": (1, "medium", "service time on other hardware estimated from catalog speeds (+1)"),
    "estimate-cross-hardware": (2, "low", "GPU/CPU service time estimated from the hardware table (+2)"),
}


def _cap(confidence: str, most: str) -> str:
    if confidence in CONFIDENCE_ORDER and CONFIDENCE_ORDER.index(confidence) > CONFIDENCE_ORDER.index(most):
        return most
    return confidence


def _headroom_share(impacts: Impacts) -> float | None:
    target, after = impacts.latency_target_ms, impacts.latency("after")
    if target is None or target <= 0 or after is None:
        return None
    return (target - after) / target


def _base(status: str, impacts: Impacts, targeted: bool) -> tuple[int, str] | None:
    if status == "breach":
        return 4, "breaches a target"
    if status == "n/a":
        return 0, "cannot touch serving"
    if status == "unknown":
        return (3, "cannot be verified against the workload's targets") if targeted else None
    share = _headroom_share(impacts)
    if share is not None:
        risk = next((r for floor, r in HEADROOM_STEPS if share >= floor), 3)
        return risk, f"{impacts.latency_quantile or 'p95'} headroom {share:.0%} of the target"
    if impacts.accuracy_after is not None and impacts.accuracy_floor is not None:
        return 1, "accuracy meets the floor (no latency target)"
    return None


def risk_of(status: str, impacts: Impacts, confidence: str, targeted: bool) -> tuple[int, str, str] | None:
    """(performance risk, confidence, why) of a change with this verdict and these impacts
    (None: the trade-off has nothing to say, the rule's figures stay)."""
    base = _base(status, impacts, targeted)
    if base is None:
        return None
    risk, why = base
    parts = [why]
    estimate = HARDWARE_ESTIMATES.get(impacts.latency_basis or "")
    if estimate is not None and status != "n/a":
        added, most, text = estimate
        risk += added if status == "ok" else 0
        parts.append(text)
        confidence = _cap(confidence, most)
    if status == "ok" and _headroom_share(impacts) is not None and impacts.fit_ratio is None:
        risk += 1
        parts.append("no observed latency to check the model against (+1)")
        confidence = _cap(confidence, "medium")
    return max(0, min(4, risk)), confidence, "; ".join(parts)


def judged(rec: Recommendation, impacts: Impacts, slo: SloVerdict, targeted: bool) -> Recommendation:
    """``rec`` with these impacts and verdict and the risk they imply, in one copy."""
    risk = risk_of(slo.status, impacts, rec.confidence, targeted)
    if risk is None:
        return evolve(rec, impacts=impacts, slo=slo)
    return evolve(rec, impacts=evolve(impacts, performance_risk_basis=risk[2]), slo=slo, performance_risk=risk[0],
                  confidence=risk[1])


def with_risk(rec: Recommendation, targeted: bool) -> Recommendation:
    """The candidate with ``performance_risk`` (and confidence) from its trade-off evidence."""
    risk = risk_of(rec.slo.status, rec.impacts, rec.confidence, targeted)
    if risk is None:
        return rec
    return evolve(rec, performance_risk=risk[0], confidence=risk[1],
                  impacts=evolve(rec.impacts, performance_risk_basis=risk[2]))
