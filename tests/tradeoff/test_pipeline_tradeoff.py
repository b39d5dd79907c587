"""The trade-off inside build_audit: verdicts, selection policy and the frontier in the Audit."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from costopt.audit_io import audit_from_dict, audit_to_json
from costopt.config import Settings
from costopt.pipeline import build_audit
from tests.tradeoff import estate
from tests.tradeoff.estate import FRAUD, fraud_estate

NOW = datetime(2026, 11, 15, tzinfo=timezone.utc)


def test_build_audit_selects_rejects_and_carries_the_frontier():
    _, _, snap = fraud_estate()
    audit = build_audit(snap, Settings(**FRAUD), estate.catalog(), now=NOW, slo_policy="strict")
    variants = {r.proposed.get("variant"): r for r in (*audit.recommendations, *audit.rejected)
                if r.rule_id == "model.cheaper_variant"}
    assert variants["int8"].status == "rejected" and "below the floor" in variants["int8"].rejection_reason
    assert variants["fp16"].status == "selected" and variants["fp16"].slo.status == "ok"
    frontier = audit.extras["frontier"]["fraud-detector"]
    assert frontier["target_ms"] == 80.0
    assert any(p["selected"] for p in frontier["points"])
    # the audit round-trips through its JSON with the trade-off fields intact
    again = audit_from_dict(json.loads(audit_to_json(audit)))
    int8 = next(r for r in again.rejected if r.proposed.get("variant") == "int8")
    assert int8.impacts["accuracy_after"] == 0.948 and int8.slo.status == "breach"
    assert again.extras["frontier"]["fraud-detector"]["points"] == frontier["points"]


def test_advisory_policy_selects_the_breach_and_flags_it():
    _, _, snap = fraud_estate()
    audit = build_audit(snap, Settings(**FRAUD), estate.catalog(), now=NOW, slo_policy="advisory")
    chosen = [r for r in audit.recommendations if r.resource_id == "fraud-detector"]
    assert len(chosen) == 1 and chosen[0].proposed.get("variant") == "int8"
    assert chosen[0].slo.status == "breach" and any("advisory" in why for why in chosen[0].slo.reasons)
    assert audit.settings["slo_policy"] == "advisory"
