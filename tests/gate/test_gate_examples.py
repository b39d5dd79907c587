"""The CI examples: every costopt command in them uses real flags, and their gate step runs."""

from __future__ import annotations

import re
import shlex
import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from costopt.audit_io import audit_to_json
from costopt.cli import cli
from tests.gate.spend import make_audit

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def commands_in(path: Path) -> list[list[str]]:
    """Every `costopt ...` / `python -m costopt ...` command line in a CI file."""
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yml", ".yaml"):
        yaml = pytest.importorskip("yaml")
        lines = []

        def walk(node, key=""):
            if isinstance(node, dict):
                for k, value in node.items():
                    walk(value, str(k))
            elif isinstance(node, list):
                for value in node:
                    walk(value, key)
            elif isinstance(node, str) and key in ("run", "script"):  # the shell steps only
                lines.extend(node.splitlines())

        walk(yaml.safe_load(text))
    else:
        lines = re.findall(r"sh\s+'([^']*)'", text)
    out = []
    for line in lines:
        words = shlex.split(line, comments=True)
        if words[:3] == ["python", "-m", "costopt"]:
            out.append(words[3:])
        elif words[:1] == ["costopt"]:
            out.append(words[1:])
    return out


@pytest.mark.parametrize("name", ["github-actions/costopt-weekly.yml", "gitlab-ci.yml", "Jenkinsfile"])
def test_examples_run_a_weekly_audit_and_the_gate(name):
    commands = commands_in(EXAMPLES / name)
    assert [c[0] for c in commands] == ["audit", "gate"]
    for words in commands:
        command = cli.get_command(None, words[0])
        known = {opt for param in command.params for opt in param.opts}
        flags = {w for w in words[1:] if w.startswith("--")}
        assert flags <= known, f"{name}: unknown flags {flags - known} for costopt {words[0]}"
    assert "schedule" in (EXAMPLES / name).read_text() or "cron" in (EXAMPLES / name).read_text()


@pytest.mark.parametrize("name", ["github-actions/costopt-weekly.yml", "gitlab-ci.yml", "Jenkinsfile"])
def test_example_gate_step_runs(name, tmp_path, monkeypatch):
    [gate] = [c for c in commands_in(EXAMPLES / name) if c[0] == "gate"]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "costopt-report").mkdir()
    spend = make_audit(date(2026, 10, 19), date(2026, 11, 23), lambda d: 1000.0)
    (tmp_path / "costopt-report" / "audit.json").write_text(audit_to_json(spend))
    shutil.copy(EXAMPLES / "budgets.toml", tmp_path / "budgets.toml")
    result = CliRunner().invoke(cli, gate, env={"GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")})
    assert result.exit_code in (0, 1), result.output
    assert (tmp_path / "costopt-gate.xml").read_text().count("<testcase ") >= 10
    assert (tmp_path / "costopt-gate.md").is_file()
