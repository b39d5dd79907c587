"""How fast one worker of an instance type serves a model variant, relative to another.

The latency model needs two things about a proposed setup: how many workers (M/M/c
servers) it has and how much longer or shorter one request takes on it. Both come from:

* a **measured profile** in config (``throughput_rps = { "<type>" = rps }`` on a variant,
  requests per second one instance sustains), which wins when both the current and the
  proposed (type, variant) are measured; otherwise
* the **catalog**: per-GPU dense TFLOPS for GPU types (one worker per GPU by default),
  vCPU x relative_speed x ``cpu_tflops_per_vcpu`` for CPU types (one worker per instance by
  default), divided by the variant's ``relative_compute``.

Comparing a GPU type with a CPU type from catalog figures alone is coarse, so such a
factor carries the basis ``estimate-cross-hardware`` (reported as low confidence).
SageMaker types (``ml.`` prefix) fall back to their EC2 twin when the catalog lacks them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from costopt.tradeoff.params import TradeoffParams
from costopt.tradeoff.targets import ModelVariant, Workload


@dataclass(frozen=True)
class Hardware:
    """What the latency model needs of an instance type."""

    type: str
    vcpu: float
    gpu_count: int
    gpu_tflops: float
    relative_speed: float = 1.0

    @property
    def has_gpu(self) -> bool:
        return self.gpu_count > 0


def hardware(catalog: Any, provider: str, type_: str, fallback: Mapping[str, Any] | None = None) -> Hardware | None:
    """The type's hardware from the catalog (``ml.`` twin allowed), else from ``fallback`` specs."""
    spec = None
    if catalog is not None and type_:
        spec = catalog.instance(provider, type_)
        if spec is None and type_.startswith("ml."):
            spec = catalog.instance(provider, type_[3:])
    if spec is not None:
        return Hardware(type_, float(spec.vcpu), int(spec.gpu_count), float(spec.gpu_tflops or 0.0),
                        float(spec.relative_speed or 1.0))
    if fallback and fallback.get("vcpu"):
        return Hardware(type_, float(fallback.get("vcpu") or 0), int(fallback.get("gpu_count") or 0),
                        float(fallback.get("gpu_tflops") or 0.0), float(fallback.get("relative_speed") or 1.0))
    return None


def workers_per_instance(hw: Hardware, workload: Workload | None, params: TradeoffParams) -> int:
    """Concurrent requests one instance serves: config, else one per GPU / one per CPU box."""
    if workload is not None and workload.workers_per_instance:
        return workload.workers_per_instance
    if hw.has_gpu:
        return max(1, hw.gpu_count * params.workers_per_gpu)
    return max(1, params.workers_per_cpu_instance)


def instance_speed(hw: Hardware, params: TradeoffParams) -> float:
    """Throughput of one instance in TFLOPS-equivalents (0 when unknown)."""
    if hw.has_gpu:
        return hw.gpu_tflops * hw.gpu_count
    return hw.vcpu * hw.relative_speed * params.cpu_tflops_per_vcpu


@dataclass(frozen=True)
class ServiceScale:
    """Service time after / before, the workers per instance on each side, and the basis."""

    factor: float
    workers_before: int
    workers_after: int
    basis: str  # measured | catalog | estimate-cross-hardware | unchanged


def service_scale(before: Hardware, after: Hardware, v_before: ModelVariant | None,
                  v_after: ModelVariant | None, workload: Workload | None,
                  params: TradeoffParams) -> ServiceScale | None:
    """Factor by which the mean service time changes; None when it cannot be estimated."""
    w0 = workers_per_instance(before, workload, params)
    w1 = workers_per_instance(after, workload, params)
    same_variant = v_before is v_after or (v_before is not None and v_after is not None and v_before.name == v_after.name)
    if before.type == after.type and same_variant:
        return ServiceScale(1.0, w0, w1, "unchanged")
    if v_before is not None and v_after is not None:
        r0 = v_before.throughput_rps.get(before.type)
        r1 = v_after.throughput_rps.get(after.type)
        if r0 and r1:
            return ServiceScale((r0 / w0) / (r1 / w1), w0, w1, "measured")
    s0, s1 = instance_speed(before, params), instance_speed(after, params)
    if s0 <= 0 or s1 <= 0:
        return None
    rc0 = v_before.relative_compute if v_before is not None else 1.0
    rc1 = v_after.relative_compute if v_after is not None else 1.0
    factor = ((s0 / w0) / (s1 / w1)) * (rc1 / rc0)
    basis = "estimate-cross-hardware" if before.has_gpu != after.has_gpu else "catalog"
    return ServiceScale(factor, w0, w1, basis)
