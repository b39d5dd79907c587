"""The demo's AWS account: seeded in moto, read by the real adapter, deterministic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from costopt.demo import aws as demo_aws
from costopt.progress import QUIET

NOW = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo_snapshot():
    return demo_aws.collect_demo_aws(demo_aws.demo_window(NOW), None, QUIET, NOW)


def test_demo_estate_is_read_by_the_adapter(demo_snapshot):
    snap = demo_snapshot
    named = {r.name: r for r in snap.resources if r.name}
    assert {r.region for r in snap.resources} == {"us-east-1", "eu-west-1"}
    assert named["train-vision-a"].type == "p3.8xlarge" and named["train-vision-a"].kind == "gpu_vm"
    assert named["train-vision-b"].tags["costopt:interruptible"] == "true"
    assert named["fraud-detector"].count == 4 and named["fraud-detector"].tags["costopt:model"] == "fraud-detector"
    assert named["recsys-ranker"].region == "eu-west-1"
    assert named["recsys-ranker"].attributes["variants"][0]["autoscaling"]["max"] == 4
    fleet = [r for r in snap.resources if r.kind == "vm" and r.attributes.get("asg") == "search-embed"]
    assert len(fleet) == 6 and {r.type for r in fleet} == {"c5.4xlarge"}
    assert sum(1 for r in snap.resources if r.kind == "volume" and not r.attributes["attached"]) == 3
    assert sum(1 for r in snap.resources if r.kind == "snapshot") == 6
    assert named[f"ml-checkpoints-{demo_aws.DEMO_ACCOUNT}"].attributes["has_lifecycle"] is False
    assert not [c for c in snap.coverage if c.status == "failed"]
    assert snap.billing is not None and snap.billing.scalar("SELECT SUM(BilledCost) FROM focus") > 10_000


def test_demo_metrics_carry_the_story(demo_snapshot):
    from costopt.metrics import metric_stats

    snap = demo_snapshot
    ids = {r.name: r.id for r in snap.resources if r.name}
    gpu = metric_stats(snap.metrics, "gpu", quantiles=(0.95,))
    assert gpu.at[ids["train-vision-a"], "p95"] > 80 and gpu.at[ids["train-vision-b"], "p95"] < 1
    assert gpu.at[ids["train-vision-a"], "hours"] >= 300
    cpu = metric_stats(snap.metrics, "cpu", quantiles=(0.995,))
    fleet = [r.id for r in snap.resources if r.attributes.get("asg") == "search-embed"]
    assert 12 < cpu.loc[fleet, "p99.5"].max() < 30
    requests = {m.resource_id: m.values.sum() for m in snap.metrics if m.metric == "requests"}
    assert requests[ids["churn-scorer-dev"]] == 3 and requests[ids["fraud-detector"]] > 1e6


def test_demo_idle_findings(demo_snapshot):
    from costopt.catalog import load_catalog
    from costopt.config import Settings
    from costopt.rules.engine import run_rules

    run = run_rules(demo_snapshot, load_catalog(Settings(), use_cache=False), Settings(),
                    only=["idle.instance", "idle.sagemaker_endpoint", "idle.bucket_without_lifecycle"])
    found = {(c.rule_id, c.resource_name) for c in run.candidates}
    assert ("idle.instance", "train-vision-b") in found
    assert ("idle.sagemaker_endpoint", "churn-scorer-dev") in found
    assert ("idle.bucket_without_lifecycle", f"ml-checkpoints-{demo_aws.DEMO_ACCOUNT}") in found
    assert not any(c.resource_name in ("train-vision-a", "train-nlp", "fraud-detector") for c in run.candidates)


def test_demo_is_deterministic(demo_snapshot):
    """Seeding twice gives the same ids and the same metric points (so the same audit)."""
    from moto import mock_aws

    runs = []
    for _ in range(2):
        with mock_aws():
            estate = demo_aws.seed_demo_estate(NOW)
        runs.append((estate.ids, {k: float(v[2].sum()) for per in estate.bulk.data.values() for k, v in per.items()}))
    assert runs[0] == runs[1]
    assert set(runs[0][0].values()) <= {r.id for r in demo_snapshot.resources}


def test_demo_endpoints_publish_request_percentiles(demo_snapshot):
    """ModelLatency's extended statistics reach the adapter: hourly p50 <= p90 <= p95 <= p99 per
    point, the median under the mean (a right-skewed response time), the p99 under the p99.9
    the demo publishes as Maximum; no coverage note about missing percentiles."""
    fraud = next(r.id for r in demo_snapshot.resources if r.name == "fraud-detector")
    latency = {m.stat: m for m in demo_snapshot.metrics if m.resource_id == fraud and m.metric == "latency_ms"}
    assert {"Average", "Maximum", "p50", "p90", "p95", "p99"} <= set(latency)
    common = latency["p50"].timestamps
    assert common.size >= 300 and latency["p50"].period_s == 3600
    stack = []
    for stat in ("p50", "p90", "p95", "p99", "Average", "Maximum"):
        assert set(common.tolist()) <= set(latency[stat].timestamps.tolist())
        stack.append(latency[stat].values[np.isin(latency[stat].timestamps, common)])
    p50, p90, p95, p99, avg, mx = stack
    assert np.all(p50 <= p90) and np.all(p90 <= p95) and np.all(p95 <= p99) and np.all(p99 <= mx * 1.001)
    assert np.mean(p50 < avg) > 0.95
    assert not [c for c in demo_snapshot.coverage if c.scope.endswith("cloudwatch latency percentiles")]


def test_demo_ml_platform_findings(demo_snapshot):
    """The demo's SageMaker notebooks, training jobs and tuning job reach the mlplatform rules."""
    from costopt.catalog import load_catalog
    from costopt.config import Settings
    from costopt.rules.engine import run_rules

    run = run_rules(demo_snapshot, load_catalog(Settings(), use_cache=False), Settings(),
                    only=["mlplatform.notebook_idle_shutdown", "mlplatform.training_managed_spot",
                          "mlplatform.tuning_search"])
    found = {(c.rule_id, c.resource_name) for c in run.candidates}
    assert found == {("mlplatform.notebook_idle_shutdown", "research-gpu"),
                     ("mlplatform.training_managed_spot", "resnet-train (6 jobs)"),
                     ("mlplatform.training_managed_spot", "xgb-ctr-search (60 jobs)"),
                     ("mlplatform.tuning_search", "xgb-ctr-search")}  # data-explore stops itself, bert runs on spot
    assert all(c.apply and c.monthly_savings > 0 and c.tags.get("costopt:team") for c in run.candidates)


def test_demo_studio_apps_read_through_list_and_describe_app(demo_snapshot):
    """moto has no ListApps / DescribeApp: the demo's fake answers them at moto's responder, and the
    adapter's Studio app reader (botocore paging, DescribeApp per running app) gets the idle GPU app."""
    from costopt.catalog import load_catalog
    from costopt.config import Settings
    from costopt.model import HOURS_PER_MONTH
    from costopt.rules.engine import run_rules

    apps = {r.name: r for r in demo_snapshot.resources if r.kind == "ml_app"}
    assert set(apps) == {"alice/default", "vision-team/gpu-kernel", "bob/datascience-1"}  # the Deleted one is not kept
    kernel = apps["vision-team/gpu-kernel"]
    assert kernel.type == "ml.g4dn.xlarge" and kernel.attributes["space"] is True
    assert kernel.attributes["last_activity"] == (NOW - timedelta(days=9)).isoformat()  # only DescribeApp has it
    cov = {c.scope: c for c in demo_snapshot.coverage}
    assert cov[f"{demo_aws.DEMO_ACCOUNT}/us-east-1/sagemaker studio apps"].status == "ok"
    catalog = load_catalog(Settings(), use_cache=False)
    run = run_rules(demo_snapshot, catalog, Settings(), only=["mlplatform.idle_compute"])
    (found,) = [c for c in run.candidates if c.resource_kind == "ml_app"]
    assert found.resource_name == "vision-team/gpu-kernel"
    assert found.monthly_savings == pytest.approx(catalog.price("aws", "us-east-1", "ml.g4dn.xlarge").amount * HOURS_PER_MONTH)
    domain = kernel.attributes["domain"]
    assert found.apply == (f"aws sagemaker delete-app --region us-east-1 --domain-id {domain} --app-type KernelGateway "
                           "--app-name gpu-kernel --space-name vision-team")


def test_demo_list_apps_fake_pages_and_filters():
    import boto3
    from moto import mock_aws

    from costopt.demo.fakes.sagemaker_apps import StudioApp, serving_apps

    apps = [StudioApp("d-a", "KernelGateway", f"k{i}", "InService", "ml.t3.medium", NOW, user_profile="u") for i in range(3)]
    apps.append(StudioApp("d-b", "JupyterServer", "default", "InService", "system", NOW, space="s"))
    saved = demo_aws.hermetic_aws_environment()
    try:
        with mock_aws(), serving_apps(apps):
            sm = boto3.client("sagemaker", region_name="us-east-1")
            first = sm.list_apps(DomainIdEquals="d-a", MaxResults=2)
            rest = sm.list_apps(DomainIdEquals="d-a", MaxResults=2, NextToken=first["NextToken"])
            described = sm.describe_app(DomainId="d-b", AppType="JupyterServer", AppName="default", SpaceName="s")
            with pytest.raises(sm.exceptions.ResourceNotFound):
                sm.describe_app(DomainId="d-b", AppType="JupyterServer", AppName="nope", SpaceName="s")
        with mock_aws():  # outside the block moto is stock again
            with pytest.raises(NotImplementedError):
                boto3.client("sagemaker", region_name="us-east-1").list_apps()
    finally:
        demo_aws.restore_environment(saved)
    assert [a["AppName"] for a in first["Apps"] + rest["Apps"]] == ["k0", "k1", "k2"] and "NextToken" not in rest
    assert described["AppArn"] == "arn:aws:sagemaker:us-east-1:123456789012:app/d-b/s/jupyterserver/default"
    assert described["CreationTime"] == NOW
