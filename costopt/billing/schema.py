"""The canonical FOCUS columns costopt keeps in its ``focus`` view, with DuckDB types.

Every reader maps its source onto exactly these columns (missing ones become NULL), so the
breakdown SQL and the rules see one shape whatever the export. Names follow FOCUS 1.2;
``x_``-prefixed columns are costopt extensions (FOCUS allows ``x_`` custom columns):

- ``x_UsageType``: the provider's usage type / SKU description / meter (used for egress).
- ``x_IsEgress``: TRUE when the row is data transfer out (by usage type / SKU, not service).
- ``x_SourceFile``: the file the row came from, for error messages and coverage.
- ``x_LineItemId``: the export's own line item id where it has one (AWS CUR
  ``identity/LineItemId``), so duplicate detection can tell a file read twice from split lines.
"""

from __future__ import annotations

FOCUS_COLUMNS: dict[str, str] = {
    "ProviderName": "VARCHAR",
    "BillingAccountId": "VARCHAR",
    "BillingAccountName": "VARCHAR",
    "SubAccountId": "VARCHAR",
    "SubAccountName": "VARCHAR",
    "BillingCurrency": "VARCHAR",
    "BillingPeriodStart": "TIMESTAMP",
    "ChargePeriodStart": "TIMESTAMP",
    "ChargePeriodEnd": "TIMESTAMP",
    "ChargeCategory": "VARCHAR",
    "ChargeClass": "VARCHAR",
    "ChargeFrequency": "VARCHAR",
    "ChargeDescription": "VARCHAR",
    "ServiceName": "VARCHAR",
    "ServiceCategory": "VARCHAR",
    "RegionId": "VARCHAR",
    "AvailabilityZone": "VARCHAR",
    "ResourceId": "VARCHAR",
    "ResourceName": "VARCHAR",
    "ResourceType": "VARCHAR",
    "SkuId": "VARCHAR",
    "SkuPriceId": "VARCHAR",
    "PricingCategory": "VARCHAR",
    "PricingQuantity": "DOUBLE",
    "PricingUnit": "VARCHAR",
    "ConsumedQuantity": "DOUBLE",
    "ConsumedUnit": "VARCHAR",
    "ListUnitPrice": "DOUBLE",
    "ContractedUnitPrice": "DOUBLE",
    "BilledCost": "DOUBLE",
    "EffectiveCost": "DOUBLE",
    "ListCost": "DOUBLE",
    "ContractedCost": "DOUBLE",
    "CommitmentDiscountId": "VARCHAR",
    "CommitmentDiscountType": "VARCHAR",
    "CommitmentDiscountCategory": "VARCHAR",
    "CommitmentDiscountStatus": "VARCHAR",
    "Tags": "VARCHAR",
    "x_UsageType": "VARCHAR",
    "x_IsEgress": "BOOLEAN",
    "x_SourceFile": "VARCHAR",
    "x_LineItemId": "VARCHAR",
}

# The FOCUS columns a file must have to be read as FOCUS (the ones costopt's SQL cannot do
# without: costs, their currency, when, and what kind of charge). Other FOCUS columns that are
# absent become NULL (ServiceCategory is derived from ServiceName when absent).
FOCUS_REQUIRED = ("BilledCost", "EffectiveCost", "BillingCurrency", "ChargePeriodStart", "ChargeCategory")

CHARGE_CATEGORIES = ("Usage", "Purchase", "Tax", "Credit", "Adjustment")
COST_COLUMNS = {"billed": "BilledCost", "effective": "EffectiveCost", "list": "ListCost", "contracted": "ContractedCost"}
