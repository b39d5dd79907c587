"""Every price of one instance type, per region and model, with its date, age and label.

Why: ``costopt catalog show`` must answer for any region and type, and say plainly when it
cannot: an unknown type or region, or a known region that does not price the type, is an
InputError naming the nearest matches (difflib), so the CLI exits 2 with one line.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date

from costopt.catalog.catalog import Catalog
from costopt.catalog.licence import is_lower_bound
from costopt.catalog.model import PRICE_MODELS, PROVIDERS, InstanceSpec
from costopt.catalog.staleness import is_stale, price_age_days
from costopt.errors import InputError


@dataclass(frozen=True)
class QuoteLine:
    """One price of the type: ``kind`` is "price", "spot snapshot", "estimate" or "lower bound" (an OS
    licence fee costopt does not know is left out)."""

    region: str
    model: str
    amount: float
    unit: str
    currency: str
    source: str
    as_of: str
    age_days: int | None
    stale: bool
    kind: str


@dataclass(frozen=True)
class Quote:
    provider: str
    type: str
    spec: InstanceSpec | None
    lines: tuple[QuoteLine, ...]
    interruption_per_hour: dict[str, float]


def guess_providers(type_name: str) -> tuple[str, ...]:
    """The providers whose naming ``type_name`` follows, most likely first (all are tried)."""
    lowered = type_name.lower()
    if lowered.startswith(("standard_", "basic_")):
        first = "azure"
    elif "." in lowered:
        first = "aws"
    else:
        first = "gcp"
    return (first,) + tuple(p for p in PROVIDERS if p != first)


def _nearest(word: str, names: list[str]) -> str:
    lowered = {n.lower(): n for n in names}
    close = [lowered[c] for c in difflib.get_close_matches(word.lower(), list(lowered), n=3, cutoff=0.5)]
    return f"; nearest: {', '.join(close)}" if close else ""


def quote(catalog: Catalog, type_name: str, *, provider: str | None = None, region: str | None = None,
          os: str = "linux", today: date, max_age_days: int | None = None) -> list[Quote]:
    """Quotes of ``type_name`` for each provider that prices or specifies it."""
    providers = (provider,) if provider else guess_providers(type_name)
    found: list[Quote] = []
    names: list[str] = []
    for p in providers:
        types = catalog.types(p)
        known = {t.lower(): t for t in types}
        if type_name.lower() not in known:
            names += types
            continue
        spec = catalog.instance(p, type_name)
        regions = catalog.regions(p)
        if region is not None:
            if region.lower() not in {r.lower() for r in regions}:
                raise InputError(f"{p} has no prices in region {region!r}{_nearest(region, regions)}", key="--region")
            regions = [region]
        lines = tuple(line for r in regions for line in _lines(catalog, p, r, type_name, os, today, max_age_days))
        if region is None and not lines:
            raise InputError(f"no {os} price for {known[type_name.lower()]} in any region"
                             f"{_nearest(type_name, catalog.types(p, priced_only=True))}", key="TYPE")
        if region is not None and not lines:
            priced = [r for r in catalog.regions(p) if catalog.price(p, r, type_name, os=os) is not None]
            raise InputError(f"no {os} price for {known[type_name.lower()]} in {region}"
                             f"{_nearest(region, priced) or '; no region prices it'}", key="--region")
        rates = {r: rate for r in regions if (rate := catalog.interruption_rate(p, r, type_name)) is not None}
        found.append(Quote(p, spec.type if spec else known[type_name.lower()], spec, lines, rates))
        if provider is None:
            break  # the first provider that knows the name answers
    if not found:
        raise InputError(f"instance type {type_name!r} is not in the catalog{_nearest(type_name, names)}", key="TYPE")
    return found


def _lines(catalog: Catalog, provider: str, region: str, type_name: str, os: str, today: date,
           max_age_days: int | None) -> list[QuoteLine]:
    out = []
    for model in PRICE_MODELS:
        price = catalog.price(provider, region, type_name, model, os=os)
        if price is None:
            continue
        kind = ("lower bound" if is_lower_bound(price.source) else "estimate" if price.estimate
                else "spot snapshot" if model == "spot" else "price")
        out.append(QuoteLine(region, model, price.amount, price.unit, price.currency, price.source, price.as_of,
                             price_age_days(price.as_of, today), is_stale(price, today, max_age_days), kind))
    return out
