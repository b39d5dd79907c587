"""`costopt audit` on billing files: reports written, config checked first, nothing half-written."""

import csv
import json
from datetime import datetime, timedelta

import pytest
from click.testing import CliRunner

from costopt.audit_io import load_audit
from costopt.cli import cli

HEADER = ["BilledCost", "EffectiveCost", "ListCost", "BillingCurrency", "ChargePeriodStart", "ChargePeriodEnd",
          "ChargeCategory", "ServiceName", "ServiceCategory", "ProviderName", "SubAccountId", "RegionId",
          "ResourceId", "SkuId", "Tags"]


def write_focus(path, days=21, bad_cost_row=None):
    start = datetime(2026, 10, 1)
    rows = []
    for h in range(days * 24):
        t = start + timedelta(hours=h)
        for rid, cost in (("i-web", 0.40), ("i-gpu", 3.06)):
            rows.append([cost, cost, cost, "USD", t.isoformat(), (t + timedelta(hours=1)).isoformat(), "Usage",
                         "Amazon Elastic Compute Cloud", "Compute", "AWS", "111122223333", "us-east-1", rid,
                         "BoxUsage", '{"costopt:team": "vision"}'])
    if bad_cost_row is not None:
        rows[bad_cost_row][0] = "twelve"
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        w.writerows(rows)
    return sum(r[1] for r in rows if isinstance(r[1], float))


def run(*args):
    return CliRunner().invoke(cli, ["audit", "--quiet", *args])


def test_audit_writes_html_json_md_and_spend_matches_the_file(tmp_path):
    src = tmp_path / "focus.csv"
    total = write_focus(src)
    out = tmp_path / "out"
    result = run("--source", str(src), "--out", str(out), "--no-history")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["audit.json", "report.html", "report.md"]
    audit = load_audit(out / "audit.json")
    assert audit.spend.total == pytest.approx(total)
    assert audit.window.days == pytest.approx(21)
    assert str(out.resolve()) in result.output


def test_format_option_chooses_the_reports(tmp_path):
    src = tmp_path / "focus.csv"
    write_focus(src, days=3)
    out = tmp_path / "out"
    result = run("--source", str(src), "--out", str(out), "--format", "csv,json", "--no-history")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["audit.json", "recommendations.csv"]


def test_bad_cost_is_exit_2_naming_row_and_column_and_writes_nothing(tmp_path):
    src = tmp_path / "focus.csv"
    write_focus(src, days=2, bad_cost_row=7)
    out = tmp_path / "out"
    result = run("--source", str(src), "--out", str(out), "--no-history")
    assert result.exit_code == 2
    assert "BilledCost" in result.output and "Traceback" not in result.output
    assert result.output.strip().count("\n") == 0
    assert not out.exists()


def test_bad_workload_config_fails_before_collection(tmp_path):
    cfg = tmp_path / "costopt.toml"
    cfg.write_text('[workloads.fraud]\nkind = "inference"\nlatency_p95_ms = "fast"\n')
    out = tmp_path / "out"
    result = run("--source", str(tmp_path / "missing.csv"), "--config", str(cfg), "--out", str(out))
    assert result.exit_code == 2
    assert "costopt.toml" in result.output and "line 3" in result.output
    assert not out.exists()


def test_budgets_in_config_are_judged_in_the_audit(tmp_path):
    src = tmp_path / "focus.csv"
    write_focus(src)
    cfg = tmp_path / "costopt.toml"
    cfg.write_text('[budgets.total]\nmonth = { fail = 10.0 }\n')
    out = tmp_path / "out"
    result = run("--source", str(src), "--config", str(cfg), "--out", str(out), "--format", "json", "--no-history")
    assert result.exit_code == 0, result.output
    data = json.loads((out / "audit.json").read_text())
    assert data["budgets"] and data["budgets"][0]["status"] == "fail"
