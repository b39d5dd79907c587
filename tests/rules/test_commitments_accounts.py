"""Commitments on real billing shapes: split reservation lines, several accounts, exact terms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from costopt.billing.readers import open_sources
from costopt.config import settings_from_mapping
from costopt.errors import ConfigError
from costopt.model import Recommendation, Skip
from costopt.rules import defaults
from costopt.rules.commitments import reserved_instances, savings_plan
from costopt.rules.engine import validate_rule_config
from costopt.tradeoff.selection import select
from tests.billing.builders import write_csv
from tests.billing.test_aws_cur_reader import LEGACY
from tests.conftest import make_resource, make_series, make_snapshot, make_window
from tests.rules.test_commitments import fleet
from tests.rules.tiny_catalog import tiny_catalog

START = datetime(2026, 11, 1, tzinfo=UTC)
RI = "arn:aws:ec2:us-east-1:111122223333:reserved-instances/flex-m5-large"
DAYS = 8


def cur_rows(accounts=("111122223333",), days=DAYS):
    """Hourly legacy CUR lines: 4 on-demand m5.xlarge per account, and one m5.xlarge whose hour is
    covered by two m5.large reservations of a size-flexible RI: two DiscountedUsage lines that agree
    on resource, usage type, hour, amount and cost — only their line item ids differ."""
    rows, n = [], 0
    for h in range(days * 24):
        start = START + timedelta(hours=h)
        times = (start.strftime("%Y-%m-%dT%H:%M:%SZ"), (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"))
        for account in accounts:
            lines = [("Usage", f"i-{account}-{i}", 1.0, 0.2, 0.2, None, "") for i in range(4)]
            lines += [("DiscountedUsage", f"i-{account}-flex", 0.5, 0.0, 0.096, 0.06, RI)] * 2
            for kind, resource, amount, unblended, public, ri_effective, arn in lines:
                n += 1
                rows.append([f"li{n:07d}", "999988887777", "2026-11-01T00:00:00Z", account, kind, *times, "AmazonEC2",
                             "USE1-BoxUsage:m5.xlarge", resource, amount, "USD", unblended, f"{kind} line",
                             "Amazon Elastic Compute Cloud", "us-east-1", public, ri_effective, arn, None, None,
                             None, "", None, None, ""])
    return rows


def billing_snapshot(tmp_path, *, read_twice=False, accounts=("111122223333",)):
    rows = cur_rows(accounts)
    paths = [write_csv(tmp_path / "cur.csv", LEGACY, rows)]
    if read_twice:  # the same export delivered twice (e.g. a re-run of the export job)
        paths.append(write_csv(tmp_path / "cur-copy.csv", LEGACY, rows))
    table = open_sources([str(p) for p in paths])
    return make_snapshot(billing=table, window=make_window(days=DAYS, end=START + timedelta(days=DAYS)))


def test_split_reservation_lines_are_not_taken_for_a_file_read_twice(tmp_path):
    out = list(savings_plan(billing_snapshot(tmp_path), tiny_catalog(), defaults.SavingsPlan()))
    [rec] = [o for o in out if isinstance(o, Recommendation)]
    assert not [o for o in out if isinstance(o, Skip)]
    assert rec.proposed.on_demand_equivalent_per_hour == pytest.approx(4 * 0.2)  # the 4 on-demand boxes
    assert rec.evidence.facts["identical_usage_rows"] == 0
    assert rec.alternative_group == "commit:aws:999988887777"  # sized for the payer


def test_a_file_read_twice_is_still_caught(tmp_path):
    out = list(savings_plan(billing_snapshot(tmp_path, read_twice=True), tiny_catalog(), defaults.SavingsPlan()))
    [skip] = out
    assert isinstance(skip, Skip) and "read twice" in skip.reason and skip.reason.startswith(f"{6 * DAYS * 24} of")


def test_savings_plans_sized_per_account_when_asked(tmp_path):
    snapshot = billing_snapshot(tmp_path, accounts=("111122223333", "444455556666"))
    [payer] = list(savings_plan(snapshot, tiny_catalog(), defaults.SavingsPlan()))
    assert payer.proposed.on_demand_equivalent_per_hour == pytest.approx(8 * 0.2)
    per_account = list(savings_plan(snapshot, tiny_catalog(), defaults.SavingsPlan(sizing="account")))
    assert [r.resource_id for r in per_account] == ["commit:aws:999988887777:111122223333",
                                                     "commit:aws:999988887777:444455556666"]
    assert [r.proposed.on_demand_equivalent_per_hour for r in per_account] == pytest.approx([0.8, 0.8])
    assert len({r.id for r in per_account}) == 2


def two_account_fleet():
    one = fleet(reserved=0, busy=0, always=3)
    other = tuple(make_resource(r.id.replace("i-", "i-other-"), type=r.type, account="210987654321")
                  for r in one.resources)
    metrics = one.metrics + tuple(make_series(m.resource_id.replace("i-", "i-other-"), m.metric, m.values,
                                              period_s=m.period_s) for m in one.metrics)
    return make_snapshot(one.resources + other, metrics, window=one.window)


def test_reservations_in_two_accounts_are_both_kept():
    recs = list(reserved_instances(two_account_fleet(), tiny_catalog(), defaults.ReservedInstances()))
    assert [(r.account, r.proposed.count) for r in recs] == [("111111111111", 3), ("210987654321", 3)]
    assert len({r.id for r in recs}) == 2 and len({r.alternative_group for r in recs}) == 2
    chosen = select(recs, "strict")
    assert len(chosen.selected) == 2 and chosen.rejected == ()
    assert sum(r.monthly_savings for r in chosen.selected) == pytest.approx(2 * 3 * (0.20 - 0.12) * 730)


@pytest.mark.parametrize("term, seconds", [("1y", 31_536_000), ("3y", 94_608_000)])
def test_apply_commands_use_the_exact_aws_durations(tmp_path, term, seconds):
    [sp] = list(savings_plan(billing_snapshot(tmp_path), tiny_catalog(), defaults.SavingsPlan(term=term)))
    assert f"--durations {seconds} " in sp.apply
    [ri] = list(reserved_instances(fleet(reserved=0, busy=0), tiny_catalog(), defaults.ReservedInstances(term=term)))
    assert f"Name=duration,Values={seconds} " in ri.apply


@pytest.mark.parametrize("key, value", [("term", "5y"), ("sizing", "org"), ("payment", "monthly")])
def test_commitment_choices_are_config_errors(key, value):
    settings = settings_from_mapping({"rules": {"commitments.savings_plan": {key: value}}})
    with pytest.raises(ConfigError, match=f"key 'rules.commitments.savings_plan.{key}': expected one of"):
        validate_rule_config(settings)
