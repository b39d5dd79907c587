"""The composite Action (action.yml): its script steps run, in order and under their `if:`s, against
the demo: audit, gate (Markdown into the job summary, JUnit and Markdown next to the report),
the report folder handed to actions/upload-artifact, ONE pull-request comment on a local server
speaking GitHub's REST API, updated on the next run, and the job failing with the gate's code."""

from __future__ import annotations

import json
import os
import shutil
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml

from costopt.audit_io import audit_to_json
from costopt.ci.github_comment import MARKER
from tests.ci.actions_runner import run_action
from tests.ci.github_server import FakeGitHub, Server
from tests.gate.spend import make_audit
from tests.gate.test_gate_examples import parses

ROOT = Path(__file__).resolve().parents[2]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))


@pytest.fixture
def github():
    with Server(FakeGitHub()) as gh:
        yield gh


@pytest.fixture
def job(tmp_path, github):
    """A job's workspace and environment: `costopt` on PATH runs this checkout (the install step,
    which pip-installs github.action_path, is proven by tests/packaging on the same wheel)."""
    workspace, temp, bin_dir = tmp_path / "ws", tmp_path / "runner-temp", tmp_path / "bin"
    for d in (workspace, temp, bin_dir):
        d.mkdir()
    shim = bin_dir / "costopt"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m costopt "$@"\n')
    shim.chmod(0o755)
    shutil.copy(ROOT / "examples" / "budgets.toml", workspace / "budgets.toml")
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"number": 7, "pull_request": {"number": 7}}))
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env.update(PATH=f"{bin_dir}{os.pathsep}{env['PATH']}", PYTHONPATH=str(ROOT), GITHUB_API_URL=github.base_url,
               GITHUB_REPOSITORY=github.repository, GITHUB_EVENT_PATH=str(event), GITHUB_EVENT_NAME="pull_request",
               GITHUB_SERVER_URL="https://github.com", GITHUB_RUN_ID="99")
    context = {"action_path": str(ROOT), "event_name": "pull_request", "token": github.token,
               "repository": github.repository}

    def run(inputs, *, skip=("install",), event_name="pull_request"):
        return run_action(ACTION, inputs=inputs, github={**context, "event_name": event_name}, workspace=workspace,
                          temp=temp, env={**env, "GITHUB_EVENT_NAME": event_name}, skip=skip)

    run.workspace = workspace
    return run


def saved_audit(workspace: Path, daily=1000.0) -> None:
    (workspace / "costopt-report").mkdir(exist_ok=True)
    audit = make_audit(date(2026, 10, 19), date(2026, 11, 23), lambda d: daily)
    (workspace / "costopt-report" / "audit.json").write_text(audit_to_json(audit))


def ours(gh):
    return [c for c in gh.comments if c["body"].startswith(MARKER)]


@pytest.mark.slow
def test_the_action_runs_the_demo_and_keeps_one_pr_comment(job, github):
    run = job({"providers": "demo", "budgets": "budgets.toml"})
    audit, gate = run.steps["audit"], run.steps["gate"]
    assert audit.returncode == 0, audit.stderr
    report = job.workspace / "costopt-report"
    assert {"report.html", "audit.json", "report.md", "costopt-gate.xml", "costopt-gate.md"} <= \
        {p.name for p in report.iterdir()}
    assert gate.ran and gate.outputs["exit-code"] in ("0", "1"), gate.stderr
    gate_md = (report / "costopt-gate.md").read_text()
    assert gate_md.strip() and gate_md.strip() in (run.temp / "step-summary.md").read_text()
    [upload] = [s for s in run.steps.values() if s.uses.startswith("actions/upload-artifact@")]
    assert upload.with_["path"] == "costopt-report" and upload.with_["name"] == "costopt-report"
    [comment] = ours(github)
    first_body = comment["body"]
    assert gate_md.strip() in first_body
    fail = run.steps[[k for k, s in run.steps.items() if s.name == "Fail when a budget is breached"][0]]
    assert fail.ran == (gate.outputs["exit-code"] == "1")
    assert fail.returncode == int(gate.outputs["exit-code"])

    # the next push: the audit is saved already, the comment is edited, not added
    (report / "audit.json").unlink()
    saved_audit(job.workspace, daily=10.0)
    again = job({"providers": "demo", "budgets": "budgets.toml"}, skip=("install", "audit"))
    assert again.steps["gate"].outputs["exit-code"] == "0"
    [updated] = ours(github)
    new_md = (report / "costopt-gate.md").read_text().strip()
    assert updated["id"] == comment["id"] and new_md in updated["body"] and updated["body"] != first_body
    assert [m for m, _ in github.requests].count("POST") == 1


def test_a_scheduled_run_gates_without_commenting(job, github):
    saved_audit(job.workspace)
    run = job({"budgets": "budgets.toml"}, skip=("install", "audit"), event_name="schedule")
    assert run.steps["gate"].returncode == 0 and run.steps["gate"].outputs["exit-code"] in ("0", "1")
    comment = [s for s in run.steps.values() if s.name == "Comment on the pull request"][0]
    assert not comment.ran and github.requests == []


def test_comment_on_pr_false_posts_nothing(job, github):
    saved_audit(job.workspace)
    run = job({"budgets": "budgets.toml", "comment-on-pr": "false"}, skip=("install", "audit"))
    assert run.steps["gate"].ran and github.requests == []


def test_a_gate_input_error_stops_the_job_but_the_report_is_uploaded(job, github):
    saved_audit(job.workspace)
    run = job({}, skip=("install", "audit"))  # no budgets anywhere: exit 2
    gate = run.steps["gate"]
    assert gate.returncode == 2 and "no budgets to check" in gate.stderr
    assert run.steps[[k for k, s in run.steps.items() if s.uses.startswith("actions/upload-artifact@")][0]].uses
    assert github.requests == []
    assert not [s for s in run.steps.values() if s.name == "Fail when a budget is breached"][0].ran


def test_the_audit_and_gate_steps_build_real_command_lines_from_the_inputs(job, tmp_path):
    log = tmp_path / "argv"
    shim = tmp_path / "bin" / "costopt"
    shim.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{log}"\n')
    job({"providers": "aws,gcp", "config": "cfg dir/costopt.toml", "history": "s3://finops/costopt",
         "history-scope": "aws-org", "args": "--lookback 35d --regions us-east-1"},
        skip=("install", "gate"))
    assert log.read_text().splitlines() == [
        "audit", "--out", "costopt-report", "--format", "html,json,md", "--provider", "aws,gcp",
        "--config", "cfg dir/costopt.toml", "--history", "s3://finops/costopt", "--history-scope", "aws-org",
        "--lookback", "35d", "--regions", "us-east-1"]
    parses(log.read_text().splitlines())
    job({"providers": "", "args": "--source exports/cur.parquet"}, skip=("install", "gate"))
    assert log.read_text().splitlines() == ["audit", "--out", "costopt-report", "--format", "html,json,md",
                                            "--no-history", "--source", "exports/cur.parquet"]
    parses(log.read_text().splitlines())
    job({"config": "costopt.toml", "budgets": "b.toml", "gate-args": "--warn-only --format md",
         "comment-on-pr": "false"}, skip=("install", "audit"))
    assert log.read_text().splitlines() == [
        "gate", "--audit", "costopt-report/audit.json", "--junit", "costopt-report/costopt-gate.xml",
        "--markdown", "costopt-report/costopt-gate.md", "--config", "costopt.toml", "--budgets", "b.toml",
        "--warn-only", "--format", "md"]
    parses(log.read_text().splitlines())


def test_costopt_is_installed_from_the_actions_own_checkout():
    [install] = [s for s in ACTION["runs"]["steps"] if s.get("id") == "install"]
    assert 'pip" install --quiet --disable-pip-version-check "${{ github.action_path }}[$extras]"' in install["run"]
    assert "pip install costopt" not in (ROOT / "action.yml").read_text()
