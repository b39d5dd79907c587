"""Every bad billing file in the corpus: `costs --source` (and, for a sample, `audit --source`)
exits 2 with exactly one line naming the file (and row and column, or line) and what was
expected, no traceback, and writes nothing; the same dialects without the fault read fine."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from costopt.cli import cli
from tests.corpus.billing_cases import DIALECTS, EXT, all_cases, rows_of, write_rows

CASES = all_cases()


def refused(args: list[str]) -> str:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, (result.output, result.exception)
    assert "Traceback" not in result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("costopt: error: "), result.stderr
    return lines[0]


def test_corpus_size():
    assert len(CASES) >= 150 and len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_costs_refuses_in_one_line(tmp_path: Path, case):
    path = case.make(tmp_path)
    out = tmp_path / "out.csv"
    line = refused(["costs", "--source", str(path), "-q", "--cost", "billed", "--format", "csv", "-o", str(out)])
    assert f"costopt: error: {path}" in line, line
    for fragment in case.expect:
        assert fragment in line, (fragment, line)
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no temp or partial file either


AUDITED = [c for c in CASES if c.audit_too]


@pytest.mark.parametrize("case", AUDITED, ids=[c.id for c in AUDITED])
def test_audit_source_shares_the_error_path(tmp_path: Path, case):
    path = case.make(tmp_path)
    out, hist = tmp_path / "out", tmp_path / "hist"
    costs = refused(["costs", "--source", str(path), "-q", "--cost", "billed"])
    audit = refused(["audit", "--source", str(path), "-q", "--out", str(out), "--history", str(hist)])
    assert audit == costs
    assert not out.exists() and not hist.exists()


@pytest.mark.parametrize("kind", ["csv", "parquet", "json"])
@pytest.mark.parametrize("dialect", DIALECTS, ids=[d.name for d in DIALECTS])
def test_the_same_files_without_the_fault_are_read(tmp_path: Path, dialect, kind):
    """The control: each fault above is the only thing wrong with its file."""
    path = write_rows(tmp_path / f"{dialect.name}.{EXT[kind]}", dialect, rows_of(dialect), kind)
    result = CliRunner().invoke(cli, ["costs", "--source", str(path), "-q", "--format", "json"])
    assert result.exit_code == 0, result.output
