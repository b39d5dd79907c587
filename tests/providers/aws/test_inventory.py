"""Every resource kind the AWS adapter inventories, read from a moto account."""

from __future__ import annotations

import pytest

AMI = "ami-12345678"


def _by_kind(snapshot, kind):
    return [r for r in snapshot.resources if r.kind == kind]


def test_ec2_instances_with_specs_tags_and_workload(moto_account, adapter, window):
    ec2 = moto_account.client("ec2", region_name="us-east-1")
    gpu = ec2.run_instances(ImageId=AMI, InstanceType="g5.2xlarge", MinCount=1, MaxCount=1, TagSpecifications=[
        {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "train-nlp"},
                                             {"Key": "costopt:workload", "Value": "training"}]}])["Instances"][0]
    cpu = ec2.run_instances(ImageId=AMI, InstanceType="m5.large", MinCount=1, MaxCount=1)["Instances"][0]
    gone = ec2.run_instances(ImageId=AMI, InstanceType="m5.large", MinCount=1, MaxCount=1)["Instances"][0]
    ec2.terminate_instances(InstanceIds=[gone["InstanceId"]])

    snap = adapter().collect(window)

    ids = {r.id: r for r in snap.resources if r.kind in ("vm", "gpu_vm")}
    assert gone["InstanceId"] not in ids
    g = ids[gpu["InstanceId"]]
    assert g.kind == "gpu_vm" and g.type == "g5.2xlarge" and g.name == "train-nlp" and g.workload == "training"
    assert g.specs["vcpu"] == 8 and g.specs["memory_gib"] == 32 and g.specs["gpu_count"] == 1
    assert "A10G" in g.specs["gpu_model"] and g.specs["gpu_memory_gib"] > 20
    assert g.attributes["state"] == "running" and g.attributes["launch_time"]
    assert g.pricing_model == "on_demand"
    assert g.hourly_cost == pytest.approx(1.212)  # bundled catalog on-demand price
    c = ids[cpu["InstanceId"]]
    assert c.kind == "vm" and c.specs["gpu_count"] == 0 and c.workload is None


def test_volumes_snapshots_addresses(moto_account, adapter, window):
    ec2 = moto_account.client("ec2", region_name="us-east-1")
    free = ec2.create_volume(AvailabilityZone="us-east-1a", Size=500, VolumeType="gp3")["VolumeId"]
    snap_id = ec2.create_snapshot(VolumeId=free, Description="backup")["SnapshotId"]
    inst = ec2.run_instances(ImageId=AMI, InstanceType="m5.large", MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    loose = ec2.allocate_address(Domain="vpc")["AllocationId"]
    used = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.associate_address(AllocationId=used, InstanceId=inst)

    snap = adapter().collect(window)

    vols = {r.id: r for r in _by_kind(snap, "volume")}
    assert vols[free].attributes["attached"] is False
    assert vols[free].attributes["size_gb"] == 500 and vols[free].attributes["volume_type"] == "gp3"
    assert vols[free].attributes["iops"] == 3000
    assert any(v.attributes["attached"] and inst in v.attributes["attached_to"] for v in vols.values())
    snaps = {r.id: r for r in _by_kind(snap, "snapshot")}
    assert snaps[snap_id].attributes["size_gb"] == 500 and snaps[snap_id].attributes["owner"] == "self"
    assert snaps[snap_id].created is not None
    addrs = {r.id: r for r in _by_kind(snap, "address")}
    assert addrs[loose].attributes["associated"] is False
    assert addrs[used].attributes["associated"] is True and addrs[used].attributes["instance_id"] == inst


def test_nat_gateways_and_s3_gateway_endpoint(moto_account, adapter, window):
    ec2 = moto_account.client("ec2", region_name="us-east-1")
    subnet = ec2.describe_subnets()["Subnets"][0]
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=subnet["SubnetId"], AllocationId=eip, TagSpecifications=[
        {"ResourceType": "natgateway", "Tags": [{"Key": "Name", "Value": "nat-pipeline"}]}])["NatGateway"]
    snap = adapter().collect(window)
    (r,) = _by_kind(snap, "nat_gateway")
    assert r.id == nat["NatGatewayId"] and r.name == "nat-pipeline"
    assert r.attributes["vpc_id"] == subnet["VpcId"] and r.attributes["vpc_has_s3_gateway_endpoint"] is False

    ec2.create_vpc_endpoint(VpcId=subnet["VpcId"], ServiceName="com.amazonaws.us-east-1.s3", VpcEndpointType="Gateway")
    (r,) = _by_kind(adapter().collect(window), "nat_gateway")
    assert r.attributes["vpc_has_s3_gateway_endpoint"] is True


def test_buckets_lifecycle_versioning_tags_and_region_filter(moto_account, adapter, window):
    s3 = moto_account.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="ml-checkpoints")
    s3.create_bucket(Bucket="ml-datasets")
    s3.create_bucket(Bucket="eu-data", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_bucket_lifecycle_configuration(Bucket="ml-datasets", LifecycleConfiguration={"Rules": [{
        "ID": "ia", "Status": "Enabled", "Filter": {"Prefix": ""},
        "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}]}]})
    s3.put_bucket_versioning(Bucket="ml-datasets", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_tagging(Bucket="ml-checkpoints", Tagging={"TagSet": [{"Key": "costopt:workload", "Value": "training"}]})

    snap = adapter().collect(window)

    buckets = {r.id: r for r in _by_kind(snap, "bucket")}
    assert set(buckets) == {"ml-checkpoints", "ml-datasets"}  # eu-data is outside --regions
    assert buckets["ml-checkpoints"].attributes["has_lifecycle"] is False
    assert buckets["ml-checkpoints"].workload == "training"
    ds = buckets["ml-datasets"].attributes
    assert ds["has_lifecycle"] is True and ds["versioning"] == "Enabled"
    assert ds["lifecycle_rules"][0]["transitions"] == [{"days": 30, "storage_class": "STANDARD_IA"}]
    both = adapter(regions=("us-east-1", "eu-west-1")).collect(window)
    assert {r.id: r.region for r in _by_kind(both, "bucket")}["eu-data"] == "eu-west-1"


def _endpoint(session, name, itype, count, region="us-east-1"):
    sm = session.client("sagemaker", region_name=region)
    sm.create_model(ModelName=f"{name}-m", ExecutionRoleArn="arn:aws:iam::123456789012:role/x",
                    PrimaryContainer={"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1"})
    sm.create_endpoint_config(EndpointConfigName=f"{name}-c", ProductionVariants=[{
        "VariantName": "AllTraffic", "ModelName": f"{name}-m", "InitialInstanceCount": count, "InstanceType": itype}])
    return sm.create_endpoint(EndpointName=name, EndpointConfigName=f"{name}-c",
                              Tags=[{"Key": "costopt:model", "Value": name}])["EndpointArn"]


def test_sagemaker_endpoints_with_variants_and_autoscaling(moto_account, adapter, window):
    arn = _endpoint(moto_account, "fraud-detector", "ml.g4dn.xlarge", 4)
    aas = moto_account.client("application-autoscaling", region_name="us-east-1")
    rid = "endpoint/fraud-detector/variant/AllTraffic"
    aas.register_scalable_target(ServiceNamespace="sagemaker", ResourceId=rid, MinCapacity=2, MaxCapacity=8,
                                 ScalableDimension="sagemaker:variant:DesiredInstanceCount")
    aas.put_scaling_policy(PolicyName="p", ServiceNamespace="sagemaker", ResourceId=rid,
                           ScalableDimension="sagemaker:variant:DesiredInstanceCount", PolicyType="TargetTrackingScaling",
                           TargetTrackingScalingPolicyConfiguration={"TargetValue": 900.0, "PredefinedMetricSpecification": {
                               "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"}})
    snap = adapter().collect(window)
    (ep,) = _by_kind(snap, "endpoint")
    assert ep.id == arn and ep.name == "fraud-detector" and ep.type == "ml.g4dn.xlarge" and ep.count == 4
    assert ep.workload == "inference" and ep.attributes["model"] == "fraud-detector"
    (variant,) = ep.attributes["variants"]
    assert variant["instance_type"] == "ml.g4dn.xlarge" and variant["instance_count"] == 4
    assert variant["autoscaling"]["min"] == 2 and variant["autoscaling"]["max"] == 8
    assert variant["autoscaling"]["policies"][0]["target_value"] == 900.0
    assert ep.specs["vcpu"] == 4 and ep.specs["gpu_count"] == 1  # from g4dn.xlarge
    assert ep.hourly_cost == pytest.approx(4 * 0.7364)


def test_autoscaling_groups_and_rds(moto_account, adapter, window):
    ec2 = moto_account.client("ec2", region_name="us-east-1")
    ec2.create_launch_template(LaunchTemplateName="search-lt", LaunchTemplateData={"ImageId": AMI, "InstanceType": "c5.4xlarge"})
    asg = moto_account.client("autoscaling", region_name="us-east-1")
    asg.create_auto_scaling_group(AutoScalingGroupName="search-embed", MinSize=2, MaxSize=6, DesiredCapacity=3,
                                  LaunchTemplate={"LaunchTemplateName": "search-lt", "Version": "$Latest"},
                                  AvailabilityZones=["us-east-1a"])
    asg.put_scaling_policy(AutoScalingGroupName="search-embed", PolicyName="cpu50", PolicyType="TargetTrackingScaling",
                           TargetTrackingConfiguration={"TargetValue": 50.0, "PredefinedMetricSpecification": {
                               "PredefinedMetricType": "ASGAverageCPUUtilization"}})
    rds = moto_account.client("rds", region_name="us-east-1")
    rds.create_db_instance(DBInstanceIdentifier="feature-meta", DBInstanceClass="db.r5.large", Engine="postgres",
                           AllocatedStorage=100, MasterUsername="u", MasterUserPassword="password123")
    snap = adapter().collect(window)
    (g,) = _by_kind(snap, "autoscaling_group")
    assert g.name == "search-embed" and g.count == 3 and g.type == "c5.4xlarge"
    assert (g.attributes["min"], g.attributes["max"], g.attributes["desired"]) == (2, 6, 3)
    assert g.attributes["policies"][0]["target_value"] == 50.0 and len(g.attributes["instance_ids"]) == 3
    members = [r for r in snap.resources if r.kind == "vm" and r.attributes["asg"] == "search-embed"]
    assert len(members) == 3
    (db,) = _by_kind(snap, "database")
    assert db.name == "feature-meta" and db.type == "db.r5.large" and db.attributes["engine"] == "postgres"


def test_coverage_lists_every_scope_read(moto_account, adapter, window):
    snap = adapter(regions=("us-east-1", "eu-west-1")).collect(window)
    scopes = {c.scope for c in snap.coverage if c.status == "ok"}
    for region in ("us-east-1", "eu-west-1"):
        for service in ("ec2 instances", "ebs volumes", "sagemaker endpoints", "rds instances", "autoscaling groups"):
            assert f"123456789012/{region}/{service}" in scopes
    assert "123456789012/global/s3 buckets" in scopes


def test_spot_instances_are_priced_as_spot(moto_account, adapter, window):
    ec2 = moto_account.client("ec2", region_name="us-east-1")
    iid = ec2.run_instances(ImageId=AMI, InstanceType="g5.2xlarge", MinCount=1, MaxCount=1,
                            InstanceMarketOptions={"MarketType": "spot"})["Instances"][0]["InstanceId"]
    (vm,) = [r for r in adapter().collect(window).resources if r.id == iid]
    assert vm.pricing_model == "spot" and vm.attributes["lifecycle"] == "spot"
    from costopt.catalog import load_catalog

    spot = load_catalog(None, use_cache=False).price("aws", "us-east-1", "g5.2xlarge", "spot")
    assert vm.hourly_cost == pytest.approx(spot.amount) and vm.hourly_cost < 1.212
