"""Predicted impacts and SLO verdicts for candidates (latency, accuracy, interruptions).

``assess(candidates, snapshot, settings, catalog)`` returns the candidates (the rules'
candidates, ``model.cheaper_variant``'s variant switches among them) with ``impacts`` and
``slo`` filled in for those that touch a workload with targets; others keep an ``unknown``
verdict. A candidate is matched to its workload through its resource (config globs on
id/name/ARN, or ``costopt:model`` and the other ``costopt:*`` tags; see :mod:`targets`).

What a candidate carries, by family (the typed :class:`~costopt.records.Proposal`; ``current``
is still a mapping with ``type`` and ``count``):

* compute changes (rightsizing, autoscaling, model, idle): ``type``, ``count``,
  ``variant``; autoscaling ranges ``count_min``/``count_max`` (and the policy's
  ``scale_out_lag_hours``); scale to zero or serverless as a minimum of 0 or ``serverless``
  (``Proposal.scales_to_zero``; the rule's ``Impacts.cold_start_s`` if it knows it); removal as
  ``count = 0`` or a removed ``state`` (``Proposal.removes``); off-hours schedules as
  ``hours_per_week`` (with the rule's ``busy_hours_outside`` evidence). These get predicted latency quantiles before/after
  against the target (:mod:`predict`), accuracy before/after against the floor when the
  variant changes (:mod:`accuracy`) and the cold start when capacity can reach zero.
* spot (``pricing_model = "spot"``): interruption rate (the rule's
  ``Impacts.interruption_rate_per_hour`` first, then the catalog's) and added wall time
  (:mod:`impacts`); with an ``on_demand_base`` on a workload that does not tolerate
  interruptions, whether the base alone holds the latency target.
* storage: ``storage_class`` or ``lifecycle`` -> first-byte latency and retrieval
  cost (``read_gb_month`` evidence) for buckets that workloads declare as ``datasets``.
* commitments: billing-only, always ``ok``.
* changes that cannot touch serving get ``n/a``: deleting an unattached volume or disk,
  releasing an unassociated address, old snapshots, storage changes on data no workload
  reads (:func:`cannot_touch_serving`).

A candidate on a workload with targets carries ``Impacts.workload_targets`` (e.g.
``("p95 <= 80 ms", "AUC >= 0.955")``): the strict selection policy fails closed on those.
The fields are documented on :class:`~costopt.records.Impacts`. Impacts keep whatever the rule
already set; fields set here win.

A change to a member instance of an Auto Scaling group that is itself in the snapshot is
predicted at the level it is priced: removing the member leaves the group (its pooled load)
one instance short; resizing it changes that one instance, which keeps serving its share
(1/n) of the group's load. It joins the group's ``alternative_group``, so a member's change
and the group's autoscaling or variant switch are never both selected.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from costopt.config import Settings
from costopt.metrics import memoised_order_statistics
from costopt.model import Recommendation, Resource, SloVerdict, Snapshot, evolve
from costopt.records import Impacts, Proposal
from costopt.tradeoff.accuracy import Check, accuracy_check
from costopt.tradeoff.capacity import hardware
from costopt.tradeoff.impacts import cold_start_impacts, combine, spot_impacts, storage_impacts
from costopt.tradeoff.load import PEAK_QUANTILE, Observations, Observed
from costopt.tradeoff.params import DEFAULT_PARAMS, TradeoffParams
from costopt.tradeoff.predict import Setup, predict_latency
from costopt.tradeoff.risk import judged
from costopt.tradeoff.selection import Selection, select_owned
from costopt.tradeoff.targets import Targets, Workload, targets_for

COMPUTE_FAMILIES = ("rightsizing", "autoscaling", "model", "idle")


def _current_count(rec: Recommendation, resource: Resource) -> int:
    count = rec.current.get("count")
    if isinstance(count, int) and not isinstance(count, bool) and count > 0:
        return count
    return max(int(resource.count or 1), 1)


def _schedule(rec: Recommendation, wl: Workload) -> list[Check]:
    """Off-hours schedules: fine unless a latency-bound workload gets requests while stopped."""
    if not wl.latency_targets_ms:
        return [Check("unknown", f"{wl.kind or 'workload'} {wl.name}: no latency target declared; "
                                 f"stopped {rec.impacts.unavailable_hours_per_week or '?'} h a week")]
    outside = rec.evidence.busy_hours_outside
    if isinstance(outside, (int, float)) and outside > 0:
        return [Check("breach", f"{outside:g} busy hours fell outside the proposed schedule; "
                                f"{wl.name} would be down when requests arrive")]
    if isinstance(outside, (int, float)):
        return [Check("ok", "no traffic observed outside the proposed schedule")]
    return [Check("unknown", "cannot tell whether requests arrive outside the proposed schedule")]


def _compute(rec: Recommendation, resource: Resource, wl: Workload, targets: Targets,
             obs: Observed | None, catalog: Any, params: TradeoffParams) -> tuple[dict[str, Any], list[Check]]:
    model = targets.model_of(wl)
    v0 = model.current_variant(wl.variant) if model is not None else None
    v1 = v0
    p = rec.proposed
    proposed_variant = p.variant
    if model is not None and proposed_variant:
        v1 = model.variants.get(proposed_variant)
    type0 = str(rec.current.get("type") or resource.type or "")
    type1 = p.type or type0
    count0 = _current_count(rec, resource)
    count1 = 0 if p.removes else (count0 if p.count is None else p.count)
    min_c, max_c = p.count_min, p.count_max
    impacts: dict[str, Any] = {}
    checks: list[Check] = []
    if p.hours_per_week is not None:
        return impacts, _schedule(rec, wl)
    if proposed_variant or rec.family == "model":
        if model is None or v1 is None:
            checks.append(Check("unknown", f"variant {proposed_variant!r} is not declared under [models.{wl.model or wl.name}]"))
        else:
            acc, check = accuracy_check(wl, v0, v1, model.accuracy_metric)
            impacts.update(acc)
            checks.append(check)
    zero = p.scales_to_zero
    if zero:
        cold, cold_checks = cold_start_impacts(rec, obs, wl, params)
        impacts.update(cold)
        checks.extend(cold_checks)
        if p.serverless:
            return impacts, checks
    if count1 == 0 and not zero and min_c is None:
        served = obs.total_requests if obs is not None else 0.0
        if served > 0:
            status = "breach" if wl.latency_targets_ms else "unknown"
            checks.append(Check(status, f"removes capacity that served {served:,.0f} requests in the lookback"))
        elif obs is not None and obs.request_hours:
            checks.append(Check("ok", "no requests observed in the lookback"))
        elif not wl.latency_targets_ms:
            checks.append(Check("unknown", f"{wl.kind or 'workload'} {wl.name}: no latency target declared"))
        else:
            checks.append(Check("unknown", "no request metrics: cannot tell whether anything still uses it"))
        return impacts, checks
    hw0 = hardware(catalog, resource.provider, type0, resource.specs)
    hw1 = hardware(catalog, resource.provider, type1, resource.specs if type1 == type0 else None)
    if hw0 is None or hw1 is None:
        missing = type0 if hw0 is None else type1
        checks.append(Check("unknown", f"no hardware figures for {missing} to predict latency"))
        return impacts, checks
    before = Setup(hw0, count0, v0)
    target = p.target_utilization
    after = Setup(hw1, max(count1, 0), v1, min_c, max_c, target if target is not None and 0 < target <= 1 else None)
    lat, lat_checks = predict_latency(obs, wl, before, after, params, p.scale_out_lag_hours, model)
    impacts.update(lat)
    if not wl.latency_targets_ms and wl.kind in ("training", "batch", "notebook", "dev", "data"):
        lat_checks = [Check("unknown", f"{wl.kind} workload {wl.name}: no latency target declared")]
    checks.extend(lat_checks)
    return impacts, checks


def _on_demand_base(rec: Recommendation, resource: Resource, wl: Workload, targets: Targets,
                    obs: Observed | None, catalog: Any, params: TradeoffParams) -> tuple[dict[str, Any], list[Check]]:
    """Spot for part of a serving fleet: can the on-demand base alone hold the latency target?"""
    base = rec.proposed.on_demand_base or 0
    as_removal = evolve(rec, proposed=Proposal(type=rec.proposed.type or resource.type, count=base))
    impacts, checks = _compute(as_removal, resource, wl, targets, obs, catalog, params)
    worst = {"if_spot_reclaimed": Impacts.of(impacts)}
    out = []
    for c in checks:
        if c.status == "breach":
            out.append(Check("breach", f"if the spot instances are reclaimed, the on-demand base of {base}: {c.reason}"))
        elif c.status == "ok":
            out.append(Check("ok", f"the on-demand base of {base} alone keeps {c.reason}"))
        else:
            out.append(c)
    return worst, out


def _as_group(rec: Recommendation, group: Resource) -> Recommendation:
    """Removing one member of a group, seen at the group: count - 1 instances carry its load."""
    count = max(int(group.count or 1), 1)
    proposed = evolve(rec.proposed, state=None, keeps=None, count=count - 1)
    current = evolve(rec.current, count=count, type=rec.current.type or group.type)
    return evolve(rec, current=current, proposed=proposed)


def _member_share(obs: Observed | None, members: int) -> Observed | None:
    """What one of ``members`` instances behind a balancer sees: its share of the requests,
    the group's latency and utilisation."""
    if obs is None or members <= 1:
        return obs
    share = 1.0 / members
    return replace(obs, hourly_requests=obs.hourly_requests * share,
                   peak_rps=None if obs.peak_rps is None else obs.peak_rps * share,
                   mean_rps=None if obs.mean_rps is None else obs.mean_rps * share,
                   busy_rps=None if obs.busy_rps is None else obs.busy_rps * share)


def _member_change(rec: Recommendation, resource: Resource, group: Resource, wl: Workload, targets: Targets,
                   observed: Observations, catalog: Any,
                   params: TradeoffParams) -> tuple[dict[str, Any], list[Check]]:
    """A change to one member of a group is predicted at the level it is priced: removing it
    leaves the group one instance short; resizing it changes that one instance, which keeps
    serving its share of the group's load."""
    n = max(int(group.count or 1), 1)
    if rec.proposed.removes:
        impacts, checks = _compute(_as_group(rec, group), group, wl, targets, observed.get(group.id), catalog, params)
        impacts["evaluated_for"] = f"group {group.name or group.id} ({n} instances, one removed)"
        return impacts, checks
    current = evolve(rec.current, count=1, type=rec.current.type or resource.type or group.type)
    member = evolve(rec, current=current, proposed=evolve(rec.proposed, count=1))
    impacts, checks = _compute(member, resource, wl, targets, _member_share(observed.get(group.id), n), catalog, params)
    impacts["evaluated_for"] = f"member {resource.id} of group {group.name or group.id} (1/{n} of its load)"
    return impacts, checks


NA_REASON = "cannot touch serving: {what}"
BILLING_ONLY = SloVerdict("ok", ("billing-only change: no effect on latency or accuracy",))


def _verdict(status: str, reasons: tuple[str, ...],
             verdicts: dict[tuple[str, tuple[str, ...]], SloVerdict] | None) -> SloVerdict:
    """One (frozen) verdict object per distinct status and reasons in an assessment: a fleet's
    candidates mostly share theirs, and every object kept is one more for the GC to scan."""
    if verdicts is None:
        return SloVerdict(status, reasons)
    found = verdicts.get((status, reasons))
    if found is None:
        found = verdicts[(status, reasons)] = SloVerdict(status, reasons)
    return found


def cannot_touch_serving(rec: Recommendation, resource: Resource, targets: Targets) -> str | None:
    """What makes the change harmless to serving (None when it might touch serving)."""
    attrs = resource.attributes
    if resource.kind in ("volume", "disk") and (attrs.get("attached") is False or rec.evidence.attached is False):
        return f"{resource.kind} {resource.name or resource.id} is attached to nothing"
    if resource.kind == "address" and (attrs.get("associated") is False or rec.evidence.associated is False):
        return f"address {resource.name or resource.id} is associated with nothing"
    if resource.kind == "snapshot":
        return f"snapshot {resource.name or resource.id} is a backup, not read while serving"
    if resource.kind in ("bucket", "storage_account") and not targets.reading(resource):
        return f"no workload declares {resource.name or resource.id} among the data it reads"
    return None


def workload_targets(wl: Workload, metric: str = "") -> list[str]:
    """The latency and accuracy targets a workload declares, as short strings."""
    out = [f"p{q * 100:g} <= {ms:g} ms" for q, ms in sorted(wl.latency_targets_ms.items())]
    if wl.min_accuracy is not None:
        out.append(f"{metric or wl.accuracy_metric or 'accuracy'} >= {wl.min_accuracy:g}")
    return out


def _assess_one(rec: Recommendation, resource: Resource | None, wl: Workload | None, targets: Targets,
                observed: Observations, catalog: Any, params: TradeoffParams,
                group: Resource | None = None, declared_by: dict[int, tuple[str, ...]] | None = None,
                verdicts: dict[tuple[str, tuple[str, ...]], SloVerdict] | None = None) -> Recommendation:
    family = rec.family
    if family == "commitments":
        return evolve(rec, slo=BILLING_ONLY)
    if resource is None:
        return rec
    harmless = cannot_touch_serving(rec, resource, targets)
    if harmless is not None:
        return judged(rec, rec.impacts, _verdict("n/a", (NA_REASON.format(what=harmless),), verdicts), False)
    impacts: dict[str, Any] = {}
    checks: list[Check] = []
    p = rec.proposed
    if family == "storage" or p.storage_class or p.lifecycle:
        readers = targets.reading(resource)
        impacts, checks = storage_impacts(rec, readers, catalog, params)
    elif family == "spot" or p.pricing_model == "spot":
        impacts, checks = spot_impacts(rec, resource, wl, catalog, params)
        if wl is not None and checks and checks[0].status == "breach" and p.on_demand_base:
            base_impacts, checks = _on_demand_base(rec, resource, wl, targets, observed.get(resource.id), catalog, params)
            impacts.update(base_impacts)
    elif wl is not None and (family in COMPUTE_FAMILIES or p.type or p.count is not None or p.variant):
        if group is not None:
            impacts, checks = _member_change(rec, resource, group, wl, targets, observed, catalog, params)
        else:
            impacts, checks = _compute(rec, resource, wl, targets, observed.get(resource.id), catalog, params)
    if wl is not None:
        declared = declared_by.get(id(wl)) if declared_by is not None else None
        if declared is None:
            model = targets.model_of(wl)
            declared = tuple(workload_targets(wl, model.accuracy_metric if model is not None else ""))
            if declared_by is not None:  # one per workload object (they live as long as the assessment)
                declared_by[id(wl)] = declared
        impacts = {"workload": wl.name, "workload_targets": declared, **impacts}
    if group is not None and rec.alternative_group in ("", rec.resource_id):
        # a member's change and the group's changes are alternatives for one fleet
        rec = evolve(rec, alternative_group=group.id)
    if not impacts and not checks:
        return rec
    notes = tuple(wl.notes) if wl is not None else ()
    merged = evolve(rec.impacts, **impacts)
    if not checks:
        return evolve(rec, impacts=merged)
    return judged(rec, merged, _verdict(*combine(checks, notes), verdicts), merged.targeted)


def assess(candidates: Sequence[Recommendation], snapshot: Snapshot, settings: Settings,
           catalog: Any, params: TradeoffParams = DEFAULT_PARAMS) -> list[Recommendation]:
    """Fill ``impacts`` and ``slo`` of every candidate (the variant switches come from the rules
    phase: ``model.cheaper_variant`` reads the workloads through the engine)."""
    targets = targets_for(settings, snapshot)  # the rules phase resolved the same resources
    recs = list(candidates)
    index = {r.id: r for r in snapshot.resources}
    workloads: dict[str, Workload | None] = {}
    for rec in recs:
        resource = index.get(rec.resource_id)
        if resource is not None and resource.id not in workloads:
            workloads[resource.id] = targets.for_resource(resource)
    members = {r.id: [str(i) for i in (r.attributes.get("instance_ids") or ())]
               for r in snapshot.resources if r.kind == "autoscaling_group"}
    group_of = {iid: index[gid] for gid, ids in members.items() for iid in ids}
    serving = [rid for rid, wl in workloads.items() if wl is not None]
    serving += sorted({group_of[rid].id for rid in serving if rid in group_of} - set(serving))
    # the p99 utilisation of a series the rules already ordered is read from their work
    shared = {m: memoised_order_statistics(snapshot, m, PEAK_QUANTILE) for m in ("cpu", "gpu")}
    observed = Observations(snapshot.metrics, serving, params, members=members,
                            providers={rid: index[rid].provider for rid in serving}, order_statistics=shared)
    declared_by: dict[int, tuple[str, ...]] = {}
    verdicts: dict[tuple[str, tuple[str, ...]], SloVerdict] = {}
    return [_assess_one(rec, index.get(rec.resource_id), workloads.get(rec.resource_id), targets, observed,
                        catalog, params, group_of.get(rec.resource_id), declared_by, verdicts) for rec in recs]


def assess_and_select(candidates: Sequence[Recommendation], snapshot: Snapshot, settings: Settings, catalog: Any,
                      policy: str, params: TradeoffParams = DEFAULT_PARAMS) -> Selection:
    """``select(assess(candidates, ...), policy)`` with every record copied once: the judged copies
    :func:`assess` makes are private to this call, so the selection sets their status in place
    instead of copying them again (the candidates themselves are never changed)."""
    candidates = tuple(candidates)  # read twice below: an iterator would be judged empty the second time
    originals = {id(rec) for rec in candidates}
    assessed = assess(candidates, snapshot, settings, catalog, params)
    return select_owned(assessed, policy, frozenset(id(rec) for rec in assessed if id(rec) not in originals))
