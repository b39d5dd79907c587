"""mlplatform.*: notebooks without idle shutdown, training on on-demand capacity, tuning searches,
idle Studio apps and warm clusters — on hand-built snapshots, and end to end from a moto account.

Prices come from the bundled catalog (aws-sagemaker-list-price for ml.* on demand; spot is the
catalog's typical-ratio estimate); the oracles below recompute every figure from those prices
and the documented formulas, independently of the rule code.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from costopt.catalog import bundled_catalog
from costopt.model import HOURS_PER_MONTH, Recommendation, Skip, Window
from costopt.records import Proposal
from costopt.rules import defaults
from costopt.rules.mlplatform import idle_compute, notebook_idle_shutdown, training_managed_spot, tuning_search
from tests.conftest import make_resource, make_series, make_snapshot
from tests.providers.aws.conftest import NOW

CATALOG = bundled_catalog()
LOOKBACK = Window(NOW - timedelta(days=14), NOW)


def _recs(out):
    out = list(out)
    return [x for x in out if isinstance(x, Recommendation)], [x for x in out if isinstance(x, Skip)]


def _notebook(id="nb", idle=False, status="InService", **kw):
    return make_resource(id, "notebook", kw.pop("type", "ml.p3.2xlarge"), hourly_cost=kw.pop("hourly_cost", 3.825),
                         created=NOW - timedelta(days=20), workload="notebook",
                         attributes={"status": status, "idle_shutdown": idle, "lifecycle_config": kw.pop("lc", None)},
                         **kw)


def test_notebook_without_idle_shutdown_is_priced_on_the_off_hours_estimate():
    recs, _ = _recs(notebook_idle_shutdown(make_snapshot([_notebook()], window=LOOKBACK), CATALOG,
                                           defaults.NotebookIdleShutdown()))
    (rec,) = recs
    assert rec.monthly_savings == pytest.approx(3.825 * HOURS_PER_MONTH * (168 - 50) / 168)
    assert rec.evidence.facts["share_source"] == "estimate" and rec.confidence == "low"
    assert "estimate" in rec.rationale and "20 days" in rec.rationale
    assert "create-notebook-instance-lifecycle-config" in rec.apply and "update-notebook-instance" in rec.apply


def test_notebook_off_hours_observed_from_metrics():
    # 14 days of hourly GPU maxima: busy (60 %) 9:00-18:00 on weekdays, idle (1 %) otherwise
    values = []
    for h in range(14 * 24):
        day, hour = divmod(h, 24)
        weekday = (LOOKBACK.start + timedelta(hours=h)).weekday()
        values.append(60.0 if weekday < 5 and 9 <= hour < 18 else 1.0)
    busy = sum(v > 5 for v in values)
    snap = make_snapshot([_notebook()], [make_series("nb", "gpu", values, period_s=3600, start=LOOKBACK.start)],
                         window=LOOKBACK)
    (rec,), _ = _recs(notebook_idle_shutdown(snap, CATALOG, defaults.NotebookIdleShutdown()))
    share = 1 - busy / len(values)
    assert rec.evidence.facts["share_source"] == "observed" and rec.evidence.facts["off_hours_share"] == pytest.approx(share)
    assert rec.monthly_savings == pytest.approx(3.825 * HOURS_PER_MONTH * share)
    assert rec.savings_low == pytest.approx(3.825 * HOURS_PER_MONTH * (share - 7 / 168))


@pytest.mark.parametrize("nb", [_notebook(idle=True), _notebook(status="Stopped"),
                                _notebook(type="ml.t3.medium", hourly_cost=0.005)])
def test_no_finding_with_idle_shutdown_stopped_or_too_cheap(nb):
    assert _recs(notebook_idle_shutdown(make_snapshot([nb], window=LOOKBACK), CATALOG,
                                        defaults.NotebookIdleShutdown())) == ([], [])


def test_unknown_idle_shutdown_is_a_skip():
    _, skips = _recs(notebook_idle_shutdown(make_snapshot([_notebook(idle=None)], window=LOOKBACK), CATALOG,
                                            defaults.NotebookIdleShutdown()))
    assert [s.resource_id for s in skips] == ["nb"]


def _run(name, hours=9.0, count=2, type="ml.p3.8xlarge", checkpoint=None, tuning=None, spot=False):
    return make_resource(f"arn:{name}", "training_run", type, count=count, hourly_cost=0.0,
                         pricing_model="spot" if spot else "on_demand", workload="training",
                         tags={"costopt:team": "vision"},
                         attributes={"family": name.rsplit("-", 1)[0], "billable_seconds": hours * 3600,
                                     "in_window_share": 1.0, "checkpoint_s3": checkpoint, "max_runtime_s": 86400,
                                     "tuning_job_arn": tuning})


def spot_oracle(od, spot, rate, count, hours_per_job, jobs, lost):
    instance_hours = hours_per_job * count * jobs
    monthly = instance_hours * HOURS_PER_MONTH / (14 * 24)
    job_rate = 1 - (1 - rate) ** count
    return od * monthly - spot * (1 + job_rate * (lost + 0.1)) * monthly


@pytest.mark.parametrize("checkpoint, lost", [(None, 4.5), ("s3://ckpt/resnet", 0.25)])
def test_training_family_on_demand_to_managed_spot(checkpoint, lost):
    runs = [_run(f"resnet-train-{i}", checkpoint=checkpoint) for i in range(6)] + [_run("bert-1", spot=True)]
    (rec,), _ = _recs(training_managed_spot(make_snapshot(runs, window=LOOKBACK), CATALOG,
                                            defaults.TrainingManagedSpot()))
    od = CATALOG.price("aws", "us-east-1", "ml.p3.8xlarge").amount
    spot = CATALOG.price("aws", "us-east-1", "ml.p3.8xlarge", "spot").amount
    rate = CATALOG.interruption_rate("aws", "us-east-1", "p3.8xlarge")
    assert rec.monthly_savings == pytest.approx(spot_oracle(od, spot, rate, 2, 9.0, 6, lost))
    assert rec.resource_name == "resnet-train (6 jobs)" and rec.evidence.facts["instance_hours_in_lookback"] == 108
    assert rec.tags == {"costopt:team": "vision"} and "EnableManagedSpotTraining=true" in rec.apply
    assert ("CheckpointConfig" in rec.apply) == (checkpoint is None)
    assert ("no checkpoint configuration" in rec.rationale) == (checkpoint is None)
    assert rec.impacts.interruptions_per_job == pytest.approx((1 - (1 - rate) ** 2) * 9.0)


def test_tuning_search_without_early_stopping_and_too_parallel():
    hpo = make_resource("arn:hpo", "tuning_job", "ml.c5.2xlarge", hourly_cost=0.0, workload="training",
                        attributes={"strategy": "Bayesian", "early_stopping": "Off", "max_jobs": 100, "max_parallel": 50})
    trials = [_run(f"hpo-{i:03d}", hours=2, count=1, type="ml.c5.2xlarge", tuning="arn:hpo") for i in range(40)]
    (rec,), _ = _recs(tuning_search(make_snapshot([hpo, *trials], window=LOOKBACK), CATALOG, defaults.TuningSearch()))
    od = CATALOG.price("aws", "us-east-1", "ml.c5.2xlarge").amount
    spend = 80 * od * HOURS_PER_MONTH / (14 * 24)
    assert rec.monthly_savings == pytest.approx(spend * (1 - 0.8 * 0.9))
    assert rec.proposed == Proposal(early_stopping="Auto", max_parallel=10)
    assert "TrainingJobEarlyStoppingType=Auto" in rec.apply and "MaxParallelTrainingJobs=10" in rec.apply
    fine = make_resource("arn:ok", "tuning_job", "ml.c5.2xlarge", attributes={
        "strategy": "Bayesian", "early_stopping": "Auto", "max_jobs": 100, "max_parallel": 5})
    assert _recs(tuning_search(make_snapshot([fine], window=LOOKBACK), CATALOG, defaults.TuningSearch())) == ([], [])


def test_idle_studio_app_and_warm_cluster():
    app = make_resource("arn:app", "ml_app", "ml.g4dn.xlarge", hourly_cost=0.7364, name="team/gpu-kg",
                        attributes={"status": "InService", "app_type": "KernelGateway", "domain": "d-1", "space": True,
                                    "last_activity": (NOW - timedelta(days=9)).isoformat()})
    busy = make_resource("arn:busy", "ml_app", "ml.g4dn.xlarge", hourly_cost=0.7364, name="alice/kg",
                         attributes={"status": "InService", "app_type": "KernelGateway", "domain": "d-1",
                                     "last_activity": (NOW - timedelta(hours=5)).isoformat()})
    cluster = make_resource("cl", "ml_cluster", "Standard_NC6s_v3", provider="azure", region="eastus",
                            hourly_cost=None, name="gpu-cluster",
                            attributes={"min_nodes": 2, "last_job": None, "resource_group": "ml", "workspace": "ws"})
    recs, _ = _recs(idle_compute(make_snapshot([app, busy, cluster], window=LOOKBACK), CATALOG,
                                 defaults.IdleMlCompute()))
    by = {r.resource_id: r for r in recs}
    assert set(by) == {"arn:app", "cl"}
    assert by["arn:app"].monthly_savings == pytest.approx(0.7364 * HOURS_PER_MONTH)
    assert "delete-app" in by["arn:app"].apply and "--space-name team" in by["arn:app"].apply
    azure = CATALOG.price("azure", "eastus", "Standard_NC6s_v3").amount
    assert by["cl"].monthly_savings == pytest.approx(2 * azure * HOURS_PER_MONTH)
    assert "--min-instances 0" in by["cl"].apply


def test_underused_training_gpus_move_to_fewer_gpus_of_the_same_kind():
    from costopt.rules.mlplatform import training_underused_gpu

    runs = [_run(f"seg-train-{i}", hours=10) for i in range(4)]  # 2 x ml.p3.8xlarge (4 V100 each)
    rng = np.random.default_rng(7)
    # SageMaker's GPUUtilization is 0-100 x GPUs: ~60 of 400 is 15% per GPU
    series = [make_series(r.id, "gpu", 40 + 30 * rng.random(120), period_s=300, start=LOOKBACK.start) for r in runs[:3]]
    (rec,), _ = _recs(training_underused_gpu(make_snapshot(runs, series, window=LOOKBACK), CATALOG,
                                             defaults.TrainingUnderusedGpu()))
    per_gpu = np.concatenate([s.values for s in series]) / 4
    p95 = np.percentile(per_gpu, 95)
    needed = int(np.ceil(8 * p95 / 80))
    assert needed == 2 and rec.proposed == Proposal(type="ml.p3.2xlarge", count=2, gpus_total=2)
    big, small = (CATALOG.price("aws", "us-east-1", t).amount for t in ("ml.p3.8xlarge", "ml.p3.2xlarge"))
    wall = 4 * 10 * HOURS_PER_MONTH / (14 * 24)
    assert rec.evidence.facts["gpu_p95_per_gpu"] == pytest.approx(p95)
    assert rec.monthly_savings == pytest.approx((2 * big - 2 * small) * wall)
    assert "InstanceType=ml.p3.2xlarge" in rec.apply and "InstanceCount=2" in rec.apply
    busy = [make_series(r.id, "gpu", np.full(120, 330.0), period_s=300, start=LOOKBACK.start) for r in runs[:3]]
    assert _recs(training_underused_gpu(make_snapshot(runs, busy, window=LOOKBACK), CATALOG,
                                        defaults.TrainingUnderusedGpu())) == ([], [])
