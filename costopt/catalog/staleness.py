"""Stale prices and the confidence a recommendation may claim from the prices it rests on.

Why: every saving is a price difference, so a two-year-old price makes a confident-looking
number wrong. A price is *stale* when its ``as_of`` date is more than ``max_age_days`` (default
``STALE_AFTER_DAYS``; ``[report] stale_price_days`` in costopt.toml) before the analysis date.
An *estimate* (a typical ratio applied to a real price, ``Price.estimate``) is not a price at
all, so it caps confidence at "low" whatever its date.

How to fix a stale price: ``costopt catalog refresh --provider P``, or regenerate the bundle
from newer public tables (``python scripts/build_catalog.py``).

API for the report / terminal summary / rules:

- ``stale_sources(catalog, today, max_age_days=None) -> tuple[PriceSource, ...]``
- ``price_confidence(level, prices, today, max_age_days=None) -> str``
- ``is_stale(price, today, max_age_days=None)`` and ``price_age_days(as_of, today)``
- ``stale_after_days(settings) -> int``
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, Protocol

from costopt.catalog.defaults import STALE_AFTER_DAYS
from costopt.errors import ConfigError
from costopt.model import PriceSource

LEVELS = ("low", "medium", "high")
SETTING = "stale_price_days"


class Dated(Protocol):
    as_of: str


def stale_after_days(settings: Any = None) -> int:
    """The configured age limit: ``[report] stale_price_days`` (a positive whole number) or the default."""
    section = getattr(settings, "report", None) or {}
    value = section.get(SETTING, STALE_AFTER_DAYS) if hasattr(section, "get") else STALE_AFTER_DAYS
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError(f"expected a positive whole number of days, got {value!r}", key=f"report.{SETTING}")
    return value


def price_age_days(as_of: str, today: date) -> int | None:
    """Days from ``as_of`` (ISO date, or a timestamp starting with one) to ``today``; None when unreadable."""
    try:
        return (today - date.fromisoformat((as_of or "")[:10])).days
    except ValueError:
        return None


def is_stale(price: Dated, today: date, max_age_days: int | None = None) -> bool:
    """True when the price is older than the limit, or has no readable date (an undated price is not current)."""
    age = price_age_days(price.as_of, today)
    return age is None or age > (STALE_AFTER_DAYS if max_age_days is None else max_age_days)


def stale_sources(catalog: Any, today: date, max_age_days: int | None = None) -> tuple[PriceSource, ...]:
    """The catalog's price sources older than the limit on ``today`` (each with its date and count)."""
    return tuple(s for s in catalog.price_sources() if is_stale(s, today, max_age_days))


def price_confidence(level: str, prices: Iterable[Any], today: date, max_age_days: int | None = None) -> str:
    """The confidence a recommendation may claim given the prices it rests on.

    Any estimate -> "low". Otherwise any stale price lowers ``level`` one step (high -> medium,
    medium -> low). ``None`` entries (no price) are ignored: the rule skips those itself.
    """
    if level not in LEVELS:
        raise ValueError(f"confidence {level!r} is not one of {', '.join(LEVELS)}")
    known = [p for p in prices if p is not None]
    if any(getattr(p, "estimate", False) for p in known):
        return "low"
    if any(is_stale(p, today, max_age_days) for p in known):
        return LEVELS[max(LEVELS.index(level) - 1, 0)]
    return level
