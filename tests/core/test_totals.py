"""Honest headline and per-currency totals: nothing is added across currencies, and findings
without a point estimate never reach the savings range."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from costopt.calendar import audit_calendar
from costopt.commands.audit import summary_lines
from costopt.reports import charts, render, view
from costopt.totals import audit_savings, build_totals, to_investigate
from tests.reports.sample_audit import make_audit, rec


def investigate(upper: float, resource: str = "nat-1"):
    r = rec("egress.nat_to_gateway_endpoint", resource, "investigate: find S3 traffic through the NAT", 0.0)
    return replace(r, monthly_savings=0.0, savings_low=0.0, savings_high=upper)


PRICED = (rec("idle.unattached_volume", "vol-1", "delete", 100.0), rec("spot.training", "i-1", "move to spot", 250.0))


def test_investigate_items_stay_out_of_the_range():
    audit = make_audit(recs=PRICED + (investigate(15000.0), investigate(500.0, "nat-2")), with_extras=False)
    h = view.headline(audit)
    assert h.savings.monthly_savings == pytest.approx(350.0)
    assert h.savings.savings_low == pytest.approx(sum(r.savings_low for r in PRICED))
    assert h.savings.savings_high == pytest.approx(math.fsum(r.savings_high for r in PRICED))  # 385, not 15,885
    assert (h.savings.priced, h.savings.investigate, h.savings.investigate_upper) == (2, 2, pytest.approx(15500.0))
    md = render(audit, "md")
    assert "range $280–$385) from 2 priced recommendations, plus up to $15,500/month to investigate in 2 findings" in md
    assert "| up to $15,000 (investigate) |" in md
    assert "plus up to $15,500/month to investigate in 2 finding(s)" in summary_lines(audit)[0]
    assert "to investigate in 2 findings" in render(audit, "html")


def test_savings_never_add_currencies():
    eur = tuple(replace(r, currency="EUR") for r in PRICED)  # priced from an EUR bill
    usd = (replace(rec("rightsizing.oversized_vm", "vm-9", "resize", 40.0), currency="USD"),)  # a USD catalog price
    audit = replace(make_audit(recs=eur + usd, with_extras=False), currency="EUR")
    lines = audit_savings(audit)
    assert [(line.currency, line.monthly_savings, line.priced) for line in lines] == [("EUR", 350.0, 2), ("USD", 40.0, 1)]
    h = view.headline(audit)
    assert h.savings.monthly_savings == pytest.approx(350.0)
    assert h.savings_share == pytest.approx(350.0 / h.monthly_run_rate)
    md = render(audit, "md")
    assert "**Potential savings: €350/month**" in md
    assert "Priced in USD (not converted): $40/month from 1 recommendations" in md
    assert "priced in USD (not converted): $40/month" in summary_lines(audit)[1]
    [bars] = charts.savings_by(audit, "family", "Savings by family", "#000").data
    assert dict(zip(bars.y, bars.x)) == {"spot": 250.0, "idle": 100.0}  # the USD resize is not on the EUR axis


def test_pipeline_totals_per_currency():
    eur = tuple(replace(r, currency="EUR") for r in PRICED)
    usd = (replace(rec("rightsizing.oversized_vm", "vm-9", "resize", 40.0), currency="USD"),)
    audit = make_audit(recs=eur + usd, with_extras=False)
    cal = audit_calendar(audit.window, [])
    totals = build_totals(eur + usd, (), "EUR", 0.0, cal, {})
    assert totals.monthly_savings == 350.0 and totals.by_family == {"spot": 250.0, "idle": 100.0}
    assert [c.currency for c in totals.by_currency] == ["EUR", "USD"]
    assert totals.by_currency[1].by_provider == {"AWS": 40.0}
    assert totals.savings_share_of_run_rate is None  # no billing: no run-rate, no share


def test_to_investigate():
    assert to_investigate(investigate(10.0)) and not to_investigate(PRICED[0])
