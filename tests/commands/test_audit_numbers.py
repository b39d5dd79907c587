"""`costopt audit` end to end: a failing rule is loud, --as-of pins the figures, history is per scope,
and on the demo the report, the gate and the terminal agree."""

from __future__ import annotations

import json
import tempfile
from datetime import date

import pytest
from click.testing import CliRunner

from costopt.cli import cli
from costopt.rules.base import REGISTRY, rule
from tests.gate.test_gate_cli import focus_csv


@pytest.fixture
def broken_rule():
    @rule("testfam.explodes")
    def explodes(snapshot, catalog, params):
        """Always raises, to prove a failing rule is named and --strict-rules stops the run."""
        raise ZeroDivisionError("division by zero in the test rule")

    yield
    REGISTRY.pop("testfam.explodes", None)


def audit(tmp_path, *args):
    source = focus_csv(tmp_path / "focus.csv", start=date(2026, 10, 1))
    env = {"XDG_DATA_HOME": str(tmp_path / "xdg")}
    return CliRunner().invoke(cli, ["audit", "--source", str(source), "--quiet", "--as-of", "2026-11-05",
                                    "--out", str(tmp_path / "out"), *args], env=env)


def test_a_failing_rule_is_named_in_terminal_and_report(tmp_path, broken_rule):
    result = audit(tmp_path)
    assert result.exit_code == 0, result.output
    assert "warning: rule testfam.explodes failed: ZeroDivisionError: division by zero in the test rule" in result.stderr
    saved = json.loads((tmp_path / "out" / "audit.json").read_text())
    [entry] = [c for c in saved["coverage"] if c["scope"] == "rule testfam.explodes"]
    assert entry["status"] == "failed"
    assert "rule testfam.explodes failed: ZeroDivisionError" in (tmp_path / "out" / "report.md").read_text()


def test_strict_rules_exits_2_and_writes_nothing(tmp_path, broken_rule):
    result = audit(tmp_path, "--strict-rules")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "costopt: error: key '--strict-rules': 1 rule(s) failed (--strict-rules): rule testfam.explodes failed: "
        "ZeroDivisionError: division by zero in the test rule; nothing was written"]
    assert not (tmp_path / "out").exists() and not (tmp_path / "xdg").exists()


def test_unknown_format_writes_no_history(tmp_path):
    result = audit(tmp_path, "--format", "pdf")
    assert result.exit_code == 2 and "unknown report format 'pdf'" in result.stderr
    assert not (tmp_path / "xdg").exists()


def test_as_of_pins_the_window_and_the_history_scope_is_the_files(tmp_path):
    first = audit(tmp_path)
    assert first.exit_code == 0, first.output
    saved = json.loads((tmp_path / "out" / "audit.json").read_text())
    assert saved["run_at"] == "2026-11-05T00:00:00+00:00"
    # billing files only: the window is the data's own range, cut at --as-of
    assert saved["window"] == {"start": "2026-10-01T00:00:00+00:00", "end": "2026-11-05T00:00:00+00:00"}
    [scope] = [p.name for p in (tmp_path / "xdg" / "costopt" / "history").iterdir()]
    assert scope.startswith("files-focus.csv-")
    lines = first.stdout.splitlines()
    assert lines[1] == ("  lookback 2026-10-01 to 2026-11-04 (35 days); billing data 2026-10-01 to 2026-11-04 "
                        "(35 days): $3,500")
    assert lines[2] == "  last 7 days (2026-10-29 to 2026-11-04): $700 (+0.0% on 2026-10-22 to 2026-10-28)"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The README's demo audit, twice at one pinned time, sharing one history folder."""
    base = tmp_path_factory.mktemp("demo")
    env = {"XDG_DATA_HOME": str(base / "xdg")}
    runs = []
    with pytest.MonkeyPatch.context() as patch:  # temporary files go to a folder of the test's own
        (base / "tmp").mkdir()
        patch.setattr(tempfile, "tempdir", str(base / "tmp"))
        for n in (1, 2):
            out = base / f"out{n}"
            result = CliRunner().invoke(cli, ["audit", "--demo", "--quiet", "--as-of", "2026-12-03T13:00",
                                              "--out", str(out)], env=env)
            assert result.exit_code == 0, result.output
            runs.append((result, out))
    gate = CliRunner().invoke(cli, ["gate", "--audit", str(base / "out1" / "audit.json"), "--max-growth", "1000",
                                    "--json"])
    return base, runs, json.loads(gate.stdout)


@pytest.mark.slow
def test_demo_report_gate_and_terminal_agree(demo):
    base, runs, gate = demo
    [growth] = [c for c in gate["checks"] if c["period"] == "growth"]
    result, out = runs[0]
    md = (out / "report.md").read_text()
    shown = f"{growth['actual']:+.1f}%"
    assert f"({shown} on 2026-11-19 to 2026-11-25)" in md
    assert f"({shown} on 2026-11-19 to 2026-11-25)" in result.stdout
    assert (growth["details"]["from"], growth["details"]["to"]) == ("2026-11-19", "2026-12-03")
    assert "Lookback 2026-11-19 13:00 to 2026-12-03 13:00 UTC (14 days)" in md


@pytest.mark.slow
def test_demo_headline_counts_priced_recommendations_only(demo):
    _, runs, _ = demo
    saved = json.loads((runs[0][1] / "audit.json").read_text())
    priced = [r for r in saved["recommendations"] if r["monthly_savings"] > 0 and r["currency"] == saved["currency"]]
    assert saved["totals"]["monthly_savings_high"] == pytest.approx(sum(r["savings_high"] for r in priced))
    assert saved["totals"]["investigate"] == len([r for r in saved["recommendations"] if r["monthly_savings"] <= 0])
    assert saved["totals"]["investigate"] > 0  # the demo has NAT and egress findings to investigate


@pytest.mark.slow
def test_the_demo_leaves_no_temporary_files(demo):
    base, _, _ = demo
    assert list((base / "tmp").iterdir()) == []


@pytest.mark.slow
def test_the_readme_demo_picks_fp16_for_the_fraud_detector(demo):
    """The README's headline trade-off at --as-of 2026-12-03T13:00: fp16, p95 42 -> 23 ms."""
    _, runs, _ = demo
    saved = json.loads((runs[0][1] / "audit.json").read_text())
    [chosen] = [r for r in saved["recommendations"] if r["resource_name"] == "fraud-detector" and r["status"] == "selected"]
    assert "fp16" in chosen["action"]
    assert "p95 42 → 23 ms" in (runs[0][1] / "report.md").read_text()


@pytest.mark.slow
def test_demo_is_deterministic_and_kept_in_its_own_scope(demo):
    base, runs, _ = demo
    first, second = (json.loads((out / "audit.json").read_text()) for _, out in runs)
    assert first["recommendations"] == second["recommendations"]
    assert first["totals"] == second["totals"]
    assert [p.name for p in (base / "xdg" / "costopt" / "history").iterdir()] == ["demo"]
    # the second run at the same pinned time is not "after" the first: both are kept, neither compared
    assert len([p for p in (base / "xdg" / "costopt" / "history" / "demo").iterdir() if p.name.startswith("audit-")]) == 2


def test_unwritable_out_folder_is_one_line_and_no_history(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    result = audit(tmp_path, "--out", str(blocker / "reports"))
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"costopt: error: {blocker / 'reports'}, key '--out': cannot write the reports there")
    assert not (tmp_path / "xdg").exists()  # nothing was recorded in the history
