"""BigQuery partition pruning, bytes billed and the maximum_bytes_billed guard.

The SQL is checked on DuckDB (a ``_PARTITIONTIME`` column stands in for the pseudo column), the
flow against the local REST fake, which bills like BigQuery: the rows of the partitions the
query's partition filter keeps (see costopt.demo.fakes.gcp).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import duckdb
import pyarrow as pa
import pytest

from costopt.billing.gcp_bigquery_sql import DUCKDB_COMPAT_MACROS, aggregate_sql, duckdb_export_ddl
from costopt.config import Settings
from costopt.demo.fakes.gcp_seed import PROJECT, export_rows
from costopt.errors import InputError

from .conftest import NOW, WINDOW

START, END = datetime(2026, 11, 20, 10), datetime(2026, 11, 27)


def _partitioned(rows, lags):
    con = duckdb.connect()
    for macro in DUCKDB_COMPAT_MACROS:
        con.execute(macro)
    con.execute(duckdb_export_ddl("export", detailed=True, ingestion_partitioned=True))
    loaded = [{**r, "_PARTITIONTIME": datetime.combine((r["usage_end_time"] + lag).date(), datetime.min.time())}
              for r, lag in zip(rows, lags)]
    con.register("seed", pa.Table.from_pylist(loaded))
    con.execute("INSERT INTO export BY NAME SELECT * FROM seed")
    return con


def _rows(con, sql):
    return sorted(con.execute(sql).fetchall(), key=repr)


def test_ingestion_time_filter_prunes_history_and_keeps_late_rows():
    rows = export_rows(NOW, days=60)
    rng = random.Random(7)
    lags = [timedelta(hours=rng.choice([0, 3, 30, 24 * 4, 24 * 9])) for _ in rows]  # late loads, days late
    con = _partitioned(rows, lags)
    pruned = aggregate_sql("export", START, END, detailed=True, partition="_PARTITIONTIME")
    assert "AND _PARTITIONTIME >= TIMESTAMP '2026-11-19 00:00:00'" in pruned
    # same answer as the unpruned query: no row of the window sits in a pruned partition
    assert _rows(con, pruned) == _rows(con, aggregate_sql("export", START, END, detailed=True))
    in_window = sum(r["cost"] for r in rows if START <= r["usage_start_time"] < END)
    assert sum(r[17] for r in con.execute(pruned).fetchall()) == pytest.approx(in_window)
    # and the partitions it may read hold a fraction of the table (what BigQuery bills)
    kept = con.execute("SELECT COUNT(*) FROM export WHERE _PARTITIONTIME >= TIMESTAMP '2026-11-19'").fetchone()[0]
    assert kept < len(rows) / 4


def test_column_partition_on_usage_start_time_needs_no_second_filter():
    sql = aggregate_sql("export", START, END, detailed=True, partition="usage_start_time")
    assert sql == aggregate_sql("export", START, END, detailed=True)
    assert "export_time >= TIMESTAMP '2026-11-19 00:00:00'" in aggregate_sql(
        "export", START, END, detailed=True, partition="export_time")
    with pytest.raises(InputError, match="partition"):
        aggregate_sql("export", START, END, detailed=True, partition="x; DROP")


TABLE = f"{PROJECT}.billing_export.gcp_billing_export_resource_v1_PRUNE_TEST"


@pytest.fixture
def long_export(gcp):
    if TABLE not in gcp.fake.bq_tables:
        gcp.fake.add_export_table(TABLE, export_rows(NOW, days=90), load_lag=timedelta(days=2))
    gcp.fake.queries.clear()
    return gcp


def test_adapter_prunes_and_reports_bytes_billed(long_export):
    gcp = long_export
    snap = gcp.collect(bq_table=TABLE)
    sql = gcp.fake.queries[-1]
    bound = (WINDOW.start - timedelta(days=1)).strftime("%Y-%m-%d 00:00:00")
    assert f"_PARTITIONTIME >= TIMESTAMP '{bound}'" in sql
    name = gcp.fake.bq_tables[TABLE][0]
    con = gcp.fake.bq
    scanned = con.execute(f"SELECT COUNT(*) FROM {name} WHERE _PARTITIONTIME >= TIMESTAMP '{bound}'").fetchone()[0]
    total = con.execute(f"SELECT COUNT(*) FROM {name}").fetchone()[0]
    assert scanned < total / 3
    entry = next(c for c in snap.coverage if c.scope == f"bigquery:{TABLE}")
    assert entry.status == "ok"
    assert f"{scanned * gcp.fake.bq_row_bytes:,} bytes billed" in entry.detail and "_PARTITIONTIME" in entry.detail
    # rows loaded two days late are still counted
    start, end = WINDOW.start.replace(tzinfo=None), WINDOW.end.replace(tzinfo=None)
    expected = sum(r["cost"] for r in export_rows(NOW, days=90) if start <= r["usage_start_time"] < end)
    usage = snap.billing.scalar("SELECT SUM(BilledCost) FROM focus WHERE ChargeCategory <> 'Credit'")
    assert usage == pytest.approx(expected)


def test_maximum_bytes_billed_guard_is_a_coverage_entry_with_the_fix(long_export):
    gcp = long_export
    limit = 10 << 20  # 10 MiB: less than the window's partitions bill
    snap = gcp.collect(Settings(providers={"gcp": {"maximum_bytes_billed": limit}}), bq_table=TABLE)
    entry = next(c for c in snap.coverage if c.scope == f"bigquery:{TABLE}")
    assert entry.status == "failed" and entry.error_code == "BytesBilledLimitExceeded"
    assert "maximum_bytes_billed" in entry.fix and str(limit) in entry.fix
    assert snap.billing is None or snap.billing.empty
    # a limit above what the query bills lets it run
    ok = gcp.collect(Settings(providers={"gcp": {"maximum_bytes_billed": 1 << 40}}), bq_table=TABLE)
    assert next(c for c in ok.coverage if c.scope == f"bigquery:{TABLE}").status == "ok"
