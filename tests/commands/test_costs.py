"""``costopt costs`` through click's CliRunner: output shapes, currencies, filters, errors."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from costopt.cli import cli
from tests.billing.builders import FOCUS_HEADER, focus_row, write_csv


def run(*args):
    runner = CliRunner()
    return runner.invoke(cli, ["costs", *args])


def stdout(result) -> str:
    return result.stdout if hasattr(result, "stdout") else result.output


@pytest.fixture
def focus_file(tmp_path):
    rows = [focus_row(10.0, effective=8.0, provider="AWS", resource="i-1", tags='{"team": "vision"}',
                      start="2024-09-01T00:00:00Z"),
            focus_row(5.0, provider="AWS", resource="i-2", service_category="Storage", tags='{"team": "search"}',
                      start="2024-09-02T00:00:00Z"),
            focus_row(2.5, provider="Microsoft", resource="vm-1", start="2024-09-08T00:00:00Z"),
            focus_row(-1.0, provider="AWS", resource="", category="Credit", start="2024-09-09T00:00:00Z")]
    return str(write_csv(tmp_path / "focus.csv", FOCUS_HEADER, rows))


def test_json_shape_exactly(focus_file):
    result = run("--source", focus_file, "--group-by", "provider", "--format", "json", "-q")
    assert result.exit_code == 0, result.output
    data = json.loads(stdout(result))
    assert data == {"currency": "USD", "cost": "effective", "group_by": ["provider"],
                    "rows": [{"provider": "AWS", "cost": 12.0}, {"provider": "Microsoft", "cost": 2.5}],
                    "total": 14.5}


def test_billed_cost_resource_and_category(focus_file):
    result = run("--source", focus_file, "--group-by", "resource,category", "--cost", "billed", "--format", "json",
                 "-q")
    data = json.loads(stdout(result))
    assert data["group_by"] == ["resource", "category"] and data["cost"] == "billed"
    assert {"resource": "i-1", "category": "Compute", "cost": 10.0} in data["rows"]
    assert {"resource": None, "category": "Compute", "cost": -1.0} in data["rows"]
    assert data["total"] == 16.5


def test_tag_key_and_week(focus_file):
    data = json.loads(stdout(run("--source", focus_file, "--group-by", "tag:team", "--format", "json", "-q")))
    assert {r["tag:team"]: r["cost"] for r in data["rows"]} == {"vision": 8.0, "search": 5.0, None: 1.5}
    weeks = json.loads(stdout(run("--source", focus_file, "--group-by", "week", "--format", "json", "-q")))
    assert {r["week"]: r["cost"] for r in weeks["rows"]} == {"2024-08-26": 8.0, "2024-09-02": 7.5, "2024-09-09": -1.0}  # ISO weeks start Monday


def test_since_until_are_days(focus_file):
    data = json.loads(stdout(run("--source", focus_file, "--since", "2024-09-02", "--until", "2024-09-08",
                                 "--format", "json", "-q")))
    assert data["total"] == 7.5  # 5.0 (Sep 2) + 2.5 (Sep 8, whole day included)


def test_mixed_currencies(tmp_path):
    path = str(write_csv(tmp_path / "m.csv", FOCUS_HEADER, [focus_row(1.0), focus_row(2.0, currency="EUR"),
                                                            focus_row(4.0, currency="EUR", resource="i-2")]))
    data = json.loads(stdout(run("--source", path, "--format", "json", "-q")))
    assert isinstance(data, list) and [(d["currency"], d["total"]) for d in data] == [("EUR", 6.0), ("USD", 1.0)]
    only = json.loads(stdout(run("--source", path, "--format", "json", "--currency", "usd", "-q")))
    assert only["currency"] == "USD" and only["total"] == 1.0
    table = stdout(run("--source", path, "-q"))
    assert "effective cost (EUR)" in table and "effective cost (USD)" in table and "7.00" not in table
    missing = run("--source", path, "--currency", "GBP")
    assert missing.exit_code == 2 and "no charges in GBP; the data has: EUR, USD" in missing.output
    rows = list(csv.reader(io.StringIO(stdout(run("--source", path, "--format", "csv", "-q")))))
    assert rows[0] == ["currency", "provider", "cost"] and {r[0] for r in rows[1:]} == {"EUR", "USD"}


def test_csv_is_safe_against_formula_injection(tmp_path):
    path = str(write_csv(tmp_path / "x.csv", FOCUS_HEADER, [focus_row(1.0, resource="=HYPERLINK(\"http://x\")"),
                                                            focus_row(2.0, resource="@SUM(A1)"),
                                                            focus_row(3.0, resource="-2+3"),
                                                            focus_row(4.0, resource="+1")]))
    out = stdout(run("--source", path, "--group-by", "resource", "--format", "csv", "-q"))
    cells = [r[1] for r in csv.reader(io.StringIO(out))][1:]
    assert sorted(cells) == sorted(["'=HYPERLINK(\"http://x\")", "'@SUM(A1)", "'-2+3", "'+1"])
    assert all(c.startswith("'") for c in cells)


def test_table_output_has_total(focus_file):
    out = stdout(run("--source", focus_file, "--group-by", "provider,charge", "-q"))
    assert "TOTAL" in out and "14.50" in out and "Credit" in out


def test_aws_and_azure_sources_together(tmp_path, focus_file):
    cur = write_csv(tmp_path / "cur.csv", ["lineItem/LineItemType", "lineItem/UsageStartDate", "lineItem/UnblendedCost",
                                           "lineItem/CurrencyCode", "product/ProductName", "lineItem/UsageType"],
                    [["Usage", "2024-09-01T00:00:00Z", 3.0, "USD", "Amazon Simple Storage Service",
                      "USE1-DataTransfer-Out-Bytes"]])
    data = json.loads(stdout(run("--source", focus_file, "--source", str(cur), "--group-by", "provider,category",
                                 "--format", "json", "-q")))
    assert data["total"] == 17.5 and {"provider": "AWS", "category": "Storage", "cost": 8.0} in data["rows"]


@pytest.mark.parametrize("args,needle", [
    (["--source", "/nonexistent/x.csv"], "/nonexistent/x.csv: no such file"),
    (["--source", "/nonexistent/*.csv"], "the pattern matches no files"),
    (["--group-by", "colour"], "unknown group-by key 'colour'"),
    (["--since", "yesterday"], "key '--since': unparsable date 'yesterday'"),
    (["--since", "2024-09-05", "--until", "2024-09-01"], "--since must be before --until"),
    (["--source-format", "azure"], "missing mandatory column(s) for azure"),
])
def test_errors_are_one_line_exit_2(focus_file, args, needle):
    if "--source" not in args:
        args = ["--source", focus_file, *args]
    result = run(*args, "-q")
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("costopt: error: ") and needle in lines[0]
    assert "Traceback" not in result.output


def test_bad_value_is_one_line_with_row(tmp_path):
    rows = [focus_row(1.0), focus_row(2.0)]
    rows[1][1] = "twelve"
    path = str(write_csv(tmp_path / "bad.csv", FOCUS_HEADER, rows))
    result = run("--source", path, "--format", "json", "-q")
    assert result.exit_code == 2
    assert result.output.strip() == f"costopt: error: {path}, row 2, column 'EffectiveCost': expected a number, got 'twelve'"


def test_unknown_format_exit_2(tmp_path):
    path = str(write_csv(tmp_path / "odd.csv", ["a", "b"], [[1, 2]]))
    result = run("--source", path)
    assert result.exit_code == 2 and "not a billing export (looked for: focus" in result.output


def test_help_mentions_source_format():
    result = CliRunner().invoke(cli, ["costs", "--help"])
    text = " ".join(result.output.split())
    assert result.exit_code == 0 and "--source-format" in text and "(--format sets the output format)" in text


def _independent_total(path, column, skip=("", "NULL")):
    import math

    with open(path, newline="", encoding="utf-8-sig") as fh:
        return math.fsum(float(r[column]) for r in csv.DictReader(fh) if r[column] not in skip)


@pytest.mark.parametrize("relative,column,cost", [
    ("focus/focus_sample.csv", "BilledCost", "billed"),
    ("focus/focus_sample.csv", "EffectiveCost", "effective"),
    ("aws_cur_legacy_csv/sample-anonymous-aws-export-dataset.csv", "lineItem/UnblendedCost", "billed"),
    ("azure_ea_export/EA_ActualCost_Small.csv", "Cost", "billed"),
    ("azure_ea_export/EA_AmortizedCost_Small.csv", "Cost", "effective"),
])
def test_costs_on_real_exports_equal_an_independent_sum(shared_data, relative, column, cost):
    import math

    path = shared_data / relative
    result = run("--source", str(path), "--group-by", "service,resource", "--cost", cost, "--format", "json", "-q")
    assert result.exit_code == 0, result.output
    data = json.loads(stdout(result))
    assert math.isclose(data["total"], _independent_total(path, column), rel_tol=1e-9, abs_tol=1e-9)
    shown = math.fsum(r["cost"] for r in data["rows"]) + data.get("omitted_cost", 0.0)
    assert math.isclose(shown, data["total"], rel_tol=1e-12, abs_tol=1e-9)
    assert all(abs(r["cost"]) >= 0.005 for r in data["rows"])  # rows that print as 0.00 are left out
    everything = json.loads(stdout(run("--source", str(path), "--group-by", "service,resource", "--cost", cost,
                                       "--format", "json", "-q", "--keep-zero")))
    assert len(everything["rows"]) == len(data["rows"]) + data.get("rows_omitted", 0)
    assert math.isclose(math.fsum(r["cost"] for r in everything["rows"]), data["total"], rel_tol=1e-12, abs_tol=1e-12)
