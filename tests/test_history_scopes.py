"""History per scope, in a folder, in S3 (moto) and in GCS (a local JSON-API server).

The real SDK clients talk to the fakes at the wire; nothing of costopt is mocked.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import replace
from datetime import timedelta
from email import message_from_bytes
from urllib.parse import parse_qs, unquote, urlparse

import boto3
import pytest
from click.testing import CliRunner
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage
from moto import mock_aws

from costopt import history
from costopt.cli import cli
from costopt.errors import InputError
from costopt.history_store import derive_scope, list_scopes, open_store
from costopt.reports import charts
from tests.local_http import QuietHandler, local_server
from tests.reports.sample_audit import make_audit
from tests.test_history import _week_later


@pytest.fixture()
def first():
    return make_audit(with_extras=False)


def test_derived_scopes_keep_estates_apart(tmp_path):
    assert derive_scope(demo=True, sources=("x.csv",)) == "demo"
    live = derive_scope(providers=[("aws", "123456789012"), ("gcp", "ml-prod"), ("aws", "123456789012")])
    assert live == "aws-123456789012_gcp-ml-prod"
    files = derive_scope(sources=[str(tmp_path / "cur.parquet")])
    assert re.fullmatch(r"files-cur\.parquet-[0-9a-f]{10}", files)
    assert derive_scope(sources=[str(tmp_path / "other.parquet")]) != files
    many = derive_scope(providers=[("azure", f"{i:08d}-0000-0000-0000-000000000000") for i in range(9)])
    assert len(many) <= 80 and many.startswith("azure-00000000")


def test_scopes_never_compare_with_each_other(tmp_path, first):
    demo_saved = history.record(first, open_store(tmp_path, "demo"))
    real = history.record(_week_later(first), open_store(tmp_path, "aws-123456789012"))
    assert real.extras.history.previous is None  # the demo is not this estate's previous audit
    again = history.record(_week_later(first, weeks=2), open_store(tmp_path, "aws-123456789012"))
    assert again.extras.history.previous.run_at == real.run_at.isoformat()
    assert demo_saved.extras.history.previous is None
    assert list_scopes(tmp_path) == ["aws-123456789012", "demo"]


def test_bad_scope_and_location_are_one_line(tmp_path):
    with pytest.raises(InputError, match="history scope"):
        open_store(tmp_path, "../escape")
    with pytest.raises(InputError, match="unsupported history location 'ftp://x'"):
        open_store("ftp://x", "demo")


def test_several_runs_on_one_day_are_distinct_trend_points(tmp_path, first):
    store = open_store(tmp_path, "demo")
    for hours in (0, 3, 6):
        saved = history.record(replace(first, run_at=first.run_at + timedelta(hours=hours)), store)
    xs = [p.run_at for p in saved.extras.history.trend]
    assert xs == ["2026-11-23T06:00:00+00:00", "2026-11-23T09:00:00+00:00", "2026-11-23T12:00:00+00:00"]
    figure = charts.trend(saved)
    assert figure.layout.xaxis.type == "date"  # a category axis drew one day's runs as one vertical line
    assert [list(trace.x) for trace in figure.data] == [xs] * len(figure.data)


@mock_aws
def test_history_in_s3(first):
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="team-finops")
    store = open_store("s3://team-finops/costopt/history/", "aws-123456789012", s3_client=s3)
    history.record(first, store)
    second = history.record(_week_later(first), store)
    assert second.extras.history.previous.run_at == first.run_at.isoformat()
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="team-finops")["Contents"])
    assert keys == ["costopt/history/aws-123456789012/audit-20261123T060000Z.json",
                    "costopt/history/aws-123456789012/audit-20261130T060000Z.json",
                    "costopt/history/aws-123456789012/index.json"]
    assert history.load("-2", store).run_at == first.run_at
    assert list_scopes("s3://team-finops/costopt/history", s3_client=s3) == ["aws-123456789012"]


class _GcsObjects(QuietHandler):
    """The slice of the GCS JSON API the client uses for list, download and multipart upload."""

    objects: dict[tuple[str, str], bytes] = {}

    def _json(self, body, status=200):
        self.send_body(json.dumps(body).encode(), status=status)

    def do_GET(self):
        url = urlparse(self.path)
        query = parse_qs(url.query)
        m = re.fullmatch(r"(?:/download)?/storage/v1/b/([^/]+)/o/(.+)", url.path)
        if m and query.get("alt") == ["media"]:
            data = self.objects.get((m.group(1), unquote(m.group(2))))
            if data is None:
                return self._json({"error": {"code": 404, "message": "No such object"}}, 404)
            return self.send_body(data, "application/octet-stream")
        m = re.fullmatch(r"/storage/v1/b/([^/]+)/o", url.path)
        if m:
            prefix = query.get("prefix", [""])[0]
            items = [{"bucket": b, "name": n, "size": str(len(d))} for (b, n), d in sorted(self.objects.items())
                     if b == m.group(1) and n.startswith(prefix)]
            return self._json({"kind": "storage#objects", "items": items})
        self._json({"error": {"code": 404, "message": self.path}}, 404)

    def do_POST(self):
        url = urlparse(self.path)
        m = re.fullmatch(r"/upload/storage/v1/b/([^/]+)/o", url.path)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if not m or parse_qs(url.query).get("uploadType") != ["multipart"]:
            return self._json({"error": {"code": 400, "message": self.path}}, 400)
        message = message_from_bytes(b"Content-Type: " + self.headers["Content-Type"].encode() + b"\r\n\r\n" + body)
        meta_part, data_part = message.get_payload()
        meta = json.loads(meta_part.get_payload())
        self.objects[(m.group(1), meta["name"])] = data_part.get_payload(decode=True)
        self._json({"bucket": m.group(1), "name": meta["name"], "size": "0"})


@pytest.fixture()
def gcs():
    _GcsObjects.objects = {}
    with local_server(_GcsObjects) as url:
        yield storage.Client(project="p", credentials=AnonymousCredentials(), client_options={"api_endpoint": url})


def test_history_in_gcs(gcs, first):
    store = open_store("gs://ml-finops/history", "gcp-ml-prod", gcs_client=gcs)
    history.record(first, store)
    second = history.record(_week_later(first), store)
    assert second.extras.history.previous.run_at == first.run_at.isoformat()
    assert sorted(n for _, n in _GcsObjects.objects) == ["history/gcp-ml-prod/audit-20261123T060000Z.json",
                                                         "history/gcp-ml-prod/audit-20261130T060000Z.json",
                                                         "history/gcp-ml-prod/index.json"]
    assert history.load("-2", store).run_at == first.run_at
    assert list_scopes("gs://ml-finops/history", gcs_client=gcs) == ["gcp-ml-prod"]


def test_history_commands_need_a_scope_when_there_are_several(tmp_path, first):
    history.record(first, open_store(tmp_path, "demo"))
    history.record(_week_later(first), open_store(tmp_path, "aws-1"))
    runner = CliRunner()
    result = runner.invoke(cli, ["history", "show", "-1", "--history", str(tmp_path)])
    assert result.exit_code == 2 and "pass --history-scope NAME" in result.output and "aws-1, demo" in result.output
    result = runner.invoke(cli, ["history", "show", "-1", "--history", str(tmp_path), "--history-scope", "aws-1",
                                 "--format", "json"])
    assert result.exit_code == 0 and json.loads(result.output)["run_at"] == _week_later(first).run_at.isoformat()
    listed = runner.invoke(cli, ["history", "list", "--history", str(tmp_path), "--format", "json"])
    assert sorted(r["scope"] for r in json.loads(listed.output)) == ["aws-1", "demo"]


@mock_aws
def test_unreachable_bucket_is_one_line(first):
    s3 = boto3.client("s3", region_name="us-east-1")  # no bucket created
    store = open_store("s3://missing-bucket/h", "demo", s3_client=s3)
    with pytest.raises(InputError, match=r"^s3://missing-bucket/h/demo/, key 'history': cannot list the history "
                                         r"\(NoSuchBucket"):
        history.record(first, store)


def test_two_audits_saved_at_once_both_land(tmp_path, first):
    for round_ in range(10):
        store = open_store(tmp_path / f"round-{round_}", "demo")
        barrier = threading.Barrier(2)

        def save(audit, barrier=barrier, store=store):
            barrier.wait()
            history.record(audit, store)

        threads = [threading.Thread(target=save, args=(first,)) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        files = sorted(p.name for p in (tmp_path / f"round-{round_}" / "demo").iterdir())
        assert [f for f in files if f.startswith("audit-")] == ["audit-20261123T060000Z-1.json",
                                                                  "audit-20261123T060000Z.json"], files
        assert not [f for f in files if f.endswith(".tmp")]
        assert len(history.entries(store)) == 2


def test_missing_sdk_names_the_extra(monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "boto3", None)
    with pytest.raises(InputError, match=r"history in S3 needs the 'aws' extra: pip install 'costopt-ml\[aws\]'"):
        open_store("s3://bucket/prefix", "demo")
