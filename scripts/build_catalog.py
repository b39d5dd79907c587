"""Regenerate the bundled instance-price catalog from public, dated price tables. One command:

    python scripts/build_catalog.py [--prices ../shared/data/prices] [--out costopt/catalog/data]

Inputs (``--prices``; columns provider, service, region, sku_or_type, os, price_model, unit,
price, currency, source, as_of; provenance in that folder's SOURCES.md):

- ``aws_ec2_karpenter.csv.gz``: EC2 Linux on-demand, us-east-1, GovCloud, cn-north-1 (CNY);
- ``azure_vm_karpenter.csv.gz``: Azure VM Linux on-demand for every public region;
- ``gcp_compute_karpenter.csv.gz`` (on-demand, spot) and ``gcp_compute_cyclenerd.csv.gz``
  (on-demand, spot, 1y/3y CUD): GCP machine types, a2/a3/g2 priced with their GPUs.

plus ``scripts/catalog_inputs/bundled_2025_prices.csv``, the project's own earlier snapshot:
its on-demand list prices are kept (with their 2025 source and date, so they show as stale)
only where the public tables have no price for that region and type -- AWS eu-west-1,
SageMaker ``ml.*`` types, GCP per-GPU accelerator prices. Its spot and commitment rows were
typical-discount ratios, not prices, so they are dropped: the catalog derives such figures at
lookup time and labels them ``estimate`` (see ``costopt.catalog.estimates``).

GCP object storage and network for every region come from ``gcp_gcs_cyclenerd.csv.gz`` (class
price per GB-month, retrieval per GB) and ``gcp_network_cyclenerd.csv.gz`` (internet egress, first
TiB tier, worldwide destinations; Cloud NAT data processing), written as ``gcp_storage.csv`` and
``gcp_egress.csv`` in the columns of storage.csv / egress.csv. A class's operation prices, minimum
storage duration and first-byte latency are the same in every region (GCS class facts; multi- and
dual-region buckets pay more per operation than this assumes), taken
from the project's us-central1 rows in ``data/storage.csv``.

Output: ``prices_<provider>.csv.gz`` (region, type, os, model, amount, unit, currency, source,
as_of; sorted, gzip with a fixed timestamp so a rebuild of the same inputs is byte-identical)
and ``prices_manifest.json`` (row counts per source and date, so the catalog can list its
sources without reading every row). Source ids map the shared tables' long ``source`` text to
the ids described in ``data/sources.json``.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_PRICES = REPO.parent / "shared" / "data" / "prices"
DEFAULT_OUT = REPO / "costopt" / "catalog" / "data"
LEGACY = REPO / "scripts" / "catalog_inputs" / "bundled_2025_prices.csv"
HEADER = ("region", "type", "os", "model", "amount", "unit", "currency", "source", "as_of")
PROVIDERS = ("aws", "gcp", "azure")
MODELS = ("on_demand", "spot", "commit_1y", "commit_3y")

# Shared table source text (prefix) -> bundled source id, in order of preference per key:
# an earlier entry wins over a later one for the same (region, type, os, model).
SOURCE_IDS = (
    ("cloudpilot-ai/karpenter-provider-gcp", "gcp-cloudpilot-2026"),
    ("Cyclenerd/google-cloud-pricing-cost-calculator", "gcp-cyclenerd-2026"),
    ("aws/karpenter-provider-aws@1d927085 pkg/providers/pricing/zz_generated.pricing_aws_cn.go", "aws-karpenter-cn"),
    ("aws/karpenter-provider-aws", "aws-karpenter-2026"),
    ("Azure/karpenter-provider-azure", "azure-karpenter-2026"),
)
FILES = {"aws": ("aws_ec2_karpenter.csv.gz",),
         "gcp": ("gcp_compute_karpenter.csv.gz", "gcp_compute_cyclenerd.csv.gz"),
         "azure": ("azure_vm_karpenter.csv.gz",)}


class BuildError(Exception):
    """A price table that cannot be read or does not have the documented shape."""


def source_id(text: str) -> str:
    for prefix, ident in SOURCE_IDS:
        if text.startswith(prefix):
            return ident
    raise BuildError(f"unknown price source {text!r}; add it to SOURCE_IDS and data/sources.json")


def keep_type(provider: str, type_: str) -> bool:
    """Azure `*_TypeN` rows are dedicated-host SKUs, not VM sizes; everything else is kept."""
    return not (provider == "azure" and "_Type" in type_)


def read_shared(path: Path, provider: str) -> list[tuple[str, ...]]:
    """Rows (region, type, os, model, amount, unit, currency, source id, as_of) of one table."""
    if not path.is_file():
        raise BuildError(f"{path}: price table not found (pass --prices DIR)")
    out = []
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        for line, row in enumerate(reader, start=2):
            try:
                if row["provider"] != provider or not keep_type(provider, row["sku_or_type"]):
                    continue
                if row["price_model"] not in MODELS:
                    raise BuildError(f"{path}:{line}: price_model {row['price_model']!r} is not one of {MODELS}")
                amount = float(row["price"])
                if amount <= 0:
                    continue  # a zero list price is a placeholder, not a price
                out.append((row["region"], row["sku_or_type"].strip(), row["os"] or "linux", row["price_model"],
                            repr(amount), row["unit"], row["currency"], source_id(row["source"]), row["as_of"]))
            except (KeyError, ValueError, TypeError) as exc:
                raise BuildError(f"{path}:{line}: unreadable price row ({exc})") from None
    return out


def read_legacy(path: Path) -> dict[str, list[tuple[str, ...]]]:
    """On-demand rows of the project's earlier snapshot, per provider (spot/commit rows were ratios)."""
    out: dict[str, list[tuple[str, ...]]] = {p: [] for p in PROVIDERS}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["model"] == "on_demand":
                out[row["provider"]].append((row["region"], row["type"], "linux", "on_demand", row["usd_per_hour"],
                                             "hour", "USD", row["source"], row["as_of"]))
    return out


def merge(rows: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """First row wins per (region, type, os, model); keys compared case-insensitively."""
    seen: dict[tuple[str, ...], tuple[str, ...]] = {}
    for row in rows:
        seen.setdefault((row[0].lower(), row[1].lower(), row[2], row[3]), row)
    return sorted(seen.values(), key=lambda r: (r[0], r[1].lower(), r[2], MODELS.index(r[3])))


def build(prices_dir: Path, out_dir: Path, legacy: Path = LEGACY) -> dict[str, object]:
    """Write the bundled price files into ``out_dir``; returns the manifest."""
    old = read_legacy(legacy) if legacy.is_file() else {p: [] for p in PROVIDERS}
    manifest: dict[str, object] = {"columns": list(HEADER), "providers": {}}
    out_dir.mkdir(parents=True, exist_ok=True)
    for provider in PROVIDERS:
        rows: list[tuple[str, ...]] = []
        for name in FILES[provider]:
            rows.extend(read_shared(prices_dir / name, provider))
        rows = merge(rows + old[provider])  # the public 2026 tables win over the 2025 snapshot
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
        path = out_dir / f"prices_{provider}.csv.gz"
        with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
            gz.write(text.getvalue().encode("utf-8"))
        counts = Counter((r[7], r[8]) for r in rows)
        manifest["providers"][provider] = {  # type: ignore[index]
            "rows": len(rows), "regions": len({r[0] for r in rows}), "bytes": path.stat().st_size,
            "sources": [[s, d, n] for (s, d), n in sorted(counts.items())]}
    (out_dir / "prices_manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return manifest


GCS_CLASSES = {"standard": "STANDARD", "nearline": "NEARLINE", "coldline": "COLDLINE", "archiv": "ARCHIVE"}
STORAGE_HEADER = ("provider", "region", "name", "gb_month", "retrieval_per_gb", "put_per_1k", "get_per_1k",
                  "transition_per_1k", "min_days", "min_object_kb", "first_byte_ms", "source", "as_of")


def _shared_rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise BuildError(f"{path}: price table not found (pass --prices DIR)")
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def build_gcp_storage(prices_dir: Path, out_dir: Path) -> tuple[int, int]:
    """Write gcp_storage.csv and gcp_egress.csv for every region of the Cyclenerd tables."""
    with (out_dir / "storage.csv").open(encoding="utf-8", newline="") as fh:
        facts = {r["name"]: r for r in csv.DictReader(fh) if r["provider"] == "gcp" and r["region"] == "us-central1"}
    gcs = _shared_rows(prices_dir / "gcp_gcs_cyclenerd.csv.gz")
    found: dict[tuple[str, str], dict[str, str]] = {}
    for row in gcs:
        kind, _, cls = row["sku_or_type"].partition(":")
        cls = cls.removesuffix("-multi").removesuffix("-dual")
        region = row["region"].removesuffix("-multi")  # multi-regions are the GCS locations asia, eu, us
        if cls in GCS_CLASSES and kind in ("bucket", "retrieval"):
            found.setdefault((region, GCS_CLASSES[cls]), {})[kind] = row["price"]
            found[(region, GCS_CLASSES[cls])]["as_of"] = row["as_of"]
    tiers = []
    for (region, name), got in sorted(found.items()):
        fact = facts.get(name)
        if fact is None or "bucket" not in got:
            continue
        tiers.append(("gcp", region, name, got["bucket"], got.get("retrieval", "0"), fact["put_per_1k"], fact["get_per_1k"],
                      fact["transition_per_1k"], fact["min_days"], fact["min_object_kb"], fact["first_byte_ms"],
                      "gcp-cyclenerd-2026", got["as_of"]))
    kinds = {"egress:internet:tier_TiB_0-1": "internet", "nat:data_processing": "nat_processing"}
    egress = sorted(("gcp", r["region"], kinds[r["sku_or_type"]], r["price"], "gcp-cyclenerd-2026", r["as_of"])
                    for r in _shared_rows(prices_dir / "gcp_network_cyclenerd.csv.gz") if r["sku_or_type"] in kinds)
    for name, header, rows in (("gcp_storage.csv", STORAGE_HEADER, tiers),
                               ("gcp_egress.csv", ("provider", "region", "kind", "usd_per_gb", "source", "as_of"), egress)):
        with (out_dir / name).open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
    return len(tiers), len(egress)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prices", type=Path, default=DEFAULT_PRICES, help="folder of the shared price tables")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="catalog data folder to write")
    parser.add_argument("--legacy", type=Path, default=LEGACY, help="the project's earlier snapshot (on-demand rows kept)")
    args = parser.parse_args(argv)
    try:
        manifest = build(args.prices, args.out, args.legacy)
        tiers, egress = build_gcp_storage(args.prices, args.out)
    except (BuildError, OSError) as exc:
        print(f"build_catalog: {exc}", file=sys.stderr)
        return 2
    for provider, info in manifest["providers"].items():  # type: ignore[union-attr]
        print(f"{provider}: {info['rows']} prices in {info['regions']} regions, {info['bytes']} bytes compressed")
    print(f"gcp: {tiers} storage tiers, {egress} egress prices")
    return 0


if __name__ == "__main__":
    sys.exit(main())
