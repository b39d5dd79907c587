"""Azure ML compute instances, clusters and jobs over ARM REST, through `responses` answered by the
fake (REST reference shapes, paged by nextLink, bearer token), and the mlplatform rules on them."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest

from costopt.catalog import bundled_catalog
from costopt.config import Settings
from costopt.demo.fakes.azure_seed import SUBSCRIPTION
from costopt.model import HOURS_PER_MONTH
from costopt.providers.azure.ml_compute import duration_s
from costopt.rules.engine import run_rules
from tests.providers.faults import answer_when

from .conftest import NOW, faulty

CATALOG = bundled_catalog()
WS_PATH = "/resourceGroups/ml-platform/providers/Microsoft.MachineLearningServices/workspaces/ml-prod"


@pytest.mark.parametrize("text, seconds", [("PT60M", 3600), ("PT2H30M", 9000), ("P1DT2H", 93600), ("PT120S", 120),
                                           ("PT0.5S", 0.5), (None, None), ("soon", None)])
def test_iso_durations(text, seconds):
    assert duration_s(text) == seconds


def _by_name(snap):
    return {r.name: r for r in snap.resources if r.attributes.get("service") == "azure ml" and r.kind != "training_run"}


def test_instances_clusters_and_last_jobs(baseline):
    ml = _by_name(baseline.snapshot)
    alice, bob, gpu, cpu = ml["ci-gpu-alice"], ml["ci-cpu-bob"], ml["gpu-cluster"], ml["cpu-cluster"]
    assert (alice.kind, alice.type, alice.attributes["status"], alice.attributes["idle_shutdown"]) == (
        "notebook", "Standard_NC6s_v3", "Running", False)
    assert bob.attributes["idle_shutdown"] is True and bob.attributes["idle_timeout_s"] == 3600
    assert alice.attributes["workspace"] == "ml-prod" and alice.attributes["resource_group"] == "ml-platform"
    assert (gpu.kind, gpu.attributes["min_nodes"], gpu.attributes["idle_seconds_before_scale_down"]) == (
        "ml_cluster", 2, 1800)
    assert gpu.attributes["last_job"] is None  # its only job is 31 days old, before the 14-day lookback
    assert cpu.attributes["last_job"] == (NOW - timedelta(days=1)).isoformat()
    assert alice.tags == {"costopt:team": "vision"}
    calls = [path for area, path in baseline.env.calls if area == "ml"]
    assert sum("/computes" in p for p in calls) == 3  # 5 computes, page size 2: nextLink followed
    cov = {c.scope: c.status for c in baseline.snapshot.coverage}
    assert cov[f"{SUBSCRIPTION}/ml-compute/ml-prod"] == "ok"


def test_azure_ml_findings_named_priced_with_apply(baseline):
    run = run_rules(baseline.snapshot, CATALOG, Settings(),
                    only=["mlplatform.notebook_idle_shutdown", "mlplatform.idle_compute"])
    found = {(c.rule_id, c.resource_name): c for c in run.candidates if c.provider == "azure"}
    assert set(found) == {("mlplatform.notebook_idle_shutdown", "ci-gpu-alice"), ("mlplatform.idle_compute", "gpu-cluster")}
    nb = found[("mlplatform.notebook_idle_shutdown", "ci-gpu-alice")]
    nc6 = CATALOG.price("azure", "eastus", "Standard_NC6s_v3").amount
    assert nb.monthly_savings == pytest.approx(nc6 * HOURS_PER_MONTH * 118 / 168)
    assert nb.apply == ("az ml compute update --name ci-gpu-alice --resource-group ml-platform --workspace-name ml-prod "
                        "--idle-time-before-shutdown-minutes 60")
    cl = found[("mlplatform.idle_compute", "gpu-cluster")]
    a100 = CATALOG.price("azure", "eastus", "Standard_NC24ads_A100_v4").amount
    assert cl.monthly_savings == pytest.approx(2 * a100 * HOURS_PER_MONTH) and "--min-instances 0" in cl.apply


def test_denied_jobs_and_a_bad_compute_cost_only_themselves(_seed):
    lists = _seed.subscriptions[SUBSCRIPTION].ml
    saved = copy.deepcopy(lists)
    lists[f"/subscriptions/{SUBSCRIPTION}{WS_PATH}/computes".lower()].append({"id": f"/subscriptions/{SUBSCRIPTION}{WS_PATH}/computes/broken",
                                         "name": "broken", "properties": {"computeType": "AmlCompute"}})

    fault = answer_when((403, {}, {"error": {"code": "AuthorizationFailed", "message": "no jobs for you"}}), "/jobs?")
    try:
        with faulty(_seed, fault) as env:
            snap = env.collect()
    finally:
        lists.clear(), lists.update(saved)
    cov = {c.scope: c for c in snap.coverage}
    jobs = cov[f"{SUBSCRIPTION}/ml-compute/ml-prod/jobs"]
    assert jobs.status == "failed" and jobs.error_code == "AuthorizationFailed" and "az role assignment" in jobs.fix
    assert cov[f"{SUBSCRIPTION}/ml-compute/ml-prod/broken"].status == "partial"
    assert set(_by_name(snap)) == {"ci-gpu-alice", "ci-cpu-bob", "gpu-cluster", "cpu-cluster", "train-nc6"}
