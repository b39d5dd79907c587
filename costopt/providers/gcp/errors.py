"""Turn a google-cloud error into a coverage code and a one-line fix."""

from __future__ import annotations

from google.api_core import exceptions as gexc
from google.auth.exceptions import DefaultCredentialsError, RefreshError

from costopt.providers.gcp.clients import ADC_FIX

ROLES = {
    "compute": "roles/compute.viewer",
    "storage": "roles/storage.legacyBucketReader (or roles/viewer)",
    "monitoring": "roles/monitoring.viewer",
    "bigquery": "roles/bigquery.dataViewer and roles/bigquery.jobUser",
    "cloudbilling": "roles/billing.viewer",
    "aiplatform": "roles/aiplatform.viewer",
}


def classify(exc: BaseException, api: str, project: str) -> tuple[str, str]:
    """(error_code, fix) for a failed read of ``api`` in ``project``."""
    if isinstance(exc, (DefaultCredentialsError, RefreshError)):
        return "NoCredentials", ADC_FIX
    text = str(exc)
    reason = getattr(exc, "reason", None) or ""
    if isinstance(exc, gexc.GoogleAPICallError):
        if reason == "SERVICE_DISABLED" or "has not been used" in text or "is disabled" in text:
            return "ServiceDisabled", f"gcloud services enable {api}.googleapis.com --project {project}"
        if isinstance(exc, (gexc.Forbidden, gexc.PermissionDenied, gexc.Unauthorized, gexc.Unauthenticated)):
            return "PermissionDenied", (f"grant {ROLES.get(api, 'roles/viewer')} on project {project} "
                                        "to the credentials costopt uses")
        if isinstance(exc, gexc.NotFound):
            return "NotFound", f"check that the {api} resource exists in project {project}"
        if isinstance(exc, (gexc.TooManyRequests, gexc.ResourceExhausted)):
            return "Throttled", f"quota exhausted for {api} in {project}: rerun later or raise the quota"
        return type(exc).__name__, "rerun with --debug for the full error"
    return type(exc).__name__, "rerun with --debug for the full error"
