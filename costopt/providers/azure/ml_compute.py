"""Azure Machine Learning compute over ARM REST: compute instances, compute clusters and jobs.

azure-mgmt-machinelearningservices is not a dependency (azure-ai-ml is very large), so the
ARM REST API (api-version 2024-04-01) is read through :meth:`AzureClients.rest` (the ARM
pipeline every Azure client here shares: credential, throttling retries, the
``[providers.azure]`` connect / read timeouts, the demo's base URL), following ``nextLink``:
``Microsoft.MachineLearningServices/workspaces`` of the subscription, then per workspace
``computes`` and ``jobs``. Shapes follow the REST reference: a compute's
``properties.computeType`` (ComputeInstance | AmlCompute) and ``properties.properties``
(``vmSize``, ``state``, ``idleTimeBeforeShutdown`` ISO 8601 duration, ``schedules.computeStartStop``;
``scaleSettings.minNodeCount`` / ``nodeIdleTimeBeforeScaleDown``, ``vmPriority``); a job's
``properties.computeId``, ``status`` and ``systemData.createdAt``.

Compute instances become ``notebook`` Resources (idle shutdown on when an idle time or an
enabled Stop schedule is set), clusters ``ml_cluster`` ones carrying the latest job submitted to
them in the lookback, finished command jobs ``training_run`` ones (:mod:`ml_jobs`; those without
times priced from their cluster's Azure Monitor ``Active Nodes`` node-hours). One
workspace (or list) that cannot be read is a coverage entry; one item that cannot be mapped is
skipped on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from costopt.model import CoverageEntry, Resource, Window
from costopt.providers.azure.inventory import resource_group
from costopt.providers.azure.ml_endpoints import read_list
from costopt.providers.azure.ml_jobs import Cluster, duration_s, workspace_runs
from costopt.providers.azure.ml_jobs import when as _when
from costopt.providers.list_read import build_each

__all__ = ["compute_resource", "duration_s", "latest_jobs", "read_all"]


def _list(client: Any, path: str) -> list[dict[str, Any]]:
    """Every item of one ARM list (``nextLink`` followed); raises the error that stopped it."""
    read = read_list(client, path)
    if read.error is not None:
        raise read.error
    return list(read.items)


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


def _clusters(computes: list[dict[str, Any]]) -> dict[str, Cluster]:
    """compute id (lower case) -> the AmlCompute clusters' size, location, priority and node cap."""
    out: dict[str, Cluster] = {}
    for c in computes:
        outer = c.get("properties") or {}
        props = outer.get("properties") or {}
        if outer.get("computeType") == "AmlCompute" and props.get("vmSize"):
            out[str(c["id"]).lower()] = Cluster(
                str(c["name"]), str(props["vmSize"]), str(c.get("location") or ""),
                str(props.get("vmPriority", "Dedicated")).lower() == "lowpriority",
                int((props.get("scaleSettings") or {}).get("maxNodeCount") or 0))
    return out


def read_all(client: Any, sub: str, window: Window, currency: str,
             failed: Callable[[str, BaseException, str, str, str], CoverageEntry], prices: Any = None,
             monitor: Any = None) -> tuple[list[Resource], list[CoverageEntry]]:
    """Every workspace's compute instances and clusters (with the latest job per cluster) and its
    finished command jobs in the window; ``client`` is :meth:`AzureClients.rest` of ``sub``,
    ``monitor`` its Monitor client (jobs without times are then priced from cluster node-hours)."""
    scope = f"{sub}/ml-compute"  # online endpoints are SUB/ml (ml_endpoints)
    try:
        workspaces = _list(client, f"/subscriptions/{sub}/providers/Microsoft.MachineLearningServices/workspaces")
    except Exception as exc:  # one list that cannot be read costs only itself
        return [], [failed(scope, exc, "ml", sub, "Azure ML workspaces")]
    resources: list[Resource] = []
    cov: list[CoverageEntry] = []
    for ws in workspaces:
        where = f"{scope}/{ws.get('name')}"
        try:
            jobs = _list(client, f"{ws['id']}/jobs")
        except Exception as exc:
            cov.append(failed(f"{where}/jobs", exc, "ml", sub, "Azure ML jobs (clusters kept without their last job)"))
            jobs = []
        try:
            computes = _list(client, f"{ws['id']}/computes")
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
        priced = workspace_runs(jobs, _clusters(computes), sub, ws, window, currency, prices, monitor)
        resources += priced.runs
        if priced.skipped:
            first = priced.skipped[0]
            cov.append(CoverageEntry(
                "azure", f"{where}/jobs-unpriced", "partial",
                f"{len(priced.skipped)} Azure ML jobs not priced as training runs (first: {first.name}: {first.reason})",
                "UnreadableItem", "those jobs are left out of the training rules; the others are kept"))
        for cluster, line in priced.measured.items():
            cov.append(CoverageEntry("azure", f"{where}/{cluster}/jobs-from-node-hours", "partial",
                                     f"jobs without times priced from their cluster's node-hours ({line})",
                                     "EstimatedRunTime", "low confidence: the jobs' own run times are unknown"))
    if not workspaces:
        cov.append(CoverageEntry("azure", scope, "ok", "no Azure ML workspace"))
    return resources, cov
