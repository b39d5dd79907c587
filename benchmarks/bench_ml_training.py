"""Benchmark: collecting 10,000 SageMaker training jobs of one region, paged and concurrent (issue 18).

A local fake of the SageMaker JSON API (a separate process, ``serve``) answers
``ListTrainingJobs`` (100 per page, ``NextToken``), ``DescribeTrainingJob`` and ``ListTags`` after
a constant ``--delay-ms`` (default 50 ms) each, on a threaded HTTP/1.1 server. The timed runs are
whole processes (``drive``) that call the real collector,
:func:`costopt.providers.aws.sagemaker_training.training_runs`, through boto3 pointed at the fake by
``AWS_ENDPOINT_URL_SAGEMAKER``, and check they got every job.

Compared in the same run, alternating, ``--runs`` each (median reported):

- ``list only``: the same process paging through ``ListTrainingJobs`` alone — the sequential floor
  (pages carry the next page's token, so 100 pages x 50 ms cannot overlap);
- the collector with ``--workers`` describe threads (default 16 and 32).

Wall and CPU (user + system of the process) are both printed: on a loaded machine the
describes' botocore work (serialise, sign, parse: a few ms each) makes the run CPU-bound.

Without concurrency the 10,000 describes alone would take 10,000 x 50 ms = 500 s.

    /work/main/.venv/bin/python benchmarks/bench_ml_training.py                   # 10k jobs, 3 runs
    /work/main/.venv/bin/python benchmarks/bench_ml_training.py --jobs 2000 --runs 1 --workers 16
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 20, tzinfo=UTC)
ACCOUNT = "123456789012"
REGION = "us-east-1"
FAMILIES = 50  # job families (one ListTags call each)


def _job(i: int) -> dict:
    start = NOW - timedelta(days=13) + timedelta(minutes=i)
    name = f"family{i % FAMILIES}-{i:06d}"
    return {"TrainingJobName": name, "TrainingJobArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:training-job/{name}",
            "CreationTime": start.timestamp() - 60, "LastModifiedTime": start.timestamp() + 3600,
            "TrainingJobStatus": "Completed"}


def _describe(name: str) -> dict:
    i = int(name.rsplit("-", 1)[1])
    summary = _job(i)
    return {**summary, "ModelArtifacts": {"S3ModelArtifacts": f"s3://m/{name}"}, "SecondaryStatus": "Completed",
            "AlgorithmSpecification": {"TrainingInputMode": "File", "TrainingImage": "img"},
            "ResourceConfig": {"InstanceType": "ml.p3.2xlarge", "InstanceCount": 1 + i % 2, "VolumeSizeInGB": 50},
            "StoppingCondition": {"MaxRuntimeInSeconds": 86400}, "TrainingStartTime": summary["CreationTime"] + 60,
            "TrainingEndTime": summary["LastModifiedTime"], "BillableTimeInSeconds": 3600,
            "EnableManagedSpotTraining": i % 3 == 0}


def serve(port: int, jobs: int, delay_s: float) -> None:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # headers and body go out in two writes: without TCP_NODELAY, Nagle + the client's delayed ACK
        # add ~40 ms to every answer (the first measurements below had it)
        disable_nagle_algorithm = True

        def log_message(self, *args) -> None:  # quiet
            pass

        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            op = (self.headers.get("X-Amz-Target") or "").rsplit(".", 1)[-1]
            time.sleep(delay_s)
            if op == "ListTrainingJobs":
                start = int(body.get("NextToken") or 0)
                end = min(start + int(body.get("MaxResults") or 100), jobs)
                out: dict = {"TrainingJobSummaries": [_job(i) for i in range(start, end)]}
                if end < jobs:
                    out["NextToken"] = str(end)
            elif op == "DescribeTrainingJob":
                out = _describe(body["TrainingJobName"])
            elif op == "ListTags":
                out = {"Tags": [{"Key": "costopt:team", "Value": "vision"}]}
            else:
                out = {"__type": "UnknownOperationException"}
            data = json.dumps(out).encode()
            self.send_response(200 if "__type" not in out else 400)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


def drive(endpoint: str, workers: int, list_only: bool, jobs: int) -> None:
    os.environ.update({"AWS_ENDPOINT_URL_SAGEMAKER": endpoint, "AWS_ACCESS_KEY_ID": "bench",
                       "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": REGION})
    import boto3

    from costopt.model import Window
    from costopt.providers.aws.common import pages
    from costopt.providers.aws.sagemaker_training import training_runs
    from costopt.providers.aws.session import Account, client_config, connection_pool

    account = Account(ACCOUNT, boto3.Session(), "bench", client_config("standard", 3, pool=connection_pool(workers)))
    window = Window(NOW - timedelta(days=14), NOW)
    if list_only:
        got = sum(1 for _ in pages(account.client("sagemaker", REGION), "list_training_jobs", "TrainingJobSummaries",
                                   LastModifiedTimeAfter=window.start, MaxResults=100))
    else:
        cov: list = []
        got = len(training_runs(account, REGION, window, cov, workers=workers))
        if cov:
            raise SystemExit(f"{len(cov)} coverage problems, first: {cov[0]}")
    if got != jobs:
        raise SystemExit(f"read {got} jobs, expected {jobs}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _timed(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds user + system) of one whole process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd")
    s = sub.add_parser("serve")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--jobs", type=int, required=True)
    s.add_argument("--delay-ms", type=float, default=50.0)
    d = sub.add_parser("drive")
    d.add_argument("--endpoint", required=True)
    d.add_argument("--workers", type=int, default=16)
    d.add_argument("--jobs", type=int, required=True)
    d.add_argument("--list-only", action="store_true")
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--delay-ms", type=float, default=50.0)
    parser.add_argument("--workers", type=int, nargs="+", default=[16, 32])
    args = parser.parse_args()
    if args.cmd == "serve":
        return serve(args.port, args.jobs, args.delay_ms / 1000)
    if args.cmd == "drive":
        return drive(args.endpoint, args.workers, args.list_only, args.jobs)
    port = _free_port()
    server = subprocess.Popen([sys.executable, __file__, "serve", "--port", str(port), "--jobs", str(args.jobs),
                               "--delay-ms", str(args.delay_ms)], cwd=ROOT)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        endpoint = f"http://127.0.0.1:{port}"
        base = [sys.executable, __file__, "drive", "--endpoint", endpoint, "--jobs", str(args.jobs)]
        variants = {"list only": base + ["--list-only"], **{f"{w} workers": base + ["--workers", str(w)]
                                                            for w in args.workers}}
        times: dict[str, list[float]] = {k: [] for k in variants}
        cpu: dict[str, list[float]] = {k: [] for k in variants}
        load = [os.getloadavg()[0]]
        for _ in range(args.runs):
            for name, cmd in variants.items():
                wall, used = _timed(cmd)
                times[name].append(wall)
                cpu[name].append(used)
                print(f"{name}: {wall:.2f} s wall, {used:.2f} s CPU", flush=True)
        load.append(os.getloadavg()[0])
    finally:
        server.terminate()
        server.wait()
    summary = {name: statistics.median(t) for name, t in times.items()}
    print(f"\n{args.jobs:,} training jobs, {args.delay_ms:g} ms per call, {args.runs} runs, "
          f"load average {load[0]:.1f}-{load[1]:.1f}")
    for name, med in summary.items():
        print(f"  {name:>12}: median {med:.2f} s (min {min(times[name]):.2f}, max {max(times[name]):.2f}), "
              f"CPU median {statistics.median(cpu[name]):.2f} s")
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench_ml_training.json").write_text(json.dumps(
        {"at": datetime.now(UTC).isoformat(timespec="seconds"), "jobs": args.jobs, "delay_ms": args.delay_ms,
         "runs": times, "cpu": cpu, "median": summary, "load": load}, indent=2))


if __name__ == "__main__":
    main()
