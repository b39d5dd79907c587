"""Hostile strings from data (resource names, tag values, account names, actions) are inert in
every writer: Markdown, CSV, JSON, JUnit, HTML, the gate's summary and the terminal.

Each output is checked with an independent reader: the csv module, json, lxml and xml.etree,
a fence-balance scan for Markdown, and a scan for raw control/bidi characters.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace

import lxml.etree
import pytest
from click.testing import CliRunner

from costopt import history
from costopt.audit_io import audit_to_json
from costopt.cli import cli
from costopt.gate.output import markdown as gate_markdown
from costopt.gate.output import table as gate_table
from costopt.history_store import open_store
from costopt.reports import render
from costopt.reports.junit import render as junit
from costopt.sanitize.csv_cells import FORMULA_TRIGGERS, safe_cell
from costopt.sanitize.xml_text import xml_text
from costopt.sections import CheckResult
from tests.reports.sample_audit import make_audit, rec

HOSTILE = [
    "=cmd|' /C calc'!A0", "\r=1+1", "\n@SUM(1)", "\t=2", "-2+3", "+1", "@org/team ping", "```\nrm -rf /\n```",
    "a|b|c", "[click](javascript:alert(1))", "<img src=x onerror=alert(1)>", "x\x1b[2J\x1b]0;title\x07y",
    "evil\u202etxt.exe", "nul\x00byte", "cdata]]>end", "csi\u009b31mred", "line\u2028sep", "**bold** _it_ #h ~s~",
]
# raw characters no output may carry (LF, CR and tab are structure in CSV/Markdown/JSON)
RAW = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
MENTION = re.compile(r"(?<![\w`])@[A-Za-z0-9][\w-]*")


def hostile_audit():
    recs = [rec("idle.instance", f"i-{n}", f"stop {text}", 100.0 + n, name=text, team=text, account=text,
                apply=f"aws ec2 stop-instances --instance-ids 'i-{n}' # {text}",
                reasons=(text,), slo="breach" if n % 2 else "unknown", rationale=text)
            for n, text in enumerate(HOSTILE)]
    budgets = tuple(CheckResult(f"b{n}", f"team={text}", "tag", "week", "fail", "USD", 5.0, None, None, 1.0,
                                f"spend of {text} exceeds") for n, text in enumerate(HOSTILE))
    return replace(make_audit(recs=recs), budgets=budgets)


@pytest.fixture(scope="module")
def audit():
    return hostile_audit()


def _fences_balance(text: str) -> bool:
    """Every fenced block we open is closed by a fence of the same length (GitHub's rule)."""
    open_fence = None
    for line in text.split("\n"):
        m = re.match(r"\s*(`{3,})", line)
        if not m:
            continue
        if open_fence is None:
            open_fence = m.group(1)
        elif m.group(1) == open_fence and line.strip() == open_fence:
            open_fence = None
    return open_fence is None


def test_markdown_report(audit):
    text = render(audit, "md")
    assert not RAW.search(text)
    assert not MENTION.search(text), MENTION.findall(text)
    assert "&\\#" not in text and "\\&" not in text  # no double escaping (old: &\#64;)
    assert _fences_balance(text)
    prose = re.sub(r"(?ms)^\s*(`{3,})$.*?^\s*\1$", "", text)  # code blocks are literal on GitHub
    assert "<img" not in prose and not re.search(r"(?<!\\)\]\(javascript", prose)  # escaped: \[click\](...)
    table_rows = [line for line in text.split("\n") if re.match(r"\| \d+ \| ", line)]  # the recommendations
    assert len(table_rows) == len(HOSTILE) and all(line.count(" | ") == table_rows[0].count(" | ") for line in table_rows)


def test_gate_markdown_and_table(audit):
    text = gate_markdown(audit.budgets, currency="USD", as_of="2026-11-23")
    assert not RAW.search(text) and not MENTION.search(text) and "&\\#" not in text and "<img" not in text
    rows = [line for line in text.split("\n") if line.startswith("| team=")]
    assert len(rows) == len(HOSTILE) and len({line.count(" | ") for line in rows}) == 1
    assert "$5.00" in text  # the reports' money formatter
    shown = gate_table(audit.budgets, currency="USD")
    assert not RAW.search(shown) and "\\x1b[2J" in shown and "\\u202e" in shown


def test_csv_report(audit):
    text = render(audit, "csv")
    assert not RAW.search(text)
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == len(HOSTILE) + 1
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(FORMULA_TRIGGERS), cell
    names = {row[rows[0].index("resource_name")] for row in rows[1:]}
    assert "'=cmd|' /C calc'!A0" in names and "'\r=1+1" in names and "'\n@SUM(1)" in names
    assert safe_cell("\n=1") == "'\n=1" and safe_cell("a\x1bb") == "a\\x1bb"


def test_json_report_round_trips_and_shows_nothing_raw(audit):
    text = render(audit, "json")
    assert not RAW.search(text.replace("\n", ""))
    assert json.loads(text) == json.loads(audit_to_json(audit))  # same document, escaped differently
    assert {r["resource_name"] for r in json.loads(text)["recommendations"]} == set(HOSTILE)


@pytest.mark.parametrize("parse", [ET.fromstring, lambda t: lxml.etree.fromstring(t.encode())], ids=["etree", "lxml"])
def test_junit_parses(audit, parse):
    for text in (render(audit, "junit"), junit(audit, slo=False)):
        root = parse(text)
        names = [c.get("name") for c in root.iter("testcase")]
        assert len(names) >= len(HOSTILE)
        assert "]]>" not in text.replace("]]&gt;", "")  # nothing can end a CDATA section
        assert not RAW.search(text.replace("\n", "").replace("\t", ""))
    assert xml_text("a\x00b\ud800c\ufffe") == "a\\x00b\\ud800c\\ufffe"


def test_html_report_shows_controls_escaped(audit):
    text = render(audit, "html", plotlyjs="cdn")
    assert not RAW.search(text)
    assert "<img src=x" not in text and "\\x1b[2J" in text


@pytest.mark.parametrize("fmt", ["md", "csv", "json", "junit", "html"])
def test_report_and_history_show_to_stdout_carry_no_raw_control(audit, tmp_path, fmt):
    path = tmp_path / "audit.json"
    path.write_text(audit_to_json(audit))
    runner = CliRunner()
    args = ["report", str(path), "--format", fmt] + (["--plotlyjs", "cdn"] if fmt == "html" else [])
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert not RAW.search(result.stdout)
    if fmt in ("md", "csv", "json"):  # (history show html embeds plotly.js, which has its own bytes)
        history.record(audit, open_store(tmp_path / "h", "x"))
        shown = runner.invoke(cli, ["history", "show", "latest", "--history", str(tmp_path / "h"), "--format", fmt])
        assert shown.exit_code == 0, shown.output
        assert not RAW.search(shown.stdout)
