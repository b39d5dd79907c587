"""Standard SDK configuration: AWS_REGION, AWS_ENDPOINT_URL, the enabled-regions default, and
assumed-role credentials that refresh."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import moto.sts.models

from costopt.providers.aws.session import Account, assume, client_config, enabled_regions, home_region


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


ROLE = "arn:aws:iam::111111111111:role/costopt-audit"


def test_assumed_role_credentials_refresh_once_the_clock_passes_their_expiry(moto_account, monkeypatch):
    """One clock for the fake STS and the client: past the first keys' hour, the next call
    assumes the role again and signs with the new keys."""
    now = [datetime.now(UTC)]
    monkeypatch.setattr(moto.sts.models, "utcnow", lambda: now[0].replace(tzinfo=None))  # the fake's clock
    assume_calls, signed_with = [], []
    moto_account.events.register("before-send.sts.AssumeRole", lambda **_: assume_calls.append(1))
    assumed = assume(moto_account, client_config(), ROLE, clock=lambda: now[0])
    assumed.events.register("before-send.sts.GetCallerIdentity",
                            lambda request, **_: signed_with.append(request.headers["Authorization"].decode()))
    sts = assumed.client("sts", region_name="us-east-1")

    first = assumed.get_credentials().get_frozen_credentials()
    assert sts.get_caller_identity()["Account"] == "111111111111"
    assert assume_calls == [1] and first.access_key in signed_with[-1]

    now[0] += timedelta(hours=1, minutes=1)  # past the default 1 h expiry
    assert sts.get_caller_identity()["Account"] == "111111111111"
    second = assumed.get_credentials().get_frozen_credentials()
    assert assume_calls == [1, 1] and second.access_key != first.access_key
    assert second.access_key in signed_with[-1]  # the call after expiry used the new keys
