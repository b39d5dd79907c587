"""The idle rules on hand-built snapshots: what fires, what does not, and what is skipped."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import numpy as np
import pytest

from costopt.catalog.catalog import Catalog
from costopt.catalog.model import StorageTier
from costopt.model import Recommendation, Skip
from costopt.rules import defaults, idle
from tests.conftest import T0, make_resource, make_series, make_snapshot

HOURS_48 = 48 * 12  # 5-minute points


def run(func, snapshot, params, catalog=None):
    out = list(func(snapshot, catalog, params))
    return [o for o in out if isinstance(o, Recommendation)], [o for o in out if isinstance(o, Skip)]


def gpu_vm(rid="i-gpu", **kw):
    return make_resource(rid, kind="gpu_vm", type="g5.12xlarge", hourly_cost=5.672,
                         attributes={"state": "running", **kw.pop("attributes", {})}, **kw)


def flat(rid, metric, value, n=HOURS_48, unit="Percent", stat="Maximum"):
    return make_series(rid, metric, np.full(n, float(value)), unit=unit, stat=stat)


class TestIdleInstance:
    P = defaults.IdleInstance()

    def test_idle_gpu_instance_is_stopped_with_evidence_and_price(self):
        snap = make_snapshot([gpu_vm()], [flat("i-gpu", "cpu", 1.0), flat("i-gpu", "gpu", 0.2),
                                          flat("i-gpu", "network_in", 1e5, stat="Sum", unit="Bytes")])
        (rec,), skips = run(idle.idle_instance, snap, self.P)
        assert not skips
        assert rec.action == "stop" and rec.monthly_savings == pytest.approx(5.672 * 730)
        assert rec.evidence.facts["cpu_p95"] == pytest.approx(1.0) and rec.evidence.facts["gpu_p95"] == pytest.approx(0.2)
        assert rec.evidence.facts["samples"] == HOURS_48 and rec.evidence.facts["hours"] == pytest.approx(48)
        assert rec.apply == "aws ec2 stop-instances --region us-east-1 --instance-ids i-gpu"
        assert rec.alternative_group == "i-gpu" and rec.confidence == "medium"  # < 7 days of data

    def test_busy_gpu_keeps_an_idle_cpu_instance_running(self):
        snap = make_snapshot([gpu_vm()], [flat("i-gpu", "cpu", 1.0), flat("i-gpu", "gpu", 60.0)])
        assert run(idle.idle_instance, snap, self.P) == ([], [])

    def test_p95_not_the_mean_decides(self):
        cpu = np.full(HOURS_48, 0.5)
        cpu[: HOURS_48 // 10] = 40.0  # busy 10 % of the time -> P95 is 40
        snap = make_snapshot([make_resource("i-1")], [make_series("i-1", "cpu", cpu)])
        assert run(idle.idle_instance, snap, self.P) == ([], [])
        cpu[: HOURS_48 // 50] = 40.0
        cpu[HOURS_48 // 50:] = 0.5  # busy 2 % -> P95 is idle
        snap = make_snapshot([make_resource("i-1", attributes={"state": "running"})], [make_series("i-1", "cpu", cpu)])
        (rec,), _ = run(idle.idle_instance, snap, self.P)
        assert rec.evidence.facts["cpu_max"] == 40.0

    def test_network_traffic_means_not_idle(self):
        mb_per_5min = 5 * 1024 ** 2
        snap = make_snapshot([make_resource("i-1")], [flat("i-1", "cpu", 1.0),
                                                      flat("i-1", "network_out", mb_per_5min, stat="Sum", unit="Bytes")])
        assert run(idle.idle_instance, snap, self.P) == ([], [])

    def test_too_little_data_is_a_skip_with_the_reason(self):
        snap = make_snapshot([make_resource("i-1")], [flat("i-1", "cpu", 1.0, n=12 * 20)])
        recs, (skip,) = run(idle.idle_instance, snap, self.P)
        assert not recs and "20 h" in skip.reason and "30 h" in skip.reason

    def test_gpu_vm_without_gpu_metric_and_unpriced_vm_are_skipped(self):
        snap = make_snapshot([gpu_vm(), make_resource("i-2", hourly_cost=None)],
                             [flat("i-gpu", "cpu", 1.0), flat("i-2", "cpu", 1.0)])
        recs, skips = run(idle.idle_instance, snap, self.P)
        assert not recs
        reasons = {s.resource_id: s.reason for s in skips}
        assert "GPU utilisation" in reasons["i-gpu"] and "no price" in reasons["i-2"]

    def test_asg_members_and_stopped_instances_are_left_alone(self):
        members = [make_resource("i-a", attributes={"state": "running", "asg": "search-embed"}),
                   make_resource("i-s", attributes={"state": "stopped"})]
        snap = make_snapshot(members, [flat("i-a", "cpu", 0.1), flat("i-s", "cpu", 0.1)])
        assert run(idle.idle_instance, snap, self.P) == ([], [])

    def test_threshold_is_configurable(self):
        snap = make_snapshot([make_resource("i-1")], [flat("i-1", "cpu", 4.0)])
        assert run(idle.idle_instance, snap, self.P) == ([], [])
        (rec,), _ = run(idle.idle_instance, snap, replace(self.P, cpu_p95_max=5.0))
        assert rec.resource_id == "i-1"


def test_unattached_volume_is_priced_by_size_and_gb_month():
    window_end = T0 + timedelta(days=14)
    vol = make_resource("vol-1", kind="volume", type="gp3", hourly_cost=500 * 0.08 / 730, created=window_end - timedelta(days=30),
                        attributes={"attached": False, "size_gb": 500, "volume_type": "gp3", "gb_month_price": 0.08})
    used = replace(vol, id="vol-2", attributes={**vol.attributes, "attached": True})
    new = replace(vol, id="vol-3", created=window_end - timedelta(hours=2))
    (rec,), skips = run(idle.unattached_volume, make_snapshot([vol, used, new]), defaults.UnattachedVolume())
    assert rec.resource_id == "vol-1" and rec.monthly_savings == pytest.approx(40.0) and not skips
    assert "create-snapshot" in rec.apply and "delete-volume --region us-east-1 --volume-id vol-1" in rec.apply
    unpriced = replace(vol, hourly_cost=None)
    recs, (skip,) = run(idle.unattached_volume, make_snapshot([unpriced]), defaults.UnattachedVolume())
    assert not recs and "no GB-month price" in skip.reason


def test_unassociated_address():
    eip = make_resource("eipalloc-1", kind="address", type="elastic_ip", hourly_cost=0.005,
                        attributes={"associated": False, "public_ip": "3.3.3.3"})
    held = replace(eip, id="eipalloc-2", attributes={"associated": True})
    (rec,), _ = run(idle.unassociated_address, make_snapshot([eip, held]), defaults.UnassociatedAddress())
    assert rec.monthly_savings == pytest.approx(3.65) and "release-address" in rec.apply and "eipalloc-1" in rec.apply


def test_old_snapshot_by_age_with_incremental_low_bound():
    end = T0 + timedelta(days=14)
    old = make_resource("snap-old", kind="snapshot", type="standard", hourly_cost=750 * 0.05 / 730,
                        created=end - timedelta(days=120), attributes={"size_gb": 750})
    young = replace(old, id="snap-new", created=end - timedelta(days=30))
    (rec,), _ = run(idle.old_snapshot, make_snapshot([old, young]), defaults.OldSnapshot())
    assert rec.resource_id == "snap-old" and rec.monthly_savings == pytest.approx(37.5)
    assert rec.savings_low == pytest.approx(18.75) and rec.evidence.facts["age_days"] == pytest.approx(120)
    (none,) = [run(idle.old_snapshot, make_snapshot([old]), defaults.OldSnapshot(max_age_days=180))[0]]
    assert none == []


def test_idle_sagemaker_endpoint_by_invocations_per_day():
    end = T0 + timedelta(days=14)
    ep = make_resource("arn:ep/dev", kind="endpoint", type="ml.g4dn.xlarge", name="churn-scorer-dev",
                       hourly_cost=0.7364, created=end - timedelta(days=40))
    busy = replace(ep, id="arn:ep/prod", name="fraud-detector")
    metrics = [make_series("arn:ep/dev", "requests", [1, 1, 1], stat="Sum", unit="Count"),
               make_series("arn:ep/dev", "cpu", np.full(4000, 0.4)),  # CloudWatch answered for the endpoint
               make_series("arn:ep/prod", "requests", np.full(4000, 500.0), stat="Sum", unit="Count")]
    (rec,), _ = run(idle.idle_sagemaker_endpoint, make_snapshot([ep, busy], metrics), defaults.IdleSagemakerEndpoint())
    assert rec.resource_name == "churn-scorer-dev" and rec.monthly_savings == pytest.approx(0.7364 * 730)
    assert rec.evidence.facts["invocations"] == 3 and "delete-endpoint" in rec.apply and "churn-scorer-dev" in rec.apply


def test_endpoint_without_metrics_is_skipped_not_deleted():
    """No Invocations may mean no traffic or no data: only metrics over the window tell them apart."""
    end = T0 + timedelta(days=14)
    ep = make_resource("arn:ep/prod", kind="endpoint", type="ml.g4dn.xlarge", name="fraud-detector",
                       hourly_cost=0.7364, created=end - timedelta(days=40))
    for metrics in ([], [make_series("arn:ep/prod", "cpu", np.full(100, 30.0))]):  # none; 8 h of 14 days
        recs, (skip,) = run(idle.idle_sagemaker_endpoint, make_snapshot([ep], metrics), defaults.IdleSagemakerEndpoint())
        assert not recs and "cloudwatch:GetMetricData" in skip.reason and "30 h needed" in skip.reason
    fresh = replace(ep, created=end - timedelta(hours=3))
    recs, (skip,) = run(idle.idle_sagemaker_endpoint, make_snapshot([fresh]), defaults.IdleSagemakerEndpoint())
    assert not recs and "old" in skip.reason


def test_failed_endpoint_that_lingers_is_listed_without_a_saving():
    end = T0 + timedelta(days=14)
    failed = make_resource("arn:ep/broken", kind="endpoint", type="ml.g5.xlarge", name="ranker-canary", count=0,
                           hourly_cost=0.0, created=end - timedelta(days=20), attributes={"status": "Failed"})
    serverless = replace(failed, id="arn:ep/sls", name="sls", attributes={"status": "InService"})
    (rec,), skips = run(idle.idle_sagemaker_endpoint, make_snapshot([failed, serverless]),
                        defaults.IdleSagemakerEndpoint())
    assert not skips
    assert (rec.resource_name, rec.action, rec.monthly_savings) == ("ranker-canary", "delete the failed endpoint", 0.0)
    assert rec.evidence.facts["status"] == "Failed" and "Failed (billed nothing) for 20 days" in rec.rationale
    assert rec.apply == "aws sagemaker delete-endpoint --region us-east-1 --endpoint-name ranker-canary"
    young = replace(failed, created=end - timedelta(hours=2))
    recs, (skip,) = run(idle.idle_sagemaker_endpoint, make_snapshot([young]), defaults.IdleSagemakerEndpoint())
    assert not recs and "old" in skip.reason


def test_idle_nat_gateway_by_bytes():
    end = T0 + timedelta(days=14)
    nat = make_resource("nat-idle", kind="nat_gateway", type="public", hourly_cost=0.045, created=end - timedelta(days=90))
    busy = replace(nat, id="nat-busy")
    unseen, partial = replace(nat, id="nat-unseen"), replace(nat, id="nat-partial")
    metrics = [make_series("nat-idle", "nat_bytes", np.zeros(336), period_s=3600, stat="Sum", unit="Bytes"),
               make_series("nat-busy", "nat_bytes", np.full(100, 5e9), stat="Sum", unit="Bytes"),
               make_series("nat-partial", "nat_bytes", np.zeros(10), period_s=3600, stat="Sum", unit="Bytes")]
    (rec,), skips = run(idle.idle_nat_gateway, make_snapshot([nat, busy, unseen, partial], metrics),
                        defaults.IdleNatGateway())
    assert rec.resource_id == "nat-idle" and rec.confidence == "high" and "delete-nat-gateway" in rec.apply
    assert {s.resource_id: s.reason.split(" h ")[0] for s in skips} == {"nat-unseen": "0", "nat-partial": "10"}


def _s3_catalog():
    cat = Catalog()
    for name, price in (("STANDARD", 0.023), ("STANDARD_IA", 0.0125)):
        cat.add_storage_tier(StorageTier("aws", "us-east-1", name, price))
    return cat


def test_bucket_without_lifecycle_estimates_from_standard_bytes():
    bucket = make_resource("ml-checkpoints", kind="bucket", type="s3", name="ml-checkpoints", hourly_cost=None,
                           attributes={"has_lifecycle": False, "lifecycle_rules": []})
    managed = replace(bucket, id="ml-datasets", name="ml-datasets", attributes={"has_lifecycle": True})
    unknown = replace(bucket, id="locked", name="locked", attributes={"has_lifecycle": None})
    size = replace(make_series("ml-checkpoints", "bytes_stored", [1e13, 1.0 * 1024 ** 4 * 10], period_s=86400,
                               unit="Bytes", stat="Average"), dimensions={"storage_class": "StandardStorage"})
    recs, skips = run(idle.bucket_without_lifecycle, make_snapshot([bucket, managed, unknown], [size]),
                      defaults.BucketWithoutLifecycle(), _s3_catalog())
    (rec,) = recs
    gb = 10 * 1024
    assert rec.evidence.facts["standard_gb"] == pytest.approx(gb)
    assert rec.savings_high == pytest.approx(gb * (0.023 - 0.0125))
    assert rec.monthly_savings == pytest.approx(gb * (0.023 - 0.0125) * 0.3) and rec.savings_low == 0
    assert "put-bucket-lifecycle-configuration --bucket ml-checkpoints" in rec.apply
    assert [s.resource_id for s in skips] == ["locked"]


@pytest.mark.parametrize("provider, expected", [
    ("aws", "aws ec2 stop-instances --region us-east-1 --instance-ids vm-1"),
    ("gcp", "gcloud compute instances stop vm-1 --zone '<zone in us-east-1>'"),
    ("azure", "az vm deallocate --ids vm-1"),
])
def test_idle_instance_apply_matches_the_provider(provider, expected):
    from costopt.rules import idle_apply
    from tests.conftest import make_resource

    command = idle_apply.stop_instance(make_resource("vm-1", provider=provider))
    assert command.startswith(expected)
