"""Markdown and CSV reporters: golden files, escaping of hostile text, size limits."""

from __future__ import annotations

import csv
import io
import re

from costopt.reports import csv_report, markdown, render
from costopt.sanitize.csv_cells import safe_cell
from costopt.sanitize.markdown_text import md_code, md_escape, md_fence
from tests.reports.sample_audit import FORMULA, HOSTILE_NAME, HOSTILE_TAG, make_audit, rec


def test_markdown_matches_golden(golden):
    golden("report.md", render(make_audit(), "md"))


def test_csv_matches_golden(golden):
    golden("recommendations.csv", render(make_audit(), "csv"))


def test_markdown_escapes_hostile_text():
    text = markdown.render(make_audit())
    assert HOSTILE_TAG not in text and HOSTILE_NAME not in text
    assert "<script" not in text and "<img" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text  # shown as text: entities, parentheses left alone
    # the only raw HTML is our own <details>/<summary>
    import re
    tags = set(re.findall(r"</?([a-zA-Z]+)", text))
    assert tags <= {"details", "summary"}


def test_md_escape_blocks_markdown_and_mentions():
    assert md_escape("a|b") == "a\\|b"
    assert md_escape("[x](javascript:alert(1))") == "\\[x\\](javascript:alert(1))"
    for text in ("ping @octocat", "@org/team", "mail a@b.io"):
        out = md_escape(text)
        assert re.search(r"@[A-Za-z0-9_-]", out) is None, out  # GitHub/GitLab mention syntax never survives
        assert "&\\#" not in out and "\\&" not in out  # entities are not escaped again (old: &\#64;)
    assert md_escape("@org/team") == "@&#8203;org/team"  # reads as @org/team, links nowhere
    assert md_escape("a\u202eb\x1b[31mc") == "a b \\[31mc"  # bidi override and ESC dropped
    assert md_escape("line1\nline2") == "line1 line2"
    assert md_escape("**bold** _i_ `c`") == "\\*\\*bold\\*\\* \\_i\\_ \\`c\\`"
    assert md_code("a`b|c") == "``a`b\\|c``"
    assert md_code("x", in_table=False) == "`x`"
    assert md_fence("a\n```\n<b>") == ["````", "a", "```", "<b>", "````"]


def test_markdown_top_ten_and_details_for_the_rest():
    recs = [rec("idle.unattached_volume", f"vol-{i:04d}", "delete unattached volume", 1000.0 - i, name=f"v{i}")
            for i in range(25)]
    text = markdown.render(make_audit(recs=recs))
    top = text.split("### Top 10 recommendations", 1)[1].split("<details>", 1)[0]
    assert top.count("\n| ") == 11  # header + 10 rows
    assert "<summary>All other recommendations (15)</summary>" in text
    assert "| 25 | v24 |" in text


def test_markdown_fits_a_pr_comment_with_many_recommendations():
    recs = [rec("rightsizing.cpu_overprovisioned", f"i-{i:06d}", "c5.4xlarge -> c5.2xlarge", 100.0 + i,
                name=f"instance-with-a-rather-long-name-{i}" * 2) for i in range(5000)]
    text = markdown.render(make_audit(recs=recs), max_chars=20_000)
    assert len(text) <= 20_000
    assert "cut to fit; 4,990 rows in all" in text
    assert text.count("<details>") == text.count("</details>")


def test_markdown_without_optional_sections():
    audit = make_audit(recs=(), with_extras=False, daily=[])
    text = markdown.render(audit)
    assert "No recommendations in this window." in text
    assert "### Budgets" not in text and "### Since the last audit" not in text


def test_csv_one_row_per_recommendation_and_formula_safe():
    audit = make_audit()
    rows = list(csv.DictReader(io.StringIO(csv_report.render(audit))))
    assert len(rows) == len(audit.recommendations)
    assert [r["id"] for r in rows] == [r.id for r in sorted(audit.recommendations, key=lambda r: (-r.monthly_savings, r.id))]
    by_id = {r["id"]: r for r in rows}
    nat = next(r for r in audit.recommendations if r.resource_id == "nat-pipeline")
    assert by_id[nat.id]["rationale"] == "'" + FORMULA
    vol = next(r for r in audit.recommendations if r.resource_id == "vol-0abc")
    assert by_id[vol.id]["team"] == HOSTILE_TAG  # text, not a formula: kept as is
    assert float(by_id[nat.id]["monthly_savings"]) == 1210.0
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


def test_csv_safe_cell_rules():
    cell = safe_cell
    for bad in ("=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert cell(bad) == "'" + bad
    assert cell(-3.456) == -3.46  # numbers are numbers, not text
    assert cell("plain") == "plain" and cell(None) == "" and cell(float("nan")) == ""
