"""Audit JSON: schema-valid, versioned, and a faithful round trip."""

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costopt.audit_io import audit_from_dict, audit_to_dict, audit_to_json, load_audit
from costopt.errors import InputError
from costopt.evidence import Evidence
from costopt.model import Audit, CoverageEntry, PriceSource, Recommendation, Skip, SloVerdict, Window, recommendation_id
from costopt.records import Current, Impacts, Proposal
from costopt.sections import Spend, SpendDay, Totals


def sample_audit(savings=(120.5, 33.25), hostile="<script>alert(1)</script>") -> Audit:
    window = Window(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 15, tzinfo=UTC))
    recs = tuple(
        Recommendation(
            id=recommendation_id("idle.instance", f"i-{i}", "stop"), rule_id="idle.instance", resource_id=f"i-{i}",
            action="stop", provider="aws", account="123", region="us-east-1", resource_kind="vm",
            current=Current(type="m5.xlarge", count=1), proposed=Proposal(state="stopped", gateway_endpoints=("s3",)),
            monthly_cost_before=s, monthly_cost_after=0.0, monthly_savings=s, savings_low=s * 0.9, savings_high=s,
            confidence="high", performance_risk=0, evidence=Evidence(facts={"cpu_p95": 1.2, "samples": 4032}),
            impacts=Impacts(p95_ms_before=38.0, p95_ms_after=71.0, fit_ratios={"p95": 1.02}, read_by=("vision",),
                            if_spot_reclaimed=Impacts(p95_ms_after=90.0, servers_after=2)), slo=SloVerdict("ok", ("inside 80 ms",)),
            rationale="idle for 14 days", apply="aws ec2 stop-instances --instance-ids i-1",
            tags={"team": hostile}, status="selected")
        for i, s in enumerate(savings))
    return Audit(
        run_at=datetime(2026, 11, 15, 6, tzinfo=UTC), window=window, currency="USD",
        coverage=(CoverageEntry("aws", "us-east-1", "ok"), CoverageEntry("aws", "ap-south-1", "failed", "denied", "AccessDenied", "grant ec2:Describe*")),
        spend=Spend(total=1000.0, daily=(SpendDay("2026-11-01", provider="AWS", cost=1000.0),)),
        recommendations=recs, rejected=(), skipped=(Skip("rightsizing.oversized_vm", "i-9", "only 12 h of data"),),
        totals=Totals(monthly_savings=sum(savings)), prices=(PriceSource("aws", "bundled", "2026-11-01"),),
    )


def test_round_trip_is_exact(tmp_path):
    audit = sample_audit()
    path = tmp_path / "audit.json"
    path.write_text(audit_to_json(audit), encoding="utf-8")
    assert load_audit(path) == audit


def test_json_carries_schema_version():
    data = json.loads(audit_to_json(sample_audit()))
    assert data["schema_version"] == "1.4"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0, 1e7, allow_nan=False), min_size=0, max_size=5), st.text(max_size=30))
def test_round_trip_property(savings, hostile):
    audit = sample_audit(tuple(savings), hostile)
    assert audit_from_dict(json.loads(audit_to_json(audit))) == audit


def test_wrong_major_version_is_refused(tmp_path):
    data = audit_to_dict(sample_audit())
    data["schema_version"] = "2.0"
    path = tmp_path / "a.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match="schema_version"):
        load_audit(path)


def test_schema_violation_names_the_key(tmp_path):
    data = audit_to_dict(sample_audit())
    data["recommendations"][1]["performance_risk"] = 9
    path = tmp_path / "a.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match="recommendations/1/performance_risk"):
        load_audit(path)


def test_not_json(tmp_path):
    path = tmp_path / "a.json"
    path.write_text("{nope")
    with pytest.raises(InputError, match="not valid JSON"):
        load_audit(path)
