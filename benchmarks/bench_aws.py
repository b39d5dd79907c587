"""Benchmark: the AWS adapter over 16 regions, sequential (1 worker) vs concurrent, as whole processes.

Each region gets its own moto server process on 127.0.0.1 (AWS regions are separate endpoints),
behind a tiny WSGI wrapper that sleeps ``--delay-ms`` (default 50 ms) before answering EVERY
request — the latency is injected on the SERVER side, so the client (the real adapter in its own
process) sees it like network/API latency and threads can overlap it. The driver's boto3
session sends each region's clients to that region's server. ``--single-server`` puts all
regions on one moto process instead: its per-request Python CPU then serialises every region,
which no real cloud does, so that mode measures the fake more than the adapter.

The servers hold a small estate in each region (instances, a volume, an Elastic IP, CPU
metrics). Prices are off (moto has no Price List API; the catalog load is not what is
measured). Each run is a fresh ``python benchmarks/bench_aws.py drive ...`` process that builds
``AwsProvider(max_workers=N)`` and collects the 16 regions; the parent times the whole process.
One untimed run first warms the fake servers (moto imports each service's backend on its
first request; a cold sequential run took 25 s instead of 14). Then runs alternate
sequential/concurrent, ``--runs`` each (default 3); the median is reported with
the ratio (target: concurrent <= 1/4 of sequential) and written to
``benchmarks/results/bench_aws.json`` with the machine's load average.

    /work/venv/bin/python benchmarks/bench_aws.py                  # full benchmark
    /work/venv/bin/python benchmarks/bench_aws.py --runs 1         # quick look
    /work/venv/bin/python benchmarks/bench_aws.py --single-server  # one fake for all regions
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

REGIONS = ("us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "eu-west-1", "eu-west-2", "eu-west-3",
           "eu-central-1", "eu-north-1", "ap-northeast-1", "ap-northeast-2", "ap-southeast-1", "ap-southeast-2",
           "ap-south-1", "sa-east-1")
NOW = datetime(2026, 11, 20, tzinfo=timezone.utc)
ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_servers(delay_s: float, single: bool) -> tuple[list[subprocess.Popen], dict[str, str]]:
    """moto server processes (one per region, or one for all) on 127.0.0.1; waits until they answer."""
    ports = [_free_port() for _ in (REGIONS[:1] if single else REGIONS)]
    procs = [subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "serve", "--port", str(port),
                               "--delay-ms", str(delay_s * 1000)], cwd=ROOT) for port in ports]
    for port in ports:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"moto server on port {port} did not start")
                time.sleep(0.2)
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    return procs, {region: urls[0 if single else i] for i, region in enumerate(REGIONS)}


def start_server(delay_s: float, port: int | None = None) -> tuple[str, object]:
    """moto's WSGI app behind a delay, on a threaded werkzeug server."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    app = DomainDispatcherApplication(create_backend_app)

    def delayed(environ, start_response):
        time.sleep(delay_s)
        return app(environ, start_response)

    port = port or _free_port()
    server = make_server("127.0.0.1", port, delayed, threaded=True, request_handler=MotoRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{port}", server


def seed(endpoints: dict[str, str]) -> None:
    import boto3

    for region in REGIONS:
        endpoint = endpoints[region]
        ec2 = boto3.client("ec2", region_name=region, endpoint_url=endpoint)
        cw = boto3.client("cloudwatch", region_name=region, endpoint_url=endpoint)
        ids = [i["InstanceId"] for i in ec2.run_instances(ImageId="ami-12345678", InstanceType="m5.large",
                                                          MinCount=2, MaxCount=2)["Instances"]]
        ec2.create_volume(AvailabilityZone=f"{region}a", Size=100, VolumeType="gp3")
        ec2.allocate_address(Domain="vpc")
        for iid in ids:
            cw.put_metric_data(Namespace="AWS/EC2", MetricData=[
                {"MetricName": "CPUUtilization", "Dimensions": [{"Name": "InstanceId", "Value": iid}],
                 "Timestamp": NOW - timedelta(minutes=5 * k), "Value": float(k % 7), "Unit": "Percent"}
                for k in range(1, 13)])


def drive(endpoints: dict[str, str], workers: int) -> None:
    """One whole-process run of the adapter (what the parent times)."""
    import boto3

    from costopt.model import Window
    from costopt.providers.aws.adapter import AwsProvider

    class RegionalEndpoints(boto3.Session):
        """Each region's clients talk to that region's server, as with AWS's regional endpoints."""

        def client(self, service_name, region_name=None, **kwargs):
            kwargs.setdefault("endpoint_url", endpoints.get(region_name or "us-east-1", endpoints["us-east-1"]))
            return super().client(service_name, region_name=region_name, **kwargs)

    session = RegionalEndpoints(aws_access_key_id="bench", aws_secret_access_key="bench", region_name="us-east-1")
    provider = AwsProvider(regions=REGIONS, session=session, max_workers=workers, prices="off",
                           with_costs=False, retry_mode="standard")
    snap = provider.collect(Window(NOW - timedelta(hours=1), NOW))
    failed = [c for c in snap.coverage if c.status == "failed"]
    if failed or len([r for r in snap.resources if r.kind == "vm"]) != 2 * len(REGIONS):
        sys.exit(f"bad run: {len(snap.resources)} resources, failures: {failed[:3]}")


def timed_run(endpoints: dict[str, str], workers: int) -> float:
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "bench",
           "AWS_SECRET_ACCESS_KEY": "bench", "AWS_EC2_METADATA_DISABLED": "true",
           "COSTOPT_CACHE_DIR": str(Path(os.environ.get("TMPDIR", "/tmp")) / "costopt-bench-cache")}
    env.pop("AWS_PROFILE", None)
    start = time.perf_counter()
    env.pop("AWS_ENDPOINT_URL", None)
    subprocess.run([sys.executable, str(Path(__file__).resolve()), "drive", "--endpoints", json.dumps(endpoints),
                    "--workers", str(workers)], check=True, env=env, cwd=ROOT)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", nargs="?", default="bench", choices=("bench", "drive", "serve"))
    parser.add_argument("--endpoints", help="drive: JSON region -> endpoint URL")
    parser.add_argument("--port", type=int, help="serve: port")
    parser.add_argument("--single-server", action="store_true",
                        help="one moto server for all regions (its per-request CPU then serialises every region)")
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--delay-ms", type=float, default=50.0)
    args = parser.parse_args()
    if args.mode == "drive":
        drive(json.loads(args.endpoints), args.workers)
        return
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log per request
    if args.mode == "serve":
        _, server = start_server(args.delay_ms / 1000.0, args.port)
        threading.Event().wait()
        return
    servers, endpoints = start_servers(args.delay_ms / 1000.0, args.single_server)
    try:
        seed(endpoints)
        timed_run(endpoints, args.workers)  # warm-up, not counted
        times: dict[int, list[float]] = {1: [], args.workers: []}
        for _ in range(args.runs):
            for workers in (1, args.workers):
                times[workers].append(timed_run(endpoints, workers))
    finally:
        for proc in servers:
            proc.terminate()
    seq, conc = statistics.median(times[1]), statistics.median(times[args.workers])
    layout = "one moto server for all regions" if args.single_server else "one moto server process per region"
    print(f"bench_aws: {len(REGIONS)} regions ({layout}), {args.delay_ms:.0f} ms injected per request "
          f"(server side), {args.runs} run(s) each, whole processes")
    print(f"  sequential (max_workers=1):  median {seq:6.2f} s  runs {', '.join(f'{t:.2f}' for t in times[1])}")
    print(f"  concurrent (max_workers={args.workers}): median {conc:6.2f} s  runs "
          f"{', '.join(f'{t:.2f}' for t in times[args.workers])}")
    print(f"  concurrent / sequential = {conc / seq:.3f} (target <= 0.25): {'OK' if conc <= seq / 4 else 'MISSED'}")
    result = {"regions": len(REGIONS), "single_server": args.single_server, "delay_ms": args.delay_ms, "runs": args.runs, "workers": args.workers,
              "sequential_s": times[1], "concurrent_s": times[args.workers], "median_sequential_s": seq,
              "median_concurrent_s": conc, "ratio": conc / seq, "load_average": os.getloadavg(),
              "cpus": os.cpu_count()}
    out = ROOT / "benchmarks" / "results" / "bench_aws.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"  written to {out}")


if __name__ == "__main__":
    main()
