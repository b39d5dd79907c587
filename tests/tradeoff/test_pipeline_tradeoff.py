"""The trade-off inside build_audit: verdicts, selection policy and the frontier in the Audit."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from datetime import UTC, datetime

import numpy as np

from costopt.audit_io import audit_from_dict, audit_to_json
from costopt.config import Settings
from costopt.pipeline import build_audit
from costopt.reports import csv_report
from costopt.tradeoff.assess import assess
from costopt.tradeoff.selection import select
from tests.conftest import make_resource
from tests.tradeoff import estate
from tests.tradeoff.estate import FRAUD, fraud_estate

NOW = datetime(2026, 11, 15, tzinfo=UTC)


def test_build_audit_selects_rejects_and_carries_the_frontier():
    _, _, snap = fraud_estate()
    audit = build_audit(snap, Settings(**FRAUD), estate.catalog(), now=NOW, slo_policy="strict")
    variants = {r.proposed.variant: r for r in (*audit.recommendations, *audit.rejected)
                if r.rule_id == "model.cheaper_variant"}
    assert variants["int8"].status == "rejected" and "below the floor" in variants["int8"].rejection_reason
    assert variants["fp16"].status == "selected" and variants["fp16"].slo.status == "ok"
    frontier = audit.extras.frontier["fraud-detector"]
    assert frontier.target_ms == 80.0
    assert any(p.selected for p in frontier.points)
    # the audit round-trips through its JSON with the trade-off fields intact
    again = audit_from_dict(json.loads(audit_to_json(audit)))
    int8 = next(r for r in again.rejected if r.proposed.variant == "int8")
    assert int8.impacts.accuracy_after == 0.948 and int8.slo.status == "breach"
    assert again.extras.frontier["fraud-detector"].points == frontier.points


def test_advisory_policy_selects_the_breach_and_flags_it():
    _, _, snap = fraud_estate()
    audit = build_audit(snap, Settings(**FRAUD), estate.catalog(), now=NOW, slo_policy="advisory")
    chosen = [r for r in audit.recommendations if r.resource_id == "fraud-detector"]
    assert len(chosen) == 1 and chosen[0].proposed.variant == "int8"
    assert chosen[0].slo.status == "breach" and any("advisory" in why for why in chosen[0].slo.reasons)
    assert audit.settings.slo_policy == "advisory"


def test_strict_selects_fp16_when_int8_accuracy_is_not_measured():
    # the demo's config with int8's measured AUC deleted: int8 is cheaper but unverifiable
    _, _, snap = fraud_estate()
    models = {"fraud-detector": {**FRAUD["models"]["fraud-detector"], "variants": {
        **FRAUD["models"]["fraud-detector"]["variants"], "int8": {"relative_compute": 0.35}}}}
    settings = Settings(workloads=FRAUD["workloads"], models=models)
    audit = build_audit(snap, settings, estate.catalog(), now=NOW, slo_policy="strict")
    variants = {r.proposed.variant: r for r in (*audit.recommendations, *audit.rejected)
                if r.rule_id == "model.cheaper_variant"}
    assert variants["int8"].status == "rejected"
    assert variants["int8"].rejection_reason.startswith("cannot verify: no measured AUC for int8")
    assert variants["fp16"].status == "selected" and variants["fp16"].slo.status == "ok"
    advisory = build_audit(snap, settings, estate.catalog(), now=NOW, slo_policy="advisory")
    chosen = [r for r in advisory.recommendations if r.resource_id == "fraud-detector"]
    assert [r.proposed.variant for r in chosen] == ["int8"] and chosen[0].slo.status == "unknown"


def test_overloaded_model_of_today_does_not_let_a_cut_through():
    # 4 workers at 200 req/s with 30 ms at low load model at utilisation 1.5: the model cannot
    # describe today's fleet, so halving it must not be selected under strict
    rps = estate.diurnal_rps(high=200.0)
    res, metrics = estate.serving("fraud-detector", "ml.g4dn.xlarge", 4, rps, np.full(rps.size, 30.0))
    cut = estate.candidate(res, "rightsizing.endpoint_count", "run 2", {"count": 2}, 1000.0)
    recs = assess([cut], estate.snapshot([res], metrics), Settings(**FRAUD), estate.catalog())
    s = select(recs, "strict")
    assert not s.selected  # (the variant switches assess() adds are judged alongside)
    (run2,) = [r for r in s.rejected if r.action == "run 2"]
    assert run2.rejection_reason.startswith("cannot verify:")


def test_changes_that_cannot_touch_serving_are_not_applicable():
    vol = make_resource("vol-1", kind="volume", type="gp3", attributes={"attached": False})
    eip = make_resource("eipalloc-1", kind="address", type="", attributes={"associated": False})
    bucket = make_resource("logs-bucket", kind="bucket", type="")
    read = make_resource("ml-datasets-1", kind="bucket", type="")
    attached = make_resource("vol-2", kind="volume", type="gp3", attributes={"attached": True})
    settings = Settings(workloads={"vision": {"kind": "training", "datasets": ["ml-datasets-*"], "interruptible": True}},
                        **{k: v for k, v in FRAUD.items() if k == "models"})
    cands = [estate.candidate(vol, "idle.unattached_volume", "delete", {"state": "deleted (snapshot kept)"}, 20.0),
             estate.candidate(eip, "idle.unassociated_address", "release", {"state": "released"}, 3.6),
             estate.candidate(bucket, "storage.lifecycle", "lifecycle", {"lifecycle": "STANDARD_IA"}, 30.0),
             estate.candidate(read, "storage.lifecycle", "lifecycle read", {"lifecycle": "DEEP_ARCHIVE"}, 30.0),
             estate.candidate(attached, "rightsizing.volume", "gp3 smaller", {"size_gb": 50}, 5.0)]
    out = {r.action: r for r in assess(cands, estate.snapshot([vol, eip, bucket, read, attached], []), settings,
                                       estate.catalog())}
    assert {a: out[a].slo.status for a in out} == {"delete": "n/a", "release": "n/a", "lifecycle": "n/a",
                                                   "lifecycle read": "breach", "gp3 smaller": "unknown"}
    assert "attached to nothing" in out["delete"].slo.reasons[0]



def test_configured_team_tag_keys_reach_the_reports_team_column():
    # the audit records the config's team tag keys, so every report names the owning team by them
    # (before, the audit kept none and the reports fell back to the default keys)
    _, _, snap = fraud_estate()
    tagged = tuple(replace(r, tags={**r.tags, "squad": "fraud-ml"}) for r in snap.resources)
    settings = Settings(**FRAUD, team_tag_keys=("squad",))
    audit = build_audit(replace(snap, resources=tagged), settings, estate.catalog(), now=NOW, slo_policy="strict")
    rows = list(csv.DictReader(csv_report.render(audit).splitlines()))
    assert {row["team"] for row in rows if row["resource_id"] == "fraud-detector"} == {"fraud-ml"}
    again = audit_from_dict(json.loads(audit_to_json(audit)))
    assert again.settings.team_tag_keys == ("squad",)
