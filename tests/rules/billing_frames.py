"""Build a BillingTable from an in-memory FOCUS frame for the rule tests.

``BillingTable.from_frame`` registers the frame on the connection, but queries run on cursors,
which do not see registered frames in DuckDB 2.0; copying the frame into a DuckDB table makes
it visible to every cursor. (Reported to the billing owner; drop this when from_frame does it.)
"""

import itertools

from costopt.billing.schema import FOCUS_COLUMNS
from costopt.billing.table import BillingTable, canonical_select

_n = itertools.count()


def billing_table(frame, label="<test frame>") -> BillingTable:
    table = BillingTable()
    raw = f"test_frame_{next(_n)}"
    table.con.register(f"{raw}_in", frame)
    table.con.execute(f"CREATE TABLE {raw} AS SELECT * FROM {raw}_in")
    table.con.unregister(f"{raw}_in")
    mapping = {c: c for c in FOCUS_COLUMNS if c in frame.columns}
    table.add_select(canonical_select(mapping, raw), label)
    return table
