"""`costopt gate` through click's CliRunner: exit codes 0/1/2, --warn-only, and every output."""

from __future__ import annotations

import csv
import json
import textwrap
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from costopt.audit_io import audit_to_json
from costopt.cli import cli
from tests.gate.spend import make_audit

# 35 days at 100/day: month to date (Nov 1..22) 2,200, forecast 3,000, week 700, growth 0%.
START, END = date(2026, 10, 19), date(2026, 11, 23)


@pytest.fixture
def audit_file(tmp_path) -> Path:
    path = tmp_path / "audit.json"
    path.write_text(audit_to_json(make_audit(START, END, lambda d: 100.0)), encoding="utf-8")
    return path


def budgets_file(folder: Path, text: str) -> Path:
    """A budgets TOML file holding ``text``."""
    path = folder / "b.toml"
    path.write_text(text, encoding="utf-8")
    return path


def run(*args, env=None):
    result = CliRunner().invoke(cli, ["gate", *map(str, args)], env=env or {}, catch_exceptions=False)
    return result


def test_within_budget_exits_0(audit_file):
    result = run("--audit", audit_file, "--budget", "3500", "--max-growth", "10")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1].split() == ["scope", "period", "actual", "forecast", "warn", "fail", "status"]
    month = next(line for line in lines if line.startswith("total") and "month" in line)
    assert month.split() == ["total", "month", "$2,200.00", "$3,000.00", "—", "$3,500.00", "PASS"]
    growth = next(line for line in lines if "growth w/w" in line)
    assert "+0.0%" in growth and "+10.0%" in growth and growth.endswith("PASS")
    assert lines[-1].startswith("gate: PASS")


def test_breach_exits_1_and_warn_only_exits_0(audit_file):
    failed = run("--audit", audit_file, "--budget", "2,500")
    assert failed.exit_code == 1
    assert "FAIL total month: forecast to month end $3,000.00 exceeds the fail level $2,500.00" in failed.stdout
    soft = run("--audit", audit_file, "--budget", "2500", "--warn-only")
    assert soft.exit_code == 0
    assert "FAIL" in soft.stdout and "--warn-only" in soft.stdout.splitlines()[-1]


def test_budget_period_week_and_window(audit_file):
    assert run("--audit", audit_file, "--budget", "700", "--budget-period", "week").exit_code == 0
    assert run("--audit", audit_file, "--budget", "699", "--budget-period", "week").exit_code == 1
    assert run("--audit", audit_file, "--budget", "3499", "--budget-period", "window").exit_code == 1


def test_max_growth(tmp_path):
    path = tmp_path / "a.json"
    path.write_text(audit_to_json(make_audit(START, END, lambda d: 130.0 if d >= date(2026, 11, 16) else 100.0)))
    assert run("--audit", path, "--max-growth", "35").exit_code == 0
    result = run("--audit", path, "--max-growth", "25")
    assert result.exit_code == 1 and "+30.0%" in result.stdout


def test_warn_level_alone_exits_0(audit_file, tmp_path):
    result = run("--audit", audit_file, "--budgets", budgets_file(tmp_path, '[budgets.total]\nmonth = { warn = 2500, fail = 5000 }\n'))
    assert result.exit_code == 0 and "WARN" in result.stdout and "gate: WARN" in result.stdout


def test_budgets_from_config(audit_file, tmp_path):
    config = tmp_path / "costopt.toml"
    config.write_text(textwrap.dedent("""
        [budgets.provider.AWS]
        week = { warn = 100, fail = 400 }
        [budgets.tag."team=vision"]
        week = { fail = 1000 }
    """))
    result = run("--audit", audit_file, "--config", config, "--json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["status"] == "fail" and doc["exit_code"] == 1 and doc["as_of"] == "2026-11-23"
    assert [(c["scope"], c["status"], round(c["actual"], 2)) for c in doc["checks"]] == [
        ("provider=AWS", "fail", 490.0), ("team=vision", "pass", 350.0)]
    assert doc["counts"] == {"pass": 1, "warn": 0, "fail": 1, "skipped": 0}


def test_json_with_warn_only(audit_file):
    result = run("--audit", audit_file, "--budget", "1", "--json", "--warn-only")
    doc = json.loads(result.stdout)
    assert result.exit_code == 0 and doc["exit_code"] == 0 and doc["status"] == "fail" and doc["warn_only"]


def test_junit_markdown_and_step_summary(audit_file, tmp_path):
    summary = tmp_path / "step-summary.md"
    summary.write_text("# earlier step\n")
    junit, md = tmp_path / "out" / "gate.xml", tmp_path / "gate.md"
    result = run("--audit", audit_file, "--budget", "2500", "--max-growth", "10", "--junit", junit,
                 "--markdown", md, env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.exit_code == 1
    xml = junit.read_text()
    assert xml.count("<testcase ") == 2 and "BudgetExceeded" in xml and "costopt.slo" not in xml
    text = md.read_text()
    assert text.startswith("## costopt budget gate") and "| total | month | $2,200.00 | $3,000.00 |" in text
    appended = summary.read_text()
    assert appended.startswith("# earlier step\n") and text in appended


def test_no_step_summary_without_env(audit_file, tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    result = run("--audit", audit_file, "--budget", "1e9")
    assert result.exit_code == 0 and not list(tmp_path.glob("*.md"))


@pytest.mark.parametrize("args, words", [
    ((), "no budgets to check"),
    (("--budget", "lots"), "expected a number"),
    (("--budget", "-5"), "expected an amount >= 0"),
    (("--as-of", "yesterday", "--budget", "1"), "expected a date"),
    (("--budget-period", "year", "--budget", "1"), "year"),
])
def test_usage_errors_exit_2(audit_file, args, words):
    result = run("--audit", audit_file, *args)
    assert result.exit_code == 2
    assert words in result.output


def test_bad_budgets_file_exits_2_with_one_line(audit_file, tmp_path):
    budgets = tmp_path / "budgets.toml"
    budgets.write_text('[budgets.total]\nmonth = { fail = 10 }\n\n[budgets.provider.AWS]\nweek = { warn = "x" }\n')
    result = run("--audit", audit_file, "--budgets", budgets)
    assert result.exit_code == 2
    err = result.stderr.strip()
    assert "\n" not in err and "Traceback" not in result.output
    assert err.startswith("costopt: error: ") and str(budgets) in err
    assert "line 5" in err and "'budgets.provider.AWS.week.warn'" in err
    assert result.stdout == ""


@pytest.mark.parametrize("content, words", [(None, "audit file not found"), ("{not json", "not valid JSON"),
                                            ('{"schema_version": "9.0"}', "schema_version")])
def test_bad_audit_exits_2(tmp_path, content, words):
    path = tmp_path / "audit.json"
    if content is not None:
        path.write_text(content)
    result = run("--audit", path, "--budget", "1")
    assert result.exit_code == 2 and words in result.stderr and str(path) in result.stderr


def test_audit_and_audit_flags_conflict(audit_file):
    result = run("--audit", audit_file, "--demo", "--budget", "1")
    assert result.exit_code == 2 and "not both" in result.output


def test_currency_mismatch_exits_2(audit_file, tmp_path):
    result = run("--audit", audit_file, "--budgets", budgets_file(tmp_path, 'currency = "EUR"\n[total]\nweek = 1\n'))
    assert result.exit_code == 2 and "line 1" in result.stderr and "EUR" in result.stderr


def focus_csv(path: Path, days: int = 35, start: date = START) -> Path:
    fields = ["ProviderName", "BillingAccountId", "SubAccountId", "BillingCurrency", "ChargePeriodStart",
              "ChargePeriodEnd", "ChargeCategory", "ServiceName", "ServiceCategory", "BilledCost", "EffectiveCost",
              "ListCost", "ContractedCost", "Tags"]
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(fields)
        for i in range(days):
            d = start + timedelta(days=i)
            for provider, service, category, team, cost in [
                    ("AWS", "Amazon SageMaker", "AI and Machine Learning", "vision", 70.0),
                    ("GCP", "Compute Engine", "Compute", "search", 30.0)]:
                writer.writerow([provider, "123456789012", "123456789012", "USD", f"{d}T00:00:00Z",
                                 f"{d + timedelta(days=1)}T00:00:00Z", "Usage", service, category, cost, cost, cost,
                                 cost, json.dumps({"costopt:team": team})])
    return path


def test_runs_an_audit_from_billing_files(tmp_path):
    source = focus_csv(tmp_path / "focus.csv")
    budgets = budgets_file(tmp_path, '[budgets.tag."team=vision"]\nmonth = { warn = 1000, fail = 2000 }\n'
                                     '[budgets.provider.GCP]\nweek = { fail = 300 }\n')
    result = run("--source", source, "--budgets", budgets, "--json", "--quiet")
    assert result.exit_code == 1, result.output
    doc = json.loads(result.stdout)
    vision, gcp = doc["checks"]
    assert vision["actual"] == pytest.approx(22 * 70.0) and vision["forecast"] == pytest.approx(30 * 70.0)
    assert vision["status"] == "fail"
    assert gcp["actual"] == pytest.approx(210.0) and gcp["status"] == "pass"


def test_unwritable_outputs_exit_2(audit_file, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = run("--audit", audit_file, "--budget", "1e9", "--junit", blocker / "gate.xml")
    assert result.exit_code == 2 and "cannot write the output" in result.stderr and "Traceback" not in result.output
    result = run("--audit", audit_file, "--budget", "1e9", env={"GITHUB_STEP_SUMMARY": str(tmp_path / "no" / "dir.md")})
    assert result.exit_code == 2 and str(tmp_path / "no" / "dir.md") in result.stderr


def test_as_of_after_the_data_says_so(audit_file):
    result = run("--audit", audit_file, "--budget", "1e9", "--as-of", "2026-11-26")
    assert result.exit_code == 0
    note = "no billing data after 2026-11-22: the days up to 2026-11-26 count as 0"
    assert note in result.stderr
    assert note in json.loads(run("--audit", audit_file, "--budget", "1e9", "--as-of", "2026-11-26", "--json").stdout)[
        "checks"][0]["message"]
