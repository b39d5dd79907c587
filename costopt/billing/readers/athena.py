"""``athena://DATABASE.TABLE`` billing sources: aggregated in Athena, mapped here like a file.

The table's columns (Glue Data Catalog) tell the format (CUR 2.0 / legacy CUR: ``aws-cur``;
Data Exports FOCUS: ``focus``) exactly as a file header does. The format's reader is run over
an empty DuckDB table of those columns to learn which columns it reads; only those go into
the pushdown query (:mod:`costopt.billing.athena_sql`), whose aggregated rows are loaded into a
DuckDB table of the same names and mapped onto FOCUS by the same reader. The query's window,
the billing periods it kept and its bytes scanned (and their cost) are kept in
``BillingTable.scans`` (a :class:`RemoteScan`) and, as text, ``BillingTable.notes`` for the coverage.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from costopt.billing.athena_sql import (
    AthenaResult,
    AthenaTable,
    Column,
    RemoteScan,
    duckdb_type,
    local_select,
    parse_url,
    plan_columns,
    pruned_periods,
    pushdown_sql,
)
from costopt.billing.readers.formats import detect_format, missing, select
from costopt.billing.readers.sources import Source, ident
from costopt.billing.table import BillingTable
from costopt.errors import InputError

SUPPORTED = ("aws-cur", "focus")
_numbers = itertools.count(1)


class AthenaClient(Protocol):
    """What a source needs from Athena (costopt.providers.aws.athena.Athena)."""

    def describe(self, database: str, table: str) -> AthenaTable: ...

    def query(self, sql: str, database: str) -> AthenaResult: ...


Connect = Callable[[], AthenaClient]


def default_connect() -> AthenaClient:
    # boto3 is the optional 'aws' extra: imported only when an athena:// source is read
    try:
        from costopt.providers.aws.athena import Athena, AthenaOptions  # needs boto3, the optional 'aws' extra
    except ModuleNotFoundError as exc:
        raise InputError(f"athena:// sources need the 'aws' extra: pip install 'costopt-ml[aws]' "
                         f"(missing module {exc.name})") from None
    return Athena(AthenaOptions())


def _probe(table: BillingTable, at: AthenaTable, fmt: str | None) -> tuple[str, list[str]]:
    """(format, the columns its reader reads) for the Glue table ``at``."""
    types = {name: duckdb_type(t) for name, t in at.all_columns().items()}
    name = f"athena_probe_{next(_numbers)}"
    cols = ", ".join(f"{ident(c)} {t}" for c, t in types.items())
    table.con.execute(f"CREATE TABLE {name} ({cols})")
    try:
        src = Source(at.label, [at.label], "athena", name, types)
        found = fmt or detect_format(src)
        if found not in SUPPORTED:
            raise InputError(f"{at.label}: the table's columns match {found or 'no known format'}; Athena sources "
                             "are AWS CUR (legacy or 2.0) or FOCUS tables", key="--source")
        gaps = missing(found, src)
        if gaps:
            raise InputError(f"{at.label}: missing mandatory column(s) for {found}: {', '.join(gaps)}", key="--source")
        sql = select(found, src, table, None)
    finally:
        table.con.execute(f"DROP TABLE {name}")
    return found, [c for c in types if ident(c) in sql]


def load_result(table: BillingTable, columns: list[Column], result: AthenaResult, label: str) -> Source:
    """The aggregated rows as a typed DuckDB table named like the Athena columns."""
    import pyarrow as pa  # a core dependency; only this path builds an Arrow table

    expected = [c.name for c in columns]
    if [c.lower() for c in result.columns] != expected:
        raise InputError(f"{label}: Athena returned columns {result.columns}, expected {expected}", key="--source")
    n = next(_numbers)
    raw, local = f"athena_raw_{n}", f"athena_rows_{n}"
    arrays = {c: pa.array([row[i] for row in result.rows], type=pa.string()) for i, c in enumerate(expected)}
    table.con.register(raw, pa.table(arrays))
    try:
        table.con.execute(f"CREATE TABLE {local} AS {local_select(columns, raw)}")
    finally:
        table.con.unregister(raw)
    described = {r[0]: r[1] for r in table.con.execute(f"DESCRIBE {local}").fetchall()}
    return Source(label, [label], "athena", local, described)


def add_source(table: BillingTable, url: str, fmt: str | None, window: tuple[datetime | None, datetime | None],
               remote: Connect | None, progress: Callable[[str], None] | None = None) -> None:
    """Aggregate ``url`` in Athena for charges starting in ``window`` and add it to ``table``."""
    database, name = parse_url(url)
    client = (remote or default_connect)()
    at = client.describe(database, name)
    found, used = _probe(table, at, fmt)
    columns = plan_columns(at, used)
    sql = pushdown_sql(at, columns, window[0], window[1])
    if progress is not None:
        progress(f"billing: {at.label}: {found}, aggregating in Athena")
    result = client.query(sql, database)
    src = load_result(table, columns, result, at.label)
    table.add_select(select(found, src, table, None), at.label)
    scan = RemoteScan(at.label, window[0], window[1], pruned_periods(at, window[0], window[1]), len(result.rows),
                      result.bytes_scanned, result.cost_usd, result.cost)
    table.scans[at.label] = scan
    table.notes[at.label] = scan.text()
    if progress is not None:
        progress(f"billing: {at.label}: {table.notes[at.label]}")
