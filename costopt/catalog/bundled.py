"""Read the bundled price snapshot in ``costopt/catalog/data`` into a Catalog.

The CSVs were written by the costopt project from public list prices (see data/sources.json
for what each source id means). They are a small offline snapshot so the demo and the tests
run without network; ``costopt catalog refresh`` replaces them per provider with live prices.

Files: instances.csv (specs), prices.csv (provider, region, type, model, usd_per_hour, source,
as_of), interruptions.csv (spot interruptions per instance-hour), storage.csv, egress.csv, and
resource_prices.csv (provider, region, type, model, amount, unit, source, as_of): priced things
that are not instances, in the keys the adapters ask for -- AWS ``ebs:<volume type>`` and
``ebs:snapshot`` / ``ebs:snapshot_archive`` per GB-month, ``vpc:public_ipv4`` and
``vpc:nat_gateway`` per hour.
"""

from __future__ import annotations

import csv
import json
from functools import lru_cache
from importlib import resources
from typing import Iterator

from costopt.catalog.catalog import Catalog
from costopt.catalog.model import PRICE_UNITS, InstanceSpec, Price, StorageTier

DATA_PACKAGE = "costopt.catalog"


def _rows(name: str) -> Iterator[dict[str, str]]:
    with resources.files(DATA_PACKAGE).joinpath("data", name).open("r", encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def instance_from_row(row: dict[str, str]) -> InstanceSpec:
    return InstanceSpec(
        provider=row["provider"], type=row["type"], family=row["family"], size=row["size"],
        generation=int(row["generation"] or 0), vcpu=int(row["vcpu"]), memory_gib=float(row["memory_gib"]),
        gpu_count=int(row["gpu_count"] or 0), gpu_model=row["gpu_model"], gpu_memory_gib=float(row["gpu_memory_gib"] or 0),
        architecture=row["architecture"] or "x86_64", relative_speed=float(row["relative_speed"] or 1.0),
        gpu_tflops=float(row["gpu_tflops"] or 0.0))


def storage_from_row(row: dict[str, str], currency: str = "USD") -> StorageTier:
    return StorageTier(
        provider=row["provider"], region=row["region"], name=row["name"], gb_month=float(row["gb_month"]),
        retrieval_per_gb=float(row["retrieval_per_gb"]), put_per_1k=float(row["put_per_1k"]),
        get_per_1k=float(row["get_per_1k"]), transition_per_1k=float(row["transition_per_1k"]),
        min_days=int(row["min_days"]), min_object_kb=float(row["min_object_kb"]),
        first_byte_ms=float(row["first_byte_ms"]), currency=currency, source=row["source"], as_of=row["as_of"])


@lru_cache(maxsize=1)
def source_descriptions() -> dict[str, str]:
    """Source id -> what it means (shown as the PriceSource detail)."""
    text = resources.files(DATA_PACKAGE).joinpath("data", "sources.json").read_text(encoding="utf-8")
    return {k: v for k, v in json.loads(text).items() if not k.startswith("_")}


def fill_bundled(catalog: Catalog) -> Catalog:
    """Add every bundled spec and price to ``catalog`` and return it."""
    for row in _rows("instances.csv"):
        catalog.add_instance(instance_from_row(row))
    for row in _rows("prices.csv"):
        price = Price(float(row["usd_per_hour"]), "hour", "USD", row["source"], row["as_of"])
        catalog.add_price(row["provider"], row["region"], row["type"], row["model"], price)
    for row in _rows("resource_prices.csv"):
        if row["unit"] not in PRICE_UNITS:
            raise ValueError(f"resource_prices.csv: unit {row['unit']!r} of {row['type']} is not one of {PRICE_UNITS}")
        price = Price(float(row["amount"]), row["unit"], "USD", row["source"], row["as_of"])
        catalog.add_price(row["provider"], row["region"], row["type"], row["model"], price)
    for row in _rows("interruptions.csv"):
        catalog.add_interruption_rate(row["provider"], row["region"], row["type"], float(row["per_hour"]))
    for row in _rows("storage.csv"):
        catalog.add_storage_tier(storage_from_row(row))
    for row in _rows("egress.csv"):
        catalog.add_egress(row["provider"], row["region"], row["kind"],
                           Price(float(row["usd_per_gb"]), "GB", "USD", row["source"], row["as_of"]))
    return catalog
