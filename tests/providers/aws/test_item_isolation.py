"""One broken item never costs the others: each inventory function is fed one item of an
unexpected shape (or one failing describe call) among good ones.

Responses go through botocore's Stubber on the real clients, which validates every response
against the service model botocore ships: the broken items below are shapes the model allows
(every member it leaves optional may be absent), so a real account can send them.
"""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
import pytest
from botocore.stub import Stubber

from costopt.catalog import load_catalog
from costopt.providers.aws import inventory_ec2, inventory_s3, inventory_services
from costopt.providers.aws.adapter import priced
from costopt.providers.aws.prices import PriceBook
from costopt.providers.aws.session import Account, client_config
from tests.providers.aws.test_inventory import AMI, _endpoint

T0 = datetime(2026, 11, 1, tzinfo=UTC)
ACCT = "123456789012"


@pytest.fixture
def account():
    session = boto3.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name="us-east-1")
    return Account(ACCT, session, "test", client_config())


@pytest.fixture
def stub(account):
    """stub(service) -> an active Stubber on the account's cached client of that service."""
    stubs = []

    def make(service: str, region: str = "us-east-1") -> Stubber:
        s = Stubber(account.client(service, region))
        s.activate()
        stubs.append(s)
        return s

    yield make
    for s in stubs:
        s.assert_no_pending_responses()
        s.deactivate()


def partial_for(cov, suffix):
    return [c for c in cov if c.status == "partial" and c.scope.endswith(suffix)]


def _instance(iid, itype=None):
    inst = {"InstanceId": iid, "State": {"Code": 16, "Name": "running"}, "LaunchTime": T0,
            "Placement": {"AvailabilityZone": "us-east-1a"}, "PlatformDetails": "Linux/UNIX"}
    if itype:
        inst["InstanceType"] = itype
    return inst


def test_an_instance_without_instance_type_is_one_partial_entry(account, stub):
    ec2 = stub("ec2")
    ec2.add_response("describe_instances", {"Reservations": [{"ReservationId": "r-1", "Instances": [
        _instance("i-good1", "m5.large"), _instance("i-broken"), _instance("i-good2", "m5.large")]}]})
    ec2.add_response("describe_instance_types", {"InstanceTypes": [{
        "InstanceType": "m5.large", "VCpuInfo": {"DefaultVCpus": 2}, "MemoryInfo": {"SizeInMiB": 8192},
        "ProcessorInfo": {"SupportedArchitectures": ["x86_64"]}}]})
    cov = []
    got = inventory_ec2.instances(account, "us-east-1", cov)
    assert [r.id for r in got] == ["i-good1", "i-good2"] and got[0].specs["vcpu"] == 2
    (entry,) = partial_for(cov, "/us-east-1/ec2 instances:i-broken")
    assert entry.error_code == "UnexpectedResponse" and "InstanceType" in entry.detail


def test_an_instance_type_description_of_unexpected_shape_leaves_the_other_specs(account, stub):
    ec2 = stub("ec2")
    ec2.add_response("describe_instance_types", {"InstanceTypes": [
        {"VCpuInfo": {"DefaultVCpus": 4}},  # no InstanceType
        {"InstanceType": "m5.large", "VCpuInfo": {"DefaultVCpus": 2}, "MemoryInfo": {"SizeInMiB": 8192}}]})
    cov = []
    specs = inventory_ec2.instance_specs(account.client("ec2", "us-east-1"), {"m5.large", "m5.xlarge"}, cov)
    assert set(specs) == {"m5.large"} and specs["m5.large"]["memory_gib"] == 8
    assert len([c for c in cov if c.status == "partial"]) == 1


# (operation, its answer with one item of unexpected shape in the middle, the inventory function,
# the ids it keeps, the scope suffix of the one partial entry, words its detail names)
ONE_BAD_EC2_ITEM = {
    "a volume with an attachment without InstanceId": (
        "describe_volumes", {"Volumes": [
            {"VolumeId": "vol-1", "Size": 10, "VolumeType": "gp3", "State": "available"},
            {"VolumeId": "vol-bad", "Size": 20, "VolumeType": "gp2", "State": "in-use",
             "Attachments": [{"State": "attached"}]},
            {"VolumeId": "vol-3", "Size": 30, "VolumeType": "gp3", "State": "available"}]},
        inventory_ec2.volumes, ["vol-1", "vol-3"], "/ebs volumes:vol-bad", ("KeyError", "InstanceId")),
    "a snapshot without SnapshotId": (
        "describe_snapshots", {"Snapshots": [
            {"SnapshotId": "snap-1", "VolumeSize": 8, "StartTime": T0},
            {"VolumeSize": 100, "StartTime": T0, "State": "completed"},
            {"SnapshotId": "snap-3", "VolumeSize": 8, "StartTime": T0}]},
        inventory_ec2.snapshots, ["snap-1", "snap-3"], "/ebs snapshots:an item without SnapshotId", ()),
    "an address without AllocationId or PublicIp": (
        "describe_addresses", {"Addresses": [
            {"AllocationId": "eipalloc-1", "PublicIp": "198.51.100.1", "Domain": "vpc"},
            {"Domain": "vpc", "CustomerOwnedIp": "10.0.0.1"},
            {"AllocationId": "eipalloc-3", "PublicIp": "198.51.100.3", "Domain": "vpc"}]},
        inventory_ec2.addresses, ["eipalloc-1", "eipalloc-3"], "/elastic ips:an address without AllocationId", ()),
}


@pytest.mark.parametrize("case", sorted(ONE_BAD_EC2_ITEM))
def test_one_ec2_item_of_unexpected_shape_is_one_partial_entry(account, stub, case):
    operation, answer, read, kept, scope, words = ONE_BAD_EC2_ITEM[case]
    stub("ec2").add_response(operation, answer)
    cov = []
    assert [r.id for r in read(account, "us-east-1", cov)] == kept
    (entry,) = partial_for(cov, scope)
    assert entry.error_code == "UnexpectedResponse" and all(word in entry.detail for word in words)


def test_a_nat_gateway_without_id(account, stub):
    ec2 = stub("ec2")
    ec2.add_response("describe_nat_gateways", {"NatGateways": [
        {"NatGatewayId": "nat-1", "State": "available", "VpcId": "vpc-1"},
        {"State": "available", "VpcId": "vpc-1"},
        {"NatGatewayId": "nat-3", "State": "available", "VpcId": "vpc-2"}]})
    ec2.add_response("describe_vpc_endpoints", {"VpcEndpoints": [
        {"VpcEndpointType": "Gateway", "ServiceName": "com.amazonaws.us-east-1.s3", "VpcId": "vpc-2"}]})
    cov = []
    got = inventory_ec2.nat_gateways(account, "us-east-1", cov)
    assert [(r.id, r.attributes["vpc_has_s3_gateway_endpoint"]) for r in got] == [("nat-1", False), ("nat-3", True)]
    assert len(partial_for(cov, "/nat gateways:an item without NatGatewayId")) == 1


def _group(name, arn=True):
    g = {"AutoScalingGroupName": name, "MinSize": 1, "MaxSize": 3, "DesiredCapacity": 2, "DefaultCooldown": 300,
         "AvailabilityZones": ["us-east-1a"], "HealthCheckType": "EC2", "CreatedTime": T0}
    if arn:
        g["AutoScalingGroupARN"] = f"arn:aws:autoscaling:us-east-1:{ACCT}:autoScalingGroup:x:autoScalingGroupName/{name}"
    return g


def test_an_autoscaling_group_without_arn_and_a_policy_without_group(account, stub):
    asg = stub("autoscaling")
    asg.add_response("describe_auto_scaling_groups", {"AutoScalingGroups": [
        _group("a"), _group("broken", arn=False), _group("c")]})
    asg.add_response("describe_policies", {"ScalingPolicies": [
        {"PolicyName": "orphan", "PolicyType": "TargetTrackingScaling"},
        {"AutoScalingGroupName": "a", "PolicyName": "cpu50", "PolicyType": "TargetTrackingScaling",
         "TargetTrackingConfiguration": {"TargetValue": 50.0}}]})
    cov = []
    got = inventory_services.autoscaling_groups(account, "us-east-1", {}, cov)
    assert [r.name for r in got] == ["a", "c"]
    assert got[0].attributes["policies"][0]["target_value"] == 50.0
    assert len(partial_for(cov, "/autoscaling groups:broken")) == 1
    assert len(partial_for(cov, "/autoscaling groups:orphan")) == 1


def test_a_database_without_arn(account, stub):
    rds = stub("rds")
    rds.add_response("describe_db_instances", {"DBInstances": [
        {"DBInstanceIdentifier": "a", "DBInstanceArn": f"arn:aws:rds:us-east-1:{ACCT}:db:a", "DBInstanceClass": "db.r5.large"},
        {"DBInstanceIdentifier": "broken", "DBInstanceClass": "db.r5.large"},
        {"DBInstanceIdentifier": "c", "DBInstanceArn": f"arn:aws:rds:us-east-1:{ACCT}:db:c", "DBInstanceClass": "db.t3.micro"}]})
    cov = []
    assert [r.name for r in inventory_services.rds_instances(account, "us-east-1", cov)] == ["a", "c"]
    (entry,) = partial_for(cov, "/rds instances:broken")
    assert "DBInstanceArn" in entry.detail


def _ep(name, status="InService", config=True):
    arn = f"arn:aws:sagemaker:us-east-1:{ACCT}:endpoint/{name}"
    ep = {"EndpointName": name, "EndpointArn": arn, "EndpointStatus": status, "CreationTime": T0,
          "LastModifiedTime": T0}
    if config:
        ep["EndpointConfigName"] = f"{name}-c"
    return ep


def _described(name, status="InService", count=2):
    ep = _ep(name, status)
    if count is not None:
        ep["ProductionVariants"] = [{"VariantName": "AllTraffic", "CurrentInstanceCount": count,
                                     "DesiredInstanceCount": count, "CurrentWeight": 1.0}]
    return ep


def _config(name, count=2, itype="ml.m5.xlarge"):
    return {"EndpointConfigName": f"{name}-c", "EndpointConfigArn": f"arn:aws:sagemaker:us-east-1:{ACCT}:endpoint-config/{name}-c",
            "CreationTime": T0, "ProductionVariants": [
                {"VariantName": "AllTraffic", "InstanceType": itype, "InitialInstanceCount": count}]}


def _stub_endpoints(stub, names):
    sm = stub("sagemaker")
    aas = stub("application-autoscaling")
    sm.add_response("list_endpoints", {"Endpoints": [_ep(n, config=False) for n in names]})
    aas.add_response("describe_scalable_targets", {"ScalableTargets": []})
    aas.add_response("describe_scaling_policies", {"ScalingPolicies": []})
    return sm, aas


def _call_endpoints(account, cov):
    return inventory_services.sagemaker_endpoints(
        account, "us-east-1", lambda: inventory_services.sagemaker_scaling(account, "us-east-1", cov), cov)


def test_one_unreadable_endpoint_never_drops_the_others(account, stub):
    names = ["good", "gone", "no-config", "no-tags"]
    sm, _ = _stub_endpoints(stub, names)
    sm.add_response("describe_endpoint", _described("good"))
    sm.add_response("describe_endpoint_config", _config("good"))
    sm.add_response("list_tags", {"Tags": [{"Key": "costopt:model", "Value": "ranker"}]})
    # deleted between ListEndpoints and DescribeEndpoint
    sm.add_client_error("describe_endpoint", "ValidationException",
                        f'Could not find endpoint "arn:aws:sagemaker:us-east-1:{ACCT}:endpoint/gone".')
    # its config was deleted after an update
    sm.add_response("describe_endpoint", _described("no-config", count=3))
    sm.add_client_error("describe_endpoint_config", "ValidationException",
                        f'Could not find endpoint configuration "arn:aws:sagemaker:us-east-1:{ACCT}:endpoint-config/no-config-c".')
    sm.add_response("list_tags", {"Tags": []})
    sm.add_response("describe_endpoint", _described("no-tags"))
    sm.add_response("describe_endpoint_config", _config("no-tags"))
    sm.add_client_error("list_tags", "AccessDeniedException", "not authorized to perform: sagemaker:ListTags",
                        http_status_code=400)
    cov = []
    got = {r.name: r for r in _call_endpoints(account, cov)}

    assert set(got) == {"good", "no-config", "no-tags"}
    assert got["good"].attributes["model"] == "ranker" and got["good"].count == 2
    nc = got["no-config"]
    assert nc.attributes["config_known"] is False and nc.count == 3
    assert nc.attributes["variants"][0]["instance_type"] is None
    assert got["no-tags"].tags == {} and got["no-tags"].type == "ml.m5.xlarge"
    (gone,) = partial_for(cov, "/sagemaker endpoints:gone")
    assert gone.error_code == "ValidationException" and "gone since it was listed" in gone.detail
    (no_config,) = partial_for(cov, "/sagemaker endpoints:no-config")
    assert "no-config-c" in no_config.detail and "Could not find endpoint configuration" in no_config.detail
    (no_tags,) = partial_for(cov, "/sagemaker endpoints:no-tags")
    assert no_tags.error_code == "AccessDeniedException" and "sagemaker:ListTags" in no_tags.fix


def test_an_endpoint_denied_on_describe_is_kept_from_its_summary(account, stub):
    sm, _ = _stub_endpoints(stub, ["denied", "good"])
    sm.add_client_error("describe_endpoint", "AccessDeniedException", "denied", http_status_code=400)
    sm.add_response("list_tags", {"Tags": []})
    sm.add_response("describe_endpoint", _described("good"))
    sm.add_response("describe_endpoint_config", _config("good"))
    sm.add_response("list_tags", {"Tags": []})
    cov = []
    got = {r.name: r for r in _call_endpoints(account, cov)}
    assert set(got) == {"denied", "good"}
    assert got["denied"].attributes["status"] == "InService" and got["denied"].attributes["config_known"] is False
    assert len(partial_for(cov, "/sagemaker endpoints:denied")) == 1


def test_a_bucket_without_name_keeps_the_others(account, stub):
    s3 = stub("s3")
    s3.add_response("list_buckets", {"Buckets": [
        {"Name": "a", "CreationDate": T0}, {"CreationDate": T0}, {"Name": "c", "CreationDate": T0}]})
    for _ in ("a", "c"):
        s3.add_response("get_bucket_location", {})  # null LocationConstraint: us-east-1
        s3.add_client_error("get_bucket_lifecycle_configuration", "NoSuchLifecycleConfiguration", http_status_code=404)
        s3.add_response("get_bucket_versioning", {})
        s3.add_client_error("get_bucket_tagging", "NoSuchTagSet", http_status_code=404)
    cov = []
    got = inventory_s3.buckets(account, None, cov)
    assert [r.id for r in got] == ["a", "c"] and all(r.attributes["has_lifecycle"] is False for r in got)
    assert len(partial_for(cov, "/s3 buckets:a bucket without a name")) == 1


def test_audit_with_a_deleted_endpoint_config_still_reports_every_endpoint(moto_account, adapter, window):
    arns = {name: _endpoint(moto_account, name, "ml.g4dn.xlarge", 1) for name in ("ranker", "fraud", "search")}
    moto_account.client("sagemaker", region_name="us-east-1").delete_endpoint_config(EndpointConfigName="fraud-c")
    snap = adapter().collect(window)
    endpoints = {r.name: r for r in snap.resources if r.kind == "endpoint"}
    assert set(endpoints) == set(arns)
    assert endpoints["ranker"].hourly_cost == pytest.approx(0.7364)
    assert endpoints["fraud"].hourly_cost is None  # instance type unknown without its config: not priced as free
    (entry,) = [c for c in snap.coverage if c.scope.endswith("/us-east-1/sagemaker endpoints:fraud")]
    assert entry.status == "partial" and "fraud-c" in entry.detail
    (ok,) = [c for c in snap.coverage if c.scope == f"{ACCT}/us-east-1/sagemaker endpoints"]
    assert ok.status == "ok" and "3 read" in ok.detail


@pytest.mark.parametrize("status", ["Failed", "OutOfService", "Deleting", "Creating"])
def test_endpoints_not_in_service_are_inventory_at_zero_cost(account, stub, status):
    sm, _ = _stub_endpoints(stub, ["live", "down"])
    for name, st in (("live", "InService"), ("down", status)):
        # a failed endpoint has no running variant; its config still says InitialInstanceCount 2
        sm.add_response("describe_endpoint", _described(name, st, count=2 if st == "InService" else None))
        sm.add_response("describe_endpoint_config", _config(name, count=2, itype="ml.g4dn.xlarge"))
        sm.add_response("list_tags", {"Tags": []})
    cov = []
    found = _call_endpoints(account, cov)
    got = {r.name: r for r in priced(found, PriceBook(None, load_catalog(None, use_cache=False)), 1)}
    assert got["live"].count == 2 and got["live"].hourly_cost == pytest.approx(2 * 0.7364)  # bundled catalog
    down = got["down"]
    assert down.attributes["status"] == status and down.count == 0 and down.hourly_cost == 0.0
    assert down.attributes["variants"][0]["instance_type"] == "ml.g4dn.xlarge"  # still inventory, with its config


def test_instances_are_listed_when_their_type_descriptions_are_denied(account, stub):
    ec2 = stub("ec2")
    ec2.add_response("describe_instances", {"Reservations": [{"ReservationId": "r-1", "Instances": [
        _instance("i-1", "m5.large")]}]})
    ec2.add_client_error("describe_instance_types", "UnauthorizedOperation", "not authorized", http_status_code=403)
    cov = []
    (vm,) = inventory_ec2.instances(account, "us-east-1", cov)
    assert vm.id == "i-1" and vm.specs == {}  # the catalog fills the specs in later
    (entry,) = [c for c in cov if c.scope.endswith("/ec2 instance types")]
    assert entry.status == "failed" and "ec2:DescribeInstanceTypes" in entry.fix


def test_audit_with_a_malformed_instance_at_the_wire_keeps_every_healthy_resource(moto_account, adapter, window):
    """The DescribeInstances answer itself is edited (before botocore parses it): one instance
    arrives without its instanceType; the audit still reports the others, the region's volume,
    and one partial entry naming the broken instance."""
    ec2 = moto_account.client("ec2", region_name="us-east-1")
    good = [i["InstanceId"] for i in ec2.run_instances(ImageId=AMI, InstanceType="m5.large", MinCount=2,
                                                      MaxCount=2)["Instances"]]
    broken = ec2.run_instances(ImageId=AMI, InstanceType="t3.nano", MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    vol = ec2.create_volume(AvailabilityZone="us-east-1a", Size=10)["VolumeId"]

    def drop_type(response_dict, **_):
        response_dict["body"] = response_dict["body"].replace(b"<instanceType>t3.nano</instanceType>", b"")

    moto_account.events.register("before-parse.ec2.DescribeInstances", drop_type)
    snap = adapter().collect(window)
    ids = {r.id for r in snap.resources}
    assert set(good) | {vol} <= ids and broken not in ids
    (entry,) = [c for c in snap.coverage if c.scope == f"{ACCT}/us-east-1/ec2 instances:{broken}"]
    assert entry.status == "partial" and "InstanceType" in entry.detail
    assert not [c for c in snap.coverage if c.status == "failed"]
