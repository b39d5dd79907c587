"""rds.* rules: idle, oversized, Multi-AZ in non-production, gp2 -> gp3.

Prices are AWS's us-east-1 list prices for RDS for PostgreSQL (aws.amazon.com/rds/postgresql/pricing):
db.r5.large $0.25/h, db.r5.xlarge $0.50/h, db.r5.2xlarge $1.00/h Single-AZ, twice that Multi-AZ;
gp2 and gp3 storage $0.115/GB-month Single-AZ, $0.23 Multi-AZ. The resources carry them the way
the AWS adapter prices a database (hourly_cost = compute + storage, compute_hourly, storage_hourly,
single_az_hourly / gp3_storage_hourly from the Price List).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from costopt.model import HOURS_PER_MONTH, Recommendation, Skip
from costopt.records import Proposal
from costopt.rules import defaults
from costopt.rules.engine import BUILTIN_RULE_MODULES
from costopt.rules.rds import gp2_to_gp3, idle_database, multi_az_non_production, oversized_instance
from tests.conftest import T0, make_resource, make_series, make_snapshot

POINTS = 14 * 24 * 12  # 14 days of 5-minute points


def db(id="arn:db:meta", type_="db.r5.2xlarge", compute=1.00, gb=100, per_gb=0.115, multi_az=False, status="available",
       tags=None, **attrs):
    storage = gb * per_gb / HOURS_PER_MONTH
    return make_resource(id, kind="database", type=type_, hourly_cost=compute + storage, name=id.split(":")[-1],
                         tags=tags or {}, created=T0 - timedelta(days=200),
                         attributes={"engine": "postgres", "status": status, "multi_az": multi_az, "storage_gb": gb,
                                     "storage_type": "gp2", "identifier": id.split(":")[-1], "compute_hourly": compute,
                                     "storage_hourly": storage, **attrs})


def series(r, cpu, connections=0.0):
    out = [make_series(r.id, "cpu", [cpu] * POINTS)]
    if connections is not None:
        out.append(make_series(r.id, "connections", [connections] * POINTS, unit="Count"))
    return out


def recs(out):
    return [o for o in out if isinstance(o, Recommendation)]


def test_rules_are_registered():
    assert "costopt.rules.rds" in BUILTIN_RULE_MODULES


def test_idle_database_deleted_with_a_final_snapshot():
    idle, busy, quiet = db("arn:db:idle"), db("arn:db:busy"), db("arn:db:quiet")
    snap = make_snapshot([idle, busy, quiet], series(idle, 1.0) + series(busy, 1.0, connections=3)
                         + series(quiet, 1.0, connections=None))
    out = list(idle_database(snap, None, defaults.IdleDatabase()))
    (rec,) = recs(out)
    assert rec.resource_id == "arn:db:idle" and rec.action == "delete"
    assert rec.monthly_savings == pytest.approx(1.00 * HOURS_PER_MONTH + 100 * 0.115)
    assert rec.savings_low == pytest.approx(1.00 * HOURS_PER_MONTH * 7 / 30)  # stopped: 7 days at a time
    assert "aws rds delete-db-instance --region us-east-1 --db-instance-identifier idle " \
           "--final-db-snapshot-identifier idle-final-costopt" == rec.apply
    (skip,) = [o for o in out if isinstance(o, Skip)]
    assert skip.resource_id == "arn:db:quiet" and "DatabaseConnections" in skip.reason


def test_stopped_database_is_not_idle_finding():
    stopped = db(status="stopped")
    assert list(idle_database(make_snapshot([stopped], series(stopped, 0.0)), None, defaults.IdleDatabase())) == []


def test_oversized_instance_one_size_down_at_the_list_price_of_the_smaller_class():
    big, hot, burst = db("arn:db:big"), db("arn:db:hot"), db("arn:db:burst", type_="db.t3.medium", compute=0.072)
    snap = make_snapshot([big, hot, burst], series(big, 20.0) + series(hot, 45.0) + series(burst, 5.0))
    (rec,) = recs(oversized_instance(snap, None, defaults.OversizedDatabase()))
    assert rec.resource_id == "arn:db:big" and rec.proposed == Proposal(type="db.r5.xlarge")
    assert rec.monthly_savings == pytest.approx((1.00 - 0.50) * HOURS_PER_MONTH)  # db.r5.xlarge lists at $0.50/h
    assert rec.impacts.projected_cpu_peak == pytest.approx(0.40)
    assert "--db-instance-class db.r5.xlarge --no-apply-immediately" in rec.apply and rec.confidence == "low"


def test_multi_az_on_staging_priced_from_the_single_az_price():
    staging = db("arn:db:stg", type_="db.r5.large", compute=0.50, per_gb=0.23, multi_az=True,
                 tags={"Environment": "staging"}, single_az_hourly=0.25 + 100 * 0.115 / HOURS_PER_MONTH)
    prod = db("arn:db:prod", type_="db.r5.large", compute=0.50, per_gb=0.23, multi_az=True, tags={"Environment": "prod"})
    guess = db("arn:db:dev", type_="db.r5.large", compute=0.50, per_gb=0.23, multi_az=True, tags={"env": "dev"})
    out = {r.resource_id: r for r in recs(multi_az_non_production(make_snapshot([staging, prod, guess]), None,
                                                                  defaults.MultiAzNonProduction()))}
    assert set(out) == {"arn:db:stg", "arn:db:dev"}
    assert out["arn:db:stg"].monthly_savings == pytest.approx((0.50 - 0.25) * HOURS_PER_MONTH + 100 * (0.23 - 0.115))
    assert out["arn:db:stg"].confidence == "high" and "--no-multi-az" in out["arn:db:stg"].apply
    assert out["arn:db:dev"].confidence == "low"  # no Single-AZ price: half assumed, and said
    assert out["arn:db:dev"].evidence.facts["price_basis"].startswith("assumed")


def test_gp2_to_gp3_only_when_the_price_list_says_gp3_costs_less():
    same = db("arn:db:same", gb=1000, gp3_storage_hourly=1000 * 0.115 / HOURS_PER_MONTH)  # us-east-1: equal prices
    assert recs(gp2_to_gp3(make_snapshot([same]), None, defaults.DatabaseGp3())) == []
    # A region where gp3 lists below gp2 (hypothetical 0.10 vs 0.115) and a volume whose gp2 baseline
    # (3 IOPS/GiB x 5,000 GiB = 15,000) is above gp3's 12,000: saving with a performance warning.
    cheaper = db("arn:db:big", gb=5000, gp3_storage_hourly=5000 * 0.10 / HOURS_PER_MONTH)
    unknown = db("arn:db:unknown")
    out = list(gp2_to_gp3(make_snapshot([cheaper, unknown]), None, defaults.DatabaseGp3()))
    (rec,) = recs(out)
    assert rec.monthly_savings == pytest.approx(5000 * 0.015)
    assert rec.performance_risk == 2 and rec.evidence.facts["gp3_baseline_iops"] == 12000
    assert "--storage-type gp3" in rec.apply
    assert [o.resource_id for o in out if isinstance(o, Skip)] == ["arn:db:unknown"]
