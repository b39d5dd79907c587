"""A damaged or edited history index (index.json is a cache of the saved audits) never reaches a
table: `history list` and `history trend` rebuild it from the schema-checked audits, so text where
a figure belongs, non-finite figures and control characters give the same output as a fresh index
(the oracle: the same commands with the index deleted), never a traceback."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from costopt import history
from costopt.cli import cli
from costopt.history_store import open_store
from tests.reports.sample_audit import make_audit

RAW = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
DAMAGE = [  # key, value put in the first row
    ("spend_in_window", "lots"), ("monthly_savings", [1]), ("weekly_spend", None), ("monthly_run_rate", True),
    ("realised_savings", "NaN"), ("recommendations", "x"), ("recommendations", -3), ("run_at", 5),
    ("run_at", "2026\x1b[2J\u202e"), ("currency", "U\x1bD"), ("currency", None), ("window_start", "someday"),
    ("file", "audit-\u202e.json"), (None, "not a row"), (None, None),
]


def _outputs(where: Path) -> dict[str, str]:
    out = {}
    for command in ("list", "trend"):
        for fmt in ("table", "csv", "json"):
            result = CliRunner().invoke(cli, ["history", command, "--history", str(where), "--format", fmt])
            assert result.exit_code == 0, (command, fmt, result.output, result.exception)
            out[f"{command}-{fmt}"] = result.stdout
    return out


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> tuple[Path, Path, dict[str, str]]:
    where = tmp_path_factory.mktemp("h")
    store = open_store(where, "x")
    history.record(make_audit(), store)
    index = next(where.rglob(history.INDEX))
    index.unlink()  # the oracle: the outputs of an index rebuilt from the audits
    return where, index, _outputs(where)


@pytest.mark.parametrize("key, value", DAMAGE, ids=[f"{k}={v!r}" for k, v in DAMAGE])
def test_a_damaged_index_row_is_rebuilt_from_the_audits(saved, key, value):
    where, index, expected = saved
    document = json.loads(index.read_text(encoding="utf-8"))
    if key is None:
        document["entries"][0] = value
    else:
        document["entries"][0][key] = value
    index.write_text(json.dumps(document), encoding="utf-8")
    outputs = _outputs(where)
    assert outputs == expected
    assert not any(RAW.search(text) for text in outputs.values())
