"""``--org``: every active account of a moto organization, one of which refuses the role.

moto's STS assumes any role; the refusal is made where AWS makes it, at STS: a botocore
``before-call`` hook on the caller's session answers AssumeRole for that account with a 403
AccessDenied (the adapter tests), or moto's STS backend raises it (the CLI test).
"""

from __future__ import annotations

import json

import boto3
import botocore.awsrequest
import pytest
from click.testing import CliRunner

from costopt.cli import cli
from costopt.config import Settings
from costopt.providers.aws.adapter import AwsProvider

REGION = "us-east-1"


def _assumed(account_id: str) -> boto3.Session:
    creds = boto3.client("sts", region_name=REGION).assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole", RoleSessionName="seed")["Credentials"]
    return boto3.Session(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"], region_name=REGION)


@pytest.fixture
def org(moto_account):
    """Management account + 4 members: two in OU research (one in a nested OU), one suspended-free."""
    client = moto_account.client("organizations")
    client.create_organization(FeatureSet="ALL")
    root = client.list_roots()["Roots"][0]["Id"]
    research = client.create_organizational_unit(ParentId=root, Name="research")["OrganizationalUnit"]["Id"]
    nested = client.create_organizational_unit(ParentId=research, Name="vision")["OrganizationalUnit"]["Id"]
    members = {}
    for name in ("prod", "research-a", "vision-b", "locked"):
        status = client.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]
        members[name] = status["AccountId"]
    client.move_account(AccountId=members["research-a"], SourceParentId=root, DestinationParentId=research)
    client.move_account(AccountId=members["vision-b"], SourceParentId=root, DestinationParentId=nested)
    for n, (name, account_id) in enumerate(members.items(), 1):
        ec2 = _assumed(account_id).client("ec2")
        ec2.run_instances(ImageId="ami-12345678", InstanceType="t3.micro", MinCount=n, MaxCount=n,
                          TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": name}]}])
    return {"session": moto_account, "members": members, "research": research}


def _deny_role_in(session: boto3.Session, account_id: str) -> list[str]:
    """Answer sts:AssumeRole into ``account_id`` with 403 AccessDenied, before it leaves the client."""
    asked: list[str] = []

    def deny(params, **kwargs):
        role = params["body"]["RoleArn"]  # the serialised query-protocol form
        asked.append(role)
        if f":{account_id}:" not in role:
            return None
        response = botocore.awsrequest.AWSResponse("https://sts.amazonaws.com/", 403, {}, None)
        return response, {"Error": {"Code": "AccessDenied", "Message": f"not authorized to perform: sts:AssumeRole "
                                                                         f"on resource: {role}"},
                          "ResponseMetadata": {"HTTPStatusCode": 403}}

    session.events.register("before-call.sts.AssumeRole", deny)
    return asked


def _collect(org, window, **aws):
    provider = AwsProvider(session=org["session"], org=True, regions=(REGION,), prices="catalog", max_workers=4,
                           with_costs=False)
    return provider.collect(window, Settings(providers={"aws": aws}))


def test_every_active_account_is_read_and_the_refusing_one_is_coverage(org, window):
    locked = org["members"]["locked"]
    asked = _deny_role_in(org["session"], locked)
    snap = _collect(org, window)
    vms = {}
    for r in snap.resources:
        if r.kind in ("vm", "gpu_vm"):
            vms[r.account] = vms.get(r.account, 0) + 1
    members = org["members"]
    assert vms == {members["prod"]: 1, members["research-a"]: 2, members["vision-b"]: 3}
    denied = [c for c in snap.coverage if c.status == "failed"]
    assert [c.scope for c in denied] == [f"{locked}/*/*"]
    assert denied[0].error_code == "AccessDenied"
    assert "OrganizationAccountAccessRole" in denied[0].fix and locked in denied[0].fix
    # each member read through its own role; the management account with the caller's credentials
    assert sorted(a.split(":")[4] for a in asked) == sorted(members.values())
    summary = next(c for c in snap.coverage if c.scope == "organization")
    assert "5 active account(s) selected, 4 reached" in summary.detail
    ok = {c.scope.split("/")[0] for c in snap.coverage if c.status == "ok" and c.scope.endswith("/ec2 instances")}
    assert ok == {"123456789012", members["prod"], members["research-a"], members["vision-b"]}


def test_ous_and_exclusions_from_config(org, window):
    members = org["members"]
    snap = _collect(org, window, org_ous=[org["research"]], org_role="AuditRole")
    read = {c.scope.split("/")[0] for c in snap.coverage if c.scope.endswith("/ec2 instances")}
    assert read == {members["research-a"], members["vision-b"]}  # the nested OU included
    assert "with role AuditRole" in next(c for c in snap.coverage if c.scope == "organization").detail
    snap = _collect(org, window, org_exclude_accounts=[members["prod"]], org_exclude_ous=[org["research"]])
    read = {c.scope.split("/")[0] for c in snap.coverage if c.scope.endswith("/ec2 instances")}
    assert read == {"123456789012", members["locked"]}


def test_suspended_accounts_are_not_listed(org, window):
    from moto.organizations.models import organizations_backends

    members = org["members"]
    backend = organizations_backends["123456789012"]["aws"]
    account = next(a for a in backend.accounts if a.id == members["prod"])
    account.status = account.state = "SUSPENDED"
    snap = _collect(org, window)
    read = {c.scope.split("/")[0] for c in snap.coverage if c.scope.endswith("/ec2 instances")}
    assert members["prod"] not in read and len(read) == 4


@pytest.mark.filterwarnings("ignore:Exception\\(STSClientError\\):UserWarning")
def test_cli_audit_org_with_one_account_denying(org, tmp_path, monkeypatch):
    from moto.sts.exceptions import STSClientError
    from moto.sts.models import STSBackend

    locked = org["members"]["locked"]
    original = STSBackend.assume_role

    def assume_role(self, **kwargs):
        if f":{locked}:" in kwargs["role_arn"]:
            raise STSClientError("AccessDenied", f"not authorized to perform: sts:AssumeRole on {kwargs['role_arn']}")
        return original(self, **kwargs)

    monkeypatch.setattr(STSBackend, "assume_role", assume_role)
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION,
                       "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    (tmp_path / "costopt.toml").write_text('[providers.aws]\nprices = "catalog"\nmax_workers = 4\n')
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["audit", "--provider", "aws", "--org", "--regions", REGION, "--no-history",
                                      "-o", "out", "--format", "json", "--quiet"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out" / "audit.json").read_text())
    cov = {c["scope"]: c for c in report["coverage"]}
    assert cov[f"{locked}/*/*"]["status"] == "failed" and cov[f"{locked}/*/*"]["error_code"] == "AccessDenied"
    for name in ("prod", "research-a", "vision-b"):
        assert cov[f"{org['members'][name]}/{REGION}/ec2 instances"]["status"] == "ok"
