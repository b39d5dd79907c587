"""One GCP list (or one item of it) that cannot be read never costs the rest of the project.

Faults are injected at the wire: the seeded REST fake is wrapped by a test-local handler
(its own local HTTP server) that breaks one list, and the gRPC Monitoring fake is subclassed
to fail one metric. The real google-cloud clients read through them.
"""

from __future__ import annotations

import copy
from contextlib import contextmanager

import grpc
import pytest

from costopt.demo.fakes.gcp import gcp_error
from costopt.demo.fakes.gcp_monitoring import FakeMonitoring
from costopt.demo.fakes.gcp_seed import PROJECT
from costopt.providers.gcp.adapter import GcpEndpoints
from costopt.providers.gcp.monitoring import METRICS
from tests.providers.faults import answer_when

from .conftest import GcpEnv, wrapped

API = "https://www.googleapis.com/compute/v1/projects/demo"
OUT_OF_RANGE = "18446744073709551616"  # 2**64: the uint64 id the compute client refuses


@contextmanager
def seeded(fake, kind: str, extra: list[dict]):
    """Temporarily append ``extra`` items to the seeded project's ``kind`` list."""
    saved = copy.deepcopy(fake.projects[PROJECT][kind])
    fake.projects[PROJECT][kind].extend(extra)
    try:
        yield
    finally:
        fake.projects[PROJECT][kind] = saved


def names(snapshot, kind=None):
    return {r.name for r in snapshot.resources if kind is None or r.kind == kind}


def cov(snapshot):
    return {c.scope: c for c in snapshot.coverage}


def _zone_item(name: str, item_id: str) -> dict:
    return {"id": item_id, "name": name, "zone": f"{API}/zones/us-central1-a"}


BAD_ITEMS = {
    "instances": (_zone_item("bad-vm", OUT_OF_RANGE),
                  {**_zone_item("spare-vm", "7100000000000002"), "status": "TERMINATED",
                   "machineType": f"{API}/zones/us-central1-a/machineTypes/n2-standard-16",
                   "scheduling": {"provisioningModel": "STANDARD"}}),
    "disks": (_zone_item("bad-disk", OUT_OF_RANGE),
              {**_zone_item("spare-disk", "7200000000000002"), "sizeGb": "10", "status": "READY",
               "type": f"{API}/zones/us-central1-a/diskTypes/pd-standard"}),
    "addresses": ({"id": OUT_OF_RANGE, "name": "bad-ip", "region": f"{API}/regions/us-central1",
                   "status": "RESERVED"},
                  {"id": "7300000000000002", "name": "spare-ip", "region": f"{API}/regions/us-central1",
                   "address": "34.1.2.3", "status": "RESERVED", "addressType": "EXTERNAL"}),
}


@pytest.mark.parametrize("kind", sorted(BAD_ITEMS))
def test_one_unparseable_item_skips_only_that_item(gcp, baseline, kind):
    bad, good = BAD_ITEMS[kind]
    before = names(baseline.snapshot)
    with seeded(gcp.fake, kind, [bad, good]):
        snap = gcp.collect()
    got = names(snap)
    assert before | {good["name"]} <= got  # every other resource of the project, and the good item after the bad
    assert bad["name"] not in got
    entries = cov(snap)
    item = entries[f"{PROJECT}/compute/{kind}/{bad['name']}"]
    assert item.status == "failed" and "Value out of range" in item.detail
    assert entries[f"{PROJECT}/compute/{kind}"].status == "partial"
    others = {"instances", "disks", "addresses"} - {kind}
    assert all(entries[f"{PROJECT}/compute/{o}"].status == "ok" for o in others)
    assert entries[f"{PROJECT}/storage"].status == "ok" and entries[f"{PROJECT}/monitoring"].status == "ok"


@pytest.mark.parametrize("kind", ["instances", "disks", "addresses"])
def test_one_failed_list_keeps_every_other_list(gcp, baseline, kind):
    denied = gcp_error(403, f"Required 'compute.{kind}.list' permission for 'projects/{PROJECT}'",
                       "PERMISSION_DENIED", "forbidden")
    with wrapped(gcp, answer_when(denied, f"/aggregated/{kind}")) as env:
        snap = env.collect()
    entries = cov(snap)
    assert entries[f"{PROJECT}/compute/{kind}"].status == "failed"
    assert entries[f"{PROJECT}/compute/{kind}"].error_code == "PermissionDenied"
    lost = {r.name for r in baseline.snapshot.resources if r.kind == {"instances": "vm", "disks": "volume",
                                                                          "addresses": "address"}[kind]}
    if kind == "instances":
        lost |= {r.name for r in baseline.snapshot.resources if r.kind == "gpu_vm"}
    assert names(baseline.snapshot) - lost <= names(snap)
    for other in {"instances", "disks", "addresses"} - {kind}:
        assert entries[f"{PROJECT}/compute/{other}"].status == "ok"


def test_an_error_on_a_later_page_keeps_the_pages_read(gcp, baseline):
    bad_token = gcp_error(400, "Invalid value for field 'pageToken'", "INVALID_ARGUMENT", "invalid")
    with wrapped(gcp, answer_when(bad_token, "/aggregated/instances", "pageToken=2")) as env:
        snap = env.collect()
    entry = cov(snap)[f"{PROJECT}/compute/instances"]
    vms = names(snap, "vm") | names(snap, "gpu_vm")
    assert len(vms) == 2  # page size 2: the first page is kept
    assert entry.status == "partial" and "kept the 2 read before the failure" in entry.detail
    assert entry.error_code == "BadRequest"


def test_a_bucket_costopt_cannot_map_is_skipped_and_a_failed_page_keeps_the_first(gcp, baseline):
    broken = {"name": "broken-bucket", "id": "broken-bucket", "storageClass": "STANDARD", "location": "US",
              "labels": "not-a-map"}
    spare = {"name": "spare-bucket", "id": "spare-bucket", "storageClass": "NEARLINE", "location": "US",
             "timeCreated": "not-a-timestamp"}  # kept, its creation time unknown
    with seeded(gcp.fake, "buckets", [broken, spare]):
        snap = gcp.collect()
        entries = cov(snap)
        assert {"ml-research-datasets", "spare-bucket"} <= names(snap, "bucket")
        assert next(r for r in snap.resources if r.name == "spare-bucket").created is None
        assert entries[f"{PROJECT}/storage/broken-bucket"].status == "failed"
        assert entries[f"{PROJECT}/storage"].status == "partial"
        denied = gcp_error(403, "storage.buckets.list denied", "PERMISSION_DENIED", "forbidden")
        with wrapped(gcp, answer_when(denied, "/storage/v1/b?", "pageToken=2")) as env:
            snap = env.collect()
    entry = cov(snap)[f"{PROJECT}/storage"]
    assert entry.status == "partial" and "kept the 1 read" in entry.detail
    assert "ml-research-datasets" in names(snap, "bucket")
    assert names(baseline.snapshot, "gpu_vm") <= names(snap)


class OneMetricFails(FakeMonitoring):
    """The seeded series, but one metric type answers INVALID_ARGUMENT."""

    def __init__(self, series, broken: str):
        super().__init__(series)
        self.broken = broken

    def _list(self, request, context):
        if f'"{self.broken}"' in request.filter:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"The metric type {self.broken} is not valid here")
        return super()._list(request, context)


def test_one_failed_metric_keeps_the_other_metrics(gcp, baseline):
    broken = "agent.googleapis.com/memory/percent_used"
    with OneMetricFails(gcp.monitoring.series, broken) as monitoring:
        env = GcpEnv(gcp.fake, monitoring, GcpEndpoints(rest=gcp.endpoints.rest, monitoring=monitoring.target))
        snap = env.collect()
    entries = cov(snap)
    assert entries[f"{PROJECT}/monitoring/{broken}"].status == "failed"
    assert entries[f"{PROJECT}/monitoring"].status == "partial"
    got = {(m.resource_id, m.metric) for m in snap.metrics}
    expected = {(m.resource_id, m.metric) for m in baseline.snapshot.metrics}
    assert got == {k for k in expected if k[1] != "memory"}
    assert any(k[1] == "memory" for k in expected)
    assert len(METRICS) > 2


def test_an_unreachable_zone_is_recorded_and_the_rest_of_the_list_kept(gcp, baseline):
    """aggregatedList answers a zone it could not reach with a scope warning, the others with items."""
    def fault(method, path):
        if "/aggregated/disks" not in path:
            return None
        status, headers, body = gcp.fake.handle(method, path, {}, b"")
        body["items"]["zones/europe-west4-b"] = {"warning": {
            "code": "UNREACHABLE", "message": "The zone 'projects/demo/zones/europe-west4-b' is unreachable.",
            "data": [{"key": "scope", "value": "zones/europe-west4-b"}]}}
        body["items"]["zones/asia-east1-a"] = {"warning": {"code": "NO_RESULTS_ON_PAGE", "message": "none here"}}
        body["unreachables"] = ["zones/europe-west4-b", "zones/me-west1-a"]
        return status, headers, body

    with wrapped(gcp, fault) as env:
        snap = env.collect()
    entries = cov(snap)
    assert entries[f"{PROJECT}/compute/disks/zones/europe-west4-b"].status == "failed"
    assert "UNREACHABLE" in entries[f"{PROJECT}/compute/disks/zones/europe-west4-b"].detail
    assert f"{PROJECT}/compute/disks/zones/asia-east1-a" not in entries
    assert entries[f"{PROJECT}/compute/disks/zones/me-west1-a"].status == "failed"  # from unreachables
    assert entries[f"{PROJECT}/compute/disks"].status == "partial"
    assert names(baseline.snapshot, "volume") <= names(snap, "volume")
