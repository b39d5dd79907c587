"""RDS instances priced for their engine, edition, licence, deployment and storage, against
AWS's us-east-1 list prices (https://aws.amazon.com/rds/postgresql/pricing/): db.r5.large
PostgreSQL $0.25/h Single-AZ, $0.50/h Multi-AZ; General Purpose (gp2) storage $0.115/GB-month
Single-AZ, $0.23 Multi-AZ. The Price List API is the real client under a Stubber, which also
checks the filters asked for."""

from __future__ import annotations

import json

import pytest

from costopt.model import HOURS_PER_MONTH, Resource
from costopt.providers.aws.adapter import priced
from costopt.providers.aws.prices import PriceBook


def _product(usage: str, usd: float, unit: str = "Hrs") -> str:
    return json.dumps({"product": {"attributes": {"usagetype": usage}},
                       "terms": {"OnDemand": {"T.1": {"priceDimensions": {"T.1.1": {
                           "unit": unit, "pricePerUnit": {"USD": str(usd)}}}}}}})


def _filters(**kv):
    return [{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in kv.items()]


def _db(engine="postgres", multi_az=False, status="available", storage_gb=100, licence="postgresql-license"):
    return Resource("aws", "1", "us-east-1", "arn:aws:rds:us-east-1:1:db:meta", "database", "db.r5.large",
                    attributes={"engine": engine, "multi_az": multi_az, "status": status, "storage_gb": storage_gb,
                                "storage_type": "gp2", "license_model": licence})


def _storage(stub, usage, usd, deployment):
    stub.add_response("get_products", {"PriceList": [_product(f"RDS:{usage}", usd, "GB-Mo")]}, {
        "ServiceCode": "AmazonRDS", "Filters": _filters(productFamily="Database Storage", regionCode="us-east-1",
                                                        deploymentOption=deployment)})


@pytest.mark.parametrize("multi_az, hourly, per_gb", [(False, 0.25, 0.115), (True, 0.50, 0.23)])
def test_postgres_single_and_multi_az(pricing, multi_az, hourly, per_gb):
    client, stub = pricing
    deployment = "Multi-AZ" if multi_az else "Single-AZ"
    _storage(stub, "Multi-AZ-GP2-Storage" if multi_az else "GP2-Storage", per_gb, deployment)
    stub.add_response("get_products", {"PriceList": [_product("InstanceUsage:db.r5.large", hourly)]}, {
        "ServiceCode": "AmazonRDS", "Filters": _filters(
            instanceType="db.r5.large", regionCode="us-east-1", databaseEngine="PostgreSQL",
            deploymentOption=deployment, licenseModel="No license required")})
    (db,) = priced([_db(multi_az=multi_az)], PriceBook(client, None), 1)
    assert db.hourly_cost * HOURS_PER_MONTH == pytest.approx(hourly * HOURS_PER_MONTH + 100 * per_gb)
    assert db.attributes["compute_hourly"] == pytest.approx(hourly)


def test_a_stopped_instance_bills_its_storage_only(pricing):
    client, stub = pricing
    _storage(stub, "GP2-Storage", 0.115, "Single-AZ")
    (db,) = priced([_db(status="stopped")], PriceBook(client, None), 1)
    assert db.hourly_cost * HOURS_PER_MONTH == pytest.approx(100 * 0.115)
    assert db.attributes["price_note"].startswith("stopped")


def test_sql_server_asks_for_its_edition_and_licence(pricing):
    client, stub = pricing
    _storage(stub, "GP2-Storage", 0.115, "Single-AZ")
    stub.add_response("get_products", {"PriceList": [_product("InstanceUsage:db.r5.large", 1.0)]}, {
        "ServiceCode": "AmazonRDS", "Filters": _filters(
            instanceType="db.r5.large", regionCode="us-east-1", databaseEngine="SQL Server",
            deploymentOption="Single-AZ", licenseModel="License included", databaseEdition="Standard")})
    (db,) = priced([_db(engine="sqlserver-se", licence="license-included")], PriceBook(client, None), 1)
    assert db.attributes["compute_hourly"] == pytest.approx(1.0)


def test_without_a_price_source_a_database_stays_unpriced():
    (db,) = priced([_db()], PriceBook(None, None), 1)
    assert db.hourly_cost is None  # never a guessed price
