"""The GCP billing-export aggregation SQL, in one place: it runs in BigQuery and on DuckDB.

The query reads the Cloud Billing export to BigQuery (standard table
``gcp_billing_export_v1_*`` or detailed resource-level table ``gcp_billing_export_resource_v1_*``)
and returns only aggregated daily rows per project / service / SKU / resource / region /
labels, with cost, credits (the ``credits`` array summed separately), currency and usage.

The same text runs on DuckDB over a table with the export's nested columns (STRUCT / LIST),
which is how the tests and the demo's fake BigQuery check it. Dialect differences are kept
to two, both handled outside the SQL text:

1. the table reference: BigQuery wants a backtick-quoted ``project.dataset.table``; DuckDB
   gets a plain identifier (:func:`aggregate_sql` takes the already-quoted reference);
2. ``TO_JSON_STRING`` does not exist in DuckDB: :data:`DUCKDB_COMPAT_MACROS` defines it as a
   macro over DuckDB's ``to_json`` (same JSON shape: ``[{"key":..,"value":..}]``).

Timestamps are compared with ``TIMESTAMP 'YYYY-MM-DD HH:MM:SS'`` literals (UTC in BigQuery;
DuckDB tables store the export's timestamps as naive UTC TIMESTAMP). The bounds and project
ids are formatted from validated values, never from free text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

from costopt.errors import InputError

TABLE_RE = re.compile(r"^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)?\.[A-Za-z0-9_]+\.[A-Za-z0-9_$]+$")
PROJECT_RE = re.compile(r"^[a-z0-9][a-z0-9:.-]{0,62}$")

DUCKDB_COMPAT_MACROS = (
    "CREATE OR REPLACE MACRO TO_JSON_STRING(x) AS CAST(to_json(x) AS VARCHAR)",
)

# Columns of the aggregated result, in order (the adapter maps them onto FOCUS).
RESULT_COLUMNS = (
    "usage_date", "billing_account_id", "project_id", "project_name", "service_id", "service_name",
    "sku_id", "sku_description", "resource_name", "resource_global_name", "region", "zone",
    "currency", "cost_type", "labels_json", "usage_unit", "pricing_unit", "cost", "credits",
    "usage_amount", "pricing_amount",
)

_TEMPLATE = """SELECT
  CAST(usage_start_time AS DATE) AS usage_date,
  billing_account_id,
  project.id AS project_id,
  project.name AS project_name,
  service.id AS service_id,
  service.description AS service_name,
  sku.id AS sku_id,
  sku.description AS sku_description,
  {resource_name} AS resource_name,
  {resource_global_name} AS resource_global_name,
  COALESCE(location.region, location.location) AS region,
  location.zone AS zone,
  currency,
  cost_type,
  TO_JSON_STRING(labels) AS labels_json,
  usage.unit AS usage_unit,
  usage.pricing_unit AS pricing_unit,
  SUM(cost) AS cost,
  SUM(IFNULL((SELECT SUM(c.amount) FROM UNNEST(credits) AS c), 0)) AS credits,
  SUM(usage.amount) AS usage_amount,
  SUM(usage.amount_in_pricing_units) AS pricing_amount
FROM {table}
WHERE usage_start_time >= TIMESTAMP '{start}' AND usage_start_time < TIMESTAMP '{end}'{project_filter}
GROUP BY usage_date, billing_account_id, project_id, project_name, service_id, service_name, sku_id,
  sku_description, resource_name, resource_global_name, region, zone, currency, cost_type, labels_json,
  usage_unit, pricing_unit
ORDER BY usage_date, project_id, service_name, sku_description, resource_name"""


def check_table(table: str) -> str:
    """Validate ``project.dataset.table`` (the --bq-table option) and return it."""
    if not TABLE_RE.match(table or ""):
        raise InputError(f"expected a BigQuery table as project.dataset.table, got {table!r}", key="--bq-table")
    return table


def bigquery_table_ref(table: str) -> str:
    """The backtick-quoted reference BigQuery wants."""
    return f"`{check_table(table)}`"


def _ts(value: datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%d %H:%M:%S")


def aggregate_sql(table_ref: str, start: datetime, end: datetime, *, detailed: bool,
                  projects: Sequence[str] = ()) -> str:
    """The aggregation query over ``table_ref`` for [start, end).

    ``detailed`` selects the resource-level columns (``resource.name``/``resource.global_name``)
    that only the detailed export has; the standard export yields NULL resources.
    """
    bad = [p for p in projects if not PROJECT_RE.match(p)]
    if bad:
        raise InputError(f"not a GCP project id: {bad[0]!r}", key="--project")
    project_filter = ""
    if projects:
        ids = ", ".join(f"'{p}'" for p in sorted(set(projects)))
        project_filter = f"\n  AND project.id IN ({ids})"
    return _TEMPLATE.format(
        table=table_ref, start=_ts(start), end=_ts(end), project_filter=project_filter,
        resource_name="resource.name" if detailed else "CAST(NULL AS STRING)",
        resource_global_name="resource.global_name" if detailed else "CAST(NULL AS STRING)",
    )


# DuckDB DDL for a table with the export's nested columns (tests and the fake BigQuery use it).
DUCKDB_EXPORT_DDL = """CREATE TABLE {name} (
  billing_account_id VARCHAR,
  service STRUCT(id VARCHAR, description VARCHAR),
  sku STRUCT(id VARCHAR, description VARCHAR),
  usage_start_time TIMESTAMP,
  usage_end_time TIMESTAMP,
  project STRUCT(id VARCHAR, number VARCHAR, name VARCHAR),
  labels STRUCT(key VARCHAR, value VARCHAR)[],
  location STRUCT(location VARCHAR, country VARCHAR, region VARCHAR, zone VARCHAR),
  {resource}cost DOUBLE,
  currency VARCHAR,
  usage STRUCT(amount DOUBLE, unit VARCHAR, amount_in_pricing_units DOUBLE, pricing_unit VARCHAR),
  credits STRUCT(name VARCHAR, amount DOUBLE, full_name VARCHAR, id VARCHAR, type VARCHAR)[],
  invoice STRUCT(month VARCHAR),
  cost_type VARCHAR
)"""


def duckdb_export_ddl(name: str, *, detailed: bool) -> str:
    resource = "resource STRUCT(name VARCHAR, global_name VARCHAR),\n  " if detailed else ""
    return DUCKDB_EXPORT_DDL.format(name=name, resource=resource)
