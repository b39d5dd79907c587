"""Model-variant switches (family ``model``): serve a cheaper variant on less hardware.

The variants come from config (``[models.NAME.variants.*]``, see
:mod:`costopt.tradeoff.targets`): the rule declares ``needs=("inventory", "workloads")``, so the
engine hands it the workloads and models parsed from config (without them it yields nothing).
It runs in the rules phase like every rule; enablement, parameters
(``[rules."model.cheaper_variant"]``) and exclusions apply as for every rule, and the trade-off
step only judges its candidates.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from costopt.catalog.licence import os_of
from costopt.catalog.model import Price
from costopt.evidence import Evidence
from costopt.model import HOURS_PER_MONTH, Recommendation, Resource, Skip, Snapshot, recommendation_id
from costopt.records import Current, Proposal
from costopt.rules import defaults
from costopt.rules.base import rule
from costopt.rules.shell import arg, comment
from costopt.tradeoff.capacity import Hardware, hardware, instance_speed
from costopt.tradeoff.params import DEFAULT_PARAMS
from costopt.tradeoff.targets import ModelVariant, Targets

RULE_ID = "model.cheaper_variant"


def _capacity(hw: Hardware, variant: ModelVariant) -> tuple[float, str] | None:
    """Requests-per-time capacity of one instance for ``variant`` and how it was known."""
    measured = variant.throughput_rps.get(hw.type)
    if measured:
        return float(measured), "measured"
    speed = instance_speed(hw, DEFAULT_PARAMS)
    if speed <= 0:
        return None
    # catalog figures: speed per worker / compute per request, times workers
    return speed / variant.relative_compute, "catalog"


def _price(catalog: Any, resource: Resource, type_: str) -> Price | None:
    # the resource's OS and licence (Windows, SQL Server, RHEL...) stay with it on the new type
    return catalog.price(resource.provider, resource.region, type_, os=os_of(resource)) if catalog is not None else None


def _hourly(catalog: Any, resource: Resource, type_: str) -> float | None:
    price = _price(catalog, resource, type_)
    return None if price is None else price.amount


def _cited(price: Price) -> str:
    return f"{price.source} ({price.as_of})"


def _apply_step(resource: Resource, type_: str, count: int, variant: str) -> str:
    name = resource.name or resource.id
    if resource.kind == "endpoint" or type_.startswith("ml."):
        return (f"aws sagemaker create-endpoint-config ... && aws sagemaker update-endpoint --endpoint-name {arg(name)} "
                "--endpoint-config-name '<new config>'  "
                + comment(f"deploy the {variant} model artifact in a new endpoint config with {count} x {type_}; "
                          "shadow-test it first"))
    return comment(f"roll the {variant} build out to {count} x {type_} (new launch template version / instance "
                   f"refresh for {name}); canary it against the accuracy floor first")


def _options_key(resource: Resource, v0: ModelVariant, v1: ModelVariant) -> tuple[Any, ...] | None:
    """Everything of the resource and variants :func:`_options` reads (with the catalog and
    params, fixed for one call), or None when the resource's specs cannot be a key."""
    try:
        specs = frozenset(resource.specs.items())
        hash(specs)
    except TypeError:
        return None
    return (resource.provider, resource.region, resource.type, os_of(resource), resource.count, id(v0), id(v1), specs)


def _options(resource: Resource, v0: ModelVariant, v1: ModelVariant,
             catalog: Any, params: defaults.CheaperVariant) -> Iterable[tuple[str, int, str]]:
    """(type, count, capacity basis) alternatives for serving ``v1`` instead of ``v0``."""
    hw0 = hardware(catalog, resource.provider, resource.type, resource.specs)
    if hw0 is None:
        return
    count0 = max(int(resource.count or 1), 1)
    cap0 = _capacity(hw0, v0)
    same = _capacity(hw0, v1)
    if cap0 is None or same is None:
        return
    basis = "measured" if cap0[1] == same[1] == "measured" else "catalog"
    need = count0 * cap0[0] * params.capacity_margin
    fewer = max(params.min_instances, math.ceil(need / same[0] - 1e-9))
    if fewer < count0:
        yield resource.type, fewer, basis
    if catalog is None:
        return
    sagemaker = resource.type.startswith("ml.")
    best: tuple[float, str, str] | None = None
    price0 = _hourly(catalog, resource, resource.type)
    for spec in catalog.instances(resource.provider, resource.region):
        if spec.type == resource.type or spec.type.startswith("ml.") != sagemaker:
            continue
        hw1 = hardware(catalog, resource.provider, spec.type)
        if hw1 is None:
            continue
        if not hw1.has_gpu and hw0.has_gpu and not (params.consider_cpu and (v1.runs_on_cpu or spec.type in v1.throughput_rps)):
            continue
        cap1 = _capacity(hw1, v1)
        if cap1 is None or cap1[0] * count0 < need:
            continue
        price1 = _hourly(catalog, resource, spec.type)
        if price1 is None or (price0 is not None and price1 >= price0):
            continue
        if best is None or price1 < best[0]:
            best = (price1, spec.type, "measured" if cap0[1] == cap1[1] == "measured" else "catalog")
    if best is not None:
        yield best[1], count0, best[2]


@rule(RULE_ID, params=defaults.CheaperVariant, needs=("inventory", "workloads"))
def cheaper_variant(snapshot: Snapshot, catalog: Any, params: defaults.CheaperVariant,
                    targets: Targets | None = None) -> Iterable[Recommendation | Skip]:
    """Serve a cheaper model variant (fp16, int8, distilled) on fewer or smaller instances.

    Why: a quantised or distilled variant often needs a third to a half of the compute of
    the fp32 model, so the same traffic fits on fewer or smaller (even CPU) instances. It
    is only worth it when the variant's measured accuracy meets the workload's floor: the
    trade-off step rejects a variant below ``min_accuracy`` and reports the delta.

    How to fix: evaluate the variant offline against the accuracy floor, deploy it beside
    the current one (shadow or canary), then switch the endpoint or fleet to the proposed
    type and count.

    Example config::

        [workloads.fraud-detector]
        resources = ["fraud-detector"]
        latency_p95_ms = 80
        min_accuracy = 0.955

        [models.fraud-detector.variants]
        fp32 = { accuracy = 0.962, relative_compute = 1.0 }
        int8 = { accuracy = 0.948, relative_compute = 0.35, throughput_rps = { "ml.g4dn.xlarge" = 210 } }

        [rules."model.cheaper_variant"]
        capacity_margin = 1.1
    """
    if targets is None or not targets.models:
        return
    grouped = {str(i) for r in snapshot.resources if r.kind == "autoscaling_group"
               for i in (r.attributes.get("instance_ids") or ())}
    # a fleet has many resources of one type, count and region: each such set of alternatives is
    # searched once (the search walks the region's whole catalog); the variants live in
    # ``targets`` for the whole call, so their ids are stable keys
    options: dict[tuple[Any, ...], list[tuple[str, int, str]]] = {}
    for resource in snapshot.resources:
        if resource.id in grouped:  # the group is proposed as a whole, not each member
            continue
        wl = targets.for_resource(resource)
        model = targets.model_of(wl) if wl is not None else None
        if wl is None or model is None or len(model.variants) < 2 or not resource.type:
            continue
        v0 = model.current_variant(wl.variant)
        if v0 is None:
            yield Skip(RULE_ID, resource.id, f"cannot tell which variant of {model.name} is deployed; set variant")
            continue
        count0 = max(int(resource.count or 1), 1)
        price0 = _price(catalog, resource, resource.type)
        if resource.hourly_cost is not None:
            before_hourly: float = resource.hourly_cost
            source0 = str(resource.attributes.get("price_source") or "")
        elif price0 is not None:
            before_hourly, source0 = price0.amount * count0, _cited(price0)
        else:
            yield Skip(RULE_ID, resource.id, f"no price for {resource.type} in {resource.region}")
            continue
        unit_hourly = before_hourly / count0
        for v1 in sorted(model.variants.values(), key=lambda v: v.name):
            if v1.name == v0.name or v1.relative_compute >= v0.relative_compute:
                continue
            key = _options_key(resource, v0, v1)
            found = options.get(key) if key is not None else None
            if found is None:
                found = list(_options(resource, v0, v1, catalog, params))
                if key is not None:
                    options[key] = found
            for type1, count1, basis in found:
                price1 = None if type1 == resource.type else _price(catalog, resource, type1)
                if type1 != resource.type and price1 is None:
                    yield Skip(RULE_ID, resource.id, f"no price for {type1} in {resource.region}")
                    continue
                p1 = unit_hourly if price1 is None else price1.amount
                sources = tuple(dict.fromkeys(s for s in (source0, "" if price1 is None else _cited(price1)) if s))
                before = before_hourly * HOURS_PER_MONTH
                after = p1 * count1 * HOURS_PER_MONTH
                savings = before - after
                if savings < params.min_monthly_savings:
                    continue
                action = f"serve {v1.name} on {count1} x {type1}"
                feasible = None if (wl.min_accuracy is None or v1.accuracy is None) else v1.accuracy >= wl.min_accuracy
                delta = None if v0.accuracy is None or v1.accuracy is None else v1.accuracy - v0.accuracy
                metric = wl.accuracy_metric or model.accuracy_metric or "accuracy"
                yield Recommendation(
                    id=recommendation_id(RULE_ID, resource.id, action), rule_id=RULE_ID,
                    resource_id=resource.id, action=action, provider=resource.provider,
                    account=resource.account, region=resource.region, resource_kind=resource.kind,
                    resource_name=resource.name,
                    current=Current(type=resource.type, count=count0, variant=v0.name),
                    proposed=Proposal(type=type1, count=count1, variant=v1.name),
                    monthly_cost_before=before, monthly_cost_after=after, monthly_savings=savings,
                    savings_low=savings * (1 - params.savings_uncertainty),
                    savings_high=savings * (1 + params.savings_uncertainty),
                    currency=resource.currency,
                    confidence="high" if basis == "measured" else "medium",
                    performance_risk=1 if basis == "measured" else 2,
                    evidence=Evidence(facts={"model": model.name, "variant_before": v0.name, "variant_after": v1.name,
                                             "accuracy_metric": metric, "accuracy_before": v0.accuracy,
                                             "accuracy_after": v1.accuracy, "accuracy_delta": delta,
                                             "accuracy_floor": wl.min_accuracy, "accuracy_feasible": feasible,
                                             "relative_compute_before": v0.relative_compute,
                                             "relative_compute_after": v1.relative_compute, "capacity_basis": basis},
                                      price_sources=sources),
                    effort="medium",
                    rationale=(f"{model.name} {v1.name} needs {v1.relative_compute / v0.relative_compute:.0%} of the "
                               f"compute of {v0.name}; {metric} {v0.accuracy} -> {v1.accuracy}"),
                    apply=_apply_step(resource, type1, count1, v1.name),
                    tags=dict(resource.tags), workload=resource.workload,
                    alternative_group=resource.id,
                )
