"""``costopt --debug audit --provider aws`` never writes credentials to stderr, end to end: moto
answers at the wire (AssumeRole returns real-looking keys and a session token), botocore logs
what it logs under --debug, and the secrets moto handed out are looked up afterwards in moto's
own STS backend and searched for in what the command printed."""

from __future__ import annotations

import logging

import pytest
from click.testing import CliRunner
from moto import mock_aws
from moto.sts.models import sts_backends

from costopt import logsafe
from costopt.cli import cli

KEY_ID, SECRET, TOKEN = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "FwoGZXIvYXdzEBYaDEXAMPLETOKEN"
ROLE = "arn:aws:iam::111111111111:role/costopt-audit"


@pytest.fixture(params=["sdk-at-info", "sdk-at-debug"])
def aws_env(monkeypatch, request):
    """Both layers: the SDK loggers capped at INFO (the default), and the SDKs at DEBUG (as a
    user's own logging setup could leave them) with only the redacting filter between them and stderr."""
    if request.param == "sdk-at-debug":
        monkeypatch.setattr(logsafe, "SDK_LOGGERS", ())
        monkeypatch.setattr(logging.getLogger("botocore"), "level", logging.DEBUG)
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    with mock_aws():
        yield


def _debug_audit(tmp_path, *extra: str) -> str:
    result = CliRunner().invoke(cli, ["--debug", "audit", "--provider", "aws", "--regions", "us-east-1", *extra,
                                      "--no-history", "--out", str(tmp_path / "out"), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "INFO botocore" in result.stderr  # --debug did log the SDK
    return result.stderr


def test_debug_with_role_arn_prints_no_assumed_credentials(aws_env, tmp_path):
    stderr = _debug_audit(tmp_path, "--role-arn", ROLE)
    assumed = [role for account in sts_backends for role in sts_backends[account]["global"].assumed_roles]
    assert assumed, "the audit assumed no role"
    for role in assumed:
        assert role.secret_access_key not in stderr and role.session_token not in stderr
        assert role.access_key_id not in stderr
    assert SECRET not in stderr and TOKEN not in stderr and KEY_ID not in stderr


def test_debug_without_a_role_prints_no_key_id_token_or_signature(aws_env, tmp_path):
    stderr = _debug_audit(tmp_path)
    assert SECRET not in stderr and TOKEN not in stderr and KEY_ID not in stderr
    assert "Signature=" not in stderr and "X-Amz-Security-Token: F" not in stderr
