"""Azure ML command jobs as ``training_run`` Resources, priced from what the ARM job resource gives.

The ARM job resource (``Microsoft.MachineLearningServices/workspaces/jobs``, api-version
2024-04-01, the REST reference's ``JobBase``) has no billable hours, start or end time: only
``properties.status``, ``properties.jobType``, ``properties.computeId``,
``properties.resources.instanceCount`` / ``instanceType``, ``properties.queueSettings.jobTier``,
``properties.limits.timeout``, ``properties.experimentName`` / ``displayName`` and ARM's
``systemData.createdAt`` / ``lastModifiedAt``. So a finished job (status Completed, Failed or
Canceled) is priced as running from its creation to its last modification: that span includes
the time it queued for nodes, so it is an upper bound, marked ``duration_estimate`` (the rule
lowers its confidence). A job without both times is not priced and is counted in coverage.

Its instance type is the cluster's ``vmSize`` (``resources.instanceType`` on serverless compute),
its count ``resources.instanceCount`` (1 when absent); it ran on low-priority capacity when the
cluster's ``vmPriority`` is LowPriority or the job's ``queueSettings.jobTier`` is Spot. A job on a
compute instance is left to the notebook rule; Sweep and Pipeline jobs run their trials / steps
as child jobs. Prices come from the Retail Prices API when given: the size's Linux consumption
rate and its "Low Priority" rate (the Spot rate when no Low Priority meter exists).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from costopt.model import Resource, Window, utc
from costopt.providers.azure.inventory import resource_group
from costopt.providers.job_names import job_family

FINISHED = frozenset({"Completed", "Failed", "Canceled"})
TRAINING_JOB_TYPES = frozenset({"Command"})
SECONDS_SOURCE = "systemData.createdAt -> lastModifiedAt (includes queue time: an upper bound)"
PRICE_SOURCE = "Azure Retail Prices API"
_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


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
                 window: Window, currency: str, prices: Any = None) -> Resource | None:
    """A finished command job active in the window (None for others); raises ValueError when it
    cannot be priced (no creation / last-modified time, or a compute costopt does not know)."""
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
    if start is None or end is None:
        raise ValueError("no systemData.createdAt / lastModifiedAt: its run time is unknown")
    if end < window.start or start > window.end:
        return None
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
                    "billable_seconds": span, "seconds_source": SECONDS_SOURCE, "duration_estimate": True,
                    "in_window_share": inside / span if span else 1.0, "checkpoint_s3": None,
                    "max_runtime_s": duration_s((props.get("limits") or {}).get("timeout")), "tuning_job_arn": None,
                    "start": start.isoformat(), "end": end.isoformat(), "cluster": cluster.name if cluster else None,
                    "serverless": cluster is None, "job_tier": tier or None, "max_nodes": cluster.max_nodes if cluster else None,
                    "workspace": workspace.get("name"), "resource_group": resource_group(ws_id),
                    **_prices(prices, region, str(size))})


