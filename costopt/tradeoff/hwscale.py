"""How much longer or shorter one request takes on other hardware, from the hardware table.

One request runs on one accelerator device, or on one CPU worker (``cpu_cores_per_worker``
cores); how many of them an instance has changes the servers of the queue, never the time a
request takes. The time ratio (after / before) is:

* **accelerator -> accelerator**: memory-bound = bandwidth before / after; compute-bound =
  throughput before / after at the served variant's precision (fp16 and int8 use the FP16 /
  INT8 tensor figures). ``conservative`` (the default) takes the larger ratio: the smaller
  speed-up or the larger slow-down. A fractional GPU (Azure NVads A10 v5) gets its share of
  both.
* **CPU -> CPU**: per-core speed before / after (vCPUs add servers, not speed).
* **accelerator <-> CPU**: as accelerator -> accelerator with one CPU worker's cores as the
  device (their throughput at the precision, their share of the socket's bandwidth). Such an
  estimate is coarse and says so (basis ``estimate-cross-hardware``).

A CPU type the table does not map uses the reference CPU's per-core figures scaled by the
catalog's ``relative_speed`` (basis ``catalog``). The result names the rows and their sources.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from costopt.tradeoff.hwtable import Device, load_table
from costopt.tradeoff.params import TradeoffParams


class HardwareLike(Protocol):
    """What this module reads of :class:`capacity.Hardware`."""

    @property
    def has_gpu(self) -> bool: ...

    @property
    def accelerator(self) -> Device | None: ...

    @property
    def cpu(self) -> Device | None: ...

    @property
    def device_share(self) -> float: ...

    @property
    def relative_speed(self) -> float: ...


@dataclass(frozen=True)
class Unit:
    """What serves one request: a device (or a CPU worker) and its effective figures."""

    device: Device | None
    throughput: float  # TFLOPS/TOPS at the precision
    bandwidth: float  # GB/s
    speed: float  # per-core relative speed (CPUs)
    is_cpu: bool
    share: float = 1.0


@dataclass(frozen=True, slots=True)
class HardwareRatio:
    """Service time after / before and what it rests on."""

    factor: float
    basis: str  # same-hardware | hardware-table | estimate-cross-hardware | catalog
    bound: str
    compute: float | None = None
    memory: float | None = None
    devices: tuple[Device, ...] = ()

    @property
    def cites(self) -> str:
        """``name (source, as_of)`` per row used, for reasons and evidence."""
        return "; ".join(f"{d.key}: {d.source.split(' (')[0]}, {d.as_of}" for d in self.devices)


def unit(hw: HardwareLike, precision: str, params: TradeoffParams) -> Unit | None:
    """The device a request runs on for ``hw``, None if unknown."""
    if hw.has_gpu:
        dev = hw.accelerator
        if dev is None:
            return None
        return Unit(dev, dev.throughput(precision) * hw.device_share, dev.mem_bw_gbs * hw.device_share,
                    1.0, False, hw.device_share)
    cores = max(params.cpu_cores_per_worker, 1)
    dev = hw.cpu
    if dev is not None:
        return Unit(dev, dev.throughput(precision) * cores, dev.bandwidth_per_core * cores, dev.per_core_speed, True)
    ref = load_table().device(params.reference_cpu)
    if ref is None or hw.relative_speed <= 0:
        return None
    rs = hw.relative_speed
    return Unit(None, ref.throughput(precision) * cores * rs, ref.bandwidth_per_core * cores, rs, True)


def _pick(compute: float, memory: float, bound: str) -> float:
    if bound == "memory":
        return memory
    if bound == "compute":
        return compute
    return max(compute, memory)


def hardware_ratio(before: HardwareLike, after: HardwareLike, precision: str, bound: str,
                   params: TradeoffParams) -> HardwareRatio | None:
    """Service-time ratio after / before for moving a request from ``before`` to ``after``."""
    u0, u1 = unit(before, precision, params), unit(after, precision, params)
    if u0 is None or u1 is None or min(u0.throughput, u1.throughput, u0.bandwidth, u1.bandwidth) <= 0:
        return None
    devices = tuple(d for d in (u0.device, u1.device) if d is not None)
    if u0.device is not None and u1.device is not None and u0.device.key == u1.device.key and u0.share == u1.share:
        return HardwareRatio(1.0, "same-hardware", bound, 1.0, 1.0, devices[:1])
    table_basis = "hardware-table" if u0.device is not None and u1.device is not None else "catalog"
    if u0.is_cpu and u1.is_cpu:
        return HardwareRatio(u0.speed / u1.speed, table_basis, "per-core speed", devices=devices)
    compute = u0.throughput / u1.throughput
    memory = u0.bandwidth / u1.bandwidth
    basis = "estimate-cross-hardware" if u0.is_cpu != u1.is_cpu else table_basis
    return HardwareRatio(_pick(compute, memory, bound), basis, bound, compute, memory, devices)
