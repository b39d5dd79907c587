"""Vertex AI platform resources over REST: Workbench instances, custom training jobs and
hyperparameter tuning jobs (their trials become training runs).

Like :mod:`costopt.providers.gcp.vertex`, read with the same credentials over REST, paged by
``pageToken`` and retried by google-api-core. Shapes follow the v1 / v2 references:
Workbench ``projects.locations.instances`` (notebooks v2: ``state``, ``gceSetup.machineType``,
``gceSetup.acceleratorConfigs``, ``gceSetup.metadata["idle-timeout-seconds"]``), Vertex AI
``customJobs`` (``jobSpec.workerPoolSpecs``, ``jobSpec.scheduling.strategy`` STANDARD | SPOT)
and ``hyperparameterTuningJobs`` (``studySpec.algorithm``, its automated stopping specs,
``maxTrialCount``, ``parallelTrialCount``, ``trials``). Types use the catalog's
``machine+accelerator:count`` form so GPUs are priced; the price is Compute Engine's, which
Vertex AI training bills plus a management fee (so savings are a lower bound).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from costopt.model import CoverageEntry, Resource, Window, utc
from costopt.providers.gcp.clients import RETRY
from costopt.providers.gcp.inventory import gcp_tags
from costopt.providers.gcp.vertex import HOST, _get
from costopt.providers.job_names import job_family
from costopt.providers.list_read import build_each

NOTEBOOKS_HOST = "https://notebooks.googleapis.com"
FINISHED = frozenset({"JOB_STATE_SUCCEEDED", "JOB_STATE_FAILED", "JOB_STATE_CANCELLED"})
STOPPING_SPECS = ("decayCurveStoppingSpec", "medianAutomatedStoppingSpec", "convexAutomatedStoppingSpec",
                  "convexStopConfig")
ALGORITHMS = {"ALGORITHM_UNSPECIFIED": "Bayesian", "GRID_SEARCH": "Grid", "RANDOM_SEARCH": "Random"}


def list_all(clients, url: str, key: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    params: dict[str, str] = {}
    while True:
        page = RETRY(_get)(clients.session(), url, params, clients.http_timeout)
        out.extend(page.get(key) or [])
        token = page.get("nextPageToken")
        if not token:
            return out
        params = {"pageToken": token}


def _time(value: str | None) -> datetime | None:
    return utc(datetime.fromisoformat(value.replace("Z", "+00:00"))) if value else None


def machine_type(machine: str, accelerator: str | None, count: Any) -> str:
    """``n1-standard-8`` + ``NVIDIA_TESLA_T4`` x 1 -> ``n1-standard-8+nvidia-tesla-t4:1`` (the catalog's form)."""
    if not accelerator or accelerator == "ACCELERATOR_TYPE_UNSPECIFIED" or not int(count or 0):
        return machine
    return f"{machine}+{accelerator.lower().replace('_', '-')}:{int(count)}"


def workbench_instances(clients, project: str) -> list[dict[str, Any]]:
    base = clients.endpoints.rest or NOTEBOOKS_HOST
    return list_all(clients, f"{base}/v2/projects/{project}/locations/-/instances", "instances")


def workbench_resource(inst: dict[str, Any], project: str, currency: str) -> Resource:
    zone = inst["name"].split("/")[3]
    setup = inst.get("gceSetup") or {}
    accel = next(iter(setup.get("acceleratorConfigs") or ()), {})
    timeout = (setup.get("metadata") or {}).get("idle-timeout-seconds")
    tags = gcp_tags(inst.get("labels"))
    return Resource(
        provider="gcp", account=project, region=zone.rsplit("-", 1)[0], id=f"//notebooks.googleapis.com/{inst['name']}",
        kind="notebook", type=machine_type(setup["machineType"].rsplit("/", 1)[-1], accel.get("type"), accel.get("coreCount")),
        name=inst["name"].rsplit("/", 1)[-1], currency=currency, tags=tags, workload="notebook",
        created=_time(inst.get("createTime")),
        attributes={"service": "vertex workbench", "status": inst.get("state"), "zone": zone,
                    "idle_shutdown": bool(timeout and int(timeout) > 0), "idle_timeout_s": timeout,
                    "creator": inst.get("creator")})


def _jobs(clients, project: str, region: str, kind: str) -> list[dict[str, Any]]:
    base = clients.endpoints.rest or HOST.format(region=region)
    return list_all(clients, f"{base}/v1/projects/{project}/locations/{region}/{kind}", kind)


def custom_jobs(clients, project: str, region: str) -> list[dict[str, Any]]:
    return _jobs(clients, project, region, "customJobs")


def tuning_jobs(clients, project: str, region: str) -> list[dict[str, Any]]:
    return _jobs(clients, project, region, "hyperparameterTuningJobs")


def _pool(spec: dict[str, Any]) -> tuple[str, int, str]:
    """(type, replicas, scheduling strategy) of a job spec (its first worker pool's machine)."""
    pools = spec.get("workerPoolSpecs") or []
    machine = (pools[0].get("machineSpec") or {}) if pools else {}
    itype = machine_type(machine["machineType"], machine.get("acceleratorType"), machine.get("acceleratorCount"))
    replicas = sum(int(p.get("replicaCount") or 1) for p in pools) or 1
    return itype, replicas, (spec.get("scheduling") or {}).get("strategy") or "STANDARD"


def _run(rid: str, name: str, family: str, spec: dict[str, Any], start: datetime | None, end: datetime | None,
         project: str, region: str, window: Window, tags: dict[str, str], currency: str, state: Any,
         tuning: str | None = None) -> Resource | None:
    if start is None or end is None or end < window.start:
        return None
    itype, replicas, strategy = _pool(spec)
    span = max(0.0, (end - start).total_seconds())
    inside = max(0.0, (min(end, window.end) - max(start, window.start)).total_seconds())
    return Resource(
        provider="gcp", account=project, region=region, id=rid, kind="training_run", type=itype, name=name,
        count=replicas, pricing_model="spot" if strategy == "SPOT" else "on_demand", hourly_cost=0.0,
        currency=currency, tags=tags, workload="training", created=start,
        attributes={"service": "vertex ai", "status": state, "family": family, "billable_seconds": span,
                    "seconds_source": "endTime - startTime", "in_window_share": inside / span if span else 1.0,
                    "scheduling": strategy, "checkpoint_s3": None, "max_runtime_s": _seconds(spec),
                    "tuning_job_arn": tuning, "start": start.isoformat(), "end": end.isoformat()})


def _seconds(spec: dict[str, Any]) -> float | None:
    timeout = (spec.get("scheduling") or {}).get("timeout")  # "86400s"
    return float(timeout.rstrip("s")) if timeout else None


def custom_job_run(job: dict[str, Any], project: str, region: str, window: Window, currency: str) -> Resource | None:
    """A finished custom job active in the window as a ``training_run`` (None otherwise)."""
    if job.get("state") not in FINISHED:
        return None
    name = job.get("displayName") or job["name"].rsplit("/", 1)[-1]
    return _run(f"//aiplatform.googleapis.com/{job['name']}", name, job_family(name), job["jobSpec"],
                _time(job.get("startTime")), _time(job.get("endTime")), project, region, window,
                gcp_tags(job.get("labels")), currency, job.get("state"))


def tuning_resources(job: dict[str, Any], project: str, region: str, window: Window, currency: str) -> list[Resource]:
    """The tuning job (kind ``tuning_job``) and its trials in the window (``training_run``)."""
    rid = f"//aiplatform.googleapis.com/{job['name']}"
    study = job.get("studySpec") or {}
    spec = job.get("trialJobSpec") or {}
    itype, replicas, strategy = _pool(spec)
    name = job.get("displayName") or job["name"].rsplit("/", 1)[-1]
    tags = gcp_tags(job.get("labels"))
    trials = job.get("trials") or []
    out = [Resource(
        provider="gcp", account=project, region=region, id=rid, kind="tuning_job", type=itype, name=name, count=replicas,
        pricing_model="spot" if strategy == "SPOT" else "on_demand", hourly_cost=0.0, currency=currency, tags=tags,
        workload="training", created=_time(job.get("createTime")),
        attributes={"service": "vertex ai", "status": job.get("state"),
                    "strategy": ALGORITHMS.get(study.get("algorithm") or "ALGORITHM_UNSPECIFIED", study.get("algorithm")),
                    "early_stopping": "Auto" if any(k in study for k in STOPPING_SPECS) else "Off",
                    "max_jobs": int(job.get("maxTrialCount") or 0), "max_parallel": int(job.get("parallelTrialCount") or 0),
                    "trials": len(trials), "completed": sum(t.get("state") == "SUCCEEDED" for t in trials)})]
    for trial in trials:
        run = _run(f"{rid}/trials/{trial.get('id')}", f"{name}-trial-{trial.get('id')}", name, spec,
                   _time(trial.get("startTime")), _time(trial.get("endTime")), project, region, window, tags,
                   currency, trial.get("state"), tuning=rid)
        if run is not None:
            out.append(run)
    return out


def read_all(clients, project: str, regions: tuple[str, ...], window: Window, currency: str,
             failed: Callable[[str, BaseException, str, str, str], CoverageEntry]
             ) -> tuple[list[Resource], list[CoverageEntry]]:
    """Workbench instances of the project and jobs of each region; each list (and each item that cannot
    be mapped) recorded in coverage on its own. ``failed(scope, exc, api, project, what)`` classifies errors."""
    reads: list[tuple[str, str, str, Callable[[], list], Callable[[dict], list[Resource]]]] = [
        (f"{project}/workbench", "notebooks", "Workbench instances", lambda: workbench_instances(clients, project),
         lambda i: [workbench_resource(i, project, currency)])]
    for region in regions:
        reads.append((f"{project}/vertex/{region}/customJobs", "aiplatform", "Vertex AI custom jobs",
                       lambda region=region: custom_jobs(clients, project, region),
                       lambda j, region=region: [r for r in [custom_job_run(j, project, region, window, currency)] if r]))
        reads.append((f"{project}/vertex/{region}/hyperparameterTuningJobs", "aiplatform", "Vertex AI tuning jobs",
                      lambda region=region: tuning_jobs(clients, project, region),
                      lambda j, region=region: tuning_resources(j, project, region, window, currency)))
    resources: list[Resource] = []
    cov: list[CoverageEntry] = []
    for scope, api, what, fetch, build in reads:
        try:
            items = fetch()
        except Exception as exc:  # one list that cannot be read costs only itself
            entry = failed(scope, exc, api, project, what)
            if entry.error_code == "ServiceDisabled":
                entry = replace(entry, status="skipped", detail=f"{what}: API not enabled")
            cov.append(entry)
            continue
        built, skipped = build_each(items, build, lambda i: i.get("displayName") or i.get("name"))
        resources += [r for group in built for r in group]
        cov += [CoverageEntry("gcp", f"{scope}/{s.name}", "partial", f"{what}: item skipped: {s.reason}",
                              "UnreadableItem", "the item was left out; rerun with --debug for the full error")
                for s in skipped]
        cov.append(CoverageEntry("gcp", scope, "partial" if skipped else "ok", f"{len(items)} read"))
    return resources, cov
