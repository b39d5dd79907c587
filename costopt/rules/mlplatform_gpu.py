"""Under-used training accelerators: training job families whose GPUs mostly wait.

SageMaker publishes a training job's ``GPUUtilization`` per host in ``/aws/sagemaker/TrainingJobs``
on a 0-100 x number-of-GPUs scale (the CloudWatch SageMaker metrics reference), so each point is
divided by the type's GPU count for a per-GPU share. A family (same name stem, type and instance
count; see :mod:`costopt.rules.mlplatform_training`) whose per-GPU P95 stays at or below
``gpu_p95_max`` is offered the cheapest configuration of the same instance family (same GPU,
so the same memory per GPU) with at least enough GPUs to run the observed load at
``target_utilisation``, never more instances than today.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import numpy as np

from costopt.evidence import Evidence
from costopt.model import HOURS_PER_MONTH, Recommendation, Resource, Skip, Snapshot, recommendation_id
from costopt.records import Current, Impacts, Proposal
from costopt.rules import defaults
from costopt.rules.mlplatform_training import _hours
from costopt.rules.shell import comment

RULE = "mlplatform.training_underused_gpu"


def _options(catalog: Any, region: str, spec: Any, count: int, needed: int) -> list[tuple[float, str, int, int]]:
    """(hourly price, type, instances, gpus each) of same-family configurations holding ``needed`` GPUs."""
    out = []
    for other in catalog.instances("aws", region):
        if other.family != spec.family or not other.gpu_count or other.gpu_model != spec.gpu_model:
            continue
        n = max(1, math.ceil(needed / other.gpu_count))
        price = catalog.price("aws", region, other.type)
        if n <= count and price is not None:
            out.append((price.amount * n, other.type, n, other.gpu_count))
    return sorted(out)


def underused_gpu_findings(snapshot: Snapshot, catalog: Any,
                           params: defaults.TrainingUnderusedGpu) -> Iterable[Recommendation | Skip]:
    """The findings of :func:`costopt.rules.mlplatform.training_underused_gpu` (documented there)."""
    if catalog is None:
        return
    points: dict[str, list[np.ndarray]] = defaultdict(list)
    for m in snapshot.metrics:
        if m.metric == "gpu":
            points[m.resource_id].append(np.asarray(m.values, dtype=float))
    groups: dict[tuple[Any, ...], list[Resource]] = defaultdict(list)
    for r in snapshot.resources:
        if r.kind == "training_run" and r.provider == "aws" and r.id in points:
            groups[(r.account, r.region, r.attributes.get("family") or r.name, r.type, r.count)].append(r)
    if not groups:
        return
    family_runs: dict[tuple[Any, ...], list[Resource]] = defaultdict(list)
    for r in snapshot.resources:
        if r.kind == "training_run":
            family_runs[(r.account, r.region, r.attributes.get("family") or r.name, r.type, r.count)].append(r)
    scale = HOURS_PER_MONTH / snapshot.window.hours
    for key, sampled in sorted(groups.items()):
        account, region, family, type_, count = key
        rid = f"aws:{account}/{region}/training/{family}/{type_}x{count}"
        spec = catalog.instance("aws", type_)
        now = catalog.price("aws", region, type_)
        if spec is None or not spec.gpu_count or now is None:
            yield Skip(RULE, rid, f"no GPU spec or on-demand price for {type_} in the catalog")
            continue
        values = np.concatenate([v for r in sampled for v in points[r.id]]) / spec.gpu_count
        values = values[np.isfinite(values)]
        if values.size < params.min_points:
            yield Skip(RULE, rid, f"{values.size} GPU utilisation points; {params.min_points} needed")
            continue
        p95 = float(np.percentile(values, 95))
        if p95 > params.gpu_p95_max:
            continue
        needed = max(1, math.ceil(spec.gpu_count * count * p95 / params.target_utilisation))
        options = _options(catalog, region, spec, count, needed)
        if not options or options[0][0] >= now.amount * count:
            continue
        cost, new_type, n, gpus = options[0]
        runs = family_runs[key]
        hours = sum(_hours(r) for r in runs) / max(count, 1)  # wall hours of the family's clusters
        before, after = now.amount * count * hours * scale, cost * hours * scale
        savings = before - after
        if savings < params.min_monthly_savings:
            continue
        yield Recommendation(
            id=recommendation_id(RULE, rid, "resize"), rule_id=RULE, resource_id=rid,
            action=f"{count} x {type_} -> {n} x {new_type}", provider="aws", account=account, region=region,
            resource_kind="training_run", resource_name=f"{family} ({len(runs)} jobs)",
            current=Current(type=type_, count=count, gpus_total=spec.gpu_count * count),
            proposed=Proposal(type=new_type, count=n, gpus_total=gpus * n),
            monthly_cost_before=before, monthly_cost_after=after, monthly_savings=savings, savings_low=max(0.0, before - 2 * after),
            savings_high=savings, currency=now.currency, confidence="medium", performance_risk=2,
            evidence=Evidence(facts={"gpu_p95_per_gpu": p95, "points": int(values.size), "runs_sampled": len(sampled),
                                     "target_utilisation": params.target_utilisation}, price_source=now.source),
            impacts=Impacts(projected_gpu_utilization=p95 * spec.gpu_count * count / (gpus * n)),
            effort="low", tags=dict(runs[0].tags), workload="training", alternative_group=rid,
            rationale=(f"GPUs of {family} peaked at {p95:.0f}% (P95 per GPU over {values.size} points of "
                       f"{len(sampled)} recent runs); {needed} of {spec.gpu_count * count} GPUs carry that load at "
                       f"{params.target_utilisation:g}%; savings low assumes runs take up to twice as long"),
            apply=comment(f"in the CreateTrainingJob request of {family}: ResourceConfig.InstanceType={new_type} "
                   f"ResourceConfig.InstanceCount={n} (SageMaker Python SDK: Estimator(..., instance_type="
                   f"'{new_type}', instance_count={n}))"))
