"""Cost Management results are checked for the columns costopt asked for.

The answers follow the documented ``Query - Usage`` response shape (``properties.columns``
of ``{name, type}`` and ``properties.rows``), served at the wire through `responses`.
"""

from __future__ import annotations

import pytest

from costopt.demo.fakes.azure_seed import BASE, SUBSCRIPTION

from .conftest import faulty

S = SUBSCRIPTION
VM = f"{BASE}/Microsoft.Compute/virtualMachines/api-d16".lower()


def query_result(columns: list[tuple[str, str]], rows: list[list]) -> tuple[int, dict, dict]:
    return 200, {}, {"id": f"subscriptions/{S}/providers/Microsoft.CostManagement/query/q1", "name": "q1",
                     "type": "Microsoft.CostManagement/query",
                     "properties": {"nextLink": None, "columns": [{"name": n, "type": t} for n, t in columns],
                                    "rows": rows}}


def answering(result):
    def fault(method, url):
        return result if method == "POST" and "Microsoft.CostManagement/query" in url else None
    return fault


# the grouping columns after the cost and the date, and one VM row's values for them
GROUPS = [("ResourceId", "String"), ("ServiceName", "String"), ("MeterCategory", "String"),
          ("ResourceLocation", "String"), ("ChargeType", "String"), ("Currency", "String")]
VM_ROW = [VM, "Virtual Machines", "Virtual Machines", "eastus", "Usage", "USD"]


def one_row(cost: tuple[str, float], date: tuple[str, object]) -> tuple[int, dict, dict]:
    """A daily answer of one VM row: ``cost`` and ``date`` as (column name, value)."""
    return query_result([(cost[0], "Number"), (date[0], "Number"), *GROUPS], [[cost[1], date[1], *VM_ROW]])


MONTHLY = query_result(  # what a Monthly-granularity answer carries instead of UsageDate
    [("Cost", "Number"), ("BillingMonth", "Datetime"), *GROUPS], [[412.5, "2026-11-01T00:00:00", *VM_ROW]])


def test_a_result_without_usage_date_is_one_clear_coverage_line(_seed, baseline):
    with faulty(_seed, answering(MONTHLY)) as env:
        snap = env.collect()
    entry = {c.scope: c for c in snap.coverage}[f"{S}/cost"]
    assert entry.status == "failed" and entry.error_code == "UnexpectedQueryResult"
    assert "Cost Management result has no UsageDate column: columns returned are Cost, BillingMonth" in entry.detail
    assert "non-finite" not in entry.detail and "\n" not in entry.detail
    assert {r.name for r in baseline.snapshot.resources} <= {r.name for r in snap.resources}  # inventory kept
    assert snap.billing is None


def test_a_result_missing_a_grouping_column_names_it(_seed):
    result = query_result([("Cost", "Number"), ("UsageDate", "Number"), ("ResourceId", "String"),
                           ("Currency", "String")], [[1.5, 20261120, VM, "USD"]])
    with faulty(_seed, answering(result)) as env:
        snap = env.collect()
    entry = {c.scope: c for c in snap.coverage}[f"{S}/cost"]
    assert "has no ServiceName, MeterCategory, ResourceLocation, ChargeType columns" in entry.detail


def test_a_result_without_a_cost_column_names_the_expected_ones(_seed):
    result = one_row(("UsageQuantity", 3.0), ("UsageDate", 20261120))
    with faulty(_seed, answering(result)) as env:
        snap = env.collect()
    entry = {c.scope: c for c in snap.coverage}[f"{S}/cost"]
    assert "no cost column (Cost or PreTaxCost or CostUSD or PreTaxCostUSD)" in entry.detail


@pytest.mark.parametrize("value", [20261120, "20261120", 20261120.0])
def test_usage_date_number_or_text_is_read(_seed, value):
    """Documented as Number (YYYYMMDD); JSON readers may hand it over as text or a float."""
    result = one_row(("PreTaxCost", 2.5), ("UsageDate", value))
    with faulty(_seed, answering(result)) as env:
        snap = env.collect()
    day = snap.billing.scalar("SELECT strftime(MIN(ChargePeriodStart), '%Y-%m-%d') FROM focus")
    assert day == "2026-11-20"
    assert snap.billing.scalar("SELECT SUM(BilledCost) FROM focus") == pytest.approx(2.5)


def test_a_row_without_a_date_is_named(_seed):
    result = one_row(("Cost", 2.5), ("UsageDate", None))
    with faulty(_seed, answering(result)) as env:
        snap = env.collect()
    entry = {c.scope: c for c in snap.coverage}[f"{S}/cost"]
    assert "UsageDate that is not a date: an empty value" in entry.detail
