"""The bundled hardware table: accelerators and CPU families with sourced, dated figures.

``data/hardware.toml`` holds one ``[[device]]`` row per accelerator (T4, A10G, L4, L40S,
V100, A100, H100, H200, Inferentia2, Trainium, ...) and per CPU family (Broadwell to Sapphire
Rapids, EPYC Rome to Genoa, Graviton2 to 4): FP32 / FP16 / INT8 throughput, memory bandwidth,
for CPUs per-core figures and a relative single-request speed, each with its source and the
date it was transcribed. ``[[family]]`` rules map instance types onto rows by pattern (first
match wins), so a new size of a known family needs no edit.

Why a table and not the catalog's one TFLOPS figure: inference is often memory-bound
(g4dn -> g5 is x1.9 in bandwidth but x1.1 in FP16 tensor TFLOPS), and CPU latency per request
depends on the core, not on how many vCPUs the box has.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from costopt.errors import InputError

TABLE = "data/hardware.toml"
PRECISIONS = ("fp32", "fp16", "int8")
DEVICE_KINDS = ("gpu", "accelerator", "cpu")
_PREFIXES = ("ml.", "standard_")


@dataclass(frozen=True)
class Device:
    """One row of the table. Accelerators: figures per device; CPUs: per physical core
    (``mem_bw_gbs`` per socket, shared by ``cores``)."""

    key: str
    kind: str
    name: str
    fp32_tflops: float
    fp16_tflops: float
    int8_tops: float
    mem_bw_gbs: float
    source: str
    as_of: str
    memory_gb: float = 0.0
    cores: int = 0
    threads_per_core: int = 1
    clock_ghz: float = 0.0
    per_core_speed: float = 1.0
    aliases: tuple[str, ...] = ()

    @property
    def is_cpu(self) -> bool:
        return self.kind == "cpu"

    def throughput(self, precision: str) -> float:
        """Peak TFLOPS/TOPS at ``precision``; a missing INT8 path falls back to FP16, then FP32."""
        if precision == "int8" and self.int8_tops > 0:
            return self.int8_tops
        if precision in ("int8", "fp16") and self.fp16_tflops > 0:
            return self.fp16_tflops
        return self.fp32_tflops

    @property
    def bandwidth_per_core(self) -> float:
        """GB/s one core can count on (the socket's bandwidth shared by its cores)."""
        return self.mem_bw_gbs / self.cores if self.cores else self.mem_bw_gbs

    @property
    def citation(self) -> str:
        return f"{self.name}: {self.source}, as of {self.as_of}"


@dataclass(frozen=True)
class FamilyRule:
    provider: str
    pattern: re.Pattern[str]
    cpu: str | None
    accelerator: str | None
    fractional: bool = False


@dataclass(frozen=True)
class Table:
    devices: Mapping[str, Device]
    rules: tuple[FamilyRule, ...]

    def device(self, key: str | None) -> Device | None:
        return self.devices.get(key) if key else None

    def by_model(self, gpu_model: str) -> Device | None:
        """A device by its key or an alias (``T4``, ``nvidia-tesla-t4``, ``A100-80GB``)."""
        wanted = gpu_model.strip().lower()
        for dev in self.devices.values():
            if wanted == dev.key.lower() or wanted in (a.lower() for a in dev.aliases):
                return dev
        return None

    def rule_for(self, provider: str, type_: str) -> FamilyRule | None:
        name = type_.strip()
        for prefix in _PREFIXES:
            if name.lower().startswith(prefix):
                name = name[len(prefix):]
        for rule in self.rules:
            if rule.provider == provider and rule.pattern.search(name):
                return rule
        return None


def _err(where: str, what: str) -> InputError:
    return InputError(f"{TABLE}: {where}: {what}")


def _num(row: Mapping[str, Any], key: str, where: str, default: float | None = None) -> float:
    value = row.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise _err(where, f"{key} expected a number >= 0, got {value!r}")
    return float(value)


def _device(row: Mapping[str, Any], index: int) -> Device:
    where = f"device #{index + 1} ({row.get('key', '?')})"
    for key in ("key", "name", "source", "as_of"):
        if not isinstance(row.get(key), str) or not row[key]:
            raise _err(where, f"{key} expected a non-empty string")
    if row.get("kind") not in DEVICE_KINDS:
        raise _err(where, f"kind expected one of {', '.join(DEVICE_KINDS)}, got {row.get('kind')!r}")
    return Device(
        key=row["key"], kind=row["kind"], name=row["name"], source=row["source"], as_of=row["as_of"],
        fp32_tflops=_num(row, "fp32_tflops", where), fp16_tflops=_num(row, "fp16_tflops", where),
        int8_tops=_num(row, "int8_tops", where), mem_bw_gbs=_num(row, "mem_bw_gbs", where),
        memory_gb=_num(row, "memory_gb", where, 0.0), cores=int(_num(row, "cores", where, 0)),
        threads_per_core=int(_num(row, "threads_per_core", where, 1)) or 1,
        clock_ghz=_num(row, "clock_ghz", where, 0.0), per_core_speed=_num(row, "per_core_speed", where, 1.0),
        aliases=tuple(str(a) for a in row.get("aliases", ())))


def parse_table(data: Mapping[str, Any]) -> Table:
    """Validate the table's rows and rules (a bad row names itself and the key)."""
    devices: dict[str, Device] = {}
    for i, row in enumerate(data.get("device", ())):
        dev = _device(row, i)
        if dev.key in devices:
            raise _err(f"device #{i + 1}", f"duplicate key {dev.key!r}")
        devices[dev.key] = dev
    rules = []
    for i, row in enumerate(data.get("family", ())):
        where = f"family #{i + 1} ({row.get('pattern', '?')})"
        for key in ("cpu", "accelerator"):
            if row.get(key) is not None and row[key] not in devices:
                raise _err(where, f"{key} {row[key]!r} is not a device of the table")
        try:
            pattern = re.compile(str(row["pattern"]), re.IGNORECASE)
        except (KeyError, re.error) as exc:
            raise _err(where, f"pattern expected a regular expression ({exc})") from None
        rules.append(FamilyRule(str(row.get("provider", "")), pattern, row.get("cpu"), row.get("accelerator"),
                                bool(row.get("fractional", False))))
    return Table(devices, tuple(rules))


@lru_cache(maxsize=1)
def load_table() -> Table:
    """The bundled table (parsed once per process)."""
    text = resources.files("costopt.tradeoff").joinpath(TABLE).read_text(encoding="utf-8")
    return parse_table(tomllib.loads(text))
