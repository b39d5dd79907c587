"""Logging for ``--debug`` that never prints credentials.

Why: botocore at DEBUG logs every request's signed headers and every response body, so an
AssumeRole answer (SecretAccessKey, SessionToken) or an access key id would land in a CI log.
How: the cloud SDKs' loggers stay at INFO even under --debug (costopt's own loggers go to
DEBUG), and every record passes a filter that masks anything that looks like a secret.
"""

from __future__ import annotations

import logging
import re
from typing import TextIO

SDK_LOGGERS = ("botocore", "boto3", "s3transfer", "urllib3", "azure", "google", "grpc", "msal")
_NAMES = (r"SecretAccessKey|aws_secret_access_key|SessionToken|aws_session_token|X-Amz-Security-Token"
          r"|Authorization|AccessKeyId|aws_access_key_id|client_secret|access_token|refresh_token|api[_-]?key"
          r"|X-Amz-Signature|Signature")
# key = value, key: value, 'key': 'value' and botocore's header dicts ('key': b'value'): a quoted
# value is masked up to its closing quote (an Authorization header holds spaces), a bare one to
# the next separator.
SECRET = re.compile(
    rf"""(?ix)
    ( ["']?(?:{_NAMES})["']? \s*[:=]\s* )
    (?: b?(?P<q>["']) [^"'\n]* (?P=q) | [^\s"',}}&<]+ )""")
# XML bodies (STS AssumeRole, GetSessionToken): <SecretAccessKey>...</SecretAccessKey>
SECRET_XML = re.compile(rf"(?i)(<(?:{_NAMES})>)[^<]*(</)")
ACCESS_KEY_ID = re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b")
MASK = "***"


def redact(text: str) -> str:
    text = SECRET_XML.sub(lambda m: m.group(1) + MASK + m.group(2), text)
    return ACCESS_KEY_ID.sub(MASK, SECRET.sub(lambda m: m.group(1) + MASK, text))


class RedactingFilter(logging.Filter):
    """Masks secrets in the formatted message of every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def configure(debug: bool, stream: TextIO | None = None) -> logging.Handler:
    """Root logging for the CLI: DEBUG for costopt with --debug, INFO at most for the SDKs."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.WARNING)
    for name in SDK_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO if debug else logging.WARNING)
    return handler
