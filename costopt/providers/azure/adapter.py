"""AzureProvider: read one or more Azure subscriptions into a Snapshot (read-only).

Per subscription, concurrently (bounded thread pool): VMs, managed disks, public IPs,
storage accounts (+ lifecycle policies), Machine Learning online endpoints and their
deployments (:mod:`ml_endpoints`), Azure ML compute instances / clusters / jobs (:mod:`ml_compute`),
Monitor metrics for running VMs, storage accounts and online endpoints (request counts and latency
percentiles), and Cost Management ActualCost + AmortizedCost. Prices come from the public Retail
Prices API (cached). Each list is read and recorded in coverage on its own (``SUB/compute/vms``,
``SUB/compute/disks``, ``SUB/network``, ``SUB/storage``, ``SUB/ml``, ``SUB/monitor``, ``SUB/cost``)
with an error code and a one-line fix when it fails; an item costopt cannot map, a lifecycle
policy, one ML workspace, compute or deployment, or one resource's metrics that cannot be read
cost only themselves. :class:`ProviderError` only when nothing at all could be read.

Roles (see :mod:`errors`): Reader (Compute, Network, Storage, and Machine Learning
``workspaces/read``, ``workspaces/computes/read``, ``workspaces/jobs/read``,
``workspaces/onlineEndpoints/read``, ``workspaces/onlineEndpoints/deployments/read``), Monitoring
Reader (``Microsoft.Insights/metrics/read`` for VMs, storage accounts and online endpoints), Cost
Management Reader.

Options may also come from config: ``[providers.azure] subscriptions = [...]`` and
``management_groups = [...]`` (cost is then read per management group, not per subscription).
``base_url``/``prices_url``/``credential`` point the clients at a local fake; only code that builds
the adapter passes them (the demo, the tests): nothing in the environment redirects it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from typing import Any

import pandas as pd
from azure.core.rest import HttpRequest

from costopt.bounded import run_bounded
from costopt.config import Settings
from costopt.errors import ProviderError
from costopt.model import CoverageEntry, PriceSource, Resource, Snapshot, Window
from costopt.progress import Progress
from costopt.provider_config import timeouts
from costopt.providers.azure import cost, inventory, lists, ml_compute, ml_endpoints, monitor
from costopt.providers.azure.clients import AzureClients
from costopt.providers.azure.errors import classify
from costopt.providers.azure.prices import RetailPrices
from costopt.providers.billing_frame import table_from_frame
from costopt.providers.list_read import MAX_ITEM_ENTRIES, Collected, ListRead, build_each, coverage, failed
from costopt.providers.pricing import optional_catalog, with_catalog_price

NAME = "azure"


@dataclass
class _SubResult(Collected):
    cost: pd.DataFrame | None = None


def _failed(scope: str, exc: BaseException, area: str, subscription: str, what: str) -> CoverageEntry:
    return failed(NAME, scope, exc, what, classify(exc, area, subscription))


class AzureProvider:
    """The Azure adapter; ``credential``/``base_url``/``prices_url`` point it at fakes (demo, tests)."""

    name = NAME

    def __init__(self, subscriptions: tuple[str, ...] = (), credential: Any = None,
                 base_url: str | None = None, prices_url: str | None = None, max_workers: int = 4):
        self.subscriptions = tuple(subscriptions or ())
        self.clients = AzureClients(credential, base_url)
        self.prices_url = prices_url
        self.max_workers = max(1, int(max_workers))
        self._management_groups: tuple[str, ...] = ()

    def collect(self, window: Window, settings: Settings, progress: Progress) -> Snapshot:
        config = settings.providers.get("azure", {}) if isinstance(settings.providers, dict) else {}
        currency = settings.currency or "USD"
        self.clients.limits = timeouts(config)
        self.clients.check_credential()
        subscriptions = self.subscriptions or tuple(config.get("subscriptions", ()) or ())
        if not subscriptions:
            subscriptions = self._discover(progress)
        self._management_groups = tuple(config.get("management_groups", ()) or ())
        prices = RetailPrices(currency, self.prices_url, use_cache=self.prices_url is None)
        catalog = optional_catalog(settings)
        tasks = [partial(self._subscription, s, window, catalog, prices, currency, progress) for s in subscriptions]
        deadline = self.clients.limits.deadline_s
        results = [r if isinstance(r, _SubResult) else _timed_out(subscriptions[r.index], deadline)
                   for r in run_bounded(tasks, self.max_workers, deadline, name="costopt-azure")]
        coverage = [c for r in results for c in r.coverage]
        for group in self._management_groups:
            progress(f"azure management group {group}: Cost Management query (actual + amortized)")
            mg = _SubResult()
            try:
                mg.cost = cost.read_cost(self.clients.cost(), "", window, management_group=group)
                coverage.append(CoverageEntry(NAME, f"mg:{group}/cost", "ok", f"{len(mg.cost)} FOCUS rows"))
            except Exception as exc:
                coverage.append(_failed(f"mg:{group}/cost", exc, "cost", f"managementGroups/{group}",
                                        "Cost Management query"))
            results.append(mg)
        if not any(c.status in ("ok", "partial") for c in coverage):
            failed = next((c for c in coverage if c.status == "failed"), None)
            detail = f"{failed.scope}: {failed.detail}; fix: {failed.fix}" if failed else "no subscription"
            raise ProviderError(f"azure: nothing could be read ({detail})")
        frames = [r.cost for r in results if r.cost is not None and not r.cost.empty]
        table = None
        if frames:
            table = table_from_frame(pd.concat(frames, ignore_index=True), "azure:costmanagement")
        sources = (PriceSource(NAME, "Azure Retail Prices API", datetime.now(UTC).date().isoformat(),
                               f"{prices.lookups} lookups ({prices.requests} requests, rest cached), "
                               f"{currency}"),) if prices.lookups else ()
        return Snapshot(window, resources=tuple(r for res in results for r in res.resources),
                        metrics=tuple(m for res in results for m in res.metrics), billing=table,
                        coverage=tuple(coverage), prices=sources)

    def _discover(self, progress: Progress) -> tuple[str, ...]:
        progress("azure: listing subscriptions")
        try:
            response = self.clients.cost().send_request(HttpRequest("GET", "/subscriptions?api-version=2022-12-01"))
            response.raise_for_status()
            found = tuple(s["subscriptionId"] for s in response.json().get("value", [])
                          if s.get("state", "Enabled") == "Enabled")
        except Exception as exc:
            code, fix = classify(exc, "compute", "-")
            raise ProviderError(f"azure: no --subscription given and subscriptions could not be listed ({code}); "
                                f"fix: pass --subscription ID, or {fix}") from None
        if not found:
            raise ProviderError("azure: no enabled subscription is visible; fix: pass --subscription ID")
        return found

    def _subscription(self, sub: str, window: Window, catalog, prices: RetailPrices, currency: str,
                      progress: Progress) -> _SubResult:
        out = _SubResult()
        progress(f"azure {sub}: compute, network, storage")
        specs_of = self._specs_of(sub, catalog)
        vms = self._compute(sub, specs_of, catalog, prices, currency, out)
        ips = lists.read_paged(self.clients.network(sub).public_ip_addresses.list_all())
        self._built(out, f"{sub}/network", "public IPs", "network", sub, ips,
                    lambda ip: inventory.public_ip_resource(ip, sub, prices, currency))
        self._storage(sub, currency, out)
        progress(f"azure {sub}: Machine Learning online endpoints")
        try:
            endpoints = ml_endpoints.read_endpoints(self.clients.rest(sub), sub, specs_of, prices, currency,
                                                    lambda s, exc, w: _failed(s, exc, "ml", sub, w), out.coverage)
        except Exception as exc:  # an answer costopt cannot read costs only the ML list, never the subscription
            out.coverage.append(_failed(f"{sub}/ml", exc, "ml", sub, "Machine Learning online endpoints"))
            endpoints = []
        out.resources.extend(endpoints)
        progress(f"azure {sub}: Azure ML workspaces, computes and jobs")
        ml, ml_coverage = ml_compute.read_all(self.clients.rest(sub), sub, window, currency, _failed, prices,
                                              self.clients.monitor(sub))
        out.resources.extend(ml)
        out.coverage.extend(ml_coverage)
        running = [v for v in vms if v.attributes.get("state") in ("running", "unknown")]
        accounts = [r for r in out.resources if r.kind == "storage_account"]
        if running or accounts or endpoints:
            progress(f"azure {sub}: Monitor metrics for {len(running)} VMs, {len(accounts)} storage accounts, "
                     f"{len(endpoints)} online endpoints")
            self._monitor(sub, window, running, accounts, out, endpoints)
        if self._management_groups:
            return out  # cost is read once per management group instead
        progress(f"azure {sub}: Cost Management query (actual + amortized)")
        try:
            out.cost = cost.read_cost(self.clients.cost(), sub, window)
            out.coverage.append(CoverageEntry(NAME, f"{sub}/cost", "ok", f"{len(out.cost)} FOCUS rows"))
        except Exception as exc:
            out.coverage.append(_failed(f"{sub}/cost", exc, "cost", sub, "Cost Management query"))
        return out

    @staticmethod
    def _built(out: _SubResult, scope: str, what: str, area: str, sub: str, read: ListRead, build) -> list[Resource]:
        """Map each item of ``read`` on its own; record the list (and each skipped item) in coverage."""
        built, skipped = build_each(sorted(read.items, key=lambda i: str(getattr(i, "name", "") or "")), build,
                                    lambda i: getattr(i, "name", None))
        out.resources.extend(built)
        out.coverage.extend(coverage(NAME, scope, what, replace(read, skipped=read.skipped + tuple(skipped)),
                                     len(built), lambda s, exc, w: _failed(s, exc, area, sub, w)))
        return built

    def _specs_of(self, sub: str, catalog):
        """(VM size, location) -> specs: the catalog's, else the location's resource SKUs (read once)."""
        compute = self.clients.compute(sub)
        cache: dict[str, dict[str, dict]] = {}

        def location_specs(location: str) -> dict[str, dict]:
            try:
                return inventory.size_specs(compute, catalog, location, cache)
            except Exception:  # resource SKUs unreadable: keep the VMs, without specs
                cache[location] = {}
                return {}

        def specs_of(size: str, location: str) -> dict:
            known = catalog is not None and catalog.instance(NAME, size) is not None
            return inventory.vm_specs(size, catalog, {} if known else location_specs(location))
        return specs_of

    def _compute(self, sub: str, specs_of, catalog, prices: RetailPrices, currency: str,
                 out: _SubResult) -> list[Resource]:
        compute = self.clients.compute(sub)

        def vm(item) -> Resource:
            size = inventory.text(item.hardware_profile.vm_size) if item.hardware_profile else ""
            specs = specs_of(size, item.location)
            return _with_catalog_price(inventory.vm_resource(item, sub, specs, prices, currency), catalog)

        vms = self._built(out, f"{sub}/compute/vms", "VMs", "compute", sub,
                          lists.read_paged(compute.virtual_machines.list_all(status_only="true")), vm)
        self._built(out, f"{sub}/compute/disks", "disks", "compute", sub, lists.read_paged(compute.disks.list()),
                    lambda d: inventory.disk_resource(d, sub, prices, currency))
        return vms

    def _storage(self, sub: str, currency: str, out: _SubResult) -> None:
        """Storage accounts; an account whose lifecycle policy cannot be read is kept, policy unknown."""
        storage = self.clients.storage(sub)

        def account(item) -> Resource:
            try:
                rules = inventory.lifecycle_rules(storage, item)
            except Exception as exc:
                out.coverage.append(_failed(f"{sub}/storage/{item.name}/lifecycle", exc, "storage", sub,
                                            "lifecycle management policy"))
                rules = None
            return inventory.storage_resource(item, sub, rules, currency)

        self._built(out, f"{sub}/storage", "storage accounts", "storage", sub,
                    lists.read_paged(storage.storage_accounts.list()), account)

    def _monitor(self, sub: str, window: Window, vms: list[Resource], accounts: list[Resource],
                 out: _SubResult, endpoints: list[Resource] | None = None) -> None:
        """Metrics per resource: one resource whose metrics fail is a coverage entry, the others are kept."""
        try:
            client = self.clients.monitor(sub)
        except Exception as exc:
            out.coverage.append(_failed(f"{sub}/monitor", exc, "monitor", sub, "Monitor metrics"))
            return
        jobs = ([(vm, monitor.read_vm_metrics) for vm in vms] + [(a, monitor.read_storage_metrics) for a in accounts]
                + [(e, ml_endpoints.read_endpoint_metrics) for e in endpoints or []])
        failures: list[tuple[Resource, BaseException]] = []
        for resource, read in jobs:
            try:
                out.metrics.extend(read(client, resource, window))
            except Exception as exc:
                failures.append((resource, exc))
        if len(failures) == len(jobs):
            out.coverage.append(_failed(f"{sub}/monitor", failures[0][1], "monitor", sub, "Monitor metrics"))
            return
        for resource, exc in failures[:MAX_ITEM_ENTRIES]:
            out.coverage.append(_failed(f"{sub}/monitor/{resource.name}", exc, "monitor", sub,
                                        f"Monitor metrics of {resource.name}"))
        detail = f"{len(out.metrics)} series" + (f"; metrics of {len(failures)} resources failed" if failures else "")
        out.coverage.append(CoverageEntry(NAME, f"{sub}/monitor", "partial" if failures else "ok", detail))


def _timed_out(subscription: str, seconds: float) -> _SubResult:
    out = _SubResult()
    out.coverage.append(CoverageEntry(NAME, subscription, "failed", f"timed out: no complete answer within {seconds:g} "
                                      "s; nothing from this subscription is in the audit", "TimedOut",
                                      "check the network path to management.azure.com, or raise [providers.azure] "
                                      "deadline_s"))
    return out


def _with_catalog_price(resource: Resource, catalog) -> Resource:
    """The resource priced by the Azure Retail Prices API, else by the bundled catalog."""
    return with_catalog_price(resource, catalog, NAME, "Azure Retail Prices API", lambda r: r.attributes.get("state") != "deallocated")
