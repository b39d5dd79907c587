"""Cloud TPU prices in the bundled catalog, generated from the cited facts file by scripts/build_catalog.py.

Source of the facts: skypilot-org/skypilot-catalog@006059e0 catalogs/v8/gcp/vms.csv (generated from
Google's Cloud Billing Catalog SKUs); provenance in scripts/catalog_inputs/README.md. Values of
bigger slices below were read from that same file independently of the generator, so they check
the chips arithmetic: v5p-32 (16 chips) us-central1 $67.20, v5litepod-16 us-central1 $19.20,
v6e-8 europe-west4 $23.76, v5litepod-256 europe-west4 $399.36, v4-1024 (512 chips) us-central2
$1648.64. US per-chip list prices: v5e $1.20, v5p $4.20, v6e $2.70; v4 $3.22 (us-central2).
"""

from __future__ import annotations

import csv
import importlib.util
import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from costopt.catalog import bundled_catalog
from costopt.catalog.staleness import is_stale
from costopt.cli import cli

REPO = Path(__file__).resolve().parents[2]
FACTS = REPO / "scripts" / "catalog_inputs" / "gcp_tpu_prices.csv"
_spec = importlib.util.spec_from_file_location("build_catalog", REPO / "scripts" / "build_catalog.py")
build_catalog = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_catalog)


@pytest.fixture(scope="module")
def catalog():
    return bundled_catalog()


@pytest.mark.parametrize(("type_", "region", "usd"), [
    ("tpu-v5e", "us-central1", 1.20), ("tpu-v5p", "us-central1", 4.20), ("tpu-v6e", "us-central1", 2.70),
    ("tpu-v4", "us-central2", 3.22), ("v5p-32", "us-central1", 67.20), ("v5litepod-16", "us-central1", 19.20),
    ("v6e-8", "europe-west4", 23.76), ("v5litepod-256", "europe-west4", 399.36), ("v4-1024", "us-central2", 1648.64),
])
def test_bundled_tpu_prices_match_the_cited_snapshot(catalog, type_, region, usd):
    price = catalog.price("gcp", region, type_)
    assert price.amount == pytest.approx(usd, abs=1e-6)
    assert (price.unit, price.currency, price.source, price.as_of, price.estimate) == \
        ("hour", "USD", "gcp-tpu-skypilot", "2024-12-12", False)
    assert is_stale(price, date(2026, 12, 3))  # the snapshot's own date is unknown: never shown as current


def test_every_facts_row_is_in_the_bundle_per_chip(catalog):
    with FACTS.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["generation"] for r in rows} == {"v5e", "v5p", "v6e", "v4"}
    for r in rows:
        chips = int(r["chips"])
        assert catalog.price("gcp", r["region"], f"tpu-{r['generation']}").amount == pytest.approx(float(r["on_demand"]) / chips)
        spot = catalog.price("gcp", r["region"], f"tpu-{r['generation']}", "spot")
        if r["spot"]:
            assert spot.amount == pytest.approx(float(r["spot"]) / chips) and not spot.estimate
        else:
            assert spot.estimate  # a placeholder in the snapshot: no spot price, a labelled estimate instead
        assert catalog.price("gcp", r["region"], f"tpu-{r['generation']}", "commit_1y").estimate  # no TPU CUD prices
    assert catalog.price("gcp", "asia-east1", "tpu-v6e") is None  # the snapshot's $700 placeholder is left out


def test_generator_expands_slices_and_rejects_bad_rows(tmp_path, capsys):
    facts = tmp_path / "tpu.csv"
    facts.write_text("generation,accelerator_type,chips,region,on_demand,spot,source,as_of\n"
                     "v5p,v5p-8,4,us-east5,16.8,,gcp-tpu-skypilot,2024-12-12\n", encoding="utf-8")
    rows = {(r[1], r[3]): float(r[4]) for r in build_catalog.tpu_rows(facts)}
    assert rows[("tpu-v5p", "on_demand")] == 4.2 and rows[("v5p-1024", "on_demand")] == pytest.approx(512 * 4.2)
    assert not any(model == "spot" for _, model in rows)
    facts.write_text("generation,accelerator_type,chips,region,on_demand,spot,source,as_of\n"
                     "v7,v7-8,4,us-east5,16.8,,gcp-tpu-skypilot,2024-12-12\n", encoding="utf-8")
    assert build_catalog.main(["--tpu", str(facts), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "tpu.csv:2: unreadable TPU price row" in err


def test_catalog_show_answers_for_tpus(monkeypatch, tmp_path):
    monkeypatch.setenv("COSTOPT_CACHE_DIR", str(tmp_path))
    result = CliRunner().invoke(cli, ["catalog", "show", "tpu-v6e", "--region", "us-central1", "--format", "json"])
    assert result.exit_code == 0, result.output
    (doc,) = json.loads(result.output)
    lines = {line["model"]: line for line in doc["prices"]}
    assert doc["provider"] == "gcp" and lines["on_demand"]["amount"] == 2.7 and lines["on_demand"]["kind"] == "price"
    assert lines["spot"]["kind"] == "spot snapshot" and lines["commit_3y"]["kind"] == "estimate"
    result = CliRunner().invoke(cli, ["catalog", "show", "v6e-8", "--region", "asia-east1"])
    assert result.exit_code == 2 and "no linux price for v6e-8 in asia-east1; nearest:" in result.output
