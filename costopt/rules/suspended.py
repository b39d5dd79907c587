"""What a long-suspended GCP instance still costs, and the finding for ``idle.suspended_instance``.

A SUSPENDED Compute Engine instance bills no vCPU or memory, but it still bills the storage
of its preserved memory and device state, its disks and its static addresses
(compute.instances.suspend: "Suspended instances have no compute costs (cores or RAM), and
incur only storage charges for the saved VM memory and localSSD data. Any charged resources
the virtual machine was using, such as persistent disks and static IP addresses, will continue
to be charged while the instance is suspended."). Its ``hourly_cost`` is that memory-state
charge when the Cloud Billing Catalog prices it, else unknown (None, never 0): no published
per-GB rate for it was found. The finding adds the hourly cost of the disks attached to the
instance (``users`` of a disk in the same project and zone). With the memory charge unknown the
saving is the disks' cost, a lower bound, and the finding says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from costopt.evidence import Evidence
from costopt.model import HOURS_PER_MONTH, Recommendation, Resource, Skip, Snapshot, recommendation_id
from costopt.records import Current, Proposal
from costopt.rules import defaults
from costopt.rules.shell import arg

RULE_ID = "idle.suspended_instance"


def attached_disks(snapshot: Snapshot, instance: Resource) -> list[Resource]:
    """The volumes whose users include ``instance`` (same provider, project and zone)."""
    zone = instance.attributes.get("zone")
    return [r for r in snapshot.resources
            if r.kind == "volume" and r.provider == instance.provider and r.account == instance.account
            and r.attributes.get("zone") == zone and instance.name in (r.attributes.get("users") or ())]


def delete_commands(instance: Resource, disks: list[Resource]) -> str:
    """Snapshot every attached disk, then delete the instance with its disks (one line, shell-safe)."""
    zone, project = arg(instance.attributes.get("zone") or f"<zone in {instance.region}>"), arg(instance.account)
    steps = [f"gcloud compute snapshots create {arg((d.name or 'disk') + '-before-delete')} --source-disk "
             f"{arg(d.name)} --source-disk-zone {zone} --project {project}" for d in disks]
    steps.append(f"gcloud compute instances delete {arg(instance.name)} --zone {zone} --project {project} "
                 "--delete-disks=all")
    return " && ".join(steps)


def _since(value: object) -> datetime | None:
    """``suspended_since`` as collected (a datetime) or as read back from a saved audit (ISO text)."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    return value if isinstance(value, datetime) and value.tzinfo is not None else None


def findings(snapshot: Snapshot, params: defaults.SuspendedInstance) -> Iterable[Recommendation | Skip]:
    """One finding per instance SUSPENDED for at least ``params.min_days``."""
    now = snapshot.window.end
    for r in snapshot.resources:
        if r.kind not in ("vm", "gpu_vm") or r.attributes.get("state") != "suspended":
            continue
        since = _since(r.attributes.get("suspended_since"))
        if since is None:
            yield Skip(RULE_ID, r.id, "suspended, but since when is unknown (no lastSuspendedTimestamp)")
            continue
        days = (now - since).total_seconds() / 86400.0
        if days < params.min_days:
            continue
        disks = attached_disks(snapshot, r)
        priced = [d for d in disks if d.hourly_cost is not None]
        unpriced = [d.name for d in disks if d.hourly_cost is None]
        disk_hourly = sum(d.hourly_cost or 0.0 for d in priced)
        if r.hourly_cost is None and not priced:
            yield Skip(RULE_ID, r.id, f"suspended {days:.0f} days, but neither its memory state nor its disks "
                       f"have a price in {r.region}")
            continue
        monthly = ((r.hourly_cost or 0.0) + disk_hourly) * HOURS_PER_MONTH
        lower_bound = r.hourly_cost is None or bool(unpriced)
        unknown = ([f"the preserved memory ({r.attributes.get('billed_while_suspended')})"]
                   if r.hourly_cost is None else []) + [f"disk {n}" for n in unpriced]
        size = sum(float(d.attributes.get("size_gb") or 0) for d in disks)
        yield Recommendation(
            id=recommendation_id(RULE_ID, r.id, "delete"), rule_id=RULE_ID, resource_id=r.id, action="delete",
            provider=r.provider, account=r.account, region=r.region, resource_kind=r.kind, resource_name=r.name,
            monthly_cost_before=monthly, monthly_cost_after=0.0, monthly_savings=monthly, savings_low=monthly,
            savings_high=monthly, currency=r.currency, confidence="low" if lower_bound else "medium",
            performance_risk=1, effort="low", tags=dict(r.tags), workload=r.workload, alternative_group=r.id,
            current=Current(type=r.type, state="suspended", age_days=round(days, 1), size_gb=size),
            proposed=Proposal(state="deleted", keeps="snapshot"),
            evidence=Evidence(facts={"suspended_since": since.isoformat(), "suspended_days": days,
                                     "min_days": params.min_days, "memory_state_hourly": r.hourly_cost,
                                     "disks_hourly": disk_hourly, "savings_lower_bound": lower_bound,
                                     "not_priced": unknown},
                              price_source=str(r.attributes.get("price_source") or "") or None),
            rationale=(f"{r.name or r.id} ({r.type}) has been suspended for {days:.0f} days; it still bills "
                       f"{len(disks)} disk(s) ({size:,.0f} GB)" + (" and its preserved memory" if r.hourly_cost
                                                                   is not None else "")
                       + (f". Not priced: {', '.join(unknown)}; the saving is a lower bound." if unknown else ".")
                       + " Snapshot its disks and delete it, or resume it if it is still needed."),
            apply=delete_commands(r, disks))
