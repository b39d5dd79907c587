"""The billing-export SQL on DuckDB over export-shaped rows (nested STRUCT / LIST columns)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import duckdb
import pyarrow as pa
import pytest

from costopt.billing.gcp_bigquery_sql import DUCKDB_COMPAT_MACROS, RESULT_COLUMNS, aggregate_sql, bigquery_table_ref, duckdb_export_ddl
from costopt.demo.fakes.gcp_seed import export_rows
from costopt.errors import InputError

from .conftest import NOW


def _con(rows, detailed=True):
    con = duckdb.connect()
    for macro in DUCKDB_COMPAT_MACROS:
        con.execute(macro)
    con.execute(duckdb_export_ddl("export", detailed=detailed))
    if not detailed:
        rows = [{k: v for k, v in r.items() if k != "resource"} for r in rows]
    con.register("seed", pa.Table.from_pylist(rows))
    con.execute("INSERT INTO export BY NAME SELECT * FROM seed")
    return con


def _run(con, sql):
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def test_detailed_table_aggregates_cost_and_credits_separately():
    rows = export_rows(NOW, days=7)
    start, end = datetime(2026, 11, 20), datetime(2026, 11, 27)
    out = _run(_con(rows), aggregate_sql("export", start, end, detailed=True))
    assert out and list(out[0]) == list(RESULT_COLUMNS)
    in_window = [r for r in rows if start <= r["usage_start_time"] < end]
    assert sum(r["cost"] for r in out) == pytest.approx(sum(r["cost"] for r in in_window))
    expected_credits = sum(c["amount"] for r in in_window for c in r["credits"])
    assert expected_credits < 0
    assert sum(r["credits"] for r in out) == pytest.approx(expected_credits)
    # one aggregated row per day x resource x SKU; labels come back as the export's JSON array
    a100 = [r for r in out if r["resource_name"] == "train-a100" and r["sku_description"].startswith("Nvidia")]
    assert len(a100) == 7 and all(r["cost"] == pytest.approx(24 * 2.933908, rel=1e-6) for r in a100)
    labels = json.loads(a100[0]["labels_json"])
    assert {"key": "costopt-workload", "value": "training"} in labels
    assert a100[0]["resource_global_name"].endswith("/instances/5100000000000001")


def test_window_bounds_are_half_open():
    rows = export_rows(NOW, days=10)
    day = datetime(2026, 11, 22)
    out = _run(_con(rows), aggregate_sql("export", day, day + timedelta(days=1), detailed=True))
    assert {r["usage_date"].isoformat() for r in out} == {"2026-11-22"}


def test_standard_table_has_no_resource_columns():
    rows = export_rows(NOW, days=3)
    out = _run(_con(rows, detailed=False), aggregate_sql("export", datetime(2026, 11, 1), datetime(2026, 12, 1),
                                                         detailed=False))
    assert out and all(r["resource_name"] is None and r["resource_global_name"] is None for r in out)
    assert sum(r["cost"] for r in out) == pytest.approx(sum(r["cost"] for r in rows))


def test_project_filter_and_validation():
    rows = export_rows(NOW, days=2)
    sql = aggregate_sql("export", datetime(2026, 11, 1), datetime(2026, 12, 1), detailed=True, projects=("other-proj",))
    assert _run(_con(rows), sql) == []
    with pytest.raises(InputError, match="project"):
        aggregate_sql("export", datetime(2026, 11, 1), datetime(2026, 12, 1), detailed=True, projects=("x'; DROP",))


@pytest.mark.parametrize("table", ["export", "p.d", "p.d.t; DROP TABLE x", "`p.d.t`", ""])
def test_bad_table_names_are_input_errors(table):
    with pytest.raises(InputError, match="bq-table"):
        bigquery_table_ref(table)


def test_bigquery_reference_is_backtick_quoted():
    assert bigquery_table_ref("my-proj.billing.gcp_billing_export_v1_0A") == "`my-proj.billing.gcp_billing_export_v1_0A`"
