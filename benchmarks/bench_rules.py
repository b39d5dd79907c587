"""Benchmark: every registered rule over Snapshots of 10k and 100k resources, as whole processes.

Each measurement is a fresh ``python benchmarks/bench_rules.py --worker N`` process under
``/usr/bin/time -v`` (wall time and peak RSS of the whole process). The baseline, measured in
the same run, is a worker that builds the same Snapshot and loads the catalog but runs no rule:
rules time = total - baseline. Medians over ``--runs`` runs.

Snapshot: 14 days of 5-minute points (4,032 per series). Every resource has ``cpu``;
``--memory-share`` of them also ``memory``; the GPU ones (``--gpu-share``) ``gpu`` and
``gpu_memory``. Timestamps are one shared array (as a provider that aligns points would do);
values are distinct per series, float32 row views of generated blocks (MetricSeries keeps float32
values as float32 and shares arrays that already have the right dtype: no copy per series).

Targets (issue 4): 100k resources <= 20 s and <= 4 GB peak RSS; 100k time <= 12 x the 10k time.

    python benchmarks/bench_rules.py                 # 10k and 100k, 3 runs each
    python benchmarks/bench_rules.py --sizes 10000 --runs 1
    python benchmarks/bench_rules.py --tradeoff      # + the trade-off (assess and select) on the candidates
    python benchmarks/bench_rules.py --worker 100000 --tradeoff --dump out.json   # one process, its output kept

With ``--tradeoff`` the resources tagged ``costopt:workload = inference`` (one in six) also carry
``costopt:model = ranker``, which binds them to TRADEOFF_CONFIG's workload (a p95 latency target
and an accuracy floor; the model's fp16 variant makes ``model.cheaper_variant`` candidates, in the
rules phase: the engine hands that rule the parsed workloads), and
each run measures three processes in turn, all on that same estate and config: build only, the
rules without the trade-off, and the rules followed by the step over every candidate
(``assess_and_select``, strict: what the pipeline runs, the same output as
``select(assess(...))``). Reported (medians): the step's own time inside the process (tradeoff_s / CPU, beside
the rules' rules_s / CPU in that process), and what it adds to the whole process's CPU time
(user + sys) over the run without it, as a share of the rules' process CPU (without the step,
minus the build-only baseline). CPU time is steadier than wall time when other jobs share the
machine.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

POINTS = 14 * 288
PERIOD = 300
BLOCK = 500  # series per generated block (8 MB: below glibc's mmap threshold, so temporaries reuse memory)

CPU_TYPES = ["m5.large", "m5.2xlarge", "m5.4xlarge", "c5.2xlarge", "c5.4xlarge", "r5.xlarge", "r5.4xlarge",
             "m6i.2xlarge", "c6i.4xlarge", "t3.large"]
GPU_TYPES = ["g4dn.xlarge", "g4dn.2xlarge", "g5.2xlarge", "g5.12xlarge", "p3.2xlarge", "p3.8xlarge"]
WORKLOADS = ["batch", "training", "inference", "dev", "data", None]
TRADEOFF_CONFIG = {
    "workloads": {"inference": {"kind": "inference", "model": "ranker", "latency_p95_ms": 200, "min_accuracy": 0.9}},
    "models": {"ranker": {"current": "fp32", "variants": {"fp32": {"accuracy": 0.93, "latency_ms": 20},
                                                         "fp16": {"accuracy": 0.925, "relative_compute": 0.55}}}},
}


def build_snapshot(n: int, memory_share: float, gpu_share: float, seed: int = 7, tradeoff: bool = False):
    import numpy as np

    from costopt.model import MetricSeries, Resource, Snapshot, Window

    end = datetime(2026, 11, 15, tzinfo=UTC)
    window = Window(end - timedelta(days=14), end)
    ts = int(window.start.timestamp()) + np.arange(POINTS, dtype=np.int64) * PERIOD
    rng = np.random.default_rng(seed)
    n_gpu = int(n * gpu_share)
    resources = []
    for i in range(n):
        gpu = i < n_gpu
        kind = "gpu_vm" if gpu else ("autoscaling_group" if i % 10 == 1 else "vm")
        workload = WORKLOADS[i % len(WORKLOADS)]
        tags = {"costopt:workload": workload} if workload else {}
        if tradeoff and workload == "inference":
            tags["costopt:model"] = "ranker"  # binds the resource to TRADEOFF_CONFIG's workload
        if i % 7 == 0:
            tags["costopt:interruptible"] = "true"
        resources.append(Resource(
            provider="aws", account="123456789012", region="us-east-1" if i % 3 else "eu-west-1", id=f"i-{i:08x}",
            kind=kind, type=(GPU_TYPES if gpu else CPU_TYPES)[i % (len(GPU_TYPES) if gpu else len(CPU_TYPES))],
            count=1 + (i % 4 if kind == "autoscaling_group" else 0), tags=tags, workload=workload))

    metrics = []
    hours = np.arange(POINTS) / 12.0
    daily = (0.5 + 0.5 * np.sin(hours / 24.0 * 2 * np.pi)).astype(np.float32)

    def add(metric: str, ids: list[str], base_lo: float, base_hi: float):
        for start in range(0, len(ids), BLOCK):
            chunk = ids[start:start + BLOCK]
            # base x daily shape + 0..5 % of noise, always within 0..100 (base_hi <= 95): built in
            # "noise units" so uint8 noise (cheaper than rng.random) is added without a temporary
            base = rng.uniform(base_lo, base_hi, size=(len(chunk), 1)).astype(np.float32) * np.float32(255.0 / 5.0)
            block = base * (0.6 + 0.4 * daily[None, :])
            block += rng.integers(0, 256, size=(len(chunk), POINTS), dtype=np.uint8)
            block *= np.float32(5.0 / 255.0)
            for j, rid in enumerate(chunk):
                metrics.append(MetricSeries(rid, metric, "Percent", PERIOD, ts, block[j], "Maximum"))

    ids = [r.id for r in resources]
    add("cpu", ids, 2, 90)
    add("memory", [rid for k, rid in enumerate(ids) if k % max(1, round(1 / memory_share)) == 0] if memory_share else [],
        10, 90)
    gpu_ids = ids[:n_gpu]
    add("gpu", gpu_ids, 0, 95)
    add("gpu_memory", gpu_ids, 1, 90)
    return Snapshot(window=window, resources=tuple(resources), metrics=tuple(metrics))


def worker(n: int, memory_share: float, gpu_share: float, rules: bool, tradeoff: bool = False,
           step: bool = True, dump: str | None = None) -> dict:
    t0 = time.perf_counter()
    from costopt.catalog import load_catalog
    from costopt.config import Settings, settings_from_mapping
    from costopt.rules.engine import load_rules, run_rules
    from costopt.tradeoff.assess import assess, assess_and_select

    snapshot = build_snapshot(n, memory_share, gpu_share, tradeoff=tradeoff)
    catalog = load_catalog(use_cache=False)
    registry = load_rules()
    t1 = time.perf_counter()
    out = {"n": n, "series": len(snapshot.metrics), "build_s": t1 - t0, "rules": {}, "peak_gb_after": {},
           "peak_gb_before_rules": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2, 2)}
    if rules:
        settings = settings_from_mapping(TRADEOFF_CONFIG) if tradeoff else Settings()
        recs = skips = 0
        candidates = []
        c1 = time.process_time()
        for rule_id in sorted(registry):
            start = time.perf_counter()
            run = run_rules(snapshot, catalog, settings, only=[rule_id])
            out["rules"][rule_id] = round(time.perf_counter() - start, 3)
            out["peak_gb_after"][rule_id] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2, 2)
            recs += len(run.candidates)
            skips += len(run.skipped)
            candidates.extend(run.candidates)
            failed = [s.reason for s in run.skipped if s.resource_id == "*"]
            if failed:
                out.setdefault("failed", {})[rule_id] = failed[0][:200]
        out.update(recommendations=recs, skips=skips, rules_s=time.perf_counter() - t1,
                   rules_cpu_s=time.process_time() - c1)
        if tradeoff and step:
            t2, c2 = time.perf_counter(), time.process_time()
            chosen = assess_and_select(candidates, snapshot, settings, catalog, "strict")  # as the pipeline runs it
            out.update(tradeoff_s=time.perf_counter() - t2, tradeoff_cpu_s=time.process_time() - c2,
                       selected=len(chosen.selected), assessed=len(chosen.selected) + len(chosen.rejected))
            out.update(variant_switches=sum(1 for c in candidates if c.rule_id == "model.cheaper_variant"),
                       serving_candidates=sum(1 for c in (*chosen.selected, *chosen.rejected) if c.impacts.workload_targets))
            if dump:  # the step's whole output, to compare two trees byte for byte (after the timing)
                from costopt.audit_io import _plain

                assessed = assess(candidates, snapshot, settings, catalog)  # what was judged, before the selection
                text = json.dumps({"assessed": _plain(assessed), "selected": _plain(chosen.selected),
                                   "rejected": _plain(chosen.rejected), "frontier": _plain(chosen.frontier)})
                Path(dump).write_text(text)
                out["dump_sha256"] = hashlib.sha256(text.encode()).hexdigest()
    return out


def measure(n: int, args, kind: str) -> dict:
    """One worker process: ``build`` (snapshot and catalog only), ``rules`` (and, with --tradeoff,
    the same estate and config without the trade-off step) or ``full`` (rules, then the step)."""
    cmd = ["/usr/bin/time", "-v", sys.executable, __file__, "--worker", str(n), "--memory-share", str(args.memory_share),
           "--gpu-share", str(args.gpu_share)] + (["--no-rules"] if kind == "build" else []) + (
               ["--tradeoff"] if args.tradeoff else []) + (["--no-step"] if kind == "rules" else [])
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"worker failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))
    cpu = sum(float(re.search(rf"{label} time \(seconds\): ([\d.]+)", proc.stderr).group(1)) for label in ("User", "System"))
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result.update(wall_s=wall, peak_rss_gb=rss_kb / 1024 / 1024, process_cpu_s=cpu)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--memory-share", type=float, default=0.2)
    parser.add_argument("--gpu-share", type=float, default=0.05)
    parser.add_argument("--worker", type=int)
    parser.add_argument("--no-rules", action="store_true")
    parser.add_argument("--tradeoff", action="store_true", help="Also time the trade-off over the candidates.")
    parser.add_argument("--no-step", action="store_true", help="Worker: the trade-off's estate and config, no step.")
    parser.add_argument("--json", help="Also write the results to this file.")
    parser.add_argument("--dump", help="Worker: write the trade-off's output (assessed, selection) as JSON here.")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.memory_share, args.gpu_share, not args.no_rules, args.tradeoff,
                                not args.no_step, args.dump)))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    summary = {}
    for n in sizes:
        base, full, without = [], [], []
        for _ in range(args.runs):  # interleaved, so a change in the machine's load hits every kind alike
            base.append(measure(n, args, "build"))
            if args.tradeoff:
                without.append(measure(n, args, "rules"))
            full.append(measure(n, args, "full"))
        med = lambda rows, key: statistics.median(r[key] for r in rows)  # noqa: E731
        per_rule = {k: statistics.median(r["rules"][k] for r in full) for k in full[0]["rules"]}
        summary[n] = {"series": full[0]["series"], "wall_s": med(full, "wall_s"), "baseline_wall_s": med(base, "wall_s"),
                      "rules_s": med(full, "rules_s"), "build_s": med(full, "build_s"),
                      "tradeoff_s": med(full, "tradeoff_s") if args.tradeoff else None,
                      "rules_cpu_s": med(full, "rules_cpu_s"),
                      "tradeoff_cpu_s": med(full, "tradeoff_cpu_s") if args.tradeoff else None,
                      "process_cpu_s": med(full, "process_cpu_s"), "baseline_process_cpu_s": med(base, "process_cpu_s"),
                      "without_tradeoff_process_cpu_s": med(without, "process_cpu_s") if without else None,
                      "without_tradeoff_rules_cpu_s": med(without, "rules_cpu_s") if without else None,
                      "selected": full[0].get("selected"),
                      "peak_rss_gb": med(full, "peak_rss_gb"), "baseline_peak_rss_gb": med(base, "peak_rss_gb"),
                      "recommendations": full[0]["recommendations"], "skips": full[0]["skips"],
                      "failed": full[0].get("failed", {}), "peak_gb_before_rules": full[0].get("peak_gb_before_rules"),
                      "peak_raised_by": {k: v for k, v in full[0]["peak_gb_after"].items() if v > full[0]["peak_gb_before_rules"]},
                      "slowest_rules": dict(sorted(per_rule.items(), key=lambda kv: -kv[1])[:6])}
        s = summary[n]
        print(f"{n:>7} resources ({s['series']} series): process {s['wall_s']:.1f} s (baseline build-only "
              f"{s['baseline_wall_s']:.1f} s), rules {s['rules_s']:.1f} s, peak RSS {s['peak_rss_gb']:.2f} GB "
              f"(baseline {s['baseline_peak_rss_gb']:.2f} GB), {s['recommendations']} recommendations, {s['skips']} skips")
        if s["tradeoff_s"] is not None:
            print(f"         trade-off {s['tradeoff_s']:.2f} s over {full[0]['recommendations']} candidates "
                  f"(assessed {full[0]['assessed']}, {full[0].get('variant_switches')} of them variant switches; "
                  f"{full[0]['serving_candidates']} on the targeted "
                  f"workload, {s['selected']} selected): "
                  f"{s['tradeoff_s'] / s['rules_s']:.1%} of the rules' time; CPU {s['tradeoff_cpu_s']:.2f} s vs "
                  f"{s['rules_cpu_s']:.2f} s: {s['tradeoff_cpu_s'] / s['rules_cpu_s']:.1%}")
            rules_proc = s["without_tradeoff_process_cpu_s"] - s["baseline_process_cpu_s"]
            added = s["process_cpu_s"] - s["without_tradeoff_process_cpu_s"]
            print(f"         whole processes (CPU): build only {s['baseline_process_cpu_s']:.1f} s, rules without the "
                  f"trade-off {s['without_tradeoff_process_cpu_s']:.1f} s, with it {s['process_cpu_s']:.1f} s: the "
                  f"trade-off adds {added:.1f} s = {added / rules_proc:.1%} of the rules' {rules_proc:.1f} s")
        print("         slowest rules: " + ", ".join(f"{k} {v:.2f} s" for k, v in s["slowest_rules"].items()))
        raised, prev = [], s["peak_gb_before_rules"]
        for k, v in s["peak_raised_by"].items():
            if v > prev + 0.05:
                raised.append(f"{k} -> {v:.2f} GB")
                prev = v
        print(f"         peak RSS after building {s['peak_gb_before_rules']:.2f} GB; raised by: " + ", ".join(raised))
        if s["failed"]:
            print("         FAILED rules: " + json.dumps(s["failed"]))
    if len(sizes) == 2 and sizes[1] == 10 * sizes[0]:
        small, big = summary[sizes[0]], summary[sizes[1]]
        ratio = big["wall_s"] / small["wall_s"]
        print(f"targets: {sizes[1]} in {big['wall_s']:.1f} s (<= 20: {'ok' if big['wall_s'] <= 20 else 'MISSED'}), "
              f"{big['peak_rss_gb']:.2f} GB (<= 4: {'ok' if big['peak_rss_gb'] <= 4 else 'MISSED'}), "
              f"growth x{ratio:.1f} (<= 12: {'ok' if ratio <= 12 else 'MISSED'})")
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
