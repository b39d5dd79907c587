"""SageMaker notebooks, training jobs, tuning jobs and Studio apps, read through the real adapter
from moto (Studio apps, which moto lacks, and failures of single items through botocore's
Stubber, which checks each answer against the service model)."""

from __future__ import annotations

from datetime import timedelta

from botocore.config import Config
from botocore.stub import Stubber

from costopt.providers.aws import sagemaker_platform, sagemaker_training
from costopt.providers.aws.session import Account
from costopt.providers.job_names import job_family
from tests.providers.aws import sagemaker_estate as est
from tests.providers.aws.conftest import NOW


def _kind(snap, kind):
    return sorted((r for r in snap.resources if r.kind == kind), key=lambda r: r.name)


def test_notebooks_with_and_without_idle_shutdown(moto_account, adapter, window):
    bare = est.notebook(moto_account, "gpu-nb", "ml.p3.2xlarge", created=NOW - timedelta(days=20),
                        tags={"costopt:team": "vision"})
    est.notebook(moto_account, "stopping-nb", "ml.t3.medium", script=est.AUTOSTOP)
    est.notebook(moto_account, "pip-nb", "ml.m5.xlarge", script=est.PLAIN)
    est.notebook(moto_account, "off-nb", "ml.p3.2xlarge", in_service=False)
    snap = adapter().collect(window)
    gpu, off, pip, stopping = _kind(snap, "notebook")
    assert gpu.id == bare and gpu.type == "ml.p3.2xlarge" and gpu.tags == {"costopt:team": "vision"}
    assert gpu.attributes["status"] == "InService" and gpu.attributes["idle_shutdown"] is False
    assert gpu.attributes["lifecycle_config"] is None and gpu.created == NOW - timedelta(days=20)
    assert stopping.attributes["idle_shutdown"] is True
    assert "OnStart" in stopping.attributes["idle_shutdown_evidence"]
    assert pip.attributes["lifecycle_config"] == "pip-nb-lc" and pip.attributes["idle_shutdown"] is False
    # priced from the bundled catalog's ml.p3.2xlarge in us-east-1 while in service; nothing when stopped
    from costopt.catalog import load_catalog  # the catalog is the oracle for the price
    price = load_catalog(None).price("aws", "us-east-1", "ml.p3.2xlarge").amount
    assert gpu.hourly_cost == price and gpu.specs["gpu_count"] == 1
    assert off.attributes["status"] == "Stopped" and off.hourly_cost == 0.0


def test_training_jobs_over_the_lookback(moto_account, adapter):
    from costopt.model import Window
    window = Window(NOW - timedelta(days=14), NOW)
    arns = [est.training_job(moto_account, f"resnet-train-2026-11-{10 + i:02d}-08-00-00-000", "ml.p3.8xlarge", 2,
                             start=NOW - timedelta(days=10 - i), hours=9, tags={"costopt:team": "vision"})
            for i in range(6)]
    est.training_job(moto_account, "bert-ft-7", "ml.g5.2xlarge", 1, start=NOW - timedelta(days=2), hours=4, spot=True,
                     checkpoint="s3://ckpt/bert")
    snap = adapter().collect(window)
    runs = _kind(snap, "training_run")
    resnet = [r for r in runs if r.attributes["family"] == "resnet-train"]
    assert sorted(r.id for r in resnet) == sorted(arns)
    for r in resnet:
        assert (r.type, r.count, r.pricing_model, r.workload) == ("ml.p3.8xlarge", 2, "on_demand", "training")
        assert r.attributes["billable_seconds"] == 9 * 3600 and r.attributes["checkpoint_s3"] is None
        assert r.attributes["in_window_share"] == 1.0 and r.attributes["max_runtime_s"] == 86400
        assert r.tags == {"costopt:team": "vision"} and r.hourly_cost == 0.0 and r.attributes["unit_price_hour"] > 0
    (bert,) = [r for r in runs if r.name == "bert-ft-7"]
    assert bert.pricing_model == "spot" and bert.attributes["checkpoint_s3"] == "s3://ckpt/bert"
    assert bert.attributes["billable_seconds"] == int(4 * 3600 * 0.3)


def test_training_jobs_are_paged(moto_account, adapter, window):
    for i in range(130):
        est.training_job(moto_account, f"sweep-{i}", "ml.m5.xlarge", 1, start=NOW - timedelta(hours=5), hours=1)
    snap = adapter().collect(window)
    assert len(_kind(snap, "training_run")) == 130


def test_tuning_jobs(moto_account, adapter, window):
    arn = est.tuning_job(moto_account, "xgb-search", "ml.c5.2xlarge", max_jobs=100, max_parallel=20,
                         tags={"costopt:team": "search"})
    snap = adapter().collect(window)
    (hpo,) = _kind(snap, "tuning_job")
    assert hpo.id == arn and hpo.type == "ml.c5.2xlarge" and hpo.tags == {"costopt:team": "search"}
    a = hpo.attributes
    assert (a["strategy"], a["early_stopping"], a["max_jobs"], a["max_parallel"]) == ("Bayesian", "Off", 100, 20)


def test_job_family():
    assert job_family("resnet-train-2026-11-03-10-22-33-123") == "resnet-train"
    assert job_family("xgb-search-017-4f3a9c21") == "xgb-search"
    assert job_family("bert_ft_12") == "bert_ft"
    assert job_family("2026") == "2026"


def _stubbed(session) -> tuple[Account, Stubber]:
    account = Account("123456789012", session, "test", Config())
    client = account.client("sagemaker", "us-east-1")
    return account, Stubber(client)


def test_studio_apps_and_one_bad_app(moto_account):
    account, stub = _stubbed(moto_account)
    t = NOW - timedelta(days=3)
    stub.add_response("list_domains", {"Domains": [{"DomainId": "d-1", "DomainName": "ml"}]})
    stub.add_response("list_apps", {"Apps": [
        {"DomainId": "d-1", "UserProfileName": "alice", "AppType": "JupyterServer", "AppName": "default",
         "Status": "InService"},
        {"DomainId": "d-1", "SpaceName": "team", "AppType": "KernelGateway", "AppName": "gpu-kg",
         "Status": "InService", "ResourceSpec": {"InstanceType": "ml.g4dn.xlarge"}},
        {"DomainId": "d-1", "UserProfileName": "bob", "AppType": "KernelGateway", "AppName": "old", "Status": "Deleted"},
        {"DomainId": "d-1", "UserProfileName": "carol", "AppType": "KernelGateway", "AppName": "broken",
         "Status": "InService"}]}, {"DomainIdEquals": "d-1"})
    stub.add_response("describe_app", {"AppArn": "arn:aws:sagemaker:us-east-1:123456789012:app/d-1/alice/jupyterserver/default",
                                       "Status": "InService", "ResourceSpec": {"InstanceType": "system"},
                                       "LastUserActivityTimestamp": t},
                      {"DomainId": "d-1", "AppType": "JupyterServer", "AppName": "default", "UserProfileName": "alice"})
    stub.add_response("describe_app", {"AppArn": "arn:aws:sagemaker:us-east-1:123456789012:app/d-1/team/kg/gpu-kg",
                                       "Status": "InService", "ResourceSpec": {"InstanceType": "ml.g4dn.xlarge"},
                                       "LastUserActivityTimestamp": t - timedelta(days=9)},
                      {"DomainId": "d-1", "AppType": "KernelGateway", "AppName": "gpu-kg", "SpaceName": "team"})
    stub.add_client_error("describe_app", "AccessDeniedException", "not allowed", 400)
    cov = []
    with stub:
        apps = sagemaker_platform.studio_apps(account, "us-east-1", cov)
    assert [(a.name, a.type, a.attributes["app_type"]) for a in apps] == [
        ("alice/default", "system", "JupyterServer"), ("team/gpu-kg", "ml.g4dn.xlarge", "KernelGateway")]
    assert apps[1].attributes["last_activity"] == (t - timedelta(days=9)).isoformat()
    (entry,) = cov
    assert entry.status == "partial" and entry.scope.endswith(":broken") and entry.error_code == "AccessDeniedException"
    assert "sagemaker:DescribeApp" in entry.fix


def test_one_unreadable_training_job_is_coverage_not_a_failure(moto_account, window):
    account, stub = _stubbed(moto_account)
    stub.add_response("list_training_jobs", {"TrainingJobSummaries": [
        {"TrainingJobName": n, "TrainingJobArn": f"arn:aws:sagemaker:us-east-1:123456789012:training-job/{n}",
         "CreationTime": NOW - timedelta(hours=8), "TrainingJobStatus": "Completed"} for n in ("ok-1", "bad-1")]},
        {"LastModifiedTimeAfter": window.start, "MaxResults": 100})
    job = {"TrainingJobName": "ok-1", "TrainingJobArn": "arn:aws:sagemaker:us-east-1:123456789012:training-job/ok-1",
           "ModelArtifacts": {"S3ModelArtifacts": "s3://m/ok-1"}, "TrainingJobStatus": "Completed",
           "SecondaryStatus": "Completed", "AlgorithmSpecification": {"TrainingInputMode": "File"},
           "ResourceConfig": {"InstanceType": "ml.p3.2xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30},
           "StoppingCondition": {"MaxRuntimeInSeconds": 3600}, "CreationTime": NOW - timedelta(hours=8),
           "BillableTimeInSeconds": 1800}
    stub.add_response("describe_training_job", job, {"TrainingJobName": "ok-1"})
    stub.add_client_error("describe_training_job", "ThrottlingException", "slow down", 400)
    stub.add_response("list_tags", {"Tags": []}, {"ResourceArn": job["TrainingJobArn"]})
    cov = []
    with stub:
        runs = sagemaker_training.training_runs(account, "us-east-1", window, cov, workers=1)
    assert [(r.name, r.attributes["billable_seconds"]) for r in runs] == [("ok-1", 1800.0)]
    (entry,) = cov
    assert entry.scope.endswith("sagemaker training jobs:bad-1") and entry.error_code == "ThrottlingException"


def test_gpu_utilisation_of_the_latest_runs_of_each_family(moto_account, adapter):
    from costopt.model import Window
    from tests.providers.aws.conftest import put_points

    window = Window(NOW - timedelta(days=14), NOW)
    names = [f"seg-train-{i}" for i in range(5)]
    arns = [est.training_job(moto_account, n, "ml.p3.8xlarge", 2, start=NOW - timedelta(days=10 - i), hours=6)
            for i, n in enumerate(names)]
    for n in names:
        put_points(moto_account, "us-east-1", "/aws/sagemaker/TrainingJobs", "GPUUtilization", {"Host": f"{n}/algo-1"},
                   [60.0, 80.0, 70.0])
    est.training_job(moto_account, "cpu-etl-1", "ml.m5.xlarge", 1, start=NOW - timedelta(days=3), hours=2)
    snap = adapter().collect(window)
    gpu = {m.resource_id: m for m in snap.metrics if m.metric == "gpu"}
    assert set(gpu) == set(arns[-3:])  # the latest three runs of the family; none for the CPU job
    assert sorted(gpu[arns[-1]].values.tolist()) == [60.0, 70.0, 80.0]
