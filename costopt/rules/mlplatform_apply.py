"""The concrete apply step of each ML platform finding, per cloud: one shell-quoted line.

Names and ids come from the cloud (untrusted): every one is one shell word
(:func:`costopt.rules.shell.arg`), and prose is a ``# ...`` comment (:func:`costopt.rules.shell.comment`).
"""

from __future__ import annotations

from typing import Any

from costopt.model import Resource
from costopt.rules.shell import arg, comment

AUTOSTOP_SAMPLE = ("https://github.com/aws-samples/amazon-sagemaker-notebook-instance-lifecycle-config-samples/"
                   "tree/master/scripts/auto-stop-idle")


def _q(value: Any) -> str:
    return arg(str(value))


def _azure_scope(r: Resource) -> str:
    a = r.attributes
    return (f"--resource-group {_q(a.get('resource_group') or '<resource-group>')} "
            f"--workspace-name {_q(a.get('workspace') or '<workspace>')}")


def idle_shutdown(r: Resource, timeout_hours: float) -> str:
    """Turn on idle shutdown of a notebook / workbench / compute instance."""
    seconds, minutes = int(timeout_hours * 3600), int(timeout_hours * 60)
    if r.provider == "gcp":
        return (f"gcloud workbench instances update {_q(r.name)} --location={_q(r.attributes.get('zone') or r.region)} "
                f"--metadata=idle-timeout-seconds={seconds}")
    if r.provider == "azure":
        return (f"az ml compute update --name {_q(r.name)} {_azure_scope(r)} "
                f"--idle-time-before-shutdown-minutes {minutes}")
    lc = r.attributes.get("lifecycle_config")
    region = f"--region {_q(r.region)}"
    script = f"an on-start script that runs autostop.py --time {seconds} ({AUTOSTOP_SAMPLE})"
    if lc:
        return (f"aws sagemaker update-notebook-instance-lifecycle-config {region} "
                f"--notebook-instance-lifecycle-config-name {_q(lc)} --on-start Content=$(base64 -w0 on-start.sh)"
                f" && aws sagemaker stop-notebook-instance {region} --notebook-instance-name {_q(r.name)}  "
                + comment(f"on-start.sh: {script}, added to lifecycle config {lc}"))
    return (f"aws sagemaker create-notebook-instance-lifecycle-config {region} "
            f"--notebook-instance-lifecycle-config-name auto-stop-idle --on-start Content=$(base64 -w0 on-start.sh) "
            f"&& aws sagemaker stop-notebook-instance {region} --notebook-instance-name {_q(r.name)} "
            f"&& aws sagemaker update-notebook-instance {region} --notebook-instance-name {_q(r.name)} "
            "--lifecycle-config-name auto-stop-idle  " + comment(f"on-start.sh: {script}"))


def delete_app(r: Resource) -> str:
    a = r.attributes
    owner, _, app = r.name.rpartition("/")
    who = f"--space-name {_q(owner)}" if a.get("space") else f"--user-profile-name {_q(owner)}"
    return (f"aws sagemaker delete-app --region {_q(r.region)} --domain-id {_q(a.get('domain'))} "
            f"--app-type {_q(a.get('app_type'))} --app-name {_q(app)} {who}")


def cluster_to_zero(r: Resource) -> str:
    if r.provider == "azure":
        return f"az ml compute update --name {_q(r.name)} {_azure_scope(r)} --min-instances 0"
    return comment(f"set the minimum node count of {r.name} to 0")


def _azure_low_priority(family: str, run: Resource) -> str:
    """Azure ML: a serverless job asks for the spot tier; a cluster job moves to a low-priority twin of its cluster."""
    a = run.attributes
    resume = comment(f"{family}: resume from checkpoints written to the job's outputs (a low-priority node can be "
                     "preempted)")
    if a.get("serverless") or not a.get("cluster"):
        return (f"az ml job create --file job.yml {_azure_scope(run)} --set queue_settings.job_tier=spot  " + resume)
    low = f"{a['cluster']}-lowpri"
    nodes = int(a.get("max_nodes") or run.count or 1)
    return (f"az ml compute create --name {_q(low)} --type AmlCompute --size {_q(run.type)} --tier low_priority "
            f"--min-instances 0 --max-instances {nodes} {_azure_scope(run)} && az ml job create --file job.yml "
            f"{_azure_scope(run)} --set {_q(f'compute=azureml:{low}')}  " + resume)


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
