"""Config loading: top-level validation, durations, pyproject [tool.costopt], line numbers in errors."""

from datetime import timedelta

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from costopt.cli import cli
from costopt.config import load_settings, parse_duration
from costopt.errors import ConfigError


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_defaults_when_no_file(tmp_path):
    s = load_settings(search_from=tmp_path)
    assert s.lookback == timedelta(days=14) and s.slo_policy == "strict"


def test_costopt_toml_is_found_and_parsed(tmp_path):
    write(tmp_path, "costopt.toml", 'lookback = "21d"\nslo_policy = "advisory"\n[rules."idle.instance"]\nenabled = false\n')
    s = load_settings(search_from=tmp_path)
    assert s.lookback == timedelta(days=21)
    assert s.slo_policy == "advisory"
    assert s.rules == {"idle.instance": {"enabled": False}}


def test_pyproject_tool_section(tmp_path):
    write(tmp_path, "pyproject.toml", '[project]\nname = "x"\n\n[tool.costopt]\nlookback = "2w"\n')
    assert load_settings(search_from=tmp_path).lookback == timedelta(weeks=2)


def test_pyproject_without_section_gives_defaults(tmp_path):
    write(tmp_path, "pyproject.toml", '[project]\nname = "x"\n')
    assert load_settings(search_from=tmp_path).source.path == "<defaults>"


def test_unknown_key_names_file_line_and_key(tmp_path):
    p = write(tmp_path, "costopt.toml", 'lookback = "14d"\n\nlookbak = "7d"\n')
    with pytest.raises(ConfigError) as exc:
        load_settings(p)
    msg = str(exc.value)
    assert str(p) in msg and "line 3" in msg and "'lookbak'" in msg


def test_unknown_key_in_pyproject_points_at_its_line(tmp_path):
    p = write(tmp_path, "pyproject.toml", '[project]\nname = "x"\n[tool.costopt]\nlookback = "1d"\ncolour = "red"\n')
    with pytest.raises(ConfigError, match="line 5"):
        load_settings(p)


@pytest.mark.parametrize("text, key", [
    ('lookback = "forever"\n', "lookback"),
    ('slo_policy = "yolo"\n', "slo_policy"),
    ('currency = "usd"\n', "currency"),
    ('rules = 3\n', "rules"),
])
def test_bad_values_name_the_key(tmp_path, text, key):
    p = write(tmp_path, "costopt.toml", text)
    with pytest.raises(ConfigError, match=f"key '{key}'"):
        load_settings(p)


def test_invalid_toml_names_the_file(tmp_path):
    p = write(tmp_path, "costopt.toml", "lookback = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(p)


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml")


@given(st.integers(1, 10_000), st.sampled_from(["d", "h", "w", "m"]))
def test_parse_duration_round_trips(n, unit):
    expected = {"d": timedelta(days=n), "h": timedelta(hours=n), "w": timedelta(weeks=n), "m": timedelta(minutes=n)}[unit]
    assert parse_duration(f"{n}{unit}") == expected


@pytest.mark.parametrize("bad", ["", "0d", "-3d", "3x", "d", True, None])
def test_parse_duration_rejects(bad):
    with pytest.raises(ValueError):
        parse_duration(bad)


def test_a_broken_pyproject_found_in_the_folder_is_one_line_when_it_holds_costopt(tmp_path, monkeypatch):
    """Discovery (no --config): a pyproject.toml whose [tool.costopt] is broken TOML was ignored
    silently (the defaults ran instead of the user's settings); one that never mentions costopt
    is someone else's file and stays ignored."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.costopt\nlookback = "14d"\n')
    result = CliRunner().invoke(cli, ["history", "list", "--history", str(tmp_path / "h")])
    assert result.exit_code == 2, result.output
    assert result.stderr == (f"costopt: error: {tmp_path / 'pyproject.toml'}, line 3: not valid TOML: "
                             "Expected ']' at the end of a table declaration (column 14)\n")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x\n')
    assert CliRunner().invoke(cli, ["history", "list", "--history", str(tmp_path / "h")]).exit_code == 0
