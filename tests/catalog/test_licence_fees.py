"""RHEL, SQL Server and SUSE EC2 instances priced from the catalog when the Price List API is unavailable.

Cited facts (USD, us-east-1 unless said):
- AWS EC2 User Guide, "Optimize CPUs for License-Included instances", price per vCPU hour:
  Windows Server $0.046, Windows + SQL Server Standard $0.166, + Enterprise $0.421, + Web $0.063.
- SQL Server is licensed for at least 4 vCPUs (Microsoft Product Terms, quoted on AWS "License
  Mobility: SQL Server"); a Price List API record shows it: r5.large (2 vCPU) "Windows with SQL Web"
  eu-west-1 = $0.301 (EU-BoxUsage:r5.large, RunInstances:0202), i.e. Windows $0.233 + 4 x $0.017.
- RHEL, per-vCPU pricing from 2024-07-01 (AWS "RHEL pricing" FAQ, examples quoted in
  qiita.com/AlmondTofu/items/b15810c51c9548425365): c5.xlarge (4 vCPU) RHEL -$0.0024/h from
  $0.17 + $0.06 = $0.2276; c5.4xlarge (16 vCPU) +$0.0428/h from $0.68 + $0.13 = $0.8528.
- Linux list prices: m5.large $0.096, m5.xlarge $0.192, m5.2xlarge $0.384 (aws/karpenter-provider-aws
  table, 2026-07-20); Windows m5.large $0.188, m5.xlarge $0.376 (AWS EC2 On-Demand pricing page).
So m5.large: RHEL 0.096 + 2 x 0.0144 = 0.1248, Windows + SQL Std 0.096 + 2 x 0.046 + 4 x 0.12 = 0.668;
m5.xlarge: RHEL 0.2496, SQL Std 0.192 + 4 x 0.166 = 0.856. SUSE: no trustworthy current figure was
found, so SUSE stays the Linux price, labelled a lower bound everywhere it is shown.
"""

from __future__ import annotations

from datetime import date

import pytest

from costopt import price_trust
from costopt.catalog import load_catalog
from costopt.catalog.staleness import price_confidence
from costopt.commands.audit import top_actions
from costopt.config import Settings
from costopt.model import HOURS_PER_MONTH, Recommendation
from costopt.pipeline import build_audit
from costopt.providers.aws.adapter import priced
from costopt.providers.aws.platform import attributes_of
from costopt.providers.aws.prices import PriceBook
from costopt.rules import defaults
from costopt.rules.commitments import reserved_instances
from costopt.rules.model_variants import cheaper_variant
from costopt.rules.rightsizing import oversized_vm
from costopt.rules.spot import interruptible_workload
from costopt.tradeoff.targets import parse_targets
from tests.conftest import make_resource, make_series, make_snapshot, make_window
from tests.reports.sample_audit import make_audit

WEEKS = 14 * 24 * 12


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(None, use_cache=False)


@pytest.mark.parametrize(("type_", "os", "list_price"), [
    ("m5.large", "windows", 0.188), ("m5.xlarge", "windows", 0.376),
    ("m5.large", "rhel", 0.1248), ("m5.xlarge", "rhel", 0.2496),
    ("c5.xlarge", "rhel", 0.2276), ("c5.4xlarge", "rhel", 0.8528),  # the FAQ's before/after examples
    ("m5.large", "windows_sql_std", 0.668), ("m5.xlarge", "windows_sql_std", 0.856),
    ("m5.large", "windows_sql_web", 0.256), ("m5.xlarge", "windows_sql_ent", 0.192 + 4 * 0.421),
])
def test_licence_fees_match_cited_list_prices(catalog, type_, os, list_price):
    price = catalog.price("aws", "us-east-1", type_, os=os)
    assert price.amount == pytest.approx(list_price, abs=1e-9)
    assert price.estimate and price.source.startswith(f"estimate:licence-fee:{os} x ")


def test_sql_server_minimum_of_four_vcpus_against_a_price_list_record(catalog):
    linux = catalog.price("aws", "eu-west-1", "r5.large").amount  # 2 vCPU
    web = catalog.price("aws", "eu-west-1", "r5.large", os="windows_sql_web")
    assert web.amount == pytest.approx(linux + 2 * 0.046 + 4 * 0.017)
    assert web.amount == pytest.approx(0.301, abs=1e-3)  # the Price List record, EU-BoxUsage:r5.large


def test_suse_is_a_labelled_lower_bound_and_unknown_os_keys_have_no_price(catalog):
    linux = catalog.price("aws", "us-east-1", "m5.large")
    suse = catalog.price("aws", "us-east-1", "m5.large", os="suse")
    assert suse.amount == linux.amount and suse.estimate
    assert suse.source == f"estimate:licence-unknown x {linux.source}"
    assert catalog.price("aws", "us-east-1", "m5.large", os="plan9") is None


def test_licence_estimates_never_give_medium_or_high_confidence(catalog):
    today = date(2026, 7, 21)  # the Linux table is one day old: fresh
    for os in ("windows", "rhel", "windows_sql_std", "suse"):
        price = catalog.price("aws", "us-east-1", "m5.large", os=os)
        assert price_confidence("high", [price], today) == "low"
    assert price_confidence("high", [catalog.price("aws", "us-east-1", "m5.large")], today) == "high"


def _book(catalog):
    return PriceBook(None, catalog)  # the Price List API is unavailable: the catalog fallback


def test_adapter_prices_rhel_and_sql_with_the_fee_and_flags_suse_as_a_lower_bound(catalog):
    def box(iid, details, operation):
        attrs = attributes_of({"PlatformDetails": details, "UsageOperation": operation})
        return make_resource(iid, type="m5.xlarge", hourly_cost=None, attributes={**attrs, "state": "running"})

    boxes = [box("i-rhel", "Red Hat Enterprise Linux", "RunInstances:0010"),
             box("i-sql", "Windows with SQL Server Standard", "RunInstances:0006"),
             box("i-suse", "SUSE Linux", "RunInstances:000g")]
    out = {r.id: r for r in priced(boxes, _book(catalog), workers=1)}
    assert out["i-rhel"].hourly_cost == pytest.approx(0.2496)
    assert out["i-sql"].hourly_cost == pytest.approx(0.856)
    assert out["i-suse"].hourly_cost == pytest.approx(0.192)
    assert "price_is_lower_bound" not in out["i-rhel"].attributes
    assert "price_is_lower_bound" not in out["i-sql"].attributes
    assert "suse licence fee" in out["i-suse"].attributes["price_is_lower_bound"]


def _cpu(rid, level):
    return [make_series(rid, "cpu", [level] * WEEKS), make_series(rid, "memory", [10.0] * WEEKS)]


def test_resize_keeps_the_licence_before_and_after(catalog):
    for os, fee in (("rhel", lambda v: 0.0144 * v), ("windows_sql_std", lambda v: 0.046 * v + 0.12 * max(v, 4))):
        box = make_resource("i-db", type="m5.2xlarge", hourly_cost=None, attributes={"os": os})
        (rec,) = [r for r in oversized_vm(make_snapshot([box], _cpu("i-db", 8.0)), catalog, defaults.OversizedVm())
                  if isinstance(r, Recommendation)]
        after = catalog.instance("aws", rec.proposed.type)
        linux_after = catalog.price("aws", "us-east-1", rec.proposed.type).amount
        assert rec.monthly_cost_before == pytest.approx((0.384 + fee(8)) * HOURS_PER_MONTH)
        assert rec.monthly_cost_after == pytest.approx((linux_after + fee(after.vcpu)) * HOURS_PER_MONTH)
        assert rec.evidence.price_source.startswith(f"estimate:licence-fee:{os}")


def test_spot_and_reservations_keep_the_licence(catalog):
    batch = make_resource("i-b", type="m5.xlarge", workload="batch", attributes={"os": "rhel"})
    (spot,) = [r for r in interruptible_workload(make_snapshot([batch]), catalog, defaults.InterruptibleWorkload())
               if isinstance(r, Recommendation)]
    assert spot.evidence.facts["on_demand_hourly"] == pytest.approx(0.2496)
    assert spot.evidence.facts["spot_hourly"] == pytest.approx(0.192 * 0.40 + 4 * 0.0144)  # the licence is not discounted
    web = make_resource("i-w", type="m5.large", workload="inference", count=4,
                        attributes={"os": "windows_sql_std", "platform": "Windows with SQL Server Standard"})
    snap = make_snapshot([web], [make_series("i-w", "cpu", [50.0] * WEEKS)])
    recs = [r for r in reserved_instances(snap, catalog, defaults.ReservedInstances()) if isinstance(r, Recommendation)]
    assert recs and all(r.monthly_cost_before == pytest.approx(0.668 * HOURS_PER_MONTH * r.proposed.count)
                        for r in recs)


def test_a_suse_finding_says_lower_bound_in_evidence_and_on_the_terminal(catalog):
    box = make_resource("i-suse", type="m5.2xlarge", hourly_cost=None, attributes={"os": "suse"})
    (rec,) = [r for r in oversized_vm(make_snapshot([box], _cpu("i-suse", 8.0)), catalog, defaults.OversizedVm())
              if isinstance(r, Recommendation)]
    assert rec.monthly_cost_before == pytest.approx(0.384 * HOURS_PER_MONTH)  # Linux: the licence is missing
    (trusted,) = price_trust.apply([rec], [])
    assert trusted.confidence == "low"
    assert "not known to costopt" in trusted.evidence.price_is_lower_bound
    assert "lower bound" in trusted.evidence.confidence_lowered
    audit = make_audit(with_extras=False)
    audit = type(audit)(**{**audit.__dict__, "recommendations": (trusted,)})
    assert top_actions(audit)[1].endswith("[lower-bound price]")
    assert "1 rest on a lower-bound price" in price_trust.estimates_text([trusted])


def test_an_idle_suse_box_priced_by_the_adapter_says_lower_bound_through_the_audit(catalog):
    w = make_window(14)
    attrs = {**attributes_of({"PlatformDetails": "SUSE Linux", "UsageOperation": "RunInstances:000g"}), "state": "running"}
    (box,) = priced([make_resource("i-suse", type="m5.xlarge", hourly_cost=None, attributes=attrs)], _book(catalog),
                    workers=1)
    n = 14 * 24 * 12
    metrics = [make_series("i-suse", "cpu", [0.5] * n, start=w.start),
               make_series("i-suse", "network_out", [0.0] * n, start=w.start, unit="Bytes")]
    audit = build_audit(make_snapshot([box], metrics, window=w), Settings(), catalog)
    (idle,) = [r for r in audit.recommendations if r.rule_id == "idle.instance"]
    assert idle.monthly_cost_before == pytest.approx(0.192 * HOURS_PER_MONTH)  # Linux: the SUSE fee is missing
    assert "suse licence fee" in idle.evidence.price_is_lower_bound
    assert any(line.endswith("[lower-bound price]") for line in top_actions(audit))
    assert "1 rest on a lower-bound price" in price_trust.estimates_text(audit.recommendations)


def test_a_cheaper_model_variant_on_a_smaller_windows_type_keeps_the_licence(catalog):
    """model.cheaper_variant (a resize): a Windows c5.4xlarge fleet (AWS list price, us-east-1:
    Linux $0.68 + 16 x $0.046 = $1.416/h) serving an int8 variant that needs half the compute; the
    cheapest type with the capacity, inf1.xlarge (4 vCPU, Linux $0.228/h in the bundled table), is
    priced as Windows ($0.228 + 4 x $0.046 = $0.412/h), not as Linux."""
    settings = Settings(workloads={"search-embed": {"resources": ["search-embed"], "latency_p95_ms": 120,
                                                   "min_accuracy": 0.90}},
                        models={"search-embed": {"variants": {
                            "fp32": {"accuracy": 0.912, "relative_compute": 1.0},
                            "int8": {"accuracy": 0.905, "relative_compute": 0.5}}}})
    fleet = make_resource("search-embed", kind="autoscaling_group", type="c5.4xlarge", count=6, name="search-embed",
                          hourly_cost=6 * 1.416, attributes={"os": "windows", "platform": "Windows"})
    recs = [r for r in cheaper_variant(make_snapshot([fleet]), catalog, defaults.CheaperVariant(),
                                       parse_targets(settings)) if isinstance(r, Recommendation)]
    smaller = [r for r in recs if r.proposed.type != "c5.4xlarge"]
    assert smaller
    for rec in smaller:
        spec = catalog.instance("aws", rec.proposed.type)
        linux = catalog.price("aws", "us-east-1", rec.proposed.type).amount
        windows = linux + 0.046 * spec.vcpu
        assert rec.monthly_cost_after == pytest.approx(windows * rec.proposed.count * HOURS_PER_MONTH)
    (inf1,) = [r for r in smaller if r.proposed.type == "inf1.xlarge"]
    assert inf1.monthly_savings == pytest.approx(6 * (1.416 - 0.412) * HOURS_PER_MONTH)
