"""The demo's Azure Machine Learning workspace, as the ARM REST JSON the fake serves.

Workspace ``ml-prod`` (eastus): compute instance ``ci-gpu-alice`` (Standard_NC6s_v3) running with
no idle shutdown and ``ci-cpu-bob`` with a 60-minute idle shutdown; cluster ``gpu-cluster``
(Standard_NC24ads_A100_v4) keeping 2 nodes warm with no job for a month, ``cpu-cluster``
scaling to zero and running jobs every other day, ``train-nc6`` (Standard_NC6s_v3, dedicated)
running the ``resnet-finetune`` experiment: a 2-node, 9-hour command job every other day.
Jobs have the REST reference's shape (2024-04-01 ``JobBase``): no start / end time, only ARM's
``systemData.createdAt`` / ``lastModifiedAt``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

WS = "/providers/Microsoft.MachineLearningServices/workspaces"


def _z(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def workspace(sub: str, group: str, name: str, location: str) -> dict:
    return {"id": f"/subscriptions/{sub}/resourceGroups/{group}{WS}/{name}", "name": name, "location": location,
            "type": "Microsoft.MachineLearningServices/workspaces", "properties": {"friendlyName": name}}


def compute_instance(ws: dict, name: str, size: str, *, created: datetime, idle: str | None = None,
                     stop_schedule: bool = False, state: str = "Running", tags: dict | None = None) -> dict:
    props: dict[str, Any] = {"vmSize": size, "state": state}
    if idle:
        props["idleTimeBeforeShutdown"] = idle
    if stop_schedule:
        props["schedules"] = {"computeStartStop": [{"action": "Stop", "status": "Enabled", "triggerType": "Cron",
                                                    "cron": {"expression": "0 19 * * *", "timeZone": "UTC"}}]}
    return {"id": f"{ws['id']}/computes/{name}", "name": name, "location": ws["location"], "tags": tags or {},
            "properties": {"computeType": "ComputeInstance", "provisioningState": "Succeeded",
                           "createdOn": _z(created), "properties": props}}


def cluster(ws: dict, name: str, size: str, *, min_nodes: int, max_nodes: int, idle: str = "PT120S",
            priority: str = "Dedicated", created: datetime, tags: dict | None = None) -> dict:
    return {"id": f"{ws['id']}/computes/{name}", "name": name, "location": ws["location"], "tags": tags or {},
            "properties": {"computeType": "AmlCompute", "provisioningState": "Succeeded", "createdOn": _z(created),
                           "properties": {"vmSize": size, "vmPriority": priority, "currentNodeCount": min_nodes,
                                          "scaleSettings": {"minNodeCount": min_nodes, "maxNodeCount": max_nodes,
                                                            "nodeIdleTimeBeforeScaleDown": idle}}}}


def job(ws: dict, name: str, compute: dict, created: datetime, status: str = "Completed", *, hours: float = 0.3,
        nodes: int = 1, experiment: str | None = None, tags: dict | None = None) -> dict:
    ended = created + timedelta(hours=hours)
    return {"id": f"{ws['id']}/jobs/{name}", "name": name, "type": "Microsoft.MachineLearningServices/workspaces/jobs",
            "properties": {"jobType": "Command", "status": status, "computeId": compute["id"], "displayName": name,
                           "experimentName": experiment or name, "resources": {"instanceCount": nodes},
                           "limits": {"jobLimitsType": "Command", "timeout": "PT12H"}, "tags": tags or {}},
            "systemData": {"createdAt": _z(created), "createdBy": "ml-pipeline", "createdByType": "Application",
                           "lastModifiedAt": _z(ended), "lastModifiedBy": "ml-pipeline",
                           "lastModifiedByType": "Application"}}


def seed(ml: dict[str, list[dict]], sub: str, now: datetime) -> None:
    """Fill a FakeSubscription's ``ml`` lists (see the module docstring)."""
    ws = workspace(sub, "ml-platform", "ml-prod", "eastus")
    vision, search = {"costopt:team": "vision"}, {"costopt:team": "search"}
    gpu = cluster(ws, "gpu-cluster", "Standard_NC24ads_A100_v4", min_nodes=2, max_nodes=8, idle="PT1800S",
                  created=now - timedelta(days=90), tags=vision)
    cpu = cluster(ws, "cpu-cluster", "Standard_DS3_v2", min_nodes=0, max_nodes=10, created=now - timedelta(days=90),
                  tags=search)
    train = cluster(ws, "train-nc6", "Standard_NC6s_v3", min_nodes=0, max_nodes=4, created=now - timedelta(days=60),
                    tags=vision)
    base = ws["id"].lower()
    ml[f"/subscriptions/{sub}{WS}".lower()] = [ws]
    ml[f"{base}/computes"] = [
        compute_instance(ws, "ci-gpu-alice", "Standard_NC6s_v3", created=now - timedelta(days=25), tags=vision),
        compute_instance(ws, "ci-cpu-bob", "Standard_DS3_v2", created=now - timedelta(days=40), idle="PT60M",
                         tags=search), gpu, cpu, train]
    ml[f"{base}/jobs"] = [job(ws, "finetune-old", gpu, now - timedelta(days=31))] + [
        job(ws, f"features-{i}", cpu, now - timedelta(days=2 * i + 1)) for i in range(6)] + [
        job(ws, f"resnet-finetune-{i:03d}", train, now - timedelta(days=2 * i + 1, hours=12), hours=9, nodes=2,
            experiment="resnet-finetune", tags=vision) for i in range(6)]
