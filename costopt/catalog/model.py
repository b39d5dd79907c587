"""The catalog's nouns: InstanceSpec, Price, StorageTier.

Plain frozen data. Every price says what it is per (``unit``), in what ``currency``, where it
came from (``source``) and when (``as_of``, an ISO date), so a report can always show its
provenance. A missing price is ``None`` at the API, never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass

from costopt.model import HOURS_PER_MONTH

PRICE_MODELS = ("on_demand", "spot", "commit_1y", "commit_3y")
EGRESS_KINDS = ("internet", "inter_region", "nat_processing")
PROVIDERS = ("aws", "gcp", "azure")
PRICE_UNITS = ("hour", "GB-month", "GB", "IOPS-month", "MiBps-month")


@dataclass(frozen=True)
class InstanceSpec:
    """Hardware facts of one instance (machine / VM size) type.

    ``gpu_memory_gib`` is per GPU; ``relative_speed`` is CPU throughput per vCPU against a
    baseline (Skylake/Cascade Lake-era x86 = 1.0); ``gpu_tflops`` is dense FP16 tensor TFLOPS
    per GPU (0 when there is no GPU). A fractional GPU (e.g. Azure NVads A10 v5 partitions) is
    one GPU with its share of memory and TFLOPS.
    """

    provider: str
    type: str
    family: str
    size: str
    generation: int
    vcpu: int
    memory_gib: float
    gpu_count: int = 0
    gpu_model: str = ""
    gpu_memory_gib: float = 0.0
    architecture: str = "x86_64"
    relative_speed: float = 1.0
    gpu_tflops: float = 0.0

    @property
    def total_gpu_memory_gib(self) -> float:
        return self.gpu_count * self.gpu_memory_gib

    @property
    def has_gpu(self) -> bool:
        return self.gpu_count > 0


@dataclass(frozen=True)
class Price:
    """One price: ``amount`` per ``unit`` ("hour", "GB-month", "GB") in ``currency``.

    ``estimate`` is True when no real price exists and the amount was derived from a real one
    with a typical ratio (``source`` then names the ratio and the base price's source, and
    ``as_of`` is the base price's date); see :mod:`costopt.catalog.estimates`.
    """

    amount: float
    unit: str
    currency: str
    source: str
    as_of: str
    estimate: bool = False

    @property
    def hourly(self) -> float | None:
        return self.amount if self.unit == "hour" else None

    @property
    def monthly(self) -> float | None:
        """Hourly price x 730 (HOURS_PER_MONTH); None for non-hourly prices."""
        return self.amount * HOURS_PER_MONTH if self.unit == "hour" else None


@dataclass(frozen=True)
class StorageTier:
    """One object-storage class in one region (S3 class, GCS class, Azure Blob access tier).

    Request prices are per 1,000 requests; ``transition_per_1k`` is the lifecycle transition
    request price INTO this tier. ``min_days`` is the minimum billed storage duration (early
    deletion is billed up to it); ``min_object_kb`` the minimum billable object size;
    ``first_byte_ms`` the typical time to first byte (hours for archive tiers).
    """

    provider: str
    region: str
    name: str
    gb_month: float
    retrieval_per_gb: float = 0.0
    put_per_1k: float = 0.0
    get_per_1k: float = 0.0
    transition_per_1k: float = 0.0
    min_days: int = 0
    min_object_kb: float = 0.0
    first_byte_ms: float = 100.0
    currency: str = "USD"
    source: str = ""
    as_of: str = ""
