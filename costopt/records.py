"""The typed contract between rules, the trade-off and the reporters: Current, Proposal, Impacts.

A :class:`~costopt.model.Recommendation` says what its resource is now (``current``: a
:class:`Current`), what to change (``proposed``: a :class:`Proposal`) and what the change is
predicted to do (``impacts``: an :class:`Impacts`).
Rules fill both; the trade-off step (:mod:`costopt.tradeoff.assess`) adds its predictions to
``impacts``; reports and the gate read the fields, never string keys. Each field has one
spelling and one unit; None (or an empty tuple) means "not said".

Building one from a plain mapping (a rule written against the older dict form, a test fixture)
goes through :meth:`Proposal.of` / :meth:`Impacts.of`: unknown keys are a ``TypeError`` naming
the key, so a misspelt field never passes silently::

    proposed=Proposal.of({"type": "m5.large", "count": 2})   # same as Proposal(type="m5.large", count=2)

Saved audits are read back by :mod:`costopt.audit_io` (the one place JSON values are parsed).

Both records are sparse: an instance stores only the fields given a value other than the
default, and an unset field reads the default from the class (:func:`_sparse`). A rule makes
~100k of them on a large estate: 80 stored Nones per Impacts would cost ~1.5 KB and ~6 us each.
Type checkers still see the dataclass constructor (field names and types are checked).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from typing import Any, Self, TypeVar

T = TypeVar("T")

# Proposal.state values meaning the resource goes away (or stops serving).
REMOVED_STATES = frozenset({"stopped", "deleted", "released", "terminated"})


class _Record:
    """What the typed records share: being built from a mapping of their field names."""

    __dataclass_fields__: Any

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> Self:
        """A record from a mapping of field names (TypeError naming an unknown key)."""
        known = cls.__dataclass_fields__
        unknown = sorted(k for k in values if k not in known)
        if unknown:
            raise TypeError(f"{cls.__name__} has no field {unknown[0]!r} (fields: {', '.join(sorted(known))})")
        return cls(**values)


def _sparse(cls: type[T]) -> type[T]:
    """Replace a frozen dataclass's ``__init__`` by one that stores only the keyword arguments
    that differ from their field's default (an unset field reads the class attribute, which is
    that default: every default here is None, () or False). Equality, repr, ``fields`` and
    ``replace`` behave as for any dataclass; positional arguments are not accepted."""
    defaults = {f.name: f.default for f in fields(cls)}  # type: ignore[arg-type]
    name = cls.__name__

    def __init__(self: Any, **values: Any) -> None:
        stored = self.__dict__
        for key, value in values.items():
            if key not in defaults:
                raise TypeError(f"{name}.__init__() got an unexpected keyword argument {key!r}")
            default = defaults[key]
            if value is not default and value != default:
                stored[key] = value

    cls.__init__ = __init__  # type: ignore[method-assign, misc]
    return cls


def said(record: Any) -> dict[str, Any]:
    """The fields a record actually says (not None, not an empty tuple), in field order."""
    out: dict[str, Any] = {}
    for f in fields(record):
        value = getattr(record, f.name)
        if value is not f.default and value != f.default:  # None, (), False: not said
            out[f.name] = value
    return out


def plain(record: Any) -> dict[str, Any]:
    """The fields a record says as JSON-ready values (tuples as lists, nested records as dicts)."""
    out: dict[str, Any] = {}
    for name, value in said(record).items():
        if isinstance(value, (Current, Proposal, Impacts)):
            value = plain(value)
        elif isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, Mapping):
            value = dict(value)
        out[name] = value
    return out


@dataclass(frozen=True)
class _Compute(_Record):
    """The compute shape both sides of a change name: the instance (or database class, volume
    type) and how many, with the hardware of one. On a :class:`Proposal` these are the values
    after the change (``count = 0`` removes them); on a :class:`Current`, now."""

    type: str | None = None
    count: int | None = None
    vcpu: int | None = None
    memory_gib: float | None = None
    gpu_count: int | None = None
    gpu_model: str | None = None
    gpu_memory_gib: float | None = None


@_sparse
@dataclass(frozen=True)
class Proposal(_Compute):
    """What a recommendation proposes. Only the fields that apply to the change are set."""

    variant: str | None = None  # the model variant served after the change
    # removal: "stopped", "deleted", "released" (REMOVED_STATES); ``keeps`` what is kept
    state: str | None = None
    keeps: str | None = None  # "snapshot", "config", "final snapshot"
    # autoscaling: the range (a minimum of 0 scales to zero), the policy's target and lag
    count_min: int | None = None
    count_max: int | None = None
    count_mean: float | None = None
    target_utilization: float | None = None
    scale_out_lag_hours: int | None = None
    serverless: bool = False
    # schedules: running hours per week between ``start`` and ``stop`` (UTC, "Mon 08:00")
    hours_per_week: int | None = None
    start: str | None = None
    stop: str | None = None
    # purchase options
    pricing_model: str | None = None  # "spot" ...
    spot_count: int | None = None
    on_demand_base: int | None = None
    commitment: str | None = None  # "4 x m5.large"
    commitment_per_hour: float | None = None
    on_demand_equivalent_per_hour: float | None = None
    term: str | None = None
    payment: str | None = None
    upfront: float | None = None
    # storage, databases, network
    storage_class: str | None = None
    lifecycle: str | None = None
    gb_moved: float | None = None
    after_days: int | None = None
    storage_type: str | None = None
    size_gb: float | None = None
    multi_az: bool | None = None
    region: str | None = None
    gateway_endpoints: tuple[str, ...] = ()
    # ML platform: notebooks / compute instances, clusters, training, hyperparameter searches
    idle_shutdown: str | None = None
    idle_timeout_hours: float | None = None
    min_nodes: int | None = None
    checkpoint: str | None = None  # "keep" / "add"
    early_stopping: str | None = None
    max_parallel: int | None = None
    gpus_total: int | None = None
    # money targets of findings that are not one resource's change
    monthly_cost: float | None = None
    weekly_cost: float | None = None

    @property
    def removes(self) -> bool:
        """The change removes (or stops) the capacity: ``count = 0`` or a removed state."""
        return self.count == 0 or self.state in REMOVED_STATES

    @property
    def scales_to_zero(self) -> bool:
        """Capacity can reach zero: serverless, or an autoscaling minimum of 0."""
        return self.serverless or self.count_min == 0

    @property
    def autoscaled(self) -> bool:
        return self.count_min is not None or self.count_max is not None

    def items(self) -> list[tuple[str, Any]]:
        """(field, value) for the fields this proposal sets."""
        return list(said(self).items())


@_sparse
@dataclass(frozen=True)
class Impacts(_Record):
    """What a change is predicted to do. Rules set their own figures; the trade-off adds the
    latency and accuracy predictions (see :mod:`costopt.tradeoff.predict`) and the verdict's
    basis. Latency in ms, utilisation as a fraction, shares as fractions unless named ``_pct``."""

    # the workload and its declared targets ("p95 <= 80 ms", "AUC >= 0.955")
    workload: str | None = None
    workload_targets: tuple[str, ...] = ()
    evaluated_for: str | None = None  # a group member's change is predicted at the group
    # latency (G/G/c): the primary quantile ("p95"/"p99"), its target and predictions
    latency_quantile: str | None = None
    latency_target_ms: float | None = None
    p95_ms_before: float | None = None
    p95_ms_after: float | None = None  # None with a latency prediction = unbounded queue
    p99_ms_before: float | None = None
    p99_ms_after: float | None = None
    p95_ms_observed: float | None = None  # busy-hour p95 observed above the target
    p99_ms_observed: float | None = None
    headroom_ms_before: float | None = None
    headroom_ms_after: float | None = None
    utilization_before: float | None = None
    utilization_after: float | None = None
    servers_before: int | None = None
    servers_after: int | None = None
    servers_after_min: int | None = None
    scale_out_lag_hours: int | None = None
    peak_rps: float | None = None
    load_basis: str | None = None
    load_note: str | None = None
    service_ms_before: float | None = None
    service_ms_after: float | None = None
    service_cv: float | None = None
    service_cv_basis: str | None = None
    service_time_basis: str | None = None
    latency_basis: str | None = None  # same-hardware / measured / hardware-table / catalog / ...
    latency_basis_detail: str | None = None
    latency_stat: str | None = None
    latency_model: str | None = None
    observation_notes: tuple[str, ...] = ()
    # goodness of fit: observed / model at today's set-up in the busy hours
    fit_statistic: str | None = None
    fit_observed_ms: float | None = None
    fit_model_ms: float | None = None
    fit_ratio: float | None = None
    fit_ratios: Mapping[str, float] | None = None
    # hardware scaling
    hardware_bound: str | None = None
    hardware_sources: tuple[str, ...] = ()
    hardware_compute_ratio: float | None = None
    hardware_memory_ratio: float | None = None
    # accuracy of the model variants
    accuracy_metric: str | None = None
    accuracy_before: float | None = None
    accuracy_after: float | None = None
    accuracy_delta: float | None = None
    accuracy_floor: float | None = None
    variant_before: str | None = None
    variant_after: str | None = None
    # spot: interruptions and the work they cost; the on-demand base alone if spot is reclaimed
    interruption_rate_per_hour: float | None = None
    interruption_rate_source: str | None = None
    interruptions_per_month: float | None = None
    checkpoint_interval_min: float | None = None
    restart_overhead_min: float | None = None
    added_wall_time_pct: float | None = None
    spot_share: float | None = None
    if_spot_reclaimed: Impacts | None = None
    # scale to zero, schedules
    cold_start_s: float | None = None
    cold_starts_per_month: float | None = None
    cold_start_request_share: float | None = None
    unavailable_hours_per_week: float | None = None
    start_delay_s: float | None = None
    off_hours_share: float | None = None
    interruptions_per_job: float | None = None
    trial_hours_saved_per_month: float | None = None
    # storage tiers
    first_byte_ms_before: float | None = None
    first_byte_ms_after: float | None = None
    retrieval_per_gb: float | None = None
    retrieval_gb_month: float | None = None
    retrieval_cost_month: float | None = None
    min_storage_days: float | None = None
    read_by: tuple[str, ...] = ()
    # sizing figures of the rules
    projected_cpu_peak: float | None = None
    projected_gpu_utilization: float | None = None
    vcpu_before: int | None = None
    vcpu_after: int | None = None
    gpus_before: int | None = None
    gpus_after: int | None = None
    baseline_iops_before: float | None = None
    baseline_iops_after: float | None = None
    # why the 0-4 performance risk is what it is
    performance_risk_basis: str | None = None

    def latency(self, when: str, quantile: str | None = None) -> float | None:
        """The predicted latency at ``quantile`` (default: the primary one) ``before``/``after``."""
        q = quantile or self.latency_quantile or "p95"
        value: float | None = getattr(self, f"{q}_ms_{when}", None)
        return value

    @property
    def predicts_latency(self) -> bool:
        """Whether the trade-off predicted the latency after the change (None after = unbounded)."""
        return self.servers_after is not None

    @property
    def targeted(self) -> bool:
        """Whether the workload declares a latency or accuracy target."""
        return bool(self.workload_targets) or self.latency_target_ms is not None or self.accuracy_floor is not None

    def items(self) -> list[tuple[str, Any]]:
        """(field, value) for the figures these impacts set."""
        return list(said(self).items())


@_sparse
@dataclass(frozen=True)
class Current(_Compute, Mapping[str, Any]):
    """What a recommendation's resource (or spend) is now: the side its :class:`Proposal` changes.

    Fields a Proposal also has keep its name and unit (``type``, ``count``, ``size_gb``...), so
    "now -> after" pairs line up. It reads as a mapping of the fields it says (in field order):
    reports list it as pairs, and ``current.get("type")`` still answers.
    """

    gpus_total: int | None = None
    variant: str | None = None
    pricing_model: str | None = None
    state: str | None = None  # "running", "available"
    status: str | None = None  # the provider's own status word
    hourly_cost: float | None = None
    hours_per_week: int | None = None
    jobs: int | None = None
    # storage, databases, network
    storage_class: str | None = None
    storage_type: str | None = None
    size_gb: float | None = None
    version: str | None = None  # object versions: "current", "noncurrent", "all"
    age_days: float | None = None
    lifecycle_rules: int | None = None
    lifecycle_covers: str | None = None
    engine: str | None = None
    multi_az: bool | None = None
    environment: str | None = None
    public_ip: str | None = None
    associated: bool | None = None
    region: str | None = None
    data_region: str | None = None
    gb_per_month: float | None = None
    gb_to_gateway_destinations: float | None = None
    services: str | None = None
    # ML platform
    idle_shutdown: str | None = None
    app_type: str | None = None
    min_nodes: int | None = None
    strategy: str | None = None
    early_stopping: str | None = None
    max_parallel: int | None = None
    max_jobs: int | None = None
    # commitments: the usage they would cover and what already covers it
    on_demand_per_hour_p50: float | None = None
    on_demand_instances_p50: float | None = None
    existing_committed_spend: float | None = None
    existing_reserved: int | None = None
    resources: tuple[str, ...] = ()
    # money
    monthly_cost: float | None = None
    weekly_cost: float | None = None

    def __getitem__(self, key: str) -> Any:
        value = self.__dict__.get(key)  # sparse: only the fields given a value are stored
        if value is None or value.__class__ is tuple and not value:
            raise KeyError(key)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(said(self))

    def __len__(self) -> int:
        return len(said(self))


NO_PROPOSAL = Proposal()
NO_IMPACTS = Impacts()
NO_CURRENT = Current()

__all__ = ["Current", "Proposal", "Impacts", "NO_CURRENT", "NO_PROPOSAL", "NO_IMPACTS", "REMOVED_STATES", "said",
           "plain"]
