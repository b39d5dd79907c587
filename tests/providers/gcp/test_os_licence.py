"""Premium-image GCP instances are never priced silently as Linux (served by the local GCP fake).

Instances follow the Compute Engine REST reference (``instances.aggregatedList``): each attached
disk has ``boot`` and ``licenses`` (licence URLs under the image project: ``windows-cloud``,
``windows-sql-cloud``, ``rhel-cloud``, ``suse-cloud``). costopt does not read GCP's licence SKUs,
so such an instance costs its machine price (n2-standard-8 on demand, us-central1: 0.388472 USD/h,
/work/shared/data/prices/gcp_compute_cyclenerd.csv.gz; the SKUs of test_priced_shapes) and says
that price is a lower bound.
"""

from __future__ import annotations

import pytest

from costopt.config import Settings
from costopt.demo.fakes.gcp import FakeGcp
from costopt.demo.fakes.gcp_monitoring import FakeMonitoring
from costopt.demo.fakes.http import FakeHttpServer
from costopt.progress import QUIET
from costopt.providers.gcp.adapter import GcpEndpoints, GcpProvider
from costopt.providers.gcp.prices import COMPUTE_SERVICE

from .test_priced_shapes import PROJECT, SKUS, WINDOW, instance

LICENCES = "https://www.googleapis.com/compute/v1/projects/{}/global/licenses/{}"
N2_STANDARD_8 = 0.388472


def _with_licences(name: str, iid: str, *licences: tuple[str, str]) -> dict:
    inst = instance(name, iid, "n2-standard-8", provisioningModel="STANDARD")
    inst["disks"] = [{"boot": True, "deviceName": name, "index": 0, "type": "PERSISTENT", "mode": "READ_WRITE",
                      "source": inst["disks"][0]["source"], "licenses": [LICENCES.format(*lic) for lic in licences]},
                     {"boot": False, "deviceName": f"{name}-data", "index": 1, "type": "PERSISTENT",
                      "licenses": [LICENCES.format("suse-cloud", "sles-15")]}]  # not the boot disk: ignored
    return inst


INSTANCES = [
    _with_licences("win", "9100000000000001", ("windows-cloud", "windows-server-2022-dc")),
    _with_licences("sql", "9100000000000002", ("windows-cloud", "windows-server-2019-dc"),
                   ("windows-sql-cloud", "sql-server-2019-standard")),
    _with_licences("rhel", "9100000000000003", ("rhel-cloud", "rhel-9-server")),
    _with_licences("debian", "9100000000000004", ("debian-cloud", "debian-12-bookworm")),
]


@pytest.fixture(scope="module")
def vms(tmp_path_factory):
    fake = FakeGcp(projects={PROJECT: {"instances": INSTANCES, "disks": [], "addresses": [], "buckets": []}},
                   skus={COMPUTE_SERVICE.split("/")[1]: SKUS}, page_size=3)
    with FakeHttpServer(fake.handle) as http, FakeMonitoring([]) as monitoring, pytest.MonkeyPatch.context() as mp:
        mp.setenv("COSTOPT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        provider = GcpProvider(projects=(PROJECT,), endpoints=GcpEndpoints(http.url, monitoring.target))
        snapshot = provider.collect(WINDOW, Settings(), QUIET)
    return {r.name: r for r in snapshot.resources if r.kind == "vm"}


@pytest.mark.parametrize(("name", "os"), [("win", "windows"), ("sql", "windows_sql_std"), ("rhel", "rhel")])
def test_premium_image_sets_the_os_and_labels_the_price_a_lower_bound(vms, name, os):
    vm = vms[name]
    assert vm.attributes["os"] == os
    assert vm.hourly_cost == pytest.approx(N2_STANDARD_8, abs=1e-6)  # the machine only
    assert f"licence fee of {os} not priced" in vm.attributes["price_is_lower_bound"]


def test_a_free_image_is_linux_without_a_lower_bound(vms):
    vm = vms["debian"]
    assert vm.attributes["os"] == "linux" and vm.attributes["licenses"] == ["debian-12-bookworm"]
    assert "price_is_lower_bound" not in vm.attributes
    assert vm.hourly_cost == pytest.approx(N2_STANDARD_8, abs=1e-6)
