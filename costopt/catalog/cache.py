"""The refreshed-price cache: one JSON document per provider under the cache folder.

Location: ``$COSTOPT_CACHE_DIR/catalog/<provider>.json`` (default ``$XDG_CACHE_HOME/costopt``
or ``~/.cache/costopt``). Written atomically by ``costopt catalog refresh``; read by
``load_catalog``, where cached entries override bundled ones for the same key. A cache file
that cannot be read is reported as an InputError naming it (delete it or refresh again).

Document::

    {"provider": "aws", "fetched_at": "2026-11-27T04:00:00Z", "currency": "USD",
     "instances": [{InstanceSpec fields}],
     "prices": [[region, type, model, amount, source, as_of(, unit(, os))], ...],
     "interruptions": [[region, type, per_hour], ...],
     "storage": [{StorageTier fields}], "egress": [[region, kind, amount, source, as_of], ...]}

A price row's optional 7th element is its unit ("hour" when absent, else "GB-month" or "GB"),
for non-instance prices such as ``ebs:gp3`` (GB-month) or ``vpc:nat_gateway`` (hour); its
optional 8th the catalog OS key of an instance price (``linux`` when absent; ``windows``,
``rhel``, ``suse``, ``windows_sql_std``, ...: :mod:`costopt.catalog.licence`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from costopt.atomic import write_atomic
from costopt.catalog.catalog import Catalog
from costopt.catalog.licence import LINUX, OS_KEYS
from costopt.catalog.model import PRICE_UNITS, InstanceSpec, Price, StorageTier
from costopt.errors import InputError

CACHE_VERSION = 1


def cache_dir() -> Path:
    """The costopt cache folder (not created here)."""
    explicit = os.environ.get("COSTOPT_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "costopt"


def cache_path(provider: str, directory: Path | None = None) -> Path:
    return (directory or cache_dir()) / "catalog" / f"{provider}.json"


def write_cache(document: Mapping[str, Any], directory: Path | None = None) -> Path:
    """Write one provider's refreshed prices; returns the file written."""
    path = cache_path(document["provider"], directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = dict(document, version=CACHE_VERSION)
    write_atomic(path, json.dumps(payload, indent=1, sort_keys=True))
    return path


def read_cache(provider: str, directory: Path | None = None) -> dict[str, Any] | None:
    path = cache_path(provider, directory)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"price cache is not readable JSON ({exc}); delete it or run `costopt catalog refresh`",
                         path=str(path)) from None
    if not isinstance(data, dict) or data.get("provider") != provider:
        raise InputError(f"price cache is not a costopt {provider} price document; delete it or refresh",
                         path=str(path))
    return data


def apply_cache(catalog: Catalog, data: Mapping[str, Any], path: str = "<cache>") -> Catalog:
    """Add a cache document's entries to ``catalog`` (they override bundled ones)."""
    provider = data["provider"]
    currency = data.get("currency", "USD")
    spec_fields = {f.name for f in fields(InstanceSpec)}
    tier_fields = {f.name for f in fields(StorageTier)}
    try:
        for item in data.get("instances", []):
            catalog.add_instance(InstanceSpec(**{k: v for k, v in item.items() if k in spec_fields}))
        for row in data.get("prices", []):
            region, type_, model, amount, source, as_of, *rest = row
            unit, os = (rest + ["hour", "linux"][len(rest):])[:2] if len(rest) <= 2 else (None, None)
            if unit not in PRICE_UNITS:
                raise ValueError(f"price row {row!r}: unit must be one of {', '.join(PRICE_UNITS)}")
            if os not in OS_KEYS or (os != LINUX and unit != "hour"):
                raise ValueError(f"price row {row!r}: the 8th element must be the OS of an hourly price, one of "
                                 f"{', '.join(sorted(OS_KEYS))}")
            catalog.add_price(provider, region, type_, model, Price(float(amount), unit, currency, source, as_of),
                              os=os)
        for region, type_, rate in data.get("interruptions", []):
            catalog.add_interruption_rate(provider, region, type_, float(rate))
        for item in data.get("storage", []):
            catalog.add_storage_tier(StorageTier(**{k: v for k, v in item.items() if k in tier_fields}))
        for region, kind, amount, source, as_of in data.get("egress", []):
            catalog.add_egress(provider, region, kind, Price(float(amount), "GB", currency, source, as_of))
    except (TypeError, ValueError, KeyError) as exc:
        raise InputError(f"price cache entry is malformed ({exc}); delete it or run `costopt catalog refresh`",
                         path=path) from None
    return catalog


def spec_to_dict(spec: InstanceSpec) -> dict[str, Any]:
    return asdict(spec)
