"""Property tests: random rows written as CSV / Parquet / Azure / CUR read back with the same totals."""

from __future__ import annotations

import math
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costopt.billing.breakdown import breakdown_records
from costopt.billing.readers import open_sources
from costopt.billing.readers.sources import normalise
from tests.billing.builders import FOCUS_HEADER, focus_row, write_csv, write_parquet

money = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False).map(lambda x: round(x, 6))
names = st.text(alphabet=string.ascii_letters + string.digits + " -_/:=+@'\"é,", min_size=0, max_size=12)
currency = st.sampled_from(["USD", "EUR", "JPY"])
row = st.tuples(money, money, currency, names, names)
SETTINGS = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def expected(rows, index):
    out: dict[str, list[float]] = {}
    for r in rows:
        out.setdefault(r[2], []).append(r[index])
    return {c: math.fsum(v) for c, v in out.items()}


def got(table, cost):
    return {r["currency"]: r["total"] for r in breakdown_records(table, ["service", "resource"], cost)}


def same(a, b):
    return a.keys() == b.keys() and all(math.isclose(a[k], b[k], rel_tol=1e-9, abs_tol=1e-6) for k in a)


def assert_totals(table, rows, effective_index: int | None) -> None:
    """Billed cost per currency is the rows' sum, and so is effective cost (read from ``effective_index``)."""
    assert same(got(table, "billed"), expected(rows, 0))
    if effective_index is not None:
        assert same(got(table, "effective"), expected(rows, effective_index))


@SETTINGS
@given(rows=st.lists(row, min_size=1, max_size=30), gz=st.booleans())
def test_focus_csv_round_trip(tmp_path_factory, rows, gz):
    folder = tmp_path_factory.mktemp("p")
    data = [focus_row(b, effective=e, currency=c, service=s or "svc", resource=r) for b, e, c, s, r in rows]
    path = write_csv(folder / ("f.csv.gz" if gz else "f.csv"), FOCUS_HEADER, data, gz=gz)
    assert_totals(open_sources([str(path)]), rows, 1)


@SETTINGS
@given(rows=st.lists(row, min_size=1, max_size=30))
def test_focus_parquet_round_trip(tmp_path_factory, rows):
    folder = tmp_path_factory.mktemp("p")
    data = [focus_row(b, effective=e, currency=c, service=s, resource=r, start="2024-09-01 00:00:00",
                      end="2024-09-01 01:00:00") for b, e, c, s, r in rows]
    types = {"BilledCost": "DOUBLE", "EffectiveCost": "DOUBLE", "ListCost": "DOUBLE", "ContractedCost": "DOUBLE",
             "ChargePeriodStart": "TIMESTAMP", "ChargePeriodEnd": "TIMESTAMP"}
    assert_totals(open_sources([str(write_parquet(folder / "f.parquet", FOCUS_HEADER, data, types))]), rows, None)


def _case_variant(name: str, how: int) -> str:
    if how == 0:
        return name
    if how == 1:
        return name[0].lower() + name[1:]
    if how == 2:
        return f"Übersetzt ({name})"
    return name.lower()


@SETTINGS
@given(rows=st.lists(row, min_size=1, max_size=20), how=st.integers(0, 3), bom=st.booleans(),
       delimiter=st.sampled_from([",", ";"]))
def test_azure_header_variants_round_trip(tmp_path_factory, rows, how, bom, delimiter):
    folder = tmp_path_factory.mktemp("p")
    header = [_case_variant(h, how) for h in ("SubscriptionId", "Date", "MeterCategory", "MeterName",
                                              "CostInBillingCurrency", "BillingCurrency", "ResourceId", "Tags")]
    data = [["s", "09/01/2024", s or "Storage", "m", b, c, r, ""] for b, _, c, s, r in rows]
    assert_totals(open_sources([str(write_csv(folder / "actual.csv", header, data, bom=bom, delimiter=delimiter))]),
                  rows, 0)


@SETTINGS
@given(rows=st.lists(row, min_size=1, max_size=20))
def test_cur_round_trip(tmp_path_factory, rows):
    folder = tmp_path_factory.mktemp("p")
    header = ["lineItem/LineItemType", "lineItem/UsageStartDate", "lineItem/UnblendedCost", "lineItem/CurrencyCode",
              "product/ProductName", "lineItem/ResourceId", "lineItem/UsageType"]
    data = [["Usage", "2024-09-01T00:00:00Z", b, c, s, r, "BoxUsage"] for b, _, c, s, r in rows]
    assert_totals(open_sources([str(write_csv(folder / "cur.csv", header, data))]), rows, 0)


@given(st.text(alphabet=string.ascii_letters, min_size=1, max_size=20))
def test_normalise_is_case_and_separator_blind(name):
    assert normalise(name) == normalise(name.upper()) == normalise(f"X y ({name})") == normalise("\ufeff" + name)
    snake = "_".join(name)
    assert normalise(snake) == normalise(name) == normalise("/".join(name))
