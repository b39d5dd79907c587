"""Azure Machine Learning managed online endpoints as serving resources (REST, read-only).

Per subscription: ``GET /subscriptions/{sub}/providers/Microsoft.MachineLearningServices/
workspaces``, then per workspace ``{workspace}/onlineEndpoints`` and per endpoint
``{endpoint}/deployments`` (api-version 2024-04-01, each paged by ``nextLink``). No ML SDK is a
dependency: the reads go through an ARM client's pipeline (bearer token, throttling retry).

Each endpoint becomes a Resource of kind ``endpoint`` shaped like a SageMaker one: its
deployments are the ``variants`` (``instanceType``, ``sku.capacity`` instances,
``scaleSettings``, ``provisioningState``, traffic weight from the endpoint's ``traffic``).
A managed deployment bills the VMs it holds at the VM size's price (Retail Prices API, Linux
consumption meter) while it serves (:data:`BILLED_STATES`); one in another state counts no
instances, like a SageMaker endpoint outside a billed status. A Kubernetes deployment runs on
its attached cluster, billed there. The endpoint's price is unknown (None) when any serving
deployment could not be priced or read: never a partial sum.

Isolation: a workspace whose endpoints cannot be listed is one coverage entry
(``SUB/ml/WORKSPACE``) and the other workspaces are kept; an endpoint whose deployments
cannot be listed is kept without them (``SUB/ml/WORKSPACE/ENDPOINT``); one deployment costopt
cannot read is skipped with its own entry and its endpoint kept. A subscription where the
Microsoft.MachineLearningServices provider is not registered has no workspaces: ``skipped``.

Metrics (Azure Monitor, ``Microsoft.MachineLearningServices/workspaces/onlineEndpoints``, as
documented in "Supported metrics": all PT1M, aggregation Average): ``RequestsPerMinute`` ->
``requests`` (the mean per-minute count of each 5-minute period x 5 = requests in the period,
stat "Sum"); ``RequestLatency_P50/_P90/_P95/_P99`` -> ``latency_ms`` with stat "p50".."p99"
(request percentiles, read by the trade-off like CloudWatch's extended statistics);
``RequestLatency`` -> ``latency_ms`` stat "Average". Per serving deployment
(``.../onlineEndpoints/deployments``, per instance, PT1M, Minimum/Maximum/Average):
``CpuUtilizationPercentage`` -> ``cpu``, ``GpuUtilizationPercentage`` -> ``gpu`` (GPU sizes),
``CpuMemoryUtilizationPercentage`` -> ``memory``, Maximum and Average over the deployment's
instances per 5 minutes, with the dimension ``variant`` = the deployment's name.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from typing import Any

import numpy as np

from costopt.model import CoverageEntry, MetricSeries, Resource, Window
from costopt.providers.azure import inventory
from costopt.providers.azure.monitor import _epoch, _raw_metrics
from costopt.providers.list_read import ListRead, Skipped, build_each, first_line

API_VERSION = "2024-04-01"
PROVIDER = "azure"
WORKSPACES = "/subscriptions/{sub}/providers/Microsoft.MachineLearningServices/workspaces"
# provisioningState values in which a managed deployment holds (and bills) its instances.
BILLED_STATES = frozenset({"Succeeded", "Updating", "Scaling"})
INTERVAL = "PT5M"
PERIOD_S = 300
LATENCY = {"RequestLatency": "Average", "RequestLatency_P50": "p50", "RequestLatency_P90": "p90",
           "RequestLatency_P95": "p95", "RequestLatency_P99": "p99"}
REQUESTS = "RequestsPerMinute"
UTILISATION = {"CpuUtilizationPercentage": "cpu", "CpuMemoryUtilizationPercentage": "memory",
               "GpuUtilizationPercentage": "gpu"}
NOT_REGISTERED = ("MissingSubscriptionRegistration", "SubscriptionNotRegistered")

Failed = Callable[[str, BaseException, str], CoverageEntry]
SpecsOf = Callable[[str, str], dict[str, Any]]  # (VM size, location) -> vcpu, memory_gib, gpu_count ...


def _get(client, url: str) -> dict[str, Any]:
    # azure-core ships with the optional "azure" extra, as every Azure client here
    from azure.core.exceptions import HttpResponseError, map_error
    from azure.core.rest import HttpRequest
    from azure.mgmt.core.exceptions import ARMErrorFormat

    response = client.send_request(HttpRequest("GET", url))
    if response.status_code != 200:
        map_error(status_code=response.status_code, response=response, error_map={})
        raise HttpResponseError(response=response, error_format=ARMErrorFormat)
    return response.json()


def read_list(client, path: str, max_pages: int = 1000) -> ListRead:
    """Every item of one ARM list (``value`` + ``nextLink``) read before it ended or failed."""
    items: list[Any] = []
    url: str | None = f"{path}?api-version={API_VERSION}"
    pages = 0
    try:
        while url and pages < max_pages:
            page = _get(client, url)
            items.extend(page.get("value") or [])
            url = page.get("nextLink")
            pages += 1
    except Exception as exc:  # keep the pages read before the error
        return ListRead(tuple(items), (), exc)
    return ListRead(tuple(items))


def _count(value: Any) -> int:
    number = float(value)
    if not number.is_integer() or number < 0:
        raise ValueError(f"sku.capacity {value!r} is not a count of instances")
    return int(number)


def deployment_variant(dep: dict[str, Any], traffic: dict[str, Any]) -> dict[str, Any]:
    """One online deployment as an endpoint variant; raises on a shape costopt cannot read."""
    props = dep["properties"]
    name = str(dep["name"])
    compute = str(props.get("endpointComputeType") or "Managed")
    instance_type = props.get("instanceType")
    if compute == "Managed" and not isinstance(instance_type, str):
        raise ValueError(f"managed deployment without an instanceType (got {instance_type!r})")
    state = str(props.get("provisioningState") or "")
    capacity = _count((dep.get("sku") or {}).get("capacity", 1))
    scale = props.get("scaleSettings") or {}
    autoscaling = None
    if scale.get("scaleType") == "TargetUtilization":
        autoscaling = {"min": _count(scale.get("minInstances", 1)), "max": _count(scale.get("maxInstances", 1)),
                       "target_utilization": scale.get("targetUtilizationPercentage")}
    billed = compute == "Managed" and state in BILLED_STATES
    return {"name": name, "instance_type": instance_type, "instance_count": capacity if billed else 0,
            "capacity": capacity, "weight": traffic.get(name), "serverless": None, "autoscaling": autoscaling,
            "config_known": True, "provisioning_state": state, "compute_type": compute, "billed": billed,
            "scale_type": scale.get("scaleType") or "Default"}


def _hourly(variants: list[dict[str, Any]], region: str, prices, complete: bool) -> float | None:
    """The VMs the serving managed deployments hold; None when one of them (or a deployment) is unknown."""
    if not complete or prices is None:
        return None
    total = 0.0
    for v in variants:
        if not v["billed"] or v["instance_count"] == 0:
            continue
        rate = prices.vm_hourly(region, v["instance_type"])
        if rate is None:
            return None
        total += v["instance_count"] * rate
    return total


def endpoint_resource(ep: dict[str, Any], workspace: str, subscription: str, variants: list[dict[str, Any]],
                      complete: bool, specs_of: SpecsOf, prices, currency: str) -> Resource:
    """The endpoint with its deployments; ``complete`` is False when some could not be read."""
    props = ep.get("properties") or {}
    region = str(ep.get("location") or "")
    tags = {str(k): str(v) for k, v in (ep.get("tags") or {}).items()}
    first = next((v for v in variants if v["instance_type"]), variants[0] if variants else {})
    size = first.get("instance_type") or ""
    specs = specs_of(size, region) if size else {}
    gpu = int(specs.get("gpu_count") or 0) or (1 if inventory.is_gpu_size(size) and not specs.get("source") else 0)
    workload = tags.get("costopt:workload")
    return Resource(
        provider=PROVIDER, account=subscription, region=region, id=str(ep["id"]).lower(), kind="endpoint",
        type=size, name=str(ep["name"]), count=sum(v["instance_count"] for v in variants),
        hourly_cost=_hourly(variants, region, prices, complete), currency=currency, tags=tags,
        workload=workload if workload else "inference",
        created=inventory.when((ep.get("systemData") or {}).get("createdAt")),
        specs={"vcpu": specs.get("vcpu"), "memory_gib": specs.get("memory_gib"), "gpu_count": gpu,
               "gpu_model": specs.get("gpu_model"), "gpu_memory_gib": specs.get("gpu_memory_gib")},
        attributes={"status": props.get("provisioningState"), "variants": variants, "workspace": workspace,
                    "autoscaling": any(v["autoscaling"] for v in variants), "config_known": complete,
                    "billed": any(v["billed"] for v in variants), "model": tags.get("costopt:model"),
                    "auth_mode": props.get("authMode"), "resource_group": inventory.resource_group(str(ep["id"])),
                    "service": "azure-ml"},
    )


def _registered(read: ListRead) -> bool:
    code = getattr(getattr(read.error, "error", None), "code", None)
    return code not in NOT_REGISTERED


def read_endpoints(client, subscription: str, specs_of: SpecsOf, prices, currency: str, failed: Failed,
                   coverage: list[CoverageEntry]) -> list[Resource]:
    """Every online endpoint of every workspace in the subscription; gaps go to ``coverage``."""
    scope = f"{subscription}/ml"
    workspaces = read_list(client, WORKSPACES.format(sub=subscription))
    if workspaces.error is not None and not workspaces.items and not _registered(workspaces):
        coverage.append(CoverageEntry(PROVIDER, scope, "skipped",
                                      "Machine Learning is not registered in this subscription: no workspaces"))
        return []
    if workspaces.error is not None and not workspaces.items:
        coverage.append(failed(scope, workspaces.error, "Machine Learning workspaces"))
        return []
    out: list[Resource] = []
    broken = 0
    for position, ws in enumerate(workspaces.items):
        ws_id = ws.get("id") if isinstance(ws, dict) else None
        ws_name = str((ws.get("name") if isinstance(ws, dict) else None) or ws_id or f"item {position}")
        if not isinstance(ws_id, str) or "/workspaces/" not in ws_id.lower():
            broken += 1
            coverage.append(CoverageEntry(PROVIDER, f"{scope}/{ws_name}", "failed",
                                          f"workspace skipped: no ARM id (got {ws_id!r})", "UnreadableItem",
                                          "the workspace was left out; rerun with --debug"))
            continue
        endpoints = read_list(client, f"{ws_id}/onlineEndpoints")
        if endpoints.error is not None:
            broken += 1
            coverage.append(failed(f"{scope}/{ws_name}", endpoints.error, f"online endpoints of workspace {ws_name}"))
        for ep in endpoints.items:
            try:
                resource = _endpoint(client, ep, ws_name, subscription, specs_of, prices, currency, failed, coverage)
                out.append(resource)
                broken += not resource.attributes["config_known"]
            except Exception as exc:  # one endpoint costopt cannot read costs only itself
                name = ep.get("name") if isinstance(ep, dict) else None
                coverage.append(CoverageEntry(PROVIDER, f"{scope}/{ws_name}/{name or 'endpoint'}", "failed",
                                              f"online endpoint skipped: {type(exc).__name__}: {first_line(exc)}",
                                              "UnreadableItem", "the endpoint was left out; rerun with --debug"))
                broken += 1
    detail = f"{len(out)} online endpoints in {len(workspaces.items)} workspaces"
    if workspaces.error is not None:
        entry = failed(scope, workspaces.error, "Machine Learning workspaces")
        coverage.append(CoverageEntry(PROVIDER, scope, "partial", f"{entry.detail} ({detail} read before it)",
                                      entry.error_code, entry.fix))
    else:
        coverage.append(CoverageEntry(PROVIDER, scope, "partial" if broken else "ok",
                                      detail + (f"; {broken} unreadable" if broken else "")))
    return out


def _endpoint(client, ep: dict[str, Any], ws_name: str, subscription: str, specs_of: SpecsOf, prices,
              currency: str, failed: Failed, coverage: list[CoverageEntry]) -> Resource:
    scope = f"{subscription}/ml/{ws_name}/{ep['name']}"
    traffic = dict((ep.get("properties") or {}).get("traffic") or {})
    deployments = read_list(client, f"{ep['id']}/deployments")
    variants, skipped = build_each(deployments.items, lambda d: deployment_variant(d, traffic),
                                   lambda d: d.get("name") if isinstance(d, dict) else None)
    for item in skipped:
        coverage.append(_skipped(scope, item))
    if deployments.error is not None:
        entry = failed(scope, deployments.error, f"deployments of online endpoint {ep['name']}")
        coverage.append(CoverageEntry(PROVIDER, scope, "partial",
                                      f"{entry.detail}; kept without them (instance types and price unknown)",
                                      entry.error_code, entry.fix))
    complete = deployments.error is None and not skipped
    return endpoint_resource(ep, ws_name, subscription, variants, complete, specs_of, prices, currency)


def _skipped(scope: str, item: Skipped) -> CoverageEntry:
    return CoverageEntry(PROVIDER, f"{scope}/{item.name}", "failed", f"online deployment skipped: {item.reason}",
                         "UnreadableItem", "the deployment was left out and its endpoint's price is unknown; "
                                           "rerun with --debug for the full error")


def read_endpoint_metrics(client, endpoint: Resource, window: Window) -> list[MetricSeries]:
    """Requests per 5 minutes and request-latency percentiles of one online endpoint."""
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    timespan = f"{window.start.astimezone(UTC).strftime(fmt)}/{window.end.astimezone(UTC).strftime(fmt)}"
    names = ",".join((REQUESTS, *LATENCY))
    out: list[MetricSeries] = []
    for name, rows in _raw_metrics(client, endpoint.id, timespan, metricnames=names, interval=INTERVAL,
                                   aggregation="Average"):
        points = sorted((_epoch(r[0]), float(r[4])) for r in rows if r[0] is not None and r[4] is not None)
        if not points:
            continue
        ts = np.fromiter((p[0] for p in points), dtype=np.int64, count=len(points))
        values = np.fromiter((p[1] for p in points), dtype=np.float64, count=len(points))
        if name == REQUESTS:  # mean per-minute count of the period -> requests in the period
            out.append(MetricSeries(endpoint.id, "requests", "Count", PERIOD_S, ts, values * (PERIOD_S / 60.0), "Sum"))
        elif name in LATENCY:
            out.append(MetricSeries(endpoint.id, "latency_ms", "Milliseconds", PERIOD_S, ts, values, LATENCY[name]))
    for variant in endpoint.attributes.get("variants") or ():
        if variant.get("billed") and variant.get("instance_count"):
            out.extend(_deployment_utilisation(client, endpoint, variant, timespan))
    return out


def _deployment_utilisation(client, endpoint: Resource, variant: dict[str, Any], timespan: str) -> list[MetricSeries]:
    names = [n for n, m in UTILISATION.items() if m != "gpu" or endpoint.specs.get("gpu_count")]
    uri = f"{endpoint.id}/deployments/{variant['name']}"
    out: list[MetricSeries] = []
    for name, rows in _raw_metrics(client, uri, timespan, metricnames=",".join(names), interval=INTERVAL,
                                   aggregation="Maximum,Average"):
        for stat, pick in (("Maximum", 1), ("Average", 4)):
            points = sorted((_epoch(r[0]), float(r[pick])) for r in rows if r[0] is not None and r[pick] is not None)
            if points and name in UTILISATION:
                ts = np.fromiter((p[0] for p in points), dtype=np.int64, count=len(points))
                values = np.fromiter((p[1] for p in points), dtype=np.float64, count=len(points))
                out.append(MetricSeries(endpoint.id, UTILISATION[name], "Percent", PERIOD_S, ts, values, stat,
                                        {"variant": str(variant["name"])}))
    return out
