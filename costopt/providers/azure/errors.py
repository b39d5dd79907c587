"""Turn an azure-core error into a coverage code and a one-line fix."""

from __future__ import annotations

from costopt.providers.azure.clients import CRED_FIX
from costopt.providers.azure.cost import GROUPS, QueryShapeError

ROLES = {
    "cost": "Cost Management Reader",
    "compute": "Reader",
    "network": "Reader",
    "storage": "Reader",
    "monitor": "Monitoring Reader",
}
NAMESPACES = {"cost": "Microsoft.CostManagement", "compute": "Microsoft.Compute", "network": "Microsoft.Network",
              "storage": "Microsoft.Storage", "monitor": "Microsoft.Insights", "ml": "Microsoft.MachineLearningServices"}


def classify(exc: BaseException, area: str, subscription: str) -> tuple[str, str]:
    """(error_code, fix) for a failed read of ``area`` in ``subscription``."""
    from azure.core.exceptions import ClientAuthenticationError, HttpResponseError

    if isinstance(exc, QueryShapeError):
        return "UnexpectedQueryResult", (f"costopt asks Cost Management for Daily cost grouped by {', '.join(GROUPS)}; "
                                         "this scope answered another shape: rerun with --debug and report it")
    if isinstance(exc, ClientAuthenticationError) and getattr(exc, "status_code", None) in (None, 401):
        return "NoCredentials", CRED_FIX
    if isinstance(exc, HttpResponseError):
        code = getattr(getattr(exc, "error", None), "code", None) or ""
        status = exc.status_code
        scope = (f"/providers/Microsoft.Management/{subscription}" if subscription.startswith("managementGroups/")
                 else f"/subscriptions/{subscription}")
        if status == 403 or code in ("AuthorizationFailed", "RBACAccessDenied"):
            role = ROLES.get(area, "Reader")
            return code or "AuthorizationFailed", (f"az role assignment create --assignee <principal> "
                                                    f"--role \"{role}\" --scope {scope}")
        if status == 401:
            return code or "InvalidAuthenticationToken", CRED_FIX
        if code == "MissingSubscriptionRegistration" or status == 409:
            return code or "MissingSubscriptionRegistration", (
                f"az provider register --namespace {NAMESPACES.get(area, 'Microsoft.CostManagement')} "
                f"--subscription {subscription}")
        if code == "SubscriptionNotFound" or status == 404:
            return code or "NotFound", f"check the subscription id {subscription} and that your account can see it"
        if status == 429:
            return code or "TooManyRequests", "Azure throttled the reads: rerun later"
        return code or f"HTTP{status}", "rerun with --debug for the full error"
    return type(exc).__name__, "rerun with --debug for the full error"
