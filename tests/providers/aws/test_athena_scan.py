"""What an athena:// query scans: the default window prunes partitions; the bytes and their cost are shown.

- ``costs --source athena://...`` without ``--since/--until`` is read over the config's lookback:
  the SQL moto's Athena receives is run on DuckDB over the same Hive-partitioned Parquet, whose
  query profile shows only the window's billing periods read, and the figures equal the local
  files' breakdown over the same window;
- moto's Athena reports 0 bytes scanned, so the bytes come from botocore's Stubber answering
  GetQueryExecution with a whole QueryExecution (every Statistics field of botocore's athena
  service model; the Stubber validates it against that model). Athena bills $5.00 per TB
  scanned, 10 MB minimum per query: https://aws.amazon.com/athena/pricing/ ("$5.00 per TB of
  data scanned", "rounded up to the nearest megabyte, with a 10 MB minimum per query").
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from botocore.stub import ANY, Stubber
from click.testing import CliRunner

from costopt.billing.athena_sql import months
from costopt.cli import cli
from costopt.collect import collect
from costopt.commands.costs import CostsRequest, costs_text
from costopt.config import Settings
from costopt.pipeline import AuditRequest
from costopt.progress import QUIET
from costopt.providers.aws.athena import Athena, AthenaOptions
from tests.billing.athena_data import duckdb_athena, run_as_athena
from tests.billing.test_athena_sql import DuckDbAthena, _files_scanned
from tests.providers.aws.test_athena import REGION, data, moto_athena  # noqa: F401  (fixtures)

SCANNED = 48_318_382_080  # 48.3 GB: a year of hourly CUR 2.0 Parquet, the columns costopt reads
USD = SCANNED / 1e12 * 5.00
WINDOW_RE = re.compile(r"TIMESTAMP '([0-9: -]+)'")


def _cli(*args):
    result = CliRunner().invoke(cli, ["costs", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_costs_without_since_until_prunes_to_the_lookback(moto_athena, data, tmp_path):  # noqa: F811
    _, flat, folder = data
    config = tmp_path / "costopt.toml"
    config.write_text('lookback = "400d"\n[providers.aws]\nathena_output = "s3://athena-results/costopt/"\n')
    before = datetime.now(UTC).replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    remote = json.loads(_cli("--source", "athena://cur.cur2", "--config", str(config), "--group-by", "service,day",
                             "--format", "json", "--quiet"))
    after = datetime.now(UTC).replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    sql = moto_athena[-1]
    start, end = (datetime.fromisoformat(t) for t in WINDOW_RE.findall(sql))
    assert before <= end <= after and end - start == timedelta(days=400)
    periods = [f"{y:04d}-{m:02d}" for y, m in months(start, end)]
    assert f'"billing_period" IN ({", ".join(repr(p) for p in periods)})' in sql
    # on DuckDB over the same partitioned files, only the window's months of the 2025 table are read
    in_table = [p for p in periods if p.startswith("2025-")]
    assert 0 < len(in_table) < 12
    assert _files_scanned(duckdb_athena({"cur2": folder}), sql) == len(in_table)
    [scan] = remote["athena"]
    assert scan["default_window"] is True and scan["billing_periods"] == periods
    assert (scan["since"], scan["until"]) == (start.isoformat(), end.isoformat())
    local = json.loads(_cli("--source", str(flat), "--since", start.isoformat(), "--until", end.isoformat(),
                            "--group-by", "service,day", "--format", "json", "--quiet"))
    assert remote["total"] == pytest.approx(local["total"], rel=1e-12) and local["total"] > 0
    # the table output says which window was read, and why
    table = _cli("--source", "athena://cur.cur2", "--config", str(config), "--quiet")
    assert f"for charges from {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC ({len(periods)} billing period(s)" \
        in table
    assert "no --since/--until: athena:// sources are read over the last 400d" in table


def _query_execution(qid: str, sql: str) -> dict:
    """GetQueryExecution of a finished query, every field as Athena returns it (botocore's athena model)."""
    return {"QueryExecution": {
        "QueryExecutionId": qid, "Query": sql, "StatementType": "DML", "SubstatementType": "SELECT",
        "ResultConfiguration": {"OutputLocation": f"s3://athena-results/costopt/{qid}.csv"},
        "ResultReuseConfiguration": {"ResultReuseByAgeConfiguration": {"Enabled": False}},
        "QueryExecutionContext": {"Database": "cur", "Catalog": "awsdatacatalog"},
        "Status": {"State": "SUCCEEDED", "SubmissionDateTime": datetime(2025, 5, 5, 9, 0, 1, tzinfo=UTC),
                   "CompletionDateTime": datetime(2025, 5, 5, 9, 0, 4, tzinfo=UTC)},
        "Statistics": {"EngineExecutionTimeInMillis": 2841, "DataScannedInBytes": SCANNED,
                       "TotalExecutionTimeInMillis": 3102, "QueryQueueTimeInMillis": 97,
                       "ServicePreProcessingTimeInMillis": 61, "QueryPlanningTimeInMillis": 812,
                       "ServiceProcessingTimeInMillis": 42, "ResultReuseInformation": {"ReusedPreviousResult": False}},
        "WorkGroup": "primary",
        "EngineVersion": {"SelectedEngineVersion": "AUTO", "EffectiveEngineVersion": "Athena engine version 3"}}}


def _stubbed_athena(table, con, sql: str) -> tuple[Athena, list[Stubber]]:
    """The real Athena class over stubbed Glue and Athena clients answering ``sql`` with DuckDB's rows."""
    glue = boto3.client("glue", region_name=REGION, aws_access_key_id="k", aws_secret_access_key="s")
    athena = boto3.client("athena", region_name=REGION, aws_access_key_id="k", aws_secret_access_key="s")
    glue_stub, athena_stub = Stubber(glue), Stubber(athena)
    glue_stub.add_response("get_table", {"Table": {
        "Name": table.name, "DatabaseName": "cur", "TableType": "EXTERNAL_TABLE",
        "StorageDescriptor": {"Columns": [{"Name": k, "Type": v} for k, v in table.columns.items()],
                              "Location": "s3://cur-bucket/cur2/"},
        "PartitionKeys": [{"Name": k, "Type": v} for k, v in table.partitions.items()]}},
        {"DatabaseName": "cur", "Name": table.name})
    qid = "3f1c0a2e-5b8d-4c61-9e0a-7d2b1f4a6c93"
    athena_stub.add_response("start_query_execution", {"QueryExecutionId": qid},
                             {"QueryString": sql, "QueryExecutionContext": {"Database": "cur"},
                              "ResultConfiguration": {"OutputLocation": ANY}})
    athena_stub.add_response("get_query_execution", _query_execution(qid, sql), {"QueryExecutionId": qid})
    names, rows = run_as_athena(con, sql)
    assert len(rows) < 1000  # one page
    athena_stub.add_response("get_query_results", {"ResultSet": {
        "Rows": [{"Data": [{"VarCharValue": n} for n in names]}]
        + [{"Data": [{} if v is None else {"VarCharValue": v} for v in row]} for row in rows],
        "ResultSetMetadata": {"ColumnInfo": [{"Name": n, "Label": n, "Type": "varchar", "CatalogName": "hive",
                                              "SchemaName": "", "TableName": ""} for n in names]}}},
        {"QueryExecutionId": qid, "MaxResults": 1000})
    client = Athena(AthenaOptions(output_location="s3://athena-results/costopt/"), athena=athena, glue=glue)
    return client, [glue_stub, athena_stub]


NOW = datetime(2025, 5, 5, 9, 30)


@pytest.fixture
def stubbed(data):  # noqa: F811
    """(the pushdown SQL for the 14-day default window at NOW, the stubbed client factory, DuckDB's own costs)."""
    table, _, folder = data
    con = duckdb_athena({table.name: folder})
    engine = DuckDbAthena(con, {table.name: table})
    request = CostsRequest((f"athena://cur.{table.name}",), None, ["service"], "effective", fmt="json", now=NOW,
                           lookback=timedelta(days=14))
    expected = json.loads(costs_text(request, QUIET, lambda: engine))
    return request, engine.sql[-1], lambda: _stubbed_athena(table, con, engine.sql[-1]), expected


def test_costs_output_shows_the_bytes_athena_scanned_and_their_cost(stubbed):
    request, sql, make, expected = stubbed
    assert "\"billing_period\" IN ('2025-04', '2025-05')" in sql
    client, stubs = make()
    with stubs[0], stubs[1]:
        text = costs_text(CostsRequest(**{**request.__dict__, "fmt": "table"}), QUIET, lambda: client)
    for stub in stubs:
        stub.assert_no_pending_responses()
    assert f"{SCANNED:,} bytes scanned (~${USD:.4f} at $5.00/TB, 10 MB minimum)" in text
    assert "$0.2416" in text  # 48.318 GB x $5 per TB
    assert "for charges from 2025-04-22 00:00 to 2025-05-06 00:00 UTC (2 billing period(s): 2025-04, 2025-05)" in text
    assert f"{expected['total']:,.2f}" in text
    client, stubs = make()
    with stubs[0], stubs[1]:
        out = json.loads(costs_text(request, QUIET, lambda: client))
    [scan] = out["athena"]
    assert scan["bytes_scanned"] == SCANNED and scan["cost_usd"] == pytest.approx(USD)
    assert out["total"] == pytest.approx(expected["total"], rel=1e-12)


def test_audit_coverage_shows_the_window_the_bytes_and_their_cost(data):  # noqa: F811
    table, _, folder = data
    con = duckdb_athena({table.name: folder})
    engine = DuckDbAthena(con, {table.name: table})
    request = AuditRequest(sources=("athena://cur.cur2",), now=NOW.replace(tzinfo=UTC), remote=lambda: engine)
    settings = Settings(lookback=timedelta(days=14))
    collect(request, settings, QUIET)  # the SQL the audit sends, answered by DuckDB below
    client, stubs = _stubbed_athena(table, con, engine.sql[-1])
    with stubs[0], stubs[1]:
        snapshot = collect(AuditRequest(**{**request.__dict__, "remote": lambda: client}), settings, QUIET)
    entry = next(c for c in snapshot.coverage if c.scope == "athena://cur.cur2")
    assert entry.status == "ok"
    assert f"{SCANNED:,} bytes scanned (~${USD:.4f} at $5.00/TB" in entry.detail
    assert "from 2025-04-21 09:00 to 2025-05-05 09:00 UTC (2 billing period(s): 2025-04, 2025-05)" in entry.detail
