"""Budgets file parsing: every scope and period, both layouts, and errors that name key and line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from costopt.config import load_settings
from costopt.errors import ConfigError, InputError
from costopt.gate import budgets_from_settings, load_budgets_file
from costopt.gate.locate import line_of

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "budgets.toml"


def write(tmp_path: Path, text: str, name: str = "budgets.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def test_table_layout_every_scope_and_period(tmp_path):
    path = write(tmp_path, """
        [budgets]
        currency = "USD"
        forecast_weeks = 3

        [budgets.total]
        month = { warn = 40000, fail = 50000 }
        week = 12000
        growth = { warn = 10, fail = 25 }
        window = { warn = 1 }

        [budgets.provider.AWS]
        month = { fail = 35000, basis = "actual" }

        [budgets.account."123456789012"]
        week = { fail = 8000, cost = "billed" }

        [budgets.service."Amazon SageMaker"]
        growth = { warn = 15, fail = 30, name = "sagemaker growth" }

        [budgets.category."AI and Machine Learning"]
        month = { warn = 20000, fail = 25000 }

        [budgets.tag."team=vision"]
        month = { warn = 8000, fail = 10000 }

        [budgets.max_unrealised_savings]
        warn = 1000
        fail = 5000
        weeks = 6
    """)
    bs = load_budgets_file(path)
    assert bs.currency == "USD" and bs.forecast_weeks == 3
    got = {(b.scope, b.period): (b.warn, b.fail) for b in bs.budgets}
    assert got == {
        ("total", "month"): (40000, 50000), ("total", "week"): (None, 12000), ("total", "growth"): (10, 25),
        ("total", "window"): (1, None), ("provider=AWS", "month"): (None, 35000),
        ("account=123456789012", "week"): (None, 8000), ("service=Amazon SageMaker", "growth"): (15, 30),
        ("category=AI and Machine Learning", "month"): (20000, 25000), ("tag=vision", "month"): (8000, 10000),
    }
    by_scope = {b.scope: b for b in bs.budgets}
    assert by_scope["provider=AWS"].basis == "actual"
    assert by_scope["account=123456789012"].cost == "billed"
    assert by_scope["service=Amazon SageMaker"].name == "sagemaker growth"
    assert by_scope["tag=vision"].label == "team=vision"
    assert (bs.savings.warn, bs.savings.fail, bs.savings.weeks) == (1000, 5000, 6)
    assert len(bs) == 10


def test_array_layout(tmp_path):
    path = write(tmp_path, """
        [[budgets]]
        scope = "total"
        period = "month"
        fail = 100

        [[budgets]]
        scope = "team=vision"
        period = "week"
        warn = 5

        [[budgets]]
        scope = "tag:team=search"
        period = "growth"
        fail = -5
    """)
    bs = load_budgets_file(path)
    assert [(b.label, b.period, b.warn, b.fail) for b in bs.budgets] == [
        ("total", "month", None, 100), ("team=vision", "week", 5, None), ("team=search", "growth", None, -5)]


def test_budgets_in_costopt_toml(tmp_path):
    path = write(tmp_path, """
        lookback = "14d"
        team_tag_keys = ["owner"]

        [budgets.tag."owner=vision"]
        month = 10
    """, name="costopt.toml")
    bs = budgets_from_settings(load_settings(path))
    assert [(b.scope_kind, b.scope_value, b.fail) for b in bs.budgets] == [("tag", "vision", 10)]


def test_standalone_file_without_budgets_table(tmp_path):
    bs = load_budgets_file(write(tmp_path, """
        [total]
        week = 5
    """))
    assert [(b.scope, b.period, b.fail) for b in bs.budgets] == [("total", "week", 5)]


def test_shipped_example_parses():
    bs = load_budgets_file(EXAMPLE)
    assert len(bs) >= 8
    assert {b.scope_kind for b in bs.budgets} == {"total", "provider", "account", "service", "category", "tag"}
    assert bs.savings is not None


ERRORS = [
    # (file text, expected key, expected line, words in the message)
    ("""
        [budgets.total]
        month = { warn = 10, fail = 20 }
        week = { warn = "a lot" }
     """, "budgets.total.week.warn", 3, "expected a number"),
    ("""
        [budgets.total]
        month = { warn = 30, fail = 20 }
     """, "budgets.total.month.warn", 2, "above the fail level"),
    ("""
        [budgets.provider.AWS]
        month = { fail = 1 }
        quarter = { fail = 5 }
     """, "budgets.provider.AWS.quarter", 3, "unknown period"),
    ("""
        [budgets]
        currency = "USD"

        [budgets.tag."env=prod"]
        month = 5
     """, "budgets.tag.env=prod", 4, "unsupported"),
    ("""
        [budgets.region.eu]
        month = 5
     """, "budgets.region", 1, "unknown budgets key"),
    ("""
        [budgets.total]
        week = { warn = 1, ceiling = 3 }
     """, "budgets.total.week.ceiling", 2, "unknown key"),
    ("""
        [budgets.service."Amazon EC2"]
        week = { warn = 1 }
        month = { basis = "guess", fail = 4 }
     """, "budgets.service.Amazon EC2.month.basis", 3, "forecast, actual"),
    ("""
        [budgets.total]
        month = -4
     """, "budgets.total.month", 2, ">= 0"),
    ("""
        [budgets.max_unrealised_savings]
        fail = 10
        weeks = 1.5
     """, "budgets.max_unrealised_savings.weeks", 3, "whole number"),
    ("""
        [budgets]
        forecast_weeks = 52
     """, "budgets.forecast_weeks", 2, "1 to 12"),
    ("""
        [[budgets]]
        scope = "total"
        period = "month"
        fail = 1

        [[budgets]]
        scope = "team=vision"
        period = "fortnight"
        fail = 2
     """, "budgets.1.period", 8, "period"),
    ("""
        [[budgets]]
        scope = "region=eu-west-1"
        period = "month"
        fail = 1
     """, "budgets.0.scope", 2, "unknown scope"),
    ("""
        [budgets.total]
        month = {}
     """, "budgets.total.month", 2, "warn and/or fail"),
]


@pytest.mark.parametrize("text, key, line, words", ERRORS)
def test_errors_name_file_key_and_line(tmp_path, text, key, line, words):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_budgets_file(path)
    err = info.value
    assert err.key == key
    assert err.line == line
    assert err.path == str(path)
    message = str(err)
    assert words in message
    assert f"line {line}" in message and str(path) in message and "\n" not in message


def test_unsupported_tag_key_says_why(tmp_path):
    with pytest.raises(ConfigError, match="only the team tag"):
        load_budgets_file(write(tmp_path, '[budgets.tag."cost-center=42"]\nmonth = 1\n'))


def test_errors_in_pyproject_point_at_its_lines(tmp_path):
    path = write(tmp_path, """
        [project]
        name = "x"

        [tool.costopt.budgets.total]
        month = { fail = 1 }
        week = { fail = "x" }
    """, name="pyproject.toml")
    with pytest.raises(ConfigError) as info:
        budgets_from_settings(load_settings(path))
    assert info.value.line == 6 and info.value.key == "budgets.total.week.fail"


def test_missing_and_invalid_files(tmp_path):
    with pytest.raises(InputError, match="budgets file not found"):
        load_budgets_file(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_budgets_file(write(tmp_path, "[budgets\nmonth = 1\n"))


def test_locator_inline_and_arrays():
    text = textwrap.dedent("""
        [a]
        x = { warn = 1, fail = 2 }
        y = { warn = 3 }

        [[b]]
        fail = 1

        [[b]]
        warn = 2
        fail = 3
    """).lstrip()
    assert line_of(text, ("a", "y", "warn")) == 3
    assert line_of(text, ("a", "x", "fail")) == 2
    assert line_of(text, ("b", 1, "fail")) == 10
    assert line_of(text, ("b", 0, "fail")) == 6
    assert line_of(text, ("b", 1)) == 8
    assert line_of(text, ("c",)) is None
