"""iam-policy.json lists exactly the API actions the adapter calls, and all of them are read-only.

The adapter runs on a moto account holding every resource kind it reads, with botocore's
``before-call`` event recording each operation. (sts:AssumeRole is the one call made with the
caller's own credentials, not the audited role's, so it is granted to the caller, not listed.)
"""

from __future__ import annotations

import json
from datetime import timedelta
from importlib import resources

import requests
from botocore.stub import Stubber

from costopt.providers.aws.sagemaker_platform import studio_apps
from costopt.providers.aws.session import Account, client_config, enabled_regions
from tests.providers.aws import sagemaker_estate as sm_estate
from tests.providers.aws.conftest import NOW, put_points
from tests.providers.aws.test_inventory import AMI, _endpoint
from tests.providers.aws.test_response_time import alb

# API operation names whose IAM action is spelled differently.
IAM_NAME = {("s3", "ListBuckets"): "ListAllMyBuckets",
            ("s3", "GetBucketLifecycleConfiguration"): "GetLifecycleConfiguration"}
IAM_PREFIX = {"monitoring": "cloudwatch"}  # CloudWatch signs as "monitoring"
READ_ONLY = ("List", "Describe", "Get")
CALLER_ONLY = {"sts:AssumeRole"}


def policy_actions() -> set[str]:
    text = resources.files("costopt.providers.aws").joinpath("iam-policy.json").read_text()
    statements = json.loads(text)["Statement"]
    return {a for s in statements for a in s["Action"]}


def recorder(calls: set[str]):
    def record(model, **_):
        prefix = model.service_model.signing_name
        prefix = IAM_PREFIX.get(prefix, prefix)
        calls.add(f"{prefix}:{IAM_NAME.get((prefix, model.name), model.name)}")
    return record


def _estate(session):
    ec2 = session.client("ec2", region_name="us-east-1")
    iid = ec2.run_instances(ImageId=AMI, InstanceType="g5.2xlarge", MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    ec2.create_volume(AvailabilityZone="us-east-1a", Size=10)
    alb(session, "web", [iid])
    ec2.allocate_address(Domain="vpc")
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    ec2.create_nat_gateway(SubnetId=subnet, AllocationId=ec2.allocate_address(Domain="vpc")["AllocationId"])
    session.client("s3", region_name="us-east-1").create_bucket(Bucket="ml-data")
    ec2.create_launch_template(LaunchTemplateName="fleet", LaunchTemplateData={"ImageId": AMI, "InstanceType": "m5.large"})
    session.client("autoscaling", region_name="us-east-1").create_auto_scaling_group(
        AutoScalingGroupName="fleet", MinSize=1, MaxSize=1, AvailabilityZones=["us-east-1a"],
        LaunchTemplate={"LaunchTemplateName": "fleet", "Version": "$Latest"})
    _endpoint(session, "fraud-detector", "ml.g4dn.xlarge", 1)
    session.client("rds", region_name="us-east-1").create_db_instance(
        DBInstanceIdentifier="db", DBInstanceClass="db.r5.large", Engine="postgres", AllocatedStorage=20,
        MasterUsername="u", MasterUserPassword="password123")
    sm_estate.notebook(session, "nb", "ml.t3.medium", script=sm_estate.AUTOSTOP)
    sm_estate.training_job(session, "train-1", "ml.p3.2xlarge", 1, start=NOW - timedelta(hours=6), hours=2)
    sm_estate.tuning_job(session, "hpo", "ml.c5.xlarge")
    put_points(session, "us-east-1", "CWAgent", "mem_used_percent", {"InstanceId": iid}, [10, 20])
    put_points(session, "us-east-1", "AWS/S3", "BucketSizeBytes", {"BucketName": "ml-data", "StorageType": "StandardStorage"},
               [1e12], period=86400, unit="Bytes")
    requests.post("http://motoapi.amazonaws.com/moto-api/static/ce/cost-and-usage-results", timeout=5,
                  json={"results": [{"ResultsByTime": [], "DimensionValueAttributes": []}]})


def _studio(session, calls: set[str]) -> None:
    """Studio apps through botocore's Stubber (moto has no ListApps); the recorder runs before the stub answers."""
    account = Account("123456789012", session, "test", client_config())
    client = account.client("sagemaker", "us-east-1")
    client.meta.events.register_first("before-call.*.*", recorder(calls))
    stub = Stubber(client)
    stub.add_response("list_domains", {"Domains": [{"DomainId": "d-1"}]})
    stub.add_response("list_apps", {"Apps": [{"DomainId": "d-1", "UserProfileName": "u", "AppType": "JupyterServer",
                                              "AppName": "default", "Status": "InService"}]})
    stub.add_response("describe_app", {"Status": "InService"})
    with stub:
        assert len(studio_apps(account, "us-east-1", [])) == 1


def test_policy_is_read_only():
    actions = policy_actions()
    assert actions and all(a.split(":", 1)[1].startswith(READ_ONLY) for a in actions), actions
    assert not any("*" in a for a in actions)


def test_policy_lists_exactly_the_calls_the_adapter_makes(moto_account, adapter, window):
    _estate(moto_account)
    calls: set[str] = set()
    moto_account.events.register("before-call", recorder(calls))
    adapter(prices="auto").collect(window)
    enabled_regions(Account("123456789012", moto_account, "test", client_config()))  # the --regions default
    adapter(role_arns=("arn:aws:iam::111111111111:role/costopt-audit",)).collect(window)
    _studio(moto_account, calls)
    calls -= CALLER_ONLY
    policy = policy_actions()
    assert calls - policy == set(), f"called but not in iam-policy.json: {sorted(calls - policy)}"
    assert policy - calls == set(), f"in iam-policy.json but never called: {sorted(policy - calls)}"
