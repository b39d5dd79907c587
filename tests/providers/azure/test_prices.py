"""Retail Prices API: filter, paging through NextPageLink, Linux/Spot selection, disk tiers, cache."""

from __future__ import annotations

import pytest

from costopt.providers.azure.prices import RetailPrices, disk_tier


def test_vm_prices_page_and_pick_linux(azure):
    prices = RetailPrices("USD")
    assert prices.vm_hourly("eastus", "Standard_NC6s_v3") == pytest.approx(3.06)
    assert prices.requests == 2  # 4 matching items, page size 2: NextPageLink followed
    assert prices.vm_hourly("eastus", "Standard_NC6s_v3", spot=True) == pytest.approx(0.3672)
    assert prices.requests == 2  # same filter: memoised
    assert prices.vm_hourly("eastus", "Standard_Unknown_v9") is None


def test_disk_and_ip_prices(azure):
    prices = RetailPrices("USD")
    assert prices.disk_monthly("eastus", "Premium_LRS", 1024) == pytest.approx(135.17)
    assert prices.disk_monthly("eastus", "Premium_LRS", 100) == pytest.approx(19.71)
    assert prices.public_ip_hourly("eastus", "Standard") == pytest.approx(0.005)


def test_disk_cache_avoids_requests(azure):
    first = RetailPrices("USD")
    first.vm_hourly("eastus", "Standard_D16s_v5")
    second = RetailPrices("USD")
    assert second.vm_hourly("eastus", "Standard_D16s_v5") == pytest.approx(0.768)
    assert second.requests == 0


@pytest.mark.parametrize("sku,size,tier", [("Premium_LRS", 1024, "P30"), ("Premium_LRS", 1025, "P40"),
                                           ("StandardSSD_LRS", 64, "E6"), ("Standard_LRS", 4, "S1"),
                                           ("UltraSSD_LRS", 100, None)])
def test_disk_tiers(sku, size, tier):
    assert disk_tier(sku, size) == tier


def test_throttled_price_requests_are_retried(azure):
    azure.fake.throttle["prices"] = 2
    prices = RetailPrices("USD", use_cache=False)
    assert prices.vm_hourly("eastus", "Standard_D8s_v5") == pytest.approx(0.384)
    assert prices.requests == 3 and azure.fake.throttle["prices"] == 0
