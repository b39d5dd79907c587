"""The typed audit sections (spend, totals, budgets, extras, settings): schema 1.4, the upgrade of
a saved 1.3 audit, and one-line errors for a malformed section at load.

``saved/audit-1.3.json`` and its renders (``audit-1.3.report.md``, ``.junit.xml``,
``.report.csv``) were written by costopt at schema 1.3 (``saved/make_audit_1_3.py``, run with
that version on the path): the same audit read by this version must render the same bytes.
"""

from __future__ import annotations

import json
import runpy
from pathlib import Path

import pytest
from click.testing import CliRunner

from costopt.audit_extras import Extras, HistorySection, InventoryState, ResolvedRec
from costopt.audit_io import SCHEMA_VERSION, audit_from_dict, audit_to_dict, load_audit
from costopt.cli import cli
from costopt.errors import InputError
from costopt.reports import render
from costopt.sections import AuditSettings, CheckResult
from tests.reports.sample_audit import make_audit

SAVED = Path(__file__).parent / "saved"
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "schema_sections.py"


@pytest.fixture(scope="module")
def saved_1_3() -> dict:
    return json.loads((SAVED / "audit-1.3.json").read_text(encoding="utf-8"))


def test_saved_1_3_audit_reads_as_typed_sections(saved_1_3):
    assert saved_1_3["schema_version"] == "1.3"
    audit = load_audit(SAVED / "audit-1.3.json")
    assert audit.schema_version == SCHEMA_VERSION == "1.4"
    assert len(audit.spend.daily) == len(saved_1_3["spend"]["daily"]) == 84
    assert audit.spend.total == pytest.approx(sum(r["cost"] for r in saved_1_3["spend"]["daily"]))
    week, growth, savings = audit.budgets
    assert isinstance(week, CheckResult) and (week.status, week.actual, week.warn, week.fail) == ("warn", 875.0, 500.0, 900.0)
    assert growth.unit == "%" and savings.period == "unrealised_savings"
    section = audit.extras.history
    assert section is not None and section.previous is not None
    assert (section.previous.file, section.spend_change_pct) == ("audit-20261122T060000Z.json", 0.25)
    assert [r.status for r in section.resolved] == ["unverified"] and section.resolved[0].cost_now is None
    assert [p.recommendations for p in section.trend] == [3, 2]
    assert audit.extras.inventory == {}  # recorded, and empty: not the same as not recorded (None)
    points = audit.extras.frontier["fraud-detector"].points
    assert [p.label for p in points if p.selected] == ["fraud-detector: fp16"]
    assert audit.extras.stale_prices[0].age_days == 683
    assert audit.settings == AuditSettings(lookback_days=21.0, slo_policy="strict", config="costopt.toml")


def test_what_costopt_wrote_at_1_3_is_written_again_unchanged_but_the_version(saved_1_3):
    again = audit_to_dict(audit_from_dict(saved_1_3))
    assert again == {**saved_1_3, "schema_version": "1.4"}
    assert json.dumps(again) == json.dumps({**saved_1_3, "schema_version": "1.4"})  # key order and 0 vs 0.0 too


@pytest.mark.parametrize("fmt, golden", [("md", "audit-1.3.report.md"), ("junit", "audit-1.3.junit.xml"),
                                         ("csv", "audit-1.3.report.csv")])
def test_saved_1_3_audit_renders_as_the_1_3_code_rendered_it(fmt, golden):
    audit = load_audit(SAVED / "audit-1.3.json")
    assert render(audit, fmt) == (SAVED / golden).read_bytes().decode("utf-8")  # CSV lines end in CRLF


def test_1_3_keys_the_sections_do_not_hold_are_dropped(saved_1_3):
    data = json.loads(json.dumps(saved_1_3))
    data["extras"]["scratch"] = {"anything": 1}
    data["settings"]["team_tag_keys"] = ["squad"]
    data["settings"]["theme"] = "dark"
    data["spend"]["by_region"] = [{"region": "us-east-1", "cost": 1.0}]
    data["budgets"][0]["colour"] = "red"
    data["totals"]["monthly_savings"] = None  # readers always took a null total as 0
    audit = audit_from_dict(data)
    assert audit.settings.team_tag_keys == ("squad",)
    assert audit.budgets[0].id == "total:week" and audit.totals.monthly_savings == 0.0
    assert "scratch" not in audit_to_dict(audit)["extras"]


def _saved_with(tmp_path, data, where, value):
    node = data
    *parents, last = where.split("/")
    for step in parents:
        node = node[int(step)] if isinstance(node, list) else node[step]
    node[int(last) if isinstance(node, list) else last] = value
    path = tmp_path / "audit.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


MALFORMED = [
    ("budgets/0/actual", "875"),  # the old reports showed "n/a": number() read text as None
    ("budgets/1/status", "exploded"),
    ("extras/history/previous/run_at", 20261122),
    ("extras/history/new_savings", "0"),
    ("extras/history/resolved/0/status", ["unverified"]),
    ("extras/history/trend/1/recommendations", 2.5),
    ("extras/frontier/fraud-detector/points/1/savings", "537.5"),
    ("extras/frontier/fraud-detector/target_ms", "80 ms"),
    ("extras/stale_prices/0/age_days", "683 days"),
    ("totals/monthly_savings", "161"),
    ("settings/lookback_days", "21d"),
    ("spend/by_provider/0/cost", "2478"),
    ("spend/daily/3/provider", 7),
    ("extras", []),
    ("extras/history", "none"),
    ("extras/history/previous", ["2026-11-22"]),
    ("extras/stale_prices/0", "aws"),
    ("totals/by_currency/0", 161.0),
    ("budgets/0", None),
]


@pytest.mark.parametrize("where, value", MALFORMED)
def test_a_malformed_section_fails_at_load_naming_the_key(tmp_path, saved_1_3, where, value):
    for version in ("1.3", "1.4"):
        data = {**json.loads(json.dumps(saved_1_3)), "schema_version": version}
        path = _saved_with(tmp_path, data, where, value)
        with pytest.raises(InputError) as info:
            load_audit(path)
        assert info.value.key == where and "\n" not in str(info.value)
    result = CliRunner().invoke(cli, ["report", str(path), "--format", "md"])
    assert result.exit_code == 2 and where in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output


def test_a_1_4_section_with_an_unknown_key_is_refused(tmp_path, saved_1_3):
    data = {**json.loads(json.dumps(saved_1_3)), "schema_version": "1.4"}
    path = _saved_with(tmp_path, data, "extras/history/opened", {"rec-0": "2026-11-22"})
    with pytest.raises(InputError, match="opened") as info:
        load_audit(path)
    assert info.value.key == "extras/history"


def test_every_section_round_trips():
    audit = make_audit()
    resolved = ResolvedRec("r", "idle.x", "vol-1", "v", "delete", 5.0, 5.0, 0.0, "not applied", None, "differs")
    audit = audit.__class__(**{**{f: getattr(audit, f) for f in audit.__dataclass_fields__},
                               "extras": Extras(frontier=audit.extras.frontier, history=HistorySection(resolved=(resolved,)),
                                                inventory={"vol-1": InventoryState("gp3", 1, "on_demand", "volume")}),
                               "settings": AuditSettings(lookback_days=0.0, team_tag_keys=("squad",))})
    data = json.loads(json.dumps(audit_to_dict(audit)))
    assert audit_from_dict(data) == audit
    assert data["extras"]["history"]["resolved"][0]["cost_now"] is None  # said: the resource was checked
    assert "weekly_spend" not in data["extras"]["history"]  # no previous audit: no week-over-week figures
    assert data["extras"]["inventory"] == {"vol-1": {"type": "gp3", "count": 1, "pricing_model": "on_demand",
                                                     "kind": "volume"}}
    assert data["settings"] == {"lookback_days": 0.0, "team_tag_keys": ["squad"]}


def test_the_schema_follows_the_section_records():
    """The shipped schema is what scripts/schema_sections.py derives from the records' fields and types."""
    props, defs = runpy.run_path(str(SCRIPT))["sections"]()
    schema = json.loads((SCRIPT.parents[1] / "costopt" / "schemas" / "audit.schema.json").read_text(encoding="utf-8"))
    assert {name: schema["properties"][name] for name in props} == props
    assert {name: schema["$defs"][name] for name in defs} == defs
    assert defs["HistorySection"]["properties"]["previous"] == {"allOf": [{"$ref": "#/$defs/PreviousAudit"}],
                                                                "type": ["object", "null"]}
