"""No "Connection pool is full" warnings: the pricing client shared by every pricing thread keeps
as many connections as there are threads. A local HTTP server answers GetProducts slowly, so
the threads really hold their connections at the same time (real urllib3, no fake)."""

from __future__ import annotations

import json
import logging
import time

import boto3
import pytest

from costopt.model import Resource
from costopt.providers.aws.adapter import priced
from costopt.providers.aws.prices import PriceBook
from costopt.providers.aws.session import Account, client_config, connection_pool
from tests.local_http import QuietHandler, local_server

WORKERS = 16
TYPES = [f"m5.{size}" for size in ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge",
                                   "24xlarge")] + [f"c5.{size}" for size in ("large", "xlarge", "2xlarge", "4xlarge",
                                                                              "9xlarge", "12xlarge", "18xlarge",
                                                                              "24xlarge")]


class _Pricing(QuietHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: connections go back to the client's pool

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        itype = next(f["Value"] for f in body["Filters"] if f["Field"] == "instanceType")
        time.sleep(0.5)  # every thread is inside a request at once
        product = {"product": {"attributes": {"instanceType": itype, "usagetype": f"BoxUsage:{itype}"}},
                   "terms": {"OnDemand": {"T.1": {"priceDimensions": {"T.1.1": {
                       "unit": "Hrs", "pricePerUnit": {"USD": "0.5"}}}}}}}
        out = json.dumps({"FormatVersion": "aws_v1", "PriceList": [json.dumps(product)]}).encode()
        self.send_body(out, "application/x-amz-json-1.1")


@pytest.fixture
def pricing_server(monkeypatch):
    with local_server(_Pricing) as url:
        monkeypatch.setenv("AWS_ENDPOINT_URL_PRICING", url)
        yield


def _run(pool: int, caplog, tmp_path, monkeypatch) -> tuple[list[Resource], list[str]]:
    monkeypatch.setenv("COSTOPT_CACHE_DIR", str(tmp_path / f"pool{pool}"))
    session = boto3.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name="us-east-1")
    account = Account("1", session, "t", client_config("standard", 2, pool=pool))
    vms = [Resource("aws", "1", "us-east-1", f"i-{n}", "vm", itype, specs={"vcpu": 2}) for n, itype in enumerate(TYPES)]
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="urllib3"):
        out = priced(vms, PriceBook(account.client("pricing", "us-east-1"), None), WORKERS)
    return out, [r.getMessage() for r in caplog.records if "pool is full" in r.getMessage().lower()]


def test_pricing_threads_never_overflow_the_connection_pool(pricing_server, caplog, tmp_path, monkeypatch):
    out, warnings = _run(connection_pool(WORKERS), caplog, tmp_path, monkeypatch)
    assert [r.hourly_cost for r in out] == [0.5] * len(TYPES)
    assert warnings == []
    # the same run with botocore's default pool of 10 does warn: the check above can fail
    _, default_warnings = _run(10, caplog, tmp_path, monkeypatch)
    assert default_warnings
