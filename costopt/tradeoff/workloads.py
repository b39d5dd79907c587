"""The data model of workloads and model variants (parsed by :mod:`targets`, filled from tags
by :mod:`tags`): what a set of resources serves, the targets it keeps, and the variants of
its model with their accuracy and compute."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ModelVariant:
    """One way of serving a model: its accuracy and what it costs in compute."""

    model: str
    name: str
    accuracy: float | None = None
    relative_compute: float = 1.0
    throughput_rps: Mapping[str, float] = field(default_factory=dict)
    latency_ms: float | None = None
    runs_on_cpu: bool = False
    description: str = ""
    precision: str = "fp32"  # fp32 | fp16 | int8: which throughput of the hardware table applies


@dataclass(frozen=True)
class Profile:
    """A measured profile of one variant on one instance type (``[models.NAME.profiles.TYPE]``)."""

    type: str
    p50_ms: float | None = None  # latency of one request at low load
    throughput_rps: float | None = None  # requests per second one instance sustains
    variant: str | None = None  # None = the model's current variant


@dataclass(frozen=True)
class Model:
    name: str
    variants: Mapping[str, ModelVariant] = field(default_factory=dict)
    current: str | None = None
    accuracy_metric: str = ""
    bound: str | None = None  # memory | compute | conservative; None = TradeoffParams.hardware_bound
    profiles: Mapping[str, Profile] = field(default_factory=dict)  # instance type -> profile

    def profile(self, type_: str, variant: ModelVariant | None,
                deployed: ModelVariant | None = None) -> Profile | None:
        """The measured profile of ``variant`` on ``type_``; a profile that names no variant is
        the deployed variant's (``deployed``, else the model's current one)."""
        prof = self.profiles.get(type_)
        if prof is None or variant is None:
            return prof
        owner = prof.variant or (deployed or self.current_variant() or variant).name
        return prof if owner == variant.name else None

    def current_variant(self, override: str | None = None) -> ModelVariant | None:
        name = override or self.current
        if name and name in self.variants:
            return self.variants[name]
        reference = [v for v in self.variants.values() if v.relative_compute == 1.0]
        if reference:
            return reference[0]
        with_acc = [v for v in self.variants.values() if v.accuracy is not None]
        return max(with_acc, key=lambda v: v.accuracy or 0.0) if with_acc else None


@dataclass(frozen=True)
class Workload:
    """What a set of resources does and the targets it must keep."""

    name: str
    kind: str | None = None
    resources: tuple[str, ...] = ()
    model: str | None = None
    variant: str | None = None
    latency_targets_ms: Mapping[float, float] = field(default_factory=dict)  # quantile -> ms
    min_accuracy: float | None = None
    accuracy_metric: str = ""
    interruptible: bool | None = None
    workers_per_instance: int | None = None
    service_cv: float | None = None  # coefficient of variation of a request's service time
    checkpoint_interval_min: float | None = None
    restart_overhead_min: float | None = None
    cold_start_s: float | None = None
    datasets: tuple[str, ...] = ()
    source: str = "config"  # config | tags | config+tags
    notes: tuple[str, ...] = ()

    @property
    def latency_quantile(self) -> float | None:
        """The quantile of the primary latency target (p95 preferred)."""
        if not self.latency_targets_ms:
            return None
        return 0.95 if 0.95 in self.latency_targets_ms else min(self.latency_targets_ms)

    @property
    def latency_target_ms(self) -> float | None:
        q = self.latency_quantile
        return None if q is None else self.latency_targets_ms[q]

    @property
    def has_targets(self) -> bool:
        return bool(self.latency_targets_ms) or self.min_accuracy is not None or self.interruptible is not None
