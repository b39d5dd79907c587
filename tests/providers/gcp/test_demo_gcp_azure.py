"""The demo's GCP and Azure parts: seeded fakes read by the real adapters."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from costopt.config import Settings
from costopt.demo.fakes.azure_seed import build_fake_azure
from costopt.demo.fakes.gcp_seed import build_fake_monitoring, export_rows
from costopt.demo.gcp_azure import collect_demo_gcp_azure
from costopt.model import Window
from costopt.progress import QUIET

from .conftest import NOW


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    window = Window(NOW - timedelta(days=14), NOW)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COSTOPT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))  # module scope: before autouse
        return collect_demo_gcp_azure(window, Settings(), QUIET, NOW)


def _series(snapshot, name, metric):
    rid = next(r.id for r in snapshot.resources if r.name == name)
    return next(m for m in snapshot.metrics if m.resource_id == rid and m.metric == metric)


def test_demo_gcp_estate(demo):
    gcp = demo[0]
    assert all(c.status == "ok" for c in gcp.coverage) and gcp.billing is not None
    kinds = {r.name: (r.kind, r.type) for r in gcp.resources
             if (r.kind != "volume" or not r.attributes["attached"]) and r.kind != "training_run"}
    assert kinds == {"train-a100": ("gpu_vm", "a2-highgpu-1g"), "serve-l4": ("gpu_vm", "g2-standard-8"),
                     "etl-n2": ("vm", "n2-standard-16"), "scratch-ssd": ("volume", "pd-ssd"),
                     "old-endpoint-ip": ("address", "EXTERNAL"), "ml-research-datasets": ("bucket", "STANDARD"),
                     "research-nb-v100": ("notebook", "n1-standard-8+nvidia-tesla-v100:1"),
                     "explore-nb": ("notebook", "e2-standard-4"), "lr-sweep": ("tuning_job", "n1-standard-8")}
    families = {r.attributes["family"] for r in gcp.resources if r.kind == "training_run"}
    assert families == {"segformer-train", "bert-ft", "lr-sweep"}
    assert _series(gcp, "train-a100", "gpu").values.mean() > 70
    assert _series(gcp, "serve-l4", "gpu").values.max() < 5
    assert np.percentile(_series(gcp, "etl-n2", "cpu").values, 99) < 30


def test_demo_azure_estate(demo):
    azure = demo[1]
    assert all(c.status == "ok" for c in azure.coverage) and azure.billing is not None
    res = {r.name: r for r in azure.resources}
    assert res["gpu-train-nc6"].kind == "gpu_vm" and res["gpu-train-nc6"].hourly_cost == pytest.approx(3.06)
    assert res["api-d16"].type == "Standard_D16s_v5"
    assert res["orphan-data-disk"].attributes["attached"] is False
    assert res["old-lb-pip"].attributes["associated"] is False
    assert res["mlrawdata001"].attributes["access_tier"] == "Hot"
    assert np.percentile(_series(azure, "api-d16", "cpu").values, 99) < 30
    assert len(_series(azure, "gpu-train-nc6", "cpu")) == 14 * 288


def test_demo_seeds_are_deterministic():
    assert export_rows(NOW, days=3) == export_rows(NOW, days=3)
    a, b = build_fake_monitoring(NOW, days=1), build_fake_monitoring(NOW, days=1)
    assert [s.points for s in a.series] == [s.points for s in b.series]
    assert build_fake_azure(NOW, days_of_cost=2, days_of_metrics=1).subscriptions == \
        build_fake_azure(NOW, days_of_cost=2, days_of_metrics=1).subscriptions
