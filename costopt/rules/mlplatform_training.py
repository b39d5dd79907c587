"""ML platform training waste: finished training jobs that ran on on-demand capacity, and
hyperparameter searches that run every trial to the end or too many at once to learn.

Training jobs are judged per *family* (the job name without its timestamp / counter suffix,
same account, region, instance type and count): a weekly retrain is one finding, not
fifty-two. Its cost is the family's billable instance-hours inside the lookback, scaled to a
month (x 730 / lookback hours). Spot is priced with the spot rule's model
(:func:`costopt.rules.spot.effective_spot_hourly`): spot x (1 + job interruption rate x (lost
work + restart)), where the job is interrupted when any of its N instances is
(1 - (1 - rate)^N) and the lost work is half the checkpoint interval with a checkpoint
configuration, or half the job's length without one (it restarts from the beginning).

Prices: the catalog's on-demand and spot rates, unless the collector priced the runs itself
(Azure ML: the Retail Prices API's consumption and Low Priority rates, carried as
``on_demand_hourly`` / ``spot_hourly``). Runs whose length is an estimate (Azure ML: creation to
last modification, queue time included) make the finding's confidence low.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from costopt.catalog.model import Price
from costopt.evidence import Evidence
from costopt.model import HOURS_PER_MONTH, Recommendation, Resource, Skip, Snapshot, recommendation_id
from costopt.records import Current, Impacts, Proposal
from costopt.rules import defaults, mlplatform_apply
from costopt.rules.spot import effective_spot_hourly

SPOT_RULE = "mlplatform.training_managed_spot"
TUNING_RULE = "mlplatform.tuning_search"
SPOT_MODEL = defaults.InterruptibleWorkload()  # the spot rule's uncertainty bands, shared
EARLY_STOPPING_STRATEGIES = frozenset({"Bayesian", "Random", "ALGORITHM_UNSPECIFIED", "RANDOM_SEARCH"})
BAYESIAN = frozenset({"Bayesian", "ALGORITHM_UNSPECIFIED"})  # Vertex's default algorithm is Bayesian optimisation


def _hours(r: Resource) -> float:
    """Billable instance-hours of one run inside the window."""
    a = r.attributes
    return float(a.get("billable_seconds") or 0.0) * float(a.get("in_window_share", 1.0)) * max(r.count, 1) / 3600.0


def _rate(catalog: Any, provider: str, region: str, type_: str) -> float | None:
    rate = catalog.interruption_rate(provider, region, type_)
    if rate is None and type_.startswith("ml."):  # SageMaker runs ml.X on EC2 X: the same spot pool
        rate = catalog.interruption_rate(provider, region, type_[3:])
    return None if rate is None else float(rate)


def _run_prices(catalog: Any, run: Resource) -> tuple[Price | None, Price | None]:
    """(on-demand, spot) hourly prices of a run's type: the collector's own when it priced the run, else the catalog's."""
    a = run.attributes
    if a.get("on_demand_hourly") is not None and a.get("spot_hourly") is not None:
        source = str(a.get("price_source") or run.provider)
        return (Price(float(a["on_demand_hourly"]), "hour", run.currency, source, ""),
                Price(float(a["spot_hourly"]), "hour", run.currency, f"{source} (low priority)", ""))
    return catalog.price(run.provider, run.region, run.type), catalog.price(run.provider, run.region, run.type, "spot")


def managed_spot_findings(snapshot: Snapshot, catalog: Any,
                          params: defaults.TrainingManagedSpot) -> Iterable[Recommendation | Skip]:
    """The findings of :func:`costopt.rules.mlplatform.training_managed_spot` (documented there)."""
    if catalog is None:
        yield Skip(SPOT_RULE, "*", "no price catalog loaded")
        return
    groups: dict[tuple[Any, ...], list[Resource]] = defaultdict(list)
    for r in snapshot.resources:
        if r.kind == "training_run" and r.pricing_model == "on_demand" and r.type and _hours(r) > 0:
            groups[(r.provider, r.account, r.region, r.attributes.get("family") or r.name, r.type, r.count)].append(r)
    scale = HOURS_PER_MONTH / snapshot.window.hours
    for (provider, account, region, family, type_, count), runs in sorted(groups.items()):
        rid = f"{provider}:{account}/{region}/training/{family}/{type_}x{count}"
        od, spot = _run_prices(catalog, runs[0])
        rate = _rate(catalog, provider, region, type_)
        if od is None or spot is None or rate is None:
            yield Skip(SPOT_RULE, rid, f"no on-demand price, spot price or interruption rate for {type_} in {region}")
            continue
        hours = sum(_hours(r) for r in runs)
        job_hours = hours / max(count, 1) / len(runs)
        checkpointed = all(r.attributes.get("checkpoint_s3") or r.attributes.get("checkpointed") for r in runs)
        lost = params.checkpoint_interval_hours / 2 if checkpointed else job_hours / 2
        job_rate = 1.0 - (1.0 - rate) ** max(count, 1)
        restart = params.restart_overhead_hours
        eff = effective_spot_hourly(spot.amount, job_rate, lost, restart)
        eff_low = effective_spot_hourly(spot.amount * (1 + SPOT_MODEL.spot_price_uncertainty),
                                        min(job_rate * SPOT_MODEL.interruption_uncertainty, 1.0), lost, restart)
        monthly_hours = hours * scale
        before, after = od.amount * monthly_hours, eff * monthly_hours
        savings = before - after
        if savings < params.min_monthly_savings:
            continue
        low = max(0.0, min(savings, before - eff_low * monthly_hours))
        added = job_rate * (lost + restart)
        first = runs[0]
        estimated = any(r.attributes.get("duration_estimate") for r in runs)
        note = "" if checkpointed else (f"; no checkpoint configuration: an interruption restarts a job from the start "
                                        f"(priced as {lost:.1f} h lost), add one to cut that to "
                                        f"{params.checkpoint_interval_hours / 2:.2f} h")
        yield Recommendation(
            id=recommendation_id(SPOT_RULE, rid, "managed spot"), rule_id=SPOT_RULE, resource_id=rid,
            action="run training on managed spot" + ("" if checkpointed else " with checkpoints"),
            provider=provider, account=account, region=region, resource_kind="training_run",
            resource_name=f"{family} ({len(runs)} jobs)",
            current=Current(type=type_, count=count, pricing_model="on_demand", jobs=len(runs)),
            proposed=Proposal(type=type_, count=count, pricing_model="spot",
                              checkpoint="keep" if checkpointed else "add"),
            monthly_cost_before=before, monthly_cost_after=after, monthly_savings=savings, savings_low=low,
            savings_high=savings, currency=od.currency, confidence="low" if spot.estimate or estimated else "medium",
            performance_risk=1 if checkpointed else 2,
            evidence=Evidence(facts={"jobs": len(runs), "instance_hours_in_lookback": hours, "mean_job_hours": job_hours,
                                     "on_demand_hourly": od.amount, "spot_hourly": spot.amount, "effective_spot_hourly": eff,
                                     "interruption_rate_per_hour": rate, "lookback_days": snapshot.window.days,
                                     "checkpointed": checkpointed,
                                     "hours_source": str(first.attributes.get("seconds_source") or "billable time"),
                                     "job_names": ", ".join(sorted(r.name for r in runs)[:5])},
                              price_sources=(od.source, spot.source)),
            impacts=Impacts(interruption_rate_per_hour=job_rate, interruptions_per_job=job_rate * job_hours,
                            added_wall_time_pct=added * 100),
            effort="medium", tags=dict(first.tags), workload="training", alternative_group=rid,
            rationale=(f"{len(runs)} {family} jobs ran {hours:.0f} instance-hours on demand on {count} x {type_} in "
                       f"{snapshot.window.days:.0f} days; on spot each useful hour costs {eff:.2f} instead of "
                       f"{od.amount:.2f} {od.currency} (spot {spot.amount:.2f} x (1 + {job_rate:.2e} interruptions/h x "
                       f"({lost:.2f} h lost + {restart:.2f} h restart))), +{added:.1%} wall time{note}"
                       + (f"; job hours are an estimate ({first.attributes.get('seconds_source')})" if estimated else "")),
            apply=mlplatform_apply.managed_spot(provider, family, checkpointed, first.attributes.get("max_runtime_s"),
                                                first if provider == "azure" else None))


def tuning_search_findings(snapshot: Snapshot, catalog: Any, params: defaults.TuningSearch) -> Iterable[Recommendation | Skip]:
    """The findings of :func:`costopt.rules.mlplatform.tuning_search` (documented there)."""
    trials: dict[str, list[Resource]] = defaultdict(list)
    for r in snapshot.resources:
        if r.kind == "training_run" and r.attributes.get("tuning_job_arn"):
            trials[r.attributes["tuning_job_arn"]].append(r)
    scale = HOURS_PER_MONTH / snapshot.window.hours
    for r in snapshot.resources:
        if r.kind != "tuning_job":
            continue
        a = r.attributes
        no_stop = a.get("early_stopping") == "Off" and a.get("strategy") in EARLY_STOPPING_STRATEGIES
        total, parallel = a.get("max_jobs") or 0, a.get("max_parallel") or 0
        target = max(1, int(total * params.max_parallel_share))
        too_parallel = a.get("strategy") in BAYESIAN and total > 0 and parallel > target
        if not (no_stop or too_parallel):
            continue
        runs = trials.get(r.id, [])
        hours = sum(_hours(t) for t in runs)
        if hours <= 0:
            yield Skip(TUNING_RULE, r.id, "no trial job of this search ran in the lookback: its trial-hours are unknown")
            continue
        price = catalog.price(r.provider, r.region, r.type) if catalog is not None and r.type else None
        if price is None:
            yield Skip(TUNING_RULE, r.id, f"no on-demand price for {r.type} in {r.region}")
            continue
        saved = 1.0 - (1.0 - (params.early_stopping_saved_share if no_stop else 0.0)) * (
            1.0 - (params.parallel_saved_share if too_parallel else 0.0))
        spend = sum(_hours(t) * (catalog.price(t.provider, t.region, t.type) or price).amount for t in runs) * scale
        savings = spend * saved
        if savings < params.min_monthly_savings:
            continue
        changes = (["early stopping on"] if no_stop else []) + ([f"at most {target} trials at once"] if too_parallel else [])
        yield Recommendation(
            id=recommendation_id(TUNING_RULE, r.id, "tune search"), rule_id=TUNING_RULE, resource_id=r.id,
            action="; ".join(changes), provider=r.provider, account=r.account, region=r.region,
            resource_kind=r.kind, resource_name=r.name,
            current=Current(strategy=str(a.get("strategy")), early_stopping=str(a.get("early_stopping")),
                            max_parallel=parallel, max_jobs=total),
            proposed=Proposal(early_stopping="Auto" if no_stop else str(a.get("early_stopping")),
                              max_parallel=target if too_parallel else parallel),
            monthly_cost_before=spend, monthly_cost_after=spend - savings, monthly_savings=savings,
            savings_low=savings / 2, savings_high=min(spend, savings * 1.5), currency=price.currency,
            confidence="low", performance_risk=1,
            evidence=Evidence(facts={"trial_jobs": len(runs), "trial_hours_in_lookback": hours, "saved_share": saved,
                                     "saved_share_source": "estimate (rule parameters)"}, price_source=price.source),
            impacts=Impacts(trial_hours_saved_per_month=hours * scale * saved),
            effort="low", tags=dict(r.tags), workload="training", alternative_group=r.id,
            rationale=(f"{a.get('strategy')} search with early stopping {a.get('early_stopping')}, {parallel} of "
                       f"{total} trials at once; {len(runs)} trials ran {hours:.0f} instance-hours in the lookback; "
                       f"estimated {saved:.0%} of the trial-hours saved"),
            apply=mlplatform_apply.tuning(r, no_stop, target if too_parallel else None))
