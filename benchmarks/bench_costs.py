"""Benchmark: ``costopt costs`` vs a bare DuckDB process on a seeded 10M-row FOCUS Parquet file.

Run as a script (not under pytest)::

    /work/venv/bin/python benchmarks/bench_costs.py [--rows 10000000] [--runs 5]

The data (benchmarks/.data/focus_<rows>.parquet, gitignored) is generated once with DuckDB from
a seed and reused. Both sides are whole processes timed with ``/usr/bin/time -v`` (wall time and
peak RSS), alternating, median of ``--runs``:

- costopt: ``costopt costs --source FILE --group-by resource,category --format json -q``
- duckdb:  a bare ``python -c`` that runs the same GROUP BY (currency, resource, category) with
  the duckdb module and prints the rows as JSON.

Targets (issue 2): costopt at most 1.5x the DuckDB time and at most 1.5 GB peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data"
RESULTS = HERE / "results"
TIME_BIN = "/usr/bin/time"
SEED = 20261127
MAX_RATIO = 1.5
MAX_RSS_GB = 1.5

BASELINE = r"""
import json, sys, duckdb
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")  # it would print to stdout
rows = con.execute('''SELECT BillingCurrency, ResourceId, ServiceCategory, SUM(EffectiveCost) AS cost
                      FROM read_parquet(?) GROUP BY ALL ORDER BY BillingCurrency, cost DESC''', [sys.argv[1]]).fetchall()
out = [{"resource": r, "category": c, "cost": v} for _, r, c, v in rows]
sys.stdout.write(json.dumps({"currency": rows[0][0] if rows else None, "rows": out,
                             "total": sum(r["cost"] for r in out)}))
"""


def generate(path: Path, rows: int) -> None:
    """A seeded FOCUS file: 5 weeks hourly, 3 providers, ~50k resources (one service each)."""
    import duckdb

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.parquet")
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    h = lambda k: f"(hash(i * 2654435761 + {SEED + k}) % 1000000) / 1000000.0"  # noqa: E731  deterministic
    con.execute(f"""
        COPY (
          SELECT
            CASE WHEN r < 0.6 THEN 'AWS' WHEN r < 0.85 THEN 'Google Cloud' ELSE 'Microsoft' END AS ProviderName,
            '123456789012' AS BillingAccountId,
            'acct-' || CAST(floor({h(1)} * 12) AS INTEGER) AS SubAccountId,
            'USD' AS BillingCurrency,
            TIMESTAMP '2026-10-01' + to_hours(CAST(floor({h(2)} * 840) AS INTEGER)) AS ChargePeriodStart,
            TIMESTAMP '2026-10-01' + to_hours(CAST(floor({h(2)} * 840) AS INTEGER) + 1) AS ChargePeriodEnd,
            CASE WHEN {h(3)} < 0.97 THEN 'Usage' WHEN {h(3)} < 0.985 THEN 'Tax' ELSE 'Credit' END AS ChargeCategory,
            'Usage-Based' AS ChargeFrequency,
            svc.name AS ServiceName, svc.cat AS ServiceCategory,
            ['us-east-1', 'eu-west-1', 'us-central1', 'westeurope'][1 + CAST(floor({h(5)} * 4) AS INTEGER)] AS RegionId,
            'res-' || base.k AS ResourceId,
            'sku-' || CAST(floor({h(7)} * 500) AS INTEGER) AS SkuId,
            round({h(8)} * 3, 6) AS BilledCost,
            round({h(8)} * 3 * (0.6 + 0.4 * {h(9)}), 6) AS EffectiveCost,
            round({h(8)} * 3.4, 6) AS ListCost,
            round({h(8)} * 3.1, 6) AS ContractedCost,
            '{{"costopt:team": "' || ['vision', 'search', 'fraud', 'platform'][1 + CAST(floor({h(10)} * 4) AS INTEGER)]
              || '"}}' AS Tags,
            'usage line ' || CAST(floor({h(11)} * 1000) AS INTEGER) AS ChargeDescription
          FROM (SELECT i, r, k, k % 8 AS s FROM (
                  SELECT i, {h(0)} AS r, CAST(floor(pow({h(6)}, 2) * 50000) AS INTEGER) AS k FROM range({rows}) t(i))
               ) base  -- a resource always belongs to one service
          JOIN (VALUES (0, 'Amazon Elastic Compute Cloud', 'Compute'), (1, 'Amazon SageMaker', 'AI and Machine Learning'),
                       (2, 'Amazon Simple Storage Service', 'Storage'), (3, 'Compute Engine', 'Compute'),
                       (4, 'Vertex AI', 'AI and Machine Learning'), (5, 'Virtual Machines', 'Compute'),
                       (6, 'Virtual Network', 'Networking'), (7, 'Amazon Relational Database Service', 'Databases'))
               AS svc(k, name, cat) ON svc.k = base.s
        ) TO '{tmp}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)
    """)
    con.close()
    os.replace(tmp, path)


def timed(cmd: list[str]) -> tuple[float, float, float]:
    """(wall seconds, peak RSS MB, user+sys CPU seconds) of one whole process, via /usr/bin/time -v."""
    start = time.perf_counter()
    proc = subprocess.run([TIME_BIN, "-v", *cmd], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    cpu = sum(float(x) for x in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", proc.stderr))
    return wall, (int(m.group(1)) / 1024.0 if m else float("nan")), cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not Path(TIME_BIN).exists():
        raise SystemExit(f"{TIME_BIN} is missing: apt-get install -y time")
    path = DATA / f"focus_{args.rows}.parquet"
    if not path.exists():
        print(f"generating {path} ({args.rows:,} rows, seed {SEED}) ...", file=sys.stderr)
        t0 = time.perf_counter()
        generate(path, args.rows)
        print(f"  done in {time.perf_counter() - t0:.1f}s, {path.stat().st_size / 1e6:.0f} MB", file=sys.stderr)
    costopt = shutil.which("costopt", path=str(Path(sys.executable).parent)) or shutil.which("costopt")
    commands = {
        "costopt costs": [costopt, "costs", "--source", str(path), "--group-by", "resource,category",
                          "--format", "json", "-q"],
        "bare duckdb": [sys.executable, "-c", BASELINE, str(path)],
    }
    # the outputs must agree before the timings mean anything
    ours = json.loads(subprocess.run(commands["costopt costs"], capture_output=True, text=True, check=True).stdout)
    base = json.loads(subprocess.run(commands["bare duckdb"], capture_output=True, text=True, check=True).stdout)
    assert len(ours["rows"]) == len(base["rows"]), (len(ours["rows"]), len(base["rows"]))
    assert abs(ours["total"] - base["total"]) <= 1e-6 * max(1.0, abs(base["total"])), (ours["total"], base["total"])
    samples: dict[str, list[tuple[float, float, float]]] = {k: [] for k in commands}
    for _ in range(args.runs):
        for name, cmd in commands.items():  # alternate, so background load hits both alike
            samples[name].append(timed(cmd))
    med = {k: tuple(statistics.median(s[i] for s in v) for i in range(3)) for k, v in samples.items()}
    ratio = med["costopt costs"][0] / med["bare duckdb"][0]
    rss_gb = med["costopt costs"][1] / 1024
    print(f"rows: {args.rows:,}   groups: {len(base['rows']):,}   runs: {args.runs} (median)   cpus: {os.cpu_count()}")
    print(f"{'command':<16} {'wall s (median)':>16} {'min':>7} {'max':>7} {'cpu s (median)':>15} {'peak RSS MB':>12}")
    for name, v in samples.items():
        walls = [s[0] for s in v]
        print(f"{name:<16} {med[name][0]:>16.2f} {min(walls):>7.2f} {max(walls):>7.2f} {med[name][2]:>15.2f} "
              f"{med[name][1]:>12.0f}")
    cpu_ratio = med["costopt costs"][2] / med["bare duckdb"][2]
    print(f"ratio costopt/duckdb: {ratio:.2f}x wall (target <= {MAX_RATIO}x), {cpu_ratio:.2f}x cpu   "
          f"costopt peak RSS: {rss_gb:.2f} GB (target <= {MAX_RSS_GB} GB)")
    if os.getloadavg()[0] > (os.cpu_count() or 1):
        print(f"note: load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cpus while measuring; "
              "wall times are noisy, the cpu column less so")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench_costs.json").write_text(json.dumps({
        "rows": args.rows, "runs": args.runs, "samples": samples, "median": med, "ratio": ratio,
        "ok": ratio <= MAX_RATIO and rss_gb <= MAX_RSS_GB}, indent=2))
    if ratio > MAX_RATIO or rss_gb > MAX_RSS_GB:
        print("TARGET MISSED")
        sys.exit(1)


if __name__ == "__main__":
    main()
