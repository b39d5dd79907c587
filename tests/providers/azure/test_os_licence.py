"""Azure VMs priced for their OS and licence, at the wire (ARM VMs + Retail Prices through `responses`).

VM JSON follows the ARM REST reference "Virtual Machines - List All": ``properties.storageProfile.
osDisk.osType`` (Windows / Linux), ``properties.licenseType`` (``Windows_Server`` = Azure Hybrid
Benefit, ``RHEL_BYOS`` = own subscription) and ``storageProfile.imageReference.publisher``.

Oracles (Standard_D16s_v5, eastus, USD per hour; the Retail Prices items of
test_priced_shapes.D16_PAGES): Linux "Virtual Machines Dsv5 Series" 0.768 (/work/shared/data/prices/
azure_vm_karpenter.csv.gz, Azure/karpenter-provider-azure@352646f5); Windows "Virtual Machines Dsv5
Series Windows" 1.504 (azure.microsoft.com Windows Virtual Machines pricing, D16s v5 East US
pay-as-you-go: 0.768 + 16 vCPU x 0.046 Windows Server licence).
"""

from __future__ import annotations

import pytest

from costopt import price_trust
from costopt.catalog import load_catalog
from costopt.demo.fakes.azure_seed import BASE
from costopt.model import HOURS_PER_MONTH, Recommendation
from costopt.rules import defaults
from costopt.rules.rightsizing import oversized_vm
from costopt.rules.spot import interruptible_workload
from tests.conftest import make_resource, make_series, make_snapshot

from .conftest import faulty, seeded
from .test_priced_shapes import D16, D16_PAGES, page, retail

LINUX, WINDOWS = 0.768, 1.504


def _vm(name: str, os_type: str, licence: str | None = None, publisher: str = "Canonical",
        size: str = D16) -> dict:
    props = {"hardwareProfile": {"vmSize": size}, "priority": "Regular",
             "storageProfile": {"imageReference": {"publisher": publisher, "offer": "offer", "sku": "sku",
                                                   "version": "latest"},
                                "osDisk": {"osType": os_type, "name": f"{name}-os", "createOption": "FromImage",
                                           "caching": "ReadWrite", "diskSizeGB": 128}},
             "instanceView": {"statuses": [{"code": "PowerState/running"}]}}
    if licence:
        props["licenseType"] = licence
    return {"id": f"{BASE}/Microsoft.Compute/virtualMachines/{name}", "name": name, "location": "eastus",
            "type": "Microsoft.Compute/virtualMachines", "properties": props}


VMS = [_vm("win-payg", "Windows", publisher="MicrosoftWindowsServer"),
       _vm("win-ahb", "Windows", "Windows_Server", publisher="MicrosoftWindowsServer"),
       _vm("rhel-payg", "Linux", publisher="RedHat"), _vm("rhel-byos", "Linux", "RHEL_BYOS", publisher="RedHat"),
       _vm("sles-payg", "Linux", publisher="SUSE"), _vm("ubuntu", "Linux")]


@pytest.fixture
def vms(_seed):
    with seeded(_seed, "vms", VMS), faulty(_seed, retail({D16: D16_PAGES})) as env:
        snap = env.collect()
    return {r.name: r for r in snap.resources if r.kind in ("vm", "gpu_vm")}


def test_windows_vm_is_priced_with_the_windows_meter(vms):
    win = vms["win-payg"]
    assert win.hourly_cost == pytest.approx(WINDOWS)
    assert win.attributes["os"] == "windows" and win.attributes["os_type"] == "Windows"
    assert "price_is_lower_bound" not in win.attributes


def test_hybrid_benefit_and_byos_pay_the_base_rate(vms):
    assert vms["win-ahb"].hourly_cost == pytest.approx(LINUX)
    assert vms["win-ahb"].attributes["os"] == "linux"
    assert vms["win-ahb"].attributes["license_type"] == "Windows_Server"
    assert vms["rhel-byos"].hourly_cost == pytest.approx(LINUX)
    assert vms["rhel-byos"].attributes["os"] == "linux" and "price_is_lower_bound" not in vms["rhel-byos"].attributes
    assert vms["ubuntu"].attributes["os"] == "linux" and "price_is_lower_bound" not in vms["ubuntu"].attributes


def test_marketplace_rhel_and_sles_are_the_compute_meter_labelled_a_lower_bound(vms):
    for name, os in (("rhel-payg", "rhel"), ("sles-payg", "suse")):
        vm = vms[name]
        assert vm.hourly_cost == pytest.approx(LINUX) and vm.attributes["os"] == os
        assert f"licence fee of {os}" in vm.attributes["price_is_lower_bound"]


def test_windows_without_a_windows_meter_is_a_lower_bound_not_silently_linux(_seed):
    linux_only = [page([i for p in D16_PAGES for i in p["Items"] if "Windows" not in i["productName"]])]
    with seeded(_seed, "vms", VMS[:1]), faulty(_seed, retail({D16: linux_only})) as env:
        snap = env.collect()
    (win,) = [r for r in snap.resources if r.name == "win-payg"]
    assert win.hourly_cost == pytest.approx(LINUX)
    assert "no Windows meter" in win.attributes["price_is_lower_bound"]


def test_catalog_windows_price_on_azure_is_a_labelled_lower_bound():
    catalog = load_catalog(None, use_cache=False)
    linux = catalog.price("azure", "eastus", D16)
    win = catalog.price("azure", "eastus", D16, os="windows")
    assert linux is not None and win is not None
    assert win.amount == linux.amount and win.estimate
    assert win.source == f"estimate:licence-unknown x {linux.source}"
    gcp = catalog.price("gcp", "us-central1", "n2-standard-8", os="windows")
    assert gcp is not None and gcp.source.startswith("estimate:licence-unknown x ")


def test_a_resize_of_an_azure_windows_vm_keeps_the_licence_as_a_lower_bound():
    """rightsizing.oversized_vm on an idle-ish Windows D16s v5: before and after are asked as Windows,
    so the finding exists (the old catalog had no Azure Windows price: the VM was skipped) and says
    its cost is a lower bound."""
    catalog = load_catalog(None, use_cache=False)
    box = make_resource("/subscriptions/s/vm/win", type=D16, provider="azure", region="eastus", hourly_cost=None,
                        account="s", attributes={"os": "windows", "state": "running"})
    weeks = 14 * 24 * 12
    metrics = [make_series(box.id, "cpu", [8.0] * weeks), make_series(box.id, "memory", [10.0] * weeks)]
    recs = [r for r in oversized_vm(make_snapshot([box], metrics), catalog, defaults.OversizedVm())
            if isinstance(r, Recommendation)]
    assert recs, "the Windows VM was skipped"
    (rec,) = recs
    assert rec.monthly_cost_before == pytest.approx(catalog.price("azure", "eastus", D16).amount * HOURS_PER_MONTH)
    assert rec.evidence.price_source.startswith("estimate:licence-unknown")
    (trusted,) = price_trust.apply([rec], [])
    assert trusted.confidence == "low" and trusted.evidence.price_is_lower_bound


def test_catalog_fallback_asks_for_the_vms_os_and_says_lower_bound(_seed):
    """The Retail Prices API has no D16s v5 item at all: the bundled catalog prices the Windows VM,
    asked as Windows -- its Linux price labelled a lower bound, not a plain Linux price."""
    with seeded(_seed, "vms", VMS[:1]), faulty(_seed, retail({D16: [page([])]})) as env:
        snap = env.collect()
    (win,) = [r for r in snap.resources if r.name == "win-payg"]
    linux = load_catalog(None, use_cache=False).price("azure", "eastus", D16)
    assert win.hourly_cost == pytest.approx(linux.amount)
    assert win.attributes["price_source"].startswith("estimate:licence-unknown x ")
    assert "licence fee of windows not priced" in win.attributes["price_is_lower_bound"]


def test_spot_advice_on_an_azure_windows_vm_prices_both_sides_as_windows_lower_bounds():
    catalog = load_catalog(None, use_cache=False)
    batch = make_resource("/subscriptions/s/vm/batch", type=D16, provider="azure", region="eastus", account="s",
                          workload="batch", attributes={"os": "windows"})
    recs = [r for r in interruptible_workload(make_snapshot([batch]), catalog, defaults.InterruptibleWorkload())
            if isinstance(r, Recommendation)]
    assert recs, "the Windows VM got no spot advice (no Windows price)"
    (trusted,) = price_trust.apply(recs, [])
    assert trusted.evidence.price_is_lower_bound and trusted.confidence == "low"
    assert trusted.evidence.facts["on_demand_hourly"] == pytest.approx(catalog.price("azure", "eastus", D16).amount)
