"""Seed the demo ML estate into the active moto account (used by :mod:`costopt.demo.aws`).

Resources are created through boto3 like a user would; creation dates moto cannot set
(snapshot start times, launch and creation times) are back-dated on moto's own objects so
ages are realistic. Metrics: first point of every series through ``put_metric_data``, the
rest as bulk arrays (see :mod:`costopt.demo.moto_metrics`). Cost Explorer results
are configured through moto's documented ``/moto-api/static/ce/cost-and-usage-results``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import requests
from moto.backends import get_backend

from costopt.demo.aws_costs import daily_lines
from costopt.demo.moto_metrics import metric_key
from costopt.tradeoff.ggc import mean_response, response_quantile

ACCOUNT = "123456789012"
MOTO_API = "http://motoapi.amazonaws.com/moto-api"
AMI = "ami-0c5d1e5a9b1f2c3d4"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/sagemaker-execution"


def reset_ids(seed: int) -> None:
    """Make moto's generated ids deterministic (documented moto API)."""
    requests.post(f"{MOTO_API}/seed?a={seed}", timeout=5)


def _dt(epoch: int) -> datetime:
    return datetime.fromtimestamp(int(epoch), tz=UTC)


def diurnal(ts: np.ndarray) -> np.ndarray:
    """0 at 04:00 UTC, 1 at 16:00 UTC."""
    hours = (ts % 86400) / 3600.0
    return 0.5 - 0.5 * np.cos(2 * np.pi * (hours - 4.0) / 24.0)


def office_hours(ts: np.ndarray) -> np.ndarray:
    hours = (ts % 86400) // 3600
    weekday = ((ts // 86400) + 3) % 7  # 1970-01-01 was a Thursday -> 0 = Monday
    return ((weekday < 5) & (hours >= 8) & (hours < 18)).astype(float)


def _tags(**kv: str) -> list[dict[str, str]]:
    return [{"Key": k.replace("__", ":").replace("_", "-") if k.startswith("costopt") else k, "Value": v}
            for k, v in kv.items()]


def tagset(name: str, workload: str, team: str, interruptible: str | None = None,
           model: str | None = None) -> list[dict[str, str]]:
    tags = [{"Key": "Name", "Value": name}, {"Key": "costopt:workload", "Value": workload},
            {"Key": "costopt:team", "Value": team}]
    if interruptible is not None:
        tags.append({"Key": "costopt:interruptible", "Value": interruptible})
    if model:
        tags.append({"Key": "costopt:model", "Value": model})
    return tags


class Metrics:
    """Writes one series: first point via put_metric_data, the rest into the bulk store."""

    def __init__(self, session: Any, region: str, estate: Any, ts: np.ndarray, rng: np.random.Generator):
        self.cw = session.client("cloudwatch", region_name=region)
        self.region, self.estate, self.ts, self.rng = region, estate, ts, rng

    def noise(self, scale: float) -> np.ndarray:
        return self.rng.normal(0.0, scale, self.ts.size)

    def put(self, namespace: str, name: str, dims: dict[str, str], avg: np.ndarray, peak: float = 1.3,
            unit: str = "None", ts: np.ndarray | None = None, cap: float | None = None,
            maximum: np.ndarray | None = None) -> None:
        ts = self.ts if ts is None else ts
        avg = np.clip(np.asarray(avg, dtype=float), 0.0, cap)
        mx = (avg * (peak + np.abs(self.rng.normal(0.0, 0.05, ts.size))) if maximum is None
              else np.maximum(np.asarray(maximum, dtype=float), avg))
        if cap is not None:
            mx = np.minimum(mx, cap)
        d = [{"Name": k, "Value": v} for k, v in dims.items()]
        self.cw.put_metric_data(Namespace=namespace, MetricData=[{
            "MetricName": name, "Dimensions": d, "Timestamp": _dt(ts[0]), "Unit": unit,
            "StatisticValues": {"SampleCount": 5.0, "Sum": float(avg[0] * 5), "Minimum": float(avg[0]),
                                "Maximum": float(mx[0])}}])
        self.estate.bulk.add(ACCOUNT, self.region, metric_key(namespace, name, dims), ts[1:], avg[1:], mx[1:])

    def percentiles(self, namespace: str, name: str, dims: dict[str, str], ts: np.ndarray,
                    values: dict[str, np.ndarray]) -> None:
        """Request percentiles ({"p95": array...}) of the periods starting at ``ts``."""
        self.estate.bulk.add_percentiles(ACCOUNT, self.region, metric_key(namespace, name, dims), ts, values)

    def count(self, namespace: str, name: str, dims: dict[str, str], per_period: np.ndarray, unit: str = "Count",
              ts: np.ndarray | None = None) -> None:
        """A counter: the Sum over each period is ``per_period`` (5 samples of a fifth each)."""
        self.put(namespace, name, dims, np.asarray(per_period) / 5.0, 1.0, unit, ts)

    def instance(self, iid: str, cpu: np.ndarray, gpu: np.ndarray | None = None, gpu_mem: Any = None,
                 mem: float | None = None, gpu_total_mib: float = 16384.0) -> None:
        self.put("AWS/EC2", "CPUUtilization", {"InstanceId": iid}, cpu, unit="Percent", cap=100.0)
        self.count("AWS/EC2", "NetworkIn", {"InstanceId": iid}, np.maximum(cpu, 0) * 2e5, "Bytes")
        self.count("AWS/EC2", "NetworkOut", {"InstanceId": iid}, np.maximum(cpu, 0) * 1e5, "Bytes")
        if mem is not None:
            self.put("CWAgent", "mem_used_percent", {"InstanceId": iid}, mem + self.noise(2.0), 1.05, "Percent", cap=100)
        if gpu is not None:
            g = {"InstanceId": iid, "index": "0", "name": "gpu"}
            self.put("CWAgent", "nvidia_smi_utilization_gpu", g, gpu, unit="Percent", cap=100.0)
            used = np.clip(gpu_total_mib * np.asarray(0 if gpu_mem is None else gpu_mem) / 100.0 + self.noise(50.0), 0, gpu_total_mib)
            self.put("CWAgent", "nvidia_smi_memory_used", g, used, 1.02, "Megabytes", cap=gpu_total_mib)
            self.put("CWAgent", "nvidia_smi_memory_total", g, np.full(self.ts.size, gpu_total_mib), 1.0, "Megabytes")


def _backdate(service: str, region: str, collection: str, key: str, attr: str, when: datetime) -> None:
    """Set a creation time moto always takes as 'now' (seed data only)."""
    backend = get_backend(service)[ACCOUNT][region]
    obj = backend.get_instance(key) if collection == "instances" else getattr(backend, collection)[key]
    setattr(obj, attr, when)


def _run(ec2: Any, itype: str, tags: list[dict[str, str]]) -> str:
    res = ec2.run_instances(ImageId=AMI, InstanceType=itype, MinCount=1, MaxCount=1,
                            TagSpecifications=[{"ResourceType": "instance", "Tags": tags}])
    return res["Instances"][0]["InstanceId"]


def _endpoint(sm: Any, name: str, itype: str, count: int, tags: list[dict[str, str]]) -> str:
    sm.create_model(ModelName=f"{name}-model", ExecutionRoleArn=ROLE,
                    PrimaryContainer={"Image": f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/{name}:latest"})
    sm.create_endpoint_config(EndpointConfigName=f"{name}-config", ProductionVariants=[{
        "VariantName": "AllTraffic", "ModelName": f"{name}-model", "InitialInstanceCount": count,
        "InstanceType": itype, "InitialVariantWeight": 1.0}])
    return sm.create_endpoint(EndpointName=name, EndpointConfigName=f"{name}-config",
                              Tags=[t for t in tags if t["Key"] != "Name"])["EndpointArn"]


def seed_region(session: Any, region: str, now: datetime, ts: np.ndarray, rng: np.random.Generator, estate: Any) -> None:
    ec2 = session.client("ec2", region_name=region)
    sm = session.client("sagemaker", region_name=region)
    m = Metrics(session, region, estate, ts, rng)
    d = diurnal(ts)
    ids = estate.ids
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    if region == "us-east-1":
        ids["train-vision-a"] = _run(ec2, "p3.8xlarge", tagset("train-vision-a", "training", "vision", "true"))
        ids["train-vision-b"] = _run(ec2, "g5.12xlarge", tagset("train-vision-b", "training", "vision", "true"))
        ids["train-nlp"] = _run(ec2, "g5.2xlarge", tagset("train-nlp", "training", "search", "true"))
        ids["nb-alice"] = _run(ec2, "g4dn.xlarge", tagset("nb-alice", "notebook", "vision", "false"))
        for name, days in (("train-vision-a", 40), ("train-vision-b", 35), ("train-nlp", 30), ("nb-alice", 60)):
            _backdate("ec2", region, "instances", ids[name], "launch_time", now - timedelta(days=days))
        m.instance(ids["train-vision-a"], 55 + m.noise(6), 85 + m.noise(4), 80, 70, gpu_total_mib=16384)
        m.instance(ids["train-vision-b"], 0.8 + np.abs(m.noise(0.3)), 0.2 + np.abs(m.noise(0.1)), 1.5, 6,
                   gpu_total_mib=24576)
        m.instance(ids["train-nlp"], 18 + m.noise(3), 25 + m.noise(4), 20, 30, gpu_total_mib=24576)
        oh = office_hours(ts)
        m.instance(ids["nb-alice"], 1 + 35 * oh + np.abs(m.noise(2)), 45 * oh + np.abs(m.noise(1)), 10 + 50 * oh, 30,
                   gpu_total_mib=16384)
        seed_fleet(session, ec2, m, d, ids)
        ids["fraud-detector"] = _endpoint(sm, "fraud-detector", "ml.g4dn.xlarge", 4,
                                          tagset("fraud-detector", "inference", "fraud", "false", "fraud-detector"))
        ids["churn-scorer-dev"] = _endpoint(sm, "churn-scorer-dev", "ml.g4dn.xlarge", 1,
                                            tagset("churn-scorer-dev", "dev", "fraud", "true", "churn-scorer"))
        seed_serving(m, "fraud-detector", FRAUD_DETECTOR, d, vcpu=4, cpu=8 + 22 * d, gpu_mem=35)
        sparse = ts[[1500, 2900, 3700]]
        m.count("AWS/SageMaker", "Invocations", {"EndpointName": "churn-scorer-dev", "VariantName": "AllTraffic"},
                np.ones(3), ts=sparse)
        seed_endpoint_metrics(m, "churn-scorer-dev", vcpu=4, requests=None, latency_ms=None, cpu=0.4 + 0 * d,
                              gpu=0 * d, gpu_mem=6)
        seed_idle_storage(ec2, region, now, ids, [("old-train-scratch", "gp2", 500), ("dataset-cache-old", "gp3", 1000)],
                          [(120, 750), (200, 750), (300, 750), (10, 750)])
        eip = ec2.allocate_address(Domain="vpc")
        ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=ids["train-vision-a"])
        ids["eip-unused"] = ec2.allocate_address(Domain="vpc",
                                                 TagSpecifications=[{"ResourceType": "elastic-ip",
                                                                     "Tags": [{"Key": "Name", "Value": "old-demo-ip"}]}])["AllocationId"]
        ids["nat-pipeline"] = _nat(ec2, subnet, "nat-pipeline", region, now)
        m.count("AWS/NATGateway", "BytesInFromDestination", {"NatGatewayId": ids["nat-pipeline"]},
                6e9 * (0.3 + 0.7 * d), "Bytes")
        m.count("AWS/NATGateway", "BytesOutToDestination", {"NatGatewayId": ids["nat-pipeline"]},
                1.5e9 * (0.3 + 0.7 * d), "Bytes")
        rds = session.client("rds", region_name=region)
        db = rds.create_db_instance(DBInstanceIdentifier="feature-meta", DBInstanceClass="db.r5.large", Engine="postgres",
                                    AllocatedStorage=200, MasterUsername="costopt", MasterUserPassword="demo-password-1",
                                    Tags=[{"Key": "costopt:workload", "Value": "data"}, {"Key": "costopt:team", "Value": "platform"}])
        ids["feature-meta"] = db["DBInstance"]["DBInstanceArn"]
        m.put("AWS/RDS", "CPUUtilization", {"DBInstanceIdentifier": "feature-meta"}, 20 + 15 * d + m.noise(2),
              unit="Percent", cap=100.0)
    else:
        ids["recsys-ranker"] = _endpoint(sm, "recsys-ranker", "ml.g4dn.2xlarge", 2,
                                         tagset("recsys-ranker", "inference", "search", "false", "recsys-ranker"))
        aas = session.client("application-autoscaling", region_name=region)
        rid = "endpoint/recsys-ranker/variant/AllTraffic"
        aas.register_scalable_target(ServiceNamespace="sagemaker", ResourceId=rid, MinCapacity=2, MaxCapacity=4,
                                     ScalableDimension="sagemaker:variant:DesiredInstanceCount")
        aas.put_scaling_policy(PolicyName="recsys-invocations", ServiceNamespace="sagemaker", ResourceId=rid,
                               ScalableDimension="sagemaker:variant:DesiredInstanceCount", PolicyType="TargetTrackingScaling",
                               TargetTrackingScalingPolicyConfiguration={
                                   "TargetValue": 1500.0,
                                   "PredefinedMetricSpecification": {"PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"}})
        seed_serving(m, "recsys-ranker", RECSYS_RANKER, d, vcpu=8, cpu=10 + 30 * d, gpu_mem=40)
        seed_idle_storage(ec2, region, now, ids, [("tmp-export", "gp2", 200)], [(150, 300), (400, 300)])
        ids["nat-idle"] = _nat(ec2, subnet, "nat-legacy-etl", region, now)
        m.count("AWS/NATGateway", "BytesOutToDestination", {"NatGatewayId": ids["nat-idle"]}, np.zeros(ts.size), "Bytes")
    for name in ("fraud-detector", "churn-scorer-dev", "recsys-ranker"):
        if name in ids and ids[name].split(":")[3] == region:
            _backdate("sagemaker", region, "endpoints", name, "creation_time", now - timedelta(days=45))


def _nat(ec2: Any, subnet: str, name: str, region: str, now: datetime) -> str:
    eip = ec2.allocate_address(Domain="vpc")
    nat = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=eip["AllocationId"],
                                 TagSpecifications=[{"ResourceType": "natgateway", "Tags": [
                                     {"Key": "Name", "Value": name}, {"Key": "costopt:team", "Value": "platform"},
                                     {"Key": "costopt:workload", "Value": "data"}]}])["NatGateway"]["NatGatewayId"]
    _backdate("ec2", region, "nat_gateways", nat, "_created_at", now - timedelta(days=90))
    return nat


def seed_fleet(session: Any, ec2: Any, m: Metrics, d: np.ndarray, ids: dict[str, str]) -> None:
    """search-embed: an ASG of 6 x c5.4xlarge, CPU p99.5 around 20 % with a daily cycle, no scaling policy."""
    ec2.create_launch_template(LaunchTemplateName="search-embed",
                               LaunchTemplateData={"ImageId": AMI, "InstanceType": "c5.4xlarge"})
    asg = session.client("autoscaling", region_name="us-east-1")
    tags = [{"Key": k, "Value": v, "PropagateAtLaunch": True} for k, v in
            (("costopt:workload", "inference"), ("costopt:team", "search"), ("costopt:model", "search-embed"),
             ("costopt:interruptible", "false"), ("Name", "search-embed"))]
    asg.create_auto_scaling_group(AutoScalingGroupName="search-embed", MinSize=6, MaxSize=6, DesiredCapacity=6,
                                  LaunchTemplate={"LaunchTemplateName": "search-embed", "Version": "$Latest"},
                                  AvailabilityZones=["us-east-1a", "us-east-1b"], Tags=tags)
    group = asg.describe_auto_scaling_groups(AutoScalingGroupNames=["search-embed"])["AutoScalingGroups"][0]
    ids["search-embed"] = group["AutoScalingGroupARN"]
    for n, inst in enumerate(sorted(i["InstanceId"] for i in group["Instances"])):
        ids[f"search-embed-{n}"] = inst
        m.instance(inst, 3 + 11 * d + np.abs(m.noise(1.5)))


@dataclass(frozen=True)
class Serving:
    """An endpoint's traffic as a queue: ``servers`` model copies, each request taking ``service_ms``
    on average (coefficient of variation ``service_cv``, lognormal), arrivals Poisson at
    ``base_rps + peak_rps x diurnal``. GPU utilisation is the servers' busy share (rate x service /
    servers), and ModelLatency's Average and Maximum per period are the queue's mean and 99.9th
    percentile response time (costopt.tradeoff.ggc), and its hourly request percentiles (the
    extended statistics p50..p99) the queue's at the hour's mean rate, so requests, GPU and
    latency tell one story."""

    servers: int
    service_ms: float
    service_cv: float
    base_rps: float
    peak_rps: float

    def rate(self, d: np.ndarray) -> np.ndarray:
        return self.base_rps + self.peak_rps * d

    def latency_ms(self, rate: np.ndarray, q: float | None = None) -> np.ndarray:
        mean_s = self.service_ms / 1000.0
        levels = np.round(rate, 1)  # memoised per distinct load level
        if q is None:
            values = [mean_response(float(x), mean_s, self.service_cv, "lognormal", self.servers) for x in levels]
        else:
            values = [response_quantile(float(x), mean_s, self.service_cv, "lognormal", self.servers, q) for x in levels]
        return np.asarray(values) * 1000.0


DEMO_PERCENTILES = (0.5, 0.9, 0.95, 0.99)


# fraud-detector: 4 x ml.g4dn.xlarge at 20 ms per request; 24 rps at night to 110 rps at 16:00 UTC
# (GPU 12% -> 55% busy). recsys-ranker: 2 x ml.g4dn.2xlarge at 40 ms; 10 -> 30 rps (20% -> 60%).
FRAUD_DETECTOR = Serving(servers=4, service_ms=20.0, service_cv=0.5, base_rps=24.0, peak_rps=86.0)
RECSYS_RANKER = Serving(servers=2, service_ms=40.0, service_cv=0.5, base_rps=10.0, peak_rps=20.0)


def seed_serving(m: Metrics, name: str, serving: Serving, d: np.ndarray, *, vcpu: int, cpu, gpu_mem: float) -> None:
    """Invocations, ModelLatency and GPU utilisation of a :class:`Serving` endpoint, with noise."""
    rate = serving.rate(d)
    busy = rate * serving.service_ms / 1000.0 / serving.servers
    noise = 1.0 + m.noise(0.03)
    avg, p999 = serving.latency_ms(rate) * noise, serving.latency_ms(rate, 0.999) * noise
    dims = {"EndpointName": name, "VariantName": "AllTraffic"}
    m.count("AWS/SageMaker", "Invocations", dims, np.round(rate * 300.0 * (1 + m.noise(0.02))))
    m.put("AWS/SageMaker", "ModelLatency", dims, avg * 1000.0, unit="Microseconds", maximum=p999 * 1000.0)
    # request percentiles per hour (the period the demo reads): the queue's at the hour's mean rate
    starts, hour = np.unique(m.ts // 3600 * 3600, return_inverse=True)
    per_hour = np.bincount(hour)
    hourly_rate, hourly_noise = np.bincount(hour, rate) / per_hour, np.bincount(hour, noise) / per_hour
    m.percentiles("AWS/SageMaker", "ModelLatency", dims, starts,
                  {f"p{q * 100:g}": serving.latency_ms(hourly_rate, q) * hourly_noise * 1000.0 for q in DEMO_PERCENTILES})
    seed_endpoint_metrics(m, name, vcpu=vcpu, requests=None, latency_ms=None, cpu=cpu, gpu=100.0 * busy, gpu_mem=gpu_mem)


def seed_endpoint_metrics(m: Metrics, name: str, *, vcpu: int, requests, latency_ms, cpu, gpu, gpu_mem: float) -> None:
    dims = {"EndpointName": name, "VariantName": "AllTraffic"}
    if requests is not None:
        m.count("AWS/SageMaker", "Invocations", dims, np.round(requests * (1 + m.noise(0.05))))
    if latency_ms is not None:
        m.put("AWS/SageMaker", "ModelLatency", dims, (latency_ms + m.noise(2)) * 1000.0, 1.6, "Microseconds")
    m.put("/aws/sagemaker/Endpoints", "CPUUtilization", dims, vcpu * np.clip(cpu + m.noise(1.5), 0, 100), unit="Percent")
    m.put("/aws/sagemaker/Endpoints", "GPUUtilization", dims, np.clip(gpu + m.noise(1.5), 0, 100), unit="Percent", cap=100)
    m.put("/aws/sagemaker/Endpoints", "GPUMemoryUtilization", dims, gpu_mem + m.noise(1.0), 1.05, "Percent", cap=100)


def seed_idle_storage(ec2: Any, region: str, now: datetime, ids: dict[str, str],
                      volumes: list[tuple[str, str, int]], snapshots: list[tuple[int, int]]) -> None:
    az = f"{region}a"
    for name, vtype, size in volumes:
        vol = ec2.create_volume(AvailabilityZone=az, Size=size, VolumeType=vtype, TagSpecifications=[
            {"ResourceType": "volume", "Tags": [{"Key": "Name", "Value": name}, {"Key": "costopt:team", "Value": "vision"}]}])
        ids[name] = vol["VolumeId"]
        _backdate("ec2", region, "volumes", vol["VolumeId"], "create_time", now - timedelta(days=75))
    for n, (age, size) in enumerate(snapshots):
        source = ec2.create_volume(AvailabilityZone=az, Size=size, VolumeType="gp3")["VolumeId"]
        snap = ec2.create_snapshot(VolumeId=source, Description=f"nightly backup {n}", TagSpecifications=[
            {"ResourceType": "snapshot", "Tags": [{"Key": "Name", "Value": f"train-data-backup-{n}"}]}])
        ec2.delete_volume(VolumeId=source)
        ids[f"snapshot-{region}-{n}"] = snap["SnapshotId"]
        _backdate("ec2", region, "snapshots", snap["SnapshotId"], "start_time", now - timedelta(days=age))


TB = 1e12


def seed_buckets(session: Any, now: datetime, rng: np.random.Generator, estate: Any) -> None:
    s3 = session.client("s3", region_name="us-east-1")
    cw = session.client("cloudwatch", region_name="us-east-1")
    days = [now.replace(hour=0, minute=0) - timedelta(days=k) for k in range(14, 0, -1)]
    spec = {
        f"ml-datasets-{ACCOUNT}": ("data", "search", {"StandardStorage": 400 * TB, "StandardIAStorage": 25 * TB}, 9e7),
        f"ml-checkpoints-{ACCOUNT}": ("training", "vision", {"StandardStorage": 60 * TB}, 2e6),
        f"feature-store-{ACCOUNT}": ("data", "fraud", {"StandardStorage": 6 * TB}, 4e8),
    }
    for name, (workload, team, classes, objects) in spec.items():
        s3.create_bucket(Bucket=name)
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": "costopt:workload", "Value": workload},
                                                               {"Key": "costopt:team", "Value": team}]})
        estate.ids[name] = name
        if name.startswith("ml-datasets"):
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
            s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={"Rules": [{
                "ID": "abort-uploads", "Status": "Enabled", "Filter": {"Prefix": ""},
                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}}]})
        elif name.startswith("feature-store"):
            s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={"Rules": [{
                "ID": "expire-tmp", "Status": "Enabled", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": 7}}]})
        data = []
        for storage, size in classes.items():
            growth = np.linspace(0.97, 1.0, len(days))
            data += [{"MetricName": "BucketSizeBytes", "Timestamp": day, "Value": float(size * g), "Unit": "Bytes",
                      "Dimensions": [{"Name": "BucketName", "Value": name}, {"Name": "StorageType", "Value": storage}]}
                     for day, g in zip(days, growth)]
        data += [{"MetricName": "NumberOfObjects", "Timestamp": day, "Value": float(objects), "Unit": "Count",
                  "Dimensions": [{"Name": "BucketName", "Value": name}, {"Name": "StorageType", "Value": "AllStorageTypes"}]}
                 for day in days]
        # S3 request metrics (a bucket-wide filter): datasets and checkpoints are rarely read.
        data += [{"MetricName": "GetRequests", "Timestamp": day, "Value": float(DAILY_GETS[name.rsplit("-", 1)[0]]),
                  "Unit": "Count", "Dimensions": [{"Name": "BucketName", "Value": name},
                                                  {"Name": "FilterId", "Value": "EntireBucket"}]}
                 for day in days]
        cw.put_metric_data(Namespace="AWS/S3", MetricData=data)


DAILY_GETS = {"ml-datasets": 40_000, "ml-checkpoints": 3_000, "feature-store": 60_000_000}


def seed_costs(now: datetime, estate: Any) -> None:
    """Daily Cost Explorer results by service and usage type (what GetCostAndUsage returns)."""
    end = now.date()
    results = []
    for k in range(14, 0, -1):
        day = end - timedelta(days=k)
        groups = [{"Keys": [service, usage], "Metrics": {
            "UnblendedCost": {"Amount": f"{amount:.4f}", "Unit": "USD"},
            "AmortizedCost": {"Amount": f"{amount:.4f}", "Unit": "USD"},
            "UsageQuantity": {"Amount": f"{qty:.3f}", "Unit": unit}}}
            for service, usage, amount, qty, unit in daily_lines(day.toordinal())]
        results.append({"TimePeriod": {"Start": day.isoformat(), "End": (day + timedelta(days=1)).isoformat()},
                        "Total": {}, "Groups": groups, "Estimated": False})
    requests.post(f"{MOTO_API}/static/ce/cost-and-usage-results", timeout=5,
                  json={"account_id": ACCOUNT, "results": [{"ResultsByTime": results, "DimensionValueAttributes": []}]})
