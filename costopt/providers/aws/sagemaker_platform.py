"""SageMaker platform inventory beyond endpoints: notebook instances (with whether their
lifecycle configuration stops idle kernels), hyperparameter tuning jobs and Studio apps.

Each list is paged and each item read on its own: one whose describe call fails (or answers
an unexpected shape) is a ``partial`` coverage entry naming it, and the rest are kept.

Idle shutdown of a notebook instance is not an API field: it is a script in the on-start hook
of its lifecycle configuration (AWS's sample ``autostop.py`` with an ``IDLE_TIME``, or a call
to ``stop-notebook-instance``). The on-start (and on-create) scripts are decoded and searched
for those markers; ``idle_shutdown`` is True / False, and None when the configuration could
not be read.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import datetime
from typing import Any

import botocore.exceptions

from costopt.model import CoverageEntry, Resource, Window, utc
from costopt.providers.aws.common import pages, workload_of
from costopt.providers.aws.coverage import each, item_problem, sagemaker_tags, scope_of
from costopt.providers.aws.session import Account

NOTEBOOK_ACTIONS = ("sagemaker:ListNotebookInstances", "sagemaker:DescribeNotebookInstance",
                    "sagemaker:DescribeNotebookInstanceLifecycleConfig", "sagemaker:ListTags")
TUNING_ACTIONS = ("sagemaker:ListHyperParameterTuningJobs", "sagemaker:DescribeHyperParameterTuningJob",
                  "sagemaker:ListTags")
APP_ACTIONS = ("sagemaker:ListDomains", "sagemaker:ListApps", "sagemaker:DescribeApp")
IDLE_MARKERS = re.compile(r"auto[-_ ]?stop|auto[-_ ]?shutdown|idle[-_ ]?time|idle[-_ ]?shutdown|"
                          r"stop[-_]notebook[-_]instance|stopnotebookinstance|shutdown_no_activity|culler", re.I)
BILLED_NOTEBOOK = frozenset({"InService", "Pending", "Updating"})


def _iso(value: Any) -> str | None:
    return utc(value).isoformat() if isinstance(value, datetime) else None


def idle_marker(config: dict[str, Any]) -> str | None:
    """The idle-shutdown marker found in a lifecycle configuration's scripts, or None."""
    for hook in ("OnStart", "OnCreate"):
        for script in config.get(hook) or ():
            try:
                text = base64.b64decode(script.get("Content") or "", validate=False).decode("utf-8", "replace")
            except (binascii.Error, ValueError):
                continue
            found = IDLE_MARKERS.search(text)
            if found:
                return f"{hook} script: {found.group(0)!r}"
    return None


def notebooks(account: Account, region: str, cov: list[CoverageEntry]) -> list[Resource]:
    """Notebook instances with status, type, lifecycle configuration and idle shutdown."""
    sm = account.client("sagemaker", region)
    scope = scope_of(account.account_id, region, "sagemaker notebooks")
    configs: dict[str, dict[str, Any] | None] = {}

    def config_of(name: str, notebook: str) -> dict[str, Any] | None:
        if name not in configs:
            try:
                configs[name] = sm.describe_notebook_instance_lifecycle_config(NotebookInstanceLifecycleConfigName=name)
            except botocore.exceptions.ClientError as exc:
                cov.append(item_problem(scope, notebook, exc, NOTEBOOK_ACTIONS,
                                        f"kept without its lifecycle config {name} (idle shutdown unknown)"))
                configs[name] = None
        return configs[name]

    def one(summary: dict[str, Any]) -> Resource:
        name = summary["NotebookInstanceName"]
        nb = sm.describe_notebook_instance(NotebookInstanceName=name)
        lc_name = nb.get("NotebookInstanceLifecycleConfigName")
        config = config_of(lc_name, name) if lc_name else None
        marker = idle_marker(config) if config else None
        idle = (marker is not None) if (config is not None or not lc_name) else None
        tags = sagemaker_tags(sm, nb["NotebookInstanceArn"], scope, name, NOTEBOOK_ACTIONS, cov)
        status = nb.get("NotebookInstanceStatus")
        return Resource(
            provider="aws", account=account.account_id, region=region, id=nb["NotebookInstanceArn"], kind="notebook",
            type=nb.get("InstanceType", ""), name=name, tags=tags, workload=workload_of(tags) or "notebook",
            created=nb.get("CreationTime"),
            attributes={"service": "sagemaker", "status": status, "billed": status in BILLED_NOTEBOOK,
                        "lifecycle_config": lc_name, "idle_shutdown": idle, "idle_shutdown_evidence": marker,
                        "last_modified": _iso(nb.get("LastModifiedTime")),
                        "lifecycle_config_modified": _iso((config or {}).get("LastModifiedTime")),
                        "volume_gb": nb.get("VolumeSizeInGB")})

    return each(scope, cov, pages(sm, "list_notebook_instances", "NotebookInstances"), one,
                lambda s: s.get("NotebookInstanceName") or "a notebook without a name", NOTEBOOK_ACTIONS)


def tuning_jobs(account: Account, region: str, window: Window, cov: list[CoverageEntry]) -> list[Resource]:
    """Hyperparameter tuning jobs active in the window: strategy, early stopping, limits, counters."""
    sm = account.client("sagemaker", region)
    scope = scope_of(account.account_id, region, "sagemaker tuning jobs")

    def one(summary: dict[str, Any]) -> Resource:
        name = summary["HyperParameterTuningJobName"]
        job = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
        config = job["HyperParameterTuningJobConfig"]
        limits = config.get("ResourceLimits") or {}
        definition = job.get("TrainingJobDefinition") or next(iter(job.get("TrainingJobDefinitions") or ()), {})
        res = definition.get("ResourceConfig") or {}
        counters = job.get("TrainingJobStatusCounters") or {}
        tags = sagemaker_tags(sm, job["HyperParameterTuningJobArn"], scope, name, TUNING_ACTIONS, cov)
        return Resource(
            provider="aws", account=account.account_id, region=region, id=job["HyperParameterTuningJobArn"],
            kind="tuning_job", type=res.get("InstanceType", ""), name=name, count=int(res.get("InstanceCount") or 1),
            pricing_model="spot" if definition.get("EnableManagedSpotTraining") else "on_demand",
            tags=tags, workload=workload_of(tags) or "training", created=job.get("CreationTime"),
            attributes={"service": "sagemaker", "status": job.get("HyperParameterTuningJobStatus"),
                        "strategy": config.get("Strategy"),
                        "early_stopping": config.get("TrainingJobEarlyStoppingType") or "Off",
                        "max_jobs": limits.get("MaxNumberOfTrainingJobs"),
                        "max_parallel": limits.get("MaxParallelTrainingJobs"),
                        "completed": counters.get("Completed", 0), "stopped": counters.get("Stopped", 0),
                        "failed": counters.get("NonRetryableError", 0) + counters.get("RetryableError", 0),
                        "runtime_s": (job.get("ConsumedResources") or {}).get("RuntimeInSeconds"),
                        "end": _iso(job.get("HyperParameterTuningEndTime"))})

    return each(scope, cov, pages(sm, "list_hyper_parameter_tuning_jobs", "HyperParameterTuningJobSummaries",
                                  LastModifiedTimeAfter=window.start), one,
                lambda s: s.get("HyperParameterTuningJobName") or "a tuning job without a name", TUNING_ACTIONS)


def studio_apps(account: Account, region: str, cov: list[CoverageEntry]) -> list[Resource]:
    """Studio apps that run (status InService/Pending) in each domain: type, instance, last user activity."""
    sm = account.client("sagemaker", region)
    scope = scope_of(account.account_id, region, "sagemaker studio apps")

    def one(app: dict[str, Any]) -> Resource | None:
        if app.get("Status") not in ("InService", "Pending"):
            return None
        owner = {"DomainId": app["DomainId"], "AppType": app["AppType"], "AppName": app["AppName"]}
        owner.update({k: app[k] for k in ("UserProfileName", "SpaceName") if app.get(k)})
        detail = sm.describe_app(**owner)
        spec = detail.get("ResourceSpec") or app.get("ResourceSpec") or {}
        who = app.get("UserProfileName") or app.get("SpaceName") or ""
        return Resource(
            provider="aws", account=account.account_id, region=region,
            id=detail.get("AppArn") or f"{app['DomainId']}/{who}/{app['AppType']}/{app['AppName']}", kind="ml_app",
            type=spec.get("InstanceType") or "", name=f"{who}/{app['AppName']}" if who else app["AppName"],
            workload="notebook", created=detail.get("CreationTime") or app.get("CreationTime"),
            attributes={"service": "sagemaker studio", "status": detail.get("Status"), "app_type": app["AppType"],
                        "domain": app["DomainId"], "billed": True, "space": bool(app.get("SpaceName")),
                        "last_activity": _iso(detail.get("LastUserActivityTimestamp")),
                        "last_health_check": _iso(detail.get("LastHealthCheckTimestamp"))})

    apps = (app for domain in pages(sm, "list_domains", "Domains")
            for app in pages(sm, "list_apps", "Apps", DomainIdEquals=domain["DomainId"]))
    return each(scope, cov, apps, one, lambda a: a.get("AppName") or "an app without a name", APP_ACTIONS)
