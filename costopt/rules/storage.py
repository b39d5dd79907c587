"""Storage rules: tier object storage by access, archive old ML checkpoints and dataset versions.

Both price a lifecycle transition of one bucket's bytes of one storage class into a colder
tier of the catalog, net of every cost the move brings (:func:`transition_economics`):
retrieval per GB read, the request price difference, one-time transition requests
(amortised), early-deletion charges for data deleted before the tier's minimum duration,
and billing at the minimum object size. Only moves whose net saving stays positive are
proposed. Inputs per bucket: ``bytes_stored`` series with a ``storage_class`` dimension
(and optionally ``version`` = current / noncurrent), ``objects`` and ``gets`` series.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from costopt.catalog.model import StorageTier
from costopt.evidence import Evidence
from costopt.model import HOURS_PER_MONTH, MetricSeries, Recommendation, Resource, Skip, Snapshot, recommendation_id
from costopt.records import Current, Impacts, Proposal
from costopt.rules import defaults
from costopt.rules.base import rule
from costopt.rules.shell import arg, comment

GB = 1024.0 ** 3
KB_PER_GB = 1024.0 ** 2
MIN_TRANSITION_DAYS = {"aws": 30}  # S3 only moves objects at least 30 days old to the IA classes


@dataclass(frozen=True)
class ClassUsage:
    """One storage class (and version state) of one bucket over the window."""

    storage_class: str
    version: str             # "current", "noncurrent" or "" (not split)
    gb_latest: float
    gb_min: float            # bytes present during the whole window: at least window-old
    growth_gb_per_day: float  # net growth over the window (0 when shrinking)
    deleted_gb_month: float  # sum of decreases, per month
    hours: float


@dataclass(frozen=True)
class Economics:
    tier: Any
    gb_moved: float
    objects_moved: float
    storage_saving: float
    retrieval_cost: float
    request_cost: float
    early_delete_cost: float
    transition_cost: float

    @property
    def net(self) -> float:
        return (self.storage_saving - self.retrieval_cost - self.request_cost - self.early_delete_cost
                - self.transition_cost)


def _clean(s: MetricSeries) -> tuple[np.ndarray, np.ndarray]:
    ok = np.isfinite(s.values) & (s.values >= 0)
    ts, first = np.unique(s.timestamps[ok], return_index=True)
    return ts, s.values[ok][first]


# CloudWatch BucketSizeBytes StorageType -> S3 storage class (catalog tier names).
CLOUDWATCH_CLASSES = {
    "standardstorage": "STANDARD", "standardiastorage": "STANDARD_IA", "onezoneiastorage": "ONEZONE_IA",
    "glacierinstantretrievalstorage": "GLACIER_IR", "glacierstorage": "GLACIER", "deeparchivestorage": "DEEP_ARCHIVE",
    "reducedredundancystorage": "REDUCED_REDUNDANCY",
}
SELF_TIERING = frozenset({"intelligent_tiering"})  # moves its own objects: never a source of a transition


def normalize_class(name: str) -> str | None:
    """Catalog name of a storage class; None for accounting entries that are not a class (overheads, staging)."""
    key = (name or "").strip()
    low = key.lower()
    if "overhead" in low or "staging" in low:
        return None
    if low.startswith("intelligenttiering"):
        return "INTELLIGENT_TIERING"
    return CLOUDWATCH_CLASSES.get(low, key)


def class_usage(series: list[MetricSeries]) -> list[ClassUsage]:
    """Per (storage class, version) usage; repeated series of one key are pooled, duplicates kept once."""
    keyed: dict[tuple[str, str], list[MetricSeries]] = {}
    for s in series:
        storage_class = normalize_class(str(s.dimensions.get("storage_class", "")))
        if storage_class is not None:
            keyed.setdefault((storage_class, str(s.dimensions.get("version", ""))), []).append(s)
    out = []
    for (storage_class, version), parts in sorted(keyed.items()):
        cleaned = [_clean(s) for s in parts]
        ts_all = np.concatenate([c[0] for c in cleaned])
        vs_all = np.concatenate([c[1] for c in cleaned])
        ts, first = np.unique(ts_all, return_index=True)
        vs = vs_all[first]
        if vs.size == 0:
            continue
        period = max(s.period_s for s in parts)
        hours = (ts[-1] - ts[0] + period) / 3600.0
        drops = float(-np.minimum(np.diff(vs), 0.0).sum()) if vs.size > 1 else 0.0
        growth = 0.0
        if vs.size > 2:  # least-squares slope: robust to daily saw-teeth of write-then-delete
            t = (ts - ts.mean()) / 86400.0
            growth = max(0.0, float((t * (vs - vs.mean())).sum() / (t * t).sum())) / GB
        out.append(ClassUsage(storage_class, version, vs[-1] / GB, vs.min() / GB, growth,
                              abs(drops) / GB * HOURS_PER_MONTH / hours, hours))
    return out


def _monthly_sum(series: list[MetricSeries]) -> tuple[float | None, float]:
    """Sum per month of Sum-type series (e.g. gets) and the hours they cover."""
    if not series:
        return None, 0.0
    total = hours = 0.0
    for s in series:
        ts, vs = _clean(s)
        total += float(vs.sum())
        hours = max(hours, ts.size * s.period_s / 3600.0)
    return (total * HOURS_PER_MONTH / hours if hours else None), hours


def _latest(series: list[MetricSeries]) -> float | None:
    vals = [_clean(s)[1] for s in series]
    vals = [v[-1] for v in vals if v.size]
    return float(sum(vals)) if vals else None


def old_gb(cu: ClassUsage, days: int) -> float:
    """GB at least ``days`` old: present all window, minus what the growth rate added in ``days``."""
    return max(0.0, min(cu.gb_min, cu.gb_latest - cu.growth_gb_per_day * days))


def transition_economics(cur: Any, tier: Any, cu: ClassUsage, gb_total: float, objects: float | None,
                         gets_month: float, amortize_months: int, days: int = 0) -> Economics | None:
    """Monthly economics of moving the GB older than ``days`` from ``cur`` to ``tier`` (None = rule broken).

    Reads are charged as if every GET of the bucket hit the moved data (an upper bound), each
    reading an average-sized object. Early deletion: the data deleted per month is charged
    the tier's price for its whole minimum duration (worst case: deleted right after moving).
    """
    gb = old_gb(cu, days)
    if gb <= 0:
        return None
    share = gb / gb_total if gb_total > 0 else 1.0
    if objects is None:
        if tier.min_object_kb > 0:
            return None  # minimum object size cannot be checked without the object count
        n_obj, avg_gb = 0.0, 0.0
    else:
        n_obj = objects * share
        avg_gb = gb_total / objects if objects > 0 else 0.0
    billed_gb = max(gb, n_obj * tier.min_object_kb / KB_PER_GB)
    storage = gb * cur.gb_month - billed_gb * tier.gb_month
    reads_gb = gets_month * avg_gb
    retrieval = reads_gb * max(tier.retrieval_per_gb - cur.retrieval_per_gb, 0.0)
    requests = gets_month / 1000.0 * (tier.get_per_1k - cur.get_per_1k)
    early = min(cu.deleted_gb_month, gb) * tier.gb_month * tier.min_days / 30.0
    transition = n_obj / 1000.0 * tier.transition_per_1k / max(amortize_months, 1)
    return Economics(tier, gb, n_obj, storage, retrieval, requests, early, transition)


def _lifecycle_apply(bucket: Resource, tier_name: str, days: int, noncurrent: bool) -> str:
    if bucket.provider == "gcp":
        cond = {"daysSinceNoncurrentTime": days} if noncurrent else {"age": days}
        doc = {"rule": [{"action": {"type": "SetStorageClass", "storageClass": tier_name}, "condition": cond}]}
        return (f"gcloud storage buckets update {arg('gs://' + (bucket.name or bucket.id))} --lifecycle-file=lifecycle.json  "
                + comment(f"lifecycle.json: {json.dumps(doc)}"))
    if bucket.provider == "azure":
        action = "tierToArchive" if tier_name.lower() == "archive" else f"tierTo{tier_name.capitalize()}"
        base = "version" if noncurrent else "baseBlob"
        key = "daysAfterCreationGreaterThan" if noncurrent else "daysAfterModificationGreaterThan"
        doc = {"rules": [{"name": "costopt", "type": "Lifecycle", "definition": {
            "filters": {"blobTypes": ["blockBlob"]}, "actions": {base: {action: {key: days}}}}}]}
        return (f"az storage account management-policy create --account-name {arg(bucket.name or bucket.id)} "
                f"--policy {arg(json.dumps(doc))}")
    key = "NoncurrentVersionTransitions" if noncurrent else "Transitions"
    day_key = "NoncurrentDays" if noncurrent else "Days"
    doc = {"Rules": [{"ID": f"costopt-{tier_name.lower()}", "Status": "Enabled", "Filter": {},
                      key: [{day_key: days, "StorageClass": tier_name}]}]}
    return (f"aws s3api put-bucket-lifecycle-configuration --bucket {arg(bucket.name or bucket.id)} "
            f"--lifecycle-configuration {arg(json.dumps(doc))}  " + comment("merge with existing rules"))


# Read-request usage types (AWS GET = Tier 2, GCS Class B, Azure read operations) and any request type.
READ_RE = r"(?i)(requests-tier2|class b operations|read operations)"
REQUEST_RE = r"(?i)(requests-tier|class [ab] operations|(read|write|list|other) operations)"


def billing_gets(snapshot: Snapshot) -> dict[str, float]:
    """GET requests per month per billed storage ResourceId, for resources with any request rows.

    A bucket that is billed for some requests (e.g. PUTs) but for no reads had no reads; a
    bucket with no request rows at all is absent (the export may not itemise requests).
    """
    if snapshot.billing is None or snapshot.billing.empty:
        return {}
    df = snapshot.billing.query(f"""
        SELECT ResourceId AS rid,
               SUM(CASE WHEN regexp_matches(x_UsageType, '{READ_RE}') THEN COALESCE(ConsumedQuantity, 0) ELSE 0 END)
                   AS gets,
               (epoch(MAX(ChargePeriodEnd)) - epoch(MIN(ChargePeriodStart))) / 3600.0 AS hours
        FROM focus
        WHERE ChargeCategory = 'Usage' AND ResourceId IS NOT NULL AND x_UsageType IS NOT NULL
          AND regexp_matches(x_UsageType, '{REQUEST_RE}')
        GROUP BY ResourceId""")
    return {str(r.rid): float(r.gets) * HOURS_PER_MONTH / float(r.hours)
            for r in df.itertuples(index=False) if r.hours and r.hours > 0}


def _bucket_keys(b: Resource) -> tuple[str, ...]:
    name = b.name or b.id
    return (b.id, name, f"arn:aws:s3:::{name}", f"gs://{name}")


STORAGE_KINDS = ("bucket", "storage_account")  # S3 / GCS buckets, Azure Blob storage accounts


def _bucket_inputs(snapshot: Snapshot, kinds: tuple[str, ...] = STORAGE_KINDS) -> Iterator[
        tuple[Resource, list[MetricSeries], list[MetricSeries], list[MetricSeries]]]:
    metrics: dict[tuple[str, str], list[MetricSeries]] = {}
    for s in snapshot.metrics:
        if s.metric in ("bytes_stored", "objects", "gets"):
            metrics.setdefault((s.resource_id, s.metric), []).append(s)
    for b in snapshot.resources:
        if b.kind in kinds:
            yield b, metrics.get((b.id, "bytes_stored"), []), metrics.get((b.id, "objects"), []), \
                metrics.get((b.id, "gets"), [])


def _recommend(rid: str, bucket: Resource, cu: ClassUsage, cur: Any, ec: Economics, days: int,
               gets_month: float, confidence: str, note: str) -> Recommendation:
    noncurrent = cu.version == "noncurrent"
    what = f"{'noncurrent versions' if noncurrent else 'objects'} in {cu.storage_class} older than {days} days"
    scope = bucket.id
    return Recommendation(
        id=recommendation_id(rid, scope, f"{cu.storage_class}/{cu.version}->{ec.tier.name}"), rule_id=rid,
        resource_id=scope, action=f"lifecycle: move {what} to {ec.tier.name}", provider=bucket.provider,
        account=bucket.account, region=bucket.region, resource_kind=bucket.kind, resource_name=bucket.name,
        current=Current(storage_class=cu.storage_class, size_gb=cu.gb_latest, version=cu.version or "all"),
        proposed=Proposal(storage_class=ec.tier.name, gb_moved=ec.gb_moved, after_days=days),
        monthly_cost_before=ec.gb_moved * cur.gb_month,
        monthly_cost_after=ec.gb_moved * cur.gb_month - ec.net,
        monthly_savings=ec.net, savings_low=ec.net, savings_high=ec.storage_saving, currency=ec.tier.currency,
        confidence=confidence, performance_risk=2 if ec.tier.first_byte_ms > 1000 else 1,
        evidence=Evidence(facts={"gb_moved": ec.gb_moved, "gb_latest": cu.gb_latest, "objects_moved": ec.objects_moved,
                                 "gets_per_month": gets_month, "deleted_gb_per_month": cu.deleted_gb_month, "hours": cu.hours,
                                 "storage_saving": ec.storage_saving, "retrieval_cost": ec.retrieval_cost,
                                 "request_cost": ec.request_cost, "early_deletion_cost": ec.early_delete_cost,
                                 "transition_cost_amortised": ec.transition_cost, "min_days": ec.tier.min_days,
                                 "min_object_kb": ec.tier.min_object_kb, "note": note}, price_source=f"{ec.tier.source} ({ec.tier.as_of})"),
        impacts=Impacts(first_byte_ms_before=cur.first_byte_ms, first_byte_ms_after=ec.tier.first_byte_ms,
                        retrieval_per_gb=ec.tier.retrieval_per_gb, min_storage_days=ec.tier.min_days),
        effort="low", tags=dict(bucket.tags), workload=bucket.workload,
        rationale=(f"{ec.gb_moved:,.0f} GB at least {days} days old; {ec.tier.name} saves {ec.storage_saving:,.2f}/month "
                   f"in storage, {ec.net:,.2f} after retrieval, requests and early deletion"),
        apply=_lifecycle_apply(bucket, ec.tier.name, days, noncurrent),
        alternative_group=bucket.id,
    )


def _evaluate(rid: str, snapshot: Snapshot, catalog: Any, params: Any, select_bucket: Callable[[Resource], bool],
              pick_tiers: Callable[[list[StorageTier], StorageTier], list[StorageTier]],
              min_gets_ok: Callable[[float, float], bool]) -> Iterable[Recommendation | Skip]:
    billed_gets: dict[str, float] | None = None
    for bucket, stored, objects_s, gets_s in _bucket_inputs(snapshot):
        if not select_bucket(bucket) or not stored:
            continue
        if bucket.attributes.get("autoclass"):  # GCS Autoclass moves objects between classes itself
            yield Skip(rid, bucket.id, "Autoclass manages this bucket's storage classes: no lifecycle transition")
            continue
        usage = class_usage(stored)
        if not usage or max(u.hours for u in usage) < params.min_hours:
            yield Skip(rid, bucket.id, f"fewer than {params.min_hours} hours of bytes_stored data")
            continue
        if catalog is None:
            yield Skip(rid, bucket.id, "no price catalog: storage tier prices unknown")
            continue
        tiers = catalog.storage_tiers(bucket.provider, bucket.region)
        if not tiers:
            yield Skip(rid, bucket.id, f"no storage tier prices for {bucket.provider} {bucket.region}")
            continue
        whole = [g for g in gets_s if g.dimensions.get("filter") == "EntireBucket"]
        gets_month, _ = _monthly_sum(whole or gets_s)  # overlapping filters summed: more reads, less saving
        gets_source = "gets metric"
        if gets_month is None:
            if billed_gets is None:
                billed_gets = billing_gets(snapshot)
            gets_month = next((billed_gets[k] for k in _bucket_keys(bucket) if k in billed_gets), None)
            gets_source = "billing read-request usage"
        if gets_month is None:
            yield Skip(rid, bucket.id, "no gets metric and no request charges in billing: access pattern unknown, "
                                       "retrieval cost cannot be bounded (enable S3 request metrics)")
            continue
        objects = _latest(objects_s)
        gb_total = sum(u.gb_latest for u in usage)
        if not min_gets_ok(gets_month, gb_total):
            continue
        days_observed = int(min(u.hours for u in usage) // 24)
        by_name = {t.name.lower(): t for t in tiers}
        for cu in usage:
            if cu.storage_class.lower() in SELF_TIERING:
                continue
            cur = by_name.get(cu.storage_class.lower())
            if cur is None:
                yield Skip(rid, bucket.id, f"storage class {cu.storage_class!r} not in the catalog for "
                                           f"{bucket.provider} {bucket.region}")
                continue
            days = max(days_observed, MIN_TRANSITION_DAYS.get(bucket.provider, 0))
            has_rules = bool(bucket.attributes.get("lifecycle_rules"))
            best: list[Economics] = []
            for tier in pick_tiers(tiers, cur):
                ec = transition_economics(cur, tier, cu, gb_total, objects, gets_month, params.amortize_months,
                                          days)
                if ec is not None and ec.net >= params.min_monthly_savings:
                    best.append(ec)
            for ec in best:
                covers = bucket.attributes.get("lifecycle_covers")
                note = (f"bucket lifecycle rules cover only {covers}; the rest is unmanaged"
                        if has_rules and bucket.attributes.get("lifecycle_scope") == "partial"
                        else "bucket already has lifecycle rules: check they do not cover this data"
                        if has_rules else "bucket has no lifecycle rules")
                confidence = "low" if has_rules or objects is None else "medium"
                yield _recommend(rid, bucket, cu, cur, ec, days, gets_month, confidence,
                                 f"{note}; reads from the {gets_source}")


@rule("storage.tiering", params=defaults.StorageTiering, needs=("inventory", "metrics"))
def tiering(snapshot: Snapshot, catalog: Any, params: defaults.StorageTiering) -> Iterable[Recommendation | Skip]:
    """Object storage in a class hotter than its access pattern needs: add a lifecycle transition.

    Why: infrequently read data in S3 Standard / GCS Standard / Azure Hot pays 2-5x the
    price of an infrequent-access tier. How: for each bucket and storage class, the bytes
    older than the transition age (present all window, less what the least-squares growth
    trend added in that many days; S3 moves to IA after 30 days at the earliest) are
    priced in every colder tier of
    the catalog whose first byte arrives within ``max_first_byte_ms``; a tier is proposed
    only when the storage saving exceeds retrieval (every GET charged, as if it hit the
    moved data), request, amortised transition and early-deletion costs, and objects below
    the tier's minimum size are billed at that size. Alternatives for one bucket share its
    id as alternative group; the best one is kept. Example config::

        [rules."storage.tiering"]
        max_first_byte_ms = 200
        amortize_months = 6
    """
    def colder_fast(tiers: list[StorageTier], cur: StorageTier) -> list[StorageTier]:
        return [t for t in tiers if t.gb_month < cur.gb_month and t.first_byte_ms <= params.max_first_byte_ms]

    yield from _evaluate("storage.tiering", snapshot, catalog, params, lambda b: True, colder_fast,
                         lambda gets, gb: True)


@rule("storage.ml_archive", params=defaults.MlArchive, needs=("inventory", "metrics"))
def ml_archive(snapshot: Snapshot, catalog: Any, params: defaults.MlArchive) -> Iterable[Recommendation | Skip]:
    """Old ML checkpoints and dataset versions in warm storage: archive them by lifecycle rule.

    Why: training writes checkpoints every few minutes and datasets keep every version;
    almost none is read again after a few weeks, yet it sits in Standard storage, often in
    buckets without lifecycle rules. How: buckets of training/data workloads, or whose name
    says checkpoint/dataset, that are rarely read (GETs per GB-month at most
    ``max_gets_per_gb_month``) get their old data (noncurrent versions when the bytes are
    split by ``version``) priced in the archive tiers (the slow ones ``storage.tiering``
    does not propose), net of retrieval, requests, transitions and early deletion. Impacts
    carry the first-byte latency (hours for deep archives) and the retrieval price.
    Example config::

        [rules."storage.ml_archive"]
        name_hints = ["ckpt", "snapshots"]
        max_gets_per_gb_month = 0.01
    """
    def is_ml(b: Resource) -> bool:
        name = (b.name or b.id).lower()
        return (b.workload in params.workloads or (b.tag("costopt:workload") or "") in params.workloads
                or any(h in name for h in params.name_hints))

    def archives(tiers: list[StorageTier], cur: StorageTier) -> list[StorageTier]:
        slow = [t for t in tiers if t.gb_month < cur.gb_month]
        return slow[-2:]  # the two coldest tiers: archive and deep archive

    def rarely_read(gets: float, gb: float) -> bool:
        return gb > 0 and gets / gb <= params.max_gets_per_gb_month

    yield from _evaluate("storage.ml_archive", snapshot, catalog, params, is_ml, archives, rarely_read)
