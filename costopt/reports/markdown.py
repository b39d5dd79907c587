"""Markdown reporter: fits a pull-request comment or ``$GITHUB_STEP_SUMMARY``.

Headline, budget verdicts, the comparison with the last audit, the top 10 recommendations,
then collapsible ``<details>`` sections (the rest of the recommendations, rejected
candidates, coverage). Untrusted text goes through :func:`md_escape` / :func:`md_code`.
The output is kept under ``max_chars`` (GitHub comments stop at 65,536 characters): long
sections are cut with a line saying how many rows were left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from costopt.model import Audit, Recommendation
from costopt.reports import mlplatform_view, view
from costopt.reports.fmt import money, pct, short_text
from costopt.reports.tradeoff_view import impact_text, tradeoff_summary
from costopt.sanitize.markdown_text import md_escape, md_fence

TOP = 10
MAX_CHARS = 60_000
DETAIL_ROWS = 200
BUDGET_ICONS = {"ok": "✅ ok", "warn": "⚠️ warn", "breach": "❌ breach", "unknown": "❔ unknown"}
SLO_ICONS = {"ok": "✅ ok", "breach": "❌ breach", "unknown": "–", "n/a": "–"}


def _rec_row(rank: int, r: Recommendation, currency: str, team_keys: Sequence[str]) -> str:
    name = r.resource_name or r.resource_id
    return (f"| {rank} | {md_escape(short_text(name, 48))} | {md_escape(short_text(r.action, 60))} | "
            f"{md_escape(r.provider)} | {md_escape(view.team_of(r, team_keys)) or '–'} | "
            f"{view.savings_text(r)} | {view.risk_label(r.performance_risk)} | "
            f"{SLO_ICONS.get(r.slo.status, md_escape(r.slo.status))} | {md_escape(impact_text(r)) or '–'} |")


REC_HEADER = ("| # | Resource | Action | Provider | Team | Savings/month | Risk | SLO | p95 / accuracy |\n"
              "|--:|---|---|---|---|--:|---|---|---|")


def _table(recs: Iterable[Recommendation], currency: str, team_keys: Sequence[str], start: int = 1) -> list[str]:
    return [REC_HEADER] + [_rec_row(i, r, currency, team_keys) for i, r in enumerate(recs, start)]


def _headline(audit: Audit) -> list[str]:
    h = view.headline(audit)
    c = audit.currency
    savings = (f"**Potential savings: {money(h.savings.monthly_savings, c)}/month** ({pct(h.savings_share)} of the monthly "
               f"run-rate; range {money(h.savings.savings_low, c)}–{money(h.savings.savings_high, c)}) from "
               f"{h.savings.priced:,} priced recommendations")
    if h.savings.investigate:
        savings += (f", plus up to {money(h.savings.investigate_upper, c)}/month to investigate in "
                    f"{h.savings.investigate:,} finding{'s' if h.savings.investigate != 1 else ''}")
    lines = [
        "## costopt savings report",
        "",
        f"Lookback {h.lookback_text}; billing data {h.billing_text}; amounts in {md_escape(c)}.",
        "",
        savings + ".",
        "",
    ]
    tradeoff = tradeoff_summary(audit)
    if tradeoff is not None:
        lines += [f"**Model targets:** {md_escape(tradeoff.text())}.", ""]
    for other in h.other_currencies:
        lines.append(f"- Priced in {md_escape(other.currency)} (not converted): {money(other.monthly_savings, other.currency)}"
                     f"/month from {other.priced:,} recommendations")
    lines.append(f"- Spend in billing data: {money(h.spend_in_window, c)} over {h.billing_days:,} days; monthly run-rate "
                 f"{money(h.monthly_run_rate, c)} (from {h.run_rate_days:,} complete days)")
    if h.last_week is not None:
        change = (f"{pct(h.last_week_change, signed=True)} on {h.previous_week_days}"
                  if h.last_week_change is not None else "no complete week before it")
        lines.append(f"- Last 7 days ({h.last_week_days}): {money(h.last_week, c)} ({change})")
    lines.append(f"- {h.rejected:,} alternatives rejected, {h.skipped:,} resources skipped")
    for w in h.coverage_warnings:
        lines.append(f"- ⚠️ Coverage: {md_escape(w)}")
    stale = view.stale_prices_text(audit)
    if stale:
        lines.append(f"- ⚠️ Prices: {md_escape(stale)}")
    return lines


def _budget_row(b: view.BudgetRow, currency: str) -> str:
    verdict = BUDGET_ICONS.get(b.status, md_escape(b.status))
    if b.detail:
        verdict += f" {md_escape(short_text(b.detail, 80))}"
    limit, actual, forecast = (view.budget_amount(v, b, currency) for v in (b.limit, b.actual, b.forecast))
    return f"| {md_escape(b.scope)} | {md_escape(b.period) or '–'} | {limit} | {actual} | {forecast} | {verdict} |"


def _budgets(audit: Audit) -> list[str]:
    rows = [_budget_row(b, audit.currency) for b in view.budget_rows(audit)]
    head = ["", "### Budgets", "", "| Scope | Period | Budget | Actual | Forecast | Verdict |", "|---|---|--:|--:|--:|---|"]
    return head + rows if rows else []


def _history(audit: Audit) -> list[str]:
    section = view.history_section(audit)
    if not section:
        return []
    c = audit.currency
    prev = section.previous
    out = ["", "### Since the last audit", ""]
    if prev is None:
        return out + ["First audit saved in the history; the next run will show what changed."]
    if prev.run_at:
        out.append(f"Compared with the audit of {md_escape(prev.run_at[:16])}.")
        out.append("")
    if section.spend_change is not None:
        out.append(f"- Weekly spend change: {money(section.spend_change, c)} "
                   f"({pct(section.spend_change_pct, signed=True)})")
    out.append(f"- New recommendations: {len(section.new)} (worth {money(section.new_savings, c)}/month)")
    out.append(f"- Resolved: {len(section.resolved)}, of which {len(section.applied)} verified applied")
    out.append(f"- Realised savings: {money(section.realised_savings, c)}/month")
    return out


def _ml_platform(audit: Audit) -> list[str]:
    """The ML platform findings by team: a heading and one short table per team."""
    groups = mlplatform_view.by_team(audit)
    if not groups:
        return []
    out = ["", "### ML platform", ""]
    for g in groups:
        out += [f"**{md_escape(g.team)}**: {money(g.monthly_savings, g.currency)}/month", "",
                "| Resource | What | Action | Savings/month |", "|---|---|---|--:|"]
        out += [f"| {md_escape(short_text(r.resource_name or r.resource_id, 48))} | {md_escape(mlplatform_view.what(r))} | "
                f"{md_escape(short_text(r.action, 60))} | {money(r.monthly_savings, r.currency)} |"
                for r in g.findings[:TOP]]
        if len(g.findings) > TOP:
            out.append(f"| … {len(g.findings) - TOP} more | | | |")
        out.append("")
    return out


def _details(title: str, body: list[str]) -> list[str]:
    return ["", "<details>", f"<summary>{title}</summary>", ""] + body + ["", "</details>"]


def render(audit: Audit, max_chars: int = MAX_CHARS, **_: Any) -> str:
    """The Markdown report, at most ``max_chars`` characters."""
    c = audit.currency
    team_keys = view.team_tag_keys(audit)
    recs = view.by_savings(audit.recommendations)
    head = _headline(audit) + _budgets(audit) + _history(audit)
    top = ["", f"### Top {min(TOP, len(recs))} recommendations", ""]
    top += _table(recs[:TOP], c, team_keys) if recs else ["No recommendations in this window."]
    top += _ml_platform(audit)
    tail = ["", "_Generated by costopt. Full evidence, charts and apply commands are in the HTML report._", ""]

    sections: list[tuple[str, list[str], int]] = []
    rest = recs[TOP:DETAIL_ROWS + TOP]
    if rest:
        sections.append((f"All other recommendations ({len(recs) - TOP:,})", _table(rest, c, team_keys, TOP + 1),
                         len(recs) - TOP))
    applies = [r for r in recs[:TOP] if r.apply]
    if applies:
        body = []
        for i, r in enumerate(applies, 1):
            body += [f"{i}. {md_escape(short_text(r.resource_name or r.resource_id, 48))} "
                     f"({money(r.monthly_savings, c)}/month): {md_escape(short_text(r.action, 80))}", ""]
            body += md_fence(r.apply, indent="   ") + [""]
        sections.append(("How to apply the top recommendations", body, len(applies)))
    rejected = view.by_savings(audit.rejected)
    if rejected:
        body = ["| Resource | Action | Would save/month | p95 / accuracy | Reason |", "|---|---|--:|---|---|"]
        body += [f"| {md_escape(short_text(r.resource_name or r.resource_id, 48))} | {md_escape(short_text(r.action, 60))} | "
                 f"{money(r.monthly_savings, r.currency)} | {md_escape(impact_text(r)) or '–'} | "
                 f"{md_escape(short_text(r.rejection_reason, 160))} |" for r in rejected[:DETAIL_ROWS]]
        sections.append((f"Rejected candidates ({len(rejected):,})", body, len(rejected)))
    if audit.coverage or audit.prices:
        body = [f"- {md_escape(e.provider)} {md_escape(e.scope)}: **{md_escape(e.status)}**"
                + (f" ({md_escape(short_text(e.detail, 160))})" if e.detail else "") for e in audit.coverage[:DETAIL_ROWS]]
        body += [f"- Prices: {md_escape(p.provider)} {md_escape(p.source)}, as of {md_escape(p.as_of)}" for p in audit.prices]
        sections.append(("Coverage and price sources", body, len(audit.coverage)))

    out = head + top
    budget = max_chars - len("\n".join(out + tail)) - 1
    for title, body, total in sections:
        block = _details(title, body)
        size = len("\n".join(block)) + 1
        while size > budget and len(body) > 2:
            cut = max(1, len(body) // 4)
            body = body[:-cut]
            block = _details(title, body + ["", f"_…cut to fit; {total:,} rows in all (see the HTML or CSV report)._"])
            size = len("\n".join(block)) + 1
        if size <= budget:
            out += block
            budget -= size
    return "\n".join(out + tail)
