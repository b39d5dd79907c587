"""The readers on real exports in ../shared/data; totals must equal an independent sum.

The independent sums use Python's csv module on the raw files (never costopt's reader).
"""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

import pytest

from costopt.billing.breakdown import breakdown_records
from costopt.billing.readers import open_sources
from costopt.errors import InputError


def csv_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def fsum(values) -> float:
    return math.fsum(float(v) for v in values if v not in ("", "NULL", None))


def totals(source, cost: str, group_by=("provider",)) -> dict[str, float]:
    """Per-currency totals; ``source`` is an open table or a list of paths."""
    table = source if hasattr(source, "query") else open_sources([str(p) for p in source])
    return {r["currency"]: r["total"] for r in breakdown_records(table, list(group_by), cost)}


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def test_focus_sample(shared_data):
    path = shared_data / "focus" / "focus_sample.csv"
    rows = csv_rows(path)
    table = open_sources([str(path)])
    for cost, column in (("billed", "BilledCost"), ("effective", "EffectiveCost"), ("list", "ListCost")):
        got = totals(table, cost, ("provider", "service", "charge"))
        assert list(got) == ["USD"]
        assert close(got["USD"], fsum(r[column] for r in rows)), cost
    n = table.scalar("SELECT count(*) FROM focus")
    nulls = table.scalar("SELECT count(*) FROM focus WHERE ResourceId IS NULL")
    assert n == len(rows) == 1000
    assert nulls == sum(1 for r in rows if r["ResourceId"] == "NULL")
    by_provider = {r["provider"]: r["cost"] for r in breakdown_records(table, ["provider"], "billed")[0]["rows"]}
    for provider in ("AWS", "Microsoft", "Oracle"):
        assert close(by_provider[provider], fsum(r["BilledCost"] for r in rows if r["ProviderName"] == provider))


def aws_effective(row: dict[str, str]) -> float:
    """Independent AWS amortisation (the documented CUR formula)."""
    f = lambda k: float(row.get(k) or 0)  # noqa: E731
    kind = row["lineItem/LineItemType"]
    if kind == "DiscountedUsage":
        return f("reservation/EffectiveCost")
    if kind == "SavingsPlanCoveredUsage":
        return f("savingsPlan/SavingsPlanEffectiveCost")
    if kind in ("SavingsPlanNegation", "SavingsPlanUpfrontFee"):
        return 0.0
    if kind == "SavingsPlanRecurringFee":
        return f("savingsPlan/TotalCommitmentToDate") - f("savingsPlan/UsedCommitment")
    if kind == "RIFee":
        return f("reservation/UnusedAmortizedUpfrontFeeForBillingPeriod") + f("reservation/UnusedRecurringFee")
    if kind == "Fee" and row.get("reservation/ReservationARN"):
        return 0.0
    return f("lineItem/UnblendedCost")


def test_aws_legacy_cur(shared_data):
    path = shared_data / "aws_cur_legacy_csv" / "sample-anonymous-aws-export-dataset.csv"
    rows = csv_rows(path)
    table = open_sources([str(path)])
    assert close(totals(table, "billed")["USD"], fsum(r["lineItem/UnblendedCost"] for r in rows))
    assert close(totals(table, "effective", ("service", "sku"))["USD"], math.fsum(aws_effective(r) for r in rows))
    assert close(totals(table, "list")["USD"], fsum(r["pricing/publicOnDemandCost"] for r in rows))
    tax = table.scalar("SELECT sum(BilledCost) FROM focus WHERE ChargeCategory = 'Tax'")
    assert close(tax, fsum(r["lineItem/UnblendedCost"] for r in rows if r["lineItem/LineItemType"] == "Tax"))
    egress = table.scalar("SELECT count(*) FROM focus WHERE x_IsEgress")
    assert egress == sum(1 for r in rows if re.search(r"DataTransfer-Out-Bytes|-AWS-Out-Bytes|DataTransfer-Regional-Bytes",
                                                      r["lineItem/UsageType"]))


@pytest.mark.parametrize("name,cost_column,currency", [
    ("EA_ActualCost_Small.csv", "Cost", "USD"),
    ("sample-anonymous-ea-export-dataset.csv", "CostInBillingCurrency", "CAD"),
])
def test_azure_ea_actual(shared_data, name, cost_column, currency):
    path = shared_data / "azure_ea_export" / name
    rows = csv_rows(path)
    expected = fsum(r[cost_column] for r in rows)
    table = open_sources([str(path)])
    for cost in ("billed", "effective"):
        got = totals(table, cost, ("service", "resource"))
        assert list(got) == [currency] and close(got[currency], expected)


def test_azure_ea_amortized(shared_data):
    path = shared_data / "azure_ea_export" / "EA_AmortizedCost_Small.csv"
    rows = csv_rows(path)
    commitment = lambda r: r["PricingModel"] in ("Reservation", "SavingsPlan")  # noqa: E731
    effective = fsum(r["Cost"] for r in rows if not (r["ChargeType"] == "Purchase" and commitment(r)))
    billed = fsum(r["Cost"] for r in rows if not (commitment(r) and r["ChargeType"] in
                                                  ("Usage", "UnusedReservation", "UnusedSavingsPlan")))
    table = open_sources([str(path)])
    assert close(totals(table, "effective")["USD"], effective)
    assert close(totals(table, "billed")["USD"], billed)
    assert billed < effective  # reservation / savings plan usage is amortised, not billed


def test_azure_actual_and_amortized_together_stay_apart(shared_data):
    folder = shared_data / "azure_ea_export"
    table = open_sources([str(folder / "EA_*Cost_Small.csv")])
    df = table.query("SELECT x_SourceFile, sum(EffectiveCost) e FROM focus GROUP BY 1")
    got = {Path(f).name: e for f, e in zip(df.x_SourceFile, df.e)}
    for name in ("EA_ActualCost_Small.csv", "EA_AmortizedCost_Small.csv"):
        assert close(got[name], fsum(r["Cost"] for r in csv_rows(folder / name)))


COST_NAMES = ("costinbillingcurrency", "cost", "pretaxcost")


def _cost_column(header: list[str]) -> str:
    for name in header:
        m = re.search(r"\(([^()]+)\)\s*$", name)
        english = (m.group(1) if m else name).lower()
        if english in COST_NAMES:
            return name
    raise AssertionError(header)


@pytest.mark.parametrize("name", ["Enterprise.csv", "EnterpriseCamel.csv", "PayAsYouGo.csv", "BOM.csv",
                                  "German.csv", "YA.csv"])
def test_azure_header_variants(shared_data, name):
    path = shared_data / "azure_header_variants" / "headersets" / name
    rows = csv_rows(path)
    column = _cost_column(list(rows[0].keys()))
    table = open_sources([str(path)])
    assert table.scalar("SELECT count(*) FROM focus") == len(rows)
    got = table.scalar("SELECT sum(BilledCost) FROM focus") or 0.0
    assert close(got, fsum(r[column] for r in rows))
    providers = table.query("SELECT DISTINCT ProviderName FROM focus").ProviderName.tolist()
    assert providers == ["Microsoft"]


def _spec_files(shared_data):
    return sorted((shared_data / "focus" / "spec_v1.2_examples").rglob("*.csv"))


def test_focus_12_spec_examples(shared_data):
    """Readable examples total to the csv-module sum; the others fail with a one-line reason."""
    read = 0
    for path in _spec_files(shared_data):
        rows = csv_rows(path)
        header = list(rows[0].keys()) if rows else []
        if "BillingCurrency" not in header:
            with pytest.raises(InputError, match=r"missing mandatory column\(s\) for focus: BillingCurrency"):
                open_sources([str(path)])
            continue
        table = open_sources([str(path)])
        try:
            expected = {"billed": fsum(r["BilledCost"] for r in rows), "effective": fsum(r["EffectiveCost"] for r in rows)}
        except ValueError:  # "$10,000.00"-style human formatting: the reader must name it
            with pytest.raises(InputError, match=r"row \d+, column '\w+': expected a number, got '\$"):
                breakdown_records(table, ["charge"], "billed")
            continue
        for cost, value in expected.items():
            got = totals(table, cost, ("charge",))
            assert close(got.get("USD", 0.0), value), (path.name, cost)
        read += 1
    assert read >= 8
