"""The Athena pushdown SQL for CUR 2.0, legacy CUR and FOCUS tables: it runs in Athena and on DuckDB.

An ``athena://DATABASE.TABLE`` source is read in two stages so that the same code paths serve
it and a local file:

1. in Athena, :func:`pushdown_sql` aggregates the table to one row per day and per distinct
   value of every column the format's reader uses (``costopt.billing.readers``): the usage
   start is truncated to the day, costs and quantities are summed, unit prices and the usage
   end take their maximum, MAP columns (CUR 2.0 ``product``, ``resource_tags``) travel as JSON
   text; columns no reader uses are not selected (Athena bills the Parquet columns it reads);
   a per-line-item id (CUR ``identity_line_item_id``) is left out, it would defeat the
   aggregation. The WHERE clause prunes partitions: ``billing_period`` ('YYYY-MM', Data Exports
   CUR 2.0 and FOCUS) or ``year``/``month`` (the legacy CUR Athena integration), plus the usage
   window on the usage start;
2. the aggregated rows come back (small) and are typed again locally (:func:`local_select`)
   into a DuckDB table with the same column names, which the format's reader maps onto FOCUS
   exactly as it maps a Parquet file.

The SQL text uses only what Trino (Athena engine v3) and DuckDB share; ``json_format`` is the
one Trino function DuckDB lacks: :data:`DUCKDB_COMPAT_MACROS` defines it, as the BigQuery SQL
does for ``TO_JSON_STRING``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from costopt.errors import InputError

URL_PREFIX = "athena://"
NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
DUCKDB_COMPAT_MACROS = ("CREATE OR REPLACE MACRO json_format(x) AS CAST(x AS VARCHAR)",)

# The usage start and end column of each format (Athena lower-cases FOCUS names).
USAGE_START = ("line_item_usage_start_date", "chargeperiodstart")
USAGE_END = ("line_item_usage_end_date", "chargeperiodend")
# Columns never grouped on: one value per line item.
PER_LINE_ITEM = ("identity_line_item_id", "identity_time_interval")
_NUMERIC = ("double", "float", "real", "decimal", "bigint", "int", "integer", "smallint", "tinyint")
_MAX_NUMERIC = re.compile(r"(rate|unitprice)$")


@dataclass(frozen=True)
class AthenaTable:
    """A Glue table: its columns and partition keys (name -> Glue type, lower case)."""

    database: str
    name: str
    columns: Mapping[str, str]
    partitions: Mapping[str, str]

    @property
    def ref(self) -> str:
        return f'"{self.database}"."{self.name}"'

    @property
    def label(self) -> str:
        return f"{URL_PREFIX}{self.database}.{self.name}"

    def all_columns(self) -> dict[str, str]:
        return {**self.columns, **self.partitions}


@dataclass(frozen=True)
class AthenaResult:
    """One finished query: column names, text rows (None for NULL), what it scanned."""

    columns: list[str]
    rows: list[list[str | None]]
    bytes_scanned: int
    query_id: str
    cost: str  # "N bytes scanned (~$X ...)"
    cost_usd: float = 0.0  # what Athena bills for the scan


@dataclass(frozen=True)
class RemoteScan:
    """What one ``athena://`` source's query read: its window, the partitions it kept, its bytes."""

    source: str
    start: datetime | None
    end: datetime | None
    periods: tuple[str, ...]  # billing periods ('YYYY-MM') the WHERE clause kept; () = no pruning
    rows: int
    bytes_scanned: int
    cost_usd: float
    cost: str

    def text(self) -> str:
        """``120 aggregated rows from Athena for charges from ... (2 billing periods: ...); N bytes scanned ...``."""
        if self.start is None or self.end is None:
            span = "for every charge in the table (no window: nothing pruned)"
        else:
            span = f"for charges from {_ts(self.start)[:16]} to {_ts(self.end)[:16]} UTC"
            span += (f" ({len(self.periods)} billing period(s): {', '.join(self.periods)})" if self.periods
                     else " (no billing-period partitions to prune on)")
        return f"{self.rows:,} aggregated rows from Athena {span}; {self.cost}"


def parse_url(url: str) -> tuple[str, str]:
    """``athena://DATABASE.TABLE`` -> (database, table)."""
    body = url[len(URL_PREFIX):] if url.startswith(URL_PREFIX) else ""
    database, _, table = body.partition(".")
    if not (NAME_RE.match(database) and NAME_RE.match(table)):
        raise InputError(f"expected athena://DATABASE.TABLE (letters, digits, _ and -), got {url!r}", key="--source")
    return database, table


def is_athena(source: str) -> bool:
    return source.startswith(URL_PREFIX)


def duckdb_type(glue_type: str) -> str:
    """The DuckDB type for a Glue/Hive column type."""
    t = glue_type.strip().lower()
    if t.startswith("map<"):
        return "MAP(VARCHAR, VARCHAR)"
    if t.startswith("decimal") or t in ("double", "float", "real"):
        return "DOUBLE"
    if t in ("bigint", "int", "integer", "smallint", "tinyint"):
        return "BIGINT"
    if t.startswith("timestamp"):
        return "TIMESTAMP"
    if t == "date":
        return "DATE"
    if t == "boolean":
        return "BOOLEAN"
    return "VARCHAR"


def _numeric(glue_type: str) -> bool:
    return glue_type.strip().lower().startswith(_NUMERIC)


@dataclass(frozen=True)
class Column:
    """One column of the pushdown result: how Athena computes it and its local type."""

    name: str
    select: str  # the Athena/DuckDB expression
    grouped: bool
    local_type: str
    is_map: bool = False


def plan_columns(table: AthenaTable, used: Sequence[str]) -> list[Column]:
    """The result columns for the reader's ``used`` columns (see the module docstring)."""
    types = table.all_columns()
    out = []
    for name in used:
        if name in PER_LINE_ITEM or name not in types:
            continue
        glue = types[name]
        q = f'"{name}"'
        if name in USAGE_START:
            out.append(Column(name, f"date_trunc('day', {q})", True, "TIMESTAMP"))
        elif name in USAGE_END:
            out.append(Column(name, f"MAX({q})", False, "TIMESTAMP"))
        elif glue.lower().startswith("map<"):
            out.append(Column(name, f"json_format(CAST({q} AS JSON))", True, "MAP(VARCHAR, VARCHAR)", is_map=True))
        elif _numeric(glue):
            agg = "MAX" if _MAX_NUMERIC.search(name.replace("_", "")) else "SUM"
            out.append(Column(name, f"{agg}(CAST({q} AS DOUBLE))", False, "DOUBLE"))
        else:
            out.append(Column(name, q, True, duckdb_type(glue)))
    return out


def _ts(value: datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%d %H:%M:%S")


def months(start: datetime, end: datetime) -> list[tuple[int, int]]:
    """The (year, month) billing periods that hold charges starting in [start, end)."""
    last = end - timedelta(microseconds=1)
    y, m = start.year, start.month
    out = []
    while (y, m) <= (last.year, last.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _literal(value: str, glue_type: str) -> str:
    return value if _numeric(glue_type) else "'" + value + "'"


def partition_predicate(table: AthenaTable, start: datetime | None, end: datetime | None) -> str | None:
    """The filter on the table's billing-period partitions for [start, end) (None: nothing to prune on)."""
    if start is None or end is None or end <= start:
        return None
    periods = months(start, end)
    parts = table.partitions
    if "billing_period" in parts:
        values = ", ".join(_literal(f"{y:04d}-{m:02d}", parts["billing_period"]) for y, m in periods)
        return f'"billing_period" IN ({values})'
    if "year" in parts and "month" in parts:
        terms = []
        for y, m in periods:
            month_values = [str(m)] if _numeric(parts["month"]) else sorted({str(m), f"{m:02d}"})
            listed = ", ".join(_literal(v, parts["month"]) for v in month_values)
            terms.append(f'("year" = {_literal(str(y), parts["year"])} AND "month" IN ({listed}))')
        return "(" + " OR ".join(terms) + ")"
    return None


def pruned_periods(table: AthenaTable, start: datetime | None, end: datetime | None) -> tuple[str, ...]:
    """The billing periods :func:`partition_predicate` keeps for [start, end) (() when it prunes nothing)."""
    if partition_predicate(table, start, end) is None or start is None or end is None:
        return ()
    return tuple(f"{y:04d}-{m:02d}" for y, m in months(start, end))


def usage_start_column(table: AthenaTable) -> str:
    found = next((c for c in USAGE_START if c in table.columns), None)
    if found is None:
        raise InputError(f"{table.label}: no usage start column (expected one of {', '.join(USAGE_START)})",
                         key="--source")
    return found


def pushdown_sql(table: AthenaTable, columns: Sequence[Column], start: datetime | None = None,
                 end: datetime | None = None) -> str:
    """The aggregation query over ``table`` for charges starting in [start, end) (either bound optional)."""
    if not columns:
        raise InputError(f"{table.label}: none of the columns costopt reads is in the table", key="--source")
    select = ",\n  ".join(f'{c.select} AS "{c.name}"' for c in columns)
    groups = ", ".join(str(i) for i, c in enumerate(columns, 1) if c.grouped)
    where = []
    pruning = partition_predicate(table, start, end)
    if pruning:
        where.append(pruning)
    usage = f'"{usage_start_column(table)}"'
    if start is not None:
        where.append(f"{usage} >= TIMESTAMP '{_ts(start)}'")
    if end is not None:
        where.append(f"{usage} < TIMESTAMP '{_ts(end)}'")
    where_sql = ("\nWHERE " + "\n  AND ".join(where)) if where else ""
    group_sql = f"\nGROUP BY {groups}" if groups else ""
    return f"SELECT\n  {select}\nFROM {table.ref}{where_sql}{group_sql}"


def local_select(columns: Sequence[Column], raw: str) -> str:
    """Type the text values Athena returns (``raw`` has one VARCHAR column per result column)."""
    parts = []
    for c in columns:
        q = f'"{c.name}"'
        if c.is_map:
            parts.append(f"CAST(CAST({q} AS JSON) AS {c.local_type}) AS {q}")
        elif c.local_type == "VARCHAR":
            parts.append(q)
        else:
            parts.append(f"CAST({q} AS {c.local_type}) AS {q}")
    return f"SELECT {', '.join(parts)} FROM {raw}"
