"""Azure exports: EA/MCA/pay-as-you-go headers, camelCase, localised + BOM, actual vs amortized."""

from __future__ import annotations

import json
import math

import pytest

from costopt.billing.readers import open_sources
from tests.billing.builders import write_csv

EA = ["BillingAccountId", "BillingCurrency", "SubscriptionId", "SubscriptionName", "Date", "MeterCategory",
      "MeterSubCategory", "MeterName", "MeterId", "Quantity", "EffectivePrice", "Cost", "UnitPrice", "PayGPrice",
      "ResourceLocation", "ResourceId", "Tags", "ChargeType", "PricingModel", "Frequency", "ReservationId",
      "benefitId"]


def ea_row(date, category, meter, qty, cost, unit, payg, charge="Usage", model="OnDemand", tags="",
           reservation="", benefit="", freq="UsageBased"):
    return ["8611", "USD", "sub-1", "ML", date, category, "", meter, "m-" + meter, qty, cost / qty if qty else 0,
            cost, unit, payg, "EastUS", f"/subscriptions/sub-1/{meter}", tags, charge, model, freq, reservation,
            benefit]


ACTUAL = [
    ea_row("09/01/2024", "Virtual Machines", "D2 v3", 24, 2.64, 0.11, 0.11, tags='"team": "vision","env": "prod"'),
    ea_row("09/01/2024", "Virtual Machines", "NC6s v3", 1, 900.0, 900.0, 0.0, charge="Purchase", model="Reservation",
           reservation="r-1", benefit="b-1", freq="OneTime"),
    ea_row("09/02/2024", "Virtual Machines", "NC6s v3", 10, 0.0, 0.0, 3.06, model="Reservation", reservation="r-1",
           benefit="b-1"),
    ea_row("09/02/2024", "Bandwidth", "Standard Data Transfer Out", 100, 8.7, 0.087, 0.087),
    ea_row("09/02/2024", "Bandwidth", "Standard Data Transfer In", 100, 0.0, 0.0, 0.0),
    ea_row("09/03/2024", "Storage", "P30 LRS Disk", 1, 4.1, 4.1, 4.1, tags='{"team": "search"}'),
    ea_row("09/03/2024", "Virtual Machines", "D2 v3", 1, -1.0, 0, 0, charge="Refund"),
]
AMORTIZED = [
    ea_row("09/01/2024", "Virtual Machines", "D2 v3", 24, 2.64, 0.11, 0.11, tags='"team": "vision","env": "prod"'),
    ea_row("09/02/2024", "Virtual Machines", "NC6s v3", 10, 12.33, 0.0, 3.06, model="Reservation", reservation="r-1",
           benefit="b-1"),
    ea_row("09/02/2024", "Virtual Machines", "NC6s v3", 2, 2.47, 0.0, 3.06, charge="UnusedReservation",
           model="Reservation", reservation="r-1", benefit="b-1"),
    ea_row("09/02/2024", "Bandwidth", "Standard Data Transfer Out", 100, 8.7, 0.087, 0.087),
]


def sums(table):
    df = table.query("SELECT ChargeCategory, sum(BilledCost) b, sum(EffectiveCost) e, sum(ListCost) l "
                     "FROM focus GROUP BY 1")
    return {r.ChargeCategory: (r.b, r.e, r.l) for r in df.itertuples()}


def test_actual_export(tmp_path):
    table = open_sources([str(write_csv(tmp_path / "export_ActualCost.csv", EA, ACTUAL))])
    s = sums(table)
    assert s["Purchase"][:2] == (900.0, 900.0)
    assert math.isclose(s["Usage"][0], 2.64 + 8.7 + 4.1) and math.isclose(s["Usage"][1], s["Usage"][0])
    assert s["Adjustment"][0] == -1.0
    # ListCost = PayGPrice x Quantity
    assert math.isclose(s["Usage"][2], 24 * 0.11 + 10 * 3.06 + 100 * 0.087 + 4.1)
    df = table.query("SELECT x_UsageType, x_IsEgress, Tags, ServiceCategory, ProviderName, ChargePeriodStart, "
                     "CommitmentDiscountId, PricingCategory FROM focus ORDER BY x_UsageType")
    egress = dict(zip(df.x_UsageType, df.x_IsEgress))
    assert egress["Bandwidth / Standard Data Transfer Out"] and not egress["Bandwidth / Standard Data Transfer In"]
    tags = [json.loads(t) for t in df.Tags.dropna()]
    assert {"team": "vision", "env": "prod"} in tags and {"team": "search"} in tags
    assert set(df.ProviderName) == {"Microsoft"}
    assert df.ChargePeriodStart.min().strftime("%Y-%m-%d") == "2024-09-01"
    assert set(df.CommitmentDiscountId.dropna()) == {"b-1"}


def test_amortized_export_by_content(tmp_path):
    # no "amortized" in the name: the UnusedReservation row / non-zero reserved usage decide it
    table = open_sources([str(write_csv(tmp_path / "september.csv", EA, AMORTIZED))])
    df = table.query("SELECT ChargeCategory, CommitmentDiscountStatus, BilledCost, EffectiveCost FROM focus")
    assert math.isclose(df.EffectiveCost.sum(), 2.64 + 12.33 + 2.47 + 8.7)
    assert math.isclose(df.BilledCost.sum(), 2.64 + 8.7)  # covered and unused reservation: paid by the purchase
    assert sorted(df.CommitmentDiscountStatus.dropna()) == ["Unused", "Used"]
    assert set(df.ChargeCategory) == {"Usage"}


def test_amortized_purchase_rows_have_no_effective_cost(tmp_path):
    rows = AMORTIZED + [ACTUAL[1]]
    table = open_sources([str(write_csv(tmp_path / "x_AmortizedCost.csv", EA, rows))])
    df = table.query("SELECT BilledCost, EffectiveCost FROM focus WHERE ChargeCategory = 'Purchase'")
    assert list(df.BilledCost) == [900.0] and list(df.EffectiveCost) == [0.0]


MCA_CAMEL = ["billingAccountName", "date", "serviceFamily", "meterCategory", "meterName", "meterSubCategory",
             "SubscriptionId", "ResourceId", "resourceLocation", "effectivePrice", "quantity", "chargeType",
             "billingCurrency", "costInBillingCurrency", "costInUsd", "tags", "PayGPrice", "pricingModel"]


def test_mca_camel_case(tmp_path):
    rows = [["acme", "02/01/2021", "Networking", "Bandwidth", "Inter Continent Data Transfer Out - NAM or EU",
             "", "s1", "/r/1", "westeurope", 0.05, 10, "Usage", "EUR", 0.5, 0.55, '"team": "fraud"', 0.05,
             "OnDemand"]]
    table = open_sources([str(write_csv(tmp_path / "mca.csv", MCA_CAMEL, rows))])
    df = table.query("SELECT BillingCurrency, BilledCost, x_IsEgress, Tags, RegionId FROM focus")
    assert df.BillingCurrency[0] == "EUR" and df.BilledCost[0] == 0.5 and bool(df.x_IsEgress[0])
    assert json.loads(df.Tags[0]) == {"team": "fraud"} and df.RegionId[0] == "westeurope"


PAYG = ["SubscriptionGuid", "ResourceGroup", "ResourceLocation", "UsageDateTime", "MeterCategory",
        "MeterSubcategory", "MeterId", "MeterName", "MeterRegion", "UsageQuantity", "ResourceRate", "PreTaxCost",
        "ConsumedService", "ResourceType", "InstanceId", "Tags", "ServiceName", "Currency", "UnitOfMeasure"]
GERMAN = ["Abonnement-GUID (SubscriptionGuid)", "Ressourcengruppe (ResourceGroup)",
          "Ressourcenstandort (ResourceLocation)", "UsageDateTime (UsageDateTime)",
          "Kategorie der Verbrauchseinheit (MeterCategory)", "MeterSubcategory (MeterSubcategory)",
          "ID der Verbrauchseinheit (MeterId)", "Name der Verbrauchseinheit (MeterName)",
          "Region der Verbrauchseinheit (MeterRegion)", "UsageQuantity (UsageQuantity)",
          "Ressourcensatz (ResourceRate)", "PreTaxCost (PreTaxCost)", "Genutzter Dienst (ConsumedService)",
          "ResourceType (ResourceType)", "InstanceId (InstanceId)", "Tags (Tags)", "ServiceName", "Currency",
          "Maßeinheit (UnitOfMeasure)"]
PAYG_ROWS = [["s1", "rg", "US East", "2021-02-02", "Load Balancer", "Standard", "m1", "Included LB Rules", "", 3,
              0.025, 0.075, "Microsoft.Network", "lb", "/lb/1", "", "Load Balancer", "USD", "100 Hours"],
             ["s1", "rg", "US East", "2021-02-03", "Virtual Machines", "NCv3", "m2", "NC6s v3", "", 2, 3.06, 6.12,
              "Microsoft.Compute", "vm", "/vm/1", '"team": "vision"', "Virtual Machines", "USD", "1 Hour"]]


@pytest.mark.parametrize("header,bom,delimiter", [(PAYG, False, ","), (PAYG, True, ","), (GERMAN, False, ","),
                                                  (GERMAN, True, ";")])
def test_pay_as_you_go_localised_and_bom_headers(tmp_path, header, bom, delimiter):
    path = write_csv(tmp_path / "payg.csv", header, PAYG_ROWS, bom=bom, delimiter=delimiter)
    table = open_sources([str(path)])
    df = table.query("SELECT ServiceName, ServiceCategory, BilledCost, ChargePeriodStart, ResourceId, Tags, "
                     "SubAccountId FROM focus ORDER BY BilledCost")
    assert list(df.BilledCost) == [0.075, 6.12]
    assert list(df.ServiceCategory) == ["Networking", "Compute"]
    assert list(df.ResourceId) == ["/lb/1", "/vm/1"] and set(df.SubAccountId) == {"s1"}
    assert json.loads(df.Tags[1]) == {"team": "vision"}


def test_localised_semicolon_export_with_decimal_commas(tmp_path):
    rows = [[*r[:9], str(r[9]).replace(".", ","), str(r[10]).replace(".", ","), str(r[11]).replace(".", ","), *r[12:]]
            for r in PAYG_ROWS]
    rows[1][11] = "1.006,12"  # thousands separator
    table = open_sources([str(write_csv(tmp_path / "de.csv", GERMAN, rows, bom=True, delimiter=";"))])
    assert sorted(table.query("SELECT BilledCost FROM focus").BilledCost) == [0.075, 1006.12]


def test_decimal_comma_bad_value_is_named(tmp_path):
    from costopt.errors import InputError

    rows = [[*r[:9], str(r[9]).replace(".", ","), str(r[10]).replace(".", ","), "0,075", *r[12:]] for r in PAYG_ROWS]
    rows[1][11] = "n.v."
    table = open_sources([str(write_csv(tmp_path / "de.csv", GERMAN, rows, delimiter=";"))])
    with pytest.raises(InputError, match=r"row 2, column 'PreTaxCost \(PreTaxCost\)': expected a number with a "
                                         r"decimal comma.*got 'n\.v\.'"):
        table.query("SELECT sum(BilledCost) FROM focus")
