"""Prices on inventory: keep the live API's price, else fall back to the bundled catalog's.

Adapters price what they list from the provider's own price API; when that has no entry
for a type, the catalog's price is used and the resource says where its price came from.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from costopt.catalog import load_catalog
from costopt.catalog.licence import is_lower_bound, os_of
from costopt.config import Settings
from costopt.model import Resource

log = logging.getLogger(__name__)


def optional_catalog(settings: Settings | None) -> Any:
    """The price catalog, or None when it cannot be loaded: a broken catalog must not sink the
    inventory (machine specs and prices then come from the provider's own APIs, or stay unknown)."""
    try:
        return load_catalog(settings)
    except Exception as exc:
        log.warning("price catalog unavailable: %s", exc)
        return None


def with_catalog_price(resource: Resource, catalog: Any, provider: str, live_source: str,
                       is_running: Callable[[Resource], bool]) -> Resource:
    """``resource`` with ``hourly_cost`` and ``attributes["price_source"]`` set.

    A resource that is not running (``is_running`` false) costs 0 per hour for compute. The
    catalog is asked for the resource's OS (``attributes["os"]``); a price that leaves out the
    licence says so in ``price_is_lower_bound``.
    """
    if resource.hourly_cost is not None:
        return replace(resource, attributes={**resource.attributes, "price_source": live_source})
    if catalog is None:
        return resource
    model = "spot" if resource.pricing_model == "spot" else "on_demand"
    os = os_of(resource)
    price = catalog.price(provider, resource.region, resource.type, model, os=os)
    if price is None or price.currency != resource.currency:
        return resource
    hourly = price.amount if is_running(resource) else 0.0
    extra = {"price_source": price.source}
    if is_lower_bound(price.source):
        extra["price_is_lower_bound"] = f"licence fee of {os} not priced: the catalog's Linux price"
    return replace(resource, hourly_cost=hourly, attributes={**resource.attributes, **extra})
