"""The typed sections of an Audit besides its recommendations: spend, totals, settings and the
gate's budget verdicts (the later stages' sections are in :mod:`costopt.audit_extras`).

Every record is frozen and slotted, with one spelling per field: the JSON key it is written
under (costopt/schemas/audit.schema.json). Producers build them (the spend breakdown in
:mod:`costopt.billing.breakdown`, the totals in :mod:`costopt.totals`, the verdicts in
:mod:`costopt.gate.checks`); reports and the gate read their attributes. The one place they are
rebuilt from JSON is :func:`costopt.audit_io.audit_from_dict`, after the schema check.

``omitted()`` names the fields left out of the JSON when they carry nothing, so a section keeps
the exact shape its producer has always written (an audit without billing data has the short
spend section; settings without team tag keys do not list them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

NOTHING: frozenset[str] = frozenset()
ROW_GROUPS = frozenset({"provider", "account", "service", "category", "charge"})  # and the team


class JsonRecord:
    """Base of the section records: written field by field, in declaration order, except the
    fields :meth:`omitted` names (costopt.audit_io)."""

    __slots__ = ()

    def omitted(self) -> frozenset[str]:
        return NOTHING


@dataclass(frozen=True, slots=True)
class SpendDay(JsonRecord):
    """One row of the daily spend: the cost of one day for one provider/account/service/category/
    charge/team (``cost`` on the audit's cost basis, ``billed`` the billed cost, ``egress`` the
    part of ``cost`` that is data transfer out)."""

    day: str
    provider: str | None = None
    account: str | None = None
    service: str | None = None
    category: str | None = None
    charge: str | None = None
    team: str | None = None
    cost: float = 0.0
    billed: float | None = None
    egress: float | None = None

    def group(self, name: str) -> str | None:
        """The row's value for a group-by / budget scope name (``tag`` and ``team`` mean the team)."""
        if name in ("team", "tag"):
            return self.team
        if name not in ROW_GROUPS:
            raise ValueError(f"a spend row has no group {name!r}")
        return getattr(self, name)  # type: ignore[no-any-return]

    def amount(self, column: str = "cost") -> float:
        """``cost`` (the cost basis) or ``billed``; a missing billed figure counts as 0."""
        if column == "billed":
            return self.billed or 0.0
        if column == "cost":
            return self.cost
        raise ValueError(f"a spend row has no amount {column!r}")


@dataclass(frozen=True, slots=True)
class SpendShare:
    """The spend of one value of a group (a provider, a service...): None = rows without one."""

    name: str | None
    cost: float


SPEND_GROUPS = ("provider", "service", "category", "charge")


@dataclass(frozen=True, slots=True)
class Spend:
    """The audit's spend section (costopt.billing.breakdown.spend_summary).

    ``cost_basis`` is None when no billing data was read: the section is then the short one
    (currency, total, empty lists, egress), as it has always been written.
    """

    currency: str | None = None
    cost_basis: str | None = None
    total: float = 0.0
    billed_total: float = 0.0
    egress: float = 0.0
    first_day: str | None = None
    last_day: str | None = None
    by_provider: tuple[SpendShare, ...] = ()
    by_service: tuple[SpendShare, ...] = ()
    by_category: tuple[SpendShare, ...] = ()
    by_charge: tuple[SpendShare, ...] = ()
    daily: tuple[SpendDay, ...] = ()

    def shares(self, group: str) -> tuple[SpendShare, ...]:
        if group not in SPEND_GROUPS:
            raise ValueError(f"the spend section has no by_{group}")
        return getattr(self, f"by_{group}")  # type: ignore[no-any-return]

    def as_json(self) -> dict[str, Any]:
        shares = {f"by_{g}": [{g: s.name, "cost": s.cost} for s in self.shares(g)] for g in SPEND_GROUPS}
        if self.cost_basis is None:
            return {"currency": self.currency, "total": self.total, "daily": list(self.daily), **shares,
                    "egress": self.egress}
        return {"currency": self.currency, "cost_basis": self.cost_basis, "total": self.total,
                "billed_total": self.billed_total, "egress": self.egress, "first_day": self.first_day,
                "last_day": self.last_day, **shares, "daily": list(self.daily)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Spend:
        """The section from its schema-checked JSON (absent keys take the defaults)."""
        kwargs: dict[str, Any] = {k: data[k] for k in ("currency", "cost_basis", "total", "billed_total", "egress",
                                                       "first_day", "last_day") if k in data}
        for g in SPEND_GROUPS:  # figures kept as written (a whole number stays one when written again)
            kwargs[f"by_{g}"] = tuple(SpendShare(row.get(g), row["cost"]) for row in data.get(f"by_{g}", ()))
        kwargs["daily"] = tuple(SpendDay(**row) for row in data.get("daily", ()))
        return cls(**kwargs)


@dataclass(frozen=True, slots=True)
class CurrencyTotals:
    """The selected recommendations' savings in one currency (written with ``monthly_`` names)."""

    currency: str
    monthly_savings: float = 0.0
    savings_low: float = 0.0
    savings_high: float = 0.0
    priced: int = 0
    investigate: int = 0
    investigate_upper: float = 0.0
    by_family: Mapping[str, float] = field(default_factory=dict)
    by_provider: Mapping[str, float] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"currency": self.currency, "monthly_savings": self.monthly_savings,
                "monthly_savings_low": self.savings_low, "monthly_savings_high": self.savings_high,
                "priced": self.priced, "investigate": self.investigate, "investigate_upper": self.investigate_upper,
                "by_family": dict(self.by_family), "by_provider": dict(self.by_provider)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CurrencyTotals:
        names = {"monthly_savings_low": "savings_low", "monthly_savings_high": "savings_high"}
        kwargs: dict[str, Any] = {names.get(k, k): (dict(v) if isinstance(v, Mapping) else v) for k, v in data.items()}
        return cls(**kwargs)


@dataclass(frozen=True, slots=True)
class Totals(JsonRecord):
    """The ``Audit.totals`` section (costopt.totals.build_totals): the billing currency's figures
    at the top, every currency's under ``by_currency``."""

    currency: str | None = None
    monthly_savings: float = 0.0
    monthly_savings_low: float = 0.0
    monthly_savings_high: float = 0.0
    investigate: int = 0
    investigate_upper: float = 0.0
    recommendations: int = 0
    rejected: int = 0
    spend_in_window: float = 0.0
    spend_days: int = 0
    run_rate_days: int = 0
    monthly_run_rate: float = 0.0
    savings_share_of_run_rate: float | None = None
    by_family: Mapping[str, float] = field(default_factory=dict)
    by_provider: Mapping[str, float] = field(default_factory=dict)
    by_currency: tuple[CurrencyTotals, ...] = ()


@dataclass(frozen=True, slots=True)
class AuditSettings(JsonRecord):
    """The settings an audit ran with, as its reports need them."""

    lookback_days: float | None = None
    slo_policy: str | None = None
    config: str | None = None
    team_tag_keys: tuple[str, ...] = ()

    def omitted(self) -> frozenset[str]:
        unset = {k for k, v in (("lookback_days", self.lookback_days), ("slo_policy", self.slo_policy),
                                ("config", self.config)) if v is None}
        return frozenset(unset | (set() if self.team_tag_keys else {"team_tag_keys"}))


STATUS_VALUES = ("pass", "warn", "fail", "skipped")  # a budget check's verdicts


@dataclass(frozen=True, slots=True)
class CheckResult(JsonRecord):
    """The verdict of one budget check (costopt.gate), with the amounts behind it.

    ``details`` are the facts of the check's kind (month: from, to, as_of, basis...; growth: the
    two weeks; unrealised savings: the ids): an open table, written to JSON and never read back
    by a reporter.
    """

    id: str
    scope: str
    scope_kind: str
    period: str
    status: str  # pass | warn | fail | skipped
    unit: str  # the currency, "%" for growth, "<currency>/month" for unrealised savings
    actual: float | None
    forecast: float | None
    warn: float | None
    fail: float | None
    message: str
    name: str = ""
    key: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)
