"""Azure Machine Learning managed online endpoints: inventory, price, metrics, isolation.

Shapes: the REST reference examples of api-version 2024-04-01 (Azure/azure-rest-api-specs
specification/machinelearningservices/.../stable/2024-04-01/examples: Workspace/OnlineEndpoint/
list.json and OnlineDeployment/list.json, ManagedOnlineDeployment/createOrUpdate.json): endpoints
with ``properties.traffic`` / ``provisioningState`` / ``authMode``, deployments with
``properties.instanceType`` / ``endpointComputeType`` / ``scaleSettings`` / ``provisioningState``
and the instance count in ``sku.capacity``; served to the adapter at the wire (``responses``).
Metric names and aggregations: Azure Monitor "Supported metrics for
Microsoft.MachineLearningServices/workspaces/onlineEndpoints" (RequestsPerMinute, RequestLatency,
RequestLatency_P50/P90/P95/P99; PT1M, Average).

Prices (oracle): Linux on demand, eastus, USD per hour, /work/shared/data/prices/
azure_vm_karpenter.csv.gz (Azure/karpenter-provider-azure@352646f5, 2026-06-18): Standard_DS3_v2
0.293 (also 0.293 in azure_compute_prices.csv), Standard_F4s_v2 0.169.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import numpy as np
import pytest

from costopt.demo.fakes.azure_seed import SUBSCRIPTION
from costopt.tradeoff.load import observe, stat_label
from costopt.tradeoff.params import TradeoffParams
from tests.providers.faults import answer_when

from .conftest import NOW, WINDOW, faulty

S = SUBSCRIPTION
ML = "Microsoft.MachineLearningServices"
WS_LIST = f"/subscriptions/{S}/providers/{ML}/workspaces"
PROD = f"/subscriptions/{S}/resourceGroups/ml-rg/providers/{ML}/workspaces/mlw-prod"
DEV = f"/subscriptions/{S}/resourceGroups/ml-rg/providers/{ML}/workspaces/mlw-dev"
DS3, F4 = 0.293, 0.169  # eastus Linux on demand (docstring)


def workspace(ws_id: str) -> dict:
    return {"id": ws_id, "name": ws_id.rsplit("/", 1)[-1], "type": f"{ML}/workspaces", "location": "eastus",
            "kind": "Default", "tags": {}, "sku": {"name": "Basic", "tier": "Basic"},
            "properties": {"friendlyName": "ml", "provisioningState": "Succeeded"}}


def endpoint(ws_id: str, name: str, traffic: dict, tags: dict | None = None) -> dict:
    return {"id": f"{ws_id}/onlineEndpoints/{name}", "name": name, "type": f"{ML}/workspaces/onlineEndpoints",
            "location": "eastus", "kind": "Managed", "tags": tags or {},
            "identity": {"type": "SystemAssigned"},
            "properties": {"description": "", "properties": {}, "authMode": "Key",
                           "scoringUri": f"https://{name}.eastus.inference.ml.azure.com/score",
                           "provisioningState": "Succeeded", "traffic": traffic},
            "systemData": {"createdAt": "2026-05-01T12:34:56.999Z", "createdBy": "someone",
                           "createdByType": "User"}}


def deployment(ep_id: str, name: str, instance_type, capacity, state: str = "Succeeded",
               scale: dict | None = None, compute: str = "Managed") -> dict:
    return {"id": f"{ep_id}/deployments/{name}", "name": name,
            "type": f"{ML}/workspaces/onlineEndpoints/deployments", "location": "eastus", "kind": "Managed",
            "tags": {}, "sku": {"name": "Default", "tier": "Standard", "capacity": capacity},
            "properties": {"description": "", "properties": {}, "environmentVariables": {},
                           "scaleSettings": scale or {"scaleType": "Default"},
                           "requestSettings": {"maxQueueWait": "PT0.5S", "requestTimeout": "PT5S",
                                               "maxConcurrentRequestsPerInstance": 1},
                           "appInsightsEnabled": False, "provisioningState": state, "instanceType": instance_type,
                           "model": "azureml:fraud:3", "endpointComputeType": compute}}


FRAUD = endpoint(PROD, "fraud-scorer", {"blue": 90, "green": 10}, {"costopt:model": "fraud"})
IDLE = endpoint(PROD, "churn-old", {"old": 0})
RECSYS = endpoint(PROD, "recsys", {"good": 100})
DEV_EP = endpoint(DEV, "dev-ep", {"a": 100})
LISTS = {
    WS_LIST: [workspace(PROD), workspace(DEV)],
    f"{PROD}/onlineEndpoints": [FRAUD, IDLE, RECSYS],
    f"{DEV}/onlineEndpoints": [DEV_EP],
    f"{FRAUD['id']}/deployments": [
        deployment(FRAUD["id"], "blue", "Standard_DS3_v2", 3),
        deployment(FRAUD["id"], "green", "Standard_F4s_v2", 1,
                   scale={"scaleType": "TargetUtilization", "minInstances": 1, "maxInstances": 4,
                          "pollingInterval": "PT1M", "targetUtilizationPercentage": 70})],
    f"{IDLE['id']}/deployments": [deployment(IDLE["id"], "old", "Standard_DS3_v2", 2, state="Failed")],
    f"{RECSYS['id']}/deployments": [deployment(RECSYS["id"], "good", "Standard_DS3_v2", 1),
                                    deployment(RECSYS["id"], "bad", "Standard_DS3_v2", "lots")],
    f"{DEV_EP['id']}/deployments": [deployment(DEV_EP["id"], "a", "Standard_DS3_v2", 1)],
}


def vm_price(arm: str, sku: str, price: float) -> dict:
    return {"currencyCode": "USD", "retailPrice": price, "unitPrice": price, "armRegionName": "eastus",
            "location": "US East", "armSkuName": arm, "skuName": sku, "productName": f"Virtual Machines {sku} Series",
            "serviceName": "Virtual Machines", "serviceFamily": "Compute", "unitOfMeasure": "1 Hour",
            "type": "Consumption", "priceType": "Consumption", "meterName": sku, "tierMinimumUnits": 0.0,
            "effectiveStartDate": "2026-01-01T00:00:00Z", "isPrimaryMeterRegion": True}


STEPS = np.arange(0, 3 * 24 * 12)  # 3 days of 5-minute periods before NOW
STARTS = [int((NOW - timedelta(minutes=5 * (len(STEPS) - int(k)))).timestamp()) for k in STEPS]
RATE = 30.0 + 20.0 * np.sin(2 * np.pi * STEPS / 288.0)  # requests per minute, diurnal
P95 = 40.0 + 0.8 * RATE  # ms
CPU = 10.0 + 1.2 * RATE  # percent, the blue deployment's instances


def metric_points() -> dict[tuple[str, str], list]:
    ep = FRAUD["id"].lower()
    series = {"RequestsPerMinute": RATE, "RequestLatency": 20.0 + 0.3 * RATE, "RequestLatency_P50": 18.0 + 0.3 * RATE,
              "RequestLatency_P90": 30.0 + 0.6 * RATE, "RequestLatency_P95": P95, "RequestLatency_P99": 60.0 + RATE}
    out = {(ep, name): list(zip(STARTS, map(float, values), strict=True)) for name, values in series.items()}
    blue = f"{ep}/deployments/blue"
    out[(blue, "CpuUtilizationPercentage")] = list(zip(STARTS, map(float, CPU), strict=True))
    out[(blue, "CpuMemoryUtilizationPercentage")] = [(t, 41.0) for t in STARTS]
    return out


@contextmanager
def estate(_seed, lists=None, fault=None):
    sub = _seed.subscriptions[S]
    saved = (dict(sub.ml), dict(sub.metrics), list(_seed.retail_items), list(sub.resource_skus))
    sub.ml.update({k.lower(): v for k, v in (LISTS if lists is None else lists).items()})
    sub.resource_skus.extend({"resourceType": "virtualMachines", "name": n, "tier": "Standard", "size": n[9:],
                              "locations": ["eastus"], "capabilities": [
                                  {"name": "vCPUs", "value": c}, {"name": "MemoryGB", "value": m},
                                  {"name": "GPUs", "value": "0"}]}
                             for n, c, m in (("Standard_DS3_v2", "4", "14"), ("Standard_F4s_v2", "4", "8")))
    sub.metrics.update(metric_points())
    _seed.retail_items.extend([vm_price("Standard_DS3_v2", "DS3 v2", DS3), vm_price("Standard_F4s_v2", "F4s v2", F4)])
    try:
        with faulty(_seed, fault) as env:
            yield env
    finally:
        sub.ml, sub.metrics, _seed.retail_items[:], sub.resource_skus = saved[0], saved[1], saved[2], saved[3]


def denied(fragment):
    return answer_when((403, {}, {"error": {"code": "AuthorizationFailed", "message": "no access"}}), fragment)


@pytest.fixture(scope="module")
def collected(_seed, tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COSTOPT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        with estate(_seed) as env:
            return env.collect()


def endpoints(snap) -> dict:
    return {r.name: r for r in snap.resources if r.kind == "endpoint"}


def test_online_endpoint_with_its_deployments_and_price(collected):
    fraud = endpoints(collected)["fraud-scorer"]
    assert fraud.provider == "azure" and fraud.region == "eastus" and fraud.id == FRAUD["id"].lower()
    assert fraud.type == "Standard_DS3_v2" and fraud.count == 4 and fraud.workload == "inference"
    assert fraud.hourly_cost == pytest.approx(3 * DS3 + 1 * F4)
    blue, green = fraud.attributes["variants"]
    assert (blue["name"], blue["instance_count"], blue["weight"], blue["autoscaling"]) == ("blue", 3, 90, None)
    assert green["instance_type"] == "Standard_F4s_v2" and green["weight"] == 10
    assert green["autoscaling"] == {"min": 1, "max": 4, "target_utilization": 70}
    assert fraud.attributes["autoscaling"] is True and fraud.attributes["model"] == "fraud"
    assert fraud.attributes["workspace"] == "mlw-prod"
    assert (fraud.specs["vcpu"], fraud.specs["memory_gib"], fraud.specs["gpu_count"]) == (4, 14, 0)


def test_a_deployment_that_does_not_serve_bills_no_instances(collected):
    idle = endpoints(collected)["churn-old"]
    (old,) = idle.attributes["variants"]
    assert old["provisioning_state"] == "Failed" and old["capacity"] == 2 and old["instance_count"] == 0
    assert idle.count == 0 and idle.hourly_cost == 0.0


def test_one_unreadable_deployment_is_coverage_and_its_endpoint_is_kept(collected):
    recsys = endpoints(collected)["recsys"]
    assert [v["name"] for v in recsys.attributes["variants"]] == ["good"]
    assert recsys.hourly_cost is None and recsys.attributes["config_known"] is False  # never a partial sum
    cov = {c.scope: c for c in collected.coverage}
    bad = cov[f"{S}/ml/mlw-prod/recsys/bad"]
    assert bad.status == "failed" and bad.error_code == "UnreadableItem" and "lots" in bad.detail
    assert cov[f"{S}/ml"].status == "partial"
    assert "dev-ep" in endpoints(collected)  # the other workspace is whole


def test_request_counts_and_latency_percentiles_from_azure_monitor(collected):
    ep = FRAUD["id"].lower()
    series = {(s.metric, s.stat): s for s in collected.metrics
              if s.resource_id == ep and s.metric in ("requests", "latency_ms")}
    assert set(series) == {("requests", "Sum"), ("latency_ms", "Average"), ("latency_ms", "p50"),
                           ("latency_ms", "p90"), ("latency_ms", "p95"), ("latency_ms", "p99")}
    requests = series[("requests", "Sum")]
    assert requests.period_s == 300 and requests.values.sum() == pytest.approx(5 * RATE.sum())  # per minute x 5
    p95 = series[("latency_ms", "p95")]
    assert p95.unit == "Milliseconds" and np.allclose(p95.values, P95)


def test_deployment_utilisation_per_variant(collected):
    ep = FRAUD["id"].lower()
    cpu = {(s.stat, s.dimensions.get("variant")): s for s in collected.metrics
           if s.resource_id == ep and s.metric == "cpu"}
    assert set(cpu) == {("Maximum", "blue"), ("Average", "blue")}  # green serves but published nothing
    assert np.allclose(cpu[("Maximum", "blue")].values, CPU) and cpu[("Maximum", "blue")].unit == "Percent"
    assert not any(s.metric == "gpu" for s in collected.metrics if s.resource_id == ep)  # a CPU size: not asked
    memory = [s for s in collected.metrics if s.resource_id == ep and s.metric == "memory"]
    assert memory and all(np.allclose(s.values, 41.0) for s in memory)


def test_the_trade_off_reads_the_endpoint_percentiles_as_azure_monitor_ones(collected):
    ep = FRAUD["id"].lower()
    obs = observe(collected.metrics, [ep], TradeoffParams(), providers={ep: "azure"})[ep]
    assert obs.total_requests == pytest.approx(5 * RATE.sum())
    assert obs.latency_stat == "Average,p50,p90,p95,p99"
    assert stat_label("p95", obs.provider) == "p95 (Azure Monitor percentile)"
    busy = obs.busy_latency_ms["p95"]  # the busy hours are the high-rate ones: p95 near its top
    assert float(np.quantile(P95, 0.5)) < busy <= float(P95.max())
    assert obs.service_ms is not None and obs.service_ms < busy
    # utilisation-based load: the points of both CPU statistics (the fake answers one value per period)
    assert obs.peak_cpu == pytest.approx(float(np.quantile(np.concatenate([CPU, CPU]), 0.99)) / 100.0)


def test_a_workspace_whose_endpoints_cannot_be_listed_costs_only_itself(_seed):
    with estate(_seed, fault=denied("/workspaces/mlw-dev/onlineEndpoints")) as env:
        snap = env.collect()
    cov = {c.scope: c for c in snap.coverage}
    assert cov[f"{S}/ml/mlw-dev"].status == "failed" and cov[f"{S}/ml/mlw-dev"].error_code == "AuthorizationFailed"
    assert '--role "Reader"' in cov[f"{S}/ml/mlw-dev"].fix
    assert {"fraud-scorer", "churn-old", "recsys"} <= set(endpoints(snap)) and "dev-ep" not in endpoints(snap)
    assert any(r.name == "api-d16" for r in snap.resources)  # the rest of the subscription is read


def test_an_endpoint_whose_deployments_cannot_be_listed_is_kept_unpriced(_seed):
    with estate(_seed, fault=denied("/onlineEndpoints/fraud-scorer/deployments")) as env:
        snap = env.collect()
    fraud = endpoints(snap)["fraud-scorer"]
    assert fraud.attributes["variants"] == [] and fraud.hourly_cost is None
    entry = {c.scope: c for c in snap.coverage}[f"{S}/ml/mlw-prod/fraud-scorer"]
    assert entry.status == "partial" and entry.error_code == "AuthorizationFailed"
    assert endpoints(snap)["churn-old"].hourly_cost == 0.0


def test_machine_learning_not_registered_is_skipped_not_failed(_seed):
    def fault(method, url):
        if url.split("?")[0].lower().endswith(WS_LIST.lower()):
            return 409, {}, {"error": {"code": "MissingSubscriptionRegistration",
                                       "message": f"The subscription is not registered to use namespace '{ML}'."}}
        return None
    with estate(_seed, fault=fault) as env:
        snap = env.collect()
    entry = {c.scope: c for c in snap.coverage}[f"{S}/ml"]
    assert entry.status == "skipped" and not endpoints(snap)


def test_workspace_list_denied_is_one_failed_entry(_seed):
    with estate(_seed, fault=denied(WS_LIST + "?")) as env:
        snap = env.collect()
    entry = {c.scope: c for c in snap.coverage}[f"{S}/ml"]
    assert entry.status == "failed" and entry.error_code == "AuthorizationFailed"
    assert any(r.name == "api-d16" for r in snap.resources) and snap.billing is not None


def test_a_workspace_item_without_an_id_costs_only_itself(_seed):
    lists = {**LISTS, WS_LIST: [{"name": "half-created", "properties": {}}, *LISTS[WS_LIST]]}
    with estate(_seed, lists=lists) as env:
        snap = env.collect()
    entry = {c.scope: c for c in snap.coverage}[f"{S}/ml/half-created"]
    assert entry.status == "failed" and entry.error_code == "UnreadableItem"
    assert {"fraud-scorer", "dev-ep"} <= set(endpoints(snap))


def test_window_is_the_audit_window(collected):
    ep = FRAUD["id"].lower()
    stamps = np.concatenate([s.timestamps for s in collected.metrics if s.resource_id == ep])
    assert stamps.min() >= WINDOW.start.timestamp() and stamps.max() < WINDOW.end.timestamp()
