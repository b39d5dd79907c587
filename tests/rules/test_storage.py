"""storage.tiering and storage.ml_archive: table-driven buckets in, transitions (or nothing) out."""

import numpy as np
import pytest

from costopt.model import MetricSeries, Recommendation, Skip
from costopt.rules import defaults
from costopt.rules.storage import ml_archive, tiering
from tests.conftest import make_resource, make_series, make_snapshot
from tests.rules.tiny_catalog import tiny_catalog

GiB = 1024.0 ** 3
HOURS = 14 * 24


def bytes_series(bucket, gb, storage_class="STANDARD", version=None, hours=HOURS, daily_drop_gb=0.0):
    values = np.full(hours, gb * GiB)
    if daily_drop_gb:
        # sawtooth: grows back during the day, drops daily_drop_gb at midnight
        values = values + (np.arange(hours) % 24) / 23.0 * daily_drop_gb * GiB
    s = make_series(bucket, "bytes_stored", values, period_s=3600, unit="Bytes", stat="Average")
    dims = {"storage_class": storage_class}
    if version:
        dims["version"] = version
    return MetricSeries(s.resource_id, s.metric, s.unit, s.period_s, s.timestamps, s.values, s.stat, dims)


def bucket_snapshot(name="ml-datasets-123456789012", gb=100_000.0, objects=10_000_000, gets_per_hour=1000.0,
                    storage_class="STANDARD", region="us-east-1", daily_drop_gb=0.0, workload=None, extra=(),
                    with_gets=True, **attrs):
    b = make_resource(name, kind="bucket", type="", region=region, hourly_cost=None, name=name,
                      workload=workload, attributes=attrs)
    metrics = [bytes_series(name, gb, storage_class, daily_drop_gb=daily_drop_gb), *extra]
    if objects is not None:
        metrics.append(make_series(name, "objects", np.full(HOURS, float(objects)), period_s=3600, unit="Count",
                                   stat="Average"))
    if with_gets:
        metrics.append(make_series(name, "gets", np.full(HOURS, gets_per_hour), period_s=3600, unit="Count",
                                   stat="Sum"))
    return make_snapshot([b], metrics)


def expected_ia_net(gb, objects, gets_month):
    """The STANDARD -> STANDARD_IA economics, written out independently of the rule."""
    avg_gb = gb / objects
    storage = gb * (0.023 - 0.0125)
    retrieval = gets_month * avg_gb * 0.01
    requests = gets_month / 1000 * (0.001 - 0.0004)
    transition = objects / 1000 * 0.01 / 12
    return storage - retrieval - requests - transition


def recs(out):
    return [o for o in out if isinstance(o, Recommendation)]


def test_cold_dataset_moves_to_infrequent_access_net_of_every_cost():
    out = list(tiering(bucket_snapshot(), tiny_catalog(), defaults.StorageTiering()))
    by_tier = {r.proposed.storage_class: r for r in recs(out)}
    assert set(by_tier) == {"STANDARD_IA", "GLACIER_IR"}  # DEEP_ARCHIVE is too slow for this rule
    ia = by_tier["STANDARD_IA"]
    assert ia.monthly_savings == pytest.approx(expected_ia_net(100_000, 10_000_000, 730_000))
    assert ia.monthly_savings < ia.evidence.facts["storage_saving"]
    assert ia.impacts.first_byte_ms_after == 50 and ia.impacts.retrieval_per_gb == 0.01
    assert ia.proposed.after_days == 30  # S3 moves to IA only after 30 days
    assert '"StorageClass": "STANDARD_IA"' in ia.apply and "put-bucket-lifecycle-configuration" in ia.apply
    assert {r.alternative_group for r in recs(out)} == {"ml-datasets-123456789012"}


CASES = [
    # (name, snapshot kwargs, expected tiers)
    ("hot feature store: retrieval eats the saving", dict(name="feature-store", gets_per_hour=2_000_000.0), set()),
    ("tiny objects: billed at 128 KB minimum", dict(gb=1_000.0, objects=500_000_000, gets_per_hour=0.0), set()),
    # 900 GB a day written and deleted: charged as early deletion (upper bound), which rules out IA
    # (1,000 GB x 0.0125 x 30/30 > 10.5 saved) but not GLACIER_IR (12 < 19 saved).
    ("churn: early deletion", dict(gb=1_000.0, objects=1_000, gets_per_hour=0.0, daily_drop_gb=900.0),
     {"GLACIER_IR"}),
    ("already infrequent access", dict(storage_class="STANDARD_IA", gets_per_hour=0.0), {"GLACIER_IR"}),
    ("object count unknown: only tiers without a minimum object size", dict(objects=None, gets_per_hour=0.0), set()),
]


@pytest.mark.parametrize("name, kwargs, tiers", CASES, ids=[c[0] for c in CASES])
def test_tiering_table(name, kwargs, tiers):
    out = list(tiering(bucket_snapshot(**kwargs), tiny_catalog(), defaults.StorageTiering()))
    assert not [o for o in out if isinstance(o, Skip)]
    assert {r.proposed.storage_class for r in recs(out)} == tiers
    assert all(r.monthly_savings > 0 and r.savings_low >= 0 for r in recs(out))


@pytest.mark.parametrize("kwargs, catalog, reason", [
    (dict(with_gets=False), "tiny", "no gets metric"),
    (dict(storage_class="WEIRD"), "tiny", "not in the catalog"),
    (dict(region="ap-south-1"), "tiny", "no storage tier prices"),
    (dict(), None, "no price catalog"),
])
def test_tiering_skips_with_reason(kwargs, catalog, reason):
    out = list(tiering(bucket_snapshot(**kwargs), tiny_catalog() if catalog else None, defaults.StorageTiering()))
    assert out and isinstance(out[0], Skip) and reason in out[0].reason


def test_too_little_data_is_a_skip():
    b = make_resource("b", kind="bucket", type="")
    s = bytes_series("b", 1000.0, hours=10)
    [skip] = list(tiering(make_snapshot([b], [s]), tiny_catalog(), defaults.StorageTiering()))
    assert "hours of bytes_stored" in skip.reason


def test_checkpoints_go_to_deep_archive_with_latency_impact():
    snap = bucket_snapshot(name="ml-checkpoints-123456789012", gb=50_000.0, objects=200_000, gets_per_hour=0.1)
    out = recs(ml_archive(snap, tiny_catalog(), defaults.MlArchive()))
    by_tier = {r.proposed.storage_class: r for r in out}
    assert "DEEP_ARCHIVE" in by_tier
    deep = by_tier["DEEP_ARCHIVE"]
    assert deep.impacts.first_byte_ms_after == 12 * 3600 * 1000.0
    assert deep.performance_risk == 2
    assert deep.monthly_savings == pytest.approx(deep.evidence.facts["storage_saving"] - deep.evidence.facts["retrieval_cost"]
                                                 - deep.evidence.facts["request_cost"] - deep.evidence.facts["early_deletion_cost"]
                                                 - deep.evidence.facts["transition_cost_amortised"])
    assert deep.evidence.facts["note"] == "bucket has no lifecycle rules; reads from the gets metric"


def test_old_dataset_versions_use_noncurrent_transitions():
    snap = bucket_snapshot(name="ml-datasets-1", gb=100_000.0, objects=1_000_000, gets_per_hour=1.0)
    metrics = [m for m in snap.metrics if m.metric != "bytes_stored"]
    metrics += [bytes_series("ml-datasets-1", 100_000.0, version="current"),
                bytes_series("ml-datasets-1", 300_000.0, version="noncurrent")]
    out = recs(ml_archive(make_snapshot(snap.resources, metrics), tiny_catalog(), defaults.MlArchive()))
    noncurrent = [r for r in out if r.current["version"] == "noncurrent"]
    assert noncurrent and all("NoncurrentVersionTransitions" in r.apply for r in noncurrent)
    assert len({r.id for r in out}) == len(out)


def test_repeated_series_are_pooled_not_double_counted():
    snap = bucket_snapshot(gets_per_hour=0.0)
    doubled = make_snapshot(snap.resources, snap.metrics + tuple(m for m in snap.metrics if m.metric == "bytes_stored"))
    one = {r.id: r.monthly_savings for r in recs(tiering(snap, tiny_catalog(), defaults.StorageTiering()))}
    two = {r.id: r.monthly_savings for r in recs(tiering(doubled, tiny_catalog(), defaults.StorageTiering()))}
    assert one == pytest.approx(two) and one


def test_ml_archive_leaves_hot_or_non_ml_buckets_alone():
    hot = bucket_snapshot(name="ml-checkpoints-x", gets_per_hour=10_000.0)
    assert recs(ml_archive(hot, tiny_catalog(), defaults.MlArchive())) == []
    other = bucket_snapshot(name="web-logs", gets_per_hour=0.0)
    assert list(ml_archive(other, tiny_catalog(), defaults.MlArchive())) == []
    tagged = bucket_snapshot(name="web-logs", gets_per_hour=0.0, workload="training")
    assert recs(ml_archive(tagged, tiny_catalog(), defaults.MlArchive()))


def test_alternatives_for_one_bucket_are_never_added_up():
    from costopt.config import Settings
    from costopt.rules.engine import run_rules
    from costopt.tradeoff.selection import select

    snap = bucket_snapshot(name="ml-checkpoints-123456789012", gb=50_000.0, objects=200_000, gets_per_hour=0.1)
    run = run_rules(snap, tiny_catalog(), Settings(), only=["storage.tiering", "storage.ml_archive"])
    assert len(run.candidates) >= 3  # IA, Glacier IR (tiering) and the archives (ml_archive)
    chosen = select(run.candidates)
    assert len(chosen.selected) == 1
    best = max(r.monthly_savings for r in run.candidates)
    assert sum(r.monthly_savings for r in chosen.selected) == pytest.approx(best)


def cw_series(bucket, storage_type, gb):
    s = bytes_series(bucket, gb)
    return MetricSeries(s.resource_id, s.metric, s.unit, s.period_s, s.timestamps, s.values, s.stat,
                        {"storage_class": storage_type})


def test_cloudwatch_storage_types_map_to_classes_and_overheads_are_ignored():
    snap = bucket_snapshot(name="b", gets_per_hour=0.0)
    metrics = [m for m in snap.metrics if m.metric != "bytes_stored"]
    metrics += [cw_series("b", "StandardStorage", 100_000.0), cw_series("b", "GlacierObjectOverhead", 1.0),
                cw_series("b", "IntelligentTieringFAStorage", 5_000.0)]
    out = list(tiering(make_snapshot(snap.resources, metrics), tiny_catalog(), defaults.StorageTiering()))
    assert not [o for o in out if isinstance(o, Skip)]
    assert {r.current["storage_class"] for r in recs(out)} == {"STANDARD"}


def test_entire_bucket_request_filter_is_not_added_to_prefix_filters():
    def gets(filter_id, per_hour):
        s = make_series("b", "gets", np.full(HOURS, per_hour), period_s=3600, unit="Count", stat="Sum")
        return MetricSeries("b", "gets", "Count", 3600, s.timestamps, s.values, "Sum", {"filter": filter_id})

    snap = bucket_snapshot(name="b", with_gets=False)
    base = list(snap.metrics)
    one = recs(tiering(make_snapshot(snap.resources, base + [gets("EntireBucket", 1000.0)]), tiny_catalog(),
                       defaults.StorageTiering()))
    both = recs(tiering(make_snapshot(snap.resources, base + [gets("EntireBucket", 1000.0), gets("prefix-a", 900.0)]),
                        tiny_catalog(), defaults.StorageTiering()))
    assert [r.monthly_savings for r in one] == pytest.approx([r.monthly_savings for r in both])
    assert one[0].evidence.facts["gets_per_month"] == pytest.approx(730_000)


def request_rows(resource_id, usage_type, count_per_day, days=14):
    from datetime import timedelta

    from tests.conftest import T0
    return [{"ProviderName": "AWS", "ChargeCategory": "Usage", "ServiceName": "Amazon S3", "ResourceId": resource_id,
             "ChargePeriodStart": T0 + timedelta(days=d), "ChargePeriodEnd": T0 + timedelta(days=d + 1),
             "x_UsageType": usage_type, "ConsumedQuantity": float(count_per_day), "BilledCost": 0.01,
             "EffectiveCost": 0.01, "BillingCurrency": "USD"} for d in range(days)]


def test_reads_come_from_billing_when_request_metrics_are_off():
    import pandas as pd

    from tests.rules.billing_frames import billing_table

    snap = bucket_snapshot(name="ml-datasets-1", with_gets=False)
    rows = request_rows("arn:aws:s3:::ml-datasets-1", "USE1-Requests-Tier2", 24_000) + \
        request_rows("arn:aws:s3:::ml-datasets-1", "USE1-Requests-Tier1", 10)
    with_billing = make_snapshot(snap.resources, snap.metrics, billing=billing_table(pd.DataFrame(rows)))
    [ia, *_] = sorted(recs(tiering(with_billing, tiny_catalog(), defaults.StorageTiering())),
                      key=lambda r: r.proposed.storage_class != "STANDARD_IA")
    assert ia.evidence.facts["gets_per_month"] == pytest.approx(24_000 * 730 / 24)
    assert ia.monthly_savings == pytest.approx(expected_ia_net(100_000, 10_000_000, 730_000))
    assert "billing" in ia.evidence.facts["note"]
    # Billing that itemises only PUTs says: no reads at all.
    puts_only = make_snapshot(snap.resources, snap.metrics, billing=billing_table(pd.DataFrame(
        request_rows("ml-datasets-1", "USE1-Requests-Tier1", 10))))
    assert all(r.evidence.facts["gets_per_month"] == 0 for r in recs(tiering(puts_only, tiny_catalog(),
                                                                       defaults.StorageTiering())))
    # Billing without request rows for the bucket: unknown -> skip.
    other = make_snapshot(snap.resources, snap.metrics, billing=billing_table(pd.DataFrame(
        request_rows("another-bucket", "USE1-Requests-Tier2", 10))))
    [skip] = list(tiering(other, tiny_catalog(), defaults.StorageTiering()))
    assert "no request charges in billing" in skip.reason


def test_only_data_older_than_the_transition_age_is_moved():
    # 100 TB growing 1 TB a day: with a 30-day transition only ~70 TB are old enough.
    snap = bucket_snapshot(gets_per_hour=0.0)
    grow = bytes_series("ml-datasets-123456789012", 100_000.0)
    values = (100_000.0 - 1_000.0 * (HOURS - 1 - np.arange(HOURS)) / 24.0) * GiB
    grow = MetricSeries(grow.resource_id, grow.metric, grow.unit, grow.period_s, grow.timestamps, values, grow.stat,
                        grow.dimensions)
    metrics = [m for m in snap.metrics if m.metric != "bytes_stored"] + [grow]
    ia = next(r for r in recs(tiering(make_snapshot(snap.resources, metrics), tiny_catalog(), defaults.StorageTiering()))
              if r.proposed.storage_class == "STANDARD_IA")
    assert ia.proposed.gb_moved == pytest.approx(100_000.0 - 1_000.0 * 30, rel=1e-6)


def test_azure_storage_accounts_are_judged_like_buckets():
    from costopt.rules.storage import STORAGE_KINDS, _bucket_inputs
    from tests.conftest import make_resource, make_series, make_snapshot

    account = make_resource("/subscriptions/s/rg/x/storageaccounts/ml", provider="azure", kind="storage_account",
                            type="Standard_LRS")
    stored = make_series(account.id, "bytes_stored", [1e12] * 3, period_s=86400, unit="Bytes", stat="Average")
    inputs = list(_bucket_inputs(make_snapshot([account], [stored])))
    assert "storage_account" in STORAGE_KINDS
    assert [(r.id, len(s)) for r, s, _, _ in inputs] == [(account.id, 1)]
