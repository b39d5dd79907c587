"""What the rds.* rules need from the adapter: DatabaseConnections series, and the Single-AZ and
gp3 prices of each database from the Price List (us-east-1 list prices for RDS for PostgreSQL:
db.r5.large $0.25/h Single-AZ, $0.50/h Multi-AZ; gp2/gp3 storage $0.115/GB-month Single-AZ,
$0.23 Multi-AZ). CloudWatch is moto; the Price List API is the real client under a Stubber."""

from __future__ import annotations

from datetime import timedelta

import pytest

from costopt.model import HOURS_PER_MONTH, Window
from costopt.providers.aws.adapter import priced
from costopt.providers.aws.prices import PriceBook
from tests.providers.aws.conftest import NOW, put_points
from tests.providers.aws.test_rds_prices import _db, _filters, _product, _storage


def test_database_connections_are_collected(moto_account, adapter):
    rds = moto_account.client("rds", region_name="us-east-1")
    db = rds.create_db_instance(DBInstanceIdentifier="meta", DBInstanceClass="db.r5.large", Engine="postgres",
                                AllocatedStorage=20, MasterUsername="u", MasterUserPassword="password123")
    put_points(moto_account, "us-east-1", "AWS/RDS", "DatabaseConnections", {"DBInstanceIdentifier": "meta"}, [0, 4],
               unit="Count")
    snap = adapter().collect(Window(NOW - timedelta(days=1), NOW))
    (conn,) = [m for m in snap.metrics if m.resource_id == db["DBInstance"]["DBInstanceArn"] and m.metric == "connections"]
    assert conn.stat == "Maximum" and list(conn.values) == [0, 4]


def _instance(stub, deployment, usd):
    stub.add_response("get_products", {"PriceList": [_product("InstanceUsage:db.r5.large", usd)]}, {
        "ServiceCode": "AmazonRDS", "Filters": _filters(
            instanceType="db.r5.large", regionCode="us-east-1", databaseEngine="PostgreSQL",
            deploymentOption=deployment, licenseModel="No license required")})


def test_multi_az_gp2_database_gets_its_single_az_and_gp3_prices(pricing):  # noqa: F811
    client, stub = pricing
    _storage(stub, "Multi-AZ-GP2-Storage", 0.23, "Multi-AZ")
    _instance(stub, "Multi-AZ", 0.50)
    _storage(stub, "GP2-Storage", 0.115, "Single-AZ")  # the same database as Single-AZ
    _instance(stub, "Single-AZ", 0.25)
    _storage(stub, "Multi-AZ-GP3-Storage", 0.23, "Multi-AZ")  # its storage as gp3
    (db,) = priced([_db(multi_az=True)], PriceBook(client, None), 1)
    assert db.attributes["single_az_hourly"] * HOURS_PER_MONTH == pytest.approx(0.25 * HOURS_PER_MONTH + 100 * 0.115)
    assert db.attributes["gp3_storage_hourly"] * HOURS_PER_MONTH == pytest.approx(100 * 0.23)
