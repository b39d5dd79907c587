"""Seed SageMaker notebooks, training jobs and tuning jobs into a moto account.

moto creates every training job "Completed" at the wall-clock time with no billable time;
the issue's jobs ran 9 hours on given days, so their times are set on moto's own records
(the fake's state, read back through the real DescribeTrainingJob call).
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

ROLE = "arn:aws:iam::123456789012:role/sm"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/train:1"
AUTOSTOP = """#!/bin/bash
set -e
IDLE_TIME=3600
wget https://raw.githubusercontent.com/aws-samples/amazon-sagemaker-notebook-instance-lifecycle-config-samples/master/scripts/auto-stop-idle/autostop.py
(crontab -l 2>/dev/null; echo "*/5 * * * * /usr/bin/python3 $PWD/autostop.py --time $IDLE_TIME --ignore-connections") | crontab -
"""
PLAIN = "#!/bin/bash\nsudo -u ec2-user -i pip install pandas\n"


def _backend(region: str = "us-east-1"):
    from moto.sagemaker.models import sagemaker_backends  # the fake's records (moto is a test dependency)
    return sagemaker_backends["123456789012"][region]


def _naive(t: datetime) -> datetime:
    return t.astimezone(UTC).replace(tzinfo=None) if t.tzinfo else t


def notebook(session, name: str, itype: str, *, script: str | None = None, in_service: bool = True,
             created: datetime | None = None, tags: dict[str, str] | None = None, region: str = "us-east-1") -> str:
    sm = session.client("sagemaker", region_name=region)
    kw = {}
    if script is not None:
        sm.create_notebook_instance_lifecycle_config(
            NotebookInstanceLifecycleConfigName=f"{name}-lc",
            OnStart=[{"Content": base64.b64encode(script.encode()).decode()}])
        kw["LifecycleConfigName"] = f"{name}-lc"
    arn = sm.create_notebook_instance(NotebookInstanceName=name, InstanceType=itype, RoleArn=ROLE,
                                      Tags=[{"Key": k, "Value": v} for k, v in (tags or {}).items()], **kw)[
        "NotebookInstanceArn"]
    sm.start_notebook_instance(NotebookInstanceName=name)
    if not in_service:
        sm.stop_notebook_instance(NotebookInstanceName=name)
    if created is not None:
        record = _backend(region).notebook_instances[name]
        record.creation_time = record.last_modified_time = _naive(created)
    return arn


def training_job(session, name: str, itype: str, count: int, *, start: datetime, hours: float, spot: bool = False,
                 checkpoint: str | None = None, tags: dict[str, str] | None = None, billable: bool = True,
                 region: str = "us-east-1") -> str:
    sm = session.client("sagemaker", region_name=region)
    kw = {}
    if spot:
        kw["EnableManagedSpotTraining"] = True
    if checkpoint:
        kw["CheckpointConfig"] = {"S3Uri": checkpoint}
    arn = sm.create_training_job(
        TrainingJobName=name, AlgorithmSpecification={"TrainingImage": IMAGE, "TrainingInputMode": "File"},
        RoleArn=ROLE, OutputDataConfig={"S3OutputPath": "s3://models/out"},
        ResourceConfig={"InstanceType": itype, "InstanceCount": count, "VolumeSizeInGB": 50},
        StoppingCondition={"MaxRuntimeInSeconds": 86400, **({"MaxWaitTimeInSeconds": 172800} if spot else {})},
        Tags=[{"Key": k, "Value": v} for k, v in (tags or {}).items()], **kw)["TrainingJobArn"]
    record = _backend(region).training_jobs[name]
    start = _naive(start)  # moto keeps naive UTC times and compares them with naive filters
    end = start + timedelta(hours=hours)
    record.creation_time = start - timedelta(minutes=5)
    record.training_start_time, record.training_end_time, record.last_modified_time = start, end, end
    record.training_time_in_seconds = int(hours * 3600)
    if billable:
        record.billable_time_in_seconds = int(hours * 3600 * (0.3 if spot else 1.0))
    return arn


def tuning_job(session, name: str, itype: str, *, early_stopping: str = "Off", max_jobs: int = 50,
               max_parallel: int = 10, strategy: str = "Bayesian", tags: dict[str, str] | None = None,
               region: str = "us-east-1") -> str:
    sm = session.client("sagemaker", region_name=region)
    return sm.create_hyper_parameter_tuning_job(
        Tags=[{"Key": k, "Value": v} for k, v in (tags or {}).items()],
        HyperParameterTuningJobName=name,
        HyperParameterTuningJobConfig={
            "Strategy": strategy, "TrainingJobEarlyStoppingType": early_stopping,
            "ResourceLimits": {"MaxNumberOfTrainingJobs": max_jobs, "MaxParallelTrainingJobs": max_parallel},
            "HyperParameterTuningJobObjective": {"Type": "Minimize", "MetricName": "loss"}},
        TrainingJobDefinition={
            "AlgorithmSpecification": {"TrainingImage": IMAGE, "TrainingInputMode": "File"}, "RoleArn": ROLE,
            "OutputDataConfig": {"S3OutputPath": "s3://models/hpo"},
            "ResourceConfig": {"InstanceType": itype, "InstanceCount": 1, "VolumeSizeInGB": 50},
            "StoppingCondition": {"MaxRuntimeInSeconds": 36000}})["HyperParameterTuningJobArn"]
