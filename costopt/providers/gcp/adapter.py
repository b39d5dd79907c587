"""GcpProvider: read one or more GCP projects into a Snapshot (read-only).

Per project, concurrently (bounded thread pool): Compute Engine inventory, Cloud Storage
buckets, billing info, then Cloud Monitoring utilisation for what was found. Once: Compute
Engine prices from the Cloud Billing Catalog, and cost from the BigQuery billing export
(``--bq-table project.dataset.table``; the aggregation runs in BigQuery). Each list is read
and recorded in coverage on its own (``PROJECT/compute/instances``, ``.../disks``,
``.../addresses``, ``PROJECT/storage``, ``PROJECT/vertex``, ``PROJECT/monitoring`` and one
entry per failed metric): a failure carries an error code and a one-line fix and costs only
that list, or only the item or page that could not be read (see
:mod:`costopt.providers.gcp.lists`). :class:`ProviderError` is raised only when nothing at all
about the estate could be read.

Options may also come from config: ``[providers.gcp] projects = [...]``, ``bq_table = "..."``,
``vertex_regions = [...]``. ``COSTOPT_GCP_ENDPOINT`` / ``COSTOPT_GCP_MONITORING_ENDPOINT`` point the
clients at an emulator or local fake (anonymous credentials), like ``AWS_ENDPOINT_URL``.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from costopt.config import Settings
from costopt.errors import InputError, ProviderError
from costopt.model import CoverageEntry, MetricSeries, PriceSource, Resource, Snapshot, Window
from costopt.progress import Progress
from costopt.providers.gcp import billing, inventory, lists, monitoring, prices, vertex, vertex_ml
from costopt.providers.gcp.clients import ADC_FIX, GcpClients, GcpEndpoints
from costopt.providers.gcp.errors import classify
from costopt.providers.list_read import ListRead, build_each, coverage
from costopt.providers.pricing import with_catalog_price

NAME = "gcp"
# Point every client at an emulator / local fake (like AWS_ENDPOINT_URL): anonymous credentials.
ENV_REST = "COSTOPT_GCP_ENDPOINT"  # http://127.0.0.1:PORT for Compute, Storage, Billing, BigQuery, Vertex
ENV_MONITORING = "COSTOPT_GCP_MONITORING_ENDPOINT"  # 127.0.0.1:PORT (insecure gRPC)


@dataclass
class _ProjectResult:
    resources: list[Resource] = field(default_factory=list)
    metrics: list[MetricSeries] = field(default_factory=list)
    coverage: list[CoverageEntry] = field(default_factory=list)


def _failed(scope: str, exc: BaseException, api: str, project: str, what: str) -> CoverageEntry:
    code, fix = classify(exc, api, project)
    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return CoverageEntry(NAME, scope, "failed", f"{what}: {first_line[:200]}", code, fix)


class GcpProvider:
    """The GCP adapter; ``endpoints``/``credentials`` point it at local fakes (demo, tests)."""

    name = NAME

    def __init__(self, projects: tuple[str, ...] = (), bq_table: str | None = None, demo: bool = False,
                 credentials: Any = None, endpoints: GcpEndpoints | None = None, max_workers: int = 4):
        self.projects = tuple(projects or ())
        self.bq_table = bq_table
        self.demo = demo
        if endpoints is None and (os.environ.get(ENV_REST) or os.environ.get(ENV_MONITORING)):
            endpoints = GcpEndpoints(os.environ.get(ENV_REST) or None, os.environ.get(ENV_MONITORING) or None)
        self.clients = GcpClients(credentials, endpoints)
        self.max_workers = max(1, int(max_workers))
        self.local = endpoints is not None
        self._vertex_regions: tuple[str, ...] = ()

    # ---------------------------------------------------------------------------------------
    def collect(self, window: Window, settings: Settings, progress: Progress) -> Snapshot:
        config = settings.providers.get("gcp", {}) if isinstance(settings.providers, dict) else {}
        currency = settings.currency or "USD"
        _ = self.clients.credentials  # ProviderError with the fix when there are none
        coverage: list[CoverageEntry] = []
        projects = self.projects or tuple(config.get("projects", ()) or ())
        if not projects:
            projects = self._discover_projects(coverage, progress)
        bq_table = self.bq_table or config.get("bq_table")
        self._vertex_regions = tuple(config.get("vertex_regions", ()) or ())
        catalog = self._catalog(settings)
        book = self._prices(currency, coverage, progress)

        with ThreadPoolExecutor(max_workers=min(self.max_workers, max(1, len(projects)))) as pool:
            results = list(pool.map(lambda p: self._project(p, window, catalog, book, currency, progress), projects))
        resources = [r for res in results for r in res.resources]
        metrics = [m for res in results for m in res.metrics]
        for res in results:
            coverage.extend(res.coverage)

        table = None
        if bq_table:
            table = self._billing(bq_table, window, projects, coverage, progress)
        else:
            coverage.append(CoverageEntry(NAME, "billing-export", "skipped", "no BigQuery billing export table given",
                                          "NoBillingExport", "pass --bq-table project.dataset.table (the Cloud "
                                          "Billing export to BigQuery) or set [providers.gcp] bq_table"))
        estate = [c for c in coverage if c.scope != "catalog"]
        if not any(c.status in ("ok", "partial") for c in estate):
            failed = next((c for c in estate if c.status == "failed"), None)
            detail = f"{failed.scope}: {failed.detail}; fix: {failed.fix}" if failed else "no project to read"
            raise ProviderError(f"gcp: nothing could be read ({detail})")
        price_sources = ()
        if book is not None:
            price_sources = (PriceSource(NAME, "Cloud Billing Catalog API (list_skus)",
                                         datetime.now(UTC).date().isoformat(),
                                         f"{len(book.skus)} Compute Engine SKUs in {currency}"),)
        return Snapshot(window, resources=tuple(resources), metrics=tuple(metrics), billing=table,
                        coverage=tuple(coverage), prices=price_sources)

    # ---------------------------------------------------------------------------------------
    def _discover_projects(self, coverage: list[CoverageEntry], progress: Progress) -> tuple[str, ...]:
        progress("gcp: discovering projects from billing accounts")
        client = self.clients.billing()
        found: list[str] = []
        try:
            for account in client.list_billing_accounts():
                for info in client.list_project_billing_info(name=account.name):
                    if info.project_id and info.project_id not in found:
                        found.append(info.project_id)
        except Exception as exc:  # any SDK/auth failure: say so, with the fix
            coverage.append(_failed("projects", exc, "cloudbilling", "-", "list billing accounts"))
            code, fix = classify(exc, "cloudbilling", "-")
            raise ProviderError(f"gcp: no --project given and projects could not be listed ({code}); "
                                f"fix: pass --project PROJECT_ID, or {fix}") from None
        if not found:
            raise ProviderError("gcp: no project found in the visible billing accounts; fix: pass --project PROJECT_ID")
        return tuple(found)

    @staticmethod
    def _catalog(settings: Settings):
        try:
            from costopt.catalog import load_catalog

            return load_catalog(settings)
        except Exception:  # the catalog is optional here: machine types come from the API
            return None

    def _prices(self, currency: str, coverage: list[CoverageEntry], progress: Progress):
        progress("gcp: Compute Engine SKUs (Cloud Billing Catalog)")
        try:
            skus = prices.fetch_skus(self.clients.catalog(), prices.COMPUTE_SERVICE, currency,
                                     use_cache=not self.local)
        except Exception as exc:
            coverage.append(_failed("catalog", exc, "cloudbilling", "-", "list Compute Engine SKUs"))
            return None
        coverage.append(CoverageEntry(NAME, "catalog", "ok", f"{len(skus)} Compute Engine SKUs ({currency})"))
        return prices.GcpPriceBook(skus, currency)

    def _billing(self, table: str, window: Window, projects, coverage, progress):
        progress(f"gcp: billing export {table} (aggregated in BigQuery)")
        try:
            result = billing.read_billing(self.clients.bigquery(table.split(".")[0]), table, window, projects)
        except (ProviderError, InputError):
            raise
        except Exception as exc:
            coverage.append(_failed(f"bigquery:{table}", exc, "bigquery", table.split(".")[0], "billing export"))
            return None
        rows = 0 if result is None else int(result.scalar("SELECT COUNT(*) FROM focus"))
        coverage.append(CoverageEntry(NAME, f"bigquery:{table}", "ok", f"{rows} FOCUS rows from the billing export"))
        return result

    # ---------------------------------------------------------------------------------------
    def _project(self, project: str, window: Window, catalog, book, currency: str, progress: Progress) -> _ProjectResult:
        out = _ProjectResult()
        progress(f"gcp {project}: billing info, compute, storage")
        try:
            info = self.clients.billing().get_project_billing_info(name=f"projects/{project}")
            detail = info.billing_account_name or "no billing account"
            out.coverage.append(CoverageEntry(NAME, f"{project}/billing", "ok", detail))
        except Exception as exc:
            out.coverage.append(_failed(f"{project}/billing", exc, "cloudbilling", project, "project billing info"))
        self._compute(project, catalog, book, currency, out)
        buckets = lists.read_buckets(self.clients, project)
        built, skipped = build_each(buckets.items, lambda b: inventory.bucket_resource(b, project, currency),
                                    lambda b: b.name)
        out.resources.extend(sorted(built, key=lambda r: r.name))
        out.coverage.extend(_list_coverage(f"{project}/storage", "buckets", replace(buckets, skipped=tuple(skipped)),
                                           len(built), "storage", project))
        self._vertex(project, currency, out)
        ml, ml_coverage = vertex_ml.read_all(self.clients, project, self._regions(out), window, currency, _failed)
        out.resources.extend(ml)  # priced by the rules from the catalog (Vertex AI adds its fee to these prices)
        out.coverage.extend(ml_coverage)
        wanted = {r.id for r in out.resources if r.kind in ("vm", "gpu_vm", "bucket", "endpoint")}
        if wanted:
            progress(f"gcp {project}: Cloud Monitoring utilisation")
            self._monitoring(project, window, wanted, out)
        return out

    def _regions(self, out: _ProjectResult) -> tuple[str, ...]:
        """Vertex AI regions: the configured ones, else the project's regions + us-central1."""
        return self._vertex_regions or tuple(sorted(
            {r.region for r in out.resources if r.kind in ("vm", "gpu_vm")} | set(vertex.DEFAULT_REGIONS)))

    def _vertex(self, project: str, currency: str, out: _ProjectResult) -> None:
        """Vertex AI endpoints in the configured regions (else the project's regions + us-central1)."""
        regions = self._regions(out)
        found: list[Resource] = []
        failed: list[CoverageEntry] = []  # regions that could not be listed
        items: list[CoverageEntry] = []  # endpoints that could not be mapped
        for region in regions:  # one region (or endpoint) that cannot be read costs only itself
            try:
                endpoints = vertex.list_endpoints(self.clients, project, region)
            except Exception as exc:
                failed.append(_failed(f"{project}/vertex/{region}", exc, "aiplatform", project,
                                      "Vertex AI endpoints"))
                continue
            built, skipped = build_each(endpoints, lambda ep: vertex.endpoint_resource(ep, project, region, currency),  # noqa: B023
                                        lambda ep: ep.get("displayName") or ep.get("name"))
            found.extend(built)
            items.extend(CoverageEntry(NAME, f"{project}/vertex/{region}/{item.name}", "failed",
                                       f"Vertex AI endpoint skipped: {item.reason}", "UnreadableItem",
                                       "the endpoint was left out; rerun with --debug for the full error")
                         for item in skipped)
        if failed and len(failed) == len(regions):
            entry = replace(failed[0], scope=f"{project}/vertex")
            if entry.error_code == "ServiceDisabled":  # most projects never enable Vertex AI
                entry = replace(entry, status="skipped", detail="Vertex AI API not enabled")
            out.coverage.append(entry)
            return
        out.resources.extend(sorted(found, key=lambda r: r.name))
        out.coverage.extend(failed + items)
        out.coverage.append(CoverageEntry(NAME, f"{project}/vertex", "partial" if failed or items else "ok",
                                          f"{len(found)} endpoints in {', '.join(regions)}"))

    def _monitoring(self, project: str, window: Window, wanted: set[str], out: _ProjectResult) -> None:
        """Each metric read on its own: one that fails is a coverage entry, the others are kept."""
        gpu_bytes = {r.id: float(r.specs.get("gpu_memory_gib") or 0) * 2**30 for r in out.resources
                     if r.kind == "gpu_vm"}
        failures: list[tuple[monitoring.GcpMetric, BaseException]] = []
        try:
            client = self.clients.monitoring()
        except Exception as exc:
            out.coverage.append(_failed(f"{project}/monitoring", exc, "monitoring", project, "Cloud Monitoring"))
            return
        for metric in monitoring.METRICS:
            try:
                out.metrics.extend(monitoring.read_metric(client, project, metric, window, wanted, gpu_bytes))
            except Exception as exc:
                failures.append((metric, exc))
        if len(failures) == len(monitoring.METRICS):
            out.coverage.append(_failed(f"{project}/monitoring", failures[0][1], "monitoring", project,
                                        "Cloud Monitoring"))
            return
        for metric, exc in failures:
            out.coverage.append(_failed(f"{project}/monitoring/{metric.metric_type}", exc, "monitoring", project,
                                        f"Cloud Monitoring {metric.name}"))
        names = sorted({m.metric for m in out.metrics})
        status = "partial" if failures else "ok"
        out.coverage.append(CoverageEntry(NAME, f"{project}/monitoring", status,
                                          f"{len(out.metrics)} series ({', '.join(names) or 'none'})"
                                          + (f"; {len(failures)} metrics failed" if failures else "")))

    def _compute(self, project: str, catalog, book, currency: str, out: _ProjectResult) -> None:
        """Instances, disks and addresses, each list read (and recorded in coverage) on its own."""
        specs_cache: dict[tuple[str, str], dict] = {}

        def instance(inst) -> Resource:
            zone, machine_type = inventory.last(inst.zone), inventory.last(inst.machine_type)
            key = (zone, machine_type)
            if key not in specs_cache:
                try:
                    specs_cache[key] = inventory.machine_specs(self.clients, catalog, project, zone, machine_type)
                except Exception:  # unknown custom type: keep the instance, without specs
                    specs_cache[key] = {}
            return _with_catalog_price(inventory.instance_resource(inst, project, specs_cache[key], book, currency),
                                       catalog)

        builders = {
            "instances": instance,
            "disks": lambda d: inventory.disk_resource(d, project, book, currency),
            "addresses": lambda a: inventory.address_resource(a, project, book, currency),
        }
        for kind, build in builders.items():
            read = lists.read_aggregated(self.clients, project, kind)
            built, skipped = build_each(sorted(read.items, key=lambda i: i.name), build, lambda i: i.name)
            out.resources.extend(built)
            read = replace(read, skipped=read.skipped + tuple(skipped))
            out.coverage.extend(_list_coverage(f"{project}/compute/{kind}", kind, read, len(built), "compute",
                                               project))


def _list_coverage(scope: str, what: str, read: ListRead, count: int, api: str, project: str) -> list[CoverageEntry]:
    return coverage(NAME, scope, what, read, count, lambda s, exc, w: _failed(s, exc, api, project, w))


def _with_catalog_price(resource: Resource, catalog) -> Resource:
    """The resource priced by the Cloud Billing Catalog API, else by the bundled catalog.

    A suspended instance is billed for its preserved memory, which the bundled catalog does not
    price: without a Catalog API price it stays unknown (None), never 0.
    """
    if resource.attributes.get("state") == "suspended":
        return resource
    return with_catalog_price(resource, catalog, NAME, "Cloud Billing Catalog API", lambda r: r.attributes.get("state") == "running")


__all__ = ["GcpProvider", "GcpEndpoints", "ADC_FIX"]
