"""The demo account's daily Cost Explorer lines: (service, usage type, USD, quantity, unit).

Amounts (the ``aws_cost_lines`` table of ``tables.toml``) are seeded demo data consistent with
the demo estate (list prices of 2025 for the instance hours it runs), with a small
deterministic day-to-day wobble.
"""

from __future__ import annotations

from costopt.demo.tables import table

# (service, usage type, USD per unit, units, per days, unit): costopt/demo/tables.toml
LINES = [(service, usage, price, qty / per if per != 1 else qty, unit)
         for service, usage, price, qty, per, unit in table("aws_cost_lines")]


def daily_lines(day_ordinal: int) -> list[tuple[str, str, float, float, str]]:
    out = []
    for n, (service, usage, price, qty, unit) in enumerate(LINES):
        wobble = 1.0 + 0.03 * (((day_ordinal * 7 + n * 13) % 11) - 5) / 5.0 if unit == "GB" else 1.0
        q = qty * wobble
        out.append((service, usage, price * q, q, unit))
    return out
