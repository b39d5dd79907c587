"""The rules engine: registry, parameters from config, exclusions, failing rules, selection."""

from dataclasses import dataclass

import pytest

from costopt.config import ConfigSource, Settings, settings_from_mapping
from costopt.errors import ConfigError
from costopt.model import Recommendation, Skip, SloVerdict, recommendation_id
from costopt.rules.base import REGISTRY, rule
from costopt.rules.engine import params_for, run_rules
from costopt.tradeoff.selection import select
from tests.conftest import make_resource, make_snapshot


@dataclass(frozen=True)
class ThresholdParams:
    threshold: float = 10.0
    label: str = "x"


@pytest.fixture
def test_rules():
    """Two plug-in style rules registered for the test, removed afterwards."""
    added = []

    @rule("testfam.per_resource", params=ThresholdParams, needs=("inventory",))
    def per_resource(snapshot, catalog, params):
        """Emit one recommendation per resource whose cost is above the threshold."""
        for r in snapshot.resources:
            if r.hourly_cost * 730 > params.threshold:
                yield Recommendation(recommendation_id("testfam.per_resource", r.id, "stop"), "testfam.per_resource",
                                     r.id, "stop", monthly_savings=r.hourly_cost * 730, tags=dict(r.tags))
            else:
                yield Skip("testfam.per_resource", r.id, "below threshold")

    @rule("testfam.broken")
    def broken(snapshot, catalog, params):
        """Always fails, to prove a broken rule does not sink the audit."""
        raise RuntimeError("boom")

    added += ["testfam.per_resource", "testfam.broken"]
    yield
    for rid in added:
        REGISTRY.pop(rid, None)


def snapshot():
    return make_snapshot([make_resource("i-a", hourly_cost=1.0, tags={"team": "vision"}),
                          make_resource("i-b", hourly_cost=0.001)])


def test_rules_run_with_defaults_and_failures_are_named(test_rules):
    run = run_rules(snapshot(), None, Settings(), only=["testfam.per_resource", "testfam.broken"])
    assert [c.resource_id for c in run.candidates] == ["i-a"]
    reasons = {(s.rule_id, s.resource_id): s.reason for s in run.skipped}
    assert reasons == {("testfam.per_resource", "i-b"): "below threshold"}
    [failure] = run.failures
    assert failure.status == "failed" and failure.scope == "rule testfam.broken"
    assert failure.detail == "rule testfam.broken failed: RuntimeError: boom"


def test_config_overrides_parameters(test_rules):
    settings = settings_from_mapping({"rules": {"testfam.per_resource": {"threshold": 1000.0}}})
    run = run_rules(snapshot(), None, settings, only=["testfam.per_resource"])
    assert run.candidates == ()


def test_rule_can_be_disabled(test_rules):
    settings = settings_from_mapping({"rules": {"testfam.per_resource": {"enabled": False}, "testfam.broken": {"enabled": False}}})
    run = run_rules(snapshot(), None, settings)
    assert not any(c.rule_id.startswith("testfam") for c in run.candidates)
    assert not any(s.rule_id.startswith("testfam") for s in run.skipped)


@pytest.mark.parametrize("section, message", [
    ({"nonsense": 1}, "unknown parameter"),
    ({"threshold": "high"}, "expected a number"),
    ({"enabled": "yes"}, "expected true or false"),
])
def test_bad_rule_config_names_the_key(test_rules, section, message):
    text = '[rules."testfam.per_resource"]\n' + "".join(f"{k} = {v!r}\n".replace("'", '"') for k, v in section.items())
    settings = settings_from_mapping({"rules": {"testfam.per_resource": section}}, ConfigSource("c.toml", text))
    with pytest.raises(ConfigError, match=message) as exc:
        run_rules(snapshot(), None, settings)
    assert "c.toml" in str(exc.value) and "line 2" in str(exc.value)


def test_unknown_rule_id_is_an_error(test_rules):
    with pytest.raises(ConfigError, match="unknown rule id"):
        run_rules(snapshot(), None, settings_from_mapping({"rules": {"nope.rule": {}}}))


def test_exclusions_by_glob_and_tag(test_rules):
    by_glob = settings_from_mapping({"exclude": {"resources": ["i-*"]}})
    assert run_rules(snapshot(), None, by_glob, only=["testfam.per_resource"]).candidates == ()
    by_tag = settings_from_mapping({"exclude": {"tags": {"team": "vision"}}})
    assert run_rules(snapshot(), None, by_tag, only=["testfam.per_resource"]).candidates == ()


def test_params_for_keeps_types(test_rules):
    p = params_for(REGISTRY["testfam.per_resource"], {"threshold": 5})
    assert p.threshold == 5.0 and isinstance(p.threshold, float)


def rec(rid, rule_id, savings, slo="unknown", group=""):
    return Recommendation(recommendation_id(rule_id, rid, "x"), rule_id, rid, "x", monthly_savings=savings,
                          slo=SloVerdict(slo, ("p95 95 ms > 80 ms",) if slo == "breach" else ()), alternative_group=group)


def test_selection_keeps_one_alternative_and_never_double_counts():
    cands = [rec("i-1", "rightsizing.a", 50), rec("i-1", "spot.b", 80), rec("i-2", "idle.c", 10)]
    chosen = select(cands)
    assert sorted((r.resource_id, r.rule_id) for r in chosen.selected) == [("i-1", "spot.b"), ("i-2", "idle.c")]
    assert sum(r.monthly_savings for r in chosen.selected) == 90
    assert [r.rule_id for r in chosen.rejected] == ["rightsizing.a"]
    assert "alternative to spot.b" in chosen.rejected[0].rejection_reason


def test_strict_policy_rejects_breaches_advisory_flags_them():
    cands = [rec("i-1", "rightsizing.a", 50), rec("i-1", "rightsizing.b", 80, slo="breach")]
    strict = select(cands, "strict")
    assert [r.rule_id for r in strict.selected] == ["rightsizing.a"]
    assert "SLO breach" in strict.rejected[0].rejection_reason
    advisory = select(cands, "advisory")
    assert [r.rule_id for r in advisory.selected] == ["rightsizing.b"]
    assert advisory.selected[0].slo.status == "breach"
