"""Defaults of the trade-off step, in one place (rule parameters live in costopt.rules.defaults).

Each number says where it comes from; a workload's config overrides the per-workload ones
(``workers_per_instance``, ``checkpoint_interval_min``, ``restart_overhead_min``,
``cold_start_s``).
"""

from __future__ import annotations

from dataclasses import dataclass

from costopt.rules.defaults import FixedCapacity, InterruptibleWorkload, ScaleToZero

_SPOT = InterruptibleWorkload()
_SCALE_TO_ZERO = ScaleToZero()
_AUTOSCALING = FixedCapacity()


@dataclass(frozen=True)
class TradeoffParams:
    # Load: the request rate the latency model is evaluated at is this quantile of the
    # hourly request rates over the lookback (diurnal peaks matter, single spikes less).
    peak_hour_quantile: float = 0.99
    # The hours whose observed latency is compared with the model (the goodness-of-fit check)
    # are those at or above this quantile of hourly request rates: the busy hours.
    busy_hour_quantile: float = 0.9
    # The service time is read in the low-load hours: at or below this quantile of hourly
    # request counts (hardly anyone waits there).
    low_load_hour_quantile: float = 0.25
    # Without request counts (or too few points in low-load hours): this quantile of the
    # latency points stands in for "latency at low load".
    service_time_quantile: float = 0.1
    # Coefficient of variation of a request's service time when neither config
    # (``service_cv``) nor two observed statistics give it. 1.0 (exponential, i.e. M/M/c) is
    # the conservative end for inference: GPU service times are nearly constant (cv ~ 0.1),
    # CPU ones vary more, and a higher cv predicts more queueing.
    service_cv: float = 1.0
    # Coefficient of variation of the time between arrivals: 1.0 = Poisson (many
    # independent clients). Allen-Cunneen's (ca^2 + cs^2) / 2 scales the mean wait.
    arrival_cv: float = 1.0
    # Goodness of fit: observed / model at today's set-up in the busy hours must fall in this
    # range, else the latency model does not describe the fleet and the verdict is unknown.
    # The model's predictions are never scaled by the ratio.
    fit_range: tuple[float, float] = (0.8, 1.25)
    # Request-based and utilisation-based load that disagree by more than this factor are
    # reported; the higher is used.
    load_disagreement: float = 3.0
    # Need at least this many latency points / request hours to trust the observations.
    min_latency_points: int = 12
    min_request_hours: int = 24
    # Workers (concurrent requests) per instance when config does not say: one model replica
    # per GPU / accelerator device on accelerated instances; on CPU instances one per
    # ``cpu_cores_per_worker`` physical cores (vCPUs / threads per core of the hardware
    # table's CPU family). A request's latency depends on the core, not on the vCPU count:
    # more vCPUs are more servers, not faster ones.
    workers_per_gpu: int = 1
    cpu_cores_per_worker: int = 1
    # Threads per core assumed for a CPU the hardware table does not know (x86 SMT).
    default_threads_per_core: int = 2
    # How service time moves to other hardware when the model's config does not say
    # (``[models.NAME] bound``): "memory" (memory bandwidth ratio), "compute" (throughput
    # ratio at the variant's precision) or "conservative" (the slower of the two).
    hardware_bound: str = "conservative"
    # The CPU family whose per-core figures stand in for a CPU type the hardware table does
    # not map, scaled by the catalog's relative_speed (Skylake-SP = 1.0 in both).
    reference_cpu: str = "skylake-sp"
    # Spot on training: checkpoint interval and restart overhead when config does not say —
    # the spot rule's own defaults, so the rule's price and the predicted wall time agree.
    checkpoint_interval_min: float = _SPOT.checkpoint_interval_hours * 60.0
    restart_overhead_min: float = _SPOT.restart_overhead_hours * 60.0
    # Interruption rate per hour when the catalog has none for the type (AWS Spot Advisor's
    # "<5%" band per month is ~0.00007/h; we take a cautious 1% per hour).
    default_interruption_rate: float = 0.01
    # Scale-to-zero / serverless: cold start when the candidate does not carry one
    # (SageMaker serverless and scale-from-zero cold starts are seconds to minutes).
    cold_start_s: float = _SCALE_TO_ZERO.cold_start_s
    # Autoscaling: target utilisation the policy keeps per instance, when the candidate
    # does not carry its own (the autoscaling rules put theirs in ``proposed``).
    autoscaling_target_utilization: float = 0.7
    # Autoscaling: hours between a load change and the capacity that answers it, when the
    # candidate does not carry its own ``scale_out_lag_hours`` (the autoscaling rule's default).
    scale_out_lag_hours: int = _AUTOSCALING.scale_out_lag_hours
    # Storage tiers with a first byte slower than this are "restore first" tiers (archive):
    # training jobs reading the data would stall.
    archive_first_byte_ms: float = 60_000.0
    # Frontier: at most this many candidate sets are enumerated per workload.
    max_frontier_sets: int = 4096


DEFAULT_PARAMS = TradeoffParams()
