"""Evidence before removal: with CloudWatch answering GetMetricData with errors, the demo estate
(read by the real adapter, moto behind it) yields no delete, stop or capacity cut; the rules say
which metric is missing and how to get it instead.

The failure is injected at the wire: a botocore ``before-send`` hook answers every
GetMetricData request with a 500 InternalFailure, as CloudWatch does on an outage (the same
hook with AccessDenied is a missing permission).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from costopt.config import Settings
from costopt.demo import aws as demo_aws
from costopt.demo import collect as demo
from costopt.pipeline import build_audit
from tests.providers.aws.test_faults import xml_error

NOW = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)
REMOVALS = ("delete", "stop", "scale to zero", "release", "terminate")
# judged from the inventory itself (attached to nothing, associated with nothing, older than N days)
INVENTORY_EVIDENCE = {"idle.unattached_volume", "idle.old_snapshot", "idle.unassociated_address",
                      "mlplatform.tuning_search",  # a search's settings ("early stopping on" is not a removal)
                      "mlplatform.idle_compute"}  # a Studio app's last user activity is DescribeApp's, not a metric


def _failing(code: str, status: int):
    def answer(**_):
        return xml_error(status, code)
    return answer


def _collect(code: str, status: int):
    def fail_metrics(session):
        session.events.register_first("before-send.cloudwatch.GetMetricData", _failing(code, status))

    return demo_aws.collect_demo_aws(demo_aws.demo_window(NOW), None, lambda _: None, NOW, prepare=fail_metrics,
                                     max_workers=2, max_attempts=1)


@pytest.fixture(scope="module", params=[("InternalFailure", 500), ("AccessDenied", 403)], ids=["outage", "denied"])
def blind_snapshot(request):
    return _collect(*request.param)


def _removals(recs):
    return [r for r in recs if r.rule_id not in INVENTORY_EVIDENCE
            and (any(word in r.action.lower() for word in REMOVALS) or r.rule_id.startswith("autoscaling."))]


def test_failing_metrics_are_coverage_and_no_series(blind_snapshot):
    failed = [c for c in blind_snapshot.coverage if c.status == "failed" and "cloudwatch metrics" in c.scope]
    assert failed, [c.scope for c in blind_snapshot.coverage]
    assert not [m for m in blind_snapshot.metrics if m.metric in ("requests", "cpu", "gpu", "nat_bytes")]


def test_no_removal_without_metrics_even_where_the_workload_has_a_latency_target(blind_snapshot):
    settings = demo.demo_settings(Settings())
    workloads = dict(settings.workloads)
    workloads["fraud-detector"] = {**workloads["fraud-detector"], "latency_p95_ms": 35}  # the 35 ms target
    settings = replace(settings, workloads=workloads, slo_policy="strict")
    audit = build_audit(blind_snapshot, settings, now=NOW)
    names = {r.resource_name for r in audit.recommendations}
    assert not _removals(audit.recommendations), [(r.rule_id, r.resource_name, r.action) for r in _removals(audit.recommendations)]
    assert not _removals(audit.rejected), [(r.rule_id, r.resource_name, r.action) for r in audit.rejected]
    assert "fraud-detector" not in names and "churn-scorer-dev" not in names
    assert not {"nat-pipeline", "nat-legacy-etl"} & names
    # the busy endpoint (~340 requests/s in the demo) is skipped with the fix named
    skipped = {s.resource_id: s.reason for s in audit.skipped if s.rule_id == "idle.sagemaker_endpoint"}
    fraud = next(r.id for r in blind_snapshot.resources if r.name == "fraud-detector")
    assert "cloudwatch:GetMetricData" in skipped[fraud] and "0 h of endpoint metrics" in skipped[fraud]
    nat = {s.resource_id: s.reason for s in audit.skipped if s.rule_id == "idle.nat_gateway"}
    assert len(nat) == 2 and all("cloudwatch:GetMetricData" in reason for reason in nat.values())
