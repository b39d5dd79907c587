"""ML platform waste on the platform's own resources: notebooks without idle shutdown, Studio
apps nobody uses, ML compute clusters kept warm with no jobs (SageMaker, Vertex AI, Azure ML).

Training jobs on on-demand capacity and hyperparameter searches are in
:mod:`costopt.rules.mlplatform_training`. Every finding is priced from the resource's hourly
cost (or the catalog's on-demand price of its type) and carries the concrete apply step.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import numpy as np

from costopt.evidence import Evidence
from costopt.model import HOURS_PER_MONTH, Recommendation, Resource, Skip, Snapshot, recommendation_id, utc
from costopt.records import Current, Impacts, Proposal
from costopt.rules import defaults, mlplatform_apply, mlplatform_gpu, mlplatform_training
from costopt.rules.base import rule
from costopt.rules.hourly import hour_grid, hour_matrix, instance_price

NOTEBOOK_RULE = "mlplatform.notebook_idle_shutdown"
IDLE_RULE = "mlplatform.idle_compute"
RUNNING = frozenset({"InService", "Pending", "Updating", "ACTIVE", "PROVISIONING", "Running", "running"})
MIN_OBSERVED_HOURS = 24  # fewer hours of utilisation: fall back to the working-hours estimate


def _rec(rule_id: str, r: Resource, action: str, before: float, savings: float, low: float, **kw: Any) -> Recommendation:
    return Recommendation(
        id=recommendation_id(rule_id, r.id, action), rule_id=rule_id, resource_id=r.id, action=action,
        provider=r.provider, account=r.account, region=r.region, resource_kind=r.kind, resource_name=r.name,
        monthly_cost_before=before, monthly_cost_after=before - savings, monthly_savings=savings,
        savings_low=low, savings_high=savings, currency=r.currency, tags=dict(r.tags), workload=r.workload,
        alternative_group=r.id, effort="low", **kw)


def _hours_since(when: datetime | str | None, now: datetime) -> float | None:
    if when is None:
        return None
    moment = utc(datetime.fromisoformat(when)) if isinstance(when, str) else utc(when)
    return (now - moment).total_seconds() / 3600.0


def _idle_shares(snapshot: Snapshot, cands: list[Resource], threshold: float) -> dict[str, tuple[float, int]]:
    """resource id -> (share of observed hours with cpu and gpu at or below ``threshold``, hours observed)."""
    start_h, n_hours = hour_grid(snapshot)
    rows = {r.id: i for i, r in enumerate(cands)}
    util = hour_matrix(snapshot.metrics, ("cpu", "gpu"), rows, start_h, n_hours, "max", valid=(0.0, 100.0))
    observed = (~np.isnan(util)).sum(axis=1)
    idle = (np.nan_to_num(util, nan=np.inf) <= threshold).sum(axis=1)
    return {rid: (float(idle[i]) / observed[i] if observed[i] else 0.0, int(observed[i])) for rid, i in rows.items()}


@rule(NOTEBOOK_RULE, params=defaults.NotebookIdleShutdown, needs=("inventory",))
def notebook_idle_shutdown(snapshot: Snapshot, catalog: Any,
                           params: defaults.NotebookIdleShutdown) -> Iterable[Recommendation | Skip]:
    """Notebooks (SageMaker, Vertex AI Workbench, Azure ML compute instances) running with no idle shutdown.

    Why: a GPU notebook bills every hour it is up; people go home, the kernel stays. Without an
    idle shutdown the off-hours are paid for nothing.
    How it judges: a running notebook whose idle shutdown is off (SageMaker: no lifecycle
    configuration whose on-start script stops idle instances; Workbench: no idle-timeout-seconds;
    Azure ML: no idle time before shutdown and no stop schedule), running for at least
    ``min_hours_running``. The off-hours share is observed when CPU/GPU utilisation exists (hours
    whose maximum stayed at or below ``idle_threshold``); otherwise it is the share of the week
    outside ``working_hours_per_week``, labelled an estimate. Savings low: one idle timeout per day.
    Fix: the apply step turns on idle shutdown (lifecycle configuration with AWS's autostop.py,
    ``idle-timeout-seconds`` metadata, ``idle_time_before_shutdown``).

    Example config::

        [rules."mlplatform.notebook_idle_shutdown"]
        working_hours_per_week = 60
        idle_timeout_hours = 2
    """
    cands = [r for r in snapshot.resources if r.kind == "notebook" and "idle_shutdown" in r.attributes
             and r.attributes.get("status") in RUNNING and r.pricing_model != "spot"]
    if not cands:
        return
    shares = _idle_shares(snapshot, cands, params.idle_threshold)
    estimate_share = max(0.0, 1.0 - params.working_hours_per_week / 168.0)
    for r in cands:
        if r.attributes["idle_shutdown"] is None:
            yield Skip(NOTEBOOK_RULE, r.id, "its idle shutdown setting could not be read (see coverage)")
            continue
        if r.attributes["idle_shutdown"]:
            continue
        running = _hours_since(r.created, snapshot.window.end)
        if running is not None and running < params.min_hours_running:
            continue
        price, source = instance_price(r, catalog)
        if price is None:
            yield Skip(NOTEBOOK_RULE, r.id, f"no hourly cost and no on-demand price for {r.type} in {r.region}")
            continue
        share, observed = shares.get(r.id, (0.0, 0))
        measured = observed >= MIN_OBSERVED_HOURS
        if not measured:
            share = estimate_share
        before = price * max(r.count, 1) * HOURS_PER_MONTH
        savings = before * share
        if savings < params.min_monthly_savings:
            continue
        low = before * max(0.0, share - params.idle_timeout_hours * 7 / 168.0)
        how = (f"idle in {share:.0%} of {observed} observed hours (CPU/GPU <= {params.idle_threshold:g}%)" if measured
               else f"estimate: {share:.0%} of the week is outside {params.working_hours_per_week:g} working hours")
        days = f" for {running / 24:.0f} days" if running is not None else ""
        lc = r.attributes.get("lifecycle_config")
        without = f"lifecycle config {lc} does not stop idle instances" if lc else "no idle shutdown configured"
        yield _rec(NOTEBOOK_RULE, r, "enable idle shutdown", before, savings, low,
                   current=Current(type=r.type, idle_shutdown="off", status=str(r.attributes.get("status"))),
                   proposed=Proposal(type=r.type, idle_shutdown="on", idle_timeout_hours=params.idle_timeout_hours),
                   confidence="medium" if measured else "low", performance_risk=1,
                   evidence=Evidence(facts={"off_hours_share": share, "share_source": "observed" if measured else "estimate",
                                            "hours_observed": observed, "days_running": None if running is None else running / 24,
                                            "lifecycle_config": lc or "", "hourly_price": price}, price_source=source),
                   impacts=Impacts(start_delay_s=180, off_hours_share=share),
                   rationale=f"{r.type} notebook running{days} with {without}; {how}",
                   apply=mlplatform_apply.idle_shutdown(r, params.idle_timeout_hours))


@rule(IDLE_RULE, params=defaults.IdleMlCompute, needs=("inventory",))
def idle_compute(snapshot: Snapshot, catalog: Any, params: defaults.IdleMlCompute) -> Iterable[Recommendation | Skip]:
    """Studio apps running with no user activity, ML compute clusters kept warm with no jobs.

    Why: a SageMaker Studio KernelGateway app on a GPU instance bills until it is deleted, used or
    not; an Azure ML cluster with min nodes > 0 (or a Vertex persistent resource) bills its warm
    nodes around the clock.
    How it judges: an app whose last user activity (or, without one, its creation) is older than
    ``max_idle_days``; a cluster with ``min_nodes`` > 0 and no job in the last ``max_idle_days``.
    Fix: delete the app (its files stay in the user's home volume), or set min nodes to 0.

    Example config::

        [rules."mlplatform.idle_compute"]
        max_idle_days = 7
    """
    now = snapshot.window.end
    for r in snapshot.resources:
        if r.kind == "ml_app" and r.attributes.get("status") in RUNNING:
            quiet = _hours_since(r.attributes.get("last_activity") or r.created, now)
            if quiet is None or quiet < params.max_idle_days * 24:
                continue
            price, source = instance_price(r, catalog)
            if price is None:
                yield Skip(IDLE_RULE, r.id, f"no price for {r.type or 'its instance'} in {r.region}")
                continue
            before = price * HOURS_PER_MONTH
            if before < params.min_monthly_savings:
                continue
            yield _rec(IDLE_RULE, r, "delete idle app", before, before, before,
                       current=Current(type=r.type, app_type=str(r.attributes.get("app_type"))), proposed=Proposal(state="deleted"),
                       confidence="high" if r.attributes.get("last_activity") else "medium", performance_risk=1,
                       evidence=Evidence(facts={"days_without_activity": quiet / 24}, price_source=source),
                       rationale=f"{r.attributes.get('app_type')} app on {r.type} with no user activity for "
                                 f"{quiet / 24:.0f} days", apply=mlplatform_apply.delete_app(r))
        elif r.kind == "ml_cluster" and (r.attributes.get("min_nodes") or 0) > 0:
            quiet = _hours_since(r.attributes.get("last_job"), now)
            if quiet is not None and quiet < params.max_idle_days * 24:
                continue
            price, source = instance_price(r, catalog)
            if price is None:
                yield Skip(IDLE_RULE, r.id, f"no price for {r.type} in {r.region}")
                continue
            warm = int(r.attributes["min_nodes"])
            before = price * warm * HOURS_PER_MONTH
            if before < params.min_monthly_savings:
                continue
            since = "no job in the lookback" if quiet is None else f"no job for {quiet / 24:.0f} days"
            yield _rec(IDLE_RULE, r, "scale to zero nodes when idle", before, before, before,
                       current=Current(type=r.type, min_nodes=warm), proposed=Proposal(type=r.type, min_nodes=0),
                       confidence="high", performance_risk=1,
                       evidence=Evidence(facts={"min_nodes": warm, "days_without_jobs": None if quiet is None else quiet / 24,
                                                "idle_seconds_before_scale_down": r.attributes.get("idle_seconds_before_scale_down")},
                                         price_source=source),
                       impacts=Impacts(start_delay_s=300),
                       rationale=f"cluster keeps {warm} x {r.type} warm with {since}",
                       apply=mlplatform_apply.cluster_to_zero(r))


@rule(mlplatform_training.SPOT_RULE, params=defaults.TrainingManagedSpot, needs=("inventory",))
def training_managed_spot(snapshot: Snapshot, catalog: Any, params: defaults.TrainingManagedSpot) -> Iterable[Recommendation | Skip]:
    """Training jobs that ran on on-demand capacity: run them on managed spot with checkpoints.

    Why: SageMaker managed spot training, Vertex AI Spot and Azure ML low-priority / spot capacity
    cost 60-90% less; a training job that checkpoints loses little when interrupted.
    How it judges: the family's billable instance-hours in the lookback priced at the catalog's
    on-demand and spot prices for the type, with the interruption cost of the spot rule's model
    (see the module docstring). A family without a checkpoint configuration is priced as losing
    half a job per interruption, and the finding says to add one. Azure ML jobs report no run
    time: they are priced from creation to last modification (queue time included, an upper
    bound) x ``resources.instanceCount`` at the Retail Prices API's consumption and Low Priority
    rates of the cluster's size, with low confidence; jobs without those times share their
    cluster's node-hours from Azure Monitor's ``Active Nodes`` (an estimate).
    Fix: ``EnableManagedSpotTraining`` + ``MaxWaitTimeInSeconds`` + ``CheckpointConfig`` (SageMaker),
    ``scheduling.strategy: SPOT`` (Vertex AI); Azure ML: a low-priority cluster
    (``az ml compute create --tier low_priority``) for cluster jobs, ``queue_settings.job_tier: spot``
    for serverless ones.

    Example config::

        [rules."mlplatform.training_managed_spot"]
        checkpoint_interval_hours = 1.0
    """
    return mlplatform_training.managed_spot_findings(snapshot, catalog, params)


@rule(mlplatform_training.TUNING_RULE, params=defaults.TuningSearch, needs=("inventory",))
def tuning_search(snapshot: Snapshot, catalog: Any, params: defaults.TuningSearch) -> Iterable[Recommendation | Skip]:
    """Hyperparameter searches without early stopping, or too parallel for Bayesian search to learn.

    Why: a search without early stopping pays for every hopeless trial until its last epoch;
    Bayesian search picks the next trial from the results so far, so with most trials in flight
    at once it degrades into random search and needs more trials for the same result.
    How it judges: early stopping off (SageMaker ``TrainingJobEarlyStoppingType`` Off, Bayesian
    or Random strategy), or a Bayesian search with max parallel trials above
    ``max_parallel_share`` of the total. Trial-hours are the billable hours of its trial jobs
    in the lookback; the hours saved are estimates (``early_stopping_saved_share``,
    ``parallel_saved_share``), so confidence is low.
    Fix: ``TrainingJobEarlyStoppingType=Auto``; ``MaxParallelTrainingJobs`` at most the share.

    Example config::

        [rules."mlplatform.tuning_search"]
        early_stopping_saved_share = 0.3
    """
    return mlplatform_training.tuning_search_findings(snapshot, catalog, params)


@rule(mlplatform_gpu.RULE, params=defaults.TrainingUnderusedGpu, needs=("inventory", "metrics"))
def training_underused_gpu(snapshot: Snapshot, catalog: Any, params: defaults.TrainingUnderusedGpu) -> Iterable[Recommendation | Skip]:
    """Training jobs whose GPUs stayed mostly idle: a smaller instance or fewer instances.

    Why: a family of training jobs at 15% GPU utilisation on 4-GPU instances pays for three GPUs
    that wait on input; the same jobs fit on fewer GPUs of the same kind.
    How it judges: the per-GPU P95 of ``GPUUtilization`` (points of the latest runs of the family,
    at least ``min_points``) at or below ``gpu_p95_max``; GPUs needed = ceil(GPUs today x P95 /
    ``target_utilisation``); the cheapest same-family configuration with that many GPUs and no
    more instances. Priced on the family's billable hours in the lookback; run time is assumed
    unchanged (an input-bound job does not slow down with fewer idle GPUs), which is the risk.
    Fix: change ``ResourceConfig.InstanceType`` / ``InstanceCount`` of the next runs.

    Example config::

        [rules."mlplatform.training_underused_gpu"]
        gpu_p95_max = 30
    """
    return mlplatform_gpu.underused_gpu_findings(snapshot, catalog, params)
