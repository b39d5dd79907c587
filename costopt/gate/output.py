"""The gate's outputs: a terminal table, a Markdown summary and a JSON document.

All take CheckResults (what ``Audit.budgets`` holds) and return strings; the
command decides where they go. Text from billing data or config (scope values) is untrusted:
control characters are dropped in the table, and Markdown special characters are escaped.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from costopt.gate.checks import CheckResult, exit_code, overall, to_dict
from costopt.reports.fmt import figure
from costopt.sanitize.markdown_text import md_escape
from costopt.terminal import safe

STATUS_TEXT = {"pass": "PASS", "warn": "WARN", "fail": "FAIL", "skipped": "SKIP"}
STATUS_MD = {"pass": "✅ pass", "warn": "⚠️ warn", "fail": "❌ fail", "skipped": "⏭️ skipped"}
PERIOD_TEXT = {"month": "month", "week": "week", "window": "window", "growth": "growth w/w",
               "unrealised_savings": "open savings"}


def clean(text: Any) -> str:
    """Data in the terminal table: control and bidi characters shown escaped (costopt.terminal.safe)."""
    return safe(text)


def amount(value: float | None, unit: str) -> str:
    """A check's figure: growth in signed percent, money through the reports' formatter (to the cent)."""
    return "—" if value is None else figure(value, unit)


def counts(results: Sequence[CheckResult]) -> dict[str, int]:
    out = {"pass": 0, "warn": 0, "fail": 0, "skipped": 0}
    for r in results:
        out[r.status] = out.get(r.status, 0) + 1
    return out


def summary_line(results: Sequence[CheckResult], warn_only: bool = False) -> str:
    c = counts(results)
    code = exit_code(results, warn_only)
    verdict = STATUS_TEXT[overall(results)]
    text = (f"gate: {verdict}: {c['fail']} fail, {c['warn']} warn, {c['pass']} pass, "
            f"{c['skipped']} skipped (exit {code})")
    if warn_only and c["fail"]:
        text += " [--warn-only: failures reported, exit 0]"
    return text


def _rows(results: Sequence[CheckResult]) -> list[list[str]]:
    rows = []
    for r in results:
        rows.append([clean(r.scope), PERIOD_TEXT.get(r.period, r.period), amount(r.actual, r.unit),
                     amount(r.forecast, r.unit), amount(r.warn, r.unit), amount(r.fail, r.unit),
                     STATUS_TEXT.get(r.status, r.status)])
    return rows


def table(checks: Iterable[CheckResult], *, currency: str, as_of: str | None = None,
          warn_only: bool = False) -> str:
    """One line per check (scope, period, actual, forecast, warn, fail, status), then reasons."""
    results = list(checks)
    header = ["scope", "period", "actual", "forecast", "warn", "fail", "status"]
    rows = _rows(results)
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(header)]
    right = {2, 3, 4, 5}

    def fmt(row: list[str]) -> str:
        cells = [c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(row)]
        return "  ".join(cells).rstrip()

    title = f"costopt budget gate ({currency}; growth in %"
    title += f"; as of {as_of}, complete days before it)" if as_of else ")"
    lines = [title, fmt(header), fmt(["-" * w for w in widths])]
    lines += [fmt(row) for row in rows]
    notes = [r for r in results if r.status != "pass"]
    if notes:
        lines.append("")
        lines += [f"{STATUS_TEXT[r.status]} {clean(r.scope)} {PERIOD_TEXT.get(r.period, r.period)}: {clean(r.message)}"
                  for r in notes]
    lines.append(summary_line(results, warn_only))
    return "\n".join(lines) + "\n"


def markdown(checks: Iterable[CheckResult], *, currency: str, as_of: str | None = None,
             warn_only: bool = False, heading: str = "## costopt budget gate") -> str:
    """A Markdown summary that fits a PR comment or ``$GITHUB_STEP_SUMMARY``."""
    results = list(checks)
    c = counts(results)
    verdict = overall(results)
    lines = [heading, ""]
    status_line = f"**{STATUS_MD[verdict]}**: {c['fail']} fail, {c['warn']} warn, {c['pass']} pass, {c['skipped']} skipped"
    if as_of:
        status_line += f"; as of {md_escape(as_of)} (complete days before it)"
    if warn_only and c["fail"]:
        status_line += " (warn-only: the pipeline does not fail)"
    lines += [status_line, ""]
    if not results:
        lines += ["No budget checks were configured.", ""]
        return "\n".join(lines)
    lines += ["| scope | period | actual | forecast | warn | fail | status |",
              "|---|---|--:|--:|--:|--:|---|"]
    for r in results:
        lines.append("| " + " | ".join([
            md_escape(r.scope), md_escape(PERIOD_TEXT.get(r.period, r.period)), amount(r.actual, r.unit),
            amount(r.forecast, r.unit), amount(r.warn, r.unit), amount(r.fail, r.unit),
            STATUS_MD.get(r.status, md_escape(r.status))]) + " |")
    lines += ["", f"Amounts in {md_escape(currency)}; growth week over week in percent.", ""]
    notes = [r for r in results if r.status != "pass"]
    if notes:
        lines += ["<details><summary>Why</summary>", ""]
        lines += [f"- **{STATUS_MD[r.status]}** {md_escape(r.scope)} {md_escape(PERIOD_TEXT.get(r.period, r.period))}: "
                  f"{md_escape(r.message)}" for r in notes]
        lines += ["", "</details>", ""]
    return "\n".join(lines)


def json_document(checks: Iterable[CheckResult], *, currency: str, as_of: str | None,
                  warn_only: bool = False) -> str:
    results = list(checks)
    doc = {
        "status": overall(results),
        "exit_code": exit_code(results, warn_only),
        "warn_only": warn_only,
        "as_of": as_of,
        "currency": currency,
        "counts": counts(results),
        "checks": [to_dict(r) for r in results],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
