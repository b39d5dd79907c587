"""A terminal session, for real: `python -m costopt` in a pseudo-terminal (stdlib pty) shows the
gate's FAIL in red, and no escape codes with NO_COLOR=1, with --no-color or through a pipe; after
an audit it shows the top actions (the audit's biggest savings, in order) and the file:// link
of the report."""

from __future__ import annotations

import csv
import json
import os
import pty
import re
import select
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from costopt.audit_io import audit_to_json
from tests.gate.spend import make_audit

ROOT = Path(__file__).resolve().parents[2]
ESCAPE = "\x1b["
RED_FAIL = re.compile(r"\x1b\[31m(?:\x1b\[1m)?FAIL")

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE")}
    env.update(PYTHONPATH=str(ROOT), TERM="xterm-256color", COLUMNS="120", **extra)
    return env


def in_a_terminal(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str]:
    """Run with stdin, stdout and stderr on a pseudo-terminal; everything it printed, and its exit code."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "costopt", *args], stdin=slave, stdout=slave, stderr=slave,
                            env=env, cwd=cwd, close_fds=True)
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 120)
        if not ready:
            proc.kill()
            raise AssertionError("no output for 120 s")
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return proc.wait(timeout=60), b"".join(chunks).decode("utf-8", "replace")


@pytest.fixture
def audit_file(tmp_path) -> Path:
    path = tmp_path / "audit.json"
    path.write_text(audit_to_json(make_audit(date(2026, 10, 19), date(2026, 11, 23), lambda d: 1000.0)))
    return path


def test_fail_is_red_on_a_terminal(audit_file, tmp_path):
    code, out = in_a_terminal(["gate", "--audit", str(audit_file), "--budget", "1"], environment(), tmp_path)
    assert code == 1
    assert RED_FAIL.search(out), out


@pytest.mark.parametrize("how", ["NO_COLOR=1", "--no-color"])
def test_no_colour_when_asked(audit_file, tmp_path, how):
    env = environment(NO_COLOR="1") if how == "NO_COLOR=1" else environment()
    flags = ["--no-color"] if how == "--no-color" else []
    code, out = in_a_terminal([*flags, "gate", "--audit", str(audit_file), "--budget", "1"], env, tmp_path)
    assert code == 1 and "FAIL" in out
    assert ESCAPE not in out


def test_no_colour_in_a_pipe(audit_file, tmp_path):
    done = subprocess.run([sys.executable, "-m", "costopt", "gate", "--audit", str(audit_file), "--budget", "1"],
                          capture_output=True, text=True, env=environment(), cwd=tmp_path)
    assert done.returncode == 1 and "FAIL" in done.stdout
    assert ESCAPE not in done.stdout + done.stderr


def hourly_compute(path: Path) -> Path:
    """Three weeks of steady hourly EC2 usage under two payers: two Savings Plan recommendations."""
    header = ["BilledCost", "EffectiveCost", "ListCost", "BillingCurrency", "ChargePeriodStart", "ChargePeriodEnd",
              "ChargeCategory", "ServiceName", "ServiceCategory", "ProviderName", "BillingAccountId", "SubAccountId",
              "RegionId", "ResourceId", "x_UsageType"]
    start = datetime(2026, 10, 1)
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for h in range(21 * 24):
            t = start + timedelta(hours=h)
            for payer, rid, cost, type_ in (("111111111111", "i-web", 1.536, "m5.2xlarge"),
                                            ("222222222222", "i-gpu", 3.06, "p3.2xlarge")):
                writer.writerow([cost, cost, cost, "USD", t.isoformat(), (t + timedelta(hours=1)).isoformat(),
                                 "Usage", "Amazon Elastic Compute Cloud", "Compute", "AWS", payer, payer, "us-east-1",
                                 rid, f"BoxUsage:{type_}"])
    return path


def test_an_audit_shows_the_top_actions_and_the_report_link(tmp_path):
    source = hourly_compute(tmp_path / "focus.csv")
    code, out = in_a_terminal(["audit", "--source", str(source), "--out", "out", "--no-history", "--quiet",
                               "--as-of", "2026-10-22"], environment(), tmp_path)
    assert code == 0, out
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out).replace("\r\n", "\n")
    saved = json.loads((tmp_path / "out" / "audit.json").read_text())
    expected = sorted((r for r in saved["recommendations"] if r["monthly_savings"] > 0),
                      key=lambda r: -r["monthly_savings"])[:5]
    assert len(expected) == 2
    lines = plain.splitlines()
    start = lines.index(f"top {len(expected)} actions:")
    for n, rec in enumerate(expected, 1):
        line = lines[start + n]
        assert line.lstrip().startswith(f"{n}. ${rec['monthly_savings']:,.0f}/month"), line
        assert rec["action"][:40] in line
    uri = (tmp_path / "out" / "report.html").resolve().as_uri()
    assert f"open the report: {uri}" in plain
    assert f"\x1b[1m{uri}" in out  # bold on a terminal
