"""Azure Machine Learning compute over ARM REST: compute instances, compute clusters and jobs.

azure-mgmt-machinelearningservices is not a dependency (azure-ai-ml is very large), so the
ARM REST API (``api-version`` :data:`API_VERSION`) is read with azure-core's ARM pipeline, the
same credential and retry policy as the other Azure clients, following ``nextLink``:
``Microsoft.MachineLearningServices/workspaces`` of the subscription, then per workspace
``computes`` and ``jobs``. Shapes follow the REST reference: a compute's
``properties.computeType`` (ComputeInstance | AmlCompute) and ``properties.properties``
(``vmSize``, ``state``, ``idleTimeBeforeShutdown`` ISO 8601 duration, ``schedules.computeStartStop``;
``scaleSettings.minNodeCount`` / ``nodeIdleTimeBeforeScaleDown``, ``vmPriority``); a job's
``properties.computeId``, ``status`` and ``creationContext.createdAt``.

Compute instances become ``notebook`` Resources (idle shutdown on when an idle time or an
enabled Stop schedule is set), clusters ``ml_cluster`` ones carrying the latest job submitted to
them in the lookback. One workspace (or list) that cannot be read is a coverage entry; one item
that cannot be mapped is skipped on its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from azure.core.rest import HttpRequest
from azure.mgmt.core import ARMPipelineClient
from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy

from costopt.model import CoverageEntry, Resource, Window, utc
from costopt.providers.azure.clients import ARM_SCOPE, LoopbackAuthPolicy, make_retry_policy
from costopt.providers.azure.inventory import resource_group
from costopt.providers.list_read import build_each

API_VERSION = "2024-04-01"
ARM = "https://management.azure.com"
MAX_PAGES = 1000
_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def duration_s(text: str | None) -> float | None:
    """ISO 8601 duration (``PT60M``, ``PT2H30M``, ``P1DT2H``) in seconds; None when absent or unreadable."""
    m = _DURATION.match(text or "")
    if not text or not m:
        return None
    d, h, mi, s = (float(g) if g else 0.0 for g in m.groups())
    return d * 86400 + h * 3600 + mi * 60 + s


class ArmRest:
    """GET + ``nextLink`` paging on azure-core's ARM pipeline (bearer token, retries on 429/5xx)."""

    def __init__(self, credential: Any, base_url: str | None = None):
        self.base = (base_url or ARM).rstrip("/")
        auth = (LoopbackAuthPolicy if base_url else ARMChallengeAuthenticationPolicy)(credential, ARM_SCOPE)
        self._client = ARMPipelineClient(base_url=self.base, policies=[make_retry_policy(), auth])

    def get(self, url: str) -> dict[str, Any]:
        response = self._client.send_request(HttpRequest("GET", url))
        response.raise_for_status()
        return response.json()

    def list(self, path: str) -> list[dict[str, Any]]:
        url: str | None = f"{self.base}{path}?api-version={API_VERSION}"
        out: list[dict[str, Any]] = []
        for _ in range(MAX_PAGES):
            if not url:
                break
            page = self.get(url)
            out.extend(page.get("value") or [])
            url = page.get("nextLink")
        return out


def _when(text: Any) -> datetime | None:
    try:
        return utc(datetime.fromisoformat(str(text).replace("Z", "+00:00"))) if text else None
    except ValueError:
        return None


def _stop_schedule(props: dict[str, Any]) -> bool:
    for s in ((props.get("schedules") or {}).get("computeStartStop") or []):
        if str(s.get("action", "")).lower() == "stop" and str(s.get("status", "Enabled")).lower() == "enabled":
            return True
    return False


def compute_resource(item: dict[str, Any], sub: str, workspace: str, last_job: dict[str, datetime],
                     currency: str) -> Resource | None:
    """A compute instance (``notebook``) or cluster (``ml_cluster``); None for other compute types."""
    outer = item["properties"]
    kind, props = outer.get("computeType"), outer.get("properties") or {}
    common = dict(provider="azure", account=sub, region=item.get("location") or "", id=item["id"].lower(),
                  name=item["name"], currency=currency,
                  tags={str(k): str(v) for k, v in (item.get("tags") or {}).items()},
                  created=_when(outer.get("createdOn")))
    base = {"service": "azure ml", "workspace": workspace, "resource_group": resource_group(item["id"])}
    if kind == "ComputeInstance":
        idle = duration_s(props.get("idleTimeBeforeShutdown"))
        return Resource(kind="notebook", type=props["vmSize"], workload="notebook", **common,
                        attributes={**base, "status": props.get("state"), "idle_timeout_s": idle,
                                    "idle_shutdown": bool(idle) or _stop_schedule(props),
                                    "stop_schedule": _stop_schedule(props)})
    if kind == "AmlCompute":
        scale = props.get("scaleSettings") or {}
        low = str(props.get("vmPriority", "Dedicated")).lower() == "lowpriority"
        last = last_job.get(item["id"].lower())
        return Resource(kind="ml_cluster", type=props["vmSize"], pricing_model="spot" if low else "on_demand",
                        workload="training", **common,
                        attributes={**base, "status": outer.get("provisioningState"),
                                    "min_nodes": int(scale.get("minNodeCount") or 0),
                                    "max_nodes": int(scale.get("maxNodeCount") or 0),
                                    "idle_seconds_before_scale_down": duration_s(scale.get("nodeIdleTimeBeforeScaleDown")),
                                    "current_nodes": props.get("currentNodeCount"), "vm_priority": props.get("vmPriority"),
                                    "last_job": last.isoformat() if last else None})
    return None


def latest_jobs(jobs: list[dict[str, Any]], window: Window) -> dict[str, datetime]:
    """compute id (lower case) -> the latest creation time of a job submitted to it in the window."""
    out: dict[str, datetime] = {}
    for job in jobs:
        props = job.get("properties") or {}
        created = _when((props.get("creationContext") or {}).get("createdAt")) or _when(
            (job.get("systemData") or {}).get("createdAt"))
        compute = str(props.get("computeId") or "").lower()
        if created is None or not compute or created < window.start:
            continue
        if compute not in out or created > out[compute]:
            out[compute] = created
    return out


def read_all(rest: ArmRest, sub: str, window: Window, currency: str,
             failed: Callable[[str, BaseException, str, str, str], CoverageEntry]
             ) -> tuple[list[Resource], list[CoverageEntry]]:
    """Every workspace's compute instances and clusters, with the latest job per cluster."""
    scope = f"{sub}/ml-compute"  # online endpoints are SUB/ml (ml_endpoints)
    try:
        workspaces = rest.list(f"/subscriptions/{sub}/providers/Microsoft.MachineLearningServices/workspaces")
    except Exception as exc:  # one list that cannot be read costs only itself
        return [], [failed(scope, exc, "ml", sub, "Azure ML workspaces")]
    resources: list[Resource] = []
    cov: list[CoverageEntry] = []
    for ws in workspaces:
        where = f"{scope}/{ws.get('name')}"
        try:
            jobs = rest.list(f"{ws['id']}/jobs")
        except Exception as exc:
            cov.append(failed(f"{where}/jobs", exc, "ml", sub, "Azure ML jobs (clusters kept without their last job)"))
            jobs = []
        try:
            computes = rest.list(f"{ws['id']}/computes")
        except Exception as exc:
            cov.append(failed(f"{where}/computes", exc, "ml", sub, "Azure ML computes"))
            continue
        last = latest_jobs(jobs, window)
        built, skipped = build_each(computes, lambda c: compute_resource(c, sub, ws["name"], last, currency),  # noqa: B023
                                    lambda c: c.get("name"))
        resources += [r for r in built if r is not None]
        cov += [CoverageEntry("azure", f"{where}/{s.name}", "partial", f"Azure ML compute skipped: {s.reason}",
                              "UnreadableItem", "the compute was left out; rerun with --debug for the full error")
                for s in skipped]
        cov.append(CoverageEntry("azure", where, "partial" if skipped else "ok",
                                 f"{len(computes)} computes, {len(jobs)} jobs"))
    if not workspaces:
        cov.append(CoverageEntry("azure", scope, "ok", "no Azure ML workspace"))
    return resources, cov
