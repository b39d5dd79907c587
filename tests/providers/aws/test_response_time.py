"""Request latency of EC2 services from their Application Load Balancer (moto), and request
percentiles from CloudWatch's extended statistics (botocore Stubber: moto computes none)."""

from __future__ import annotations

from datetime import timedelta

import boto3
import numpy as np
import pytest
from botocore.stub import Stubber

from costopt.model import Resource, Window
from costopt.providers.aws import metrics
from tests.providers.aws.conftest import NOW, put_points
from tests.providers.aws.test_inventory import AMI, _endpoint


def alb(session, name: str, instance_ids=()) -> tuple[str, str]:
    """An ALB forwarding to a new instance target group (targets registered): (LB ARN, TG ARN)."""
    ec2 = session.client("ec2", region_name="us-east-1")
    subnets = ec2.describe_subnets()["Subnets"]
    elb = session.client("elbv2", region_name="us-east-1")
    lb = elb.create_load_balancer(Name=name, Subnets=[s["SubnetId"] for s in subnets[:2]])["LoadBalancers"][0]
    tg = elb.create_target_group(Name=f"{name}-tg", Protocol="HTTP", Port=80, VpcId=subnets[0]["VpcId"],
                                 TargetType="instance")["TargetGroups"][0]
    elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80,
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}])
    if instance_ids:
        elb.register_targets(TargetGroupArn=tg["TargetGroupArn"], Targets=[{"Id": i} for i in instance_ids])
    return lb["LoadBalancerArn"], tg["TargetGroupArn"]


def cloudwatch_dims(lb_arn: str, tg_arn: str) -> dict[str, str]:
    """The dimension values as the ELB documentation spells them: the ARNs' last parts."""
    return {"LoadBalancer": lb_arn.split(":loadbalancer/")[1], "TargetGroup": "targetgroup/" + tg_arn.split(":targetgroup/")[1]}


def test_standalone_instance_and_group_read_their_target_groups_response_time(moto_account, adapter, window):
    ec2 = moto_account.client("ec2", region_name="us-east-1")
    iid = ec2.run_instances(ImageId=AMI, InstanceType="c5.xlarge", MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    lb_arn, tg_arn = alb(moto_account, "web", [iid])
    glb_arn, gtg_arn = alb(moto_account, "fleet")
    ec2.create_launch_template(LaunchTemplateName="fleet", LaunchTemplateData={"ImageId": AMI, "InstanceType": "c5.xlarge"})
    asg = moto_account.client("autoscaling", region_name="us-east-1")
    asg.create_auto_scaling_group(AutoScalingGroupName="fleet", MinSize=1, MaxSize=2, AvailabilityZones=["us-east-1a"],
                                  LaunchTemplate={"LaunchTemplateName": "fleet", "Version": "$Latest"},
                                  TargetGroupARNs=[gtg_arn])
    put_points(moto_account, "us-east-1", "AWS/ApplicationELB", "TargetResponseTime", cloudwatch_dims(lb_arn, tg_arn),
               [0.020, 0.030], unit="Seconds")
    put_points(moto_account, "us-east-1", "AWS/ApplicationELB", "TargetResponseTime", cloudwatch_dims(glb_arn, gtg_arn),
               [0.100, 0.300], unit="Seconds")

    snap = adapter().collect(window)

    group = next(r for r in snap.resources if r.kind == "autoscaling_group")
    assert group.attributes["target_groups"] == [gtg_arn]
    latency = {(m.resource_id, m.stat): m for m in snap.metrics if m.metric == "latency_ms"}
    assert latency[(iid, "Average")].values == pytest.approx([20.0, 30.0])  # seconds -> ms
    assert latency[(iid, "Average")].dimensions == {"target_group": cloudwatch_dims(lb_arn, tg_arn)["TargetGroup"]}
    assert latency[(group.id, "Maximum")].values == pytest.approx([100.0, 300.0])
    # the group's members are not queried one by one: the group holds its target group's latency
    members = set(group.attributes["instance_ids"])
    assert members and not any(rid in members for rid, _ in latency)
    # moto keeps no percentiles: Average/Maximum stand alone and a coverage note names the sources
    (note,) = [c for c in snap.coverage if c.scope.endswith("cloudwatch latency percentiles")]
    assert note.status == "partial" and "TargetResponseTime of " + iid in note.detail
    assert "TargetResponseTime of " + group.id in note.detail and "Average" in note.detail


def _result(qid: str, stamps, values) -> dict:
    return {"Id": qid, "Label": qid, "Timestamps": list(stamps), "Values": list(values), "StatusCode": "Complete"}


def test_extended_statistics_become_percentile_series_in_ms():
    """SageMaker ModelLatency/OverheadLatency (microseconds) and ALB TargetResponseTime (seconds)
    asked as p50/p90/p95/p99 in the real request shape; the answers are percentile series in ms."""
    cw = boto3.client("cloudwatch", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    endpoint = Resource(provider="aws", account="1", region="us-east-1", id="arn:ep", kind="endpoint",
                        type="ml.g4dn.xlarge", name="fraud-detector",
                        attributes={"variants": [{"name": "AllTraffic", "instance_type": "ml.g4dn.xlarge"}]})
    queries = [q for q in metrics.plan_endpoint(endpoint, 300, lambda t: {"vcpu": 4, "gpu_count": 1})
               if q.name in ("ModelLatency", "OverheadLatency")]
    queries += metrics.plan_target_group("i-1", "app/web/50dc6c495c0c9188", "targetgroup/web-tg/73e2d6bc24d8a067", 300)
    asked = {(q.name, q.stat) for q in queries}
    for name in ("ModelLatency", "OverheadLatency", "TargetResponseTime"):
        assert {s for n, s in asked if n == name} == {"Average", "Maximum", "p50", "p90", "p95", "p99"}
    window = Window(NOW - timedelta(hours=1), NOW)
    t1, t2 = NOW - timedelta(minutes=10), NOW - timedelta(minutes=5)
    raw = {"ModelLatency": 1000.0, "OverheadLatency": 1000.0, "TargetResponseTime": 0.001}  # per ms
    answers = []
    for i, q in enumerate(queries):
        if q.stat == "p90" and q.name == "ModelLatency":  # a percentile CloudWatch has no value for
            answers.append(_result(f"q{i}", [], []))
            continue
        ms = {"Average": 20.0, "Maximum": 90.0, "p50": 15.0, "p90": 40.0, "p95": 55.0, "p99": 80.0}[q.stat]
        answers.append(_result(f"q{i}", [t1, t2], [ms * raw[q.name], 2 * ms * raw[q.name]]))
    with Stubber(cw) as stub:
        stub.add_response("get_metric_data", {"MetricDataResults": answers},
                          {"MetricDataQueries": [q.request(f"q{i}") for i, q in enumerate(queries)],
                           "StartTime": window.start, "EndTime": window.end, "ScanBy": "TimestampAscending"})
        series = metrics.fetch(cw, queries, window)
        stub.assert_no_pending_responses()
    got = {(s.resource_id, s.metric, s.stat): s for s in series}
    assert got[("arn:ep", "latency_ms", "p95")].values == pytest.approx([55.0, 110.0])
    assert got[("arn:ep", "latency_ms", "p95")].dimensions == {"variant": "AllTraffic"}
    assert got[("arn:ep", "overhead_latency_ms", "p99")].values == pytest.approx([80.0, 160.0])
    assert got[("i-1", "latency_ms", "p50")].values == pytest.approx([15.0, 30.0])
    assert ("arn:ep", "latency_ms", "p90") not in got
    assert all(np.all(np.diff(s.timestamps) == 300) for s in series)
    assert metrics.percentile_gaps(queries, series) == []  # p50/p95/p99 came back: not a gap
    averages = [s for s in series if s.stat in ("Average", "Maximum")]
    assert metrics.percentile_gaps(queries, averages) == [
        "ModelLatency of arn:ep (AllTraffic)", "OverheadLatency of arn:ep (AllTraffic)",
        "TargetResponseTime of i-1 (targetgroup/web-tg/73e2d6bc24d8a067)"]


def test_sagemaker_endpoint_without_percentiles_falls_back_to_the_mean(moto_account, adapter, window):
    arn = _endpoint(moto_account, "fraud-detector", "ml.g4dn.xlarge", 1)
    dims = {"EndpointName": "fraud-detector", "VariantName": "AllTraffic"}
    put_points(moto_account, "us-east-1", "AWS/SageMaker", "ModelLatency", dims, [45000, 90000], unit="Microseconds")
    put_points(moto_account, "us-east-1", "AWS/SageMaker", "OverheadLatency", dims, [3000, 5000], unit="Microseconds")

    snap = adapter().collect(window)

    stats = {(m.metric, m.stat) for m in snap.metrics if m.resource_id == arn}
    assert {("latency_ms", "Average"), ("latency_ms", "Maximum"), ("overhead_latency_ms", "Average")} <= stats
    assert not any(s.startswith("p") for _, s in stats)
    (note,) = [c for c in snap.coverage if c.scope.endswith("cloudwatch latency percentiles")]
    assert "ModelLatency of " + arn in note.detail and "OverheadLatency of " + arn in note.detail
