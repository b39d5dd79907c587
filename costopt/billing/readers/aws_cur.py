"""AWS Cost and Usage Reports: legacy CSV (``lineItem/UnblendedCost``), Athena-style snake_case
Parquet (``line_item_unblended_cost``, ``resource_tags_user_team``) and CUR 2.0 (snake_case with
``product`` and ``resource_tags`` MAP columns). All three normalise to the same column keys.

Cost columns (FOCUS):
- BilledCost = ``lineItem/UnblendedCost`` (what the invoice shows, negation lines included).
- EffectiveCost (amortised) = ``reservation/EffectiveCost`` for DiscountedUsage,
  ``savingsPlan/SavingsPlanEffectiveCost`` for SavingsPlanCoveredUsage, 0 for
  SavingsPlanNegation / SavingsPlanUpfrontFee / RI upfront Fee, the *unused* part of RIFee and
  SavingsPlanRecurringFee (their used part is already in the covered usage), else unblended.
- ListCost = ``pricing/publicOnDemandCost`` (unblended when the column is absent).
ChargeCategory from LineItemType: usage types -> Usage; RIFee, SavingsPlan*Fee, Fee -> Purchase;
Tax -> Tax; Credit and discounts (EDP, bundled, private rate) -> Credit; Refund -> Adjustment.
"""

from __future__ import annotations

import duckdb

from costopt.billing.readers import exprs
from costopt.billing.readers.categories import aws_egress, category_sql
from costopt.billing.readers.common import case_map, tags_from_columns, tags_from_map
from costopt.billing.readers.sources import Source, ident

NAME = "aws-cur"
DETECT = ("lineitemunblendedcost",)
REQUIRED = ("lineItem/UnblendedCost", "lineItem/UsageStartDate", "lineItem/LineItemType")

CHARGE_CATEGORY = {
    "Usage": "Usage", "DiscountedUsage": "Usage", "SavingsPlanCoveredUsage": "Usage",
    "SavingsPlanNegation": "Usage",
    "RIFee": "Purchase", "SavingsPlanRecurringFee": "Purchase", "SavingsPlanUpfrontFee": "Purchase",
    "Fee": "Purchase",
    "Tax": "Tax",
    "Credit": "Credit", "EdpDiscount": "Credit", "BundledDiscount": "Credit", "PrivateRateDiscount": "Credit",
    "DistributorDiscount": "Credit", "SppDiscount": "Credit", "SavingsPlanNegationDiscount": "Credit",
    "Refund": "Adjustment",
}
CHARGE_FREQUENCY = {"RIFee": "Recurring", "SavingsPlanRecurringFee": "Recurring", "Fee": "One-Time",
                    "SavingsPlanUpfrontFee": "One-Time", "Tax": "One-Time", "Credit": "One-Time",
                    "Refund": "One-Time"}
_NORM = {  # REQUIRED display name -> normalised key
    "lineItem/UnblendedCost": "lineitemunblendedcost",
    "lineItem/UsageStartDate": "lineitemusagestartdate",
    "lineItem/LineItemType": "lineitemlineitemtype",
}


def missing(src: Source) -> list[str]:
    return [name for name, key in _NORM.items() if src.find(key) is None]


def _product_field(src: Source, flat: tuple[str, ...], map_key: str) -> str | None:
    real = src.find(*flat)
    if real is not None:
        return exprs.text(src, real)
    product = src.find("product")
    if product is not None and src.type_of(product).startswith("MAP"):
        return f"map_extract_value({ident(product)}, '{map_key}')"
    return None


def _tags(src: Source) -> str | None:
    legacy = []
    for real in src.columns:
        if real.startswith("resourceTags/"):
            key = real[len("resourceTags/"):]
            legacy.append((key[5:] if key.startswith("user:") else key, real))
        elif real.startswith("resource_tags_"):
            key = real[len("resource_tags_"):]
            legacy.append((key[5:] if key.startswith("user_") else key, real))
    if legacy:
        return tags_from_columns(legacy)
    tags = src.find("resourcetags")
    if tags is not None and src.type_of(tags).startswith("MAP"):
        return tags_from_map(ident(tags), strip_prefix="user_")
    return None


def _category(service: str | None, usage_type: str | None) -> str | None:
    """The service's category, except EBS volumes/snapshots (Storage) and NAT gateways / public
    IPs (Networking), which CUR bills under Amazon EC2."""
    by_service = category_sql(service)
    if not usage_type or not by_service:
        return by_service
    return (f"(CASE WHEN contains({usage_type}, 'EBS:') THEN 'Storage' "
            f"WHEN contains({usage_type}, 'NatGateway') OR contains({usage_type}, 'ElasticIP') "
            f"OR contains({usage_type}, 'PublicIPv4') THEN 'Networking' ELSE {by_service} END)")


def mapping(src: Source, con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    t = lambda *keys: exprs.text(src, src.find(*keys))  # noqa: E731
    n = lambda *keys: exprs.number(src, src.find(*keys))  # noqa: E731
    line_type = t("lineitemlineitemtype")
    unblended = n("lineitemunblendedcost")
    ri_effective = n("reservationeffectivecost")
    sp_effective = n("savingsplansavingsplaneffectivecost")
    sp_total = n("savingsplantotalcommitmenttodate")
    sp_used = n("savingsplanusedcommitment")
    ri_unused_upfront = n("reservationunusedamortizedupfrontfeeforbillingperiod")
    ri_unused_recurring = n("reservationunusedrecurringfee")
    ri_arn = t("reservationreservationarn")
    sp_arn = t("savingsplansavingsplanarn")
    public_cost = n("pricingpublicondemandcost")

    def or_unblended(expr: str | None) -> str:
        return f"COALESCE({expr}, {unblended})" if expr else unblended

    sp_unused = f"({sp_total} - COALESCE({sp_used}, 0))" if sp_total else None
    ri_unused = f"(COALESCE({ri_unused_upfront}, 0) + COALESCE({ri_unused_recurring}, 0))" \
        if (ri_unused_upfront or ri_unused_recurring) else None
    ri_fee_upfront = f"(NULLIF({ri_arn}, '') IS NOT NULL)" if ri_arn else "FALSE"
    effective = (f"(CASE {line_type} "
                 f"WHEN 'DiscountedUsage' THEN {or_unblended(ri_effective)} "
                 f"WHEN 'SavingsPlanCoveredUsage' THEN {or_unblended(sp_effective)} "
                 f"WHEN 'SavingsPlanNegation' THEN 0 WHEN 'SavingsPlanUpfrontFee' THEN 0 "
                 f"WHEN 'SavingsPlanRecurringFee' THEN {or_unblended(sp_unused)} "
                 f"WHEN 'RIFee' THEN {or_unblended(ri_unused)} "
                 f"WHEN 'Fee' THEN (CASE WHEN {ri_fee_upfront} THEN 0 ELSE {unblended} END) "
                 f"ELSE {unblended} END)")
    commit_id = (f"(CASE WHEN {line_type} IN ('DiscountedUsage', 'RIFee', 'Fee') THEN NULLIF({ri_arn or 'NULL'}, '') "
                 f"WHEN {line_type} IN ('SavingsPlanCoveredUsage', 'SavingsPlanRecurringFee', 'SavingsPlanUpfrontFee') "
                 f"THEN NULLIF({sp_arn or 'NULL'}, '') END)")
    commit_type = (f"(CASE WHEN {line_type} IN ('DiscountedUsage', 'RIFee') THEN 'Reservation' "
                   f"WHEN {line_type} LIKE 'SavingsPlan%' AND {line_type} <> 'SavingsPlanNegation' THEN 'Savings Plan' END)")
    usage_type = t("lineitemusagetype")
    service = _product_field(src, ("productproductname",), "product_name") or t("lineitemproductcode")
    if src.find("productproductname") is None and service:
        service = f"COALESCE({service}, {t('lineitemproductcode') or 'NULL'})"
    out = {
        "ProviderName": "'AWS'",
        "BillingAccountId": t("billpayeraccountid"),
        "BillingAccountName": t("billpayeraccountname"),
        "SubAccountId": t("lineitemusageaccountid"),
        "SubAccountName": t("lineitemusageaccountname"),
        "BillingCurrency": t("lineitemcurrencycode"),
        "BillingPeriodStart": exprs.timestamp(src, con, src.find("billbillingperiodstartdate")),
        "ChargePeriodStart": exprs.timestamp(src, con, src.find("lineitemusagestartdate")),
        "ChargePeriodEnd": exprs.timestamp(src, con, src.find("lineitemusageenddate")),
        "ChargeCategory": case_map(line_type, CHARGE_CATEGORY, "Usage"),
        "ChargeFrequency": case_map(line_type, CHARGE_FREQUENCY, "Usage-Based"),
        "ChargeDescription": t("lineitemlineitemdescription"),
        "ServiceName": service,
        "ServiceCategory": _category(service, usage_type),
        "RegionId": _product_field(src, ("productregioncode", "productregion"), "region_code"),
        "AvailabilityZone": t("lineitemavailabilityzone"),
        "ResourceId": f"NULLIF({t('lineitemresourceid')}, '')" if src.find("lineitemresourceid") else None,
        "SkuId": _product_field(src, ("productsku",), "sku"),
        "SkuPriceId": t("pricingrateid"),
        "PricingCategory": case_map(line_type, {"DiscountedUsage": "Committed", "SavingsPlanCoveredUsage": "Committed",
                                                "Usage": "Standard"}, None),
        "PricingQuantity": n("lineitemusageamount"),
        "PricingUnit": t("pricingunit"),
        "ConsumedQuantity": n("lineitemusageamount"),
        "ListUnitPrice": n("pricingpublicondemandrate"),
        "ContractedUnitPrice": n("lineitemnetunblendedrate", "lineitemunblendedrate"),
        "BilledCost": unblended,
        "EffectiveCost": effective,
        "ListCost": public_cost or unblended,
        "ContractedCost": n("lineitemnetunblendedcost") or unblended,
        "CommitmentDiscountId": commit_id,
        "CommitmentDiscountType": commit_type,
        "CommitmentDiscountStatus": case_map(line_type, {"DiscountedUsage": "Used", "SavingsPlanCoveredUsage": "Used"},
                                             None),
        "CommitmentDiscountCategory": (f"(CASE WHEN {line_type} IN ('DiscountedUsage', 'RIFee') THEN 'Usage' "
                                       f"WHEN {line_type} LIKE 'SavingsPlan%' THEN 'Spend' END)"),
        "Tags": _tags(src),
        "x_UsageType": usage_type,
        "x_IsEgress": f"COALESCE({aws_egress(usage_type)}, FALSE)" if usage_type else "FALSE",
        "x_LineItemId": t("identitylineitemid"),
    }
    return {k: v for k, v in out.items() if v}
