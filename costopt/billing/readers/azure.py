"""Azure cost exports: EA, MCA and pay-as-you-go, actual or amortized.

Header variants are handled by normalised names: PascalCase and camelCase, BOM-prefixed,
and localised ``Kategorie der Verbrauchseinheit (MeterCategory)`` headers (the English name in
parentheses is used). Older pay-as-you-go exports say PreTaxCost / UsageDateTime /
SubscriptionGuid / InstanceId; EA/MCA say CostInBillingCurrency (or Cost) / Date / ResourceId.

Actual vs amortized (the two exports share a header): the file name decides when it says
"amortized" or "actual"; otherwise a file with UnusedReservation/UnusedSavingsPlan rows or with
non-zero reservation/savings-plan usage rows is amortized.
- actual: BilledCost = EffectiveCost = Cost (the file holds no amortisation).
- amortized: EffectiveCost = Cost, except commitment purchases (0: they are spread over usage);
  BilledCost = Cost, except reservation/savings-plan covered usage and unused commitment (0:
  paid by the purchase).
ListCost = PayGPrice x Quantity (or PayGCostInBillingCurrency); ContractedCost = UnitPrice x Quantity.
ChargeType -> ChargeCategory: Usage/UnusedReservation/UnusedSavingsPlan -> Usage, Purchase ->
Purchase, Refund/RoundingAdjustment -> Adjustment, Tax -> Tax, Credit -> Credit.
"""

from __future__ import annotations

import os

import duckdb

from costopt.billing.readers import exprs
from costopt.billing.readers.categories import azure_egress, category_sql
from costopt.billing.readers.common import case_map, json_object_text, product
from costopt.billing.readers.sources import Source, ident

NAME = "azure"
COST_KEYS = ("costinbillingcurrency", "cost", "pretaxcost", "costinusd")
DATE_KEYS = ("date", "usagedatetime", "usagedate")
CURRENCY_KEYS = ("billingcurrency", "billingcurrencycode", "currency")
DETECT_ANY = ("metercategory", "meterid", "metername")

CHARGE_CATEGORY = {"Usage": "Usage", "UnusedReservation": "Usage", "UnusedSavingsPlan": "Usage",
                   "Purchase": "Purchase", "Refund": "Adjustment", "RoundingAdjustment": "Adjustment",
                   "Adjustment": "Adjustment", "Tax": "Tax", "Credit": "Credit"}
FREQUENCY = {"OneTime": "One-Time", "Recurring": "Recurring", "UsageBased": "Usage-Based"}
PRICING = {"OnDemand": "Standard", "Spot": "Dynamic", "Reservation": "Committed", "SavingsPlan": "Committed"}


def detects(src: Source) -> bool:
    return any(src.find(k) for k in DETECT_ANY) and src.find(*COST_KEYS) is not None


def missing(src: Source) -> list[str]:
    out = []
    if src.find(*COST_KEYS) is None:
        out.append("CostInBillingCurrency (or Cost / PreTaxCost)")
    if src.find(*DATE_KEYS) is None:
        out.append("Date (or UsageDateTime)")
    if src.find(*CURRENCY_KEYS) is None and src.find("costinusd") is None:
        out.append("BillingCurrency (or BillingCurrencyCode / Currency)")
    return out


def name_hint(files: list[str]) -> bool | None:
    """True (amortized) / False (actual) when the file names say so, else None."""
    names = " ".join(os.path.basename(f) for f in files).lower()
    if "amortiz" in names or "amortis" in names:
        return True
    if "actual" in names:
        return False
    return None


def is_amortized(src: Source, con: duckdb.DuckDBPyConnection) -> bool:
    hint = name_hint(src.files)
    if hint is not None:
        return hint
    charge, model, cost = src.find("chargetype"), src.find("pricingmodel"), src.find(*COST_KEYS)
    if charge is None:
        return False
    conds = [f"lower(CAST({ident(charge)} AS VARCHAR)) IN ('unusedreservation', 'unusedsavingsplan')"]
    if model is not None:
        conds.append(f"(lower(CAST({ident(model)} AS VARCHAR)) IN ('reservation', 'savingsplan') "
                     f"AND lower(CAST({ident(charge)} AS VARCHAR)) = 'usage' "
                     f"AND {exprs.try_number(ident(cost))} <> 0)")
    row = con.execute(f"SELECT 1 FROM {src.view} WHERE {' OR '.join(conds)} LIMIT 1").fetchone()
    return row is not None


def mapping(src: Source, con: duckdb.DuckDBPyConnection, amortized: bool | None = None) -> dict[str, str]:
    t = lambda *keys: exprs.text(src, src.find(*keys))  # noqa: E731
    n = lambda *keys: exprs.number(src, src.find(*keys))  # noqa: E731
    if amortized is None:
        amortized = is_amortized(src, con)
    cost = n(*COST_KEYS)
    charge = t("chargetype")
    model = t("pricingmodel")
    commitment_model = f"lower({model}) IN ('reservation', 'savingsplan')" if model else "FALSE"
    charge_low = f"lower({charge})" if charge else "'usage'"
    if amortized:
        effective = f"(CASE WHEN {charge_low} = 'purchase' AND {commitment_model} THEN 0 ELSE {cost} END)"
        billed = (f"(CASE WHEN {commitment_model} AND {charge_low} IN ('usage', 'unusedreservation', "
                  f"'unusedsavingsplan') THEN 0 ELSE {cost} END)")
    else:
        effective = billed = cost
    quantity = n("quantity", "usagequantity")
    category, meter, sub = t("metercategory"), t("metername"), t("metersubcategory")
    service = exprs.first_present(category, t("servicename"), t("consumedservice"))
    currency = t(*CURRENCY_KEYS) or ("'USD'" if src.find("costinusd") else None)
    location = t("resourcelocation", "location", "meterregion")
    tags = src.find("tags")
    commitment_id = exprs.first_present(t("benefitid"), t("reservationid"))
    start = exprs.timestamp(src, con, src.find(*DATE_KEYS))
    out = {
        "ProviderName": "'Microsoft'",
        "BillingAccountId": t("billingaccountid"),
        "BillingAccountName": t("billingaccountname"),
        "SubAccountId": t("subscriptionid", "subscriptionguid"),
        "SubAccountName": t("subscriptionname"),
        "BillingCurrency": currency,
        "BillingPeriodStart": exprs.timestamp(src, con, src.find("billingperiodstartdate")),
        "ChargePeriodStart": start,
        "ChargePeriodEnd": f"({start} + INTERVAL 1 DAY)" if start else None,  # cost exports are daily rows
        "ChargeCategory": case_map(charge, CHARGE_CATEGORY, "Usage"),
        "ChargeFrequency": case_map(t("frequency"), FREQUENCY, "Usage-Based"),
        "ChargeDescription": exprs.first_present(t("productname", "product"), meter),
        "ServiceName": service,
        "ServiceCategory": category_sql(service),
        "RegionId": f"replace(lower({location}), ' ', '')" if location else None,
        "AvailabilityZone": t("availabilityzone"),
        "ResourceId": t("resourceid", "instanceid", "instancename"),
        "ResourceName": t("resourcename"),
        "ResourceType": t("resourcetype"),
        "SkuId": t("meterid"),
        "SkuPriceId": t("partnumber", "productid"),
        "PricingCategory": case_map(model, PRICING, None),
        "PricingQuantity": quantity,
        "PricingUnit": t("unitofmeasure"),
        "ConsumedQuantity": quantity,
        "ConsumedUnit": t("unitofmeasure"),
        "ListUnitPrice": n("paygprice"),
        "ContractedUnitPrice": n("unitprice", "resourcerate"),
        "BilledCost": billed,
        "EffectiveCost": effective,
        "ListCost": exprs.first_present(n("paygcostinbillingcurrency"), product(n("paygprice"), quantity)) or cost,
        "ContractedCost": product(n("unitprice", "resourcerate"), quantity) or cost,
        "CommitmentDiscountId": f"(CASE WHEN {commitment_model} THEN {commitment_id} END)" if commitment_id else None,
        "CommitmentDiscountType": (f"(CASE lower({model}) WHEN 'reservation' THEN 'Reservation' "
                                   f"WHEN 'savingsplan' THEN 'Savings Plan' END)") if model else None,
        "CommitmentDiscountCategory": (f"(CASE lower({model}) WHEN 'reservation' THEN 'Usage' "
                                       f"WHEN 'savingsplan' THEN 'Spend' END)") if model else None,
        "CommitmentDiscountStatus": (f"(CASE WHEN {charge_low} IN ('unusedreservation', 'unusedsavingsplan') "
                                     f"THEN 'Unused' WHEN {commitment_model} AND {charge_low} = 'usage' THEN 'Used' END)"),
        "Tags": json_object_text(ident(tags), add_braces=True) if tags else None,
        "x_UsageType": f"concat_ws(' / ', {category}, {meter})" if (category and meter) else (category or meter),
        "x_IsEgress": f"COALESCE({azure_egress(category, meter, sub)}, FALSE)" if (category and meter) else "FALSE",
    }
    return {k: v for k, v in out.items() if v}
