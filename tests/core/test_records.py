"""The typed contract: Current/Proposal/Impacts, the audit schema that follows them, and audits of schemas 1.0 and 1.1."""

from __future__ import annotations

import json
import types
import typing
from dataclasses import fields
from pathlib import Path

import pytest

from costopt.audit_io import audit_from_text, audit_schema, audit_to_dict, audit_to_json, load_audit
from costopt.errors import InputError
from costopt.records import Current, Impacts, Proposal
from tests.core.test_audit_io import sample_audit

JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean"}


def _schema_types(hint) -> set[str]:
    args = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    out = set()
    for a in args:
        if a is type(None):
            out.add("null")
        elif a in JSON_TYPES:
            out.add(JSON_TYPES[a])
        elif typing.get_origin(a) is tuple:
            out.add("array")
        else:
            out.add("object")
    return out


@pytest.mark.parametrize(("cls", "name"), [(Current, "current"), (Proposal, "proposal"), (Impacts, "impacts")])
def test_the_schema_has_one_property_per_field_with_its_json_type(cls, name):
    spec = audit_schema()["$defs"][name]
    hints = typing.get_type_hints(cls)
    assert list(spec["properties"]) == [f.name for f in fields(cls)]
    assert spec["additionalProperties"] is False
    for f in fields(cls):
        prop = spec["properties"][f.name]
        declared = prop.get("type") or [t.get("type", "object") for t in prop["oneOf"]]
        assert set([declared] if isinstance(declared, str) else declared) == _schema_types(hints[f.name]), f.name


def test_a_misspelt_field_is_an_error_naming_it():
    with pytest.raises(TypeError, match="Proposal has no field 'min_count'"):
        Proposal.of({"type": "m5.large", "min_count": 0})
    with pytest.raises(TypeError, match="Impacts has no field 'interruption_rate'"):
        Impacts.of({"interruption_rate": 0.01})
    assert Proposal.of({"count_min": 0, "count_max": 2}) == Proposal(count_min=0, count_max=2)


def test_typed_questions_replace_string_matching():
    assert Proposal(state="deleted", keeps="snapshot").removes and Proposal(count=0).removes
    assert not Proposal(state="available").removes and not Proposal(count=2).removes
    assert Proposal(count_min=0, count_max=1).scales_to_zero and Proposal(serverless=True).scales_to_zero
    assert not Proposal(count_min=1, count_max=4).scales_to_zero
    assert Impacts(latency_quantile="p99", p99_ms_after=40.0, p95_ms_after=30.0).latency("after") == 40.0


def test_audit_json_writes_only_what_a_record_says():
    data = audit_to_dict(sample_audit())
    rec = data["recommendations"][0]
    assert rec["proposed"] == {"state": "stopped", "gateway_endpoints": ["s3"]}
    assert rec["impacts"]["if_spot_reclaimed"] == {"p95_ms_after": 90.0, "servers_after": 2}
    assert "p99_ms_after" not in rec["impacts"]


def test_an_audit_of_schema_1_0_loads_with_its_figures_under_their_one_spelling(tmp_path: Path):
    data = json.loads(audit_to_json(sample_audit()))
    data["schema_version"] = "1.0"
    old = data["recommendations"][0]
    old["proposed"] = {"state": "deleted (snapshot kept)", "min_count": 0, "max_count": 2, "class": "db.r5.large",
                       "not_a_field": 1}
    old["impacts"] = {"interruption_rate": 0.02, "share_of_requests_cold": 0.1, "first_byte_ms": 5.0,
                      "added_wall_time_share": 0.03, "if_spot_reclaimed_p95_ms_after": 91.0, "count_min": 0,
                      "workload_targets": ["p95 <= 80 ms"]}
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    rec = load_audit(path).recommendations[0]
    assert rec.proposed == Proposal(state="deleted", keeps="snapshot", count_min=0, count_max=2, type="db.r5.large")
    assert rec.impacts == Impacts(interruption_rate_per_hour=0.02, cold_start_request_share=0.1,
                                  first_byte_ms_after=5.0, added_wall_time_pct=pytest.approx(3.0),
                                  if_spot_reclaimed=Impacts(p95_ms_after=91.0), workload_targets=("p95 <= 80 ms",))


def test_an_audit_of_schema_1_1_loads_with_current_under_its_one_spelling(tmp_path: Path):
    data = json.loads(audit_to_json(sample_audit()))
    data["schema_version"] = "1.1"
    old = data["recommendations"][0]
    old["current"] = {"instance_type": "ml.g4dn.xlarge", "instance_count": 2, "storage_gb": 100, "gpus": 4,
                      "last_week_cost": 12.5, "lifecycle_covers": None, "not_a_field": 1}
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    rec = load_audit(path).recommendations[0]
    assert rec.current == Current(type="ml.g4dn.xlarge", count=2, size_gb=100, gpus_total=4, weekly_cost=12.5)
    data["schema_version"] = "1.0"
    old["current"] = {"class": "db.r5.large", "gb": 3.5}
    path.write_text(json.dumps(data), encoding="utf-8")
    assert load_audit(path).recommendations[0].current == Current(type="db.r5.large", size_gb=3.5)


def test_current_is_typed_and_reads_as_the_fields_it_says():
    current = Current(type="m5.large", count=2, associated=False)
    assert current.type == "m5.large" and current.vcpu is None
    assert dict(current) == {"type": "m5.large", "count": 2, "associated": False}  # field order, False is said
    assert current.get("vcpu") is None and "vcpu" not in current
    with pytest.raises(TypeError, match="Current has no field 'instance_type'"):
        Current.of({"instance_type": "m5.large"})
    data = json.loads(audit_to_json(sample_audit()))
    data["recommendations"][0]["current"]["instance_type"] = "m5.large"
    with pytest.raises(InputError, match="instance_type"):
        audit_from_text(json.dumps(data), "audit.json")


def test_an_unknown_figure_in_a_current_audit_is_one_clear_error():
    data = json.loads(audit_to_json(sample_audit()))
    data["recommendations"][0]["impacts"]["p95_after_ms"] = 12.0
    with pytest.raises(InputError) as err:
        audit_from_text(json.dumps(data), "audit.json")
    assert "recommendations/0/impacts" in str(err.value) and "p95_after_ms" in str(err.value)


def test_records_store_only_the_fields_they_set():
    impacts = Impacts(vcpu_before=4, vcpu_after=2, p95_ms_after=None, read_by=())
    assert vars(impacts) == {"vcpu_before": 4, "vcpu_after": 2}  # ~100k of these per large audit
    assert impacts.p95_ms_after is None and impacts.read_by == () and impacts == Impacts(vcpu_after=2, vcpu_before=4)
    assert vars(Proposal(count=0, multi_az=False, serverless=False)) == {"count": 0, "multi_az": False}
    with pytest.raises(TypeError, match="unexpected keyword argument 'min_count'"):
        Proposal(min_count=1)  # type: ignore[call-arg]
