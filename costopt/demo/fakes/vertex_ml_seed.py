"""The demo's Vertex AI platform: Workbench instances, custom training jobs and a tuning job,
as the REST v1 / notebooks v2 JSON the fake serves (deterministic, relative to ``now``).

``research-nb-v100`` (n1-standard-8 + 1 V100) runs without idle shutdown; ``explore-nb`` has
``idle-timeout-seconds``. Five ``segformer-train`` jobs ran 8 h on 2 replicas on STANDARD
(on-demand) capacity, two ``bert-ft`` jobs on SPOT; ``lr-sweep`` is a Bayesian search without
automated stopping running 20 of 40 trials at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

V100 = {"machineType": "n1-standard-8", "acceleratorType": "NVIDIA_TESLA_V100", "acceleratorCount": 1}


def _z(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def workbench(project: str, zone: str, name: str, machine: str, *, gpu: tuple[str, int] | None = None,
              idle_timeout_s: int | None = None, created: datetime, labels: dict[str, str] | None = None) -> dict:
    setup: dict[str, Any] = {"machineType": f"zones/{zone}/machineTypes/{machine}"}
    if gpu:
        setup["acceleratorConfigs"] = [{"type": gpu[0], "coreCount": str(gpu[1])}]
    if idle_timeout_s:
        setup["metadata"] = {"idle-timeout-seconds": str(idle_timeout_s)}
    return {"name": f"projects/{project}/locations/{zone}/instances/{name}", "state": "ACTIVE", "gceSetup": setup,
            "createTime": _z(created), "updateTime": _z(created), "creator": "alice@example.com",
            "labels": labels or {}}


def custom_job(project: str, region: str, job_id: str, name: str, start: datetime, hours: float, *,
               machine: dict | None = None, replicas: int = 1, spot: bool = False,
               labels: dict[str, str] | None = None, state: str = "JOB_STATE_SUCCEEDED") -> dict:
    return {"name": f"projects/{project}/locations/{region}/customJobs/{job_id}", "displayName": name,
            "state": state, "createTime": _z(start - timedelta(minutes=3)), "startTime": _z(start),
            "endTime": _z(start + timedelta(hours=hours)), "labels": labels or {},
            "jobSpec": {"workerPoolSpecs": [{"machineSpec": machine or V100, "replicaCount": str(replicas),
                                             "containerSpec": {"imageUri": "us-docker.pkg.dev/p/train:1"}}],
                        "scheduling": {"strategy": "SPOT" if spot else "STANDARD", "timeout": "86400s"}}}


def tuning_job(project: str, region: str, job_id: str, name: str, start: datetime, *, trials: int, parallel: int,
               trial_hours: float, machine: dict, stopping: bool = False, labels: dict[str, str] | None = None) -> dict:
    study: dict[str, Any] = {"metrics": [{"metricId": "auc", "goal": "MAXIMIZE"}], "algorithm": "ALGORITHM_UNSPECIFIED"}
    if stopping:
        study["medianAutomatedStoppingSpec"] = {}
    runs = []
    for i in range(trials):
        begin = start + timedelta(hours=trial_hours * (i // parallel))
        runs.append({"id": str(i + 1), "state": "SUCCEEDED", "startTime": _z(begin),
                     "endTime": _z(begin + timedelta(hours=trial_hours))})
    return {"name": f"projects/{project}/locations/{region}/hyperparameterTuningJobs/{job_id}", "displayName": name,
            "state": "JOB_STATE_SUCCEEDED", "createTime": _z(start), "startTime": _z(start), "labels": labels or {},
            "studySpec": study, "maxTrialCount": trials, "parallelTrialCount": parallel,
            "trialJobSpec": {"workerPoolSpecs": [{"machineSpec": machine, "replicaCount": "1"}]}, "trials": runs}


def seed(projects: dict[str, dict[str, list[dict]]], project: str, number: str, zone: str, now: datetime) -> None:
    """Add the demo's Vertex AI platform resources to the fake's ``projects`` (see the module docstring)."""
    region = zone.rsplit("-", 1)[0]
    vision, search = {"costopt-team": "vision"}, {"costopt-team": "search"}
    state = projects.setdefault(project, {})
    state["workbench"] = [
        workbench(project, zone, "research-nb-v100", "n1-standard-8", gpu=("NVIDIA_TESLA_V100", 1),
                  created=now - timedelta(days=30), labels=vision),
        workbench(project, zone, "explore-nb", "e2-standard-4", idle_timeout_s=10800, created=now - timedelta(days=9),
                  labels=search)]
    state["customJobs"] = [
        custom_job(number, region, f"81{i}", f"segformer-train-2026{i:02d}", now - timedelta(days=12 - 2 * i), 8,
                   replicas=2, labels=vision) for i in range(5)] + [
        custom_job(number, region, f"82{i}", f"bert-ft-{i}", now - timedelta(days=5 - i), 3, spot=True, labels=search)
        for i in range(2)]
    state["hyperparameterTuningJobs"] = [
        tuning_job(number, region, "9001", "lr-sweep", now - timedelta(days=4), trials=40, parallel=20, trial_hours=1.5,
                   machine={"machineType": "n1-standard-8"}, labels=search)]
