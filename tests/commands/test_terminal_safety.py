"""No terminal output of costopt carries a raw control or bidi character that came from data."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

from click.testing import CliRunner

from costopt.cli import cli
from costopt.commands.audit import top_actions
from costopt.terminal import safe
from tests.gate.test_gate_cli import focus_csv
from tests.reports.sample_audit import make_audit, rec

HOSTILE = "evil\x1b[2J\x1b]0;pwned\x07\u202etxt.exe\nnext"
RAW = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")  # newline allowed between lines


def test_safe_shows_controls_escaped():
    assert safe("a\x1b[31mb\u202ec\nd") == "a\\x1b[31mb\\u202ec\\x0ad"
    assert safe("plain £ text") == "plain £ text"


def hostile_export(tmp_path):
    path = focus_csv(tmp_path / "focus.csv", start=date(2026, 10, 1))
    text = path.read_text().replace("Amazon SageMaker", json.dumps(HOSTILE)[1:-1].replace("\\u001b", "\x1b")
                                    .replace("\\u0007", "\x07").replace("\\u202e", "\u202e").replace("\\n", " "))
    path.write_text(text)
    return path


def test_costs_table_escapes_hostile_service_names(tmp_path):
    path = hostile_export(tmp_path)
    result = CliRunner().invoke(cli, ["costs", "--source", str(path), "--group-by", "service", "-q"])
    assert result.exit_code == 0, result.output
    assert "\\x1b[2J" in result.stdout and "\\u202e" in result.stdout
    assert not RAW.search(result.stdout)


def test_gate_table_escapes_hostile_scopes(tmp_path):
    path = hostile_export(tmp_path)
    budgets = tmp_path / "b.toml"
    budgets.write_text('[budgets.service."' + "evil\\u001b[2J" + '"]\nweek = 1\n')
    result = CliRunner().invoke(cli, ["gate", "--source", str(path), "--budgets", str(budgets), "-q",
                                      "--as-of", str(date(2026, 11, 4) + timedelta(days=1))])
    assert result.exit_code in (0, 1), result.output
    assert "service=evil\\x1b[2J" in result.stdout and not RAW.search(result.stdout)


def test_audit_top_actions_escape_resource_names():
    audit = make_audit(recs=[rec("idle.unattached_volume", "vol-1", "delete\x1b[31m", 50.0, name=HOSTILE)],
                       with_extras=False)
    lines = top_actions(audit)
    assert len(lines) == 2 and "\\x1b[2J" in lines[1] and "\\u202e" in lines[1]
    assert not any(RAW.search(line) for line in lines)


def test_costs_csv_and_json_carry_no_raw_control(tmp_path):
    path = hostile_export(tmp_path)
    text = path.read_text().replace("Compute Engine", "=HYPERLINK(\u202e\u009b31m)")
    path.write_text(text)
    for fmt in ("csv", "json"):
        result = CliRunner().invoke(cli, ["costs", "--source", str(path), "--group-by", "service", "-q", "--format", fmt])
        assert result.exit_code == 0, result.output
        assert not RAW.search(result.stdout.replace("\n", "")), fmt
        if fmt == "csv":
            assert "'=HYPERLINK(\\u202e\\x9b31m)" in result.stdout and "\\x1b[2J" in result.stdout
        else:
            names = {r["service"] for r in json.loads(result.stdout)["rows"]}
            assert "=HYPERLINK(\u202e\u009b31m)" in names  # same data, escaped in the text


def test_error_lines_show_data_escaped(tmp_path):
    missing = tmp_path / "no\x1b[2Jsuch\u202efile.csv"
    result = CliRunner().invoke(cli, ["costs", "--source", str(missing)])
    assert result.exit_code == 2, result.output
    assert "no\\x1b[2Jsuch\\u202efile.csv" in result.output
    assert not RAW.search(result.output) and result.output.count("\n") == 1


def test_progress_lines_show_file_names_from_a_glob_escaped(tmp_path):
    """A billing folder holds files other people named: the progress lines on stderr name them."""
    folder = tmp_path / "bills"
    folder.mkdir()
    focus_csv(tmp_path / "x.csv", start=date(2026, 10, 1)).rename(folder / "evil\x1b[2J\u202e.csv")
    pattern = str(folder / "*.csv")
    for args in (["costs", "--source", pattern], ["audit", "--source", pattern, "--no-history", "--out", str(tmp_path / "o")],
                 ["gate", "--source", pattern, "--budget", "1"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code in (0, 1), result.output
        assert "evil\\x1b[2J\\u202e.csv" in result.stderr, result.stderr
        assert not RAW.search(result.stderr) and not RAW.search(result.stdout), args[0]
