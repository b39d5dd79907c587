"""The demo's AWS account: an ML estate seeded into an in-process moto account, read by the real adapter.

Account 123456789012, regions us-east-1 and eu-west-1 (see the brief's "demo estate"):
GPU training instances (busy, idle, under-used), the ``search-embed`` CPU inference fleet
(ASG of 6 x c5.4xlarge, diurnal), a notebook busy in office hours, SageMaker endpoints with a
daily request cycle (``fraud-detector``, ``recsys-ranker``, the nearly unused
``churn-scorer-dev``), idle volumes, old snapshots, an unassociated Elastic IP, a NAT-heavy
pipeline and an idle NAT, dataset/checkpoint/feature buckets, the ML platform (a GPU notebook
instance without auto-stop and one with it, weekly-ish ``resnet-train`` jobs on on-demand
2 x ml.p3.8xlarge, spot ``bert-finetune`` jobs with checkpoints, a Bayesian search without early
stopping and its trials, a Studio domain whose GPU kernel app has had no user for 9 days — served
by :mod:`costopt.demo.fakes.sagemaker_apps`, moto has no ListApps), 14 days of 5-minute CloudWatch
metrics and Cost Explorer results. moto's ids, the metrics and the costs are seeded, so two
runs at the same ``now`` give the same Snapshot.

The bulk of the 5-minute points bypasses moto's slow wire path (see
:mod:`costopt.demo.moto_metrics`); everything else is created through boto3.
"""

from __future__ import annotations

import base64
import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import numpy as np
from moto import mock_aws

from costopt.demo import aws_seed as demo_seed
from costopt.demo.fakes.sagemaker_apps import StudioApp, serving_apps
from costopt.demo.moto_metrics import BulkMetrics, serving
from costopt.model import Snapshot, Window
from costopt.providers.aws.adapter import AwsProvider

DEMO_ACCOUNT = "123456789012"
DEMO_REGIONS = ("us-east-1", "eu-west-1")
DEMO_SEED = 20261127
DEMO_DAYS = 14
# Seeded at 5 minutes, read at 1 hour: moto (de)serialises every timestamp in Python
# (~60 us each), so 5-minute reads of the whole estate would take ~30 s; hourly maxima
# are the conservative reading of the same points.
DEMO_PERIOD_S = 3600


@dataclass
class DemoEstate:
    """What was seeded: name -> resource id, and the bulk metric points."""

    ids: dict[str, str] = field(default_factory=dict)
    bulk: BulkMetrics = field(default_factory=BulkMetrics)
    apps: list[StudioApp] = field(default_factory=list)


# What the demo's AWS clients must not pick up from the user's environment: endpoints (AWS_ENDPOINT_URL
# and every per-service AWS_ENDPOINT_URL_<SERVICE>), profiles, config files and credentials. With any
# of them in force, the demo's RunInstances/CreateVolume calls would reach a real endpoint.
HERMETIC_AWS = {
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true", "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "AWS_ACCESS_KEY_ID": "demo", "AWS_SECRET_ACCESS_KEY": "demo",
}


def hermetic_aws_environment() -> dict[str, str | None]:
    """Clear every AWS_* variable, set fixed fake credentials; returns what to restore."""
    saved: dict[str, str | None] = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("AWS_")}
    for key, value in HERMETIC_AWS.items():
        saved.setdefault(key, None)
        os.environ[key] = value
    return saved


def restore_environment(saved: dict[str, str | None]) -> None:
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def _session() -> boto3.Session:
    return boto3.Session(aws_access_key_id="demo", aws_secret_access_key="demo", region_name=DEMO_REGIONS[0])


def seed_demo_estate(now: datetime, session: boto3.Session | None = None) -> DemoEstate:
    """Create the demo estate in the active moto account (call inside ``mock_aws()``)."""
    now = now.astimezone(UTC).replace(second=0, microsecond=0)
    session = session or _session()
    estate = DemoEstate()
    demo_seed.reset_ids(DEMO_SEED)
    for region in DEMO_REGIONS:  # moto makes default VPCs lazily, from the same random source
        session.client("ec2", region_name=region).describe_subnets()
    demo_seed.reset_ids(DEMO_SEED)
    rng = np.random.default_rng(DEMO_SEED)
    end = int(now.timestamp()) // 300 * 300
    ts = np.arange(end - DEMO_DAYS * 86400, end, 300, dtype=np.int64)
    for region in DEMO_REGIONS:
        demo_seed.seed_region(session, region, now, ts, rng, estate)
    demo_seed.seed_buckets(session, now, rng, estate)
    seed_ml_platform(session, now, estate)
    demo_seed.seed_costs(now, estate)
    return estate


AUTOSTOP_ON_START = "#!/bin/bash\n# autostop.py from aws-samples (auto-stop-idle)\nIDLE_TIME=3600\n"
ML_ROLE = f"arn:aws:iam::{DEMO_ACCOUNT}:role/sagemaker-execution"


def _training_job(sm: Any, name: str, itype: str, count: int, start: datetime, hours: float, team: str,
                  spot: bool = False, tuning: str | None = None) -> None:
    """A finished training job; moto runs none, so its times and billable seconds are set on its record."""
    from moto.backends import get_backend  # the demo extra's moto (imported only while seeding)

    extra: dict[str, Any] = {"EnableManagedSpotTraining": True, "CheckpointConfig": {"S3Uri": f"s3://ml-checkpoints/{name}"}
                             } if spot else {}
    sm.create_training_job(
        TrainingJobName=name, RoleArn=ML_ROLE, OutputDataConfig={"S3OutputPath": "s3://ml-models/out"},
        AlgorithmSpecification={"TrainingImage": f"{DEMO_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/train:1",
                                "TrainingInputMode": "File"},
        ResourceConfig={"InstanceType": itype, "InstanceCount": count, "VolumeSizeInGB": 100},
        StoppingCondition={"MaxRuntimeInSeconds": 86400, **({"MaxWaitTimeInSeconds": 172800} if spot else {})},
        Tags=[{"Key": "costopt:team", "Value": team}, {"Key": "costopt:workload", "Value": "training"}], **extra)
    job = get_backend("sagemaker")[DEMO_ACCOUNT][DEMO_REGIONS[0]].training_jobs[name]
    begin = start.astimezone(UTC).replace(tzinfo=None)  # moto keeps naive UTC times
    job.creation_time, job.training_start_time = begin - timedelta(minutes=4), begin
    job.training_end_time = job.last_modified_time = begin + timedelta(hours=hours)
    job.billable_time_in_seconds = int(hours * 3600 * (0.35 if spot else 1.0))
    job.tuning_job_arn = tuning


def seed_ml_platform(session: boto3.Session, now: datetime, estate: DemoEstate) -> None:
    """SageMaker notebooks, training jobs and a tuning job in us-east-1 (see the module docstring)."""
    from moto.backends import get_backend  # as above

    sm = session.client("sagemaker", region_name=DEMO_REGIONS[0])
    sm.create_notebook_instance_lifecycle_config(NotebookInstanceLifecycleConfigName="auto-stop-idle", OnStart=[
        {"Content": base64.b64encode(AUTOSTOP_ON_START.encode()).decode()}])
    for name, itype, team, config in (("research-gpu", "ml.p3.2xlarge", "vision", None),
                                      ("data-explore", "ml.t3.medium", "search", "auto-stop-idle")):
        sm.create_notebook_instance(NotebookInstanceName=name, InstanceType=itype, RoleArn=ML_ROLE,
                                    Tags=[{"Key": "costopt:team", "Value": team}],
                                    **({"LifecycleConfigName": config} if config else {}))
        sm.start_notebook_instance(NotebookInstanceName=name)
        notebook = get_backend("sagemaker")[DEMO_ACCOUNT][DEMO_REGIONS[0]].notebook_instances[name]
        notebook.creation_time = (now - timedelta(days=20)).astimezone(UTC).replace(tzinfo=None)
        estate.ids[f"notebook-{name}"] = notebook.arn
    for i in range(6):
        _training_job(sm, f"resnet-train-{i:03d}", "ml.p3.8xlarge", 2, now - timedelta(days=13 - 2 * i), 9, "vision")
    for i in range(4):
        _training_job(sm, f"bert-finetune-{i:03d}", "ml.g5.2xlarge", 1, now - timedelta(days=11 - 3 * i), 5, "search",
                      spot=True)
    hpo = sm.create_hyper_parameter_tuning_job(
        HyperParameterTuningJobName="xgb-ctr-search", Tags=[{"Key": "costopt:team", "Value": "search"}],
        HyperParameterTuningJobConfig={"Strategy": "Bayesian", "TrainingJobEarlyStoppingType": "Off",
                                       "ResourceLimits": {"MaxNumberOfTrainingJobs": 60, "MaxParallelTrainingJobs": 20},
                                       "HyperParameterTuningJobObjective": {"Type": "Maximize", "MetricName": "auc"}},
        TrainingJobDefinition={
            "AlgorithmSpecification": {"TrainingImage": f"{DEMO_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/xgb:1",
                                       "TrainingInputMode": "File"}, "RoleArn": ML_ROLE,
            "OutputDataConfig": {"S3OutputPath": "s3://ml-models/hpo"},
            "ResourceConfig": {"InstanceType": "ml.c5.2xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30},
            "StoppingCondition": {"MaxRuntimeInSeconds": 14400}})["HyperParameterTuningJobArn"]
    for i in range(60):
        _training_job(sm, f"xgb-ctr-search-{i + 1:03d}-{i * 2654435761 % 16 ** 8:08x}", "ml.c5.2xlarge", 1,
                      now - timedelta(days=6, hours=-(i // 20) * 3), 2.5, "search", tuning=hpo)
    estate.ids["xgb-ctr-search"] = hpo
    seed_studio(sm, now, estate)


def seed_studio(sm: Any, now: datetime, estate: DemoEstate) -> None:
    """A Studio domain (moto's) and its apps (served by the demo's ListApps / DescribeApp fake)."""
    arn = sm.create_domain(DomainName="ml-studio", AuthMode="IAM", DefaultUserSettings={"ExecutionRole": ML_ROLE},
                           SubnetIds=["subnet-0studio"], VpcId="vpc-0studio")["DomainArn"]
    domain = arn.rsplit("/", 1)[-1]
    at = now.astimezone(UTC)
    estate.apps = [
        StudioApp(domain, "JupyterServer", "default", "InService", "system", at - timedelta(days=40),
                  at - timedelta(hours=2), user_profile="alice"),
        StudioApp(domain, "KernelGateway", "gpu-kernel", "InService", "ml.g4dn.xlarge", at - timedelta(days=16),
                  at - timedelta(days=9), space="vision-team"),
        StudioApp(domain, "KernelGateway", "datascience-1", "InService", "ml.t3.medium", at - timedelta(days=5),
                  at - timedelta(hours=20), user_profile="bob"),
        StudioApp(domain, "KernelGateway", "old-experiment", "Deleted", "ml.g4dn.xlarge", at - timedelta(days=30),
                  at - timedelta(days=25), user_profile="bob"),
    ]


@contextlib.contextmanager
def serving_estate(estate: DemoEstate) -> Iterator[DemoEstate]:
    """What moto cannot answer from its own records, while the block runs: the bulk CloudWatch
    points and the Studio apps (ListApps / DescribeApp)."""
    with serving(estate.bulk), serving_apps(estate.apps):
        yield estate


def collect_demo_aws(window: Window, settings: Any, progress: Callable[[str], None], now: datetime, *,
                     prepare: Callable[[boto3.Session], None] | None = None, **provider_options: Any) -> Snapshot:
    """Seed the estate in an in-process moto account and read it with the real AwsProvider.

    ``prepare(session)`` runs once the estate is seeded (a test registers botocore event hooks
    there); ``provider_options`` override the AwsProvider's (``max_workers``, ``max_attempts``...).
    """
    os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"

    saved = hermetic_aws_environment()
    try:
        with mock_aws():
            session = _session()
            estate = seed_demo_estate(now, session)
            progress(f"demo: seeded {len(estate.ids)} AWS resources and {estate.bulk.count():,} metric points")
            if prepare is not None:
                prepare(session)
            options = {"max_workers": 4, **provider_options}
            with serving_estate(estate):
                provider = AwsProvider(regions=DEMO_REGIONS, session=session, prices="catalog",
                                       today=window.end.date(), period_s=DEMO_PERIOD_S, **options)
                return provider.collect(window, settings, progress)
    finally:
        restore_environment(saved)


def demo_window(now: datetime, days: int = DEMO_DAYS) -> Window:
    end = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return Window(end - timedelta(days=days), end)
