"""athena:// sources against moto's Athena and Glue (and botocore's Stubber for what moto lacks).

moto never runs a query: its Athena answers with seeded results. Here the seed is computed
the honest way, by running the SQL moto received on DuckDB over the same rows (Hive-partitioned
Parquet standing in for the Glue table), so ``costopt costs/audit --source athena://...`` are
checked end to end against the breakdown of the same rows read as local files. moto reports
no bytes scanned and no failed, paged or queued query: those come from the Stubber.
"""

from __future__ import annotations

import json
from datetime import datetime

import boto3
import pyarrow.parquet as pq
import pytest
from botocore.stub import Stubber
from click.testing import CliRunner

from costopt.cli import cli
from costopt.providers.aws.athena import Athena, AthenaOptions, AthenaQueryFailed, cost_text
from tests.billing.athena_data import arrow, cur_rows, duckdb_athena, run_as_athena, write_partitioned

REGION = "us-east-1"


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp("athena-moto")
    rows = cur_rows()
    table = write_partitioned(rows, root / "cur2", "billing_period", "line_item_usage_start_date")
    flat = root / "cur2.parquet"
    pq.write_table(arrow(rows), flat)
    return table, flat, root / "cur2"


@pytest.fixture
def moto_athena(data, monkeypatch):
    """moto with the Glue table, and an Athena that answers each query with DuckDB's result for its SQL."""
    from moto import mock_aws
    from moto.athena.models import AthenaBackend, QueryResults

    table, _, folder = data
    con = duckdb_athena({"cur2": folder})
    received: list[str] = []
    original = AthenaBackend.start_query_execution

    def start(self, query, context, config, workgroup, execution_parameters):
        exec_id = original(self, query, context, config, workgroup, execution_parameters)
        received.append(query)
        names, rows = run_as_athena(con, query)
        header = {"Data": [{"VarCharValue": n} for n in names]}
        data_rows = [{"Data": [{} if v is None else {"VarCharValue": v} for v in row]} for row in rows]
        info = [{"Name": n, "Label": n, "Type": "varchar"} for n in names]
        self.query_results[exec_id] = QueryResults([header, *data_rows], info)
        return exec_id

    monkeypatch.setattr(AthenaBackend, "start_query_execution", start)
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": REGION, "AWS_CONFIG_FILE": "/dev/null",
                       "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        glue = boto3.client("glue", region_name=REGION)
        glue.create_database(DatabaseInput={"Name": "cur"})
        glue.create_table(DatabaseName="cur", TableInput={
            "Name": "cur2",
            "StorageDescriptor": {"Columns": [{"Name": k, "Type": v} for k, v in table.columns.items()],
                                  "Location": "s3://cur-bucket/cur2/"},
            "PartitionKeys": [{"Name": k, "Type": v} for k, v in table.partitions.items()]})
        boto3.client("s3", region_name=REGION).create_bucket(Bucket="athena-results")
        boto3.client("athena", region_name=REGION).create_work_group(Name="finops")
        yield received


def _costs(*args):
    result = CliRunner().invoke(cli, ["costs", *args, "--format", "json", "--quiet"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_costs_from_athena_equal_costs_from_the_files(moto_athena, data):
    _, flat, _ = data
    window = ["--since", "2025-03-10", "--until", "2025-05-04", "--group-by", "account,service,day"]
    remote = _costs("--source", "athena://cur.cur2", "--athena-output", "s3://athena-results/costopt/",
                    "--athena-workgroup", "primary", *window)
    local = _costs("--source", str(flat), *window)
    assert remote["total"] == pytest.approx(local["total"], rel=1e-12)
    assert [(r["account"], r["service"], r["day"]) for r in remote["rows"]] == \
        [(r["account"], r["service"], r["day"]) for r in local["rows"]]
    assert [r["cost"] for r in remote["rows"]] == pytest.approx([r["cost"] for r in local["rows"]], rel=1e-9)
    sql = moto_athena[-1]
    assert "\"billing_period\" IN ('2025-03', '2025-04', '2025-05')" in sql


def test_workgroup_and_output_location_come_from_config(moto_athena, data, tmp_path):
    from moto.athena.models import athena_backends

    config = tmp_path / "costopt.toml"
    config.write_text('[providers.aws]\nathena_workgroup = "finops"\nathena_output = "s3://athena-results/from-config/"\n'
                      'athena_region = "us-east-1"\n')
    _costs("--source", "athena://cur.cur2", "--config", str(config), "--since", "2025-04-01", "--until", "2025-04-02")
    executions = list(athena_backends["123456789012"][REGION].executions.values())
    assert executions[-1].config["OutputLocation"].startswith("s3://athena-results/from-config/")
    assert executions[-1].workgroup.name == "finops"
    assert "\"billing_period\" IN ('2025-04')" in executions[-1].query
    # the command line wins over the config
    _costs("--source", "athena://cur.cur2", "--config", str(config), "--athena-output", "s3://athena-results/cli/",
           "--since", "2025-04-01", "--until", "2025-04-02")
    executions = list(athena_backends["123456789012"][REGION].executions.values())
    assert executions[-1].config["OutputLocation"].startswith("s3://athena-results/cli/")


def test_audit_from_athena_reads_the_lookback_and_reports_the_scan(moto_athena, data, tmp_path):
    out = tmp_path / "report"
    result = CliRunner().invoke(cli, ["audit", "--source", "athena://cur.cur2", "--as-of", "2025-05-05",
                                      "--lookback", "14d", "--no-history", "-o", str(out), "--format", "json",
                                      "--athena-output", "s3://athena-results/costopt/", "--quiet"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = json.loads((out / "audit.json").read_text())
    entry = next(c for c in report["coverage"] if c["scope"] == "athena://cur.cur2")
    assert entry["status"] == "ok" and "bytes scanned" in entry["detail"] and "aggregated rows" in entry["detail"]
    start, end = datetime(2025, 4, 21), datetime(2025, 5, 5)
    expected = sum(r["line_item_unblended_cost"] for r in cur_rows() if start <= r["line_item_usage_start_date"] < end
                   and not r["savings_plan_savings_plan_effective_cost"])
    expected += sum(r["savings_plan_savings_plan_effective_cost"] for r in cur_rows()
                    if start <= r["line_item_usage_start_date"] < end and r["savings_plan_savings_plan_effective_cost"])
    assert report["spend"]["total"] == pytest.approx(expected, rel=1e-9)
    assert "\"billing_period\" IN ('2025-04', '2025-05')" in moto_athena[-1]


def test_ctrl_c_while_the_query_runs_stops_it(moto_athena):
    from moto.athena.models import athena_backends
    from moto.moto_api import state_manager

    state_manager.set_transition(model_name="athena::execution", transition={"progression": "manual", "times": 99})
    sleeps = []

    def interrupt(seconds):
        sleeps.append(seconds)
        if len(sleeps) == 3:
            raise KeyboardInterrupt

    try:
        athena = Athena(AthenaOptions(output_location="s3://athena-results/x/"),
                        athena=boto3.client("athena", region_name=REGION),
                        glue=boto3.client("glue", region_name=REGION), sleep=interrupt)
        with pytest.raises(KeyboardInterrupt):
            athena.query("SELECT 1", "cur")
    finally:
        state_manager.unset_transition("athena::execution")
    executions = list(athena_backends["123456789012"][REGION].executions.values())
    assert [e.status for e in executions] == ["CANCELLED"]
    assert sleeps == [0.25, 0.5, 1.0]  # polled with back-off while it ran


def _stubbed():
    client = boto3.client("athena", region_name=REGION, aws_access_key_id="k", aws_secret_access_key="s")
    return client, Stubber(client)


def _execution(state, scanned=0, reason=None):
    status = {"State": state}
    if reason:
        status["StateChangeReason"] = reason
    return {"QueryExecution": {"QueryExecutionId": "q-1", "Status": status,
                               "Statistics": {"DataScannedInBytes": scanned}}}


def _page(rows, token=None, header=False):
    names = ["a", "b"]
    data = ([{"Data": [{"VarCharValue": n} for n in names]}] if header else []) + \
        [{"Data": [{} if v is None else {"VarCharValue": v} for v in r]} for r in rows]
    page = {"ResultSet": {"Rows": data, "ResultSetMetadata": {"ColumnInfo": [
        {"Name": n, "Type": "varchar"} for n in names]}}}
    if token:
        page["NextToken"] = token
    return page


def test_queued_running_succeeded_and_paged_results():
    client, stub = _stubbed()
    stub.add_response("start_query_execution", {"QueryExecutionId": "q-1"},
                      {"QueryString": "SELECT a, b FROM t", "QueryExecutionContext": {"Database": "cur"},
                       "WorkGroup": "finops", "ResultConfiguration": {"OutputLocation": "s3://r/p/"}})
    for state in ("QUEUED", "RUNNING"):
        stub.add_response("get_query_execution", _execution(state), {"QueryExecutionId": "q-1"})
    stub.add_response("get_query_execution", _execution("SUCCEEDED", 3_500_000_000), {"QueryExecutionId": "q-1"})
    stub.add_response("get_query_results", _page([["1", None]], token="t2", header=True),
                      {"QueryExecutionId": "q-1", "MaxResults": 1000})
    stub.add_response("get_query_results", _page([["a", "b"], ["3", ""]]),
                      {"QueryExecutionId": "q-1", "MaxResults": 1000, "NextToken": "t2"})
    sleeps = []
    with stub:
        athena = Athena(AthenaOptions(workgroup="finops", output_location="s3://r/p/"), athena=client, glue=object(),
                        sleep=sleeps.append)
        result = athena.query("SELECT a, b FROM t", "cur")
    stub.assert_no_pending_responses()
    assert result.columns == ["a", "b"]
    # the header row is skipped on the first page only; NULL and '' stay apart
    assert result.rows == [["1", None], ["a", "b"], ["3", ""]]
    assert result.bytes_scanned == 3_500_000_000 and sleeps == [0.25, 0.5]
    assert result.cost == cost_text(3_500_000_000) and "~$0.0175" in result.cost  # 3.5 GB x $5/TB


def test_a_failed_query_names_athenas_reason():
    client, stub = _stubbed()
    stub.add_response("start_query_execution", {"QueryExecutionId": "q-1"})
    stub.add_response("get_query_execution", _execution("FAILED", reason="HIVE_BAD_DATA: malformed Parquet"))
    with stub, pytest.raises(AthenaQueryFailed, match="FAILED: HIVE_BAD_DATA: malformed Parquet"):
        Athena(AthenaOptions(), athena=client, glue=object(), sleep=lambda s: None).query("SELECT 1", "cur")


def test_no_output_location_is_one_line_with_the_fix():
    client, stub = _stubbed()
    stub.add_client_error("start_query_execution", "InvalidRequestException",
                          "No output location provided. An output location is required either through the Workgroup "
                          "result configuration setting or as an API input.")
    with stub, pytest.raises(Exception, match="--athena-output") as info:
        Athena(AthenaOptions(), athena=client, glue=object()).query("SELECT 1", "cur")
    assert info.value.exit_code == 2


def test_the_minimum_charge_is_10_mb():
    assert cost_text(0).split("(")[1] == cost_text(10_000_000).split("(")[1]
    assert "~$1.0000" in cost_text(200_000_000_000)  # 0.2 TB x $5
