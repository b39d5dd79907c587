"""The sections later stages add to an Audit (``Audit.extras``), as typed records.

- ``frontier``: per workload, the savings / latency-headroom points of the trade-off
  (:mod:`costopt.tradeoff.frontier` computes them; :func:`frontiers` types them);
- ``stale_prices``: the price sources older than the staleness limit (:mod:`costopt.price_trust`);
- ``inventory``: the state of each resource, for the next audit to verify applied changes;
- ``history``: the comparison with the previous saved audit (:mod:`costopt.history`).

Frozen, slotted, one spelling per field (the JSON key). ``omitted()`` names the fields left out
of the JSON, so each section keeps the shape its producer has always written (a first audit's
history has no week-over-week figures; a check that never saw the resource has no ``cost_now``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from costopt.sections import JsonRecord


@dataclass(frozen=True, slots=True)
class FrontierPoint(JsonRecord):
    """One candidate set of a workload: its savings, worst predicted latency and headroom."""

    savings: float
    latency_ms: float | None
    headroom_ms: float | None
    recommendations: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    label: str = ""
    feasible: bool = True
    selected: bool = False
    pareto: bool = False


@dataclass(frozen=True, slots=True)
class Frontier(JsonRecord):
    """The frontier of one workload with a latency target."""

    latency_quantile: str
    target_ms: float
    latency_ms_now: float | None
    currency: str
    enumerated: bool
    points: tuple[FrontierPoint, ...] = ()


def frontiers(found: Mapping[str, Mapping[str, Any]]) -> dict[str, Frontier]:
    """The trade-off's frontier (workload -> the JSON-shaped mapping costopt.tradeoff.frontier
    builds) as records; values are kept as computed."""
    return {name: Frontier(**{**f, "points": tuple(
        FrontierPoint(**{**p, "recommendations": tuple(p["recommendations"]), "actions": tuple(p["actions"])})
        for p in f["points"])}) for name, f in found.items()}


@dataclass(frozen=True, slots=True)
class StalePrice(JsonRecord):
    """A price source behind the recommendations that was older than the limit when the audit ran."""

    provider: str
    source: str
    as_of: str
    age_days: int | None
    limit_days: int


@dataclass(frozen=True, slots=True)
class InventoryState(JsonRecord):
    """A resource's state when the audit ran (type, count, pricing, state, monthly cost)."""

    type: str
    count: int
    pricing_model: str
    kind: str
    state: str | None = None
    monthly_cost: float | None = None

    def omitted(self) -> frozenset[str]:
        return frozenset(k for k, v in (("state", self.state), ("monthly_cost", self.monthly_cost)) if v is None)

    def as_map(self) -> dict[str, Any]:
        """The fields recorded (state and cost only when known), to compare a proposal with."""
        left_out = self.omitted()
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in left_out}


@dataclass(frozen=True, slots=True)
class PreviousAudit(JsonRecord):
    """The saved audit this one is compared with."""

    run_at: str
    file: str = ""
    monthly_savings: float = 0.0


@dataclass(frozen=True, slots=True)
class BriefRec(JsonRecord):
    """A recommendation as the history lists it (new ones)."""

    id: str
    rule_id: str
    resource_id: str
    resource_name: str
    action: str
    monthly_savings: float


UNCHECKED = ("unverified", "gone")  # statuses of a resolved recommendation without a cost now


@dataclass(frozen=True, slots=True)
class ResolvedRec(BriefRec):
    """A recommendation open last time and gone now, and whether it was applied."""

    expected_savings: float
    realised_savings: float
    status: str  # applied | not applied | changed, cost not lower | gone | unverified
    cost_now: float | None = None
    detail: str = ""

    def omitted(self) -> frozenset[str]:
        return frozenset({"cost_now"}) if self.status in UNCHECKED else frozenset()


@dataclass(frozen=True, slots=True)
class TrendPoint(JsonRecord):
    """One saved audit in the trend."""

    run_at: str
    weekly_spend: float
    monthly_savings: float
    realised_savings: float
    spend_in_window: float
    recommendations: int


WEEK_FIGURES = frozenset({"weekly_spend", "previous_weekly_spend", "spend_change", "spend_change_pct"})


@dataclass(frozen=True, slots=True)
class HistorySection(JsonRecord):
    """This audit against the previous saved one (``previous`` None: the first of its scope, and
    no week-over-week figures)."""

    previous: PreviousAudit | None = None
    weekly_spend: float | None = None
    previous_weekly_spend: float | None = None
    spend_change: float | None = None
    spend_change_pct: float | None = None
    new: tuple[BriefRec, ...] = ()
    new_savings: float = 0.0
    resolved: tuple[ResolvedRec, ...] = ()
    applied: tuple[ResolvedRec, ...] = ()
    realised_savings: float = 0.0
    realised_total: float = 0.0
    open_since: Mapping[str, str] = field(default_factory=dict)  # recommendation id -> first run_at
    trend: tuple[TrendPoint, ...] = ()

    def omitted(self) -> frozenset[str]:
        return WEEK_FIGURES if self.previous is None else frozenset()


@dataclass(frozen=True, slots=True)
class Extras(JsonRecord):
    """The later stages' sections; an empty one is left out of the JSON (``inventory`` None:
    not recorded, which differs from an empty estate)."""

    frontier: Mapping[str, Frontier] = field(default_factory=dict)
    stale_prices: tuple[StalePrice, ...] = ()
    inventory: Mapping[str, InventoryState] | None = None
    history: HistorySection | None = None

    def omitted(self) -> frozenset[str]:
        return frozenset(k for k, v in (("frontier", self.frontier), ("stale_prices", self.stale_prices))
                         if not v) | frozenset(k for k, v in (("inventory", self.inventory),
                                                              ("history", self.history)) if v is None)
