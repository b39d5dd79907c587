"""SageMaker training jobs over the lookback: one ``training_run`` Resource per finished job.

``ListTrainingJobs`` (paged, ``LastModifiedTimeAfter`` = the window's start, so a job that ran
into the window is kept) gives the names; each job is then described on its own, on a small
thread pool (``DESCRIBE_WORKERS`` calls in flight: 10,000 jobs are 10,000 calls, mostly
waiting on the network), each page's jobs while the next page is listed (see
benchmarks/bench_ml_training.py). A job whose description fails is a ``partial`` coverage entry naming
it; the others are kept. Tags are read once per job *family* (the name without its timestamp
or counter suffix, e.g. ``resnet-train`` for ``resnet-train-2026-11-03-10-22-33-123``) from
its latest job, not 10,000 times; every job of the family carries them.

A run's cost is its billable time: ``BillableTimeInSeconds`` (what SageMaker bills, already
net of spot savings; per instance) or, when absent, ``TrainingEndTime - TrainingStartTime``.
The share of the run inside the window is ``in_window_share`` (rules price only that part).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import botocore.exceptions

from costopt.model import CoverageEntry, Resource, Window, utc
from costopt.providers.aws import metrics
from costopt.providers.aws.common import pages, tag_dict, workload_of
from costopt.providers.aws.coverage import SHAPE_ERRORS, item_problem, scope_of
from costopt.providers.aws.session import Account
from costopt.providers.job_names import job_family

DESCRIBE_WORKERS = 16
TRAINING_ACTIONS = ("sagemaker:ListTrainingJobs", "sagemaker:DescribeTrainingJob", "sagemaker:ListTags")
BILLED_STATUSES = frozenset({"Completed", "Stopped", "Failed"})  # finished jobs (InProgress ones bill on)


def _seconds(job: dict[str, Any]) -> tuple[float, str]:
    """(billable seconds per instance, where the figure came from)."""
    billable = job.get("BillableTimeInSeconds")
    if billable is not None:
        return float(billable), "BillableTimeInSeconds"
    start, end = job.get("TrainingStartTime"), job.get("TrainingEndTime")
    if start is not None and end is not None:
        return max(0.0, (utc(end) - utc(start)).total_seconds()), "TrainingEndTime - TrainingStartTime"
    if job.get("TrainingTimeInSeconds") is not None:
        return float(job["TrainingTimeInSeconds"]), "TrainingTimeInSeconds"
    return 0.0, "unknown"


def _in_window(job: dict[str, Any], window: Window) -> float:
    start = job.get("TrainingStartTime") or job.get("CreationTime")
    end = job.get("TrainingEndTime") or job.get("LastModifiedTime")
    if start is None or end is None:
        return 1.0
    start, end = utc(start), utc(end)
    span = (end - start).total_seconds()
    if span <= 0:
        return 1.0 if window.start <= end <= window.end else 0.0
    inside = (min(end, window.end) - max(start, window.start)).total_seconds()
    return max(0.0, min(1.0, inside / span))


def run_of(job: dict[str, Any], account: str, region: str, window: Window,
           tags: dict[str, str] | None = None) -> Resource:
    """A ``training_run`` Resource from a DescribeTrainingJob answer."""
    res = job["ResourceConfig"]
    itype = res.get("InstanceType") or next((g.get("InstanceType") for g in res.get("InstanceGroups") or ()), "")
    count = int(res.get("InstanceCount") or sum(int(g.get("InstanceCount", 0)) for g in res.get("InstanceGroups") or ())
                or 1)
    seconds, source = _seconds(job)
    spot = bool(job.get("EnableManagedSpotTraining"))
    stop = job.get("StoppingCondition") or {}
    tags = dict(tags or {})
    created: datetime | None = job.get("CreationTime")
    return Resource(
        provider="aws", account=account, region=region, id=job["TrainingJobArn"], kind="training_run",
        type=itype, name=job["TrainingJobName"], count=count, pricing_model="spot" if spot else "on_demand",
        tags=tags, workload=workload_of(tags) or "training", created=created,
        attributes={"service": "sagemaker", "status": job.get("TrainingJobStatus"), "family": job_family(job["TrainingJobName"]),
                    "billable_seconds": seconds, "seconds_source": source,
                    "training_seconds": job.get("TrainingTimeInSeconds"),
                    "start": _iso(job.get("TrainingStartTime")), "end": _iso(job.get("TrainingEndTime")),
                    "in_window_share": _in_window(job, window), "managed_spot": spot,
                    "checkpoint_s3": (job.get("CheckpointConfig") or {}).get("S3Uri"),
                    "max_runtime_s": stop.get("MaxRuntimeInSeconds"), "max_wait_s": stop.get("MaxWaitTimeInSeconds"),
                    "tuning_job_arn": job.get("TuningJobArn")})


def _iso(value: Any) -> str | None:
    return utc(value).isoformat() if isinstance(value, datetime) else None


def training_runs(account: Account, region: str, window: Window, cov: list[CoverageEntry],
                  workers: int = DESCRIBE_WORKERS) -> list[Resource]:
    """Finished training jobs active in the window (see the module docstring)."""
    sm = account.client("sagemaker", region)
    scope = scope_of(account.account_id, region, "sagemaker training jobs")

    def describe(summary: dict[str, Any]) -> dict[str, Any] | CoverageEntry:
        name = summary.get("TrainingJobName") or "a training job without a name"
        try:
            job = sm.describe_training_job(TrainingJobName=name)
            job["ResourceConfig"]["InstanceType"]  # noqa: B018 (a job without it is an unexpected shape)
            return job
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError, *SHAPE_ERRORS) as exc:
            return item_problem(scope, name, exc, TRAINING_ACTIONS)

    def tags(fam: str, arn: str) -> dict[str, str] | CoverageEntry:
        try:
            return tag_dict(pages(sm, "list_tags", "Tags", ResourceArn=arn))
        except botocore.exceptions.ClientError as exc:
            return item_problem(scope, fam, exc, TRAINING_ACTIONS, "jobs kept without their tags")

    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="costopt-sm-train") as pool:
        # each page's jobs are described while the next page is listed
        futures = [pool.submit(describe, s) for s in pages(sm, "list_training_jobs", "TrainingJobSummaries",
                                                            LastModifiedTimeAfter=window.start, MaxResults=100)
                   if s.get("TrainingJobStatus") in BILLED_STATUSES]
        answers = [f.result() for f in futures]
        jobs = [a for a in answers if isinstance(a, dict)]
        cov += [a for a in answers if isinstance(a, CoverageEntry)]
        latest: dict[str, dict[str, Any]] = {}
        for job in jobs:
            fam = job_family(job["TrainingJobName"])
            if fam not in latest or utc(job["CreationTime"]) > utc(latest[fam]["CreationTime"]):
                latest[fam] = job
        read = {fam: pool.submit(tags, fam, job["TrainingJobArn"]) for fam, job in latest.items()}
        tags_of = {fam: f.result() for fam, f in read.items()}
    cov += [t for t in tags_of.values() if isinstance(t, CoverageEntry)]
    out = []
    for job in jobs:
        found = tags_of.get(job_family(job["TrainingJobName"]))
        try:
            out.append(run_of(job, account.account_id, region, window, found if isinstance(found, dict) else None))
        except SHAPE_ERRORS as exc:
            cov.append(item_problem(scope, job.get("TrainingJobName", "a training job"), exc, TRAINING_ACTIONS))
    return out


GPU_PREFIXES = ("ml.p", "ml.g")  # SageMaker GPU instance families (p2-p5, g4dn, g5, g6...)
METRIC_RUNS_PER_FAMILY = 3  # the latest runs of each family whose utilisation is read


def utilisation_queries(runs: list[Resource], period: int) -> list[metrics.Query]:
    """CloudWatch ``/aws/sagemaker/TrainingJobs`` GPUUtilization and GPUMemoryUtilization of the first
    host (``<job>/algo-1``) of the latest GPU runs of each family (a family's runs use the same
    code, so a few stand for all; 10,000 runs are not 20,000 metric queries)."""
    latest: dict[tuple, list[Resource]] = {}
    for r in runs:
        if r.kind == "training_run" and r.type.startswith(GPU_PREFIXES):
            latest.setdefault((r.attributes.get("family"), r.type, r.count), []).append(r)
    out: list[metrics.Query] = []
    for group in latest.values():
        group.sort(key=lambda r: r.attributes.get("start") or "", reverse=True)
        for r in group[:METRIC_RUNS_PER_FAMILY]:
            dims = [{"Name": "Host", "Value": f"{r.name}/algo-1"}]
            out += [metrics.Query(r.id, "gpu", "Percent", "Average", "/aws/sagemaker/TrainingJobs", "GPUUtilization",
                                  dims, period),
                    metrics.Query(r.id, "gpu_memory", "Percent", "Average", "/aws/sagemaker/TrainingJobs",
                                  "GPUMemoryUtilization", dims, period)]
    return out
