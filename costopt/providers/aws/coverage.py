"""Turn what could not be read into CoverageEntry values (error code + fix); the audit goes on.

An AccessDenied on one service, an unreachable or disabled region, or throttling that outlasted
the retries is recorded for that scope (``account/region/service``) and every other scope is
still read.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

import botocore.exceptions

from costopt.model import CoverageEntry

log = logging.getLogger(__name__)

ACCESS_CODES = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError",
                          "AuthFailure", "UnrecognizedClientException", "OptInRequired", "InvalidClientTokenId"})
THROTTLE_CODES = frozenset({"Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException",
                            "LimitExceededException", "RequestThrottled", "SlowDown"})


def scope_of(account: str, region: str, service: str) -> str:
    return f"{account}/{region}/{service}"


def fix_for(code: str, actions: tuple[str, ...]) -> str:
    """A one-line fix for an error code."""
    if code in ACCESS_CODES:
        needed = ", ".join(actions) if actions else "the actions in costopt/providers/aws/iam-policy.json"
        return f"grant {needed} (see costopt/providers/aws/iam-policy.json), or enable the region"
    if code in THROTTLE_CODES:
        return "throttled after retries: rerun later, lower concurrency ([providers.aws] max_workers) or raise quotas"
    if code == "EndpointConnectionError":
        return "region unreachable: check the network/proxy or drop the region with --regions"
    if code == "ReadTimeout" or code == "ConnectTimeout":
        return "the service did not answer in time: rerun, or restrict --regions"
    return "see the error detail; rerun with --debug for the traceback"


def error_code(exc: BaseException) -> str:
    if isinstance(exc, botocore.exceptions.ClientError):
        return exc.response.get("Error", {}).get("Code", "ClientError") or "ClientError"
    if isinstance(exc, botocore.exceptions.EndpointConnectionError):
        return "EndpointConnectionError"
    if isinstance(exc, botocore.exceptions.ConnectTimeoutError):
        return "ConnectTimeout"
    if isinstance(exc, botocore.exceptions.ReadTimeoutError):
        return "ReadTimeout"
    return type(exc).__name__


def failed(scope: str, exc: BaseException, actions: tuple[str, ...] = ()) -> CoverageEntry:
    code = error_code(exc)
    detail = str(exc).splitlines()[0][:300] if str(exc) else code
    return CoverageEntry("aws", scope, "failed", detail, code, fix_for(code, actions))


RECOVERABLE = (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError)


def guarded(scope: str, coverage: list[CoverageEntry], func: Callable[[], Any], *,
            actions: tuple[str, ...] = (), default: Any = None, ok_detail: str | None = None) -> Any:
    """Run ``func``; on an AWS error record a failed entry for ``scope`` and return ``default``."""
    try:
        result = func()
    except RECOVERABLE as exc:
        log.info("aws %s failed: %s", scope, exc)
        coverage.append(failed(scope, exc, actions))
        return default
    if ok_detail is not None:
        coverage.append(CoverageEntry("aws", scope, "ok", ok_detail))
    return result
