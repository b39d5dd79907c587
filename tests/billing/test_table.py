"""BillingTable: in-memory frames are visible to queries; filtered views share the data."""

import pandas as pd

from costopt.billing.table import BillingTable


def frame():
    return pd.DataFrame({"ResourceId": ["a", "b", None], "EffectiveCost": [1.0, 2.0, 4.0], "BillingCurrency": ["USD"] * 3})


def test_from_frame_is_queryable():
    t = BillingTable.from_frame(frame())
    assert t.scalar("SELECT SUM(EffectiveCost) FROM focus") == 7.0
    assert t.currencies() == ["USD"]


def test_frames_union():
    t = BillingTable.from_frame(frame())
    t.add_frame(frame())
    assert t.scalar("SELECT COUNT(*) FROM focus") == 6


def test_without_resources_filters_only_the_derived_table():
    t = BillingTable.from_frame(frame())
    less = t.without_resources(["a"])
    assert less.scalar("SELECT SUM(EffectiveCost) FROM focus") == 6.0
    assert t.scalar("SELECT SUM(EffectiveCost) FROM focus") == 7.0
    assert less.without_resources(["b"]).scalar("SELECT SUM(EffectiveCost) FROM focus") == 4.0


def test_extend_copies_other_tables():
    merged = BillingTable()
    merged.extend([BillingTable.from_frame(frame()), BillingTable.from_frame(frame())])
    assert merged.scalar("SELECT SUM(EffectiveCost) FROM focus") == 14.0


def test_scaled_by_resource_scales_costs_and_quantities():
    t = BillingTable.from_frame(frame().assign(PricingQuantity=[1.0, 1.0, 1.0]))
    half = t.scaled_by_resource({"b": 0.5, "a": 0.0})
    assert half.scalar("SELECT SUM(EffectiveCost) FROM focus") == 5.0
    assert half.scalar("SELECT SUM(PricingQuantity) FROM focus") == 1.5
    assert half.scalar("SELECT COUNT(*) FROM focus") == 2
