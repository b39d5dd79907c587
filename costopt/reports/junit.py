"""JUnit XML: each budget check (and each selected recommendation's SLO check) a test case.

Jenkins (junit step), GitLab (``artifacts:reports:junit``) and GitHub test-report actions
read this. Budget checks come from ``audit.budgets`` (costopt.sections.CheckResult): ``fail`` is a ``<failure>`` whose message carries the
amounts, ``skipped`` a ``<skipped>`` with the reason, ``warn`` a passing case whose
``<system-out>`` says WARN (JUnit has no warning state). With ``slo=True`` (the default) a
second suite holds one case per selected recommendation with an SLO verdict: ``breach`` is a
failure, ``unknown`` skipped.

Built with xml.etree (escaping is the library's job, never string formatting).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from typing import Any

from costopt.model import Audit
from costopt.reports.fmt import figure
from costopt.sanitize.xml_text import xml_text
from costopt.sections import CheckResult

BUDGET_SUITE = "costopt.budgets"
SLO_SUITE = "costopt.slo"


def _amount(value: float | None, unit: str) -> str:
    return "-" if value is None else figure(value, unit)


def _suite(parent: ET.Element, name: str, timestamp: str) -> ET.Element:
    return ET.SubElement(parent, "testsuite", {"name": name, "tests": "0", "failures": "0", "errors": "0",
                                               "skipped": "0", "time": "0", "timestamp": timestamp})


def _count(suite: ET.Element, status: str) -> None:
    suite.set("tests", str(int(suite.get("tests", "0")) + 1))
    key = {"fail": "failures", "skipped": "skipped"}.get(status)
    if key:
        suite.set(key, str(int(suite.get(key, "0")) + 1))


def _budget_case(suite: ET.Element, check: CheckResult) -> None:
    scope, period, unit = check.scope, check.period, check.unit
    name = f"{scope} {period}" + (f" ({check.name})" if check.name else "")
    case = ET.SubElement(suite, "testcase", {"name": xml_text(name), "time": "0",
                                             "classname": xml_text(f"{BUDGET_SUITE}.{check.scope_kind}")})
    status = check.status
    message = xml_text(check.message)
    body = "\n".join([
        f"scope: {scope}", f"period: {period}",
        f"actual: {_amount(check.actual, unit)}", f"forecast: {_amount(check.forecast, unit)}",
        f"warn: {_amount(check.warn, unit)}", f"fail: {_amount(check.fail, unit)}",
        f"status: {status}", message])
    if status == "fail":
        failure = ET.SubElement(case, "failure", {"message": message, "type": "BudgetExceeded"})
        failure.text = xml_text(body)
    elif status == "skipped":
        ET.SubElement(case, "skipped", {"message": message})
    elif status == "warn":
        out = ET.SubElement(case, "system-out")
        out.text = xml_text("WARN: " + body)
    else:
        out = ET.SubElement(case, "system-out")
        out.text = xml_text(body)
    _count(suite, status)


def _slo_cases(suite: ET.Element, audit: Audit) -> None:
    for rec in audit.recommendations:
        verdict = rec.slo.status
        if verdict == "unknown" and not rec.slo.reasons:
            continue
        case = ET.SubElement(suite, "testcase", {
            "name": xml_text(f"{rec.resource_name or rec.resource_id}: {rec.action}"),
            "classname": xml_text(f"{SLO_SUITE}.{rec.family}"), "time": "0"})
        reasons = "; ".join(rec.slo.reasons) or verdict
        if verdict == "breach":
            failure = ET.SubElement(case, "failure", {"message": xml_text(reasons), "type": "SloBreach"})
            failure.text = xml_text(f"{rec.id} {rec.rule_id}: {reasons}")
            _count(suite, "fail")
        elif verdict == "unknown":
            ET.SubElement(case, "skipped", {"message": xml_text(reasons)})
            _count(suite, "skipped")
        else:
            _count(suite, "pass")


def render(audit: Audit, *, slo: bool = True, checks: Iterable[CheckResult] | None = None,
           **_: Any) -> str:
    """JUnit XML of ``audit.budgets`` (or ``checks``) and, with ``slo``, the SLO verdicts."""
    timestamp = audit.run_at.strftime("%Y-%m-%dT%H:%M:%S")
    root = ET.Element("testsuites", {"name": "costopt"})
    budgets = _suite(root, BUDGET_SUITE, timestamp)
    for check in (audit.budgets if checks is None else checks):
        _budget_case(budgets, check)
    if slo:
        _slo_cases(_suite(root, SLO_SUITE, timestamp), audit)
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for suite in root:
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
