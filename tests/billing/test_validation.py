"""Bad input: every failure is one InputError naming file (and row / column) and what was expected."""

from __future__ import annotations

import pytest

from costopt.billing.breakdown import breakdown_records, spend_summary
from costopt.billing.readers import open_sources, validate
from costopt.errors import InputError
from tests.billing.builders import FOCUS_HEADER, focus_row, write_csv


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match=r"nope\.csv: no such file"):
        open_sources([str(tmp_path / "nope.csv")])


def test_empty_glob(tmp_path):
    with pytest.raises(InputError, match=r"\*\.parquet: the pattern matches no files"):
        open_sources([str(tmp_path / "*.parquet")])


def test_folder_is_not_a_file(tmp_path):
    with pytest.raises(InputError, match="is a folder"):
        open_sources([str(tmp_path)])


def test_unknown_format_names_the_formats_tried(tmp_path):
    path = write_csv(tmp_path / "x.csv", ["date", "amount"], [["2024-01-01", 1]])
    with pytest.raises(InputError) as err:
        open_sources([str(path)])
    msg = str(err.value)
    assert msg.startswith(str(path)) and "not a billing export (looked for: " in msg
    for fmt in ("focus", "aws-cur", "azure", "gcp"):
        assert fmt + " (" in msg


def test_unknown_forced_format(tmp_path):
    with pytest.raises(InputError, match="unknown billing format 'oci'"):
        open_sources(["x.csv"], "oci")


def test_forced_format_checks_its_mandatory_columns(tmp_path):
    path = write_csv(tmp_path / "f.csv", FOCUS_HEADER, [focus_row(1.0)])
    with pytest.raises(InputError, match=r"missing mandatory column\(s\) for azure: CostInBillingCurrency"):
        open_sources([str(path)], "azure")


def test_missing_focus_columns_are_named(tmp_path):
    path = write_csv(tmp_path / "f.csv", ["BilledCost", "ChargePeriodStart", "ServiceName"], [[1, "2024-01-01", "x"]])
    with pytest.raises(InputError, match=r"f\.csv: missing mandatory column\(s\) for focus: EffectiveCost, "
                                         r"BillingCurrency, ChargeCategory"):
        open_sources([str(path)])


@pytest.mark.parametrize("bad_row", [1, 4, 7])
def test_non_numeric_cost_names_file_row_and_column(tmp_path, bad_row):
    rows = [focus_row(float(i), resource=f"r{i}") for i in range(8)]
    rows[bad_row - 1][1] = "n/a"  # EffectiveCost
    path = write_csv(tmp_path / "costs.csv", FOCUS_HEADER, rows)
    table = open_sources([str(path)])
    with pytest.raises(InputError) as err:
        breakdown_records(table, ["provider"], "effective")
    assert str(err.value) == f"{path}, row {bad_row}, column 'EffectiveCost': expected a number, got 'n/a'"
    assert "\n" not in str(err.value)


def test_unparsable_date_names_file_row_and_column_in_a_glob(tmp_path):
    write_csv(tmp_path / "a.csv", FOCUS_HEADER, [focus_row(1.0)] * 3)
    rows = [focus_row(1.0) for _ in range(5)]
    rows[2][5] = "2024-13-45"
    bad = write_csv(tmp_path / "b.csv", FOCUS_HEADER, rows)
    table = open_sources([str(tmp_path / "*.csv")])
    with pytest.raises(InputError) as err:
        breakdown_records(table, ["service"], "billed")
    assert str(err.value).startswith(f"{bad}, row 3, column 'ChargePeriodStart': unparsable date")
    assert "'2024-13-45'" in str(err.value)


def test_spend_summary_and_validate_report_bad_values(tmp_path):
    rows = [focus_row(1.0), focus_row(2.0)]
    rows[1][0] = "12,5"  # BilledCost with a decimal comma
    table = open_sources([str(write_csv(tmp_path / "s.csv", FOCUS_HEADER, rows))])
    with pytest.raises(InputError, match=r"row 2, column 'BilledCost': expected a number, got '12,5'"):
        spend_summary(table)
    with pytest.raises(InputError, match=r"row 2, column 'BilledCost'"):
        validate(table)


def test_mixed_currencies_never_added(tmp_path):
    rows = [focus_row(1.0), focus_row(2.0, currency="EUR")]
    table = open_sources([str(write_csv(tmp_path / "m.csv", FOCUS_HEADER, rows))])
    out = breakdown_records(table, ["provider"])
    assert [(o["currency"], o["total"]) for o in out] == [("EUR", 2.0), ("USD", 1.0)]
    with pytest.raises(InputError, match="mixes currencies"):
        spend_summary(table)


def test_not_a_parquet_file(tmp_path):
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(InputError, match=r"broken\.parquet: cannot read it as PARQUET"):
        open_sources([str(path)])


def test_any_query_on_an_opened_table_reports_the_bad_value(tmp_path):
    """Consumers that query the table themselves (audit window, rules) get the same one-line error."""
    rows = [focus_row(1.0), focus_row(2.0), focus_row(3.0)]
    rows[2][5] = "31/31/2024"
    table = open_sources([str(write_csv(tmp_path / "w.csv", FOCUS_HEADER, rows))])
    with pytest.raises(InputError, match=r"w\.csv, row 3, column 'ChargePeriodStart': unparsable date"):
        table.scalar("SELECT max(ChargePeriodStart) FROM focus")
    with pytest.raises(InputError, match=r"row 3"):
        table.query("SELECT * FROM focus")


def test_ragged_row_near_the_top_names_the_line(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("BilledCost,EffectiveCost,BillingCurrency,ChargePeriodStart,ChargeCategory\n"
                    "1,1,USD,2024-01-01,Usage\n2,2,USD,2024-01-01,Usage,extra,more\n")
    with pytest.raises(InputError, match=r"r\.csv, line 3: expected 5 fields like the header, found 7"):
        open_sources([str(path)])


def test_ragged_row_deep_in_the_file_is_one_line(tmp_path):
    path = tmp_path / "late.csv"
    good = "1,1,USD,2024-01-01,Usage\n"
    path.write_text("BilledCost,EffectiveCost,BillingCurrency,ChargePeriodStart,ChargeCategory\n"
                    + good * 30000 + "2,2,USD,2024-01-01,Usage,extra\n" + good * 5)
    table = open_sources([str(path)])
    with pytest.raises(InputError) as err:
        breakdown_records(table, ["provider"])
    assert str(err.value) == f"{path}, line 30002: expected 5 fields like the header, found 6"
