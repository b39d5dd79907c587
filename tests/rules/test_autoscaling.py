"""autoscaling.fixed_capacity, autoscaling.scale_to_zero and autoscaling.off_hours."""


import numpy as np
import pytest

from costopt.model import Recommendation, Skip
from costopt.rules import defaults
from costopt.rules.autoscaling import fixed_capacity, off_hours, scale_to_zero
from tests.conftest import make_resource, make_series, make_snapshot
from tests.rules.tiny_catalog import tiny_catalog

HOURS = 14 * 24
HOUR_OF_DAY = np.arange(HOURS) % 24
DAY = (np.arange(HOURS) // 24 + 6) % 7  # T0 (2026-11-01) is a Sunday: Monday = 0


def diurnal(peak, trough):
    return np.where((HOUR_OF_DAY >= 8) & (HOUR_OF_DAY < 20), peak, trough).astype(float)


def fleet_snapshot(rid="fraud-detector", kind="endpoint", type_="ml.g4dn.xlarge", count=4, requests=None,
                   util=None, util_metric="gpu", hourly=0.736, **attrs):
    r = make_resource(rid, kind=kind, type=type_, count=count, hourly_cost=None if hourly is None else hourly * count,
                      name=rid, attributes=attrs)
    metrics = []
    if requests is not None:
        metrics.append(make_series(rid, "requests", requests, period_s=3600, unit="Count", stat="Sum"))
    if util is not None:
        metrics.append(make_series(rid, util_metric, util, period_s=3600))
    return make_snapshot([r], metrics)


def run_fixed(snap, catalog=None, **kw):
    return list(fixed_capacity(snap, catalog or tiny_catalog(), defaults.FixedCapacity(**kw)))


def test_endpoint_with_daily_cycle_scales_between_trough_and_peak():
    snap = fleet_snapshot(requests=diurnal(40_000, 4_000), util=diurnal(50.0, 5.0))
    [rec] = run_fixed(snap)
    # capacity = 40,000 / 4 instances / 0.5 busy = 20,000 req/h; at 60%: peak 4, trough max(1, 2) = 2.
    assert rec.evidence.facts["capacity_per_instance_per_hour"] == pytest.approx(20_000)
    assert rec.proposed.count_min == 2 and rec.proposed.count_max == 4
    assert rec.proposed.count_mean == pytest.approx(3.0)
    assert rec.monthly_savings == pytest.approx(1 * 0.736 * 730)
    assert rec.savings_low < rec.monthly_savings  # instances kept an hour after each peak
    assert "endpoint/fraud-detector/variant/AllTraffic" in rec.apply
    assert rec.alternative_group == "fraud-detector"


def test_low_cpu_fleet_needs_far_fewer_instances():
    snap = fleet_snapshot("search-embed", kind="autoscaling_group", type_="c5.4xlarge", count=6, hourly=0.68,
                          requests=diurnal(60_000, 10_000), util=diurnal(20.0, 4.0), util_metric="cpu")
    [rec] = run_fixed(snap)
    assert rec.proposed.count_max == 2
    assert rec.monthly_savings == pytest.approx(4 * 0.68 * 730)
    assert "update-auto-scaling-group --auto-scaling-group-name search-embed --min-size 2 --max-size 2" in rec.apply


def test_without_utilisation_the_peak_is_taken_as_full_load():
    # capacity = 10,000/h; peak ceil(40,000 / 6,000) = 7, trough 2 -> 4.5 on average: more than the 4
    # running now, so no saving is claimed.
    assert run_fixed(fleet_snapshot(requests=diurnal(40_000, 4_000))) == []
    # A deeper trough on a bigger fleet still pays, with low confidence.
    [rec] = run_fixed(fleet_snapshot(count=10, requests=diurnal(40_000, 500)))
    assert rec.proposed.count_max == 17  # ceil(40,000 / (4,000 x 0.6))
    assert rec.proposed.count_mean == pytest.approx((17 + 2) / 2)
    assert rec.confidence == "low"


FIXED_CASES = [
    ("flat load", dict(requests=np.full(HOURS, 10_000.0)), None),
    ("already autoscaled", dict(requests=diurnal(40_000, 1_000), min_size=2, max_size=8), None),
    ("too small to scale", dict(count=2, requests=diurnal(40_000, 1_000)), None),
    ("no load metrics at all", dict(), None),
    ("gappy requests", dict(requests=np.where(np.arange(HOURS) % 2 == 0, diurnal(40_000, 4_000), np.nan)),
     "coverage"),
    ("no price", dict(type_="ml.zz.mega", hourly=None, requests=diurnal(40_000, 4_000)), "no on-demand price"),
]


@pytest.mark.parametrize("name, kwargs, skip_reason", FIXED_CASES, ids=[c[0] for c in FIXED_CASES])
def test_fixed_capacity_table(name, kwargs, skip_reason):
    out = run_fixed(fleet_snapshot(**kwargs))
    if skip_reason is None:
        assert [o for o in out if isinstance(o, Recommendation)] == []
    else:
        assert out and isinstance(out[0], Skip) and skip_reason in out[0].reason


def test_configured_capacity_wins_over_observed():
    snap = fleet_snapshot(requests=diurnal(40_000, 4_000), util=diurnal(50.0, 5.0), capacity_per_instance=100_000)
    [rec] = run_fixed(snap)
    assert rec.evidence.facts["capacity_source"] == "attributes.capacity_per_instance"
    assert rec.proposed.count_max == 2


# --- scale to zero -----------------------------------------------------------------------------


def sparse_requests(hours_per_day=(10, 11), per_hour=30.0):
    return np.where(np.isin(HOUR_OF_DAY, hours_per_day), per_hour, 0.0)


def test_rarely_used_gpu_endpoint_scales_to_zero_with_cold_start_impact():
    snap = fleet_snapshot("churn-scorer-dev", count=1, requests=sparse_requests())
    [rec] = list(scale_to_zero(snap, tiny_catalog(), defaults.ScaleToZero()))
    active = 2 * 14
    assert rec.evidence.facts["active_hours"] == active
    assert rec.monthly_savings == pytest.approx(0.736 * 730 * (1 - 2 * active / HOURS))
    assert rec.impacts.cold_start_s == 60.0
    assert rec.impacts.cold_starts_per_month == pytest.approx(14 * 730 / HOURS)
    assert rec.proposed.serverless is False and "inference-component" in rec.apply
    assert rec.savings_low <= rec.monthly_savings <= rec.savings_high


def test_rarely_used_cpu_endpoint_goes_serverless():
    r = make_resource("tiny-cpu", kind="endpoint", type="ml.m5.large", hourly_cost=0.115, name="tiny-cpu")
    snap = make_snapshot([r], [make_series("tiny-cpu", "requests", sparse_requests((3,)), period_s=3600,
                                           unit="Count", stat="Sum")])
    [rec] = list(scale_to_zero(snap, tiny_catalog(), defaults.ScaleToZero()))
    assert rec.proposed.serverless is True and "ServerlessConfig" in rec.apply


@pytest.mark.parametrize("requests, expect", [
    (np.zeros(HOURS), "nothing"),                      # no traffic at all: the idle rule's finding
    (diurnal(1000, 100), "nothing"),                   # busy every hour
    (sparse_requests()[:48], "skip"),                  # two days of data
])
def test_scale_to_zero_table(requests, expect):
    snap = fleet_snapshot("ep", count=1, requests=requests)
    out = list(scale_to_zero(snap, tiny_catalog(), defaults.ScaleToZero()))
    if expect == "nothing":
        assert out == []
    else:
        assert isinstance(out[0], Skip) and "hours of request data" in out[0].reason


# --- off hours -----------------------------------------------------------------------------------


def office_gpu(weekend_hours=(), night_blip=None):
    busy = (DAY < 5) & (HOUR_OF_DAY >= 9) & (HOUR_OF_DAY < 17)
    busy |= (DAY >= 5) & np.isin(HOUR_OF_DAY, weekend_hours)
    if night_blip is not None:
        busy[night_blip] = True
    return np.where(busy, 60.0, 1.0)


def notebook(values, hours=HOURS, workload="notebook", type_="g4dn.xlarge", hourly=0.526):
    r = make_resource("nb-alice", kind="gpu_vm", type=type_, workload=workload, hourly_cost=hourly, name="nb-alice")
    return make_snapshot([r], [make_series("nb-alice", "gpu", values[:hours], period_s=3600)])


def test_office_hours_notebook_gets_a_weekday_schedule():
    [rec] = list(off_hours(notebook(office_gpu()), tiny_catalog(), defaults.OffHours()))
    assert rec.proposed.hours_per_week == 40
    assert rec.monthly_savings == pytest.approx(0.526 * 730 * 128 / 168)
    assert rec.proposed.start == "cron(0 9 ? * MON-FRI *)" and rec.proposed.stop == "cron(0 17 ? * MON-FRI *)"
    assert "stopInstances" in rec.apply


def test_weekend_use_keeps_weekends_on():
    [rec] = list(off_hours(notebook(office_gpu(weekend_hours=(10, 11))), tiny_catalog(), defaults.OffHours()))
    assert rec.proposed.hours_per_week == 56
    assert "MON-SUN" in rec.proposed.start


@pytest.mark.parametrize("values, kwargs, expect", [
    (np.full(HOURS, 70.0), {}, "nothing"),                        # busy around the clock
    (office_gpu(), {"workload": "training"}, "nothing"),          # not a notebook/dev workload
    (office_gpu(), {"hours": 100}, "skip"),                       # under a week of data
    (office_gpu(), {"type_": "zz.mega", "hourly": None}, "skip"),  # no price
])
def test_off_hours_table(values, kwargs, expect):
    out = list(off_hours(notebook(values, **kwargs), tiny_catalog(), defaults.OffHours()))
    if expect == "nothing":
        assert out == []
    else:
        assert out and isinstance(out[0], Skip)


def test_invalid_utilisation_points_are_ignored():
    vals = office_gpu()
    vals[3] = 500.0  # a broken reading at 3am would otherwise keep the night on
    vals[4] = -1.0
    [rec] = list(off_hours(notebook(vals), tiny_catalog(), defaults.OffHours()))
    assert rec.proposed.hours_per_week == 40


@pytest.mark.parametrize("attrs", [{"min": 2, "max": 8}, {"policies": [{"type": "TargetTrackingScaling"}]},
                                   {"autoscaling": True}])
def test_groups_that_already_scale_are_left_alone(attrs):
    snap = fleet_snapshot("search-embed", kind="autoscaling_group", type_="c5.4xlarge", count=6, hourly=0.68,
                          requests=diurnal(60_000, 10_000), util=diurnal(20.0, 4.0), util_metric="cpu", **attrs)
    assert run_fixed(snap) == []


def test_fixed_range_group_is_a_candidate():
    snap = fleet_snapshot("search-embed", kind="autoscaling_group", type_="c5.4xlarge", count=6, hourly=None,
                          requests=diurnal(60_000, 10_000), util=diurnal(20.0, 4.0), util_metric="cpu",
                          min=6, max=6, members_priced_separately=True)
    [rec] = run_fixed(snap)
    assert rec.evidence.price_source.startswith("tests")  # catalog on-demand x count
    assert rec.monthly_savings == pytest.approx(4 * 0.68 * 730)


def test_without_requests_utilisation_is_the_load():
    snap = fleet_snapshot("search-embed", kind="autoscaling_group", type_="c5.4xlarge", count=6, hourly=0.68,
                          util=diurnal(20.0, 4.0), util_metric="cpu")
    [rec] = run_fixed(snap)
    # ceil(6 x 0.20 / 0.6) = 2 at peak, ceil(6 x 0.04 / 0.6) = 1 -> 2 at night.
    assert rec.proposed.count_max == 2 and rec.proposed.count_mean == pytest.approx(2.0)
    assert rec.evidence.facts["load_metric"] == "utilisation"
    assert rec.monthly_savings == pytest.approx(4 * 0.68 * 730)


def test_sparse_invocation_points_with_other_metrics_count_as_quiet_hours():
    # CloudWatch has no Invocations point in an hour without requests; cpu is reported every hour.
    ts_hours = np.array([30, 200, 300])
    r = make_resource("churn-scorer-dev", kind="endpoint", type="ml.g4dn.xlarge", hourly_cost=0.736)
    req = make_series("churn-scorer-dev", "requests", np.ones(3), period_s=3600, unit="Count", stat="Sum")
    req = type(req)(req.resource_id, "requests", "Count", 3600, req.timestamps[0] + ts_hours * 3600, np.ones(3), "Sum")
    cpu = make_series("churn-scorer-dev", "cpu", np.full(HOURS, 0.4), period_s=3600)
    [rec] = list(scale_to_zero(make_snapshot([r], [req, cpu]), tiny_catalog(), defaults.ScaleToZero()))
    assert rec.evidence.facts["hours_observed"] == HOURS and rec.evidence.facts["active_hours"] == 3
    assert rec.impacts.cold_starts_per_month == pytest.approx(3 * 730 / HOURS)


def test_group_load_is_pooled_from_its_member_instances():
    members = [make_resource(f"i-{k}", type="c5.4xlarge", hourly_cost=0.68) for k in range(6)]
    asg = make_resource("search-embed", kind="autoscaling_group", type="c5.4xlarge", count=6, hourly_cost=6 * 0.68,
                        name="search-embed", attributes={"min": 6, "max": 6, "instance_ids": [m.id for m in members],
                                                         "members_priced_separately": True})
    metrics = [make_series(m.id, "cpu", diurnal(20.0, 4.0) + k, period_s=3600) for k, m in enumerate(members)]
    [rec] = run_fixed(make_snapshot([asg, *members], metrics))
    assert rec.resource_id == "search-embed"
    # mean member cpu at peak 22.5 % -> ceil(6 x 0.225 / 0.6) = 3; at night 6.5 % -> 1 -> min 2.
    assert rec.proposed.count_max == 3
    assert rec.proposed.count_mean == pytest.approx(2.5)


def test_serverless_endpoint_is_not_proposed_again():
    r = make_resource("already-serverless", kind="endpoint", type="serverless", count=0, hourly_cost=None)
    snap = make_snapshot([r], [make_series(r.id, "requests", sparse_requests(), period_s=3600, unit="Count",
                                           stat="Sum")])
    assert list(scale_to_zero(snap, tiny_catalog(), defaults.ScaleToZero())) == []
