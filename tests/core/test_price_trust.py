"""Recommendations priced from stale or estimated prices lose confidence, and the reports say so."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from costopt import price_trust
from costopt.audit_extras import Extras, StalePrice
from costopt.commands.audit import summary_lines
from costopt.model import PriceSource
from costopt.reports import render, view
from tests.reports.sample_audit import make_audit, rec

OLD = PriceSource("aws", "aws-ec2-list-price", "2025-01-15")


def priced(source, confidence="high"):
    r = rec("rightsizing.oversized_vm", "i-1", "resize", 100.0, confidence=confidence)
    return replace(r, evidence=replace(r.evidence, price_source=source))


def test_stale_price_lowers_one_step_and_says_why():
    [lowered] = price_trust.apply([priced("aws-ec2-list-price (2025-01-15)")], [OLD])
    assert lowered.confidence == "medium"
    assert "aws-ec2-list-price" in lowered.evidence.confidence_lowered


def test_estimate_caps_at_low_and_current_prices_keep_their_level():
    [estimate] = price_trust.apply([priced("estimate:aws-region-ratio x aws-karpenter-2026 (2026-07-20)")], [])
    assert estimate.confidence == "low"
    fresh = priced("aws-karpenter-2026 (2026-07-20)")
    assert price_trust.apply([fresh], [OLD]) == (fresh,)
    no_source = rec("idle.instance", "i-2", "stop", 10.0)
    assert price_trust.apply([no_source], [OLD]) == (no_source,)


def test_reports_and_terminal_name_stale_prices():
    rows = price_trust.stale_summary([OLD], date(2026, 12, 3), 90)
    assert rows == (StalePrice("aws", "aws-ec2-list-price", "2025-01-15", 687, 90),)
    audit = replace(make_audit(with_extras=False), extras=Extras(stale_prices=rows))
    assert "⚠️ Prices: 1 price source(s) behind these recommendations are older than 90 days (oldest: aws-ec2-list-price, as of 2025-01-15)" \
        in render(audit, "md")
    assert "1 price source older than 90 days" in render(audit, "html")
    assert view.stale_prices_text(audit).startswith("1 price source(s) behind these recommendations are older than 90 days")
    assert not view.stale_prices_text(make_audit(with_extras=False))
    assert all("older than" not in line for line in summary_lines(audit))  # the warning goes to stderr


def test_only_sources_a_recommendation_used_are_reported():
    unused = PriceSource("aws", "aws-karpenter-cn", "2024-11-06")
    used = price_trust.used_by([priced("aws-ec2-list-price (2025-01-15)"), rec("idle.instance", "i-9", "stop", 1.0)],
                               [OLD, unused])
    assert used == (OLD,)
