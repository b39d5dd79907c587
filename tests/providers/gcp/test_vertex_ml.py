"""Vertex AI Workbench instances, custom training jobs and tuning jobs over REST (paged), through
the local fake seeded with the REST reference shapes, and the mlplatform rules on what was read."""

from __future__ import annotations

from datetime import timedelta

import pytest

from costopt.catalog import bundled_catalog
from costopt.config import Settings
from costopt.demo.fakes.gcp import gcp_error
from costopt.demo.fakes.gcp_seed import PROJECT
from costopt.model import HOURS_PER_MONTH
from costopt.providers.gcp.vertex_ml import machine_type
from costopt.rules.engine import run_rules

from .conftest import WINDOW, wrapped

CATALOG = bundled_catalog()
ML_RULES = ["mlplatform.notebook_idle_shutdown", "mlplatform.training_managed_spot", "mlplatform.tuning_search"]


def _kind(snap, kind):
    return sorted((r for r in snap.resources if r.kind == kind), key=lambda r: r.name)


def test_machine_type_takes_the_catalogs_accelerator_form():
    assert machine_type("n1-standard-8", "NVIDIA_TESLA_V100", 2) == "n1-standard-8+nvidia-tesla-v100:2"
    assert machine_type("n1-standard-8", "ACCELERATOR_TYPE_UNSPECIFIED", 0) == "n1-standard-8"
    assert CATALOG.price("gcp", "us-central1", "n1-standard-8+nvidia-tesla-v100:1") is not None


def test_workbench_jobs_and_trials_are_read_and_paged(baseline):
    snap = baseline.snapshot
    explore, research = _kind(snap, "notebook")
    assert (research.name, research.type, research.region) == (
        "research-nb-v100", "n1-standard-8+nvidia-tesla-v100:1", "us-central1")
    assert research.attributes["idle_shutdown"] is False and research.attributes["zone"] == "us-central1-a"
    assert explore.attributes["idle_shutdown"] is True and research.tags["costopt:team"] == "vision"
    runs = _kind(snap, "training_run")
    seg = [r for r in runs if r.attributes["family"] == "segformer-train"]
    assert len(seg) == 5 and {(r.count, r.pricing_model) for r in seg} == {(2, "on_demand")}
    assert all(r.attributes["billable_seconds"] == 8 * 3600 for r in seg)
    assert {r.pricing_model for r in runs if r.attributes["family"] == "bert-ft"} == {"spot"}
    (hpo,) = _kind(snap, "tuning_job")
    assert (hpo.attributes["strategy"], hpo.attributes["early_stopping"], hpo.attributes["max_parallel"]) == (
        "Bayesian", "Off", 20)
    assert sum(1 for r in runs if r.attributes["tuning_job_arn"] == hpo.id) == 40
    custom_pages = [c for c in baseline.calls if c[1].endswith("/customJobs")]
    assert len(custom_pages) == 4  # 7 jobs, page size 2


def test_vertex_findings_named_priced_with_apply(baseline):
    run = run_rules(baseline.snapshot, CATALOG, Settings(), only=ML_RULES)
    found = {(c.rule_id, c.resource_name): c for c in run.candidates if c.provider == "gcp"}
    nb = found[("mlplatform.notebook_idle_shutdown", "research-nb-v100")]
    price = CATALOG.price("gcp", "us-central1", "n1-standard-8+nvidia-tesla-v100:1").amount
    assert nb.monthly_savings == pytest.approx(price * HOURS_PER_MONTH * 118 / 168)
    assert nb.apply.startswith("gcloud workbench instances update research-nb-v100 --location=us-central1-a")
    seg = found[("mlplatform.training_managed_spot", "segformer-train (5 jobs)")]
    assert seg.evidence.facts["instance_hours_in_lookback"] == pytest.approx(5 * 8 * 2)
    assert "strategy: SPOT" in seg.apply and seg.monthly_savings > 0
    assert found[("mlplatform.tuning_search", "lr-sweep")].proposed.max_parallel == 4
    assert not any(name.startswith(("explore-nb", "bert-ft")) for _, name in found)


def test_one_bad_job_and_a_denied_workbench_api_cost_only_themselves(gcp):
    jobs = gcp.fake.projects[PROJECT]["customJobs"]
    jobs.append({"name": "projects/1/locations/us-central1/customJobs/bad", "displayName": "broken-job",
                 "state": "JOB_STATE_SUCCEEDED", "startTime": "2026-11-20T00:00:00Z", "endTime": "2026-11-20T02:00:00Z"})

    def fault(method, path):
        if path.split("?")[0].endswith("/locations/-/instances"):
            return gcp_error(403, "Permission 'notebooks.instances.list' denied", "PERMISSION_DENIED", "forbidden")
        return None

    try:
        with wrapped(gcp, fault) as env:
            snap = env.collect()
    finally:
        jobs.pop()
    cov = {c.scope: c for c in snap.coverage}
    assert cov[f"{PROJECT}/workbench"].status == "failed" and not _kind(snap, "notebook")
    assert cov[f"{PROJECT}/vertex/us-central1/customJobs/broken-job"].status == "partial"
    assert cov[f"{PROJECT}/vertex/us-central1/customJobs"].status == "partial"
    assert len(_kind(snap, "training_run")) == 7 + 40 and WINDOW.end - WINDOW.start == timedelta(days=14)
