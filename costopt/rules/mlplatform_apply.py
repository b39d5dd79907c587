"""The concrete apply step of each ML platform finding, per cloud: one shell-quoted line.

Names and ids come from the cloud (untrusted): the commands are templates filled by
:func:`costopt.rules.shell.command`, so every value is one shell word and prose a ``# ...`` comment.
"""

from __future__ import annotations

from typing import Any

from costopt.model import Resource
from costopt.rules.shell import command, comment

AUTOSTOP_SAMPLE = ("https://github.com/aws-samples/amazon-sagemaker-notebook-instance-lifecycle-config-samples/"
                   "tree/master/scripts/auto-stop-idle")


_AZURE_SCOPE = "--resource-group {group} --workspace-name {workspace}"
IDLE_SHUTDOWN = {
    "gcp": "gcloud workbench instances update {name} --location={location} --metadata=idle-timeout-seconds={seconds}",
    "azure": f"az ml compute update --name {{name}} {_AZURE_SCOPE} --idle-time-before-shutdown-minutes {{minutes}}",
    "aws/lifecycle": ("aws sagemaker update-notebook-instance-lifecycle-config --region {region} "
                      "--notebook-instance-lifecycle-config-name {lifecycle} --on-start Content=$(base64 -w0 on-start.sh)"
                      " && aws sagemaker stop-notebook-instance --region {region} --notebook-instance-name {name}  {note}"),
    "aws": ("aws sagemaker create-notebook-instance-lifecycle-config --region {region} "
            "--notebook-instance-lifecycle-config-name auto-stop-idle --on-start Content=$(base64 -w0 on-start.sh) "
            "&& aws sagemaker stop-notebook-instance --region {region} --notebook-instance-name {name} "
            "&& aws sagemaker update-notebook-instance --region {region} --notebook-instance-name {name} "
            "--lifecycle-config-name auto-stop-idle  {note}"),
}


def _fill(template: str, r: Resource, **values: Any) -> str:
    a = r.attributes
    return command(template, name=r.name, group=a.get("resource_group") or "<resource-group>",
                   workspace=a.get("workspace") or "<workspace>", **values)


def idle_shutdown(r: Resource, timeout_hours: float) -> str:
    """Turn on idle shutdown of a notebook / workbench / compute instance."""
    seconds, minutes = int(timeout_hours * 3600), int(timeout_hours * 60)
    lc = r.attributes.get("lifecycle_config")
    script = f"an on-start script that runs autostop.py --time {seconds} ({AUTOSTOP_SAMPLE})"
    note = f"on-start.sh: {script}, added to lifecycle config {lc}" if lc else f"on-start.sh: {script}"
    key = r.provider if r.provider in ("gcp", "azure") else "aws/lifecycle" if lc else "aws"
    return _fill(IDLE_SHUTDOWN[key], r, seconds=seconds, minutes=minutes, location=r.attributes.get("zone") or r.region,
                 region=r.region, lifecycle=lc, note=note)


def delete_app(r: Resource) -> str:
    a = r.attributes
    owner, _, app = r.name.rpartition("/")
    who = "--space-name {owner}" if a.get("space") else "--user-profile-name {owner}"
    return command("aws sagemaker delete-app --region {region} --domain-id {domain} --app-type {app_type} "
                   "--app-name {app} " + who, region=r.region, domain=a.get("domain"), app_type=a.get("app_type"),
                   app=app, owner=owner)


def cluster_to_zero(r: Resource) -> str:
    if r.provider == "azure":
        return _fill(f"az ml compute update --name {{name}} {_AZURE_SCOPE} --min-instances 0", r)
    return comment(f"set the minimum node count of {r.name} to 0")


def _azure_low_priority(family: str, run: Resource) -> str:
    """Azure ML: a serverless job asks for the spot tier; a cluster job moves to a low-priority twin of its cluster."""
    a = run.attributes
    resume = comment(f"{family}: resume from checkpoints written to the job's outputs (a low-priority node can be "
                     "preempted)")
    if a.get("serverless") or not a.get("cluster"):
        return _fill(f"az ml job create --file job.yml {_AZURE_SCOPE} --set queue_settings.job_tier=spot", run) \
            + "  " + resume
    low = f"{a['cluster']}-lowpri"
    nodes = int(a.get("max_nodes") or run.count or 1)
    return _fill(f"az ml compute create --name {{low}} --type AmlCompute --size {{size}} --tier low_priority "
                 f"--min-instances 0 --max-instances {{nodes}} {_AZURE_SCOPE} && az ml job create --file job.yml "
                 f"{_AZURE_SCOPE} --set {{target}}", run, low=low, size=run.type, nodes=nodes,
                 target=f"compute=azureml:{low}") + "  " + resume


def managed_spot(provider: str, family: str, checkpointed: bool, max_runtime_s: float | None,
                 azure_run: Resource | None = None) -> str:
    """How to run the next jobs of ``family`` on spot capacity (``azure_run``: one of its Azure ML runs)."""
    wait = int(2 * max_runtime_s) if max_runtime_s else "<2 x MaxRuntimeInSeconds>"
    if provider == "gcp":
        return comment(f"submit {family} with scheduling.strategy SPOT: gcloud ai custom-jobs create --config job.yaml "
                       "(job.yaml: scheduling: {strategy: SPOT, restartJobOnWorkerRestart: true}), resuming from a "
                       "checkpoint in Cloud Storage")
    if provider == "azure" and azure_run is not None:
        return _azure_low_priority(family, azure_run)
    if provider == "azure":
        return comment(f"submit {family} on spot capacity: az ml job create --file job.yml --set "
                       "queue_settings.job_tier=spot (or a low-priority cluster: az ml compute create --type AmlCompute "
                       "--tier low_priority), resuming from checkpoints in the job's outputs")
    checkpoint = "" if checkpointed else f" CheckpointConfig={{S3Uri=s3://<bucket>/checkpoints/{family}/}}"
    return comment(f"in the CreateTrainingJob request of {family}: EnableManagedSpotTraining=true "
            f"StoppingCondition.MaxWaitTimeInSeconds={wait}{checkpoint} (SageMaker Python SDK: Estimator(..., "
            f"use_spot_instances=True, max_wait={wait}, checkpoint_s3_uri='s3://<bucket>/checkpoints/{family}/'))")


def tuning(r: Resource, early_stopping: bool, parallel: int | None) -> str:
    parts = []
    if r.provider == "gcp":
        if early_stopping:
            parts.append("studySpec.medianAutomatedStoppingSpec={}")
        if parallel:
            parts.append(f"parallelTrialCount={parallel}")
        return comment(f"next run of {r.name}: " + " ".join(parts) + " (gcloud ai hp-tuning-jobs create --config "
                       "spec.yaml with these fields)")
    if early_stopping:
        parts.append("HyperParameterTuningJobConfig.TrainingJobEarlyStoppingType=Auto")
    if parallel:
        parts.append(f"ResourceLimits.MaxParallelTrainingJobs={parallel}")
    sdk = ", ".join(([("early_stopping_type='Auto'")] if early_stopping else [])
                    + ([f"max_parallel_jobs={parallel}"] if parallel else []))
    return comment(f"next run of {r.name}: " + " ".join(parts) + f" (SageMaker Python SDK: HyperparameterTuner(..., {sdk}))")
