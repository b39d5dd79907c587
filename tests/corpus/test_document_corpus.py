"""Every bad config file and every bad audit.json in the corpus is one line with exit 2 naming the
file and the line, key or JSON path, with no traceback and nothing written: config files through
`history list`, `gate` and `audit --source`; audits read back by `report`, `gate` and `history show`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from costopt import history
from costopt.audit_io import audit_from_dict
from costopt.cli import cli
from tests.billing.builders import FOCUS_HEADER, focus_row, write_csv
from tests.corpus.document_cases import AUDIT_CASES, BASE, CONFIG_CASES

SAVED = "audit-20261123T060000Z.json"


def refused(args: list[str]) -> str:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, (result.output, result.exception)
    assert "Traceback" not in result.output and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("costopt: error: "), result.stderr
    return lines[0]


def test_corpus_size():
    assert len(CONFIG_CASES) + 3 * len(AUDIT_CASES) >= 150


@pytest.fixture(scope="module")
def good_audit(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("good") / "audit.json"
    path.write_text(json.dumps(BASE), encoding="utf-8")
    return path


def _config(tmp_path: Path, case) -> Path:
    path = tmp_path / case.name
    path.write_bytes(case.text if isinstance(case.text, bytes) else case.text.encode("utf-8"))
    return path


@pytest.mark.parametrize("case", CONFIG_CASES, ids=[c.id for c in CONFIG_CASES])
def test_config_history_list(tmp_path, case):
    path = _config(tmp_path, case)
    line = refused(["history", "list", "--config", str(path), "--history", str(tmp_path / "h")])
    assert f"costopt: error: {path}" in line
    for fragment in case.expect:
        assert fragment in line, (fragment, line)
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


SAMPLE = CONFIG_CASES[::4]


@pytest.mark.parametrize("case", SAMPLE, ids=[c.id for c in SAMPLE])
def test_config_gate_and_audit_say_the_same(tmp_path, case, good_audit):
    path = _config(tmp_path, case)
    source = write_csv(tmp_path / "focus.csv", FOCUS_HEADER, [focus_row(1.0)])
    out = tmp_path / "out"
    gate = refused(["gate", "--config", str(path), "--audit", str(good_audit), "--budget", "1e9",
                    "--junit", str(tmp_path / "j.xml")])
    audit = refused(["audit", "--config", str(path), "--source", str(source), "-q", "--out", str(out),
                     "--history", str(tmp_path / "h")])
    assert gate == audit
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([path.name, "focus.csv"])


def test_the_base_audit_is_valid(good_audit):
    assert audit_from_dict(BASE).recommendations
    assert CliRunner().invoke(cli, ["report", str(good_audit), "--format", "md"]).exit_code == 0


def _expect(line: str, path: Path, case) -> None:
    assert f"costopt: error: {path}" in line, line
    for fragment in case.expect:
        assert fragment in line, (fragment, line)


@pytest.mark.parametrize("case", AUDIT_CASES, ids=[c.id for c in AUDIT_CASES])
def test_audit_json_report(tmp_path, case):
    path = tmp_path / "audit.json"
    path.write_text(case.make(), encoding="utf-8")
    _expect(refused(["report", str(path), "--format", "md", "-o", str(tmp_path / "r.md")]), path, case)
    assert [p.name for p in tmp_path.iterdir()] == ["audit.json"]


@pytest.mark.parametrize("case", AUDIT_CASES, ids=[c.id for c in AUDIT_CASES])
def test_audit_json_gate(tmp_path, case):
    path = tmp_path / "audit.json"
    path.write_text(case.make(), encoding="utf-8")
    _expect(refused(["gate", "--audit", str(path), "--budget", "1e9", "--junit", str(tmp_path / "j.xml"),
                     "--markdown", str(tmp_path / "m.md")]), path, case)
    assert [p.name for p in tmp_path.iterdir()] == ["audit.json"]


@pytest.mark.parametrize("case", AUDIT_CASES, ids=[c.id for c in AUDIT_CASES])
def test_audit_json_history_show(tmp_path, case):
    """A saved audit edited (or damaged) after its index entry was written."""
    scope = tmp_path / "hist" / "corpus"
    scope.mkdir(parents=True)
    row = history.summary(audit_from_dict(BASE), SAVED)
    (scope / history.INDEX).write_text(json.dumps({"version": 1, "entries": [row]}), encoding="utf-8")
    path = scope / SAVED
    path.write_text(case.make(), encoding="utf-8")
    before = sorted(p.name for p in scope.iterdir())
    line = refused(["history", "show", SAVED, "--history", str(tmp_path / "hist"), "--history-scope", "corpus"])
    _expect(line, path, case)
    assert sorted(p.name for p in scope.iterdir()) == before
