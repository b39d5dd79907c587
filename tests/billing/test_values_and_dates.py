"""Costs that are not finite and dates outside 2006..tomorrow are refused in one line naming
file, row and column (CSV and Parquet), and the gate fails closed on a non-finite figure."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from costopt.audit_io import audit_to_json
from costopt.billing.breakdown import breakdown_records
from costopt.billing.readers import open_sources
from costopt.cli import cli
from costopt.errors import InputError
from tests.billing.builders import FOCUS_HEADER, focus_row, write_csv, write_parquet
from tests.gate.spend import make_audit


def rows_with(bad_cost=None, bad_start=None):
    rows = [focus_row(1.0), focus_row(2.0)]
    third = focus_row(3.0)
    if bad_cost is not None:
        third[0] = bad_cost
    if bad_start is not None:
        third[5] = bad_start
    return rows + [third]


@pytest.mark.parametrize("value", ["NaN", "inf", "-Infinity", "1e400"])
def test_non_finite_cost_names_row_and_column(tmp_path, value):
    path = write_csv(tmp_path / "focus.csv", FOCUS_HEADER, rows_with(bad_cost=value))
    table = open_sources([str(path)])
    with pytest.raises(InputError) as err:
        breakdown_records(table, ["provider"], "billed")
    assert str(err.value) == (f"{path}, row 3, column 'BilledCost': expected a finite number (not NaN or infinity), "
                              f"got {value!r}")


def test_non_finite_cost_in_parquet(tmp_path):
    path = write_parquet(tmp_path / "focus.parquet", FOCUS_HEADER, rows_with(bad_cost="NaN"),
                         types={"BilledCost": "DOUBLE", "EffectiveCost": "DOUBLE", "ListCost": "DOUBLE",
                                "ContractedCost": "DOUBLE"})
    with pytest.raises(InputError, match=r"focus\.parquet, row 3, column 'BilledCost': expected a finite number"):
        breakdown_records(open_sources([str(path)]), ["provider"], "billed")


@pytest.mark.parametrize("value", ["2099-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "2005-12-31T23:00:00Z"])
def test_implausible_dates_name_row_and_column(tmp_path, value):
    path = write_csv(tmp_path / "focus.csv", FOCUS_HEADER, rows_with(bad_start=value))
    with pytest.raises(InputError) as err:
        breakdown_records(open_sources([str(path)]), ["provider"], "billed")
    assert str(err.value) == (f"{path}, row 3, column 'ChargePeriodStart': expected a date from 2006-01-01 to "
                              f"tomorrow, got {value!r}")


def test_today_and_old_history_are_fine(tmp_path):
    today = datetime.now(UTC).strftime("%Y-%m-%dT00:00:00Z")
    path = write_csv(tmp_path / "focus.csv", FOCUS_HEADER, rows_with(bad_start=today) + [
        focus_row(4.0, start="2006-03-01T00:00:00Z", end="2006-03-01T01:00:00Z")])
    [result] = breakdown_records(open_sources([str(path)]), ["provider"], "billed")
    assert result["total"] == 10.0


def test_costs_command_exits_2_with_one_line(tmp_path):
    path = write_csv(tmp_path / "focus.csv", FOCUS_HEADER, rows_with(bad_cost="NaN"))
    result = CliRunner().invoke(cli, ["costs", "--source", str(path), "-q", "--cost", "billed"])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"costopt: error: {path}, row 3, column 'BilledCost': expected a finite number (not NaN or infinity), got 'NaN'"]


def test_gate_fails_closed_on_a_non_finite_figure(tmp_path):
    start = datetime(2026, 10, 19).date()
    data = json.loads(audit_to_json(make_audit(start, start + timedelta(days=35), lambda d: 100.0)))
    data["spend"]["daily"][-3]["cost"] = math.nan  # json writes NaN, as a hand-edited or foreign audit may hold
    path = tmp_path / "audit.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert "NaN" in path.read_text(encoding="utf-8")
    result = CliRunner().invoke(cli, ["gate", "--audit", str(path), "--budget", "1000000"])
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().splitlines() == [
        f"costopt: error: {path}, key 'spend/daily/{len(data['spend']['daily']) - 3}/cost': not a valid costopt "
        "audit: expected a finite number, got nan"]
