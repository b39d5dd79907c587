"""model.cheaper_variant: cheaper variants on fewer / cheaper instances, priced, with accuracy delta."""

from __future__ import annotations

from dataclasses import replace

import pytest

from costopt import price_trust
from costopt.catalog import bundled_catalog
from costopt.config import Settings
from costopt.model import Recommendation, Skip
from costopt.records import Current
from costopt.rules import defaults
from costopt.rules.engine import run_rules
from costopt.rules.model_variants import cheaper_variant
from costopt.tradeoff.targets import parse_targets
from tests.conftest import make_resource, make_snapshot
from tests.tradeoff import estate

MODELS = {
    "fraud-detector": {"current": "fp32", "variants": {
        "fp32": {"accuracy": 0.962, "relative_compute": 1.0},
        "fp16": {"accuracy": 0.961, "relative_compute": 0.55},
        "int8": {"accuracy": 0.948, "relative_compute": 0.35}}},
    "search-embed": {"variants": {
        "fp32": {"accuracy": 0.912, "relative_compute": 1.0},
        "int8": {"accuracy": 0.905, "relative_compute": 0.5, "runs_on_cpu": True}}},
}
WORKLOADS = {
    "fraud-detector": {"resources": ["fraud-detector"], "latency_p95_ms": 80, "min_accuracy": 0.955, "accuracy_metric": "AUC"},
    "search-embed": {"resources": ["search-embed"], "latency_p95_ms": 120, "min_accuracy": 0.90},
}


def run(resources, settings=None, params=None):
    settings = settings or Settings(workloads=WORKLOADS, models=MODELS)
    items = list(cheaper_variant(make_snapshot(resources), estate.catalog(), params or defaults.CheaperVariant(),
                                 parse_targets(settings)))
    return [i for i in items if isinstance(i, Recommendation)], [i for i in items if isinstance(i, Skip)]


def fraud(count=4, **kw):
    return make_resource("fraud-detector", kind="endpoint", type="ml.g4dn.xlarge", count=count, name="fraud-detector",
                         hourly_cost=kw.pop("hourly_cost", 0.7 * count), **kw)


def test_fewer_instances_for_cheaper_variants_with_accuracy_delta():
    recs, skips = run([fraud()])
    assert not skips
    by = {(r.proposed.variant, r.proposed.type): r for r in recs}
    fp16 = by[("fp16", "ml.g4dn.xlarge")]
    int8 = by[("int8", "ml.g4dn.xlarge")]
    assert fp16.proposed.count == 3  # ceil(4 x 0.55)
    assert int8.proposed.count == 2  # ceil(4 x 0.35)
    assert fp16.monthly_savings == pytest.approx(0.7 * 730)
    assert int8.monthly_savings == pytest.approx(2 * 0.7 * 730)
    assert int8.evidence.facts["accuracy_delta"] == pytest.approx(-0.014)
    assert int8.evidence.facts["accuracy_feasible"] is False and fp16.evidence.facts["accuracy_feasible"] is True
    assert int8.current == Current(type="ml.g4dn.xlarge", count=4, variant="fp32")
    assert all(r.alternative_group == "fraud-detector" for r in recs)
    assert "update-endpoint" in int8.apply
    # ids are stable
    again, _ = run([fraud()])
    assert {r.id for r in recs} == {r.id for r in again}


def test_cpu_variant_proposes_a_cheaper_cpu_type_only_when_allowed():
    search = make_resource("search-embed", kind="autoscaling_group", type="c5.4xlarge", count=6, name="search-embed",
                           hourly_cost=6 * 0.68)
    recs, _ = run([search])
    by = {(r.proposed.type, r.proposed.count) for r in recs}
    assert ("c5.4xlarge", 3) in by  # half the compute: half the boxes
    assert ("c5.2xlarge", 6) in by  # or the same count of half-size boxes
    no_cpu, _ = run([fraud()], params=replace(defaults.CheaperVariant(), consider_cpu=False))
    assert all(r.proposed.type.startswith("ml.g") for r in no_cpu)
    # fraud-detector's variants do not declare runs_on_cpu: never proposed on ml.c5
    fraud_recs, _ = run([fraud()])
    assert not any(r.proposed.type == "ml.c5.2xlarge" for r in fraud_recs)
    # ...unless a measured profile on that CPU type says it works
    measured = {**MODELS, "fraud-detector": {**MODELS["fraud-detector"], "variants": {
        **MODELS["fraud-detector"]["variants"],
        "int8": {"accuracy": 0.948, "relative_compute": 0.35, "throughput_rps": {"ml.c5.2xlarge": 1000}}}}}
    m_recs, _ = run([fraud()], Settings(workloads=WORKLOADS, models=measured))
    assert any(r.proposed.type == "ml.c5.2xlarge" for r in m_recs)


def test_min_instances_and_savings_threshold():
    recs, _ = run([fraud(count=1)])
    assert recs == []  # one instance: nothing fewer, and no cheaper GPU type in the catalog
    recs, _ = run([fraud()], params=replace(defaults.CheaperVariant(), min_instances=3))
    assert {r.proposed.count for r in recs} == {3}


def test_unpriced_resource_is_skipped_with_reason():
    odd = make_resource("fraud-detector", kind="endpoint", type="ml.inf9.huge", count=2, hourly_cost=None)
    recs, skips = run([odd])
    assert recs == [] and "no price" in skips[0].reason


def variants_from_engine(snap, settings):
    """What the rules phase proposes: every enabled rule run by the engine, this rule's candidates."""
    return [r for r in run_rules(snap, estate.catalog(), settings).candidates if r.rule_id == "model.cheaper_variant"]


def test_engine_passes_the_workloads_and_applies_config():
    snap = make_snapshot([fraud()])
    assert variants_from_engine(snap, Settings()) == []  # no workloads declared: nothing to switch
    settings = Settings(workloads=WORKLOADS, models=MODELS)
    found = variants_from_engine(snap, settings)
    assert {r.proposed.variant for r in found} == {"fp16", "int8"}
    assert found == run(snap.resources)[0]  # the engine hands the rule the parsed workloads, no more
    disabled = Settings(workloads=WORKLOADS, models=MODELS, rules={"model.cheaper_variant": {"enabled": False}})
    assert variants_from_engine(snap, disabled) == []
    excluded = Settings(workloads=WORKLOADS, models=MODELS, exclude={"resources": ["fraud-*"]})
    assert variants_from_engine(snap, excluded) == []
    tuned = Settings(workloads=WORKLOADS, models=MODELS, rules={"model.cheaper_variant": {"min_instances": 3}})
    assert {r.proposed.count for r in variants_from_engine(snap, tuned)} == {3}


def test_rule_docstring_explains_why_and_fix():
    doc = cheaper_variant.__doc__
    assert "Why" in doc and "How to fix" in doc and "[models." in doc


def test_group_is_proposed_once_not_per_member():
    ids = ["i-1", "i-2"]
    group = make_resource("asg", kind="autoscaling_group", type="c5.4xlarge", count=2, name="search-embed",
                          hourly_cost=2 * 0.68, attributes={"instance_ids": ids})
    members = [make_resource(i, type="c5.4xlarge", name="search-embed", hourly_cost=0.68) for i in ids]
    recs, _ = run([group, *members])
    assert recs and {r.resource_id for r in recs} == {"asg"}


def test_variant_prices_name_their_sources_so_estimates_lower_confidence():
    """A variant priced from a regional estimate says so: price trust caps it at "low" (issue 15 item 3)."""
    settings = Settings(workloads=WORKLOADS, models=MODELS)
    for region, estimated in (("ap-southeast-2", True), ("us-east-1", False)):
        search = make_resource("search-embed", kind="autoscaling_group", type="c5.4xlarge", count=6,
                               name="search-embed", region=region, hourly_cost=None)
        items = cheaper_variant(make_snapshot([search]), bundled_catalog(), defaults.CheaperVariant(),
                                parse_targets(settings))
        recs = [i for i in items if isinstance(i, Recommendation)]
        assert recs, region
        for rec in price_trust.apply(recs, stale=()):
            assert rec.evidence.price_sources, rec.action
            assert any(s.startswith("estimate:") for s in rec.evidence.price_sources) is estimated
            assert (rec.confidence == "low") is estimated, (region, rec.action, rec.confidence)
