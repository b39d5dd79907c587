"""How many workers an instance type has for a model variant, and how long a request takes there.

The latency model needs two things about a proposed setup: how many workers (G/G/c servers)
it has and how much longer or shorter one request takes on it.

* **Workers** are config's ``workers_per_instance`` on today's type; on another type that
  figure is carried over in proportion to the devices (GPUs / accelerator chips, or physical
  CPU cores) the two types have (between a GPU and a CPU type, the default applies). Without config: one per
  device on accelerated instances,
  one per ``cpu_cores_per_worker`` cores on CPU instances. Workers never change how long a
  request takes: the same hardware always has the same service time.
* **Service time** after / before comes, first match wins, from a **measured profile** in
  config (``[models.NAME.profiles."TYPE"] p50_ms`` or ``throughput_rps``, or a variant's
  ``throughput_rps``), from the variant's ``relative_compute`` when only the variant changes,
  else from the **hardware table** (:mod:`hwscale`): memory- or compute-bound per the model's
  ``bound`` at the variant's precision on accelerators, per-core speed on CPUs.

The instance type's accelerator and CPU family come from the table's family rules (SageMaker's
``ml.`` twin and Azure's ``Standard_`` names included), its vCPUs and GPU count from the
catalog (else the resource's own specs).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from costopt.tradeoff.hwscale import HardwareRatio, hardware_ratio
from costopt.tradeoff.hwtable import Device, load_table
from costopt.tradeoff.params import TradeoffParams
from costopt.tradeoff.targets import Model, ModelVariant, Workload


@dataclass(frozen=True, slots=True)
class Hardware:
    """What the latency model needs of an instance type."""

    type: str
    vcpu: float
    gpu_count: int
    gpu_tflops: float
    relative_speed: float = 1.0
    accelerator: Device | None = None  # the table's row for its GPU / accelerator chip
    cpu: Device | None = None  # the table's row for its CPU family
    device_share: float = 1.0  # share of one device a fractional-GPU VM gets

    @property
    def has_gpu(self) -> bool:
        return self.gpu_count > 0

    def cores(self, params: TradeoffParams) -> float:
        """Physical CPU cores (vCPUs / threads per core)."""
        tpc = self.cpu.threads_per_core if self.cpu is not None else params.default_threads_per_core
        return self.vcpu / max(tpc, 1)


@lru_cache(maxsize=4096)
def _from_table(provider: str, type_: str, gpu_model: str, gpu_memory: float) -> tuple[Device | None, Device | None, float]:
    """The table's accelerator and CPU rows for a type, and the share of the device it gets
    (the bundled table is read once and never changes: answers are kept per type)."""
    table = load_table()
    rule = table.rule_for(provider, type_)
    accel = table.device(rule.accelerator) if rule is not None else None
    if accel is None and gpu_model:
        accel = table.by_model(gpu_model)
    cpu = table.device(rule.cpu) if rule is not None else None
    share = 1.0
    if rule is not None and rule.fractional and accel is not None and accel.memory_gb and gpu_memory:
        share = min(1.0, gpu_memory / accel.memory_gb)
    return accel, cpu, share


def hardware(catalog: Any, provider: str, type_: str, fallback: Mapping[str, Any] | None = None) -> Hardware | None:
    """The type's hardware from the catalog (``ml.`` twin allowed), else from ``fallback`` specs."""
    spec = None
    if catalog is not None and type_:
        spec = catalog.instance(provider, type_)
        if spec is None and type_.startswith("ml."):
            spec = catalog.instance(provider, type_[3:])
    if spec is not None:
        figures = (float(spec.vcpu), int(spec.gpu_count), float(spec.gpu_tflops or 0.0), float(spec.relative_speed or 1.0))
        gpu_model, gpu_memory = str(spec.gpu_model or ""), float(spec.gpu_memory_gib or 0.0)
    elif fallback and fallback.get("vcpu"):
        figures = (float(fallback.get("vcpu") or 0), int(fallback.get("gpu_count") or 0),
                   float(fallback.get("gpu_tflops") or 0.0), float(fallback.get("relative_speed") or 1.0))
        gpu_model, gpu_memory = str(fallback.get("gpu_model") or ""), float(fallback.get("gpu_memory_gib") or 0.0)
    else:
        return None
    accel, cpu, share = _from_table(provider, type_, gpu_model, gpu_memory)
    return Hardware(type_, *figures, accelerator=accel if figures[1] > 0 else None, cpu=cpu, device_share=share)


def _slots(hw: Hardware, params: TradeoffParams) -> float:
    """Devices a request can run on: GPUs / chips, else physical cores per CPU worker."""
    if hw.has_gpu:
        return float(hw.gpu_count)
    return hw.cores(params) / max(params.cpu_cores_per_worker, 1)


def workers_per_instance(hw: Hardware, workload: Workload | None, params: TradeoffParams,
                         reference: Hardware | None = None) -> int:
    """Concurrent requests one instance serves. Config's figure is for the current type
    (``reference``); another type gets it in proportion to its devices / cores."""
    if workload is not None and workload.workers_per_instance:
        wpi = workload.workers_per_instance
        if reference is None or reference.type == hw.type:
            return wpi
        if reference.has_gpu != hw.has_gpu:  # GPUs and cores do not convert: the default below
            return workers_per_instance(hw, None, params)
        ref_slots = _slots(reference, params)
        return max(1, round(wpi * _slots(hw, params) / ref_slots)) if ref_slots > 0 else wpi
    if hw.has_gpu:
        return max(1, hw.gpu_count * params.workers_per_gpu)
    return max(1, int(_slots(hw, params)))


def instance_speed(hw: Hardware, params: TradeoffParams) -> float:
    """Throughput of one instance in TFLOPS (FP16 on accelerators, FP32 on CPUs; 0 when unknown),
    from the hardware table; the catalog's per-GPU figure when the table lacks the device."""
    if hw.has_gpu:
        per_device = hw.accelerator.throughput("fp16") * hw.device_share if hw.accelerator else hw.gpu_tflops
        return per_device * hw.gpu_count
    cpu = hw.cpu or load_table().device(params.reference_cpu)
    if cpu is None:
        return 0.0
    speed = 1.0 if hw.cpu is not None else hw.relative_speed
    return cpu.fp32_tflops * hw.cores(params) * speed


def missing_figures(before: Hardware, after: Hardware) -> str:
    """Why two types cannot be compared: the side the hardware table does not know."""
    for hw in (before, after):
        if hw.has_gpu and hw.accelerator is None:
            return f"the hardware table has no row for the accelerator of {hw.type}"
    return f"no hardware figures to compare {before.type} with {after.type}"


@dataclass(frozen=True, slots=True)
class ServiceScale:
    """Service time after / before, the workers per instance on each side, and the basis."""

    factor: float
    workers_before: int
    workers_after: int
    # unchanged | measured | variant | same-hardware | hardware-table | estimate-cross-hardware | catalog
    basis: str
    hardware: HardwareRatio | None = None
    note: str = ""


def _same_variant(a: ModelVariant | None, b: ModelVariant | None) -> bool:
    return a is b or (a is not None and b is not None and a.name == b.name)


def _measured(before: Hardware, after: Hardware, v0: ModelVariant | None, v1: ModelVariant | None,
              model: Model | None, w0: int, w1: int, service_ms: float | None) -> tuple[float, str] | None:
    """Service-time ratio from measured profiles, with what was used; None without one."""
    p0 = model.profile(before.type, v0, v0) if model is not None else None
    p1 = model.profile(after.type, v1, v0) if model is not None else None
    if p1 is not None and p1.p50_ms:
        base = p0.p50_ms if p0 is not None and p0.p50_ms else service_ms
        if base:
            what = f"p50 {p0.p50_ms:g} ms on {before.type}" if p0 is not None and p0.p50_ms else "the observed service time"
            return p1.p50_ms / base, f"measured profile: p50 {p1.p50_ms:g} ms on {after.type} vs {what}"
    r0 = (p0.throughput_rps if p0 is not None else None) or (v0.throughput_rps.get(before.type) if v0 else None)
    r1 = (p1.throughput_rps if p1 is not None else None) or (v1.throughput_rps.get(after.type) if v1 else None)
    if r0 and r1:
        return (r0 / w0) / (r1 / w1), f"measured throughput: {r0:g} req/s on {before.type}, {r1:g} req/s on {after.type}"
    return None


def service_scale(before: Hardware, after: Hardware, v_before: ModelVariant | None,
                  v_after: ModelVariant | None, workload: Workload | None,
                  params: TradeoffParams, model: Model | None = None,
                  service_ms: float | None = None) -> ServiceScale | None:
    """Factor by which the mean service time changes; None when it cannot be estimated."""
    w0 = workers_per_instance(before, workload, params)
    w1 = workers_per_instance(after, workload, params, reference=before)
    if before.type == after.type and _same_variant(v_before, v_after):
        return ServiceScale(1.0, w0, w1, "unchanged")
    measured = _measured(before, after, v_before, v_after, model, w0, w1, service_ms)
    if measured is not None:
        return ServiceScale(measured[0], w0, w1, "measured", note=measured[1])
    rc0 = v_before.relative_compute if v_before is not None else 1.0
    rc1 = v_after.relative_compute if v_after is not None else 1.0
    if before.type == after.type:
        return ServiceScale(rc1 / rc0, w0, w1, "variant")
    precision = v_after.precision if v_after is not None else "fp32"
    bound = (model.bound if model is not None else None) or params.hardware_bound
    ratio = hardware_ratio(before, after, precision, bound, params)
    if ratio is None:
        return None
    return ServiceScale(ratio.factor * rc1 / rc0, w0, w1, ratio.basis, ratio)
