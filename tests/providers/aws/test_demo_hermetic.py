"""The demo never leaves the process: AWS endpoint, profile and credential variables of the user's
shell are ignored while it seeds and reads its moto account, and restored afterwards."""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from costopt.config import Settings
from costopt.demo.aws import collect_demo_aws, demo_window


class _Recorder(BaseHTTPRequestHandler):
    hits: list[str] = []

    def log_message(self, *args):
        pass

    def _any(self):
        self.hits.append(self.path)
        self.send_response(500)
        self.end_headers()

    do_GET = do_POST = do_PUT = do_DELETE = _any


def test_per_service_endpoint_variables_cannot_pull_the_demo_out(monkeypatch):
    _Recorder.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_STS",
                 "AWS_ENDPOINT_URL_CLOUDWATCH"):
        monkeypatch.setenv(name, url)
    monkeypatch.setenv("AWS_PROFILE", "production")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALKEY")
    now = datetime(2026, 12, 3, 13, tzinfo=UTC)
    try:
        snapshot = collect_demo_aws(demo_window(now), Settings(), lambda _: None, now)
    finally:
        server.shutdown()
        server.server_close()
    assert _Recorder.hits == []  # nothing reached the endpoint the variables name
    assert any(r.type == "p3.8xlarge" for r in snapshot.resources)
    assert os.environ["AWS_ENDPOINT_URL_EC2"] == url and os.environ["AWS_PROFILE"] == "production"
    assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIAREALKEY" and "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS" not in os.environ
