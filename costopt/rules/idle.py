"""Idle resources: paid for every hour, used by nobody.

Instances whose CPU, GPU and network stayed near zero, GCP instances left suspended, volumes attached
to nothing, Elastic IPs associated with nothing, old snapshots, SageMaker endpoints nobody calls, NAT
gateways that move no bytes, and buckets without lifecycle rules. Each finding is priced from the
resource's own hourly cost (or its size x the GB-month price), carries the statistics it was judged
on, and the exact CLI step that fixes it. A resource the rule cannot judge (too little data, no
price) is reported as a Skip with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

import numpy as np

from costopt.evidence import Evidence, Fact
from costopt.metrics import quantile_column, select_series, stats_by_resource, totals_by_resource
from costopt.model import HOURS_PER_MONTH, Recommendation, Resource, Skip, Snapshot, recommendation_id
from costopt.records import Current, Proposal
from costopt.rules import defaults, idle_apply, suspended
from costopt.rules.base import rule
from costopt.rules.evidence import AWS_METRICS_FIX, observed_hours

GB = 1024.0 ** 3
MB = 1024.0 ** 2
ENDPOINT_EVIDENCE = ("requests", "cpu", "gpu", "latency_ms")  # any of them shows CloudWatch answered


def _rec(rule_id: str, r: Resource, action: str, monthly: float, *, low: float | None = None,
         high: float | None = None, **kw: Any) -> Recommendation:
    return Recommendation(
        id=recommendation_id(rule_id, r.id, action), rule_id=rule_id, resource_id=r.id, action=action,
        provider=r.provider, account=r.account, region=r.region, resource_kind=r.kind, resource_name=r.name,
        monthly_cost_before=monthly, monthly_cost_after=0.0, monthly_savings=monthly,
        savings_low=monthly if low is None else low, savings_high=monthly if high is None else high,
        currency=r.currency, tags=dict(r.tags), workload=r.workload, alternative_group=r.id, **kw)


def _source(r: Resource) -> str | None:
    """The resource's price source for the evidence (so an estimated or stale price lowers confidence)."""
    source = r.attributes.get("price_source")
    return str(source) if source else None


def _age_days(r: Resource, now: datetime) -> float | None:
    return None if r.created is None else (now - r.created).total_seconds() / 86400.0


def _younger_than(r: Resource, now: datetime, hours: float) -> bool:
    """Created less than ``hours`` ago (an unknown creation time is old enough)."""
    age = _age_days(r, now)
    return age is not None and age * 24 < hours


def _left_behind(snapshot: Snapshot, rule_id: str, kind: str,
                 recommend: Callable[[Resource, float | None, float], Recommendation], *,
                 left: Callable[[Resource, float | None], bool],
                 unpriced: Callable[[Resource, float | None], str]) -> Iterator[Recommendation | Skip]:
    """The skeleton of the rules on things left behind (volumes, addresses, snapshots).

    Every resource of ``kind`` that ``left(r, age_days)`` calls left behind is priced from its own
    hourly cost and handed to ``recommend(r, age_days, monthly)``; without a cost it is a Skip
    saying ``unpriced(r, age_days)``.
    """
    now = snapshot.window.end
    for r in snapshot.resources:
        if r.kind != kind:
            continue
        age = _age_days(r, now)
        if not left(r, age):
            continue
        if r.hourly_cost is None:
            yield Skip(rule_id, r.id, unpriced(r, age))
        else:
            yield recommend(r, age, r.hourly_cost * HOURS_PER_MONTH)


@rule("idle.instance", params=defaults.IdleInstance, needs=("inventory", "metrics"))
def idle_instance(snapshot: Snapshot, catalog: Any, params: defaults.IdleInstance) -> Iterable[Recommendation | Skip]:
    """Idle instances: CPU, GPU and network near zero for the whole lookback.

    Why: a running instance bills every hour whether or not it works; idle GPU instances are
    the most expensive line an ML team forgets (a finished experiment, a notebook left on).
    How it judges: the P95 of 5-minute CPU maxima <= ``cpu_p95_max`` %, for GPU instances the
    P95 of GPU utilisation (CloudWatch agent ``nvidia_smi_utilization_gpu``) <= ``gpu_p95_max`` %,
    and network in+out below ``network_mb_per_hour_max``; at least ``min_hours`` of data.
    How to fix: stop it (EBS data is kept), or terminate it after a snapshot; Auto Scaling
    members are left to the autoscaling rules.
    Example config::

        [rules."idle.instance"]
        cpu_p95_max = 5.0
        min_hours = 72
    """
    q = params.quantile
    col = quantile_column(q)
    cpu = stats_by_resource(snapshot, "cpu", q)
    gpu = stats_by_resource(snapshot, "gpu", q)
    net = totals_by_resource(snapshot, "network_in", "network_out")
    for r in snapshot.resources:
        if r.kind not in ("vm", "gpu_vm") or r.attributes.get("state", "running") != "running":
            continue
        if r.attributes.get("asg"):
            continue  # capacity of an Auto Scaling group: see autoscaling.*
        c = cpu.get(r.id)
        if c is None or c["count"] == 0:
            yield Skip("idle.instance", r.id, "no CPU utilisation data in the lookback")
            continue
        hours = float(c["hours"])
        if hours < params.min_hours:
            yield Skip("idle.instance", r.id, f"only {hours:.0f} h of CPU data; needs {params.min_hours:.0f} h")
            continue
        cpu_q = float(c[col])
        if cpu_q > params.cpu_p95_max:
            continue
        facts: dict[str, Fact] = {"cpu_" + col: cpu_q, "cpu_max": float(c["max"]),
                                  "samples": int(c["count"]), "hours": hours,
                                  "lookback_days": snapshot.window.days, "period_s": int(c["period_s"])}
        if r.kind == "gpu_vm":
            g = gpu.get(r.id)
            if g is None or g["count"] == 0:
                yield Skip("idle.instance", r.id, "GPU instance without GPU utilisation data "
                           "(install the CloudWatch agent with nvidia_smi metrics)")
                continue
            gpu_q = float(g[col])
            if gpu_q > params.gpu_p95_max:
                continue
            facts["gpu_" + col] = gpu_q
            facts["gpu_samples"] = int(g["count"])
        mb_per_hour = net.get(r.id, 0.0) / MB / max(hours, 1e-9)
        facts["network_mb_per_hour"] = mb_per_hour
        if mb_per_hour > params.network_mb_per_hour_max:
            continue
        if r.hourly_cost is None:
            yield Skip("idle.instance", r.id, f"idle, but no price is known for {r.type} in {r.region}")
            continue
        monthly = r.hourly_cost * HOURS_PER_MONTH
        what = f"CPU {col} {cpu_q:.1f}%" + (f", GPU {col} {facts['gpu_' + col]:.1f}%" if r.kind == "gpu_vm" else "")
        yield _rec("idle.instance", r, "stop", monthly,
                   current=Current(type=r.type, state="running", hourly_cost=r.hourly_cost),
                   proposed=Proposal(state="stopped"), confidence="high" if hours >= 7 * 24 else "medium",
                   performance_risk=1, evidence=Evidence(facts=facts), effort="low",
                   rationale=f"{r.name or r.id} ({r.type}) was idle for {hours:.0f} h: {what}, "
                             f"network {mb_per_hour:.2f} MB/h. Stopping keeps its volumes.",
                   apply=idle_apply.stop_instance(r))


@rule("idle.unattached_volume", params=defaults.UnattachedVolume, needs=("inventory",))
def unattached_volume(snapshot: Snapshot, catalog: Any, params: defaults.UnattachedVolume) -> Iterable[Recommendation | Skip]:
    """Unattached EBS volumes: storage billed per GB-month, attached to nothing.

    Why: volumes outlive the instances they served (terminated without delete-on-termination).
    How to fix: snapshot the volume (cheap, restorable), then delete it.
    Example config::

        [rules."idle.unattached_volume"]
        min_age_days = 7
    """
    def recommend(r: Resource, age: float | None, monthly: float) -> Recommendation:
        size = r.attributes.get("size_gb") or 0
        return _rec("idle.unattached_volume", r, "delete", monthly, confidence="high", performance_risk=0,
                    current=Current(type=r.type, size_gb=size), proposed=Proposal(state="deleted", keeps="snapshot"),
                    evidence=Evidence(attached=False, facts={"size_gb": size, "age_days": age,
                                                             "gb_month_price": r.attributes.get("gb_month_price")},
                                      price_source=_source(r)),
                    rationale=f"{size} GB {r.type} volume {r.id} is attached to nothing"
                              + (f" ({age:.0f} days old)." if age is not None else "."),
                    apply=idle_apply.delete_volume(r))

    yield from _left_behind(
        snapshot, "idle.unattached_volume", "volume", recommend,
        left=lambda r, age: not r.attributes.get("attached", True) and (age is None or age >= params.min_age_days),
        unpriced=lambda r, age: f"unattached, but no GB-month price for {r.type} in {r.region}")


@rule("idle.unassociated_address", params=defaults.UnassociatedAddress, needs=("inventory",))
def unassociated_address(snapshot: Snapshot, catalog: Any, params: defaults.UnassociatedAddress) -> Iterable[Recommendation | Skip]:
    """Elastic IPs associated with nothing: public IPv4 addresses bill per hour.

    Why: an allocated address left behind costs every hour and holds a scarce IPv4.
    How to fix: release it (check no DNS record or allow-list still points at it).
    """
    def recommend(r: Resource, _age: float | None, monthly: float) -> Recommendation:
        ip = r.attributes.get("public_ip", "")
        return _rec("idle.unassociated_address", r, "release", monthly, confidence="high",
                    current=Current(public_ip=ip, associated=False), proposed=Proposal(state="released"),
                    evidence=Evidence(associated=False, facts={"public_ip": ip, "hourly_cost": r.hourly_cost},
                                      price_source=_source(r)),
                    rationale=f"Elastic IP {ip} ({r.id}) is associated with nothing.",
                    apply=idle_apply.release_address(r))

    yield from _left_behind(snapshot, "idle.unassociated_address", "address", recommend,
                            left=lambda r, _age: not r.attributes.get("associated", True),
                            unpriced=lambda r, _age: f"unassociated, but no IPv4 price for {r.region}")


@rule("idle.old_snapshot", params=defaults.OldSnapshot, needs=("inventory",))
def old_snapshot(snapshot: Snapshot, catalog: Any, params: defaults.OldSnapshot) -> Iterable[Recommendation | Skip]:
    """EBS snapshots older than ``max_age_days``: backups nobody restores.

    Why: snapshots accumulate (one per deploy, per night) and are billed per GB-month forever.
    How to fix: delete what no retention policy needs, or move it to the archive tier; set a
    Data Lifecycle Manager policy so it does not happen again. Savings are an upper bound:
    snapshots are incremental, so deleting one frees only the blocks no other snapshot shares.
    Example config::

        [rules."idle.old_snapshot"]
        max_age_days = 180
    """
    def recommend(r: Resource, age: float | None, monthly: float) -> Recommendation:
        size, days = r.attributes.get("size_gb") or 0, age or 0.0
        return _rec("idle.old_snapshot", r, "delete", monthly, low=monthly * params.incremental_share,
                    confidence="medium", current=Current(size_gb=size, age_days=round(days, 1)),
                    proposed=Proposal(state="deleted"),
                    evidence=Evidence(facts={"age_days": age, "size_gb": size, "max_age_days": params.max_age_days,
                                             "gb_month_price": r.attributes.get("gb_month_price")},
                                      price_source=_source(r)),
                    rationale=f"Snapshot {r.id} of {size} GB is {days:.0f} days old (limit {params.max_age_days:.0f}). "
                              "Savings are an upper bound: snapshots are incremental.",
                    apply=idle_apply.delete_snapshot(r))

    yield from _left_behind(snapshot, "idle.old_snapshot", "snapshot", recommend,
                            left=lambda r, age: age is not None and age > params.max_age_days,
                            unpriced=lambda r, age: f"{age or 0:.0f} days old, but no snapshot price for {r.region}")


@rule("idle.sagemaker_endpoint", params=defaults.IdleSagemakerEndpoint, needs=("inventory",))
def idle_sagemaker_endpoint(snapshot: Snapshot, catalog: Any, params: defaults.IdleSagemakerEndpoint) -> Iterable[Recommendation | Skip]:
    """SageMaker endpoints nobody calls: instances billed per hour for no invocations.

    Why: dev and test endpoints stay up after the experiment; each instance bills 24 h a day.
    How it judges: Invocations (AWS/SageMaker, all variants) per day over the lookback at most
    ``max_invocations_per_day``, for an endpoint older than ``min_age_hours``, and only on
    evidence: the endpoint's metrics (Invocations, or its instances' CPU/GPU utilisation, which
    CloudWatch records even when no request arrives) must cover ``min_hours`` of the lookback.
    Without them (GetMetricData failed, no permission) it is skipped, never called idle.
    How to fix: delete the endpoint (its endpoint config and model stay, so it can be recreated),
    or move it to serverless inference / scale-to-zero (see autoscaling.* alternatives).
    An endpoint left Failed or OutOfService bills nothing, but it lingers: it is listed (no
    saving claimed) once it is older than ``min_age_hours``, so someone deletes or fixes it.
    """
    now = snapshot.window.end
    days = max(snapshot.window.days, 1e-9)
    endpoints = {r.id for r in snapshot.resources if r.kind == "endpoint" and r.provider == "aws"}
    seen = observed_hours(snapshot, ENDPOINT_EVIDENCE, endpoints)
    totals = totals_by_resource(snapshot, "requests")
    for r in snapshot.resources:
        if r.kind != "endpoint" or r.provider != "aws":
            continue
        age = _age_days(r, now)
        if _younger_than(r, now, params.min_age_hours):
            yield Skip("idle.sagemaker_endpoint", r.id, f"endpoint is only {(age or 0) * 24:.0f} h old")
            continue
        if r.attributes.get("status") in LINGERING_STATUSES:
            yield _lingering_endpoint(r, age)
            continue
        per_day = totals.get(r.id, 0.0) / days
        if per_day > params.max_invocations_per_day:
            continue
        if r.hourly_cost is None:
            yield Skip("idle.sagemaker_endpoint", r.id, f"idle, but no price for {r.type} in {r.region}")
            continue
        if r.hourly_cost == 0:
            continue  # serverless: nothing billed while idle
        if seen.get(r.id, 0.0) < params.min_hours:
            yield Skip("idle.sagemaker_endpoint", r.id, f"{seen.get(r.id, 0.0):.0f} h of endpoint metrics "
                       f"(Invocations, CPU/GPU utilisation) in the lookback, {params.min_hours:.0f} h needed to call it "
                       f"idle: {AWS_METRICS_FIX}")
            continue
        monthly = r.hourly_cost * HOURS_PER_MONTH
        yield _rec("idle.sagemaker_endpoint", r, "delete", monthly, confidence="high" if per_day == 0 else "medium",
                   performance_risk=1, current=Current(type=r.type, count=r.count),
                   proposed=Proposal(state="deleted", keeps="config"),
                   evidence=Evidence(facts={"invocations": totals.get(r.id, 0.0), "invocations_per_day": per_day,
                                            "lookback_days": snapshot.window.days}),
                   rationale=f"Endpoint {r.name} ({r.count} x {r.type}) served {per_day:.1f} invocations/day "
                             f"over {snapshot.window.days:.0f} days.",
                   apply=idle_apply.delete_endpoint(r))


LINGERING_STATUSES = frozenset({"Failed", "OutOfService"})


def _lingering_endpoint(r: Resource, age_days: float | None) -> Recommendation:
    status = r.attributes.get("status")
    return _rec("idle.sagemaker_endpoint", r, "delete the failed endpoint", 0.0, confidence="high",
                performance_risk=0, current=Current(status=status), proposed=Proposal(state="deleted", keeps="config"),
                evidence=Evidence(facts={"status": status, "age_days": age_days, "billed": False}),
                rationale=f"Endpoint {r.name} has been {status} (billed nothing) for "
                          f"{'an unknown time' if age_days is None else f'{age_days:.0f} days'}; delete it, or fix "
                          "and update it, before an update brings it back into service unnoticed.",
                apply=idle_apply.delete_endpoint(r))


@rule("idle.nat_gateway", params=defaults.IdleNatGateway, needs=("inventory",))
def idle_nat_gateway(snapshot: Snapshot, catalog: Any, params: defaults.IdleNatGateway) -> Iterable[Recommendation | Skip]:
    """NAT gateways with no traffic: billed per hour for moving nothing.

    Why: a NAT gateway costs by the hour even when no subnet routes through it any more.
    How it judges: all AWS/NATGateway byte counters summed over the lookback <= ``max_gb``,
    with the counters present for at least ``min_hours`` (NAT gateways publish them every
    minute, zeros included): no counters is no evidence, and the gateway is skipped.
    How to fix: delete it (and its route-table entries), then release its Elastic IP.
    """
    now = snapshot.window.end
    seen = observed_hours(snapshot, ("nat_bytes",))
    sent = totals_by_resource(snapshot, "nat_bytes")
    for r in snapshot.resources:
        if r.kind != "nat_gateway" or _younger_than(r, now, params.min_age_hours):
            continue
        gb = sent.get(r.id, 0.0) / GB
        if gb > params.max_gb:
            continue
        if seen.get(r.id, 0.0) < params.min_hours:
            yield Skip("idle.nat_gateway", r.id, f"{seen.get(r.id, 0.0):.0f} h of AWS/NATGateway byte counts in the "
                       f"lookback, {params.min_hours:.0f} h needed to call it idle: {AWS_METRICS_FIX}")
            continue
        if r.hourly_cost is None:
            yield Skip("idle.nat_gateway", r.id, f"no traffic, but no NAT gateway price for {r.region}")
            continue
        monthly = r.hourly_cost * HOURS_PER_MONTH
        yield _rec("idle.nat_gateway", r, "delete", monthly, confidence="high",
                   performance_risk=1, current=Current(state="available"), proposed=Proposal(state="deleted"),
                   evidence=Evidence(facts={"gb_over_lookback": gb, "lookback_days": snapshot.window.days,
                                            "has_metrics": r.id in sent}, price_source=_source(r)),
                   rationale=f"NAT gateway {r.name or r.id} moved {gb:.2f} GB in {snapshot.window.days:.0f} days.",
                   apply=idle_apply.delete_nat_gateway(r))


@rule("idle.suspended_instance", params=defaults.SuspendedInstance, needs=("inventory",))
def suspended_instance(snapshot: Snapshot, catalog: Any, params: defaults.SuspendedInstance) -> Iterable[Recommendation | Skip]:
    """GCP instances suspended ``min_days`` or more, still billing memory state, disks and IPs: snapshot and delete."""
    return suspended.findings(snapshot, params)


def _standard_gb(snapshot: Snapshot, bucket_id: str) -> float | None:
    latest = None
    for m in select_series(snapshot.metrics, "bytes_stored"):
        if m.resource_id == bucket_id and m.dimensions.get("storage_class") in ("StandardStorage", "STANDARD") and len(m):
            latest = float(m.values[np.argmax(m.timestamps)]) / GB
    return latest


@rule("idle.bucket_without_lifecycle", params=defaults.BucketWithoutLifecycle, needs=("inventory",))
def bucket_without_lifecycle(snapshot: Snapshot, catalog: Any, params: defaults.BucketWithoutLifecycle) -> Iterable[Recommendation | Skip]:
    """Buckets without lifecycle rules (or whose rules cover only a prefix, tag or size range):
    every unmanaged byte stays in its first class forever.

    Why: checkpoints, old dataset versions and failed multipart uploads pile up in Standard.
    How it estimates: Standard bytes x ``cold_share`` moved to the Infrequent Access price
    (what Intelligent-Tiering does for data unread for 30 days); low = 0, high = all bytes.
    How to fix: add a lifecycle rule (Intelligent-Tiering, expire noncurrent versions, abort
    incomplete uploads); storage.* rules size class moves from the access pattern.
    """
    for r in snapshot.resources:
        if r.kind != "bucket" or r.provider != "aws":
            continue
        has = r.attributes.get("has_lifecycle")
        if has is None:
            yield Skip("idle.bucket_without_lifecycle", r.id, "lifecycle configuration not readable")
            continue
        if has:
            continue
        gb = _standard_gb(snapshot, r.id)
        if gb is None:
            yield Skip("idle.bucket_without_lifecycle", r.id, "no BucketSizeBytes (StandardStorage) metric")
            continue
        if gb < params.min_gb:
            continue
        std = catalog.storage_tier("aws", r.region, "STANDARD") if catalog is not None else None
        ia = catalog.storage_tier("aws", r.region, "STANDARD_IA") if catalog is not None else None
        if std is None or ia is None:
            yield Skip("idle.bucket_without_lifecycle", r.id, f"no S3 storage prices for {r.region}")
            continue
        delta = max(std.gb_month - ia.gb_month, 0.0)
        monthly_before = gb * std.gb_month
        high = gb * delta
        monthly = high * params.cold_share
        yield Recommendation(
            id=recommendation_id("idle.bucket_without_lifecycle", r.id, "add_lifecycle"),
            rule_id="idle.bucket_without_lifecycle", resource_id=r.id, action="add_lifecycle", provider=r.provider,
            account=r.account, region=r.region, resource_kind=r.kind, resource_name=r.name,
            monthly_cost_before=monthly_before, monthly_cost_after=monthly_before - monthly,
            monthly_savings=monthly, savings_low=0.0, savings_high=high, currency=std.currency, confidence="low",
            current=Current(lifecycle_rules=len(r.attributes.get("lifecycle_rules") or ()), storage_class="STANDARD",
                            size_gb=gb, lifecycle_covers=r.attributes.get("lifecycle_covers")),
            proposed=Proposal(lifecycle="INTELLIGENT_TIERING"),
            evidence=Evidence(facts={"standard_gb": gb, "cold_share_assumed": params.cold_share,
                                     "standard_gb_month": std.gb_month, "infrequent_gb_month": ia.gb_month},
                              price_source=f"{std.source} ({std.as_of})"),
            rationale=(f"Bucket {r.name} holds {gb:,.0f} GB in Standard; its lifecycle rules cover only "
                       f"{r.attributes['lifecycle_covers']}: every other object is unmanaged."
                       if r.attributes.get("lifecycle_scope") == "partial"
                       else f"Bucket {r.name} holds {gb:,.0f} GB in Standard with no lifecycle rule."),
            apply=idle_apply.tiering_lifecycle(r),
            tags=dict(r.tags), workload=r.workload, alternative_group=r.id, effort="low")
