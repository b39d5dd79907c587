"""Azure ML command jobs priced as training runs from the ARM job resource's documented fields
(REST reference, api-version 2024-04-01, ``JobBase`` / ``CommandJob``: no start or end time, only
``systemData.createdAt`` / ``lastModifiedAt``), through `responses` answered by the demo's fake;
the low-priority finding and its apply step; the ML reads on the shared ARM client."""

from __future__ import annotations

import copy
import re
from dataclasses import replace
from datetime import timedelta

import pytest
import responses

from costopt.catalog import bundled_catalog
from costopt.config import Settings
from costopt.demo.fakes import azureml_seed
from costopt.demo.fakes.azure_seed import SUBSCRIPTION, VM_PRICES
from costopt.demo.fakes.http import as_responses_callback
from costopt.model import HOURS_PER_MONTH
from costopt.providers.azure.ml_jobs import Cluster, training_run
from costopt.rules import mlplatform_apply
from costopt.rules.engine import run_rules

from .conftest import NOW, WINDOW, AzureEnv, faulty

CATALOG = bundled_catalog()
RULE = "mlplatform.training_managed_spot"
WS = azureml_seed.workspace(SUBSCRIPTION, "ml-platform", "ml-prod", "eastus")
JOBS = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/ml-platform/providers/Microsoft.MachineLearningServices/workspaces/ml-prod/jobs"
# The demo fake's Retail Prices rows (eastus, Linux consumption): NC6s v3 and its "Low Priority" meter.
NC6_OD = next(p for arm, sku, product, p in VM_PRICES if sku == "NC6s v3" and "Windows" not in product)
NC6_LOW = next(p for arm, sku, _, p in VM_PRICES if sku == "NC6s v3 Low Priority")


def _runs(snap, family="resnet-finetune"):
    return [r for r in snap.resources if r.kind == "training_run" and r.attributes.get("family") == family]


def _reference_job(**props) -> dict:
    """A job in the shape of the REST reference's CommandJob list example (2024-04-01), real values."""
    body = {"displayName": "bert-tune-20261201", "status": "Completed", "experimentName": "bert-tune",
            "computeId": f"{WS['id']}/computes/gpu-a", "jobType": "Command", "isArchived": False,
            "resources": {"instanceCount": 4, "instanceType": None, "properties": {}},
            "services": {"Studio": {"jobServiceType": "Studio", "endpoint": "https://ml.azure.com/runs/x"}},
            "command": "python train.py", "environmentId": "azureml:pytorch:1",
            "limits": {"timeout": "PT6H", "jobLimitsType": "Command"}, "tags": {"team": "nlp"}, **props}
    return {"id": f"{WS['id']}/jobs/bert-tune-20261201", "name": "bert-tune-20261201",
            "type": "Microsoft.MachineLearningServices/workspaces/jobs", "properties": body,
            "systemData": {"createdAt": "2026-11-25T08:00:00.000Z", "createdBy": "a@b.c", "createdByType": "User",
                           "lastModifiedAt": "2026-11-25T13:30:00.000Z", "lastModifiedBy": "a@b.c",
                           "lastModifiedByType": "User"}}


GPU_A = {f"{WS['id']}/computes/gpu-a".lower(): Cluster("gpu-a", "Standard_NC6s_v3", "eastus", False, 8)}


def test_reference_shape_maps_to_a_training_run():
    r = training_run(_reference_job(), GPU_A, SUBSCRIPTION, WS, WINDOW, "USD")
    assert (r.kind, r.type, r.count, r.region, r.pricing_model) == ("training_run", "Standard_NC6s_v3", 4, "eastus",
                                                                     "on_demand")
    a = r.attributes
    assert a["billable_seconds"] == 5.5 * 3600 and a["duration_estimate"] is True and a["in_window_share"] == 1.0
    assert (a["family"], a["cluster"], a["max_runtime_s"], a["serverless"]) == ("bert-tune", "gpu-a", 6 * 3600, False)
    assert r.tags == {"team": "nlp"} and a["resource_group"] == "ml-platform"


def test_spot_tier_low_priority_cluster_and_non_training_jobs():
    spot = training_run(_reference_job(computeId=None, resources={"instanceCount": 2, "instanceType": "Standard_NC6s_v3"},
                                       queueSettings={"jobTier": "Spot"}), {}, SUBSCRIPTION, WS, WINDOW, "USD")
    assert (spot.pricing_model, spot.type, spot.count, spot.attributes["serverless"]) == ("spot", "Standard_NC6s_v3", 2, True)
    low = {k: replace(c, low_priority=True) for k, c in GPU_A.items()}
    assert training_run(_reference_job(), low, SUBSCRIPTION, WS, WINDOW, "USD").pricing_model == "spot"
    assert training_run(_reference_job(status="Running"), GPU_A, SUBSCRIPTION, WS, WINDOW, "USD") is None
    assert training_run(_reference_job(jobType="Pipeline"), GPU_A, SUBSCRIPTION, WS, WINDOW, "USD") is None
    job = _reference_job()
    del job["systemData"]["lastModifiedAt"]
    with pytest.raises(ValueError, match="lastModifiedAt"):
        training_run(job, GPU_A, SUBSCRIPTION, WS, WINDOW, "USD")


def test_dedicated_cluster_jobs_collected_with_retail_prices(baseline):
    runs = _runs(baseline.snapshot)
    assert len(runs) == 6
    for r in runs:
        assert (r.type, r.count, r.pricing_model, r.region) == ("Standard_NC6s_v3", 2, "on_demand", "eastus")
        assert r.attributes["billable_seconds"] == 9 * 3600
        assert (r.attributes["on_demand_hourly"], r.attributes["spot_hourly"]) == (NC6_OD, NC6_LOW)


def test_dedicated_cluster_training_priced_on_low_priority_with_apply(baseline):
    run = run_rules(baseline.snapshot, CATALOG, Settings(), only=[RULE])
    found = [c for c in run.candidates if c.provider == "azure"]
    assert [c.resource_name for c in found] == ["resnet-finetune (6 jobs)"]
    f = found[0]
    # independent oracle: 6 jobs x 9 h x 2 nodes in the 14-day lookback, scaled to a month
    monthly_hours = 6 * 9 * 2 * HOURS_PER_MONTH / (14 * 24)
    rate = CATALOG.interruption_rate("azure", "eastus", "Standard_NC6s_v3")  # azure-spot-typical band, per hour
    job_rate = 1 - (1 - rate) ** 2
    lost, restart = 9 / 2, 0.1  # no checkpoint configuration: half a job lost; restart overhead (defaults)
    assert f.monthly_cost_before == pytest.approx(NC6_OD * monthly_hours)
    assert f.monthly_cost_after == pytest.approx(NC6_LOW * (1 + job_rate * (lost + restart)) * monthly_hours)
    assert f.confidence == "low" and "estimate" in f.rationale and "queue time" in f.evidence.facts["hours_source"]
    assert f.apply.startswith(
        "az ml compute create --name train-nc6-lowpri --type AmlCompute --size Standard_NC6s_v3 --tier low_priority "
        "--min-instances 0 --max-instances 4 --resource-group ml-platform --workspace-name ml-prod && az ml job create "
        "--file job.yml --resource-group ml-platform --workspace-name ml-prod --set compute=azureml:train-nc6-lowpri  #")


def test_serverless_apply_asks_for_the_spot_tier():
    r = training_run(_reference_job(computeId=None, resources={"instanceCount": 1, "instanceType": "Standard_NC6s_v3"}),
                     {}, SUBSCRIPTION, WS, WINDOW, "USD")
    step = mlplatform_apply.managed_spot("azure", "bert-tune", False, 3600, r)
    assert step.startswith("az ml job create --file job.yml --resource-group ml-platform --workspace-name ml-prod "
                           "--set queue_settings.job_tier=spot  #")


def _collect_with(_seed, jobs: list[dict], metrics: dict | None = None):
    sub = _seed.subscriptions[SUBSCRIPTION]
    saved, saved_metrics = copy.deepcopy(sub.ml), dict(sub.metrics)
    sub.ml[JOBS.lower()].extend(jobs)
    sub.metrics.update(metrics or {})
    try:
        with faulty(_seed) as env:
            return env.collect()
    finally:
        sub.ml.clear(), sub.ml.update(saved)
        sub.metrics.clear(), sub.metrics.update(saved_metrics)


def _timeless(name: str, nodes: int = 2) -> dict:
    job = azureml_seed.job(WS, name, {"id": f"{WS['id']}/computes/train-nc6"}, NOW - timedelta(days=2), nodes=nodes,
                           experiment="resnet-finetune")
    del job["systemData"]
    return job


def test_a_job_without_times_and_no_node_hours_costs_only_itself(_seed):
    snap = _collect_with(_seed, [_timeless("no-times")])  # the fake has no Active Nodes points for the workspace
    cov = {c.scope: c for c in snap.coverage}
    gap = cov[f"{SUBSCRIPTION}/ml-compute/ml-prod/jobs-unpriced"]
    assert gap.status == "partial" and "1 Azure ML jobs" in gap.detail and "no-times" in gap.detail
    assert len(_runs(snap)) == 6


def test_jobs_without_times_share_the_clusters_measured_node_hours(_seed):
    """Azure Monitor's workspace metric "Active Nodes" (dimension ClusterName, hourly Average) gives the
    cluster's node-hours; less the 6 timed jobs' 6 x 9 h x 2 nodes, the rest is split over the jobs without times."""
    start = int(WINDOW.start.timestamp()) // 3600 * 3600 + 3600
    active = [(start + h * 3600, 2.0) for h in range(60)]  # 120 node-hours in the lookback
    metrics = {(WS["id"].lower(), "Active Nodes"): {"train-nc6": active, "cpu-cluster": [(start, 1.0)]}}
    snap = _collect_with(_seed, [_timeless("no-times-a"), _timeless("no-times-b", nodes=1)], metrics)
    by_name = {r.name: r for r in _runs(snap)}
    assert len(by_name) == 8
    left_node_hours = 120 - 6 * 9 * 2
    per_node_s = left_node_hours * 3600 / (2 + 1)
    a, b = by_name["no-times-a"], by_name["no-times-b"]
    assert (a.count, b.count) == (2, 1) and a.attributes["billable_seconds"] == b.attributes["billable_seconds"] == per_node_s
    assert a.attributes["seconds_source"].startswith("estimate: Azure Monitor 'Active Nodes' of cluster train-nc6")
    cov = {c.scope: c for c in snap.coverage}
    assert cov[f"{SUBSCRIPTION}/ml-compute/ml-prod/train-nc6/jobs-from-node-hours"].status == "partial"
    run = run_rules(snap, CATALOG, Settings(), only=[RULE])
    found = {c.current["count"]: c for c in run.candidates if c.provider == "azure"}  # families split by node count
    assert found[2].evidence.facts["instance_hours_in_lookback"] == pytest.approx(6 * 9 * 2 + 2 * per_node_s / 3600)
    assert sum(f.evidence.facts["instance_hours_in_lookback"] for f in found.values()) == pytest.approx(120)
    assert found[1].monthly_cost_before == pytest.approx(NC6_OD * per_node_s / 3600 * HOURS_PER_MONTH / (14 * 24))


def test_ml_reads_use_the_shared_arm_client_timeouts(_seed, tmp_path, monkeypatch):
    monkeypatch.setenv("COSTOPT_CACHE_DIR", str(tmp_path))
    settings = Settings(providers={"azure": {"connect_timeout_s": 4, "read_timeout_s": 7}})
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        for method in (responses.GET, responses.POST):
            mock.add_callback(method, re.compile(r"https://(management|prices)\.azure\.com/.*"),
                              callback=as_responses_callback(_seed.handle))
        AzureEnv(_seed).collect(settings=settings)
        ml = [c.request for c in mock.calls if re.search(r"/workspaces/ml-prod/(computes|jobs)\?", c.request.url)]
    assert len(ml) >= 2 and all(r.req_kwargs["timeout"] == (4, 7) for r in ml)
