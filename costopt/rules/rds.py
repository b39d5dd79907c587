"""RDS DB instances: idle, oversized, Multi-AZ where nothing needs it, gp2 storage.

Why: a database bills its instance class every hour (twice for Multi-AZ) and its storage per
GB-month whether or not anyone queries it; ML estates leave feature-store and experiment
databases behind like they leave notebooks. The AWS adapter prices each instance from the Price
List for its engine, edition, licence and deployment (``hourly_cost``, with ``compute_hourly``
and ``storage_hourly``) and, where the Price List knows them, the same instance as Single-AZ
(``single_az_hourly``) and its storage as gp3 (``gp3_storage_hourly``); CloudWatch gives
``cpu`` (CPUUtilization) and ``connections`` (DatabaseConnections). A database the rules cannot
judge (no price, too little data) is a Skip with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from costopt.evidence import Evidence
from costopt.metrics import quantile_column, stats_by_resource
from costopt.model import HOURS_PER_MONTH, Recommendation, Resource, Skip, Snapshot, recommendation_id
from costopt.records import Current, Impacts, Proposal
from costopt.rules import database_apply, defaults
from costopt.rules.base import rule

# Sizes of the db.<family>.<size> ladder in units of "large" (2 vCPU): RDS prices a class family
# for one engine and deployment in proportion to these (db.m5.2xlarge = 2 x db.m5.xlarge).
SIZE_UNITS = {"large": 1, "xlarge": 2, "2xlarge": 4, "4xlarge": 8, "8xlarge": 16, "12xlarge": 24,
              "16xlarge": 32, "24xlarge": 48}
CLASS = re.compile(r"^(db\.[a-z0-9-]+)\.(\w+)$")
AVAILABLE = "available"


def _dbs(snapshot: Snapshot) -> Iterable[Resource]:
    return (r for r in snapshot.resources if r.kind == "database" and r.provider == "aws")


def _age_hours(r: Resource, now: datetime) -> float | None:
    return None if r.created is None else (now - r.created).total_seconds() / 3600.0


def _rec(rule_id: str, r: Resource, action: str, before: float, after: float, *, low: float | None = None,
         **kw: Any) -> Recommendation:
    saving = before - after
    return Recommendation(
        id=recommendation_id(rule_id, r.id, action), rule_id=rule_id, resource_id=r.id, action=action,
        provider=r.provider, account=r.account, region=r.region, resource_kind=r.kind, resource_name=r.name,
        monthly_cost_before=before, monthly_cost_after=after, monthly_savings=saving,
        savings_low=saving if low is None else low, savings_high=saving, currency=r.currency, tags=dict(r.tags),
        workload=r.workload, alternative_group=r.id, **kw)


def _ident(r: Resource) -> str:
    return database_apply.identifier(r)


@rule("rds.idle_database", params=defaults.IdleDatabase, needs=("inventory", "metrics"))
def idle_database(snapshot: Snapshot, catalog: Any, params: defaults.IdleDatabase) -> Iterable[Recommendation | Skip]:
    """Databases nobody connects to: no connections and CPU near zero for the whole lookback.

    Why: an unused database bills its class every hour (twice for Multi-AZ) plus its storage.
    How it judges: the highest DatabaseConnections maximum <= ``max_connections`` and the P95 of
    CPUUtilization maxima <= ``cpu_p95_max`` %, with at least ``min_hours`` of CPU data.
    How to fix: delete it with a final snapshot (restorable; the snapshot bills per GB-month), or
    stop it (AWS starts a stopped instance again after 7 days, so stopping saves the compute
    for a week at a time: the low end of the range).
    Example config::

        [rules."rds.idle_database"]
        cpu_p95_max = 3.0
    """
    rid = "rds.idle_database"
    col = quantile_column(params.quantile)
    cpu, conns = stats_by_resource(snapshot, "cpu", params.quantile), stats_by_resource(snapshot, "connections", params.quantile)
    for r in _dbs(snapshot):
        if r.attributes.get("status") != AVAILABLE:
            continue
        age = _age_hours(r, snapshot.window.end)
        if age is not None and age < params.min_age_hours:
            continue
        c, n = cpu.get(r.id), conns.get(r.id)
        if c is None or c["count"] == 0 or c["hours"] < params.min_hours:
            yield Skip(rid, r.id, f"fewer than {params.min_hours:.0f} h of CPUUtilization data")
            continue
        if n is None or n["count"] == 0:
            yield Skip(rid, r.id, "no DatabaseConnections data: cannot tell an idle database from a quiet one")
            continue
        if n["max"] > params.max_connections or c[col] > params.cpu_p95_max:
            continue
        if r.hourly_cost is None:
            yield Skip(rid, r.id, f"idle, but no price for {r.type} ({r.attributes.get('engine')}) in {r.region}")
            continue
        before = r.hourly_cost * HOURS_PER_MONTH
        compute = (r.attributes.get("compute_hourly") or 0.0) * HOURS_PER_MONTH * 7 / 30
        yield _rec(rid, r, "delete", before, 0.0, low=min(compute, before), confidence="high", performance_risk=1,
                   current=Current(type=r.type, engine=r.attributes.get("engine"), status=AVAILABLE),
                   proposed=Proposal(state="deleted", keeps="final snapshot"),
                   evidence=Evidence(facts={"connections_max": n["max"], "cpu_p95": c[col], "hours": c["hours"],
                                            "compute_hourly": r.attributes.get("compute_hourly"),
                                            "storage_hourly": r.attributes.get("storage_hourly")}),
                   rationale=(f"Database {_ident(r)} ({r.type}, {r.attributes.get('engine')}) had at most "
                              f"{n['max']:.0f} connections and CPU P95 {c[col]:.1f}% over {c['hours']:.0f} h. "
                              "Low end: stopping it instead saves the compute for 7 days a month."),
                   apply=database_apply.delete(r))


def smaller_class(db_class: str) -> tuple[str, float] | None:
    """(next smaller class of the same family, its share of this one's price) or None."""
    m = CLASS.match(db_class or "")
    if m is None or m.group(1).startswith("db.t") or m.group(2) not in SIZE_UNITS:
        return None  # burstable classes bill CPU credits; unknown sizes have no ladder
    ladder = sorted(SIZE_UNITS.items(), key=lambda kv: kv[1])
    i = [name for name, _ in ladder].index(m.group(2))
    if i == 0:
        return None
    name, units = ladder[i - 1]
    return f"{m.group(1)}.{name}", units / SIZE_UNITS[m.group(2)]


@rule("rds.oversized_instance", params=defaults.OversizedDatabase, needs=("inventory", "metrics"))
def oversized_instance(snapshot: Snapshot, catalog: Any, params: defaults.OversizedDatabase) -> Iterable[Recommendation | Skip]:
    """Database classes larger than their CPU needs: one size down in the same family.

    Why: databases are sized for a launch peak and never revisited; RDS bills the class every hour.
    How it judges: the P95 of CPUUtilization maxima <= ``cpu_p95_max`` % over at least
    ``min_hours``, and projected onto the next smaller class (half the vCPUs for m/r/c/x classes)
    it stays under ``target_after``. Burstable db.t* classes are left alone.
    Price: the smaller class is priced as this class's compute x its share of the size ladder
    (RDS prices a family linearly in size for one engine and deployment); storage is unchanged.
    Memory is not measured (FreeableMemory is not read), hence low confidence.
    How to fix: modify the instance class in the next maintenance window (a Multi-AZ instance
    fails over to the resized standby, a Single-AZ one restarts).
    """
    rid = "rds.oversized_instance"
    col = quantile_column(params.quantile)
    cpu = stats_by_resource(snapshot, "cpu", params.quantile)
    for r in _dbs(snapshot):
        if r.attributes.get("status") != AVAILABLE:
            continue
        smaller = smaller_class(r.type)
        c = cpu.get(r.id)
        if smaller is None or c is None or c["count"] == 0:
            continue
        if c["hours"] < params.min_hours:
            yield Skip(rid, r.id, f"fewer than {params.min_hours:.0f} h of CPUUtilization data")
            continue
        projected = c[col] / smaller[1] / 100.0
        if c[col] > params.cpu_p95_max or projected > params.target_after:
            continue
        compute = r.attributes.get("compute_hourly")
        if compute is None or r.hourly_cost is None:
            yield Skip(rid, r.id, f"oversized, but no price for {r.type} ({r.attributes.get('engine')}) in {r.region}")
            continue
        before = r.hourly_cost * HOURS_PER_MONTH
        after = before - compute * (1 - smaller[1]) * HOURS_PER_MONTH
        if before - after < params.min_monthly_savings:
            continue
        yield _rec(rid, r, "resize", before, after, confidence="low", performance_risk=2,
                   current=Current(type=r.type), proposed=Proposal(type=smaller[0]),
                   evidence=Evidence(facts={"cpu_p95": c[col], "cpu_max": c["max"], "hours": c["hours"],
                                            "projected_cpu_p95": projected, "compute_hourly": compute,
                                            "price_assumption": f"{smaller[0]} costs {smaller[1]:.0%} of {r.type} (size ladder)",
                                            "memory_measured": False}),
                   impacts=Impacts(projected_cpu_peak=projected),
                   rationale=(f"Database {_ident(r)} ({r.type}) ran at CPU P95 {c[col]:.1f}% over {c['hours']:.0f} h; "
                              f"on {smaller[0]} that is about {projected:.0%}. Check FreeableMemory before resizing."),
                   apply=database_apply.change_class(r, smaller[0]))


def _environment(r: Resource, params: defaults.MultiAzNonProduction) -> str | None:
    tags = {k.lower(): str(v).lower() for k, v in r.tags.items()}
    for key in params.tag_keys:
        if tags.get(key) in params.non_production:
            return f"{key}={tags[key]}"
    return "workload=dev" if r.workload == "dev" else None


@rule("rds.multi_az_non_production", params=defaults.MultiAzNonProduction, needs=("inventory",))
def multi_az_non_production(snapshot: Snapshot, catalog: Any, params: defaults.MultiAzNonProduction) -> Iterable[Recommendation | Skip]:
    """Multi-AZ databases in non-production environments: a standby nobody needs.

    Why: Multi-AZ keeps a synchronous standby in a second zone and bills it: about twice the
    Single-AZ price for the instance and its storage. Dev, test and staging rarely need it.
    How it judges: Multi-AZ and a tag in ``tag_keys`` whose value is one of ``non_production``
    (or workload dev). Price: the Single-AZ price from the Price List when the adapter found it,
    else half the Multi-AZ price (low confidence).
    How to fix: convert to Single-AZ (no downtime; the standby is removed).
    """
    rid = "rds.multi_az_non_production"
    for r in _dbs(snapshot):
        if not r.attributes.get("multi_az") or r.attributes.get("status") != AVAILABLE:
            continue
        env = _environment(r, params)
        if env is None:
            continue
        if r.hourly_cost is None:
            yield Skip(rid, r.id, f"Multi-AZ in {env}, but no price for {r.type} in {r.region}")
            continue
        single = r.attributes.get("single_az_hourly")
        before = r.hourly_cost * HOURS_PER_MONTH
        after = (single if single is not None else r.hourly_cost / 2) * HOURS_PER_MONTH
        if before - after < params.min_monthly_savings:
            continue
        yield _rec(rid, r, "single_az", before, after, confidence="high" if single is not None else "low",
                   performance_risk=1, current=Current(multi_az=True, environment=env), proposed=Proposal(multi_az=False),
                   evidence=Evidence(facts={"environment": env, "multi_az_hourly": r.hourly_cost, "single_az_hourly": single,
                                            "price_basis": "Price List (Single-AZ)" if single is not None
                                            else "assumed: Single-AZ costs half of Multi-AZ"}),
                   rationale=f"Database {_ident(r)} is tagged {env} but keeps a Multi-AZ standby.",
                   apply=database_apply.single_az(r))


def gp3_baseline_iops(gb: float, engine: str) -> int:
    """RDS gp3 baseline IOPS: 3,000 below 400 GiB (and always for SQL Server), 12,000 from 400 GiB."""
    return 3000 if gb < 400 or engine.startswith("sqlserver") else 12000


@rule("rds.gp2_to_gp3", params=defaults.DatabaseGp3, needs=("inventory",))
def gp2_to_gp3(snapshot: Snapshot, catalog: Any, params: defaults.DatabaseGp3) -> Iterable[Recommendation | Skip]:
    """gp2 database storage: gp3 gives a fixed IOPS baseline and may cost less per GB.

    Why: gp2 ties IOPS to size (3 per GiB), so databases are over-provisioned in GB to get IOPS;
    gp3 has a baseline independent of size. How: the storage price as gp3 (Price List, via the
    adapter) against today's gp2 price; a finding when gp3 saves at least
    ``min_monthly_savings``. Performance risk when gp2's baseline (3 IOPS/GiB, max 16,000) is
    above gp3's (3,000, or 12,000 from 400 GiB): provision IOPS to match.
    How to fix: modify the storage type (no downtime; storage optimisation runs for hours).
    """
    rid = "rds.gp2_to_gp3"
    for r in _dbs(snapshot):
        if r.attributes.get("storage_type") != "gp2":
            continue
        now, gp3 = r.attributes.get("storage_hourly"), r.attributes.get("gp3_storage_hourly")
        if now is None or gp3 is None:
            yield Skip(rid, r.id, f"gp2 storage, but no gp2/gp3 storage price for {r.region}")
            continue
        before, after = now * HOURS_PER_MONTH, gp3 * HOURS_PER_MONTH
        if before - after < params.min_monthly_savings:
            continue
        gb = float(r.attributes.get("storage_gb") or 0)
        gp2_iops, gp3_iops = min(max(100.0, 3 * gb), 16000.0), gp3_baseline_iops(gb, str(r.attributes.get("engine") or ""))
        short = gp2_iops > gp3_iops
        yield _rec(rid, r, "gp3", before, after, confidence="medium" if short else "high",
                   performance_risk=2 if short else 0, current=Current(storage_type="gp2", size_gb=gb),
                   proposed=Proposal(storage_type="gp3"),
                   evidence=Evidence(facts={"gp2_baseline_iops": gp2_iops, "gp3_baseline_iops": gp3_iops,
                                            "storage_hourly": now, "gp3_storage_hourly": gp3}),
                   impacts=Impacts(baseline_iops_before=gp2_iops, baseline_iops_after=gp3_iops),
                   rationale=(f"Database {_ident(r)} keeps {gb:.0f} GiB on gp2; gp3 costs less"
                              + (f", but its {gp3_iops} IOPS baseline is below gp2's {gp2_iops:.0f}: "
                                 "provision IOPS to match." if short else " with at least the same IOPS baseline.")),
                   apply=database_apply.to_gp3(r))
