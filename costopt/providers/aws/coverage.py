"""Turn what could not be read into CoverageEntry values (error code + fix); the audit goes on.

An AccessDenied on one service, an unreachable or disabled region, or throttling that outlasted
the retries is recorded for that scope (``account/region/service``) and every other scope is
still read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import botocore.exceptions

from costopt.model import CoverageEntry
from costopt.providers.aws.common import pages, tag_dict

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")

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
# A response whose shape costopt did not expect (a key missing, a null where a list was due):
# real accounts answer with shapes moto and the service model's examples never show.
SHAPE_ERRORS = (KeyError, TypeError, ValueError, AttributeError, IndexError)
UNEXPECTED = "UnexpectedResponse"
UNEXPECTED_FIX = "the API answered with a shape costopt does not expect; rerun with --debug and report it"


def _describe(exc: BaseException) -> tuple[str, str, str]:
    """(error code, one-line detail, fix) of an AWS error or an unexpected response shape."""
    if isinstance(exc, RECOVERABLE):
        code = error_code(exc)
        return code, (str(exc).splitlines()[0][:300] if str(exc) else code), fix_for(code, ())
    return UNEXPECTED, f"unexpected response shape ({type(exc).__name__}: {str(exc)[:200]})", UNEXPECTED_FIX


def guarded(scope: str, coverage: list[CoverageEntry], func: Callable[[], Any], *,
            actions: tuple[str, ...] = (), default: Any = None, ok_detail: str | None = None) -> Any:
    """Run ``func``; on an AWS error (or a response of unexpected shape) record a failed entry for
    ``scope`` and return ``default``."""
    try:
        result = func()
    except RECOVERABLE as exc:
        log.info("aws %s failed: %s", scope, exc)
        coverage.append(failed(scope, exc, actions))
        return default
    except SHAPE_ERRORS as exc:
        log.warning("aws %s: unexpected response shape: %r", scope, exc, exc_info=log.isEnabledFor(logging.DEBUG))
        code, detail, fix = _describe(exc)
        coverage.append(CoverageEntry("aws", scope, "failed", detail, code, fix))
        return default
    if ok_detail is not None:
        coverage.append(CoverageEntry("aws", scope, "ok", ok_detail))
    return result


def item_problem(scope: str, item: str, exc: BaseException, actions: tuple[str, ...] = (),
                 consequence: str = "skipped") -> CoverageEntry:
    """A ``partial`` entry for one item of ``scope`` (``scope:item``) that could not be read whole."""
    code, detail, fix = _describe(exc)
    if isinstance(exc, RECOVERABLE):
        fix = fix_for(code, actions)
    return CoverageEntry("aws", f"{scope}:{item}", "partial", f"{item} {consequence}: {detail}", code, fix)


def sagemaker_tags(sm: Any, arn: str, scope: str, item: str, actions: tuple[str, ...],
                   coverage: list[CoverageEntry]) -> dict[str, str]:
    """The tags of SageMaker resource ``arn`` (ListTags); when they cannot be read, none and a
    ``partial`` entry saying ``item`` is kept without them."""
    try:
        return tag_dict(pages(sm, "list_tags", "Tags", ResourceArn=arn))
    except botocore.exceptions.ClientError as exc:
        coverage.append(item_problem(scope, item, exc, actions, "kept without its tags"))
        return {}


def each(scope: str, coverage: list[CoverageEntry], items: Iterable[T], build: Callable[[T], R | None],
         label: Callable[[T], str], actions: tuple[str, ...] = ()) -> list[R]:
    """``build(item)`` for every item; an item whose read fails (AWS error or unexpected shape)
    becomes a ``partial`` entry naming it, and the others are still built. None results are dropped."""
    out: list[R] = []
    for item in items:
        try:
            built = build(item)
        except RECOVERABLE + SHAPE_ERRORS as exc:
            name = _label(label, item)
            log.info("aws %s: %s skipped: %r", scope, name, exc)
            coverage.append(item_problem(scope, name, exc, actions))
            continue
        if built is not None:
            out.append(built)
    return out


def _label(label: Callable[[Any], str], item: Any) -> str:
    try:
        return str(label(item))
    except SHAPE_ERRORS:
        return "an unnamed item"
