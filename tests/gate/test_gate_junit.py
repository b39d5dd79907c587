"""JUnit XML of the budget checks, validated against a Jenkins-style JUnit schema."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from costopt.gate import Budget, CheckResult, evaluate_budgets
from costopt.model import Recommendation, SloVerdict
from costopt.reports import render
from tests.gate.spend import make_audit

etree = pytest.importorskip("lxml.etree")
XSD = Path(__file__).with_name("jenkins-junit.xsd")


@pytest.fixture(scope="module")
def schema():
    return etree.XMLSchema(etree.parse(str(XSD)))


def validate(schema, text: str):
    doc = etree.fromstring(text.encode("utf-8"))
    assert schema.validate(doc), schema.error_log
    return doc


def gated_audit(**kw):
    audit = make_audit(date(2026, 10, 19), date(2026, 11, 23), lambda d: 100.0, **kw)
    budgets = [
        Budget("total", None, "month", warn=2000, fail=2500),       # forecast 3,000: fail
        Budget("provider", "AWS", "week", warn=400, fail=1000),     # 490: warn
        Budget("tag", "vision", "window", fail=1e6),                # pass
        Budget("service", "Nope & <Co>", "week", fail=1),           # skipped: no rows
    ]
    from dataclasses import replace

    return replace(audit, budgets=tuple(evaluate_budgets(audit, budgets)))


def test_one_testcase_per_check_with_amounts(schema):
    doc = validate(schema, render(gated_audit(), "junit"))
    [suite] = [s for s in doc.findall("testsuite") if s.get("name") == "costopt.budgets"]
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == ["total month", "provider=AWS week", "team=vision window",
                                              "service=Nope & <Co> week"]
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("4", "1", "1")
    failure = cases[0].find("failure")
    assert failure is not None and failure.get("type") == "BudgetExceeded"
    assert "$3,000.00" in failure.get("message") and "$2,500.00" in failure.get("message")
    assert "month to date $2,200.00" in failure.get("message")
    assert "WARN" in cases[1].find("system-out").text and cases[1].find("failure") is None
    assert cases[2].find("failure") is None and cases[2].find("skipped") is None
    skipped = cases[3].find("skipped")
    assert cases[3].get("name") == "service=Nope & <Co> week"  # escaped by the XML library, read back intact
    assert "no spend rows match" in skipped.get("message")
    assert doc.get("tests") == "4" and doc.get("failures") == "1"


def test_slo_suite(schema):
    recs = (
        Recommendation(id="rec-a", rule_id="rightsizing.gpu", resource_id="fraud-detector", action="resize",
                       slo=SloVerdict("ok", ("p95 62 ms <= 80 ms",))),
        Recommendation(id="rec-b", rule_id="autoscaling.serverless", resource_id="recsys-ranker", action="serverless",
                       slo=SloVerdict("breach", ("cold start 2.1 s > p95 target 150 ms",))),
        Recommendation(id="rec-c", rule_id="idle.volume", resource_id="vol-1", action="delete"),
        Recommendation(id="rec-d", rule_id="spot.training", resource_id="train-nlp", action="spot",
                       slo=SloVerdict("unknown", ("no latency metrics",))),
    )
    audit = gated_audit(recommendations=recs)
    doc = validate(schema, render(audit, "junit"))
    [slo] = [s for s in doc.findall("testsuite") if s.get("name") == "costopt.slo"]
    assert (slo.get("tests"), slo.get("failures"), slo.get("skipped")) == ("3", "1", "1")
    breach = slo.findall("testcase")[1]
    assert "cold start" in breach.find("failure").get("message")
    no_slo = validate(schema, render(audit, "junit", slo=False))
    assert [s.get("name") for s in no_slo.findall("testsuite")] == ["costopt.budgets"]


def test_no_budgets_and_hostile_text_still_valid(schema):
    audit = make_audit(date(2026, 11, 1), date(2026, 11, 3))
    doc = validate(schema, render(audit, "junit"))
    assert doc.find("testsuite").get("tests") == "0"
    hostile = CheckResult("x", "team=\x07<script>\"'&]]>", "tag", "week", "fail", "USD", 5.0, None, None, 1.0,
                          "spend \x1b[31m5\x00 ]]> exceeds")
    text = render(audit, "junit", checks=[hostile])
    doc = validate(schema, text)
    case = doc.find("testsuite/testcase")
    assert case.get("name") == "team=\\x07<script>\"'&]]> week"  # BEL shown escaped, not dropped
    assert "]]>" in case.find("failure").get("message")
