"""Issue 14, "Done when": an audit against a moto account plus injected broken items still
reports every healthy resource.

Oracle: the same moto estate is collected twice by the real adapter -- once as moto answers,
once with one broken item injected per service at the wire. The second run must report exactly
the first run's resources less the broken ones, with a ``partial`` coverage entry naming each
broken item, and no scope failed that did not fail in the clean run. The injections are the
real-world shapes of issue 14: an instance without ``instanceType`` and a volume attachment
without ``instanceId`` (the DescribeInstances / DescribeVolumes XML edited before botocore parses
it), a DB instance without ``DBInstanceArn`` (DescribeDBInstances XML), a SageMaker endpoint
whose configuration was deleted after an update (moto's own ValidationException), and a bucket
whose GetBucketLifecycleConfiguration is denied (an S3 AccessDenied error document, status 403).
"""

from __future__ import annotations

import re

import pytest
from botocore.awsrequest import AWSResponse

from tests.providers.aws.test_inventory import AMI, _endpoint

ACCT = "123456789012"
DENIED = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied'
          b'</Message><RequestId>R1</RequestId><HostId>H1</HostId></Error>')


def _estate(session):
    """A small estate of every kind the broken items belong to; returns the ids of the items to break."""
    ec2 = session.client("ec2", region_name="us-east-1")
    for _ in range(2):
        ec2.run_instances(ImageId=AMI, InstanceType="m5.large", MinCount=1, MaxCount=1)
    broken_vm = ec2.run_instances(ImageId=AMI, InstanceType="t3.nano", MinCount=1, MaxCount=1)["Instances"][0]
    holder = ec2.run_instances(ImageId=AMI, InstanceType="m5.xlarge", MinCount=1, MaxCount=1)["Instances"][0]
    data = ec2.create_volume(AvailabilityZone="us-east-1a", Size=50, VolumeType="gp3")["VolumeId"]
    ec2.attach_volume(VolumeId=data, InstanceId=holder["InstanceId"], Device="/dev/sdf")
    ec2.create_volume(AvailabilityZone="us-east-1a", Size=20, VolumeType="gp2")
    rds = session.client("rds", region_name="us-east-1")
    for name in ("orders", "broken-db", "events"):
        rds.create_db_instance(DBInstanceIdentifier=name, DBInstanceClass="db.r5.large", Engine="postgres",
                               AllocatedStorage=100, MasterUsername="u", MasterUserPassword="password1")
    for name in ("ranker", "fraud", "search"):
        _endpoint(session, name, "ml.g4dn.xlarge", 1)
    session.client("sagemaker", region_name="us-east-1").delete_endpoint_config(EndpointConfigName="fraud-c")
    s3 = session.client("s3", region_name="us-east-1")
    for name in ("ml-logs", "denied-bucket", "ml-models"):
        s3.create_bucket(Bucket=name)
    held = [v["VolumeId"] for v in ec2.describe_volumes(Filters=[
        {"Name": "attachment.instance-id", "Values": [holder["InstanceId"]]}])["Volumes"]]
    return {"vm": broken_vm["InstanceId"], "holder": holder["InstanceId"], "volumes": held,
            "db": f"arn:aws:rds:us-east-1:{ACCT}:db:broken-db"}


class _Raw:
    """The raw body botocore reads an AWSResponse from."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_):
        yield self.body


def _break(session, broken):
    events = session.events
    holder, db_arn = broken["holder"], broken["db"]

    def instances(response_dict, **_):
        response_dict["body"] = response_dict["body"].replace(b"<instanceType>t3.nano</instanceType>", b"")

    def volumes(response_dict, **_):  # the holder's attachments lose their instanceId
        response_dict["body"] = response_dict["body"].replace(f"<instanceId>{holder}</instanceId>".encode(), b"")

    def databases(response_dict, **_):
        response_dict["body"] = response_dict["body"].replace(f"<DBInstanceArn>{db_arn}</DBInstanceArn>".encode(),
                                                              b"")

    def deny_lifecycle(request, **_):
        """The denied bucket's policy refuses the lifecycle read: S3's 403 error document, sent before moto sees it."""
        if "denied-bucket" in request.url:
            return AWSResponse(request.url, 403, {"Content-Type": "application/xml"}, _Raw(DENIED))
        return None

    events.register("before-parse.ec2.DescribeInstances", instances)
    events.register("before-parse.ec2.DescribeVolumes", volumes)
    events.register("before-parse.rds.DescribeDBInstances", databases)
    events.register_first("before-send.s3.GetBucketLifecycleConfiguration", deny_lifecycle)


def _collect(adapter, window):
    snap = adapter().collect(window)
    return snap, {r.id for r in snap.resources}, {c.scope for c in snap.coverage if c.status == "failed"}


@pytest.mark.usefixtures("moto_account")
def test_an_audit_with_broken_items_in_every_service_reports_every_healthy_resource(moto_account, adapter, window):
    broken = _estate(moto_account)
    _, clean_ids, clean_failed = _collect(adapter, window)
    assert {broken["vm"], broken["holder"], broken["db"], *broken["volumes"]} <= clean_ids

    _break(moto_account, broken)
    snap, ids, failed = _collect(adapter, window)

    lost = {broken["vm"], broken["db"], *broken["volumes"]}
    assert ids == clean_ids - lost  # every healthy resource, the holder instance itself included
    assert failed == clean_failed
    partial = {c.scope: c for c in snap.coverage if c.status == "partial"}
    assert "InstanceType" in partial[f"{ACCT}/us-east-1/ec2 instances:{broken['vm']}"].detail
    for vol in broken["volumes"]:
        assert "InstanceId" in partial[f"{ACCT}/us-east-1/ebs volumes:{vol}"].detail
    assert "DBInstanceArn" in partial[f"{ACCT}/us-east-1/rds instances:broken-db"].detail
    assert "fraud-c" in partial[f"{ACCT}/us-east-1/sagemaker endpoints:fraud"].detail
    assert {r.name for r in snap.resources if r.kind == "endpoint"} == {"ranker", "fraud", "search"}
    assert re.search(r"AccessDenied", " ".join(c.detail for s, c in partial.items() if "denied-bucket" in s))
