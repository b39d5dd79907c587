"""Every rule parameter default, in one place.

Each rule declares its parameters as one frozen dataclass here; config overrides any field
under ``[rules."<rule id>"]`` (see ``costopt rules explain ID``). Keep one section per family,
the dataclass named after the rule, and a comment naming the source of any published number.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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

# --- rightsizing ------------------------------------------------------------------------------

# --- spot -------------------------------------------------------------------------------------

# --- commitments ------------------------------------------------------------------------------
@dataclass(frozen=True)
class SavingsPlan:
    """commitments.savings_plan: spend commitment from hourly on-demand usage in billing."""

    term: str = "1y"  # 1y | 3y
    payment: str = "all_upfront"  # the catalog's commit rates are all-upfront, amortised
    service_categories: tuple[str, ...] = ("Compute",)
    min_hours: int = 168  # at least a week of hourly usage
    min_coverage_hours: float = 0.9  # share of the span's hours that must have usage rows
    min_monthly_savings: float = 10.0


@dataclass(frozen=True)
class ReservedInstances:
    """commitments.reserved_instances: per-type reservations from inventory running hours."""

    term: str = "1y"
    payment: str = "all_upfront"
    kinds: tuple[str, ...] = ("vm", "gpu_vm", "endpoint", "autoscaling_group", "database", "notebook")
    running_metrics: tuple[str, ...] = ("cpu", "gpu")  # a point in an hour = the instance ran
    min_hours: int = 168
    min_monthly_savings: float = 10.0


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
    max_peak_busy_fraction: float = 0.9  # utilisation at peak considered "full" at most
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
    idle_threshold: float = 5.0  # percent: below this in an hour = idle
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
    cost_column: str = "EffectiveCost"


@dataclass(frozen=True)
class CrossRegion:
    """egress.cross_region: paying inter-region transfer between data and compute (billing)."""

    min_monthly_cost: float = 20.0
    cost_column: str = "EffectiveCost"


@dataclass(frozen=True)
class NatGatewayEndpoint:
    """egress.nat_gateway_endpoint: S3/DynamoDB traffic through NAT -> free gateway endpoint."""

    gateway_destinations: tuple[str, ...] = ("s3", "dynamodb")
    min_hours: int = 24
    min_monthly_savings: float = 5.0


# --- model (variant switches) -----------------------------------------------------------------
