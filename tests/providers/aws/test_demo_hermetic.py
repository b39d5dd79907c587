"""The demo never leaves the process: AWS endpoint, profile and credential variables of the user's
shell are ignored while it seeds and reads its moto account, and restored afterwards."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from costopt.config import Settings
from costopt.demo.aws import collect_demo_aws, demo_window
from tests.local_http import QuietHandler, local_server


class _Recorder(QuietHandler):
    hits: list[str] = []

    def _any(self):
        self.hits.append(self.path)
        self.send_response(500)
        self.end_headers()

    do_GET = do_POST = do_PUT = do_DELETE = _any


def test_per_service_endpoint_variables_cannot_pull_the_demo_out(monkeypatch):
    _Recorder.hits = []
    now = datetime(2026, 12, 3, 13, tzinfo=UTC)
    with local_server(_Recorder) as url:
        for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_STS",
                     "AWS_ENDPOINT_URL_CLOUDWATCH"):
            monkeypatch.setenv(name, url)
        monkeypatch.setenv("AWS_PROFILE", "production")
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALKEY")
        snapshot = collect_demo_aws(demo_window(now), Settings(), lambda _: None, now)
    assert _Recorder.hits == []  # nothing reached the endpoint the variables name
    assert any(r.type == "p3.8xlarge" for r in snapshot.resources)
    assert os.environ["AWS_ENDPOINT_URL_EC2"] == url and os.environ["AWS_PROFILE"] == "production"
    assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIAREALKEY" and "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS" not in os.environ
