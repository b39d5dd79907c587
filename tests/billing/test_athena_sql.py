"""The Athena pushdown SQL on DuckDB over the same rows as local files (CUR 2.0, legacy CUR, FOCUS).

DuckDB reads the Hive-partitioned Parquet the way Athena reads the Glue table; an
``athena://`` source over it must give the same breakdown as the flat files read locally,
and its query must read only the billing periods of the window (DuckDB's query profile counts
the files scanned, as Athena's statistics count the bytes).
"""

from __future__ import annotations

import re
from datetime import datetime

import pyarrow.parquet as pq
import pytest

from costopt.billing.athena_sql import AthenaResult, AthenaTable, months, parse_url, plan_columns, pushdown_sql
from costopt.billing.breakdown import breakdown_records
from costopt.billing.readers import open_sources
from costopt.errors import InputError

from .athena_data import arrow, cur_rows, duckdb_athena, focus_rows, legacy_rows, run_as_athena, write_partitioned

SINCE, UNTIL = datetime(2025, 3, 10), datetime(2025, 5, 5)


class DuckDbAthena:
    """An Athena stand-in: the Glue table description and the SQL run on DuckDB over the same files."""

    def __init__(self, con, tables: dict[str, AthenaTable]):
        self.con, self.tables, self.sql = con, tables, []

    def describe(self, database, table):
        return self.tables[table]

    def query(self, sql, database):
        self.sql.append(sql)
        names, rows = run_as_athena(self.con, sql)
        return AthenaResult(names, rows, 0, "q-1", "0 bytes scanned")


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    root = tmp_path_factory.mktemp("athena")
    rows = cur_rows()
    data = {"cur2": (rows, "billing_period", "line_item_usage_start_date"),
            "legacy": (legacy_rows(rows), "year_month", "line_item_usage_start_date"),
            "focus": (focus_rows(rows), "billing_period", "chargeperiodstart")}
    glue, flat = {}, {}
    for name, (part, layout, start) in data.items():
        glue[name] = write_partitioned(part, root / name, layout, start)
        flat[name] = root / f"{name}.parquet"
        pq.write_table(arrow(part), flat[name])
    con = duckdb_athena({name: root / name for name in data})
    return DuckDbAthena(con, glue), flat, rows


KEYS = ["account", "service", "region", "resource", "charge", "day", "tag:team"]


def _by_key(results):
    return {(r["currency"], *[row[k] for k in KEYS]): row["cost"] for r in results for row in r["rows"]}


@pytest.mark.parametrize("name", ["cur2", "legacy", "focus"])
@pytest.mark.parametrize("cost", ["billed", "effective"])
def test_athena_source_gives_the_local_breakdown(tables, name, cost):
    engine, flat, _ = tables
    remote = open_sources([f"athena://cur.{name}"], window=(SINCE, UNTIL), remote=lambda: engine)
    local = open_sources([str(flat[name])])
    got = _by_key(breakdown_records(remote, KEYS, cost))
    want = _by_key(breakdown_records(local, KEYS, cost, SINCE, UNTIL))
    assert got.keys() == want.keys()
    assert got == pytest.approx(want, rel=1e-9)
    # only aggregated rows came back: one per resource and day, not one per line item
    raw = sum(1 for r in tables[2] if SINCE <= r["line_item_usage_start_date"] < UNTIL)
    assert remote.scalar("SELECT COUNT(*) FROM focus") < raw / 3


def _files_scanned(con, sql):
    plan = con.execute("EXPLAIN ANALYZE " + sql).fetchall()[0][1]
    found = re.search(r"Total Files Read: (\d+)", plan)
    assert found, plan
    return int(found.group(1))


@pytest.mark.parametrize("name", ["cur2", "legacy", "focus"])
def test_a_window_reads_only_its_billing_periods(tables, name):
    engine, _, _ = tables
    at = engine.tables[name]
    columns = plan_columns(at, list(at.columns))
    sql = pushdown_sql(at, columns, SINCE, UNTIL)
    assert _files_scanned(engine.con, sql) == 3  # March, April, May of a 12-month table
    assert _files_scanned(engine.con, pushdown_sql(at, columns)) == 12
    assert _files_scanned(engine.con, pushdown_sql(at, columns, datetime(2025, 6, 1), datetime(2025, 7, 1))) == 1


def test_the_query_reads_only_what_the_reader_uses(tables):
    engine, _, _ = tables
    open_sources(["athena://cur.cur2"], window=(SINCE, UNTIL), remote=lambda: engine)
    sql = engine.sql[-1]
    assert "identity_line_item_id" not in sql  # one value per line item: it would defeat the aggregation
    assert "date_trunc('day', \"line_item_usage_start_date\")" in sql
    assert "SUM(CAST(\"line_item_unblended_cost\" AS DOUBLE))" in sql
    assert "MAX(CAST(\"line_item_unblended_rate\" AS DOUBLE))" in sql  # a unit price is not summed
    assert "json_format(CAST(\"resource_tags\" AS JSON))" in sql
    assert "\"billing_period\" IN ('2025-03', '2025-04', '2025-05')" in sql


def test_legacy_partitions_match_either_month_spelling():
    at = AthenaTable("cur", "legacy", {"line_item_usage_start_date": "timestamp"}, {"year": "string", "month": "string"})
    sql = pushdown_sql(at, plan_columns(at, ["line_item_usage_start_date"]), datetime(2024, 12, 30), datetime(2025, 1, 2))
    assert "(\"year\" = '2024' AND \"month\" IN ('12'))" in sql
    assert "(\"year\" = '2025' AND \"month\" IN ('01', '1'))" in sql
    assert months(datetime(2024, 12, 30), datetime(2025, 1, 1)) == [(2024, 12)]


@pytest.mark.parametrize("url", ["athena://cur", "athena://.t", "athena://a.b;DROP", "athena://a b.c"])
def test_bad_athena_urls_are_input_errors(url):
    with pytest.raises(InputError, match="athena://DATABASE.TABLE"):
        parse_url(url)


def test_a_table_of_another_format_is_refused(tables):
    engine, _, _ = tables
    engine.tables["gcp"] = AthenaTable("cur", "gcp", {"billing_account_id": "string", "cost": "double",
                                                      "usage_start_time": "timestamp"}, {})
    with pytest.raises(InputError, match="AWS CUR"):
        open_sources(["athena://cur.gcp"], remote=lambda: engine)
