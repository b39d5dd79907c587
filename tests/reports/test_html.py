"""HTML reporter without a browser: escaping, the JSON data block, plotly modes, sections."""

from __future__ import annotations

import base64
import gzip
import json
import re
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner

from costopt.audit_io import audit_to_json
from costopt.cli import cli
from costopt.reports import html, render
from costopt.reports.fmt import safe_json
from tests.reports.sample_audit import HOSTILE_NAME, HOSTILE_TAG, make_audit, rec


def _data_block(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="costopt-data">(.*?)</script>', page, re.S)
    assert m, "data block missing"
    envelope = json.loads(m.group(1))
    if envelope["encoding"] == "gzip-base64":
        return json.loads(gzip.decompress(base64.b64decode(envelope["payload"])))
    return envelope["payload"]


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts: list[dict] = []
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "script":
            self.scripts.append(dict(attrs))

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture(scope="module")
def page():
    return html.render(make_audit())


def test_safe_json_cannot_break_out_of_a_script_element():
    text = safe_json({"a": "</script><script>alert(1)</script>", "b": "<!--", "c": "x\u2028y\u2029&"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert "\u2028" not in text and "\u2029" not in text
    assert json.loads(text) == {"a": "</script><script>alert(1)</script>", "b": "<!--", "c": "x\u2028y\u2029&"}
    assert safe_json({"x": float("nan")}) == '{"x":null}'


def test_hostile_strings_never_appear_as_markup(page):
    assert HOSTILE_NAME not in page and HOSTILE_TAG not in page
    parser = _Collector()
    parser.feed(page)
    assert "img" not in parser.tags
    # exactly our three scripts: the JSON data, plotly.js (inert text, started by the report
    # script once the table works) and the report script
    assert [s.get("type") for s in parser.scripts] == ["application/json", "text/plain", None]
    # the escaped forms are visible as text (skipped section, rejected table, history)
    assert any(HOSTILE_TAG in t for t in parser.text)
    assert any(HOSTILE_NAME in t for t in parser.text)


def test_data_block_round_trips_hostile_text(page):
    data = _data_block(page)
    cols = data["cols"]
    rows = [dict(zip(cols, r)) for r in data["rows"]]
    hostile = next(r for r in rows if r["resource_id"] == "vol-0abc")
    assert hostile["name"] == HOSTILE_NAME and hostile["team"] == HOSTILE_TAG
    assert [r["savings"] for r in rows] == sorted((r["savings"] for r in rows), reverse=True)


def test_impacts_are_summarised_against_targets(page):
    rows = {r[0]: dict(zip(_data_block(page)["cols"], r)) for r in _data_block(page)["rows"]}
    fraud = next(r for r in rows.values() if r["resource_id"] == "endpoint/fraud-detector")
    impacts = dict(fraud["impacts"])
    assert impacts["p95 latency"] == "58 ms → 61 ms (target 80 ms: within)"
    assert impacts["Accuracy"] == "0.962 → 0.961 (floor 0.955: within)"


def test_plotly_inline_once_and_cdn_mode(page):
    marker = "plotly.js v"
    assert page.count(marker) >= 1
    assert page.count('<script src="https://cdn.plot.ly') == 0
    inline_len = len(page)
    cdn = html.render(make_audit(), plotlyjs="cdn")
    assert '<script src="https://cdn.plot.ly/plotly-' in cdn
    assert len(cdn) < inline_len - 3_000_000
    with pytest.raises(ValueError):
        html.render(make_audit(), plotlyjs="nope")


def test_charts_and_sections_present(page):
    data = _data_block(page)
    assert set(data["charts"]) >= {"chart-spend-provider", "chart-spend-category", "chart-savings-family",
                                   "chart-savings-provider", "chart-top-resources", "chart-frontier-0",
                                   "chart-budgets", "chart-trend"}
    for chart_id in data["charts"]:
        assert f'id="{chart_id}"' in page
    for section in ("summary", "spend", "budgets", "savings", "frontier", "history", "recommendations", "rejected",
                    "skipped", "methodology"):
        assert f'<section id="{section}"' in page
    assert "AccessDenied on ListEndpoints" in page  # coverage warning
    assert "AWS Price List API (bulk JSON)" in page
    assert '<th scope="col"' in page and "<caption>" in page
    for f in ("family", "provider", "account", "team", "risk", "slo"):
        assert f'<label for="f-{f}">' in page


def test_headline_numbers(page):
    audit = make_audit()
    assert "$25,548" in page  # selected savings per month
    assert f"{audit.totals.monthly_savings / audit.totals.monthly_run_rate * 100:.1f}%" in page


def test_optional_sections_absent_without_data():
    audit = make_audit(recs=(), with_extras=False, daily=[])
    page = render(audit, "html")
    data = _data_block(page)
    assert data["rows"] == [] and data["charts"] == {}
    assert '<section id="frontier"' not in page and '<section id="budgets"' not in page
    assert '<section id="history"' not in page
    assert "No savings found in this window." in page


def test_large_payload_is_compressed_and_decodes():
    recs = [rec("idle.unattached_volume", f"vol-{i:05d}", "delete unattached volume", 10.0 + i, name=f"volume {i}")
            for i in range(300)]
    page = html.render(make_audit(recs=recs), compress_over=10_000)
    assert '"encoding":"gzip-base64"' in page
    data = _data_block(page)
    assert len(data["rows"]) == 300 and data["rows"][0][data["cols"].index("savings")] == 309.0


def test_report_command_renders_a_saved_audit(tmp_path):
    saved = tmp_path / "audit.json"
    saved.write_text(audit_to_json(make_audit()), encoding="utf-8")
    out = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["report", str(saved), "--format", "html", "--plotlyjs", "cdn", "-o", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert '<script src="https://cdn.plot.ly/plotly-' in page and HOSTILE_TAG not in page
    assert set(_data_block(page)["charts"]) == set(_data_block(html.render(make_audit()))["charts"])
    for fmt in ("md", "csv"):
        result = CliRunner().invoke(cli, ["report", str(saved), "--format", fmt])
        assert result.exit_code == 0 and result.output.strip(), fmt


@pytest.mark.parametrize("name,looks_like", [("r.html", "<!doctype html"), ("r.md", "## costopt savings report"),
                                             ("r.json", "{"), ("r.csv", "id,"), ("r.xml", "<?xml"),
                                             ("r.txt", "## costopt savings report")])
def test_report_without_format_writes_what_the_file_name_says(tmp_path, name, looks_like):
    """`report audit.json -o report.html` once wrote Markdown into report.html (the default was md)."""
    saved = tmp_path / "audit.json"
    saved.write_text(audit_to_json(make_audit()), encoding="utf-8")
    out = tmp_path / name
    result = CliRunner().invoke(cli, ["report", str(saved), "--plotlyjs", "cdn", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").lstrip().lower().startswith(looks_like.lower()), out.read_text()[:80]
