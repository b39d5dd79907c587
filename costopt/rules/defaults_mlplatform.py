"""Default parameters of the ML platform rules (:mod:`costopt.rules.mlplatform`); read through
:mod:`costopt.rules.defaults`, which re-exports them, like every other rule's defaults."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NotebookIdleShutdown:
    """mlplatform.notebook_idle_shutdown: a running notebook with no idle shutdown configured."""

    working_hours_per_week: float = 50.0  # without metrics: 10 h x 5 days in use, the rest is off-hours
    idle_threshold: float = 5.0  # percent, hourly max of cpu/gpu: below = nobody working (with metrics)
    idle_timeout_hours: float = 1.0  # the shutdown waits this long after the last activity, once a day
    min_hours_running: float = 72.0
    min_monthly_savings: float = 5.0


@dataclass(frozen=True)
class TrainingManagedSpot:
    """mlplatform.training_managed_spot: finished training jobs that ran on on-demand capacity."""

    checkpoint_interval_hours: float = 0.5  # with a checkpoint config: half of this is lost per interruption
    restart_overhead_hours: float = 0.1  # capacity again + container start + checkpoint reload
    min_monthly_savings: float = 5.0


@dataclass(frozen=True)
class TuningSearch:
    """mlplatform.tuning_search: hyperparameter searches without early stopping or too parallel to learn."""

    early_stopping_saved_share: float = 0.2  # assumption: share of trial-hours early stopping cuts (low confidence)
    max_parallel_share: float = 0.1  # Bayesian search learns from finished trials: parallel <= 10% of the total
    parallel_saved_share: float = 0.1  # assumption: trials a less parallel Bayesian search no longer needs
    min_monthly_savings: float = 5.0


@dataclass(frozen=True)
class TrainingUnderusedGpu:
    """mlplatform.training_underused_gpu: training families whose GPUs mostly waited."""

    gpu_p95_max: float = 40.0  # percent per GPU (SageMaker reports 0-100 x GPUs; divided by the count)
    target_utilisation: float = 80.0  # percent per GPU the proposed configuration may reach
    min_points: int = 12
    min_monthly_savings: float = 5.0


@dataclass(frozen=True)
class IdleMlCompute:
    """mlplatform.idle_compute: Studio apps without activity, ML clusters kept warm with no jobs."""
    max_idle_days: float = 3.0  # no user activity / no job for longer than this is idle
    min_monthly_savings: float = 1.0
