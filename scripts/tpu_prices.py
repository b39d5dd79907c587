"""Cloud TPU price rows for the bundled GCP catalog, from ``catalog_inputs/gcp_tpu_prices.csv``.

The facts file gives, per TPU generation and region, the list price (and a dated spot price) of
the smallest slice a public snapshot lists, with its chip count (provenance and the meaning of
``as_of``: ``catalog_inputs/README.md``). This module turns each into per-hour rows of

- ``tpu-<generation>``: one chip (v5e, v5p, v6e, v4);
- the Cloud TPU accelerator types an estate names: ``v5litepod-N`` and ``v6e-N`` (N chips) and
  ``v5p-N`` and ``v4-N`` (N TensorCores = N / 2 chips), for the usual slice sizes;

each = chips x the per-chip price, in the columns of ``prices_gcp.csv.gz``, source id
``gcp-tpu-skypilot``. Used by ``scripts/build_catalog.py``.
"""

from __future__ import annotations

import csv
from pathlib import Path

SOURCE_ID = "gcp-tpu-skypilot"
# generation -> (accelerator-type prefix, the number in the name counts chips (True) or TensorCores (False), sizes)
SLICES = {
    "v5e": ("v5litepod", True, (1, 4, 8, 16, 32, 64, 128, 256)),
    "v6e": ("v6e", True, (1, 4, 8, 16, 32, 64, 128, 256)),
    "v5p": ("v5p", False, (8, 16, 32, 64, 128, 256, 512, 1024)),
    "v4": ("v4", False, (8, 16, 32, 64, 128, 256, 512, 1024)),
}


class TpuFactsError(ValueError):
    """The TPU facts file does not have the documented shape."""


def tpu_rows(path: Path) -> list[tuple[str, ...]]:
    """Rows (region, type, os, model, amount, unit, currency, source, as_of) for every TPU type and region."""
    out: list[tuple[str, ...]] = []
    with path.open(encoding="utf-8", newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            try:
                prefix, by_chip, sizes = SLICES[row["generation"]]
                chips = int(row["chips"])
                per_chip = {"on_demand": float(row["on_demand"]) / chips}
                if row["spot"]:
                    per_chip["spot"] = float(row["spot"]) / chips
                if row["source"] != SOURCE_ID or chips <= 0:
                    raise ValueError(f"source must be {SOURCE_ID} and chips positive")
            except (KeyError, ValueError) as exc:
                raise TpuFactsError(f"{path}:{line}: unreadable TPU price row ({exc})") from None
            names = [(f"tpu-{row['generation']}", 1)] + [(f"{prefix}-{n}", n if by_chip else n // 2) for n in sizes]
            for name, count in names:
                for model, price in per_chip.items():
                    out.append((row["region"], name, "linux", model, repr(round(price * count, 6)), "hour", "USD",
                                SOURCE_ID, row["as_of"]))
    return out
