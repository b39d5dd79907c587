"""Small shared helpers for the billing-based rules: provider names, hourly checks, SQL quoting.

The ``focus`` view names providers as the export does ("AWS", "Amazon Web Services",
"Google Cloud", "Microsoft"); the catalog keys them ``aws`` / ``gcp`` / ``azure``.
"""

from __future__ import annotations

from collections.abc import Iterable

_PROVIDER_WORDS = (
    ("aws", ("aws", "amazon")),
    ("gcp", ("gcp", "google")),
    ("azure", ("azure", "microsoft")),
)


def provider_key(name: str | None) -> str:
    """Catalog key of a billing ProviderName ("Amazon Web Services" -> "aws")."""
    text = name.strip().lower() if isinstance(name, str) else ""
    for key, words in _PROVIDER_WORDS:
        if any(w in text for w in words):
            return key
    return text


def sql_list(values: Iterable[str]) -> str:
    """A SQL list literal of strings, quotes escaped: ('a', 'b')."""
    quoted = ["'" + str(v).replace("'", "''") + "'" for v in values]
    return "(" + ", ".join(quoted or ["''"]) + ")"


def cost_expr(column: str) -> str:
    """The cost column to sum, falling back to BilledCost where it is NULL."""
    allowed = {"EffectiveCost", "BilledCost", "ListCost", "ContractedCost"}
    if column not in allowed:
        raise ValueError(f"cost column must be one of {sorted(allowed)}, got {column!r}")
    return f"COALESCE({column}, BilledCost)"
