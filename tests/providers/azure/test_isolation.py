"""One Azure list (or one item of it) that cannot be read never costs the rest of the subscription.

The real azure-mgmt clients read through `responses`; a test-local callback answers like the
seeded FakeAzure except where a test breaks one list, one item or one resource's metrics.
"""

from __future__ import annotations

import pytest

from costopt.demo.fakes.azure import arm_error
from costopt.demo.fakes.azure_seed import BASE, SUBSCRIPTION
from tests.providers.faults import answer_when

from .conftest import faulty, seeded


def names(snapshot, kind=None):
    return {r.name for r in snapshot.resources if kind is None or r.kind == kind}


def cov(snapshot):
    return {c.scope: c for c in snapshot.coverage}


S = SUBSCRIPTION
# kind of FakeSubscription list -> (coverage scope, an item costopt cannot map, a good item after it)
BAD_ITEMS = {
    "vms": (f"{S}/compute/vms",
            {"id": f"{BASE}/Microsoft.Compute/virtualMachines/bad-vm", "name": "bad-vm", "location": "eastus",
             "properties": {"hardwareProfile": "Standard_D2s_v5"}},
            {"id": f"{BASE}/Microsoft.Compute/virtualMachines/spare-vm", "name": "spare-vm", "location": "eastus",
             "properties": {"hardwareProfile": {"vmSize": "Standard_D4s_v5"},
                            "instanceView": {"statuses": [{"code": "PowerState/deallocated"}]}}}),
    "disks": (f"{S}/compute/disks",
              {"id": f"{BASE}/Microsoft.Compute/disks/bad-disk", "name": "bad-disk", "location": "eastus",
               "sku": {"name": "Premium_LRS"}, "properties": {"diskSizeGB": "lots", "diskState": "Unattached"}},
              {"id": f"{BASE}/Microsoft.Compute/disks/spare-disk", "name": "spare-disk", "location": "eastus",
               "sku": {"name": "Premium_LRS"}, "properties": {"diskSizeGB": 64, "diskState": "Unattached",
                                                              "timeCreated": "yesterday"}}),  # kept, time unknown
    "public_ips": (f"{S}/network",
                   {"id": f"{BASE}/Microsoft.Network/publicIPAddresses/bad-pip", "name": "bad-pip",
                    "location": "eastus", "sku": "Standard", "properties": {"ipAddress": "20.1.1.1"}},
                   {"id": f"{BASE}/Microsoft.Network/publicIPAddresses/spare-pip", "name": "spare-pip",
                    "location": "eastus", "sku": {"name": "Standard"}, "properties": {"ipAddress": "20.1.1.2"}}),
    "storage_accounts": (f"{S}/storage",
                         {"id": f"{BASE}/Microsoft.Storage/storageAccounts/badacct", "name": "badacct",
                          "location": "eastus", "sku": "Standard_LRS", "properties": {"accessTier": "Hot"}},
                         {"id": f"{BASE}/Microsoft.Storage/storageAccounts/spareacct", "name": "spareacct",
                          "location": "eastus", "kind": "StorageV2", "sku": {"name": "Standard_LRS"},
                          "properties": {"accessTier": "Cool"}}),
}


@pytest.mark.parametrize("kind", sorted(BAD_ITEMS))
def test_one_unmappable_item_skips_only_that_item(_seed, baseline, kind):
    scope, bad, good = BAD_ITEMS[kind]
    with seeded(_seed, kind, [bad, good]), faulty(_seed) as env:
        snap = env.collect()
    assert names(baseline.snapshot) | {good["name"]} <= names(snap)
    assert bad["name"] not in names(snap)
    assert all(r.created is None or hasattr(r.created, "tzinfo") for r in snap.resources)
    entries = cov(snap)
    assert entries[f"{scope}/{bad['name']}"].status == "failed"
    assert entries[scope].status == "partial" and "1 skipped" in entries[scope].detail
    others = {f"{S}/compute/vms", f"{S}/compute/disks", f"{S}/network", f"{S}/storage", f"{S}/cost"} - {scope}
    assert all(entries[o].status == "ok" for o in others)


LISTS = {"vms": "Microsoft.Compute/virtualMachines?", "disks": "Microsoft.Compute/disks?",
         "public_ips": "Microsoft.Network/publicIPAddresses?", "storage_accounts": "Microsoft.Storage/storageAccounts?"}
KINDS = {"vms": {"vm", "gpu_vm"}, "disks": {"volume"}, "public_ips": {"address"}, "storage_accounts": {"storage_account"}}


@pytest.mark.parametrize("kind", sorted(LISTS))
def test_one_failed_list_keeps_every_other_list(_seed, baseline, kind):
    denied = arm_error(403, "AuthorizationFailed", "The client does not have authorization to perform action")
    with faulty(_seed, answer_when(denied, LISTS[kind])) as env:
        snap = env.collect()
    scope = BAD_ITEMS[kind][0]
    entries = cov(snap)
    assert entries[scope].status == "failed" and entries[scope].error_code == "AuthorizationFailed"
    kept = {r.name for r in baseline.snapshot.resources if r.kind not in KINDS[kind]}
    assert kept <= names(snap)
    assert not names(snap) & {r.name for r in baseline.snapshot.resources if r.kind in KINDS[kind]}


def test_an_error_on_a_later_page_keeps_the_pages_read(_seed, baseline):
    bad_token = arm_error(400, "InvalidSkipToken", "The skip token is not valid")
    with faulty(_seed, answer_when(bad_token, LISTS["disks"], "skiptoken")) as env:
        snap = env.collect()
    entry = cov(snap)[f"{S}/compute/disks"]
    assert entry.status == "partial" and "kept the 2 read before the failure" in entry.detail
    assert len(names(snap, "volume")) == 2


def test_one_lifecycle_policy_denied_keeps_the_account_with_policy_unknown(_seed, baseline):
    denied = arm_error(403, "AuthorizationFailed", "no access to managementPolicies")
    with faulty(_seed, answer_when(denied, "managementPolicies")) as env:
        snap = env.collect()
    account = next(r for r in snap.resources if r.name == "mlrawdata001")
    assert account.attributes["has_lifecycle"] is None and account.attributes["lifecycle_rules"] is None
    entries = cov(snap)
    assert entries[f"{S}/storage/mlrawdata001/lifecycle"].status == "failed"
    assert entries[f"{S}/storage"].status == "ok"
    assert any(m.resource_id == account.id for m in snap.metrics)


def test_one_resource_whose_metrics_fail_keeps_the_others(_seed, baseline):
    no_metric = arm_error(400, "BadRequest", "Failed to find metric configuration for provider")
    with faulty(_seed, answer_when(no_metric, "virtualMachines/api-d16/providers/microsoft.insights/metrics")) as env:
        snap = env.collect()
    entries = cov(snap)
    assert entries[f"{S}/monitor/api-d16"].status == "failed"
    assert entries[f"{S}/monitor"].status == "partial"
    d16 = next(r for r in baseline.snapshot.resources if r.name == "api-d16").id
    expected = {(m.resource_id, m.metric) for m in baseline.snapshot.metrics if m.resource_id != d16}
    assert {(m.resource_id, m.metric) for m in snap.metrics} == expected and expected


def test_an_item_without_a_name_is_skipped_by_position(_seed, baseline):
    nameless = {"location": "eastus", "sku": {"name": "Standard"}, "properties": {"ipAddress": "20.1.1.9"}}
    with seeded(_seed, "public_ips", [nameless]), faulty(_seed) as env:
        snap = env.collect()
    entries = cov(snap)
    assert entries[f"{S}/network"].status == "partial"
    assert any(scope.startswith(f"{S}/network/item ") for scope in entries)
    assert names(baseline.snapshot, "address") <= names(snap, "address")
