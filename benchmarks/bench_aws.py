"""Benchmark: the AWS adapter over 16 regions: sequential vs concurrent (threads).

Default (replay) mode measures the adapter, not the fake. Each region's estate lives in a moto
server process that is used only to RECORD: the adapter runs twice (untimed) through one small
replay proxy per region on 127.0.0.1, which forwards every request to moto and stores the
answer by (method, path, body). Then the moto servers are stopped and the proxies answer every
request from the recording after a constant ``--delay-ms`` (default 50 ms): no moto in the
timed loop, a few microseconds of server CPU per request. A request the recording lacks is
counted and fails the run.

Timed runs are whole processes (``python benchmarks/bench_aws.py drive ...`` building
``AwsProvider(max_workers=N)``), alternating sequential (max_workers=1) and threads
(max_workers=16), ``--runs`` each (default 3).
Medians and the ratio to sequential are printed (target: threads <= 1/4 of sequential) and
written to ``benchmarks/results/bench_aws.json`` with the machine's load average. Prices are
off and Cost Explorer is not read (the Price List is not what is measured).

``--moto`` keeps the older set-up: the timed runs talk to the moto servers themselves, each
request delayed on the server side (``--single-server``: one moto process for all regions).

    /work/venv/bin/python benchmarks/bench_aws.py                  # replay, 3 runs each
    /work/venv/bin/python benchmarks/bench_aws.py --runs 5 --delay-ms 100
    /work/venv/bin/python benchmarks/bench_aws.py --moto           # time against moto itself
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

REGIONS = ("us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "eu-west-1", "eu-west-2", "eu-west-3",
           "eu-central-1", "eu-north-1", "ap-northeast-1", "ap-northeast-2", "ap-southeast-1", "ap-southeast-2",
           "ap-south-1", "sa-east-1")
NOW = datetime(2026, 11, 20, tzinfo=UTC)
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
                    raise SystemExit(f"moto server on port {port} did not start") from None
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


class Recorded:
    """Answers recorded under a key (``store``), replayed later; a key never recorded is a miss."""

    store: dict
    misses: int
    lock: threading.Lock

    def replayed(self, key):
        found = self.store.get(key)
        if found is None:
            with self.lock:
                self.misses += 1
            return 599, [], b"not recorded"
        return found


class Replay(Recorded):
    """One region's recorded answers: forwarded to ``upstream`` while recording, then replayed."""

    def __init__(self, upstream: str, delay_s: float):
        self.upstream = urlsplit(upstream)
        self.delay_s = delay_s
        self.recording = True
        self.store: dict[tuple[str, str, bytes], tuple[int, list[tuple[str, str]], bytes]] = {}
        self.misses = 0
        self.lock = threading.Lock()

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes):
        key = (method, path, body)
        if not self.recording:
            time.sleep(self.delay_s)
            return self.replayed(key)
        conn = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=60)
        conn.request(method, path, body=body, headers={**headers, "Host": self.upstream.netloc})
        resp = conn.getresponse()
        out = (resp.status, [(k, v) for k, v in resp.getheaders()
                             if k.lower() not in ("transfer-encoding", "connection", "content-length")], resp.read())
        conn.close()
        with self.lock:
            self.store[key] = out
        return out


def serve_answers(answer, request_queue_size: int = 5) -> tuple[str, ThreadingHTTPServer]:
    """A local HTTP/1.1 server (daemon threads) whose every request is ``answer(method, path, headers, body)``
    -> (status, header pairs, payload); also used by bench_org.py."""
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _any(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, headers, payload = answer(self.command, self.path, dict(self.headers), body)
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _any

        def log_message(self, *args):
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True

    Server.request_queue_size = request_queue_size
    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server


def start_replay(upstream: str, delay_s: float) -> tuple[str, ThreadingHTTPServer, Replay]:
    replay = Replay(upstream, delay_s)
    url, server = serve_answers(replay.answer)
    return url, server, replay


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


def bench_replay(args: argparse.Namespace) -> dict:
    """Record through the proxies, stop moto, time sequential and threads."""
    servers, upstreams = start_servers(0.0, single=False)
    proxies = {region: start_replay(url, args.delay_ms / 1000.0) for region, url in upstreams.items()}
    endpoints = {region: url for region, (url, _, _) in proxies.items()}
    try:
        seed(upstreams)
        timed_run(endpoints, 1)  # recording runs, not counted
        timed_run(endpoints, args.workers)
    finally:
        for proc in servers:
            proc.terminate()
    for _, _, replay in proxies.values():
        replay.recording = False
    modes = {"sequential": 1, "threads": args.workers}
    times: dict[str, list[float]] = {m: [] for m in modes}
    for _ in range(args.runs):
        for mode, workers in modes.items():
            times[mode].append(timed_run(endpoints, workers))
    misses = sum(replay.misses for _, _, replay in proxies.values())
    recorded = sum(len(replay.store) for _, _, replay in proxies.values())
    medians = {m: statistics.median(t) for m, t in times.items()}
    seq = medians["sequential"]
    print(f"bench_aws (replay): {len(REGIONS)} regions, {recorded} recorded answers, {args.delay_ms:.0f} ms per "
          f"request, {args.runs} run(s) each, whole processes; replay misses: {misses}")
    for mode, t in times.items():
        print(f"  {mode:18s} median {medians[mode]:6.2f} s  ratio {medians[mode] / seq:.3f}  "
              f"runs {', '.join(f'{x:.2f}' for x in t)}")
    ok = medians["threads"] <= seq / 4
    print(f"  threads alone / sequential = {medians['threads'] / seq:.3f} (target <= 0.25): {'OK' if ok else 'MISSED'}")
    return {"mode": "replay", "regions": len(REGIONS), "delay_ms": args.delay_ms, "runs": args.runs,
            "workers": args.workers, "times_s": times, "medians_s": medians, "misses": misses,
            "recorded": recorded, "ratio_threads": medians["threads"] / seq,
            "load_average": os.getloadavg(), "cpus": os.cpu_count()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", nargs="?", default="bench", choices=("bench", "drive", "serve"))
    parser.add_argument("--endpoints", help="drive: JSON region -> endpoint URL")
    parser.add_argument("--port", type=int, help="serve: port")
    parser.add_argument("--single-server", action="store_true",
                        help="one moto server for all regions (its per-request CPU then serialises every region)")
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--moto", action="store_true", help="time against the moto servers, not the replay")
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
    if not args.moto:
        result = bench_replay(args)
        out = ROOT / "benchmarks" / "results" / "bench_aws.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=2) + "\n")
        print(f"  written to {out}")
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
