"""CLI basics: version, help for every command, python -m, one-line errors with exit code 2."""

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from costopt import __version__
from costopt.audit_io import audit_to_json
from costopt.cli import cli
from costopt.errors import InputError
from tests.core.test_audit_io import sample_audit


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and __version__ in result.output


def test_python_dash_m_works():
    out = subprocess.run([sys.executable, "-m", "costopt", "--version"], capture_output=True, text=True, check=True)
    assert __version__ in out.stdout


@pytest.mark.parametrize("name", cli.list_commands(None))
def test_every_command_has_help_with_an_explanation(name):
    result = run(name, "--help")
    assert result.exit_code == 0
    assert len(result.output.splitlines()) > 3


def test_audit_with_nothing_to_read_is_one_line_exit_2():
    result = run("audit", "--out", "x")
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert "nothing to audit" in result.output and "Traceback" not in result.output


def test_bad_lookback_names_the_option(tmp_path):
    result = run("audit", "--demo", "--lookback", "soon", "--out", str(tmp_path / "o"))
    assert result.exit_code == 2 and "--lookback" in result.output
    assert not (tmp_path / "o").exists()


def test_report_round_trips_json(tmp_path):
    path = tmp_path / "audit.json"
    path.write_text(audit_to_json(sample_audit()), encoding="utf-8")
    result = run("report", str(path), "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.output) == json.loads(path.read_text())


def test_report_on_a_missing_file_is_exit_2(tmp_path):
    result = run("report", str(tmp_path / "none.json"))
    assert result.exit_code == 2 and "audit file not found" in result.output


def test_debug_shows_the_traceback(tmp_path):
    plain = run("report", str(tmp_path / "none.json"))
    assert plain.exit_code == 2 and isinstance(plain.exception, SystemExit)  # one line, no traceback
    result = run("--debug", "report", str(tmp_path / "none.json"))
    # with --debug the error itself propagates (click's runner catches it: a traceback in a terminal)
    assert isinstance(result.exception, InputError) and "audit file not found" in str(result.exception)
