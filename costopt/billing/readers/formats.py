"""Which reader a source's header calls for, and the reader's SELECT onto the canonical columns."""

from __future__ import annotations

from costopt.billing.readers import aws_cur, azure, focus, gcp
from costopt.billing.readers.sources import Source
from costopt.billing.table import BillingTable, canonical_select

FORMATS = ("focus", "aws-cur", "azure", "gcp")
TRIED = ("focus (BilledCost + ChargePeriodStart), aws-cur (lineItem/UnblendedCost or line_item_unblended_cost), "
         "gcp (billing_account_id + cost + usage_start_time), azure (MeterCategory/MeterId/MeterName + "
         "CostInBillingCurrency/Cost/PreTaxCost)")


def detect_format(src: Source) -> str | None:
    """The format of a file from its (normalised) header, or None."""
    if all(src.find(k) for k in focus.DETECT):
        return "focus"
    if all(src.find(k) for k in aws_cur.DETECT):
        return "aws-cur"
    if gcp.detects(src):
        return "gcp"
    if azure.detects(src):
        return "azure"
    return None


def missing(fmt: str, src: Source) -> list[str]:
    return {"focus": focus.missing, "aws-cur": aws_cur.missing, "azure": azure.missing, "gcp": gcp.missing}[fmt](src)


def select(fmt: str, src: Source, table: BillingTable, amortized: bool | None) -> str:
    """The SELECT mapping ``src`` onto the canonical FOCUS columns."""
    con = table.con
    if fmt == "gcp":
        return gcp.select(src, con)
    if fmt == "focus":
        mapping = focus.mapping(src, con)
    elif fmt == "aws-cur":
        mapping = aws_cur.mapping(src, con)
    else:
        mapping = azure.mapping(src, con, amortized)
    mapping["x_SourceFile"] = src.file_expr
    return canonical_select(mapping, src.view)
