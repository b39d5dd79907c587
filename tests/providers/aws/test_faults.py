"""Faults at the wire: throttling is retried, AccessDenied / unreachable regions land in coverage,
bad credentials fail with one line naming the profile or role."""

from __future__ import annotations

import subprocess
import sys

import botocore.exceptions
import pytest
from botocore.awsrequest import AWSResponse

from costopt.errors import ProviderError
from costopt.providers.aws.session import base_session, client_config, open_accounts
from tests.providers.aws.test_inventory import AMI


class _Raw:
    def __init__(self, body: bytes):
        self.body = body

    def stream(self, **_):
        yield self.body


def xml_error(status: int, code: str) -> AWSResponse:
    body = (f"<Response><Errors><Error><Code>{code}</Code><Message>{code} (injected)</Message></Error></Errors>"
            f"<RequestID>r-1</RequestID></Response>").encode()
    return AWSResponse("https://injected", status, {}, _Raw(body))


def sts_error(status: int, code: str) -> AWSResponse:
    body = (f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{code}</Message></Error>"
            f"<RequestId>r-1</RequestId></ErrorResponse>").encode()
    return AWSResponse("https://injected", status, {}, _Raw(body))


def test_throttling_is_retried_then_read(moto_account, adapter, window):
    ec2 = moto_account.client("ec2", region_name="us-east-1")
    vol = ec2.create_volume(AvailabilityZone="us-east-1a", Size=10)["VolumeId"]
    calls = []

    def throttle_twice(request, **_):
        calls.append(request.url)
        return xml_error(503, "RequestLimitExceeded") if len(calls) <= 2 else None

    moto_account.events.register_first("before-send.ec2.DescribeVolumes", throttle_twice)
    snap = adapter(retry_mode="standard", max_attempts=4).collect(window)
    assert len(calls) == 3
    assert vol in {r.id for r in snap.resources}
    assert [c.status for c in snap.coverage if c.scope.endswith("us-east-1/ebs volumes")] == ["ok"]


def test_throttling_past_the_retries_is_coverage_not_a_crash(moto_account, adapter, window):
    ec2 = moto_account.client("ec2", region_name="us-east-1")
    iid = ec2.run_instances(ImageId=AMI, InstanceType="m5.large", MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    moto_account.events.register_first("before-send.ec2.DescribeVolumes", lambda **_: xml_error(503, "RequestLimitExceeded"))
    snap = adapter(retry_mode="standard", max_attempts=2).collect(window)
    (entry,) = [c for c in snap.coverage if c.scope.endswith("us-east-1/ebs volumes")]
    assert entry.status == "failed" and entry.error_code == "RequestLimitExceeded" and "throttled" in entry.fix
    assert iid in {r.id for r in snap.resources}  # the rest of the region was still read


def test_access_denied_in_one_region_is_recorded_and_the_rest_is_read(moto_account, adapter, window):
    for region in ("us-east-1", "eu-west-1"):
        moto_account.client("ec2", region_name=region).run_instances(ImageId=AMI, InstanceType="m5.large",
                                                                     MinCount=1, MaxCount=1)
    moto_account.client("ec2", region_name="eu-west-1").create_volume(AvailabilityZone="eu-west-1a", Size=5)

    def deny_eu(request, **_):
        return xml_error(403, "UnauthorizedOperation") if "eu-west-1" in request.url else None

    moto_account.events.register_first("before-send.ec2.DescribeInstances", deny_eu)
    snap = adapter(regions=("us-east-1", "eu-west-1")).collect(window)
    (entry,) = [c for c in snap.coverage if c.scope == "123456789012/eu-west-1/ec2 instances"]
    assert entry.status == "failed" and entry.error_code == "UnauthorizedOperation"
    assert "ec2:DescribeInstances" in entry.fix
    assert {r.region for r in snap.resources if r.kind == "vm"} == {"us-east-1"}
    assert any(r.kind == "volume" and r.region == "eu-west-1" for r in snap.resources)


def test_unreachable_region_is_one_coverage_entry(moto_account, adapter, window):
    def unreachable(request, **_):
        if "ap-south-1" in request.url:
            raise botocore.exceptions.EndpointConnectionError(endpoint_url=request.url)
        return None

    moto_account.events.register_first("before-send.ec2", unreachable)
    snap = adapter(regions=("us-east-1", "ap-south-1"), max_attempts=1).collect(window)
    ap = [c for c in snap.coverage if "/ap-south-1/" in c.scope]
    assert len(ap) == 1 and ap[0].error_code == "EndpointConnectionError" and "unreachable" in ap[0].fix
    assert any(c.scope == "123456789012/us-east-1/ec2 instances" and c.status == "ok" for c in snap.coverage)


def test_missing_profile_and_expired_credentials_name_the_fix(moto_account, adapter, window):
    with pytest.raises(ProviderError, match=r"profile 'nope'.*aws configure --profile nope"):
        base_session("nope")
    moto_account.events.register_first("before-send.sts.GetCallerIdentity", lambda **_: sts_error(403, "ExpiredToken"))
    with pytest.raises(ProviderError, match=r"ExpiredToken.*aws sso login"):
        adapter().collect(window)


def test_role_that_cannot_be_assumed_names_the_role(moto_account, adapter, window):
    moto_account.events.register_first("before-send.sts.AssumeRole", lambda **_: sts_error(403, "AccessDenied"))
    arn = "arn:aws:iam::111111111111:role/costopt-audit"
    with pytest.raises(ProviderError, match=r"cannot assume role arn:aws:iam::111111111111:role/costopt-audit"):
        adapter(role_arns=(arn,)).collect(window)


def test_several_accounts_through_assumed_roles(moto_account, adapter, window):
    arns = ("arn:aws:iam::111111111111:role/costopt-audit", "arn:aws:iam::222222222222:role/costopt-audit")
    snap = adapter(role_arns=arns).collect(window)
    accounts = {c.scope.split("/")[0] for c in snap.coverage if c.status == "ok" and "/" in c.scope}
    assert accounts == {"111111111111", "222222222222"}


def test_assumed_sessions_share_one_model_loader(moto_account):
    arns = ("arn:aws:iam::111111111111:role/costopt-audit", "arn:aws:iam::222222222222:role/costopt-audit")
    accounts = open_accounts(None, arns, client_config(), session=moto_account)
    loader = accounts[0].session._session.get_component("data_loader")
    assert [a.account_id for a in accounts] == ["111111111111", "222222222222"]
    assert all(a.session._session.get_component("data_loader") is loader for a in accounts)
    # the read-only loader (test_readonly_clients), reading the base session's data directories
    assert set(loader.search_paths) == set(moto_account._session.get_component("data_loader").search_paths)
    assert accounts[0].session.get_credentials().access_key != "testing"  # the role's keys, not the base's


def test_cli_exits_2_with_one_line_for_a_missing_profile(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "costopt", "audit", "--provider", "aws", "--profile", "nope",
                           "--regions", "us-east-1", "--out", str(tmp_path / "out"), "--quiet"],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "profile 'nope'" in lines[0] and "aws configure" in lines[0]
