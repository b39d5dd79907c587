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

Partition pruning: the export tables are day-partitioned; the standard and detailed usage
cost tables by ingestion time (the ``_PARTITIONTIME`` pseudo column: the day the rows were
loaded), a table partitioned on a column names it in its ``timePartitioning.field``.
:func:`partition_predicate` adds a filter on that column, so BigQuery scans (and bills) only
the partitions that can hold the window's rows. A row is loaded at or after its usage hour,
and late rows (corrections, services that report late) keep arriving for days, so for
ingestion time the filter is a lower bound only (one day before the window, for loads that
cross midnight): it prunes all older history, never a late row. A column partition on
``usage_start_time`` is bounded on both sides by the usage filter itself.

Timestamps are compared with ``TIMESTAMP 'YYYY-MM-DD HH:MM:SS'`` literals (UTC in BigQuery;
DuckDB tables store the export's timestamps as naive UTC TIMESTAMP). The bounds and project
ids are formatted from validated values, never from free text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from costopt.errors import InputError

TABLE_RE = re.compile(r"^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)?\.[A-Za-z0-9_]+\.[A-Za-z0-9_$]+$")
PROJECT_RE = re.compile(r"^[a-z0-9][a-z0-9:.-]{0,62}$")
FIELD_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
INGESTION_TIME = "_PARTITIONTIME"  # the pseudo column of ingestion-time partitioned tables
PARTITION_SLACK = timedelta(days=1)

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
WHERE usage_start_time >= TIMESTAMP '{start}' AND usage_start_time < TIMESTAMP '{end}'{partition_filter}{project_filter}
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


def partition_predicate(partition: str | None, start: datetime) -> str:
    """The filter on the table's partition column for a window starting at ``start`` ('' if none).

    ``partition`` is ``_PARTITIONTIME`` (ingestion-time partitioning), a column name, or None
    (an unpartitioned table). See the module docstring for why only a lower bound is used.
    """
    if partition is None or partition == "usage_start_time":
        return ""  # not partitioned, or the usage filter already bounds the partition column
    if not FIELD_RE.match(partition):
        raise InputError(f"not a BigQuery partition column: {partition!r}", key="timePartitioning.field")
    day = (start.astimezone(UTC).replace(tzinfo=None) if start.tzinfo else start)
    bound = datetime(day.year, day.month, day.day) - PARTITION_SLACK
    return f"{partition} >= TIMESTAMP '{_ts(bound)}'"


def aggregate_sql(table_ref: str, start: datetime, end: datetime, *, detailed: bool,
                  projects: Sequence[str] = (), partition: str | None = None) -> str:
    """The aggregation query over ``table_ref`` for [start, end).

    ``detailed`` selects the resource-level columns (``resource.name``/``resource.global_name``)
    that only the detailed export has; the standard export yields NULL resources.
    ``partition`` is the table's partition column (see :func:`partition_predicate`).
    """
    pruning = partition_predicate(partition, start)
    bad = [p for p in projects if not PROJECT_RE.match(p)]
    if bad:
        raise InputError(f"not a GCP project id: {bad[0]!r}", key="--project")
    project_filter = ""
    if projects:
        ids = ", ".join(f"'{p}'" for p in sorted(set(projects)))
        project_filter = f"\n  AND project.id IN ({ids})"
    return _TEMPLATE.format(
        table=table_ref, start=_ts(start), end=_ts(end), project_filter=project_filter,
        partition_filter=f"\n  AND {pruning}" if pruning else "",
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
  cost_type VARCHAR{partition}
)"""


def duckdb_export_ddl(name: str, *, detailed: bool, ingestion_partitioned: bool = False) -> str:
    """The DDL; ``ingestion_partitioned`` adds a ``_PARTITIONTIME`` column standing in for the pseudo column."""
    resource = "resource STRUCT(name VARCHAR, global_name VARCHAR),\n  " if detailed else ""
    partition = f",\n  {INGESTION_TIME} TIMESTAMP" if ingestion_partitioned else ""
    return DUCKDB_EXPORT_DDL.format(name=name, resource=resource, partition=partition)
