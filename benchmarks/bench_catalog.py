"""Catalog speed as whole processes (issue 15): start-up cost of loading the catalog, and 100k
(type, region, OS, term) price lookups.

    /work/main/.venv/bin/python benchmarks/bench_catalog.py [--runs 5] [--lookups 100000]

Start-up: median wall time of a fresh interpreter that imports ``costopt.cli``, pandas and a
rule module (the baseline: ``costopt audit`` imports these whatever the catalog does) against
one that also imports the catalog and calls ``load_catalog``; their difference is what the
catalog adds to the audit's start (target 0.3 s).
The first lookup per provider then reads that provider's compressed table; that cost is
printed per provider too.

Lookups: in a child process, 100k keys drawn with a fixed seed from the real keys of all three
providers (a quarter each of on_demand / spot / commit_1y / commit_3y, so real prices, GCP
composites and labelled estimates are all exercised, a fifth of the AWS keys for Windows, RHEL,
Windows + SQL Server Standard or SUSE (licence-fee estimates and lower bounds), plus 5% keys that
price nothing), looked
up once from a cold catalog (each table read on first use) and once more with the tables read
(target under 1 s; its CPU time is printed too, as the wall time on a loaded machine is not the
code's). Derived answers (estimates, composites, licence fees) are memoised after the first.
Exit 1 when a target is missed (lookups: judged on CPU time).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BASE = "import costopt.cli, pandas, costopt.rules.spot"
WITH_CATALOG = "import costopt.cli, pandas, costopt.rules.spot; from costopt.catalog import load_catalog; load_catalog()"
FIRST_USE = ("import time, json; from costopt.catalog import load_catalog; c=load_catalog(); out={}\n"
             "for p, r, t in (('aws','us-east-1','m5.large'),('gcp','us-central1','n2-standard-2'),"
             "('azure','eastus','Standard_D2s_v5')):\n"
             "    s=time.perf_counter(); c.price(p, r, t); out[p]=time.perf_counter()-s\n"
             "print(json.dumps(out))")
LOOKUPS = r"""
import json, random, sys, time
from costopt.catalog import PRICE_MODELS, load_catalog
n = int(sys.argv[1])
OSES = ("windows", "rhel", "windows_sql_std", "suse")
def keys(catalog):
    rng = random.Random(15)
    pool = []
    for provider in ("aws", "gcp", "azure"):
        regions = catalog.regions(provider)
        types = catalog.types(provider)
        pool += [(provider, rng.choice(regions), rng.choice(types)) for _ in range(n // 3 + 1)]
    pool += [("gcp", "us-central1", "n1-standard-8+nvidia-tesla-t4:2")] * (n // 50)
    out = [(p, r if rng.random() > 0.05 else r + "-x", t, rng.choice(PRICE_MODELS),
            rng.choice(OSES) if p == "aws" and rng.random() < 0.2 else "linux") for p, r, t in pool[:n]]
    rng.shuffle(out)
    return out
cold_catalog = load_catalog()
ks = keys(load_catalog())
t = time.perf_counter()
for p, r, ty, m, o in ks:
    cold_catalog.price(p, r, ty, m, os=o)
cold = time.perf_counter() - t
t, c = time.perf_counter(), time.process_time()
found = 0
for p, r, ty, m, o in ks:
    found += cold_catalog.price(p, r, ty, m, os=o) is not None
warm, warm_cpu = time.perf_counter() - t, time.process_time() - c
print(json.dumps({"lookups": len(ks), "found": found, "warm_s": warm, "warm_cpu_s": warm_cpu, "cold_s": cold}))
"""


def _child(code: str, *args: str) -> str:
    env = dict(os.environ, PYTHONPATH=str(REPO), COSTOPT_CACHE_DIR=str(REPO / "benchmarks" / ".data" / "no-cache"))
    return subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True, text=True,
                          env=env, cwd=REPO).stdout.strip()


def _wall(code: str) -> float:
    start = time.perf_counter()
    _child(code)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--lookups", type=int, default=100_000)
    args = parser.parse_args()
    if os.getloadavg()[0] > (os.cpu_count() or 1):
        print(f"note: load average {os.getloadavg()[0]:.1f} > {os.cpu_count()} CPUs; wall times are noisy")
    base, with_catalog = [], []
    for _ in range(args.runs):  # alternate, so both see the same machine load
        base.append(_wall(BASE))
        with_catalog.append(_wall(WITH_CATALOG))
    added = statistics.median(with_catalog) - statistics.median(base)
    print(f"start-up: costopt.cli + pandas + rules {statistics.median(base):.3f} s, + load_catalog() "
          f"{statistics.median(with_catalog):.3f} s (median of {args.runs}); catalog adds {added:.3f} s (target 0.3 s)")
    first = [json.loads(_child(FIRST_USE)) for _ in range(args.runs)]
    print("first lookup per provider (reads its table): " + ", ".join(
        f"{p} {statistics.median(f[p] for f in first):.3f} s" for p in ("aws", "gcp", "azure")))
    results = [json.loads(_child(LOOKUPS, str(args.lookups))) for _ in range(args.runs)]
    warm = statistics.median(r["warm_s"] for r in results)
    warm_cpu = statistics.median(r["warm_cpu_s"] for r in results)
    cold = statistics.median(r["cold_s"] for r in results)
    print(f"{results[0]['lookups']} lookups ({results[0]['found']} priced): {warm:.3f} s with the tables read "
          f"({warm_cpu:.3f} s CPU; target 1 s), {cold:.3f} s from a cold catalog (reads all three tables)")
    return 0 if added <= 0.3 and warm_cpu < 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
