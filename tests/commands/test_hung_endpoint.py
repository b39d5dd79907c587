"""The whole CLI against an AWS endpoint that accepts connections and never answers: `costopt audit
--provider aws` (a real process) finishes within its per-scope deadline with "timed out" coverage
entries. STS is answered by moto's server (so the caller is known); every other service's endpoint
is a local socket that accepts and never sends a byte (tests/silent.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from moto.server import ThreadedMotoServer

from tests.silent import silent

DEADLINE_S = 5


def test_an_audit_against_a_hung_endpoint_finishes_with_timed_out_coverage(tmp_path):
    config = tmp_path / "costopt.toml"
    config.write_text(f"[providers.aws]\ndeadline_s = {DEADLINE_S}\n")
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    try:
        host, port = moto.get_host_and_port()
        with silent() as hung:
            env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
            env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1",
                       AWS_ENDPOINT_URL=f"http://{hung}", AWS_ENDPOINT_URL_STS=f"http://{host}:{port}",
                       AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull, HOME=str(tmp_path))
            started = time.monotonic()
            result = subprocess.run([sys.executable, "-m", "costopt", "audit", "--provider", "aws", "--regions",
                                     "eu-west-1", "--config", str(config), "--no-history", "--out", str(tmp_path / "out"),
                                     "--format", "json", "-q"], env=env, capture_output=True, text=True, timeout=300)
            took = time.monotonic() - started
    finally:
        moto.stop()
    assert result.returncode == 0, result.stderr
    assert took < DEADLINE_S + 25, f"the audit took {took:.1f} s with a {DEADLINE_S} s deadline per scope"
    coverage = json.loads(Path(tmp_path / "out" / "audit.json").read_text())["coverage"]
    timed_out = {c["scope"] for c in coverage if c["error_code"] == "TimedOut" and "timed out" in c["detail"]}
    assert any("eu-west-1" in scope for scope in timed_out) and any("global" in scope for scope in timed_out), coverage
