"""A region that accepts connections and never answers does not hold the audit.

The hung region is real at the wire: a local TCP server accepts every connection and never
sends a byte; a botocore ``before-send`` hook sends eu-west-1's requests there (moto answers
us-east-1). Two bounds are checked: the per-call read timeout (the region's first call times
out, the region is marked dead and stops) and the per-region deadline (the region task is given
up while its call still waits). Either way the audit finishes within its bound, the hung
region is a coverage entry and the other region is collected.
"""

from __future__ import annotations

import time

import pytest

from costopt.config import load_settings
from costopt.errors import ConfigError
from tests.providers.aws.test_inventory import AMI
from tests.silent import silent

HUNG_REGION = "eu-west-1"


@pytest.fixture
def silent_server():
    with silent() as address:
        yield address


def _hang_region(session, address: str) -> None:
    def redirect(request, **_):
        if f".{HUNG_REGION}." in request.url:
            scheme, _, rest = request.url.partition("://")
            request.url = f"http://{address}/{rest.partition('/')[2]}"
        return None  # sent for real (moto only answers AWS host names)

    session.events.register_first("before-send", redirect)


def _run(moto_account, adapter, window, silent_server, **kw):
    ec2 = moto_account.client("ec2", region_name="us-east-1")
    iid = ec2.run_instances(ImageId=AMI, InstanceType="m5.large", MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    _hang_region(moto_account, silent_server)
    started = time.monotonic()
    snap = adapter(regions=("us-east-1", HUNG_REGION), with_costs=False, **kw).collect(window)
    return snap, time.monotonic() - started, iid


def test_a_region_past_its_deadline_is_timed_out_and_the_others_collected(moto_account, adapter, window, silent_server):
    snap, took, iid = _run(moto_account, adapter, window, silent_server,
                           read_timeout_s=60, max_attempts=2, deadline_s=8)
    assert took < 30, f"audit took {took:.1f} s with an 8 s region deadline"
    assert iid in {r.id for r in snap.resources}
    (entry,) = [c for c in snap.coverage if HUNG_REGION in c.scope]
    assert (entry.status, entry.error_code) == ("failed", "TimedOut") and "timed out" in entry.detail
    assert "deadline_s" in entry.fix
    assert [c.status for c in snap.coverage if c.scope.endswith("us-east-1/ec2 instances")] == ["ok"]


def test_read_timeouts_mark_the_region_dead_after_its_first_call(moto_account, adapter, window, silent_server):
    snap, took, iid = _run(moto_account, adapter, window, silent_server,
                           read_timeout_s=1, connect_timeout_s=1, max_attempts=2, retry_mode="standard", deadline_s=120)
    assert took < 20, f"audit took {took:.1f} s with 1 s read timeouts and 2 attempts"
    assert iid in {r.id for r in snap.resources}
    hung = [c for c in snap.coverage if HUNG_REGION in c.scope]
    assert [(c.status, c.error_code) for c in hung] == [("failed", "ReadTimeout")], hung


def test_timeouts_are_settings_of_each_provider(tmp_path):
    path = tmp_path / "costopt.toml"
    path.write_text("[providers.aws]\nread_timeout_s = 5\ndeadline_s = 90.5\n[providers.gcp]\nconnect_timeout_s = 3\n")
    settings = load_settings(path)
    assert settings.providers["aws"]["deadline_s"] == 90.5
    path.write_text("[providers.azure]\ndeadline_s = -1\n")
    with pytest.raises(ConfigError, match=r"deadline_s.*seconds > 0"):
        load_settings(path)


def test_a_hung_s3_endpoint_does_not_cost_the_cost_explorer_rows(moto_account, adapter, window, silent_server):
    """S3 and Cost Explorer are separate global endpoints: with S3 hung past the deadline, the
    account's Cost Explorer rows still arrive (before, one task read S3 then Cost Explorer, and
    the deadline gave up both)."""
    def redirect(request, **_):
        if "s3." in request.url.partition("://")[2].partition("/")[0]:
            request.url = f"http://{silent_server}/{request.url.partition('://')[2].partition('/')[2]}"
        return None

    moto_account.events.register_first("before-send", redirect)
    started = time.monotonic()
    snap = adapter(regions=("us-east-1",), with_costs=True, read_timeout_s=60, max_attempts=2,
                   deadline_s=8).collect(window)
    assert time.monotonic() - started < 30
    by_scope = {c.scope.rpartition("/")[2]: (c.status, c.error_code) for c in snap.coverage if "/global/" in c.scope
                or c.scope.endswith(("s3 buckets", "cost explorer"))}
    assert by_scope.get("s3 buckets") == ("failed", "TimedOut"), snap.coverage
    assert by_scope.get("cost explorer", ("",))[0] == "ok", snap.coverage
