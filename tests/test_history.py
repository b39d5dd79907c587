"""Audit history: atomic saves, week-over-week comparison, applied/realised savings, CLI."""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from datetime import timedelta

import pytest
from click.testing import CliRunner

from costopt import history
from costopt.audit_extras import Extras, InventoryState
from costopt.cli import cli as main
from costopt.errors import InputError
from costopt.history_store import open_store
from costopt.records import Proposal
from tests.reports.sample_audit import daily_spend, make_audit, rec


def _week_later(audit, weeks=1, recs=None, inventory=None, daily=None):
    shift = timedelta(days=7 * weeks)
    extras = Extras() if inventory is None else Extras(inventory={
        rid: InventoryState(**{"count": 1, "pricing_model": "on_demand", "kind": "vm", **state})
        for rid, state in inventory.items()})
    return replace(make_audit(recs=recs if recs is not None else audit.recommendations, with_extras=False,
                              daily=daily if daily is not None else [asdict(r) for r in audit.spend.daily]),
                   run_at=audit.run_at + shift, extras=extras)


@pytest.fixture
def first():
    return make_audit(with_extras=False)


def test_default_dir_respects_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert history.history_dir() == tmp_path / "xdg" / "costopt" / "history"
    assert history.history_dir("~/.local/share/costopt/history") == tmp_path / "xdg" / "costopt" / "history"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert history.history_dir() == tmp_path / "home" / ".local" / "share" / "costopt" / "history"
    assert history.history_dir("~/h") == tmp_path / "home" / "h"


def test_first_audit_is_saved_with_everything_new(tmp_path, first):
    saved = history.record(first, tmp_path)
    section = saved.extras.history
    assert section.previous is None
    assert len(section.new) == len(first.recommendations) and section.resolved == ()
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["audit-20261123T060000Z.json", "index.json"]  # no temp files left behind
    assert json.loads((tmp_path / files[0]).read_text())["extras"]["history"]["previous"] is None


def test_week_over_week_change_new_and_resolved(tmp_path, first):
    history.record(first, tmp_path)
    recs = list(first.recommendations[1:]) + [rec("idle.unattached_eip", "eipalloc-1", "release address", 3.6)]
    daily = [{**row, "cost": row["cost"] * 1.1} for row in daily_spend()]
    second = history.record(_week_later(first, recs=recs, daily=daily), tmp_path)
    section = second.extras.history
    assert section.previous.file == "audit-20261123T060000Z.json"
    assert section.spend_change_pct == pytest.approx(0.10)
    assert section.spend_change == pytest.approx(section.previous_weekly_spend * 0.10)
    assert [n.resource_id for n in section.new] == ["eipalloc-1"]
    assert [r.resource_id for r in section.resolved] == [first.recommendations[0].resource_id]
    assert section.resolved[0].status == "unverified"  # no inventory to check against
    # open_since keeps the first sighting
    kept = first.recommendations[1].id
    assert section.open_since[kept] == first.run_at.isoformat()
    assert section.open_since[recs[-1].id] == second.run_at.isoformat()
    assert [p.run_at for p in section.trend] == [first.run_at.isoformat(), second.run_at.isoformat()]


def test_realised_savings_only_when_changed_as_recommended_and_cheaper(tmp_path):
    resize = rec("rightsizing.cpu_overprovisioned", "i-resize", "m5.4xlarge -> m5.2xlarge", 280.0, before=560.0,
                 current={"type": "m5.4xlarge"}, proposed=Proposal.of({"type": "m5.2xlarge"}))
    delete = rec("idle.unattached_volume", "vol-gone", "delete unattached volume", 80.0, before=80.0,
                  proposed=Proposal(state="deleted", keeps="snapshot"))
    ignored = rec("rightsizing.cpu_overprovisioned", "i-same", "m5.xlarge -> m5.large", 70.0, before=140.0,
                  proposed=Proposal.of({"type": "m5.large"}))
    pricier = rec("rightsizing.cpu_overprovisioned", "i-pricier", "c5.xlarge -> c6g.xlarge", 30.0, before=124.0,
                  proposed=Proposal.of({"type": "c6g.xlarge"}))
    first = make_audit(recs=(resize, delete, ignored, pricier), with_extras=False)
    history.record(first, tmp_path)
    inventory = {"i-resize": {"type": "m5.2xlarge", "monthly_cost": 281.0},
                 "i-same": {"type": "m5.xlarge", "monthly_cost": 140.0},
                 "i-pricier": {"type": "c6g.xlarge", "monthly_cost": 130.0}}
    second = history.record(_week_later(first, recs=(), inventory=inventory), tmp_path)
    section = second.extras.history
    status = {r.resource_id: r.status for r in section.resolved}
    assert status == {"i-resize": "applied", "vol-gone": "applied", "i-same": "not applied",
                      "i-pricier": "changed, cost not lower"}
    realised = {r.resource_id: r.realised_savings for r in section.applied}
    assert realised == {"i-resize": pytest.approx(279.0), "vol-gone": pytest.approx(80.0)}
    assert section.realised_savings == pytest.approx(359.0)
    third = history.record(_week_later(first, weeks=2, recs=(), inventory=inventory), tmp_path)
    assert third.extras.history.realised_total == pytest.approx(359.0)  # nothing new resolved, total kept


def test_a_gone_resource_counts_as_applied_only_when_the_proposal_removes_it(tmp_path):
    """The proposal decides, not the action's words: scaling a cluster's minimum to zero is not
    deleting it, and an action phrased without "delete" can still propose count 0."""
    to_zero = rec("mlplatform.idle_cluster", "aml-gone", "scale to zero nodes when idle", 300.0, before=300.0,
                  proposed=Proposal(type="Standard_NC6s_v3", min_nodes=0))
    worded = rec("idle.unattached_volume", "vol-worded", "delete unattached volume", 50.0, before=50.0)
    emptied = rec("autoscaling.scale_in", "asg-empty", "shrink the fleet", 90.0, before=90.0, proposed=Proposal(count=0))
    first = make_audit(recs=(to_zero, worded, emptied), with_extras=False)
    history.record(first, tmp_path)
    inventory = {"i-other": {"type": "m5.large", "monthly_cost": 70.0}}  # all three resources are gone
    section = history.record(_week_later(first, recs=(), inventory=inventory), tmp_path).extras.history
    status = {r.resource_id: r.status for r in section.resolved}
    assert status == {"aml-gone": "gone", "vol-worded": "gone", "asg-empty": "applied"}
    assert section.realised_savings == pytest.approx(90.0)


def test_state_from_another_open_recommendation_when_no_inventory(tmp_path):
    resize = rec("rightsizing.gpu_underused", "i-gpu", "g5.12xlarge -> g5.4xlarge", 6000.0, before=8000.0,
                 proposed=Proposal.of({"type": "g5.4xlarge"}))
    first = make_audit(recs=(resize,), with_extras=False)
    history.record(first, tmp_path)
    follow_up = rec("spot.training", "i-gpu", "move to spot", 900.0, before=1500.0, current={"type": "g5.4xlarge"})
    section = history.record(_week_later(first, recs=(follow_up,)), tmp_path).extras.history
    assert section.applied[0].resource_id == "i-gpu"
    assert section.applied[0].realised_savings == pytest.approx(6500.0)


def test_index_rebuilt_and_corrupt_files_skipped(tmp_path, first):
    history.record(first, tmp_path)
    history.record(_week_later(first), tmp_path)
    (tmp_path / "index.json").unlink()
    (tmp_path / "audit-20261201T000000Z.json").write_text("{not json")
    rows = history.entries(tmp_path)
    assert [r["file"] for r in rows] == ["audit-20261123T060000Z.json", "audit-20261130T060000Z.json"]
    third = history.record(_week_later(first, weeks=3), tmp_path)
    assert third.extras.history.previous.file == "audit-20261130T060000Z.json"


def test_same_run_time_does_not_overwrite(tmp_path, first):
    history.record(first, tmp_path)
    history.record(first, tmp_path)
    assert len(history.entries(tmp_path)) == 2


def test_load_references(tmp_path, first):
    history.record(first, tmp_path)
    history.record(_week_later(first), tmp_path)
    assert history.load("latest", tmp_path).run_at == first.run_at + timedelta(days=7)
    assert history.load("1", tmp_path).run_at == first.run_at
    assert history.load("-2", tmp_path).run_at == first.run_at
    assert history.load("2026-11-30", tmp_path).run_at == first.run_at + timedelta(days=7)
    with pytest.raises(InputError, match="no audit number 5"):
        history.load("5", tmp_path)
    with pytest.raises(InputError, match="no saved audits"):
        history.load("latest", tmp_path / "empty")


def test_history_cli(tmp_path, first):
    store = open_store(tmp_path, "files-x")
    history.record(first, store)
    history.record(_week_later(first), store)
    runner = CliRunner()
    result = runner.invoke(main, ["history", "list", "--history", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "audit-20261130T060000Z.json" in result.output and "$25,548" in result.output
    result = runner.invoke(main, ["history", "trend", "--history", str(tmp_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert [r["recommendations"] for r in json.loads(result.output)] == [8, 8]
    result = runner.invoke(main, ["history", "show", "latest", "--history", str(tmp_path)])
    assert result.exit_code == 0 and "## costopt savings report" in result.output
    assert "### Since the last audit" in result.output
    result = runner.invoke(main, ["history", "show", "9", "--history", str(tmp_path)])
    assert result.exit_code == 2 and "no audit number 9" in result.output
    for ref in ("-2", "1", "2026-11-23"):  # every form the help lists, a negative number included
        result = runner.invoke(main, ["history", "show", ref, "--history", str(tmp_path), "--format", "json"])
        assert result.exit_code == 0, (ref, result.output)
        assert json.loads(result.output)["run_at"] == first.run_at.isoformat()


def test_history_section_rendered_in_reports(tmp_path, first):
    history.record(first, tmp_path)
    second = history.record(_week_later(first), tmp_path)
    from costopt.reports import render
    page = render(second, "html")
    assert '<section id="history"' in page and "chart-trend" in page


def test_first_audit_says_so_in_reports(tmp_path, first):
    from costopt.reports import render
    saved = history.record(first, tmp_path)
    assert "This is the first audit saved in the history folder" in render(saved, "html")
    assert "First audit saved in the history" in render(saved, "md")
