"""AwsProvider: read an AWS estate (one account or several via roles) into a Snapshot.

Work is split into tasks — one per (account, region) plus one per account for its global
services (S3, Cost Explorer) — run on a bounded thread pool (``max_workers``; 1 = sequential):
reading a region is mostly waiting on AWS, which threads overlap (bench_aws: 16 regions at
50 ms per call take 0.17 of the sequential time). Prices are filled in afterwards
(:mod:`costopt.providers.aws.prices`). Nothing is ever changed in the account; the exact
actions used are in ``iam-policy.json``.

Settings (``[providers.aws]`` in costopt.toml) may set ``max_workers``, ``retry_mode``
(standard | adaptive), ``max_attempts``, ``prices`` (auto | api | catalog | off: inventory
without prices), ``period_s`` (CloudWatch period; default 300 s, 3600 s past 63 days) and the
timeouts ``connect_timeout_s``, ``read_timeout_s`` (each call) and ``deadline_s`` (each region
task: past it the region is a "timed out" coverage entry and the audit goes on; defaults in
:class:`costopt.provider_config.Timeouts`).

``--org`` reads every active account of the organization (:mod:`costopt.providers.aws.org`).
With several accounts, tasks are interleaved across accounts (region by region) and at most
``max_per_account`` (default 4) run against one account at once, so the account-level API
limits see a trickle from each account rather than sixteen regions at once. Request rates are
shaped per service, account and region (``rate_limits``; :mod:`costopt.providers.aws.ratelimit`).
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date
from functools import partial
from typing import Any

from costopt.bounded import run_bounded
from costopt.catalog.licence import fee_known
from costopt.config import Settings
from costopt.errors import ProviderError
from costopt.model import HOURS_PER_MONTH, CoverageEntry, Resource, Snapshot, Window
from costopt.progress import QUIET
from costopt.provider_config import AWS_PRICE_MODES, timeouts
from costopt.providers.aws.costs import table_from_frames
from costopt.providers.aws.coverage import guarded, scope_of
from costopt.providers.aws.ebs import volume_month
from costopt.providers.aws.org import OrgScope, open_org_accounts
from costopt.providers.aws.platform import from_attributes
from costopt.providers.aws.prices import PRICING_REGION, PriceBook
from costopt.providers.aws.ratelimit import RateLimiter
from costopt.providers.aws.rds import alternatives, db_hour
from costopt.providers.aws.regional import Partial, prepare_clients, read_buckets, read_costs, read_region
from costopt.providers.aws.sagemaker_training import DESCRIBE_WORKERS
from costopt.providers.aws.session import (
    Account,
    base_session,
    client_config,
    connection_pool,
    enabled_regions,
    home_region,
    loader_of,
    open_accounts,
)
from costopt.providers.pricing import optional_catalog

log = logging.getLogger(__name__)

DEFAULT_MAX_WORKERS = 16
DEFAULT_RETRY_MODE = "adaptive"
DEFAULT_MAX_ATTEMPTS = 8
DEFAULT_MAX_PER_ACCOUNT = 4
PRICE_MODES = AWS_PRICE_MODES


class AwsProvider:
    """The AWS adapter (read-only). See the module docstring for options."""

    name = "aws"

    def __init__(self, profile: str | None = None, regions: tuple[str, ...] | list[str] | None = None,
                 role_arns: tuple[str, ...] = (), max_workers: int | None = None,
                 retry_mode: str | None = None, max_attempts: int | None = None, prices: str | None = None,
                 session: Any = None, catalog: Any = None, today: date | None = None, with_costs: bool = True,
                 period_s: int | None = None, connect_timeout_s: float | None = None,
                 read_timeout_s: float | None = None, deadline_s: float | None = None, org: bool = False):
        self.profile = profile
        self.regions = tuple(regions) if regions else None
        self.role_arns = tuple(role_arns or ())
        self.max_workers = max_workers
        self.retry_mode = retry_mode
        self.max_attempts = max_attempts
        self.prices = prices
        self.session = session
        self.catalog = catalog
        self.today = today
        self.with_costs = with_costs
        self.period_s = period_s
        self.explicit_timeouts = {"connect_s": connect_timeout_s, "read_s": read_timeout_s, "deadline_s": deadline_s}
        self.org = org

    # --- options ---------------------------------------------------------------------------
    def _section(self, settings: Settings | None) -> Mapping[str, Any]:
        if settings is not None and isinstance(getattr(settings, "providers", None), Mapping):
            raw = settings.providers.get("aws", {})
            return raw if isinstance(raw, Mapping) else {}
        return {}

    def _option(self, settings: Settings | None, key: str, explicit: Any, default: Any) -> Any:
        return explicit if explicit is not None else self._section(settings).get(key, default)

    def _catalog(self, settings: Settings | None) -> Any:
        return self.catalog if self.catalog is not None else optional_catalog(settings)

    # --- collect ---------------------------------------------------------------------------
    def collect(self, window: Window, settings: Settings | None = None,
                progress: Callable[[str], None] = QUIET) -> Snapshot:
        workers = int(self._option(settings, "max_workers", self.max_workers, DEFAULT_MAX_WORKERS))
        mode = str(self._option(settings, "retry_mode", self.retry_mode, DEFAULT_RETRY_MODE))
        attempts = int(self._option(settings, "max_attempts", self.max_attempts, DEFAULT_MAX_ATTEMPTS))
        price_mode = str(self._option(settings, "prices", self.prices, "auto"))
        period = self._option(settings, "period_s", self.period_s, None)
        if period is not None and (not isinstance(period, int) or period < 60 or period % 60):
            raise ProviderError("aws: [providers.aws] period_s must be a multiple of 60 seconds")
        if workers < 1 or mode not in ("standard", "adaptive", "legacy") or price_mode not in PRICE_MODES:
            raise ProviderError("aws: [providers.aws] needs max_workers >= 1, retry_mode standard|adaptive and "
                                f"prices {'|'.join(PRICE_MODES)}")
        limits = timeouts(self._section(settings), **self.explicit_timeouts)
        # SageMaker training jobs are described on their own pool of threads sharing one client
        config = client_config(mode, attempts, pool=connection_pool(max(workers, DESCRIBE_WORKERS)), limits=limits)
        coverage: list[CoverageEntry] = []
        if self.org:
            progress("aws: listing the organization's accounts")
            accounts, reached = open_org_accounts(self.session or base_session(self.profile), config,
                                                  OrgScope.from_settings(self._section(settings)), workers)
            coverage += reached
            if not accounts:
                raise ProviderError(f"aws: --org: no account could be reached: {reached[0].detail}; "
                                    f"fix: {reached[0].fix}")
        else:
            accounts = open_accounts(self.profile, self.role_arns, config, session=self.session)
        limiter = RateLimiter(self._section(settings).get("rate_limits"))
        for account in accounts:
            account.limiter = limiter
        plan = self._plan(accounts, coverage, workers)
        per_account = int(self._option(settings, "max_per_account", None, DEFAULT_MAX_PER_ACCOUNT))
        progress(f"aws: {len(accounts)} account(s), {sum(len(r) for _, r in plan)} account-region(s), "
                 f"{workers} worker(s)")
        parts = self._run(plan, window, progress, workers, period, limits.deadline_s,
                          per_account if len(accounts) > 1 else workers)
        resources = [r for p in parts for r in p.resources]
        waits = {k: v for k, v in limiter.waited().items() if v >= 0.5}
        if waits:
            progress("aws: rate limits held requests back: " + ", ".join(f"{k} {v:.1f} s" for k, v in sorted(waits.items())))
        book = PriceBook(None if price_mode in ("catalog", "off") else accounts[0].client("pricing", PRICING_REGION),
                         None if price_mode in ("api", "off") else self._catalog(settings), self.today)
        resources = priced(resources, book, workers)
        book.save()
        if book.api_error:
            coverage.append(CoverageEntry("aws", "pricing", "partial", f"Price List API: {book.api_error}",
                                          "PricingUnavailable", "grant pricing:GetProducts; the bundled catalog was used"))
        billing = table_from_frames([(f"aws cost explorer {i}", p.billing) for i, p in enumerate(parts)
                                     if p.billing is not None])
        return Snapshot(window=window, resources=tuple(resources), metrics=tuple(m for p in parts for m in p.metrics),
                        billing=billing, coverage=tuple(coverage) + tuple(c for p in parts for c in p.coverage),
                        prices=book.sources())

    def _section(self, settings: Settings | None) -> Mapping[str, Any]:
        raw = settings.providers.get("aws", {}) if settings is not None and isinstance(
            getattr(settings, "providers", None), Mapping) else {}
        return raw if isinstance(raw, Mapping) else {}

    def _plan(self, accounts: list[Account], coverage: list[CoverageEntry],
              workers: int) -> list[tuple[Account, list[str]]]:
        """Each account with its regions (given, else its enabled regions, read concurrently)."""
        def regions_of(account: Account) -> tuple[list[str], list[CoverageEntry]]:
            if self.regions:
                return list(self.regions), []
            found: list[CoverageEntry] = []
            regions = guarded(scope_of(account.account_id, "*", "regions"), found, lambda: enabled_regions(account),
                              actions=("ec2:DescribeRegions",), default=[home_region(account.session)])
            return regions, found

        with ThreadPoolExecutor(max_workers=max(1, min(workers, len(accounts))),
                                thread_name_prefix="costopt-aws-regions") as pool:
            listed = list(pool.map(regions_of, accounts))
        for _, found in listed:
            coverage += found
        return [(account, regions) for account, (regions, _) in zip(accounts, listed)]

    def _run(self, plan: list[tuple[Account, list[str]]], window: Window, progress: Callable[[str], None],
             workers: int, period: int | None, deadline_s: float, per_account: int | None = None) -> list[Partial]:
        """Each task's result (one task per account and per account-region).

        Tasks are interleaved across accounts (every account's global task, then each account's
        first region, ...) and at most ``per_account`` run against one account at once; a task
        still running after ``deadline_s`` is given up and becomes a "timed out" entry.
        """
        rows: list[list[tuple[Callable[..., Partial], tuple[Any, ...], str]]] = []
        for account, regions in plan:
            # S3 and Cost Explorer are separate global endpoints: two tasks, so one that hangs
            # does not hold the other (each waits out its own timeouts and retries).
            row: list[tuple[Callable[..., Partial], tuple[Any, ...], str]] = [
                (read_buckets, (account, regions, window, progress), scope_of(account.account_id, "global", "s3 buckets"))]
            if self.with_costs:
                row.append((read_costs, (account, window, progress),
                            scope_of(account.account_id, "global", "cost explorer")))
            row += [(read_region, (account, region, window, progress, period),
                     scope_of(account.account_id, region, "region")) for region in regions]
            rows.append(row)
        tasks = [t for column in itertools.zip_longest(*rows) for t in column if t is not None]
        # Service and paginator models are loaded once per loader, which every assumed session
        # shares (the caller's own account has its own): preparing one account's clients per
        # loader loads them all (for 200 accounts, doing it for each would create 1,800 clients
        # one after another before any task starts).
        prepared: set[int] = set()
        for account, regions in plan:
            loader = id(loader_of(account.session))
            if regions and loader not in prepared:
                prepared.add(loader)
                prepare_clients(account, regions[0], self.with_costs)
        gates = {account.account_id: threading.BoundedSemaphore(max(1, per_account or workers)) for account, _ in plan}

        def gated(func: Callable[..., Partial], args: tuple[Any, ...]) -> Partial:
            with gates[args[0].account_id]:
                return func(*args)

        results = run_bounded([partial(gated, func, args) for func, args, _ in tasks], workers, deadline_s,
                              name="costopt-aws")
        return [r if isinstance(r, Partial) else _timed_out(tasks[r.index][2], r.seconds) for r in results]


def _timed_out(scope: str, seconds: float) -> Partial:
    return Partial(coverage=[CoverageEntry(
        "aws", scope, "failed", f"timed out: no complete answer within {seconds:g} s; nothing from this scope is "
        "in the audit", "TimedOut", "check the network path / endpoint of this region (AWS_ENDPOINT_URL, proxies), "
        "or raise [providers.aws] deadline_s")])


def _hourly(r: Resource, book: PriceBook) -> tuple[float | None, dict[str, Any]]:
    """(hourly cost, extra attributes) of one resource from the price book."""
    a = r.attributes
    if r.kind in ("vm", "gpu_vm"):
        if a.get("state") in ("stopped", "stopping"):
            return 0.0, {}
        model, platform = "spot" if r.pricing_model == "spot" else "on_demand", from_attributes(a)
        price = book.instance_hour(r.region, r.type, model, platform)
        extra: dict[str, Any] = {"unit_price_hour": price}
        api = book.source_of(f"ec2|{r.region}|{r.type}|{platform.os}", r.region, r.type) == "AWS Price List API"
        if price is not None and platform.os != "linux" and not fee_known("aws", platform.os) and not api:
            extra["price_is_lower_bound"] = (f"no {platform.os} licence fee known (Price List API not answering): "
                                             "priced as Linux, without the licence")
        if price is None and platform.os != "linux":
            price = book.instance_hour(r.region, r.type, model)  # no source prices this OS: a lower bound
            extra = {"unit_price_hour": price, "price_is_lower_bound": f"no {platform.os} price known: "
                                                                         "priced as Linux, without the licence"}
        return (None if price is None else price * r.count), extra
    if r.kind == "endpoint":
        if a.get("billed") is False:
            return 0.0, {}  # Failed / OutOfService / Creating / Deleting: no running capacity
        if a.get("config_known") is False:
            return None, {}  # its config could not be read: the price is unknown, not zero
        total = 0.0
        for v in a.get("variants", ()):
            if v.get("serverless"):
                continue  # billed per request, no hourly price
            if not v.get("instance_type"):
                return None, {}
            if not v.get("instance_count"):
                continue
            price = book.instance_hour(r.region, v["instance_type"])
            if price is None:
                return None, {}
            total += price * v["instance_count"]
        return total, {}
    if r.kind in ("notebook", "ml_app", "training_run", "tuning_job"):
        price = book.instance_hour(r.region, r.type) if r.type else None
        if r.kind in ("training_run", "tuning_job") or a.get("billed") is False:
            return 0.0, {"unit_price_hour": price}  # finished / stopped: bills nothing now
        return (None if price is None else price * r.count), {"unit_price_hour": price}
    if r.kind == "autoscaling_group":
        price = book.instance_hour(r.region, r.type) if r.type else None
        return (None if price is None else price * r.count), {"unit_price_hour": price}
    if r.kind == "volume":
        vtype = a.get("volume_type") or r.type
        month = volume_month(book, r.region, vtype, a.get("size_gb") or 0, a.get("iops"), a.get("throughput"))
        extra: dict[str, Any] = {"gb_month_price": book.volume_gb_month(r.region, vtype),
                                 "price_source": book.source_of(f"ebs|{r.region}|{vtype}", r.region, f"ebs:{vtype}"),
                                 "monthly_by_dimension": {"storage": month.storage, "iops": month.iops,
                                                          "throughput": month.throughput}}
        if month.unpriced:
            extra["price_is_lower_bound"] = f"not priced: {', '.join(month.unpriced)}"
        return (None if month.total is None else month.total / HOURS_PER_MONTH), extra
    if r.kind == "snapshot":
        per_gb = book.snapshot_gb_month(r.region)
        gb = a.get("size_gb") or 0
        return (None if per_gb is None else gb * per_gb / HOURS_PER_MONTH), {
            "gb_month_price": per_gb, "price_source": book.source_of(f"ebs-snapshot|{r.region}", r.region, "ebs:snapshot"),
            "price_is_upper_bound": "priced at the source volume's size; a snapshot bills only the blocks it stores"}
    if r.kind == "address":
        return book.idle_address_hour(r.region), {
            "price_source": book.source_of(f"ipv4-idle|{r.region}", r.region, "vpc:public_ipv4")}
    if r.kind == "nat_gateway":
        return book.nat_hour(r.region), {"price_source": book.source_of(f"nat-hour|{r.region}", r.region, "vpc:nat_gateway")}
    if r.kind == "database":
        hour = db_hour(book, r.region, dict(a), r.type)
        return hour.total, {"compute_hourly": hour.compute, "storage_hourly": hour.storage, "price_note": hour.note,
                            **alternatives(book, r.region, dict(a), r.type)}
    return None, {}


ML_KINDS = ("endpoint", "notebook", "ml_app", "training_run", "tuning_job")  # keep their kind; ml.* specs
SPEC_FIELDS = ("vcpu", "memory_gib", "gpu_count", "gpu_model", "gpu_memory_gib", "architecture")


def with_catalog_specs(r: Resource, catalog: Any) -> Resource:
    """Specs the API did not give (a type DescribeInstanceTypes does not know) from the catalog."""
    if r.kind not in ("vm", "gpu_vm", *ML_KINDS) or (r.specs and r.specs.get("vcpu")) or catalog is None:
        return r
    spec = catalog.instance("aws", r.type) or (catalog.instance("aws", r.type[3:]) if r.type.startswith("ml.") else None)
    if spec is None:
        return r
    specs = {**{f: getattr(spec, f, None) for f in SPEC_FIELDS}, "source": "catalog"}
    kind = r.kind if r.kind in ML_KINDS else ("gpu_vm" if spec.gpu_count else "vm")
    return replace(r, specs=specs, kind=kind)


def priced(resources: list[Resource], book: PriceBook, workers: int) -> list[Resource]:
    """Resources with ``hourly_cost`` filled (None where no source knows the price)."""
    def one(r: Resource) -> Resource:
        r = with_catalog_specs(r, book.catalog)
        hourly, extra = _hourly(r, book)
        attrs = {**r.attributes, **{k: v for k, v in extra.items() if v is not None}} if extra else r.attributes
        return replace(r, hourly_cost=hourly, attributes=attrs)

    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="costopt-aws-price") as pool:
        return list(pool.map(one, resources))
