"""The gate's Markdown summary and terminal table: golden file, escaping of untrusted text."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import date
from pathlib import Path

from costopt.audit_io import audit_from_dict, audit_to_dict
from costopt.gate import Budget, BudgetSet, SavingsBudget, evaluate_budgets
from costopt.gate.output import markdown, table
from costopt.sanitize.markdown_text import md_escape
from tests.gate.spend import day_range, make_audit, rows_for

GOLDEN = Path(__file__).with_name("golden") / "gate.md"
START, END = date(2026, 10, 19), date(2026, 11, 23)


def results():
    rows = rows_for(day_range(START, END), lambda d: 100.0 if d < date(2026, 11, 16) else 115.0)
    # An untrusted team value from a billing file's tags: Markdown and HTML in it must stay text.
    rows += [dict(r, team="<img src=x onerror=alert(1)> | **x** [l](http://e)", cost=1.0)
             for r in rows_for(day_range(START, END), lambda d: 1.0)[:1]]
    audit = make_audit(START, END, rows=rows)
    budgets = BudgetSet(budgets=(
        Budget("total", None, "month", warn=2500, fail=5000),
        Budget("total", None, "growth", warn=10, fail=25),
        Budget("provider", "AWS", "week", fail=500),
        Budget("tag", "vision", "month", fail=10000, basis="actual"),
        Budget("tag", "<img src=x onerror=alert(1)> | **x** [l](http://e)", "window", fail=0.5),
        Budget("service", "Amazon Bedrock", "week", fail=1),
    ), savings=SavingsBudget(fail=100))
    return audit, evaluate_budgets(audit, budgets)


def test_markdown_golden_file():
    audit, checks = results()
    text = markdown(checks, currency=audit.currency, as_of="2026-11-23")
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_markdown_from_verdicts_saved_in_the_audit_matches():
    audit, checks = results()
    stored = audit_from_dict(audit_to_dict(replace(audit, budgets=tuple(checks)))).budgets  # read back from audit.json
    assert markdown(stored, currency="USD", as_of="2026-11-23") == markdown(checks, currency="USD", as_of="2026-11-23")


def test_untrusted_text_is_escaped():
    _, checks = results()
    text = markdown(checks, currency="USD")
    assert "<img" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "\\| \\*\\*x\\*\\* \\[l\\](http://e)" in text
    for line in text.splitlines():
        if line.startswith("| "):
            assert line.count(" | ") == 6, line  # no cell broke out of the table
    assert md_escape("a`b_c~d") == "a\\`b\\_c\\~d"


def test_table_has_one_line_per_check():
    audit, checks = results()
    text = table(checks, currency="USD", as_of="2026-11-23")
    lines = text.splitlines()
    assert len(lines[3:3 + len(checks)]) == len(checks)
    assert [line.split()[-1] for line in lines[3:3 + len(checks)]] == ["WARN", "WARN", "FAIL", "PASS", "FAIL", "SKIP", "SKIP"]
    assert "\x1b" not in table([replace(checks[0], scope="x\x1b[2Jy")], currency="USD")


def test_empty_markdown():
    assert "No budget checks" in markdown([], currency="USD")
