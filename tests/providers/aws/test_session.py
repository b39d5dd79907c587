"""Standard SDK configuration: AWS_REGION, AWS_ENDPOINT_URL, the enabled-regions default."""

from __future__ import annotations

import boto3

from costopt.providers.aws.session import Account, client_config, enabled_regions, home_region


def test_aws_region_is_honoured_when_boto3_has_no_region(monkeypatch):
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    assert home_region(boto3.Session(aws_access_key_id="x", aws_secret_access_key="x")) == "eu-west-1"
    assert home_region(boto3.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name="us-west-2")) == "us-west-2"


def test_aws_endpoint_url_reaches_every_client(monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    account = Account("1", boto3.Session(aws_access_key_id="x", aws_secret_access_key="x"), "t", client_config())
    assert account.client("ec2", "eu-west-1").meta.endpoint_url == "http://127.0.0.1:4566"
    assert account.client("ec2", "eu-west-1") is account.client("ec2", "eu-west-1")  # cached


def test_default_regions_are_the_enabled_ones(moto_account):
    regions = enabled_regions(Account("123456789012", moto_account, "t", client_config()))
    assert "us-east-1" in regions and "eu-west-1" in regions and regions == sorted(regions)
