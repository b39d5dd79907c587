"""AzureProvider end to end: the real azure-mgmt SDK pipeline (bearer token included) via `responses`."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from azure.identity import CredentialUnavailableError

from costopt.config import Settings
from costopt.demo.fakes.azure import FakeSubscription
from costopt.demo.fakes.azure_seed import SUBSCRIPTION
from costopt.errors import ProviderError
from tests.providers.fields import assert_fields

from .conftest import FakeCredential

OTHER = "00000000-1111-2222-3333-444444444444"


def by_name(snapshot):
    return {r.name: r for r in snapshot.resources}


def test_inventory_kinds_specs_and_prices(baseline):
    snap = baseline.snapshot
    res = by_name(snap)
    nc6 = res["gpu-train-nc6"]
    assert_fields(nc6, kind="gpu_vm", type="Standard_NC6s_v3", region="eastus", workload="training",
                  specs={"vcpu": 6, "gpu_count": 1}, attributes={"state": "running"}, tags={"costopt:team": "vision"},
                  hourly_cost=pytest.approx(3.06))  # Linux consumption, not Windows / Low Priority
    assert nc6.id == nc6.id.lower()
    assert_fields(res["api-d16"], kind="vm", specs={"memory_gib": 64}, hourly_cost=pytest.approx(0.768))
    assert_fields(res["orphan-data-disk"], kind="volume", type="Premium_LRS", attributes={"attached": False},
                  hourly_cost=pytest.approx(135.17 / 730))  # P30 tier from 1024 GB
    assert_fields(res["gpu-train-nc6-osdisk"], attributes={"attached": True})
    assert_fields(res["old-lb-pip"], kind="address", attributes={"associated": False})
    assert_fields(res["api-pip"], attributes={"associated": True})
    assert_fields(res["mlrawdata001"], kind="storage_account", attributes={"access_tier": "Hot", "lifecycle_rules": []})
    assert all(c.status == "ok" for c in snap.coverage)
    assert snap.prices and snap.prices[0].source == "Azure Retail Prices API"


def test_bearer_token_and_paging(baseline):
    azure = baseline.env
    arm = [h for h in azure.headers if "Authorization" in h]
    assert arm and all(h["Authorization"] == "Bearer fake-token" for h in arm)
    disk_pages = [p for a, p in azure.calls if "Microsoft.Compute/disks" in p]
    assert len(disk_pages) == 2 and "skiptoken" in disk_pages[1]  # 3 disks, page size 2
    cost_calls = [p for a, p in azure.calls if a == "cost"]
    assert len(cost_calls) > 2  # next_link followed for both queries
    actual = [b for b in azure.bodies if b["type"] == "ActualCost"]
    assert len(actual) > 1 and all(b == actual[0] for b in actual)  # same body POSTed to next_link
    assert [g["name"] for g in actual[0]["dataset"]["grouping"]][:3] == ["ResourceId", "ServiceName", "MeterCategory"]


def test_metrics(baseline):
    snap = baseline.snapshot
    res = by_name(snap)
    series = {(m.resource_id, m.metric): m for m in snap.metrics}
    cpu = series[(res["api-d16"].id, "cpu")]
    assert len(cpu) == 14 * 288 and cpu.period_s == 300 and 5 < cpu.values.max() < 30
    mem = series[(res["api-d16"].id, "memory")]
    assert 15 < mem.values.mean() < 30  # from Available Memory Bytes and 64 GiB
    assert (cpu.timestamps[1:] > cpu.timestamps[:-1]).all()
    sa = res["mlrawdata001"].id
    stored = [m for m in snap.metrics if m.resource_id == sa and m.metric == "bytes_stored"]
    assert {m.dimensions["storage_class"] for m in stored} == {"Hot", "Cool"}
    hot = next(m for m in stored if m.dimensions["storage_class"] == "Hot")
    assert len(hot) == 14 * 24 and hot.values.min() >= 52e12
    gets = series[(sa, "gets")]
    assert gets.values.max() <= 6  # GetBlob only, not PutBlob
    assert series[(sa, "objects")].values.min() > 8e6
    net = series[(res["api-d16"].id, "network_out")]
    assert net.stat == "Sum" and net.values.mean() > 1e5


def test_cost_actual_and_amortized(azure, _seed):
    sub = azure.fake.subscriptions[SUBSCRIPTION]
    purchase = {"UsageDate": 20261120, "ResourceId": "", "ServiceName": "Reservations", "MeterCategory": "Reservations",
                "ResourceLocation": "", "ChargeType": "Purchase", "actual": 1000.0, "amortized": 0.0, "Currency": "USD"}
    sub.cost_rows.append(purchase)
    try:
        snap = azure.collect()
    finally:
        sub.cost_rows.remove(purchase)
    df = snap.billing.query("SELECT ChargeCategory, SUM(BilledCost) b, SUM(EffectiveCost) e FROM focus GROUP BY 1")
    totals = {r.ChargeCategory: (r.b, r.e) for r in df.itertuples()}
    assert totals["Purchase"] == (pytest.approx(1000.0), pytest.approx(0.0))
    lo, hi = 20261113, 20261126
    expected = sum(r["actual"] for r in sub.cost_rows if lo <= r["UsageDate"] <= hi)
    assert totals["Usage"][0] == pytest.approx(expected)
    egress = snap.billing.scalar("SELECT SUM(BilledCost) FROM focus WHERE x_IsEgress")
    assert egress == pytest.approx(sum(r["actual"] for r in sub.cost_rows
                                       if r["MeterCategory"] == "Bandwidth" and lo <= r["UsageDate"] <= hi))
    ids = set(snap.billing.query("SELECT DISTINCT ResourceId FROM focus")["ResourceId"].dropna())
    assert by_name(snap)["gpu-train-nc6"].id in ids


def test_cost_throttling_honours_the_ratelimit_header(azure):
    azure.fake.throttle["cost"] = 1
    azure.fake.retry_after = "1"
    try:
        started = time.monotonic()
        snap = azure.collect()
        elapsed = time.monotonic() - started
    finally:
        azure.fake.retry_after = "0"
    assert {c.scope: c.status for c in snap.coverage}[f"{SUBSCRIPTION}/cost"] == "ok"
    assert azure.fake.throttle["cost"] == 0 and elapsed >= 0.9


def test_compute_throttling_is_retried(azure):
    azure.fake.throttle["compute"] = 2
    snap = azure.collect()
    assert "gpu-train-nc6" in by_name(snap)


def test_forbidden_subscription_is_recorded_and_the_other_read(azure):
    azure.fake.subscriptions[OTHER] = FakeSubscription()
    azure.fake.denied.update({(OTHER, a) for a in ("compute", "network", "storage", "cost", "monitor", "ml")})
    try:
        snap = azure.collect(subscriptions=(SUBSCRIPTION, OTHER))
    finally:
        del azure.fake.subscriptions[OTHER]
    cov = {c.scope: c for c in snap.coverage}
    assert cov[f"{OTHER}/compute/vms"].status == "failed" and cov[f"{OTHER}/compute/vms"].error_code == "AuthorizationFailed"
    assert f"--scope /subscriptions/{OTHER}" in cov[f"{OTHER}/compute/vms"].fix
    assert '"Cost Management Reader"' in cov[f"{OTHER}/cost"].fix
    assert cov[f"{SUBSCRIPTION}/compute/vms"].status == "ok" and "api-d16" in by_name(snap)


def test_storage_denied_only(azure):
    azure.fake.denied.add((SUBSCRIPTION, "storage"))
    snap = azure.collect()
    cov = {c.scope: c for c in snap.coverage}
    assert cov[f"{SUBSCRIPTION}/storage"].error_code == "AuthorizationFailed"
    assert "mlrawdata001" not in by_name(snap) and snap.billing is not None


def test_nothing_readable_raises(azure):
    azure.fake.denied.update({(SUBSCRIPTION, a) for a in ("compute", "network", "storage", "cost", "monitor", "ml")})
    with pytest.raises(ProviderError, match="nothing could be read"):
        azure.collect()


def test_missing_credentials(azure):
    cred = FakeCredential(CredentialUnavailableError("DefaultAzureCredential failed to retrieve a token"))
    with pytest.raises(ProviderError, match="az login"):
        azure.collect(credential=cred)


def test_currency_from_config(azure):
    snap = azure.collect(settings=replace(Settings(), currency="EUR"))
    nc6 = by_name(snap)["gpu-train-nc6"]
    assert nc6.currency == "EUR" and nc6.hourly_cost == pytest.approx(3.06 * 0.92)  # the fake's EUR rate


def test_subscriptions_are_discovered_when_none_given(azure):
    snap = azure.collect(subscriptions=())
    assert {c.scope.split("/")[0] for c in snap.coverage} == {SUBSCRIPTION}


def test_management_group_cost_scope(azure):
    azure.fake.management_groups["ml-org"] = [SUBSCRIPTION]
    settings = replace(Settings(), providers={"azure": {"management_groups": ["ml-org"]}})
    try:
        snap = azure.collect(settings=settings)
    finally:
        del azure.fake.management_groups["ml-org"]
    cov = {c.scope: c for c in snap.coverage}
    assert cov["mg:ml-org/cost"].status == "ok" and f"{SUBSCRIPTION}/cost" not in cov
    assert any("managementGroups/ml-org" in p for a, p in azure.fake.calls if a == "cost")
    subs = set(snap.billing.query("SELECT DISTINCT SubAccountId FROM focus")["SubAccountId"])
    assert subs == {SUBSCRIPTION}
    grouping = [g["name"] for g in azure.fake.bodies[0]["dataset"]["grouping"]]
    assert "SubscriptionId" in grouping
