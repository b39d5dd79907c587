"""Benchmark: ``audit --provider aws --org`` over N accounts x 16 regions against a throttling replay fake.

The fake is one local HTTP server (``AWS_ENDPOINT_URL``) that answers every client of every
account and region, after a constant ``--delay-ms`` (default 50 ms) per call:

- STS ``GetCallerIdentity`` / ``AssumeRole`` and Organizations ``ListAccounts`` (20 per page)
  are generated: N accounts; each role's keys name their account (``ASIA`` + account id), so
  the fake knows which account every later request is for;
- everything else is REPLAYED: one account's 16 regions (2 instances, a volume, an address and
  CPU metrics per region; S3; Cost Explorer) are recorded once through the fake in front of a
  moto server (untimed), then moto is stopped. No moto in the timed loop; a request the
  recording lacks is counted as a miss;
- throttling: each (service, account, region) has a token bucket of ``--throttle-rps`` requests
  per second (burst: one second); a request above it gets the service's own throttling error
  (EC2 RequestLimitExceeded, query/JSON/CBOR Throttling, S3 SlowDown), which botocore retries.

The timed run is a whole process (``bench_org.py drive``) running ``AwsProvider(org=True)``
with prices off. Reported: wall time, API calls per account-region, throttles served (all of
them retried unless a call failed), failed coverage scopes (target: 0) and misses.

    /work/main/.venv/bin/python benchmarks/bench_org.py --accounts 200          # the full run
    /work/main/.venv/bin/python benchmarks/bench_org.py --accounts 20 --runs 3  # a scaled run
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_aws  # noqa: E402  (the moto server, the seed and the region list are shared)

ROOT = Path(__file__).resolve().parents[1]
MGMT = "100000000000"
SCOPE = re.compile(r"Credential=([A-Z0-9]+)/\d+/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request")
PROTOCOL = {"ec2": "ec2", "sts": "query", "autoscaling": "query", "rds": "query", "elasticloadbalancing": "query",
            "monitoring": "cbor", "s3": "s3", "sagemaker": "json", "ce": "json", "pricing": "json",
            "organizations": "json", "application-autoscaling": "json"}


def _cbor_text(value: str) -> bytes:
    data = value.encode()
    return (bytes([0x60 | len(data)]) if len(data) < 24 else bytes([0x78, len(data)])) + data


def throttle_response(service: str, content_type: str = "") -> tuple[int, list[tuple[str, str]], bytes]:
    """The service's own throttling error, in the protocol the request used."""
    kind = PROTOCOL.get(service, "query")
    if kind in ("json", "cbor", "query"):  # multi-protocol services: answer in the request's
        kind = "cbor" if "cbor" in content_type else "json" if "json" in content_type else "query"
    if kind == "ec2":
        return 503, [("Content-Type", "text/xml")], (
            b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors><Error><Code>RequestLimitExceeded</Code>"
            b"<Message>Request limit exceeded.</Message></Error></Errors><RequestID>bench</RequestID></Response>")
    if kind == "s3":
        return 503, [("Content-Type", "application/xml")], (
            b"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>")
    if kind == "json":
        return 400, [("Content-Type", content_type or "application/x-amz-json-1.1"),
                     ("x-amzn-query-error", "Throttling;Sender")], (
            b'{"__type":"ThrottlingException","message":"Rate exceeded"}')
    if kind == "cbor":
        body = bytes([0xA2]) + _cbor_text("__type") + _cbor_text("Throttling") + _cbor_text("message") + \
            _cbor_text("Rate exceeded")
        return 400, [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor"),
                     ("x-amzn-query-error", "Throttling;Sender")], body
    return 400, [("Content-Type", "text/xml")], (
        b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>"
        b"<RequestId>bench</RequestId></ErrorResponse>")


def account_of(key_id: str) -> str:
    return key_id[4:16] if key_id.startswith("ASIA") else MGMT


class Bucket:
    def __init__(self, rate: float):
        self.rate, self.tokens, self.updated = rate, rate, time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.rate, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class Fake(bench_aws.Recorded):
    """Record (forward to moto), then replay with delay and throttling; STS/Organizations generated."""

    def __init__(self, upstream: str | None, accounts: int, delay_s: float, rps: float):
        self.upstream, self.accounts, self.delay_s, self.rps = upstream, accounts, delay_s, rps
        self.recording = upstream is not None
        self.store: dict[tuple, tuple[int, list[tuple[str, str]], bytes]] = {}
        self.lock = threading.Lock()
        self.buckets: dict[tuple[str, str, str], Bucket] = {}
        self.calls: Counter = Counter()  # (account, region) -> calls
        self.by_service: Counter = Counter()
        self.throttled: Counter = Counter()
        self.misses = 0

    def account_ids(self) -> list[str]:
        return [MGMT] + [f"{200000000000 + i:012d}" for i in range(1, self.accounts)]

    def generated(self, service: str, key_id: str, body: bytes, headers: dict[str, str]):
        if service == "sts":
            form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
            if form.get("Action") == "GetCallerIdentity":
                acct = account_of(key_id)
                return 200, [("Content-Type", "text/xml")], (
                    f"<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::{acct}:user/bench</Arn>"
                    f"<UserId>AIDBENCH</UserId><Account>{acct}</Account></GetCallerIdentityResult>"
                    "<ResponseMetadata><RequestId>b</RequestId></ResponseMetadata></GetCallerIdentityResponse>").encode()
            if form.get("Action") == "AssumeRole":
                acct = form["RoleArn"].split(":")[4]
                return 200, [("Content-Type", "text/xml")], (
                    "<AssumeRoleResponse><AssumeRoleResult><Credentials>"
                    f"<AccessKeyId>ASIA{acct}BNCH</AccessKeyId><SecretAccessKey>secret</SecretAccessKey>"
                    "<SessionToken>token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>"
                    f"<AssumedRoleUser><AssumedRoleId>AROA:costopt</AssumedRoleId><Arn>{form['RoleArn']}</Arn>"
                    "</AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>b</RequestId>"
                    "</ResponseMetadata></AssumeRoleResponse>").encode()
        if service == "organizations" and "ListAccounts" in headers.get("X-Amz-Target", ""):
            request = json.loads(body or b"{}")
            start = int(request.get("NextToken") or 0)
            ids = self.account_ids()
            page = [{"Id": a, "Name": f"acct-{a}", "Email": f"{a}@example.com", "Status": "ACTIVE",
                     "State": "ACTIVE", "Arn": f"arn:aws:organizations::{MGMT}:account/o-bench/{a}"}
                    for a in ids[start:start + 20]]
            out: dict = {"Accounts": page}
            if start + 20 < len(ids):
                out["NextToken"] = str(start + 20)
            return 200, [("Content-Type", "application/x-amz-json-1.1")], json.dumps(out).encode()
        return None

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes):
        scope = SCOPE.search(headers.get("Authorization", ""))
        key_id, region, service = scope.groups() if scope else ("", "us-east-1", "unknown")
        made = self.generated(service, key_id, body, headers)
        account = account_of(key_id)
        if not self.recording:
            time.sleep(self.delay_s)
            with self.lock:
                self.calls[(account, region)] += 1
                self.by_service[service] += 1
                if made is None:
                    bucket = self.buckets.get((service, account, region))
                    if bucket is None:
                        bucket = self.buckets[(service, account, region)] = Bucket(self.rps)
                    if not bucket.take():
                        self.throttled[service] += 1
                        return throttle_response(service, headers.get("Content-Type", ""))
        if made is not None:
            return made
        key = (service, region, method, path, body)
        if not self.recording:
            return self.replayed(key)
        out = forward(self.upstream, method, path, headers, body)
        with self.lock:
            self.store[key] = out
        return out


def forward(upstream: str, method: str, path: str, headers: dict[str, str], body: bytes):
    import http.client
    from urllib.parse import urlsplit

    up = urlsplit(upstream)
    conn = http.client.HTTPConnection(up.hostname, up.port, timeout=60)
    conn.request(method, path, body=body, headers={**headers, "Host": up.netloc})
    resp = conn.getresponse()
    out = (resp.status, [(k, v) for k, v in resp.getheaders()
                         if k.lower() not in ("transfer-encoding", "connection", "content-length")], resp.read())
    conn.close()
    return out


def serve(fake: Fake) -> tuple[str, ThreadingHTTPServer]:
    return bench_aws.serve_answers(fake.answer, request_queue_size=512)


def drive(endpoint: str, org: bool, workers: int, regions: int) -> None:
    """One whole-process audit collection (what the parent times); prints a JSON summary."""
    from datetime import timedelta

    from costopt.model import Window
    from costopt.providers.aws.adapter import AwsProvider

    if os.environ.get("BENCH_ORG_TASK_PROFILE"):  # profile every task's own CPU (thread_time), any --workers
        import atexit
        import cProfile
        import pstats

        from costopt.providers.aws import adapter
        from costopt.providers.aws import org as org_module

        profiles: list[cProfile.Profile] = []

        def profiled(func):
            def run(*a, **kw):
                profiler = cProfile.Profile(time.thread_time)
                profiler.enable()
                try:
                    return func(*a, **kw)
                finally:
                    profiler.disable()
                    profiles.append(profiler)
            return run

        def dump() -> None:
            if profiles:
                pstats.Stats(*profiles).dump_stats(os.environ["BENCH_ORG_TASK_PROFILE"])

        adapter.read_region = profiled(adapter.read_region)
        adapter.read_buckets = profiled(adapter.read_buckets)
        adapter.read_costs = profiled(adapter.read_costs)
        org_module.assume = profiled(org_module.assume)
        atexit.register(dump)
    provider = AwsProvider(regions=bench_aws.REGIONS[:regions], prices="off", with_costs=True, org=org,
                           max_workers=workers)
    t0 = time.perf_counter()

    def progress(message: str) -> None:
        if os.environ.get("BENCH_ORG_PROGRESS"):
            print(f"{time.perf_counter() - t0:7.2f} {message}", file=sys.stderr)

    snap = provider.collect(Window(bench_aws.NOW - timedelta(hours=1), bench_aws.NOW), progress=progress)
    failed = [c for c in snap.coverage if c.status == "failed"]
    print(json.dumps({"resources": len(snap.resources), "failed": len(failed),
                      "failures": [f"{c.scope}: {c.error_code}" for c in failed[:5]],
                      "accounts": len({r.account for r in snap.resources})}))


def run_drive(endpoint: str, org: bool, workers: int, regions: int) -> tuple[float, dict]:
    """(wall seconds, the drive's summary with its own CPU seconds as ``cpu_s``)."""
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "AKIABENCHMGMT0000000", "AWS_SECRET_ACCESS_KEY": "bench",
           "AWS_ENDPOINT_URL": endpoint, "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
           "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
           "COSTOPT_CACHE_DIR": str(Path(os.environ.get("TMPDIR", "/tmp")) / "costopt-bench-cache")}
    env.pop("AWS_PROFILE", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    profile = ["-m", "cProfile", "-o", os.environ["BENCH_ORG_CPROFILE"]] if os.environ.get("BENCH_ORG_CPROFILE") else []
    done = subprocess.run([sys.executable, *profile, str(Path(__file__).resolve()), "drive", "--endpoint", endpoint,
                           "--workers", str(workers), "--regions", str(regions)] + (["--org"] if org else []),
                          check=True, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    summary["cpu_s"] = round((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 2)
    return wall, summary


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", nargs="?", default="bench", choices=["bench", "drive"])
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--regions", type=int, default=16)
    parser.add_argument("--delay-ms", type=float, default=50.0)
    parser.add_argument("--throttle-rps", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--endpoint")
    parser.add_argument("--org", action="store_true")
    args = parser.parse_args()
    if args.mode == "drive":
        drive(args.endpoint, args.org, args.workers, args.regions)
        return
    os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "MOTO_EC2_LOAD_DEFAULT_AMIS": "false"})
    moto_url, moto_server = bench_aws.start_server(0.0)
    fake = Fake(moto_url, args.accounts, args.delay_ms / 1000.0, args.throttle_rps)
    url, _server = serve(fake)
    bench_aws.seed({r: moto_url for r in bench_aws.REGIONS})
    _, recorded = run_drive(url, False, args.workers, args.regions)  # recording run (moto), not timed
    moto_server.shutdown()
    fake.recording = False
    times, summaries = [], []
    for _ in range(args.runs):
        fake.calls.clear(), fake.by_service.clear(), fake.throttled.clear(), fake.buckets.clear()
        fake.misses = 0
        seconds, summary = run_drive(url, True, args.workers, args.regions)
        times.append(seconds)
        summaries.append(summary)
        print(f"run: {seconds:.1f} s, {summary}", file=sys.stderr)
    pairs = list(fake.calls)
    per_pair = [fake.calls[k] for k in pairs]
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M", time.gmtime()), "load_avg": os.getloadavg(),
        "accounts": args.accounts, "regions": args.regions, "delay_ms": args.delay_ms,
        "throttle_rps": args.throttle_rps, "workers": args.workers, "runs": len(times),
        "wall_s": times, "median_s": statistics.median(times),
        "calls": sum(fake.calls.values()), "calls_by_service": dict(fake.by_service),
        "calls_per_account_region_median": statistics.median(per_pair) if per_pair else 0,
        "account_region_pairs": len(pairs), "throttles": dict(fake.throttled),
        "throttles_total": sum(fake.throttled.values()), "misses": fake.misses, "recorded": len(fake.store),
        "last_run": summaries[-1], "recording_run": recorded,
        "projection_200_accounts_s": statistics.median(times) * 200 / args.accounts,
        "cpu_s": [s["cpu_s"] for s in summaries],
        "latency_floor_s": sum(fake.calls.values()) * args.delay_ms / 1000.0 / args.workers,
    }
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / f"bench_org_{args.accounts}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
