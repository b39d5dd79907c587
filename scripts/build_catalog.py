"""Regenerate the bundled instance-price catalog from public, dated price tables. One command:

    python scripts/build_catalog.py [--prices ../shared/data/prices] [--out costopt/catalog/data]

Inputs (``--prices``; columns provider, service, region, sku_or_type, os, price_model, unit,
price, currency, source, as_of; provenance in that folder's SOURCES.md):

- ``aws_ec2_karpenter.csv.gz``: EC2 Linux on-demand, us-east-1, GovCloud, cn-north-1 (CNY);
- ``azure_vm_karpenter.csv.gz``: Azure VM Linux on-demand for every public region;
- ``gcp_compute_karpenter.csv.gz`` (on-demand, spot) and ``gcp_compute_cyclenerd.csv.gz``
  (on-demand, spot, 1y/3y CUD): GCP machine types, a2/a3/g2 priced with their GPUs.

plus ``scripts/catalog_inputs/gcp_tpu_prices.csv`` (Cloud TPU v5e/v5p/v6e/v4 per-chip list and
spot prices by region, facts with their citation in ``catalog_inputs/README.md``; expanded to
``tpu-<gen>`` per chip and the accelerator types ``v5litepod-N``/``v6e-N``/``v5p-N``/``v4-N`` by
``scripts/tpu_prices.py``), and ``scripts/catalog_inputs/bundled_2025_prices.csv``, the project's own earlier snapshot:
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

Every public region, not only the two the project priced by hand (``build_regional``): for AWS
(botocore's ``endpoints.json``, partition ``aws``) and Azure (every region of the Azure table) the
shared tables hold no storage, transfer, EBS, NAT or IPv4 prices, so each region gets the base
region's price (AWS us-east-1, Azure eastus, from data/storage.csv, egress.csv,
resource_prices.csv) x that region's compute price ratio -- AWS: m5.large Linux there / in us-east-1
(``costopt.catalog.defaults.AWS_M5_LARGE``, a neighbour's ratio for regions without one,
``AWS_NEIGHBOUR``); Azure: Standard_D2s_v5 Linux there / in eastus, from the Azure table. Request
and retrieval prices scale the same way; minimum durations, object sizes and latency do not.
Each such row's source reads ``estimate:<ratio id> x <base source>``: a labelled estimate, never
a quote (AWS public IPv4 is the exception: AWS charges $0.005/h for a public IPv4 address in
every commercial region, so that price is copied as is). A region's real row, where one exists,
wins at load time. GCP gets real per-region persistent-disk, snapshot, static-IP and Cloud NAT
prices from ``gcp_disk_cyclenerd.csv.gz`` / ``gcp_network_cyclenerd.csv.gz`` (keys ``disk:pd-*``,
``disk:snapshot``, ``vpc:static_ip_unused``, ``vpc:nat_gateway``) and an inter-region egress
estimate (``estimate:gcp-base-region``: the project's us-central1 price in the Americas, its
europe-west4 price elsewhere). Written as ``regional_storage.csv.gz``, ``regional_egress.csv.gz``
and ``regional_prices.csv.gz`` in the columns of storage.csv / egress.csv / resource_prices.csv.

Spot interruption rates for current accelerator families the project's table lacks
(``build_interruption_estimates`` -> ``interruption_estimates.csv``): no public source gives
them per type, so each type of a family in ``PREDECESSOR`` gets the highest band of the previous
generation of that family in the same region (g6/g6e <- g5, p5/p5e/p5en/p4de <- p4d, trn1/trn2
<- inf2, GCP a3 <- a2, Azure H100/H200 <- A100), as ``estimate:previous-generation-band`` with
the band and the family it came from. The bands themselves are the AWS Spot Advisor frequency
bands (<5%, 5-10%, 10-15%, 15-20%, >20% of instances interrupted per month) and Azure/GCP
eviction guidance, as in interruptions.csv.

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

import botocore

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run as a script: the catalog defaults hold the regional ratios

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tpu_prices import TpuFactsError, tpu_rows  # noqa: E402

from costopt.catalog.defaults import AWS_BASE_REGION, aws_region_ratio  # noqa: E402

DEFAULT_PRICES = REPO.parent / "shared" / "data" / "prices"
DEFAULT_OUT = REPO / "costopt" / "catalog" / "data"
LEGACY = REPO / "scripts" / "catalog_inputs" / "bundled_2025_prices.csv"
TPU_FACTS = REPO / "scripts" / "catalog_inputs" / "gcp_tpu_prices.csv"
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


def build(prices_dir: Path, out_dir: Path, legacy: Path = LEGACY, tpu: Path | None = None) -> dict[str, object]:
    """Write the bundled price files into ``out_dir``; returns the manifest. ``tpu``: the TPU facts file."""
    old = read_legacy(legacy) if legacy.is_file() else {p: [] for p in PROVIDERS}
    if tpu is not None:
        old["gcp"] = tpu_rows(tpu) + old["gcp"]
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


AZURE_BASE_REGION, AZURE_RATIO_TYPE = "eastus", "standard_d2s_v5"
# Columns of storage.csv holding money (scaled by a region ratio); the rest are region-independent.
STORAGE_MONEY = ("gb_month", "retrieval_per_gb", "put_per_1k", "get_per_1k", "transition_per_1k")
UNIFORM_PRICES = {("aws", "vpc:public_ipv4")}  # one list price in every commercial region
GCP_DISKS = {"balanced (pd-balanced)": "disk:pd-balanced", "balanced-replicated (pd-balanced)": "disk:pd-balanced-replicated",
             "ssd (pd-ssd)": "disk:pd-ssd", "ssd-replicated (pd-ssd)": "disk:pd-ssd-replicated",
             "hdd (pd-standard)": "disk:pd-standard", "hdd-replicated (pd-standard)": "disk:pd-standard-replicated",
             "extreme (pd-extreme)": "disk:pd-extreme", "hyperdisk-extreme (hyperdisk-extreme)": "disk:hyperdisk-extreme",
             "snapshot (pd-snapshot)": "disk:snapshot"}
GCP_NETWORK = {"ip:unused": "vpc:static_ip_unused", "nat:gateway": "vpc:nat_gateway"}
RESOURCE_HEADER = ("provider", "region", "type", "model", "amount", "unit", "source", "as_of")
EGRESS_HEADER = ("provider", "region", "kind", "usd_per_gb", "source", "as_of")


# (provider, family of the new types) -> family whose interruption band they are given.
PREDECESSOR = {
    ("aws", "g6"): "g5", ("aws", "g6e"): "g5", ("aws", "p5"): "p4d", ("aws", "p5e"): "p4d", ("aws", "p5en"): "p4d",
    ("aws", "p4de"): "p4d", ("aws", "p6-b200"): "p4d", ("aws", "trn1"): "inf2", ("aws", "trn1n"): "inf2",
    ("aws", "trn2"): "inf2", ("aws", "g5g"): "g4dn", ("aws", "p3dn"): "p3", ("gcp", "a3"): "a2",
    ("azure", "NDisrH100_v5"): "NDamsrA100_v4", ("azure", "NDisrH200_v5"): "NDamsrA100_v4",
    ("azure", "NCadsH100_v5"): "NCadsA100_v4", ("azure", "NCCadsH100_v5"): "NCadsA100_v4",
}
INTERRUPTION_HEADER = ("provider", "region", "type", "per_hour", "band", "source", "as_of")


def build_interruption_estimates(out_dir: Path) -> int:
    """Write interruption_estimates.csv (see the module doc); returns the row count."""
    with (out_dir / "instances.csv").open(encoding="utf-8", newline="") as fh:
        family = {(r["provider"], r["type"]): r["family"] for r in csv.DictReader(fh)}
    with (out_dir / "interruptions.csv").open(encoding="utf-8", newline="") as fh:
        known = list(csv.DictReader(fh))
    have = {(r["provider"], r["region"], r["type"]) for r in known}
    band: dict[tuple[str, str, str], dict[str, str]] = {}  # (provider, region, family) -> its highest band row
    for r in known:
        key = (r["provider"], r["region"], family.get((r["provider"], r["type"]), ""))
        if key not in band or float(r["per_hour"]) > float(band[key]["per_hour"]):
            band[key] = r
    rows = []
    for (provider, type_), fam in sorted(family.items()):
        old = PREDECESSOR.get((provider, fam))
        for (p, region, f), r in sorted(band.items()):
            if old is not None and p == provider and f == old and (provider, region, type_) not in have:
                rows.append((provider, region, type_, r["per_hour"], f"{r['band']} (band of {old})",
                             "estimate:previous-generation-band", r["as_of"]))
    with (out_dir / "interruption_estimates.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(INTERRUPTION_HEADER)
        writer.writerows(rows)
    return len(rows)


def aws_public_regions() -> list[str]:
    """The commercial (partition ``aws``) regions botocore knows."""
    data = json.loads((Path(botocore.__file__).parent / "data" / "endpoints.json").read_text(encoding="utf-8"))
    return sorted(next(p for p in data["partitions"] if p["partition"] == "aws")["regions"])


def azure_ratios(prices_dir: Path) -> dict[str, float]:
    """Azure region -> Standard_D2s_v5 Linux price there / in eastus."""
    found = {r["region"]: float(r["price"]) for r in _shared_rows(prices_dir / "azure_vm_karpenter.csv.gz")
             if r["sku_or_type"].lower() == AZURE_RATIO_TYPE and r["price_model"] == "on_demand"}
    if AZURE_BASE_REGION not in found:
        raise BuildError(f"azure_vm_karpenter.csv.gz: no {AZURE_RATIO_TYPE} price in {AZURE_BASE_REGION}")
    return {region: price / found[AZURE_BASE_REGION] for region, price in found.items()}


def _ratios(prices_dir: Path) -> dict[str, dict[str, tuple[float, str]]]:
    """provider -> region -> (ratio to the base region, estimate label), base region excluded."""
    aws = {r: ratio for r in aws_public_regions() if r != AWS_BASE_REGION and (ratio := aws_region_ratio(r))}
    azure = {r: (x, "estimate:azure-region-ratio") for r, x in azure_ratios(prices_dir).items() if r != AZURE_BASE_REGION}
    return {"aws": aws, "azure": azure}


def _base_rows(out_dir: Path, name: str) -> list[dict[str, str]]:
    with (out_dir / name).open(encoding="utf-8", newline="") as fh:
        return [r for r in csv.DictReader(fh)
                if (r["provider"], r["region"]) in (("aws", AWS_BASE_REGION), ("azure", AZURE_BASE_REGION))]


def _money(value: str, ratio: float) -> str:
    return repr(round(float(value) * ratio, 7))


def build_regional(prices_dir: Path, out_dir: Path) -> tuple[int, int, int]:
    """Write regional_storage.csv, regional_egress.csv and regional_prices.csv (see the module doc)."""
    ratios = _ratios(prices_dir)
    storage, egress, prices = [], [], []
    for row in _base_rows(out_dir, "storage.csv"):
        for region, (ratio, label) in ratios[row["provider"]].items():
            scaled = {k: (_money(v, ratio) if k in STORAGE_MONEY else v) for k, v in row.items()}
            storage.append(tuple({**scaled, "region": region, "source": f"{label} x {row['source']}"}[c]
                                 for c in STORAGE_HEADER))
    for row in _base_rows(out_dir, "egress.csv"):
        for region, (ratio, label) in ratios[row["provider"]].items():
            egress.append((row["provider"], region, row["kind"], _money(row["usd_per_gb"], ratio),
                           f"{label} x {row['source']}", row["as_of"]))
    for row in _base_rows(out_dir, "resource_prices.csv"):
        for region, (ratio, label) in ratios[row["provider"]].items():
            uniform = (row["provider"], row["type"]) in UNIFORM_PRICES
            prices.append((row["provider"], region, row["type"], row["model"],
                           row["amount"] if uniform else _money(row["amount"], ratio), row["unit"],
                           row["source"] if uniform else f"{label} x {row['source']}", row["as_of"]))
    for row in _shared_rows(prices_dir / "gcp_disk_cyclenerd.csv.gz") + _shared_rows(prices_dir / "gcp_network_cyclenerd.csv.gz"):
        key = GCP_DISKS.get(row["sku_or_type"]) or GCP_NETWORK.get(row["sku_or_type"])
        if key and row["price_model"] == "on_demand" and float(row["price"]) > 0:
            prices.append(("gcp", row["region"], key, "on_demand", row["price"], row["unit"], "gcp-cyclenerd-2026",
                           row["as_of"]))
    gcp_base = {r["region"]: r for r in csv.DictReader((out_dir / "egress.csv").open(encoding="utf-8", newline=""))
                if r["provider"] == "gcp" and r["kind"] == "inter_region"}
    for region in sorted({r["region"] for r in _shared_rows(prices_dir / "gcp_network_cyclenerd.csv.gz")} - set(gcp_base)):
        base = gcp_base["us-central1" if region.startswith(("us-", "northamerica-", "southamerica-")) else "europe-west4"]
        egress.append(("gcp", region, "inter_region", base["usd_per_gb"], f"estimate:gcp-base-region x {base['source']}",
                       base["as_of"]))
    for name, header, rows in (("regional_storage.csv.gz", STORAGE_HEADER, storage),
                               ("regional_egress.csv.gz", EGRESS_HEADER, egress),
                               ("regional_prices.csv.gz", RESOURCE_HEADER, prices)):
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(sorted(rows))
        with (out_dir / name).open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
            gz.write(text.getvalue().encode("utf-8"))
    return len(storage), len(egress), len(prices)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prices", type=Path, default=DEFAULT_PRICES, help="folder of the shared price tables")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="catalog data folder to write")
    parser.add_argument("--legacy", type=Path, default=LEGACY, help="the project's earlier snapshot (on-demand rows kept)")
    parser.add_argument("--tpu", type=Path, default=TPU_FACTS, help="Cloud TPU price facts (catalog_inputs/README.md)")
    args = parser.parse_args(argv)
    try:
        manifest = build(args.prices, args.out, args.legacy, args.tpu)
        tiers, egress = build_gcp_storage(args.prices, args.out)
        regional = build_regional(args.prices, args.out)
        interruptions = build_interruption_estimates(args.out)
    except (BuildError, TpuFactsError, OSError) as exc:
        print(f"build_catalog: {exc}", file=sys.stderr)
        return 2
    for provider, info in manifest["providers"].items():  # type: ignore[union-attr]
        print(f"{provider}: {info['rows']} prices in {info['regions']} regions, {info['bytes']} bytes compressed")
    print(f"gcp: {tiers} storage tiers, {egress} egress prices")
    print("every public region: {} storage tiers, {} egress prices, {} resource prices".format(*regional))
    print(f"{interruptions} interruption-rate estimates for new accelerator families")
    return 0


if __name__ == "__main__":
    sys.exit(main())
