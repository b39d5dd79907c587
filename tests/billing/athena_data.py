"""Billing tables as Athena holds them: CUR 2.0, legacy CUR and FOCUS rows, Hive-partitioned Parquet.

The same rows serve both sides of the Athena tests: written as flat Parquet files they are a
local source; written under ``billing_period=YYYY-MM`` (CUR 2.0, FOCUS from Data Exports) or
``year=YYYY/month=M`` (legacy CUR Athena integration) folders and exposed as a DuckDB view
``"cur"."<name>"`` they stand in for the Glue table the pushdown SQL runs on.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from costopt.billing.athena_sql import DUCKDB_COMPAT_MACROS, AthenaTable

YEAR = 2025
ACCOUNTS = ("111111111111", "222222222222")
RESOURCES = (  # (product code, product name, usage type, resource id, region, team)
    ("AmazonEC2", "Amazon Elastic Compute Cloud", "USE1-BoxUsage:p3.2xlarge", "i-0aaa", "us-east-1", "vision"),
    ("AmazonEC2", "Amazon Elastic Compute Cloud", "USE1-EBS:VolumeUsage.gp3", "vol-0bbb", "us-east-1", "vision"),
    ("AmazonS3", "Amazon Simple Storage Service", "EU-DataTransfer-Out-Bytes", "datasets", "eu-west-1", "nlp"),
    ("AmazonSageMaker", "Amazon SageMaker", "USE1-Host:ml.g5.xlarge", "ep-fraud", "us-east-1", ""),
)


def _hours():
    start = datetime(YEAR, 1, 1)
    for d in range(365):
        for h in (0, 6, 12, 18):
            yield start + timedelta(days=d, hours=h)


def cur_rows(seed: int = 3) -> list[dict]:
    """Line items every 6 hours for a year: usage, Savings Plan covered usage, a tax line per month."""
    rng = random.Random(seed)
    rows = []
    n = 0
    for t in _hours():
        for i, (code, name, usage, rid, region, team) in enumerate(RESOURCES):
            n += 1
            covered = code == "AmazonEC2" and i == 0 and t.month % 2 == 0
            cost = round(rng.uniform(0.5, 4.0), 6)
            rows.append({
                "identity_line_item_id": f"li-{n}", "bill_payer_account_id": ACCOUNTS[0],
                "bill_billing_period_start_date": datetime(t.year, t.month, 1),
                "line_item_usage_account_id": ACCOUNTS[i % 2],
                "line_item_line_item_type": "SavingsPlanCoveredUsage" if covered else "Usage",
                "line_item_usage_start_date": t, "line_item_usage_end_date": t + timedelta(hours=6),
                "line_item_product_code": code, "line_item_usage_type": usage, "line_item_resource_id": rid,
                "line_item_usage_amount": 6.0, "line_item_currency_code": "USD",
                "line_item_unblended_cost": cost, "line_item_unblended_rate": round(cost / 6, 6),
                "pricing_public_on_demand_cost": round(cost * 1.2, 6),
                "savings_plan_savings_plan_effective_cost": round(cost * 0.7, 6) if covered else None,
                "savings_plan_savings_plan_a_r_n": "arn:aws:savingsplans::111111111111:savingsplan/sp-1" if covered else "",
                "product": {"product_name": name, "region_code": region, "sku": f"SKU{i}"},
                "resource_tags": {"user_team": team} if team else {},
            })
        if t.day == 1 and t.hour == 0:
            rows.append({**rows[-1], "identity_line_item_id": f"tax-{n}", "line_item_line_item_type": "Tax",
                         "line_item_unblended_cost": 3.25, "line_item_resource_id": "", "resource_tags": {},
                         "savings_plan_savings_plan_effective_cost": None, "savings_plan_savings_plan_a_r_n": ""})
    return rows


def legacy_rows(rows: list[dict]) -> list[dict]:
    """The same line items in the legacy CUR Athena layout (flat product and tag columns)."""
    out = []
    for r in rows:
        flat = {k: v for k, v in r.items() if k not in ("product", "resource_tags")}
        flat.update(product_product_name=r["product"]["product_name"], product_region=r["product"]["region_code"],
                    product_sku=r["product"]["sku"], resource_tags_user_team=r["resource_tags"].get("user_team", ""))
        out.append(flat)
    return out


def focus_rows(rows: list[dict]) -> list[dict]:
    """The same charges as a Data Exports FOCUS table (Athena lower-cases the names)."""
    out = []
    for r in rows:
        category = "Tax" if r["line_item_line_item_type"] == "Tax" else "Usage"
        out.append({"billedcost": r["line_item_unblended_cost"],
                    "effectivecost": r["savings_plan_savings_plan_effective_cost"] or r["line_item_unblended_cost"],
                    "listcost": r["pricing_public_on_demand_cost"], "billingcurrency": "USD",
                    "chargeperiodstart": r["line_item_usage_start_date"], "chargeperiodend": r["line_item_usage_end_date"],
                    "chargecategory": category, "servicename": r["product"]["product_name"],
                    "subaccountid": r["line_item_usage_account_id"], "billingaccountid": r["bill_payer_account_id"],
                    "resourceid": r["line_item_resource_id"] or None, "regionid": r["product"]["region_code"],
                    "x_usagetype": r["line_item_usage_type"], "tags": r["resource_tags"]})
    return out


MAP = pa.map_(pa.string(), pa.string())


def schema(rows: list[dict]) -> pa.Schema:
    names = list(rows[0])
    fields = []
    for k in names:
        sample = next((r[k] for r in rows if r[k] is not None), "")
        kind = (MAP if isinstance(sample, dict) else pa.timestamp("ms") if isinstance(sample, datetime)
                else pa.float64() if isinstance(sample, float) else pa.string())
        fields.append(pa.field(k, kind))
    return pa.schema(fields)


def arrow(rows: list[dict], types: pa.Schema | None = None) -> pa.Table:
    types = types or schema(rows)
    columns = {k: [(list(r[k].items()) if isinstance(r[k], dict) else r[k]) for r in rows] for k in types.names}
    return pa.table(columns, schema=types)


GLUE = {pa.string(): "string", pa.float64(): "double", pa.timestamp("ms"): "timestamp", MAP: "map<string,string>"}


def glue_columns(types: pa.Schema) -> dict[str, str]:
    return {f.name: GLUE[f.type] for f in types}


def partition_key(layout: str, t: datetime) -> dict[str, str]:
    return {"billing_period": f"{t.year:04d}-{t.month:02d}"} if layout == "billing_period" else \
        {"year": str(t.year), "month": str(t.month)}


def write_partitioned(rows: list[dict], root: Path, layout: str, start_column: str) -> AthenaTable:
    """Hive-partitioned Parquet under ``root`` (one file per month); the Glue table it stands for."""
    types = schema(rows)
    by_month: dict[tuple, list[dict]] = {}
    for r in rows:
        by_month.setdefault(tuple(partition_key(layout, r[start_column]).items()), []).append(r)
    for key, part in by_month.items():
        folder = root.joinpath(*[f"{k}={v}" for k, v in key])
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(arrow(part, types), folder / "part-0.parquet")
    keys = ("billing_period",) if layout == "billing_period" else ("year", "month")
    return AthenaTable("cur", root.name, glue_columns(types), {k: "string" for k in keys})


def duckdb_athena(tables: dict[str, Path]) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection where ``"cur"."<name>"`` reads the partitioned folder like Athena reads the table."""
    con = duckdb.connect()
    for macro in DUCKDB_COMPAT_MACROS:
        con.execute(macro)
    con.execute("CREATE SCHEMA cur")
    for name, root in tables.items():
        con.execute(f"CREATE VIEW cur.{name} AS SELECT * FROM read_parquet('{root}/**/*.parquet', "
                    "hive_partitioning=true, hive_types_autocast=false)")
    return con


def athena_text(value) -> str | None:
    """A value as Athena's GetQueryResults returns it (VarCharValue text; None for NULL)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="milliseconds")
    if isinstance(value, float):
        return repr(value)
    return str(value)


def run_as_athena(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[list[str], list[list[str | None]]]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return names, [[athena_text(v) for v in row] for row in cur.fetchall()]
