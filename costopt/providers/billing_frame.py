"""A BillingTable from a provider's small in-memory FOCUS frame (GCP and Azure adapters).

The frame is materialised as a DuckDB table on the table's own connection, so every cursor
of the BillingTable sees it (a registered pandas view is visible to its connection only).
"""

from __future__ import annotations

import pandas as pd

from costopt.billing.schema import FOCUS_COLUMNS
from costopt.billing.table import BillingTable, canonical_select


def table_from_frame(frame: pd.DataFrame, label: str) -> BillingTable:
    table = BillingTable()
    table.con.register("provider_frame", frame)
    table.con.execute("CREATE TABLE provider_rows AS SELECT * FROM provider_frame")
    table.con.unregister("provider_frame")
    table.add_select(canonical_select({c: c for c in FOCUS_COLUMNS if c in frame.columns}, "provider_rows"), label)
    return table
