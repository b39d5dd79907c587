"""Every rule parameter default, in one place.

Each rule declares its parameters as one frozen dataclass here; config overrides any field
under ``[rules."<rule id>"]`` (see ``costopt rules explain ID``). Keep one section per family,
the dataclass named after the rule, and a comment naming the source of any published number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from costopt.rules.defaults_mlplatform import (
    IdleMlCompute as IdleMlCompute,
)
from costopt.rules.defaults_mlplatform import (  # the ML platform rules' defaults, re-exported here
    NotebookIdleShutdown as NotebookIdleShutdown,
)
from costopt.rules.defaults_mlplatform import (
    TrainingManagedSpot as TrainingManagedSpot,
)
from costopt.rules.defaults_mlplatform import (
    TrainingUnderusedGpu as TrainingUnderusedGpu,
)
from costopt.rules.defaults_mlplatform import (
    TuningSearch as TuningSearch,
)

# --- shared -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Common:
    """Parameters many rules share (not a rule of its own)."""

    min_monthly_savings: float = 1.0  # below this a finding is noise


# --- billing-only rules (commitments from hourly usage, egress hot spots, anomalies) ----------
@dataclass(frozen=True)
class CostAnomaly:
    """billing.cost_anomaly: week-over-week cost jump per service (robust z-score on weekly cost)."""

    k_sigma: float = 3.0  # robust z threshold (MAD-based sigma), a common outlier cut-off
    min_weekly_delta: float = 100.0  # and at least this much more per week, in billing currency
    min_baseline_weeks: int = 3  # previous full weeks needed to judge the last one
    max_baseline_weeks: int = 8
    min_relative_sigma: float = 0.05  # sigma floor as a share of the baseline mean (flat baselines)
    cost_column: str = "EffectiveCost"


# --- idle -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IdleInstance:
    """idle.instance: a running VM whose CPU, GPU and network all stayed near zero."""

    cpu_p95_max: float = 3.0  # % — P95 of 5-minute CPU maxima at or below this is idle
    gpu_p95_max: float = 1.0  # % — same for GPU utilisation (GPU VMs need the agent's GPU metric)
    network_mb_per_hour_max: float = 20.0  # MB/h in+out over the lookback (agents alone send a few MB/h)
    quantile: float = 0.95
    min_hours: float = 30.0  # fewer hours of CPU data -> skipped, not judged


@dataclass(frozen=True)
class UnattachedVolume:
    """idle.unattached_volume: an EBS volume attached to nothing."""

    min_age_days: float = 1.0  # volumes younger than this may be mid-deployment


@dataclass(frozen=True)
class SuspendedInstance:
    """idle.suspended_instance: a GCP instance left SUSPENDED (memory state and disks still bill)."""

    min_days: float = 14.0  # suspended at least this long (lastSuspendedTimestamp) -> nobody resumes it


@dataclass(frozen=True)
class UnassociatedAddress:
    """idle.unassociated_address: an Elastic IP associated with nothing (billed per hour since 2024-02)."""


@dataclass(frozen=True)
class OldSnapshot:
    """idle.old_snapshot: EBS snapshots older than ``max_age_days``."""

    max_age_days: float = 90.0
    incremental_share: float = 0.5  # savings_low: snapshots are incremental, part of the size may be shared


@dataclass(frozen=True)
class IdleSagemakerEndpoint:
    """idle.sagemaker_endpoint: an endpoint with (almost) no invocations over the lookback."""

    max_invocations_per_day: float = 10.0
    min_age_hours: float = 30.0
    min_hours: float = 30.0  # hours of endpoint metrics needed before "no invocations" counts as idle


@dataclass(frozen=True)
class IdleNatGateway:
    """idle.nat_gateway: a NAT gateway that moved (almost) no bytes over the lookback."""

    max_gb: float = 1.0  # total GB over the lookback, all directions
    min_age_hours: float = 30.0
    min_hours: float = 30.0  # hours of byte counters needed before "no bytes" counts as idle


@dataclass(frozen=True)
class BucketWithoutLifecycle:
    """idle.bucket_without_lifecycle: a bucket with no enabled lifecycle rule."""

    cold_share: float = 0.3  # assumed share of Standard bytes unread for 30+ days (Intelligent-Tiering moves it)
    min_gb: float = 100.0  # smaller buckets are not worth a finding


# --- rightsizing ------------------------------------------------------------------------------

# CPU at P99.5 of 5-minute maxima + 20% headroom over 14 days, >= 30 h of points: the method
# AWS Compute Optimizer documents (its "P99.5" and "headroom" options); GCP Recommender uses 8 days.


@dataclass(frozen=True)
class OversizedVm:
    """rightsizing.oversized_vm: a smaller (cheaper) type that still fits CPU and memory peaks."""

    lookback_days: float = 14.0
    min_hours: float = 30.0  # fewer hours of points -> no recommendation (Skip says so)
    cpu_quantile: float = 0.995  # P99.5 of 5-minute maxima
    headroom: float = 0.20  # added on top of the observed peak
    target_utilization_batch: float = 1.0  # share of the new size the peak + headroom may use
    target_utilization_inference: float = 0.70  # stricter for user-facing (latency-bound) work
    memory_quantile: float = 0.999
    memory_headroom: float = 0.15
    unmeasured_memory_min_share: float = 0.5  # no memory metric: never go below this share of today's memory
    max_bad_point_share: float = 0.10  # gaps + duplicates + out-of-range points above this share -> Skip
    other_families: bool = True  # after the same family, try cheaper families that fit
    allow_architecture_change: bool = False  # x86_64 <-> arm64 needs rebuilt images
    allow_burstable: bool = False  # t3 / e2 shared-core only when the resource already is one
    min_monthly_savings: float = 5.0
    kinds: tuple[str, ...] = ("vm", "notebook", "autoscaling_group", "endpoint", "gpu_vm")


@dataclass(frozen=True)
class Gpu:
    """rightsizing.gpu: a smaller GPU, fewer GPUs, or a CPU instance when the GPU is barely used."""

    lookback_days: float = 14.0
    min_hours: float = 30.0
    gpu_quantile: float = 0.995  # of GPU utilisation maxima
    gpu_headroom: float = 0.25
    gpu_memory_headroom: float = 0.20  # on the maximum GPU memory seen (out-of-memory is fatal)
    target_utilization_batch: float = 1.0
    target_utilization_inference: float = 0.70
    cpu_fallback_max_gpu: float = 5.0  # GPU util P99.5 at or under this (percent) -> CPU instance
    cpu_fallback_max_gpu_memory: float = 10.0  # and GPU memory max at or under this (percent)
    cpu_headroom: float = 0.20
    unmeasured_host_share: float = 0.5  # no cpu/memory metric: keep at least this share of host vCPU/RAM
    max_bad_point_share: float = 0.10
    min_monthly_savings: float = 10.0
    kinds: tuple[str, ...] = ("vm", "gpu_vm", "notebook", "autoscaling_group", "endpoint")

# --- spot -------------------------------------------------------------------------------------

# Effective cost per useful hour = spot x (1 + interruption rate x (checkpoint interval / 2 +
# restart overhead)); interruption rates are the catalog's (AWS Spot Advisor bands per month).


@dataclass(frozen=True)
class InterruptibleWorkload:
    """spot.interruptible_workload: run interruption-tolerant work on spot / preemptible capacity."""

    tolerant_workloads: tuple[str, ...] = ("training", "batch", "dev")  # or tag costopt:interruptible=true
    interruptible_tag: str = "costopt:interruptible"
    checkpoint_interval_hours: float = 0.5  # training: work lost per interruption is half of this
    batch_task_hours: float = 1.0  # batch without checkpoints: a task's length
    dev_lost_hours: float = 0.0  # dev boxes lose no computed work, only the restart
    restart_overhead_hours: float = 0.1  # new capacity + reload + warm-up
    inference_on_demand_share: float = 0.5  # inference fleets keep this share (>= 1 instance) on demand
    spot_price_uncertainty: float = 0.30  # spot moves: low savings assume spot this much dearer
    interruption_uncertainty: float = 2.0  # low savings assume this x the typical interruption rate
    min_monthly_savings: float = 5.0
    kinds: tuple[str, ...] = ("vm", "gpu_vm", "notebook", "autoscaling_group", "training_job")

# --- commitments ------------------------------------------------------------------------------
class Choices:
    """Parameters limited to ``CHOICES``: config validation names the allowed values, and a value
    outside them cannot be built at all (so the rules never see one)."""

    CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {}

    def __post_init__(self) -> None:
        for key, allowed in self.CHOICES.items():
            if getattr(self, key) not in allowed:
                raise ValueError(f"{key} must be one of {', '.join(allowed)}; got {getattr(self, key)!r}")


@dataclass(frozen=True)
class SavingsPlan(Choices):
    """commitments.savings_plan: spend commitment from hourly on-demand usage in billing."""

    CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {
        "term": ("1y", "3y"), "payment": ("all_upfront", "partial_upfront", "no_upfront"),
        "sizing": ("payer", "account")}

    term: str = "1y"  # 1y | 3y
    payment: str = "all_upfront"  # the catalog's commit rates are all-upfront, amortised
    service_categories: tuple[str, ...] = ("Compute",)
    min_hours: int = 168  # at least a week of hourly usage
    min_coverage_hours: float = 0.9  # share of the span's hours that must have usage rows
    min_monthly_savings: float = 10.0
    sizing: str = "payer"  # payer: one plan shared by the payer's accounts | account: one plan per account
    # Usage of these workloads (or tagged costopt:interruptible=true) is left to spot.* and not
    # committed, so the same hours are never priced as both spot and commitment savings.
    spot_workloads: tuple[str, ...] = ("training", "batch", "dev")


@dataclass(frozen=True)
class ReservedInstances(Choices):
    """commitments.reserved_instances: per-type reservations from inventory running hours."""

    CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {
        "term": ("1y", "3y"), "payment": ("all_upfront", "partial_upfront", "no_upfront")}

    term: str = "1y"
    payment: str = "all_upfront"
    # VMs only: SageMaker endpoints/notebooks are covered by SageMaker Savings Plans, not RIs.
    kinds: tuple[str, ...] = ("vm", "gpu_vm", "autoscaling_group")
    running_metrics: tuple[str, ...] = ("cpu", "gpu")  # a point in an hour = the instance ran
    min_hours: int = 168
    min_monthly_savings: float = 10.0
    spot_workloads: tuple[str, ...] = ("training", "batch", "dev")  # left to spot.* (see SavingsPlan)


# --- storage ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class StorageTiering:
    """storage.tiering: move a bucket's bytes of one class to a colder tier when it pays."""

    min_hours: int = 72  # of bytes_stored data
    amortize_months: int = 12  # one-time transition requests spread over this many months
    max_first_byte_ms: float = 1000.0  # never propose tiers slower than this (archives: ml_archive)
    min_monthly_savings: float = 5.0


@dataclass(frozen=True)
class MlArchive:
    """storage.ml_archive: old checkpoints / dataset versions to an archive tier by lifecycle."""

    workloads: tuple[str, ...] = ("training", "data")
    name_hints: tuple[str, ...] = ("checkpoint", "ckpt", "dataset", "datasets")
    min_hours: int = 72
    max_gets_per_gb_month: float = 0.1  # "rarely read": archive retrieval would be the exception
    amortize_months: int = 12
    min_monthly_savings: float = 5.0


# --- autoscaling ------------------------------------------------------------------------------
@dataclass(frozen=True)
class FixedCapacity:
    """autoscaling.fixed_capacity: fixed-size endpoints/groups with a daily or weekly load cycle."""

    kinds: tuple[str, ...] = ("endpoint", "autoscaling_group")
    target_utilization: float = 0.6  # inference: headroom for bursts and scale-out lag
    min_instances: int = 2  # keep two for availability
    min_peak_trough_ratio: float = 1.5  # p95 / p5 of hourly requests
    min_hours: int = 72
    min_hour_coverage: float = 0.8  # share of the window's hours with request data
    assumed_peak_utilization: float = 1.0  # without cpu/gpu metrics: the observed peak is full load
    scale_out_lag_hours: int = 1  # low end of the range: instances stay one hour after a peak
    min_monthly_savings: float = 10.0


@dataclass(frozen=True)
class ScaleToZero:
    """autoscaling.scale_to_zero: endpoints used only a few hours -> serverless / scale to zero."""

    kinds: tuple[str, ...] = ("endpoint",)
    max_active_hour_fraction: float = 0.1  # hours with any request / hours observed
    cold_start_s: float = 60.0  # typical cold start of a model container (GPU: minutes)
    warm_hours_per_active_hour: float = 1.0  # an instance stays up this long after traffic
    min_hours: int = 72
    min_monthly_savings: float = 5.0


@dataclass(frozen=True)
class OffHours:
    """autoscaling.off_hours: stop notebooks and dev instances on idle nights and weekends."""

    workloads: tuple[str, ...] = ("notebook", "dev")
    kinds: tuple[str, ...] = ("notebook",)
    metrics: tuple[str, ...] = ("cpu", "gpu")
    idle_threshold: float = 10.0  # percent, hourly max of cpu/gpu: below = nobody working
    min_weeks: float = 1.0
    max_busy_share_in_off_hours: float = 0.05  # tolerate a few busy hours inside the schedule
    min_off_hours_per_week: int = 40
    min_monthly_savings: float = 5.0


# --- egress -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class EgressHotSpots:
    """egress.hot_spots: the usage types that carry most egress cost (billing)."""

    top_n: int = 5
    min_monthly_cost: float = 50.0
    min_hours: int = 24  # of billing data before a monthly figure is extrapolated
    cost_column: str = "EffectiveCost"


@dataclass(frozen=True)
class CrossRegion:
    """egress.cross_region: paying inter-region transfer between data and compute (billing)."""

    min_monthly_cost: float = 20.0
    min_hours: int = 24  # of billing data before a monthly figure is extrapolated
    cost_column: str = "EffectiveCost"


@dataclass(frozen=True)
class NatGatewayEndpoint:
    """egress.nat_gateway_endpoint: S3/DynamoDB traffic through NAT -> free gateway endpoint."""

    gateway_destinations: tuple[str, ...] = ("s3", "dynamodb")
    # Without a destination breakdown (flow logs), the share of NAT bytes you KNOW goes to S3 /
    # DynamoDB; 0 = unknown -> "investigate" with no savings claimed.
    assumed_gateway_share: float = 0.0
    min_hours: int = 24
    min_monthly_savings: float = 5.0


# --- model (variant switches) -----------------------------------------------------------------


@dataclass(frozen=True)
class CheaperVariant:
    """model.cheaper_variant: serve a cheaper model variant (fp16, int8, distilled...)."""

    min_monthly_savings: float = 1.0
    # Capacity margin a proposed type must have over today's (1.0 = same capacity as now).
    capacity_margin: float = 1.0
    # Offer CPU-only types for variants declared ``runs_on_cpu`` (or measured on a CPU type).
    consider_cpu: bool = True
    # Never propose fewer instances than this (availability across zones).
    min_instances: int = 1
    # Savings range: +/- this share (prices are list prices; usage may shift).
    savings_uncertainty: float = 0.15


# --- databases (costopt/rules/rds.py) ---------------------------------------------------

@dataclass(frozen=True)
class IdleDatabase:
    """rds.idle_database: no connections and CPU near zero over the lookback."""

    max_connections: float = 0.0  # highest DatabaseConnections (Maximum per period) still idle
    cpu_p95_max: float = 5.0  # P95 of CPUUtilization maxima, percent
    quantile: float = 0.95
    min_hours: float = 72.0
    min_age_hours: float = 72.0


@dataclass(frozen=True)
class OversizedDatabase:
    """rds.oversized_instance: CPU low enough for the next smaller class of the same family."""

    cpu_p95_max: float = 30.0  # P95 of CPUUtilization maxima; at half the vCPUs that is <= 60 %
    target_after: float = 0.65  # projected P95 on the smaller class must stay under this share
    quantile: float = 0.95
    min_hours: float = 168.0
    min_monthly_savings: float = 20.0


@dataclass(frozen=True)
class MultiAzNonProduction:
    """rds.multi_az_non_production: a Multi-AZ instance tagged as a non-production environment."""

    tag_keys: tuple[str, ...] = ("environment", "env", "stage", "costopt:environment")
    non_production: tuple[str, ...] = ("dev", "development", "test", "testing", "qa", "staging", "stage",
                                       "sandbox", "nonprod", "non-production", "preprod")
    min_monthly_savings: float = 10.0


@dataclass(frozen=True)
class DatabaseGp3:
    """rds.gp2_to_gp3: gp2 storage where gp3 costs less for the same or better baseline."""

    min_monthly_savings: float = 1.0
