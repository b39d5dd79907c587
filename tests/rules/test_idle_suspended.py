"""idle.suspended_instance: a GCP instance left SUSPENDED still bills its preserved memory, its
disks and its addresses (compute.instances.suspend reference), so after ``min_days`` it is
named with what it costs; the collected shape is checked in tests/providers/gcp/test_priced_shapes.py.

Oracle: the sum written out here (memory-state price per hour + the attached disks' hourly
prices) x HOURS_PER_MONTH; bash itself for the apply step (tests/rules/test_apply_shell.py).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from costopt.model import HOURS_PER_MONTH, Recommendation, Skip
from costopt.rules import defaults, idle
from tests.conftest import T0, make_resource, make_snapshot, make_window
from tests.rules.test_apply_shell import HOSTILE, assert_intact

WINDOW = make_window()
NOW = WINDOW.end


def vm(name, hourly, since_days, zone="us-central1-a", **attrs):
    since = None if since_days is None else NOW - timedelta(days=since_days)
    return make_resource(f"//compute/{name}", provider="gcp", account="proj", region="us-central1", type="n2-standard-8",
                         name=name, hourly_cost=hourly,
                         attributes={"state": "suspended", "zone": zone, "suspended_since": since,
                                     "billed_while_suspended": "32.0 GiB of memory and device state", **attrs})


def disk(name, users, hourly, zone="us-central1-a", size=100):
    return make_resource(f"//compute/disks/{name}", kind="volume", provider="gcp", account="proj", region="us-central1",
                         type="pd-balanced", name=name, hourly_cost=hourly, created=T0,
                         attributes={"attached": True, "users": users, "zone": zone, "size_gb": size})


def run(resources, params=None):
    out = list(idle.suspended_instance(make_snapshot(resources, window=WINDOW), None,
                                       params or defaults.SuspendedInstance()))
    return ({o.resource_name: o for o in out if isinstance(o, Recommendation)},
            {o.resource_id: o for o in out if isinstance(o, Skip)})


def test_memory_state_and_every_attached_disk_are_the_saving():
    memory, boot, data = 0.0125, 100 * 0.10 / HOURS_PER_MONTH, 500 * 0.17 / HOURS_PER_MONTH
    recs, _ = run([vm("dev-box", memory, 30), disk("dev-box", ["dev-box"], boot),
                   disk("dev-data", ["dev-box"], data, size=500),
                   disk("other-zone", ["dev-box"], 1.0, zone="us-central1-b"),  # another zone's dev-box
                   disk("someone-else", ["web-1"], 1.0)])
    rec = recs["dev-box"]
    assert rec.monthly_savings == pytest.approx((memory + boot + data) * HOURS_PER_MONTH)
    assert rec.current.size_gb == 600 and rec.current.state == "suspended"
    assert "dev-box" in rec.apply and "dev-data" in rec.apply  # each attached disk is snapshotted first
    assert rec.evidence.facts["savings_lower_bound"] is False and rec.confidence == "medium"
    assert rec.evidence.facts["not_priced"] == []


def test_unpriced_parts_make_a_lower_bound_and_nothing_priced_is_a_skip():
    recs, skips = run([vm("half", None, 20), disk("half", ["half"], 0.01), disk("half-2", ["half"], None),
                       vm("nothing", None, 20), disk("nothing", ["nothing"], None)])
    assert recs["half"].monthly_savings == pytest.approx(0.01 * HOURS_PER_MONTH)
    assert recs["half"].evidence.facts["savings_lower_bound"] is True and recs["half"].confidence == "low"
    assert "disk half-2" in recs["half"].evidence.facts["not_priced"]
    assert "nothing" not in recs and "neither its memory state nor its disks" in skips["//compute/nothing"].reason


def test_recent_running_or_undated_suspensions_are_not_findings():
    recs, skips = run([vm("recent", 0.01, 13.9), vm("running", 0.5, 40, state="running"),
                       vm("undated", 0.01, None)])
    assert recs == {}
    assert list(skips) == ["//compute/undated"] and "lastSuspendedTimestamp" in skips["//compute/undated"].reason
    recs, _ = run([vm("recent", 0.01, 13.9)], defaults.SuspendedInstance(min_days=7))
    assert set(recs) == {"recent"}
    saved = vm("read-back", 0.01, None, suspended_since=(NOW - timedelta(days=20)).isoformat())  # from audit.json
    recs, _ = run([saved])
    assert recs["read-back"].evidence.facts["suspended_days"] == pytest.approx(20.0)


def test_apply_step_keeps_hostile_names_inert(tmp_path):
    name = f"n{HOSTILE}"
    recs, _ = run([vm(name, 0.01, 30), disk(name, [name], 0.01)])
    words = [w.strip("\n") for call in assert_intact(recs[name].apply, tmp_path) for w in call]
    assert words[:4] == ["gcloud", "compute", "snapshots", "create"]  # both commands ran, each name one word
    at = words.index("instances")
    assert words[at - 2:at + 3] == ["gcloud", "compute", "instances", "delete", name] and "--delete-disks=all" in words
