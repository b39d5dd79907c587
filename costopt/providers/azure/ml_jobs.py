"""Azure ML command jobs as ``training_run`` Resources, priced from what the ARM job resource gives.

The ARM job resource (``Microsoft.MachineLearningServices/workspaces/jobs``, api-version
2024-04-01, the REST reference's ``JobBase``) has no billable hours, start or end time: only
``properties.status``, ``properties.jobType``, ``properties.computeId``,
``properties.resources.instanceCount`` / ``instanceType``, ``properties.queueSettings.jobTier``,
``properties.limits.timeout``, ``properties.experimentName`` / ``displayName`` and ARM's
``systemData.createdAt`` / ``lastModifiedAt``. So a finished job (status Completed, Failed or
Canceled) is priced as running from its creation to its last modification: that span includes
the time it queued for nodes, so it is an upper bound, marked ``duration_estimate`` (the rule
lowers its confidence). A job without both times raises :class:`NoRunTime`: the caller prices it
from its cluster's measured node-hours (``fallback``, see :mod:`ml_compute`) or counts it in
coverage.

Its instance type is the cluster's ``vmSize`` (``resources.instanceType`` on serverless compute),
its count ``resources.instanceCount`` (1 when absent); it ran on low-priority capacity when the
cluster's ``vmPriority`` is LowPriority or the job's ``queueSettings.jobTier`` is Spot. A job on a
compute instance is left to the notebook rule; Sweep and Pipeline jobs run their trials / steps
as child jobs. Prices come from the Retail Prices API when given: the size's Linux consumption
rate and its "Low Priority" rate (the Spot rate when no Low Priority meter exists).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from costopt.model import Resource, Window, utc
from costopt.providers.azure.inventory import resource_group
from costopt.providers.azure.monitor import _raw_metrics
from costopt.providers.job_names import job_family
from costopt.providers.list_read import Skipped, first_line

FINISHED = frozenset({"Completed", "Failed", "Canceled"})
TRAINING_JOB_TYPES = frozenset({"Command"})
SECONDS_SOURCE = "systemData.createdAt -> lastModifiedAt (includes queue time: an upper bound)"
PRICE_SOURCE = "Azure Retail Prices API"
ACTIVE_NODES = "Active Nodes"
_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


class NoRunTime(ValueError):
    """A finished command job without ``systemData.createdAt`` / ``lastModifiedAt``."""


@dataclass(frozen=True)
class Cluster:
    """What a job needs to know of the AmlCompute cluster it ran on."""

    name: str
    size: str
    location: str
    low_priority: bool
    max_nodes: int


def duration_s(text: str | None) -> float | None:
    """ISO 8601 duration (``PT60M``, ``PT2H30M``, ``P1DT2H``) in seconds; None when absent or unreadable."""
    m = _DURATION.match(text or "")
    if not text or not m:
        return None
    d, h, mi, s = (float(g) if g else 0.0 for g in m.groups())
    return d * 86400 + h * 3600 + mi * 60 + s


def when(text: Any) -> datetime | None:
    try:
        return utc(datetime.fromisoformat(str(text).replace("Z", "+00:00"))) if text else None
    except ValueError:
        return None


def _created(job: dict[str, Any]) -> datetime | None:
    props = job.get("properties") or {}
    return when((job.get("systemData") or {}).get("createdAt")) or when((props.get("creationContext") or {}).get("createdAt"))


def _prices(prices: Any, region: str, size: str) -> dict[str, Any]:
    """The size's on-demand and low-priority rates from the Retail Prices API ({} when unknown)."""
    if prices is None:
        return {}
    od = prices.vm_hourly(region, size)
    low = prices.vm_low_priority_hourly(region, size)
    if od is None or low is None:
        return {}
    return {"on_demand_hourly": od, "spot_hourly": low, "price_source": PRICE_SOURCE}


def training_run(job: dict[str, Any], clusters: dict[str, Cluster], sub: str, workspace: dict[str, Any],
                 window: Window, currency: str, prices: Any = None,
                 fallback: tuple[float, str] | None = None) -> Resource | None:
    """A finished command job active in the window (None for others); raises :class:`NoRunTime`
    when its times are missing and no ``fallback`` (seconds per node, where they came from) is
    given (a job created before the window is then left out), ValueError for a compute costopt
    does not know."""
    props = job["properties"]
    if props.get("jobType") not in TRAINING_JOB_TYPES or props.get("status") not in FINISHED:
        return None
    compute_id = str(props.get("computeId") or "").lower()
    res = props.get("resources") or {}
    tier = str((props.get("queueSettings") or {}).get("jobTier") or "")
    cluster = clusters.get(compute_id)
    if compute_id and cluster is None:
        if "/computes/" in compute_id:
            return None  # a compute instance (or another compute type): not a training cluster
        raise ValueError(f"computeId {props.get('computeId')!r} is not a compute of the workspace")
    size = cluster.size if cluster else res.get("instanceType")
    if not size:
        raise ValueError("serverless job without resources.instanceType")
    start, end = _created(job), when((job.get("systemData") or {}).get("lastModifiedAt"))
    source = SECONDS_SOURCE
    if start is None or end is None:
        if fallback is None:
            raise NoRunTime("no systemData.createdAt / lastModifiedAt: its run time is unknown")
        if start is not None and not window.start <= start <= window.end:
            return None
        span = inside = fallback[0]
        source = fallback[1]
    elif end < window.start or start > window.end:
        return None
    else:
        span = max(0.0, (end - start).total_seconds())
        inside = max(0.0, (min(end, window.end) - max(start, window.start)).total_seconds())
    region = cluster.location if cluster else str(workspace.get("location") or "")
    low = (cluster.low_priority if cluster else False) or tier.lower() == "spot"
    name = str(props.get("displayName") or job["name"])
    ws_id = str(workspace["id"])
    return Resource(
        provider="azure", account=sub, region=region, id=str(job["id"]).lower(), kind="training_run", type=str(size),
        name=name, count=max(int(res.get("instanceCount") or 1), 1), pricing_model="spot" if low else "on_demand",
        hourly_cost=0.0, currency=currency, workload="training", created=start,
        tags={str(k): str(v) for k, v in (props.get("tags") or {}).items()},
        attributes={"service": "azure ml", "status": props.get("status"), "job_type": props.get("jobType"),
                    "family": str(props.get("experimentName") or job_family(name)),
                    "billable_seconds": span, "seconds_source": source, "duration_estimate": True,
                    "in_window_share": inside / span if span else 1.0, "checkpoint_s3": None,
                    "max_runtime_s": duration_s((props.get("limits") or {}).get("timeout")), "tuning_job_arn": None,
                    "start": start.isoformat() if start else None, "end": end.isoformat() if end else None,
                    "cluster": cluster.name if cluster else None,
                    "serverless": cluster is None, "job_tier": tier or None, "max_nodes": cluster.max_nodes if cluster else None,
                    "workspace": workspace.get("name"), "resource_group": resource_group(ws_id),
                    **_prices(prices, region, str(size))})




def cluster_node_hours(monitor: Any, workspace_id: str, cluster: str, window: Window) -> float | None:
    """Node-hours the cluster's nodes ran jobs in the window: the workspace's Azure Monitor metric
    ``Active Nodes`` ("nodes actively running a job", PT1M, dimension ClusterName), hourly Average
    (mean nodes in the hour) summed over the hours; None when Monitor has no point for it."""
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    timespan = f"{window.start.astimezone(UTC).strftime(fmt)}/{window.end.astimezone(UTC).strftime(fmt)}"
    rows = _raw_metrics(monitor, workspace_id, timespan, metricnames=ACTIVE_NODES, interval="PT1H",
                        aggregation="Average", filter=f"ClusterName eq '{cluster}'")
    points = [float(p[4]) for _name, data in rows for p in data if p[4] is not None]
    return sum(points) if points else None


@dataclass
class WorkspaceRuns:
    """A workspace's training runs, the jobs left out, and what the cluster fallback measured."""

    runs: list[Resource] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    measured: dict[str, str] = field(default_factory=dict)  # cluster -> how its node-hours priced its jobs


def workspace_runs(jobs: list[dict[str, Any]], clusters: dict[str, Cluster], sub: str, workspace: dict[str, Any],
                   window: Window, currency: str, prices: Any = None, monitor: Any = None) -> WorkspaceRuns:
    """Every finished command job of a workspace as a training run; the jobs without times on a
    cluster share the cluster's measured node-hours (:func:`cluster_node_hours`) less those of its
    jobs with times, split evenly per node (an estimate); without a Monitor reading they are skipped."""
    out = WorkspaceRuns()
    timeless: dict[str, list[dict[str, Any]]] = {}
    for job in jobs:
        try:
            run = training_run(job, clusters, sub, workspace, window, currency, prices)
        except NoRunTime as exc:
            compute = str((job.get("properties") or {}).get("computeId") or "").lower()
            if compute in clusters and monitor is not None:
                timeless.setdefault(compute, []).append(job)
            else:
                out.skipped.append(Skipped(str(job.get("name")), f"NoRunTime: {exc}"))
            continue
        except Exception as exc:  # one job costopt cannot map costs only itself
            out.skipped.append(Skipped(str(job.get("name")), f"{type(exc).__name__}: {first_line(exc)}"))
            continue
        if run is not None:
            out.runs.append(run)
    for compute, waiting in timeless.items():
        name = clusters[compute].name
        try:
            measured = cluster_node_hours(monitor, str(workspace["id"]), name, window)
        except Exception as exc:  # no reading: these jobs stay unpriced
            measured, why = None, first_line(exc)
        else:
            why = "no data point"
        if measured is None:
            out.skipped += [Skipped(str(j.get("name")), f"NoRunTime; Active Nodes of {name}: {why}") for j in waiting]
            continue
        timed = sum(float(r.attributes["billable_seconds"]) * float(r.attributes["in_window_share"]) * r.count / 3600
                    for r in out.runs if r.attributes.get("cluster") == name)
        nodes = sum(max(int(((j.get("properties") or {}).get("resources") or {}).get("instanceCount") or 1), 1)
                    for j in waiting)
        left = max(measured - timed, 0.0)
        source = (f"estimate: Azure Monitor 'Active Nodes' of cluster {name}, {measured:.1f} node-hours in the lookback "
                  f"less {timed:.1f} of its jobs with times, split evenly over {len(waiting)} jobs without times")
        out.measured[name] = source
        for job in waiting:
            run = training_run(job, clusters, sub, workspace, window, currency, prices, (left * 3600 / nodes, source))
            if run is not None:
                out.runs.append(run)
    return out
