"""--debug logging never prints credentials: SDK loggers stay at INFO and secrets are masked."""

from __future__ import annotations

import io
import logging

import pytest

from costopt import logsafe

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD"


@pytest.fixture
def debug_log():
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (list(root.handlers), root.level, {n: logging.getLogger(n).level for n in logsafe.SDK_LOGGERS})
    logsafe.configure(True, stream)
    yield stream
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in saved[0]:
        root.addHandler(handler)
    root.setLevel(saved[1])
    for name, level in saved[2].items():
        logging.getLogger(name).setLevel(level)


def test_botocore_debug_bodies_are_not_logged(debug_log):
    logging.getLogger("botocore.parsers").debug("Response body: <SecretAccessKey>%s</SecretAccessKey>", SECRET)
    logging.getLogger("costopt.providers.aws").debug("collecting us-east-1")
    out = debug_log.getvalue()
    assert SECRET not in out and "collecting us-east-1" in out


@pytest.mark.parametrize("message", [
    f'{{"Credentials": {{"AccessKeyId": "ASIAXAMPLEXAMPLEXAMP", "SecretAccessKey": "{SECRET}", "SessionToken": "{TOKEN}"}}}}',
    f"headers: {{'Authorization': 'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261203/us-east-1/sts', "
    f"'X-Amz-Security-Token': '{TOKEN}'}}",
    f"aws_secret_access_key = {SECRET}",
])
def test_secrets_are_masked_whoever_logs_them(debug_log, message):
    logging.getLogger("botocore.endpoint").info("%s", message)
    out = debug_log.getvalue()
    assert SECRET not in out and TOKEN not in out and "AKIAIOSFODNN7EXAMPLE" not in out
    assert "ASIAXAMPLEXAMPLEXAMP" not in out and "***" in out
