"""Instance specs and prices (on-demand, spot, commitments), storage tiers and egress prices.

``catalog = load_catalog(settings)`` gives a :class:`Catalog` built from the bundled snapshot
(written by the project, see ``data/sources.json``) with any refreshed prices from the cache
(``costopt catalog refresh``) laid over it. The API others code against:

- ``catalog.instance(provider, type) -> InstanceSpec | None``
- ``catalog.price(provider, region, type, model="on_demand", os="linux") -> Price | None``
  (model: on_demand, spot, commit_1y, commit_3y); ``Price.estimate`` marks a figure derived
  from a real price with a typical ratio (:mod:`costopt.catalog.estimates`)
- ``catalog.instances(provider, region=None) -> list[InstanceSpec]``
- ``catalog.offers(provider, region, model) -> DataFrame`` (specs + price, for vectorised matching)
- ``catalog.interruption_rate(provider, region, type) -> float | None`` (per instance-hour)
- ``catalog.storage_tiers(provider, region) -> list[StorageTier]``
- ``catalog.egress(provider, region, kind) -> Price | None`` (internet, inter_region, nat_processing)
- ``catalog.price_sources() -> tuple[PriceSource, ...]``
- ``catalog.regions(provider)``, ``catalog.types(provider)``: what the catalog can price
- :mod:`costopt.catalog.staleness`: ``stale_sources(catalog, today)``, ``price_confidence(level,
  prices, today)`` -- prices older than 90 days (``[report] stale_price_days``) and estimates
  lower the confidence a recommendation may claim

A price that is neither known nor derivable is None: rules then Skip with the reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from costopt.catalog.bundled import fill_bundled, source_descriptions
from costopt.catalog.cache import apply_cache, cache_path, read_cache
from costopt.catalog.catalog import Catalog
from costopt.catalog.model import EGRESS_KINDS, PRICE_MODELS, PROVIDERS, InstanceSpec, Price, StorageTier

__all__ = ["Catalog", "InstanceSpec", "Price", "StorageTier", "load_catalog", "bundled_catalog",
           "PRICE_MODELS", "EGRESS_KINDS", "PROVIDERS"]


def bundled_catalog() -> Catalog:
    """The bundled snapshot only (no cache): what tests and the demo rely on."""
    catalog = fill_bundled(Catalog())
    catalog.source_details.update(source_descriptions())
    return catalog


def load_catalog(settings: Any = None, *, cache_dir: Path | None = None, use_cache: bool = True) -> Catalog:
    """Bundled snapshot + refreshed prices from the cache (cache wins for the same key).

    ``settings`` is accepted for symmetry with the other loaders (a future ``[catalog]``
    section); the cache folder is ``$COSTOPT_CACHE_DIR`` or ``~/.cache/costopt``.
    """
    catalog = bundled_catalog()
    if use_cache:
        for provider in PROVIDERS:
            data = read_cache(provider, cache_dir)
            if data is not None:
                apply_cache(catalog, data, str(cache_path(provider, cache_dir)))
                catalog.source_details.update(data.get("sources", {}))
    return catalog
