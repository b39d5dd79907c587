"""Vertex AI endpoints over REST (paged) and their Monitoring metrics, through the local fakes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from costopt.config import Settings
from costopt.demo.fakes.gcp import gcp_error
from costopt.demo.fakes.gcp_monitoring import FakeSeries
from costopt.demo.fakes.gcp_seed import PROJECT
from tests.providers.faults import answer_when

from .conftest import NOW, wrapped


def _endpoint(i: int, machine="n1-standard-4", gpu=("NVIDIA_TESLA_T4", 1), replicas=(1, 3)) -> dict:
    return {"name": f"projects/418273645001/locations/us-central1/endpoints/90{i}", "displayName": f"scorer-{i}",
            "labels": {"costopt-model": f"scorer-{i}", "costopt-team": "fraud"},
            "trafficSplit": {f"77{i}": 100},
            "deployedModels": [{"id": f"77{i}", "displayName": f"scorer-{i}-v1", "model": "projects/p/models/1",
                                "dedicatedResources": {"machineSpec": {"machineType": machine,
                                                                       "acceleratorType": gpu[0],
                                                                       "acceleratorCount": gpu[1]},
                                                       "minReplicaCount": replicas[0],
                                                       "maxReplicaCount": replicas[1]}}]}


@pytest.fixture
def with_endpoints(gcp):
    gcp.fake.projects[PROJECT]["endpoints"] = [_endpoint(i) for i in range(3)]
    ts = [int(NOW.timestamp()) - 3600 + 300 * k for k in range(12)]
    labels = {"resource_container": "418273645001", "location": "us-central1", "endpoint_id": "900"}
    added = [FakeSeries(PROJECT, "aiplatform.googleapis.com/prediction/online/prediction_count",
                        "aiplatform.googleapis.com/Endpoint", labels, [(t, 120.0) for t in ts]),
             FakeSeries(PROJECT, "aiplatform.googleapis.com/prediction/online/prediction_latencies",
                        "aiplatform.googleapis.com/Endpoint", labels, [(t, 48.5) for t in ts])]
    gcp.monitoring.series.extend(added)
    yield gcp
    del gcp.fake.projects[PROJECT]["endpoints"]
    for s in added:
        gcp.monitoring.series.remove(s)


def test_endpoints_are_listed_paged_and_shaped_like_sagemaker(with_endpoints):
    snap = with_endpoints.collect()
    eps = sorted((r for r in snap.resources if r.kind == "endpoint"), key=lambda r: r.name)
    assert [e.name for e in eps] == ["scorer-0", "scorer-1", "scorer-2"]  # 3 endpoints, page size 2
    assert len([c for c in with_endpoints.fake.calls if c[1].endswith("/endpoints")]) == 2
    ep = eps[0]
    assert ep.id == f"//aiplatform.googleapis.com/projects/{PROJECT}/locations/us-central1/endpoints/900"
    assert ep.type == "n1-standard-4" and ep.count == 1 and ep.workload == "inference"
    variant = ep.attributes["variants"][0]
    assert variant["accelerator"] == "NVIDIA_TESLA_T4" and variant["autoscaling"] == {"min": 1, "max": 3}
    assert ep.attributes["model"] == "scorer-0" and ep.hourly_cost is None
    series = {(m.resource_id, m.metric): m for m in snap.metrics}
    assert series[(ep.id, "requests")].values.sum() == pytest.approx(12 * 120.0)
    latency = series[(ep.id, "latency_ms")]
    assert latency.stat == "p95" and latency.values.max() == pytest.approx(48.5)
    assert {c.scope: c.status for c in snap.coverage}[f"{PROJECT}/vertex"] == "ok"


def test_vertex_api_disabled_is_skipped_not_failed(gcp):
    gcp.fake.disabled.add((PROJECT, "aiplatform"))
    snap = gcp.collect()
    entry = {c.scope: c for c in snap.coverage}[f"{PROJECT}/vertex"]
    assert entry.status == "skipped" and entry.error_code == "ServiceDisabled"
    assert "aiplatform.googleapis.com" in entry.fix



def test_one_unmappable_endpoint_and_one_failed_region_cost_only_themselves(with_endpoints):
    with_endpoints.fake.projects[PROJECT]["endpoints"].append(  # deployedModels must be a list
        {"name": "projects/418273645001/locations/us-central1/endpoints/999", "displayName": "bad-endpoint",
         "deployedModels": "not-a-list"})

    denied = gcp_error(403, "Permission 'aiplatform.endpoints.list' denied", "PERMISSION_DENIED", "forbidden")
    settings = replace(Settings(), providers={"gcp": {"vertex_regions": ["us-central1", "europe-west4"]}})
    with wrapped(with_endpoints, answer_when(denied, "/locations/europe-west4/endpoints")) as env:
        snap = env.collect(settings=settings)
    cov = {c.scope: c for c in snap.coverage}
    assert cov[f"{PROJECT}/vertex"].status == "partial"
    assert cov[f"{PROJECT}/vertex/europe-west4"].error_code == "PermissionDenied"
    assert cov[f"{PROJECT}/vertex/us-central1/bad-endpoint"].status == "failed"
    assert sorted(r.name for r in snap.resources if r.kind == "endpoint") == ["scorer-0", "scorer-1", "scorer-2"]
