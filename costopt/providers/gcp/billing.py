"""GCP cost from the BigQuery billing export, aggregated in BigQuery and mapped onto FOCUS.

Only the aggregated daily rows of :mod:`costopt.billing.gcp_bigquery_sql` come back. Each
row becomes a Usage (or Tax / Adjustment, from ``cost_type``) FOCUS row for its cost and,
when the row had credits, a separate ``Credit`` row with the summed (negative) credits, so
usage cost, credits and billed cost stay apart. Egress is found by SKU description.

The query filters on the table's partition column (read from the table's metadata: ingestion
time ``_PARTITIONTIME`` for the standard and detailed exports), runs with the configured
``maximum_bytes_billed`` guard (BigQuery refuses a query that would bill more), and reports
the bytes BigQuery billed from the job statistics (:class:`QueryStats`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pandas as pd

from costopt.billing.gcp_bigquery_sql import INGESTION_TIME, aggregate_sql, bigquery_table_ref, check_table
from costopt.billing.table import BillingTable
from costopt.model import Window
from costopt.providers.billing_frame import table_from_frame
from costopt.providers.gcp.clients import RETRY

PROVIDER_NAME = "Google Cloud"
SERVICE_CATEGORIES = {
    "Compute Engine": "Compute", "Cloud Storage": "Storage", "Vertex AI": "AI and Machine Learning",
    "BigQuery": "Databases", "Networking": "Networking", "Kubernetes Engine": "Compute",
    "Cloud SQL": "Databases", "Cloud Run": "Compute", "Cloud Logging": "Management and Governance",
    "Cloud Monitoring": "Management and Governance", "Artifact Registry": "Storage",
}
CHARGE_BY_COST_TYPE = {"regular": "Usage", "tax": "Tax", "adjustment": "Adjustment", "rounding_error": "Adjustment"}


# BigQuery on-demand query price, USD per TiB billed (https://cloud.google.com/bigquery/pricing,
# "On-demand compute pricing", $6.25 per TiB since July 2023): an estimate shown with the bytes.
ON_DEMAND_USD_PER_TIB = 6.25


@dataclass(frozen=True)
class QueryStats:
    """What the aggregation query cost: from the job statistics."""

    bytes_billed: int | None
    bytes_processed: int | None
    partition: str | None  # the partition column filtered on (None: the table is not partitioned)

    def text(self) -> str:
        if self.bytes_billed is None:
            return "bytes billed not reported"
        usd = self.bytes_billed / 2**40 * ON_DEMAND_USD_PER_TIB
        pruned = f"pruned on {self.partition}" if self.partition else "table not partitioned: full scan"
        return f"{self.bytes_billed:,} bytes billed (~${usd:.4f} on demand), {pruned}"


def table_info(client, table: str) -> tuple[bool, str | None]:
    """(detailed, partition column) from the table's metadata.

    Detailed = the resource-level export (it has a ``resource`` column). The partition column is
    ``timePartitioning.field``, or ``_PARTITIONTIME`` when the table is ingestion-time partitioned.
    """
    meta = client.get_table(check_table(table), retry=RETRY)
    detailed = any(f.name == "resource" for f in meta.schema)
    tp = meta.time_partitioning
    partition = None if tp is None else (tp.field or INGESTION_TIME)
    return detailed, partition


def is_detailed(client, table: str) -> bool:
    """True when ``table`` is the detailed (resource-level) export (it has a ``resource`` column)."""
    return table_info(client, table)[0]


def query_export(client, table: str, window: Window, projects: tuple[str, ...] = (),
                 maximum_bytes_billed: int | None = None) -> tuple[pd.DataFrame, QueryStats]:
    """Run the aggregation in BigQuery (a query job): its rows as a DataFrame, and what it billed."""
    from google.cloud import bigquery  # the gcp extra: this module is imported only when it is installed

    detailed, partition = table_info(client, table)
    sql = aggregate_sql(bigquery_table_ref(table), window.start, window.end, detailed=detailed, projects=projects,
                        partition=partition)
    config = bigquery.QueryJobConfig()
    if maximum_bytes_billed is not None:
        config.maximum_bytes_billed = int(maximum_bytes_billed)
    job = client.query(sql, job_config=config, api_method="QUERY")
    rows = job.result()
    records = [dict(row.items()) for row in rows]
    if job.total_bytes_billed is None:
        job.reload(retry=RETRY)  # jobs.query does not return the billed bytes; jobs.get does
    stats = QueryStats(job.total_bytes_billed, job.total_bytes_processed, partition)
    return pd.DataFrame.from_records(records), stats


def _tags(labels_json: Any) -> str | None:
    if not labels_json or (isinstance(labels_json, float) and pd.isna(labels_json)):
        return None
    try:
        items = json.loads(labels_json)
    except (TypeError, ValueError):
        return None
    tags = {str(i.get("key")): str(i.get("value")) for i in items or [] if isinstance(i, dict)}
    tags.update({f"costopt:{k[8:]}": v for k, v in list(tags.items()) if k.startswith(("costopt-", "costopt_"))})
    return json.dumps(tags, sort_keys=True) if tags else None


def to_focus(rows: pd.DataFrame, source: str) -> pd.DataFrame:
    """Map aggregated export rows onto FOCUS columns (one Credit row per row with credits)."""
    if rows.empty:
        return pd.DataFrame()
    start = pd.to_datetime(rows["usage_date"])
    base = pd.DataFrame({
        "ProviderName": PROVIDER_NAME,
        "BillingAccountId": rows["billing_account_id"],
        "SubAccountId": rows["project_id"],
        "SubAccountName": rows["project_name"],
        "BillingCurrency": rows["currency"],
        "BillingPeriodStart": start.dt.to_period("M").dt.start_time,
        "ChargePeriodStart": start,
        "ChargePeriodEnd": start + timedelta(days=1),
        "ChargeFrequency": "Usage-Based",
        "ServiceName": rows["service_name"],
        "ServiceCategory": rows["service_name"].map(SERVICE_CATEGORIES).fillna("Other"),
        "RegionId": rows["region"],
        "AvailabilityZone": rows["zone"],
        "ResourceId": rows["resource_global_name"].where(rows["resource_global_name"].notna(), rows["resource_name"]),
        "ResourceName": rows["resource_name"],
        "SkuId": rows["sku_id"],
        "x_UsageType": rows["sku_description"],
        "x_IsEgress": rows["sku_description"].fillna("").str.contains("egress", case=False),
        "Tags": rows["labels_json"].map(_tags),
        "x_SourceFile": source,
    })
    cost = rows["cost"].astype(float).fillna(0.0)
    usage = base.assign(
        ChargeCategory=rows["cost_type"].fillna("regular").map(CHARGE_BY_COST_TYPE).fillna("Usage"),
        ChargeDescription=rows["sku_description"],
        ConsumedQuantity=rows["usage_amount"].astype(float), ConsumedUnit=rows["usage_unit"],
        PricingQuantity=rows["pricing_amount"].astype(float), PricingUnit=rows["pricing_unit"],
        BilledCost=cost, EffectiveCost=cost, ListCost=cost, ContractedCost=cost,
    )
    credits = rows["credits"].astype(float).fillna(0.0)
    has_credit = credits != 0
    credit = base[has_credit].assign(
        ChargeCategory="Credit", ChargeDescription="Credits: " + rows.loc[has_credit, "sku_description"].fillna(""),
        BilledCost=credits[has_credit], EffectiveCost=credits[has_credit], ListCost=0.0, ContractedCost=0.0,
        x_IsEgress=False,
    )
    return pd.concat([usage, credit], ignore_index=True)


def read_billing(client, table: str, window: Window, projects: tuple[str, ...] = (),
                 maximum_bytes_billed: int | None = None) -> tuple[BillingTable | None, QueryStats]:
    """The export's aggregated rows as a BillingTable (None when the window has no rows), and the query's cost."""
    rows, stats = query_export(client, table, window, projects, maximum_bytes_billed)
    frame = to_focus(rows, f"bigquery:{table}")
    return (None if frame.empty else table_from_frame(frame, f"bigquery:{table}")), stats

