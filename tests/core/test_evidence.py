"""The typed evidence: one field per figure code reads, the rule's own figures under ``facts``;
the audit schema follows it and audits of schema 1.2 (one free mapping) load into it."""

from __future__ import annotations

import json
import typing
from dataclasses import fields, replace
from pathlib import Path

import pytest

from costopt.audit_io import audit_from_text, audit_schema, audit_to_dict, audit_to_json, load_audit
from costopt.errors import InputError
from costopt.evidence import Evidence
from costopt.price_trust import estimate_sources, estimates_text, price_label
from tests.core.test_audit_io import sample_audit
from tests.core.test_records import _schema_types


def test_the_schema_has_one_property_per_evidence_field_with_its_json_type():
    spec = audit_schema()["$defs"]["evidence"]
    hints = typing.get_type_hints(Evidence)
    assert list(spec["properties"]) == [f.name for f in fields(Evidence)]
    assert spec["additionalProperties"] is False
    for f in fields(Evidence):
        declared = spec["properties"][f.name]["type"]
        assert set([declared] if isinstance(declared, str) else declared) == _schema_types(hints[f.name]), f.name


def test_audit_json_nests_the_rule_facts_and_round_trips_the_typed_fields():
    audit = sample_audit()
    first = replace(audit.recommendations[0], evidence=Evidence(
        attached=False, facts={"size_gb": 100, "weekly_costs": [1.5, 2.0]}, price_sources=("a (2026-01-01)", "b"),
        confidence_lowered="stale"))
    audit = replace(audit, recommendations=(first, *audit.recommendations[1:]))
    data = audit_to_dict(audit)
    assert data["recommendations"][0]["evidence"] == {
        "attached": False, "price_sources": ["a (2026-01-01)", "b"], "confidence_lowered": "stale",
        "facts": {"size_gb": 100, "weekly_costs": [1.5, 2.0]}}
    assert audit_from_text(json.dumps(data)).recommendations[0].evidence == first.evidence


def test_a_typed_evidence_field_with_a_wrong_type_is_one_clear_error():
    data = json.loads(audit_to_json(sample_audit()))
    data["recommendations"][0]["evidence"]["price_source"] = 12
    with pytest.raises(InputError) as err:
        audit_from_text(json.dumps(data), "audit.json")
    assert "recommendations/0/evidence" in str(err.value)


def test_an_audit_of_schema_1_2_loads_with_its_evidence_typed(tmp_path: Path):
    data = json.loads(audit_to_json(sample_audit()))
    data["schema_version"] = "1.2"
    data["recommendations"][0]["evidence"] = {
        "associated": False, "cpu_p95": 1.2, "price_sources": "aws-sagemaker-list-price; estimate:typical-ratio x "
        "aws-sagemaker-list-price", "price_is_lower_bound": "licence unknown", "busy_hours_outside": 3,
        "confidence_lowered": None, "note": "kept as a fact"}
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    rec = load_audit(path).recommendations[0]
    assert rec.evidence == Evidence(
        associated=False, busy_hours_outside=3, price_is_lower_bound="licence unknown",
        price_sources=("aws-sagemaker-list-price", "estimate:typical-ratio x aws-sagemaker-list-price"),
        facts={"cpu_p95": 1.2, "note": "kept as a fact"})
    # the estimate behind the second source is seen once the sources are one text each
    assert price_label(rec) == "lower-bound price" and "lower-bound price" in estimates_text([rec])
    assert [s.source for s in estimate_sources([rec])] == ["estimate:typical-ratio x aws-sagemaker-list-price"]


def test_schemas_1_0_and_1_1_still_reach_the_typed_evidence(tmp_path: Path):
    data = json.loads(audit_to_json(sample_audit()))
    for version in ("1.0", "1.1"):
        data["schema_version"] = version
        data["recommendations"][0]["evidence"] = {"price_source": "aws-ec2-list-price (2025-01-15)", "samples": 10}
        rec = audit_from_text(json.dumps(data)).recommendations[0]
        assert rec.evidence == Evidence(price_source="aws-ec2-list-price (2025-01-15)", facts={"samples": 10})


def test_evidence_lists_the_subject_then_the_facts_then_the_prices():
    evidence = Evidence(facts={"size_gb": 8, "age_days": 40.0}, attached=False, price_source="p (2026-01-01)",
                        confidence_lowered="stale")
    assert [k for k, _ in evidence.items()] == ["attached", "size_gb", "age_days", "price_source", "confidence_lowered"]
    assert Evidence(price_source="a", price_sources=("b", "c")).sources() == ["a", "b", "c"]
