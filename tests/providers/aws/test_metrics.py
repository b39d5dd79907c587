"""CloudWatch metrics by their real names -> MetricSeries (moto), and GetMetricData batching (Stubber)."""

from __future__ import annotations

from datetime import timedelta

import boto3
import numpy as np
import pytest
from botocore.stub import Stubber

from costopt.metrics import metric_stats
from costopt.model import Window
from costopt.providers.aws import metrics
from tests.providers.aws.conftest import NOW, put_points
from tests.providers.aws.test_inventory import AMI, _endpoint


def _series(snap, rid, metric, stat=None):
    return [m for m in snap.metrics if m.resource_id == rid and m.metric == metric and (stat is None or m.stat == stat)]


def test_ec2_cpu_network_and_cloudwatch_agent(moto_account, adapter, window):
    ec2 = moto_account.client("ec2", region_name="us-east-1")
    iid = ec2.run_instances(ImageId=AMI, InstanceType="g5.2xlarge", MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    put_points(moto_account, "us-east-1", "AWS/EC2", "CPUUtilization", {"InstanceId": iid}, [10, 20, 30, 40])
    put_points(moto_account, "us-east-1", "AWS/EC2", "NetworkIn", {"InstanceId": iid}, [1e6, 2e6], unit="Bytes")
    put_points(moto_account, "us-east-1", "CWAgent", "mem_used_percent", {"InstanceId": iid}, [55, 65])
    gpu_dims = {"InstanceId": iid, "index": "0", "name": "NVIDIA A10G"}
    put_points(moto_account, "us-east-1", "CWAgent", "nvidia_smi_utilization_gpu", gpu_dims, [80, 90, 70])
    put_points(moto_account, "us-east-1", "CWAgent", "nvidia_smi_memory_used", gpu_dims, [6000, 12000], unit="Megabytes")
    put_points(moto_account, "us-east-1", "CWAgent", "nvidia_smi_memory_total", gpu_dims, [24000, 24000], unit="Megabytes")

    snap = adapter().collect(window)

    (cpu,) = _series(snap, iid, "cpu", "Maximum")
    assert cpu.period_s == 300 and cpu.unit == "Percent"
    assert list(cpu.values) == [10, 20, 30, 40] and np.all(np.diff(cpu.timestamps) == 300)
    assert int(cpu.timestamps[-1]) == int((NOW - timedelta(minutes=5)).timestamp())
    assert _series(snap, iid, "cpu", "Average")
    (net,) = _series(snap, iid, "network_in")
    assert net.stat == "Sum" and net.values.sum() == 3e6
    assert list(_series(snap, iid, "memory", "Maximum")[0].values) == [55, 65]
    (gpu,) = _series(snap, iid, "gpu", "Maximum")
    assert list(gpu.values) == [80, 90, 70] and gpu.dimensions == {"gpu_index": "0"}
    (gmem,) = _series(snap, iid, "gpu_memory", "Maximum")
    assert gmem.values == pytest.approx([25.0, 50.0])  # used / total, as percent


def test_sagemaker_invocations_latency_and_normalised_utilisation(moto_account, adapter, window):
    arn = _endpoint(moto_account, "fraud-detector", "ml.g4dn.xlarge", 2)
    dims = {"EndpointName": "fraud-detector", "VariantName": "AllTraffic"}
    put_points(moto_account, "us-east-1", "AWS/SageMaker", "Invocations", dims, [100, 300], unit="Count")
    put_points(moto_account, "us-east-1", "AWS/SageMaker", "ModelLatency", dims, [45000, 90000], unit="Microseconds")
    put_points(moto_account, "us-east-1", "/aws/sagemaker/Endpoints", "CPUUtilization", dims, [200, 400])  # 4 vCPU
    put_points(moto_account, "us-east-1", "/aws/sagemaker/Endpoints", "GPUUtilization", dims, [50, 75])
    put_points(moto_account, "us-east-1", "/aws/sagemaker/Endpoints", "GPUMemoryUtilization", dims, [30, 31])

    snap = adapter().collect(window)

    (req,) = _series(snap, arn, "requests")
    assert req.stat == "Sum" and list(req.values) == [100, 300] and req.dimensions == {"variant": "AllTraffic"}
    (lat,) = _series(snap, arn, "latency_ms", "Maximum")
    assert lat.values == pytest.approx([45.0, 90.0]) and lat.unit == "Milliseconds"
    assert _series(snap, arn, "cpu", "Maximum")[0].values == pytest.approx([50.0, 100.0])  # / 4 vCPU
    assert _series(snap, arn, "gpu", "Maximum")[0].values == pytest.approx([50.0, 75.0])  # 1 GPU
    assert _series(snap, arn, "gpu_memory", "Average")[0].values == pytest.approx([30.0, 31.0])


def test_s3_size_per_storage_class_objects_nat_bytes_and_rds(moto_account, adapter):
    window = Window(NOW - timedelta(days=3), NOW)
    s3 = moto_account.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="ml-datasets")
    for storage, size in (("StandardStorage", 4e14), ("StandardIAStorage", 2e13)):
        put_points(moto_account, "us-east-1", "AWS/S3", "BucketSizeBytes", {"BucketName": "ml-datasets",
                   "StorageType": storage}, [size, size * 1.01], period=86400, unit="Bytes")
    put_points(moto_account, "us-east-1", "AWS/S3", "NumberOfObjects",
               {"BucketName": "ml-datasets", "StorageType": "AllStorageTypes"}, [9e7, 9.1e7], period=86400, unit="Count")
    ec2 = moto_account.client("ec2", region_name="us-east-1")
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    nat = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=ec2.allocate_address(Domain="vpc")["AllocationId"])
    nat_id = nat["NatGateway"]["NatGatewayId"]
    put_points(moto_account, "us-east-1", "AWS/NATGateway", "BytesOutToDestination", {"NatGatewayId": nat_id},
               [5e9, 7e9], unit="Bytes")
    rds = moto_account.client("rds", region_name="us-east-1")
    db = rds.create_db_instance(DBInstanceIdentifier="meta", DBInstanceClass="db.r5.large", Engine="postgres",
                                AllocatedStorage=20, MasterUsername="u", MasterUserPassword="password123")
    put_points(moto_account, "us-east-1", "AWS/RDS", "CPUUtilization", {"DBInstanceIdentifier": "meta"}, [33, 44])

    snap = adapter().collect(window)

    sizes = {m.dimensions["storage_class"]: m for m in _series(snap, "ml-datasets", "bytes_stored")}
    assert set(sizes) == {"StandardStorage", "StandardIAStorage"}
    assert sizes["StandardStorage"].period_s == 86400 and sizes["StandardStorage"].values[-1] == pytest.approx(4.04e14)
    assert list(_series(snap, "ml-datasets", "objects")[0].values) == [9e7, 9.1e7]
    nat_series = _series(snap, nat_id, "nat_bytes")
    assert sum(m.values.sum() for m in nat_series) == 12e9
    assert {m.dimensions["direction"] for m in nat_series} == {"BytesOutToDestination"}
    assert list(_series(snap, db["DBInstance"]["DBInstanceArn"], "cpu", "Maximum")[0].values) == [33, 44]


def test_get_metric_data_batches_of_500_and_follows_next_token():
    """501 queries -> two calls (500 + 1); the first call's NextToken is followed."""
    cw = boto3.client("cloudwatch", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    window = Window(NOW - timedelta(hours=1), NOW)
    queries = [metrics.Query(f"i-{n}", "cpu", "Percent", "Maximum", "AWS/EC2", "CPUUtilization",
                             [{"Name": "InstanceId", "Value": f"i-{n}"}], 300) for n in range(501)]
    t1, t2 = NOW - timedelta(minutes=10), NOW - timedelta(minutes=5)
    with Stubber(cw) as stub:
        first = {"MetricDataQueries": [q.request(f"q{i}") for i, q in enumerate(queries[:500])],
                 "StartTime": window.start, "EndTime": window.end, "ScanBy": "TimestampAscending"}
        second = {**first, "MetricDataQueries": [queries[500].request("q500")]}
        stub.add_response("get_metric_data", {"MetricDataResults": [
            {"Id": "q0", "Timestamps": [t1], "Values": [1.0], "StatusCode": "PartialData"}], "NextToken": "tok"}, first)
        stub.add_response("get_metric_data", {"MetricDataResults": [
            {"Id": "q0", "Timestamps": [t2], "Values": [2.0], "StatusCode": "Complete"}]}, {**first, "NextToken": "tok"})
        stub.add_response("get_metric_data", {"MetricDataResults": [
            {"Id": "q500", "Timestamps": [t1], "Values": [7.0], "StatusCode": "Complete"}]}, second)
        out = metrics.fetch(cw, queries, window)
        stub.assert_no_pending_responses()
    by_id = {m.resource_id: m for m in out}
    assert list(by_id["i-0"].values) == [1.0, 2.0]
    assert list(by_id["i-500"].values) == [7.0]
    assert len(out) == 2


def test_fine_period_is_hourly_past_63_days():
    assert metrics.fine_period(Window(NOW - timedelta(days=14), NOW)) == 300
    assert metrics.fine_period(Window(NOW - timedelta(days=90), NOW)) == 3600


def test_a_sparse_hourly_series_read_at_5_minutes_counts_its_own_hours(moto_account, adapter):
    """14 days of hourly agent points read at 300 s are 336 hours of data, not 336 x 5 min = 28 h."""
    ec2 = moto_account.client("ec2", region_name="us-east-1")
    iid = ec2.run_instances(ImageId=AMI, InstanceType="m5.large", MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    hourly = [40.0 + (i % 24) for i in range(14 * 24)]
    put_points(moto_account, "us-east-1", "CWAgent", "mem_used_percent", {"InstanceId": iid}, hourly, period=3600)
    put_points(moto_account, "us-east-1", "AWS/EC2", "CPUUtilization", {"InstanceId": iid}, [10.0] * 12)  # 5-min

    snap = adapter(period_s=300).collect(Window(NOW - timedelta(days=14), NOW))

    (mem,) = _series(snap, iid, "memory", "Maximum")
    assert len(mem) == 14 * 24 and mem.period_s == 3600
    assert metric_stats(snap.metrics, "memory").loc[iid, "hours"] == pytest.approx(14 * 24)
    (cpu,) = _series(snap, iid, "cpu", "Maximum")
    assert cpu.period_s == 300 and metric_stats(snap.metrics, "cpu").loc[iid, "hours"] == pytest.approx(1.0)


@pytest.mark.parametrize("steps, expected", [
    ([3600] * 10, 3600),                       # hourly points read at 5 minutes
    ([300] * 10, 300),
    ([300, 300, 900, 300, 1200], 300),         # gaps in a 5-minute series keep the asked period
    ([600, 1200, 600, 1800, 600, 900], 600),   # one request every 10 minutes: half the steps
    ([900, 1200, 600, 1800, 2100, 2400], 300),  # irregular: no dominant step
    ([450] * 6, 300),                          # not a multiple of the asked period
])
def test_native_period(steps, expected):
    ts = np.cumsum([0, *steps]).astype(np.int64)
    assert metrics.native_period(ts, 300) == expected
