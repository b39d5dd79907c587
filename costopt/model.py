"""The nouns of costopt: Resource, MetricSeries, Snapshot, Recommendation, Audit.

Everything here is plain, frozen data. Providers build Snapshots; rules read them and
emit Recommendations; the trade-off step sets their SLO verdicts; the engine wraps the
result into an Audit, which is the one value reporters, the gate and history consume.

Money is kept at full precision in the data's currency; monthly = hourly x HOURS_PER_MONTH
unless the data says otherwise. Rounding happens only when printing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from datetime import UTC, datetime
from typing import Any, TypeVar

import numpy as np

from costopt.audit_extras import Extras
from costopt.evidence import NO_EVIDENCE, Evidence
from costopt.records import NO_CURRENT, NO_IMPACTS, NO_PROPOSAL, Current, Impacts, Proposal
from costopt.sections import AuditSettings, CheckResult, Spend, Totals

HOURS_PER_MONTH = 730.0

RESOURCE_KINDS = frozenset(
    {
        "vm", "gpu_vm", "volume", "snapshot", "bucket", "endpoint", "autoscaling_group",
        "training_job", "nat_gateway", "address", "database", "notebook", "disk",
        "storage_account", "training_run", "tuning_job", "ml_app", "ml_cluster", "other",
    }
)
PRICING_MODELS = frozenset({"on_demand", "spot", "reserved", "savings_plan", "committed"})
WORKLOAD_KINDS = frozenset({"training", "inference", "batch", "notebook", "data", "dev"})
SLO_STATUSES = ("ok", "breach", "unknown", "n/a")  # n/a: the change cannot touch serving


def utc(dt: datetime) -> datetime:
    """Return ``dt`` as an aware UTC datetime (naive values are taken as UTC)."""
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


@dataclass(frozen=True)
class Window:
    """The half-open time range [start, end) an audit looks at."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", utc(self.start))
        object.__setattr__(self, "end", utc(self.end))
        if self.end <= self.start:
            raise ValueError(f"window end {self.end.isoformat()} is not after start {self.start.isoformat()}")

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600.0

    @property
    def days(self) -> float:
        return self.hours / 24.0


@dataclass(frozen=True)
class Resource:
    """One billable thing a provider reported: a VM, a volume, a bucket, an endpoint...

    ``specs`` holds hardware facts (vcpu, memory_gib, gpu_count, gpu_model, gpu_memory_gib,
    architecture); ``attributes`` holds kind-specific facts a rule needs (e.g. ``attached``
    for volumes, ``size_gb``, ``state``, ``lifecycle_rules``, ``variants`` for endpoints).
    ``hourly_cost`` is what the resource costs now, per hour, in ``currency`` (None = unknown).
    """

    provider: str
    account: str
    region: str
    id: str
    kind: str
    type: str = ""
    name: str = ""
    count: int = 1
    pricing_model: str = "on_demand"
    hourly_cost: float | None = None
    currency: str = "USD"
    tags: Mapping[str, str] = field(default_factory=dict)
    workload: str | None = None
    created: datetime | None = None
    specs: Mapping[str, Any] = field(default_factory=dict)
    attributes: Mapping[str, Any] = field(default_factory=dict)

    @property
    def monthly_cost(self) -> float | None:
        return None if self.hourly_cost is None else self.hourly_cost * HOURS_PER_MONTH

    def tag(self, key: str, default: str | None = None) -> str | None:
        return self.tags.get(key, default)


@dataclass(frozen=True, eq=False)
class MetricSeries:
    """Points of one metric of one resource at a fixed period.

    ``timestamps`` are epoch seconds (int64), ``values`` float64 or float32 (float32 is kept
    as is: half the memory for large estates; anything else becomes float64); both numpy
    arrays of the same length. Arrays already of the right dtype are shared, not copied, so
    many series may share one timestamps array. ``stat`` says how each point was aggregated
    over its period (Maximum, Average, Sum, or a request percentile such as p95 when the
    provider publishes one: CloudWatch extended statistics, Cloud Monitoring distributions).
    Utilisation percentiles over the window are computed by costopt from these points.
    Metric names: cpu, memory, gpu, gpu_memory, requests, latency_ms, overhead_latency_ms,
    network_in, network_out, bytes_stored, objects, gets, nat_bytes (see DESIGN §3).
    """

    resource_id: str
    metric: str
    unit: str
    period_s: int
    timestamps: np.ndarray
    values: np.ndarray
    stat: str = "Maximum"
    dimensions: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        ts = np.asarray(self.timestamps, dtype=np.int64)
        vs = np.asarray(self.values)
        if vs.dtype != np.float32:
            vs = np.asarray(vs, dtype=np.float64)
        if ts.shape != vs.shape:
            raise ValueError(f"metric {self.metric} of {self.resource_id}: {ts.size} timestamps but {vs.size} values")
        object.__setattr__(self, "timestamps", ts)
        object.__setattr__(self, "values", vs)

    def __len__(self) -> int:
        return int(self.values.size)


@dataclass(frozen=True)
class CoverageEntry:
    """What a provider read (or failed to read) for one scope: provider/account/region/service."""

    provider: str
    scope: str
    status: str  # "ok" | "failed" | "partial" | "skipped"
    detail: str = ""
    error_code: str = ""
    fix: str = ""


@dataclass(frozen=True)
class Snapshot:
    """Everything one audit knows: window, inventory, metrics, billing, coverage.

    ``billing`` is a :class:`costopt.billing.table.BillingTable` (a FOCUS-shaped DuckDB
    view) or None when no billing data was read.
    """

    window: Window
    resources: tuple[Resource, ...] = ()
    metrics: tuple[MetricSeries, ...] = ()
    billing: Any = None
    coverage: tuple[CoverageEntry, ...] = ()
    prices: tuple[PriceSource, ...] = ()

    def resource(self, resource_id: str) -> Resource | None:
        for r in self.resources:
            if r.id == resource_id:
                return r
        return None


@dataclass(frozen=True)
class PriceSource:
    """Where a set of prices came from and when (shown in the report's methodology)."""

    provider: str
    source: str
    as_of: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class SloVerdict:
    """Whether a candidate still meets its workload's targets: ok / breach / unknown, or n/a for a
    change that cannot touch serving (an unattached disk, a released address)."""

    status: str = "unknown"
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Recommendation:
    """One priced, evidenced change to one resource (or scope, for commitments).

    Slotted: a copy is one object without a ``__dict__`` (the trade-off copies every candidate
    once or twice; at 100k resources the cyclic GC's passes over those copies cost seconds).

    ``proposed`` says what to change (:class:`~costopt.records.Proposal`); ``evidence`` holds
    the statistics used (:class:`~costopt.evidence.Evidence`: percentiles, sample counts, the
    prices); ``impacts`` the predicted effects (:class:`~costopt.records.Impacts`: p95 latency before/after, accuracy before/after,
    interruption rate, cold start...). ``apply`` is the concrete CLI or console step.
    """

    id: str
    rule_id: str
    resource_id: str
    action: str
    provider: str = ""
    account: str = ""
    region: str = ""
    resource_kind: str = ""
    resource_name: str = ""
    current: Current = NO_CURRENT
    proposed: Proposal = NO_PROPOSAL
    monthly_cost_before: float = 0.0
    monthly_cost_after: float = 0.0
    monthly_savings: float = 0.0
    savings_low: float = 0.0
    savings_high: float = 0.0
    currency: str = "USD"
    confidence: str = "medium"  # low | medium | high
    performance_risk: int = 0  # 0..4
    evidence: Evidence = NO_EVIDENCE
    impacts: Impacts = NO_IMPACTS
    slo: SloVerdict = field(default_factory=SloVerdict)
    effort: str = "low"  # low | medium | high
    rationale: str = ""
    apply: str = ""
    tags: Mapping[str, str] = field(default_factory=dict)
    workload: str | None = None
    alternative_group: str = ""  # candidates sharing a group are exclusive alternatives
    status: str = "candidate"  # candidate | selected | rejected
    rejection_reason: str = ""

    @property
    def family(self) -> str:
        return self.rule_id.split(".", 1)[0]


T = TypeVar("T")


def evolve(record: T, **changes: Any) -> T:
    """A copy of a frozen record with ``changes``, like ``dataclasses.replace`` but without
    running ``__init__`` again (several times faster: the trade-off copies every candidate a
    few times). Only for records whose fields need no checking (no ``__post_init__``)."""
    copier = _COPIERS.get(type(record))
    if copier is None:
        copier = _COPIERS[type(record)] = _copier(type(record))
    return copier(record, changes)  # type: ignore[no-any-return]


_COPIERS: dict[type, Callable[[Any, dict[str, Any]], Any]] = {}


def _unknown_field(cls: type, changes: dict[str, Any]) -> TypeError:
    name = next(name for name in changes if name not in cls.__dataclass_fields__)  # type: ignore[attr-defined]
    return TypeError(f"{cls.__name__} has no field {name!r}")


def _copier(cls: type) -> Callable[[Any, dict[str, Any]], Any]:
    """How :func:`evolve` copies a record of ``cls``: its ``__dict__`` updated, or for a slotted
    class a function copying it field by field (a field in ``changes`` takes that value),
    generated once per class like the dataclass's own ``__init__`` (a loop over the fields
    costs half as much again per copy)."""
    names = [f.name for f in dataclass_fields(cls)]
    env: dict[str, Any] = {"_new": object.__new__, "_cls": cls, "_fields": frozenset(names),
                           "_unknown": _unknown_field}
    if "__slots__" in cls.__dict__:
        # every slot copied, then the changed ones set again (a quarter cheaper than testing
        # each field against ``changes``); the slot's descriptor bypasses the frozen __setattr__
        # (a field of a slotted base class has its descriptor on that base)
        env["_setters"] = {name: next(k.__dict__[name] for k in cls.__mro__ if name in k.__dict__).__set__
                           for name in names}
        lines = ["def copy(record, changes):", "    new = _new(_cls)"]
        for i, name in enumerate(names):
            env[f"_set{i}"] = env["_setters"][name]
            lines.append(f"    _set{i}(new, record.{name})")
        lines += ["    try:", "        for name, value in changes.items():", "            _setters[name](new, value)",
                  "    except KeyError:", "        raise _unknown(_cls, changes) from None"]
    else:
        lines = ["def copy(record, changes):", "    if not changes.keys() <= _fields:",
                 "        raise _unknown(_cls, changes)", "    new = _new(_cls)",
                 "    new.__dict__.update(record.__dict__, **changes)"]
    lines.append("    return new")
    exec("\n".join(lines), env)  # noqa: S102 - generated from the class's own field names
    copier: Callable[[Any, dict[str, Any]], Any] = env["copy"]
    return copier


def recommendation_id(rule_id: str, resource_id: str, action: str) -> str:
    """Stable id: the same rule, resource and action give the same id week after week."""
    digest = hashlib.sha256(f"{rule_id}\x1f{resource_id}\x1f{action}".encode()).hexdigest()
    return f"rec-{digest[:16]}"


@dataclass(frozen=True)
class Skip:
    """A resource a rule looked at but could not judge, and why (shown in the report)."""

    rule_id: str
    resource_id: str
    reason: str


@dataclass(frozen=True)
class Audit:
    """The result of one run: one serialisable value (see costopt/schemas/audit.schema.json).

    Every section is a typed record: ``spend`` the breakdown (:class:`~costopt.sections.Spend`,
    costopt.billing.breakdown.spend_summary); ``totals`` the savings totals (selected only,
    alternatives never added up; :class:`~costopt.sections.Totals`); ``budgets`` the gate's
    verdicts; ``extras`` the sections later stages add (:class:`~costopt.audit_extras.Extras`:
    history comparison, frontier, stale prices, inventory); ``settings`` what the reports need
    of the settings the audit ran with.
    """

    run_at: datetime
    window: Window
    currency: str
    coverage: tuple[CoverageEntry, ...] = ()
    spend: Spend = field(default_factory=Spend)
    recommendations: tuple[Recommendation, ...] = ()
    rejected: tuple[Recommendation, ...] = ()
    skipped: tuple[Skip, ...] = ()
    totals: Totals = field(default_factory=Totals)
    prices: tuple[PriceSource, ...] = ()
    budgets: tuple[CheckResult, ...] = ()
    extras: Extras = field(default_factory=Extras)
    settings: AuditSettings = field(default_factory=AuditSettings)
    schema_version: str = "1.4"
