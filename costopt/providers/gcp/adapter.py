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
``vertex_regions = [...]``, ``maximum_bytes_billed = N`` (the billing query fails, as a coverage
entry with the fix, rather than bill more than N bytes). ``endpoints`` (a :class:`GcpEndpoints`) points
the clients at an emulator or a local fake, with anonymous credentials; only code that builds the
adapter passes it (the demo, the tests): nothing in the environment redirects it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from typing import Any

from costopt.bounded import TimedOut, run_bounded
from costopt.config import Settings
from costopt.errors import InputError, ProviderError
from costopt.model import CoverageEntry, PriceSource, Resource, Snapshot, Window
from costopt.progress import Progress
from costopt.provider_config import timeouts
from costopt.providers.gcp import billing, disk_prices, inventory, lists, monitoring, prices, vertex, vertex_ml
from costopt.providers.gcp.clients import ADC_FIX, GcpClients, GcpEndpoints
from costopt.providers.gcp.errors import classify
from costopt.providers.list_read import Collected, ListRead, build_each, coverage, failed
from costopt.providers.pricing import optional_catalog, with_catalog_price

NAME = "gcp"


def _failed(scope: str, exc: BaseException, api: str, project: str, what: str) -> CoverageEntry:
    return failed(NAME, scope, exc, what, classify(exc, api, project))


class GcpProvider:
    """The GCP adapter; ``endpoints``/``credentials`` point it at local fakes (demo, tests)."""

    name = NAME

    def __init__(self, projects: tuple[str, ...] = (), bq_table: str | None = None,
                 credentials: Any = None, endpoints: GcpEndpoints | None = None, max_workers: int = 4):
        self.projects = tuple(projects or ())
        self.bq_table = bq_table
        self.clients = GcpClients(credentials, endpoints)
        self.max_workers = max(1, int(max_workers))
        self.local = endpoints is not None
        self._vertex_regions: tuple[str, ...] = ()

    # ---------------------------------------------------------------------------------------
    def collect(self, window: Window, settings: Settings, progress: Progress) -> Snapshot:
        config = settings.providers.get("gcp", {}) if isinstance(settings.providers, dict) else {}
        currency = settings.currency or "USD"
        self.clients.limits = timeouts(config)
        _ = self.clients.credentials  # ProviderError with the fix when there are none
        coverage: list[CoverageEntry] = []
        projects = self.projects or tuple(config.get("projects", ()) or ())
        if not projects:
            projects = self._discover_projects(coverage, progress)
        bq_table = self.bq_table or config.get("bq_table")
        self._vertex_regions = tuple(config.get("vertex_regions", ()) or ())
        catalog = optional_catalog(settings)
        deadline = self.clients.limits.deadline_s
        catalog_coverage: list[CoverageEntry] = []  # its own list: a thread given up may still write to it
        (book,) = run_bounded([partial(self._prices, currency, catalog_coverage, progress)], 1, deadline,
                              name="costopt-gcp")
        if isinstance(book, TimedOut):
            book, catalog_coverage = None, _timed_out("catalog", deadline).coverage
        coverage.extend(catalog_coverage)

        tasks = [partial(self._project, p, window, catalog, book, currency, progress) for p in projects]
        results = [r if isinstance(r, Collected) else _timed_out(projects[r.index], deadline)
                   for r in run_bounded(tasks, self.max_workers, deadline, name="costopt-gcp")]
        resources = [r for res in results for r in res.resources]
        metrics = [m for res in results for m in res.metrics]
        for res in results:
            coverage.extend(res.coverage)

        table = None
        if bq_table:
            table = self._billing(bq_table, window, projects, coverage, progress, config.get("maximum_bytes_billed"))
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

    def _prices(self, currency: str, coverage: list[CoverageEntry], progress: Progress):
        progress("gcp: Compute Engine SKUs (Cloud Billing Catalog)")
        try:
            skus = prices.fetch_skus(self.clients.catalog(), prices.COMPUTE_SERVICE, currency,
                                     use_cache=not self.local, timeout=self.clients.call_timeout)
        except Exception as exc:
            coverage.append(_failed("catalog", exc, "cloudbilling", "-", "list Compute Engine SKUs"))
            return None
        coverage.append(CoverageEntry(NAME, "catalog", "ok", f"{len(skus)} Compute Engine SKUs ({currency})"))
        return prices.GcpPriceBook(skus, currency)

    def _billing(self, table: str, window: Window, projects, coverage, progress, max_bytes: int | None = None):
        progress(f"gcp: billing export {table} (aggregated in BigQuery)")
        try:
            result, stats = billing.read_billing(self.clients.bigquery(table.split(".")[0]), table, window, projects,
                                                 max_bytes)
        except (ProviderError, InputError):
            raise
        except Exception as exc:
            entry = _failed(f"bigquery:{table}", exc, "bigquery", table.split(".")[0], "billing export")
            if "bytesBilledLimitExceeded" in str(exc) or "exceeded limit for bytes billed" in str(exc).lower():
                entry = replace(entry, error_code="BytesBilledLimitExceeded",
                                fix=f"the query would bill more than [providers.gcp] maximum_bytes_billed = "
                                    f"{max_bytes}: raise it, or shorten --lookback")
            coverage.append(entry)
            return None
        rows = 0 if result is None else int(result.scalar("SELECT COUNT(*) FROM focus"))
        progress(f"gcp: billing export {table}: {stats.text()}")
        coverage.append(CoverageEntry(NAME, f"bigquery:{table}", "ok",
                                      f"{rows} FOCUS rows from the billing export; {stats.text()}"))
        return result

    # ---------------------------------------------------------------------------------------
    def _project(self, project: str, window: Window, catalog, book, currency: str, progress: Progress) -> Collected:
        out = Collected()
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

    def _regions(self, out: Collected) -> tuple[str, ...]:
        """Vertex AI regions: the configured ones, else the project's regions + us-central1."""
        return self._vertex_regions or tuple(sorted(
            {r.region for r in out.resources if r.kind in ("vm", "gpu_vm")} | set(vertex.DEFAULT_REGIONS)))

    def _vertex(self, project: str, currency: str, out: Collected) -> None:
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

    def _monitoring(self, project: str, window: Window, wanted: set[str], out: Collected) -> None:
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
                out.metrics.extend(monitoring.read_metric(client, project, metric, window, wanted, gpu_bytes,
                                                          timeout=self.clients.call_timeout))
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

    def _compute(self, project: str, catalog, book, currency: str, out: Collected) -> None:
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
            "disks": lambda d: disk_prices.with_disk_price(inventory.disk_resource(d, project, book, currency), catalog),
            "addresses": lambda a: inventory.address_resource(a, project, book, currency),
        }
        for kind, build in builders.items():
            read = lists.read_aggregated(self.clients, project, kind)
            built, skipped = build_each(sorted(read.items, key=lambda i: i.name), build, lambda i: i.name)
            out.resources.extend(built)
            read = replace(read, skipped=read.skipped + tuple(skipped))
            out.coverage.extend(_list_coverage(f"{project}/compute/{kind}", kind, read, len(built), "compute",
                                               project))


def _timed_out(project: str, seconds: float) -> Collected:
    out = Collected()
    out.coverage.append(CoverageEntry(NAME, project, "failed", f"timed out: no complete answer within {seconds:g} s; "
                                      f"nothing from {project} is in the audit", "TimedOut",
                                      "check the network path to Google APIs, or raise [providers.gcp] deadline_s"))
    return out


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
