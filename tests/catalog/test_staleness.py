"""Stale prices (older than 90 days, configurable) and the confidence they allow."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from costopt.catalog import Catalog, Price, bundled_catalog
from costopt.catalog.defaults import STALE_AFTER_DAYS
from costopt.catalog.staleness import is_stale, price_age_days, price_confidence, stale_after_days, stale_sources
from costopt.errors import ConfigError

TODAY = date(2026, 12, 3)


def _price(as_of: str, estimate: bool = False) -> Price:
    return Price(1.0, "hour", "USD", "src", as_of, estimate=estimate)


def test_age_and_the_90_day_edge():
    assert STALE_AFTER_DAYS == 90
    edge = (TODAY - timedelta(days=90)).isoformat()
    older = (TODAY - timedelta(days=91)).isoformat()
    assert price_age_days(edge, TODAY) == 90 and not is_stale(_price(edge), TODAY)
    assert is_stale(_price(older), TODAY)
    assert not is_stale(_price(older), TODAY, max_age_days=120)
    assert price_age_days("2026-11-27T04:00:00Z", TODAY) == 6
    assert price_age_days("yesterday", TODAY) is None and is_stale(_price(""), TODAY)  # undated is never current


def test_stale_sources_of_the_bundle_as_of_a_date():
    catalog = bundled_catalog()
    stale = {(s.provider, s.source, s.as_of) for s in stale_sources(catalog, TODAY)}
    assert ("aws", "aws-karpenter-2026", "2026-07-20") in stale  # 136 days before TODAY
    assert ("aws", "aws-ec2-list-price", "2025-01-15") in stale
    assert stale_sources(catalog, date(2026, 8, 10)) and not any(
        s.as_of >= "2026-06-01" for s in stale_sources(catalog, date(2026, 8, 10)))
    assert all(int(s.detail.rsplit("; ", 1)[-1].split()[0]) > 0 for s in stale_sources(catalog, TODAY))


def test_refreshed_price_is_not_stale():
    catalog = Catalog()
    catalog.add_price("aws", "us-east-1", "m5.large", "on_demand", _price("2026-11-27"))
    catalog.add_price("aws", "us-east-1", "m5.xlarge", "on_demand", _price("2026-07-20"))
    assert [(s.source, s.as_of) for s in stale_sources(catalog, TODAY)] == [("src", "2026-07-20")]


@pytest.mark.parametrize("level,prices,expected", [
    ("high", [_price("2026-11-27")], "high"),
    ("high", [_price("2026-11-27"), _price("2026-07-20")], "medium"),
    ("medium", [_price("2026-07-20")], "low"),
    ("low", [_price("2026-07-20")], "low"),
    ("high", [_price("2026-11-27", estimate=True)], "low"),
    ("medium", [_price("2026-11-27"), _price("2026-11-27", estimate=True)], "low"),
    ("high", [None, _price("2026-11-27")], "high"),
])
def test_price_confidence(level, prices, expected):
    assert price_confidence(level, prices, TODAY) == expected


def test_estimate_from_the_catalog_never_gives_medium():
    catalog = bundled_catalog()
    od = catalog.price("azure", "eastus", "Standard_D2s_v5")
    spot = catalog.price("azure", "eastus", "Standard_D2s_v5", "spot")
    fresh = date.fromisoformat(od.as_of) + timedelta(days=1)
    assert price_confidence("medium", [od], fresh) == "medium"
    assert price_confidence("high", [od, spot], fresh) == "low"
    with pytest.raises(ValueError):
        price_confidence("certain", [od], fresh)


def test_limit_from_settings():
    assert stale_after_days(None) == 90
    assert stale_after_days(SimpleNamespace(report={"stale_price_days": 30})) == 30
    with pytest.raises(ConfigError, match="report.stale_price_days"):
        stale_after_days(SimpleNamespace(report={"stale_price_days": "30d"}))
