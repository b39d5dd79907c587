"""HTML reporter: one self-contained page (Jinja2 templates, plotly charts, no external fetch).

``render(audit, plotlyjs="inline")`` returns the page. Charts are built with plotly's Python
API (:mod:`costopt.reports.charts`) and handed, with the recommendation rows, to the page's
script through one ``<script type="application/json">`` block written by
:func:`costopt.reports.fmt.safe_json`. plotly.js is embedded once (``inline``, the default,
so the file opens offline) or loaded from the plotly CDN (``cdn``). Everything from a cloud
is escaped by Jinja2's autoescape in markup and placed with ``textContent`` by the script.

Large audits: when the JSON payload exceeds ``compress_over`` bytes it is stored gzipped and
base64-encoded and the page inflates it with the browser's DecompressionStream, which keeps a
10,000-recommendation report a few megabytes.
"""

from __future__ import annotations

import base64
import gzip
from collections import Counter, defaultdict
from functools import lru_cache
from importlib import resources
from typing import Any

import jinja2
import markupsafe
from markupsafe import Markup

from costopt.model import Audit
from costopt.reports import charts, html_data, mlplatform_view, view
from costopt.reports.fmt import money, pct, safe_json, short_text
from costopt.reports.tradeoff_view import impact_text, tradeoff_summary
from costopt.sanitize import CONTROL, visible

PLOTLY_CDN = "https://cdn.plot.ly/plotly-{version}.min.js"
COMPRESS_OVER = 1_000_000
SKIP_EXAMPLES = 5
REJECTED_ROWS = 500  # the largest; every rejected candidate is in audit.json
PLOTLYJS_MODES = ("inline", "cdn")


def _shown(value: Any) -> Any:
    """Every ``{{ value }}``: text from data with control and bidi characters shown escaped
    (autoescape covers markup, not an ESC or a bidi override); markup we built passes as is."""
    if isinstance(value, str) and not isinstance(value, markupsafe.Markup):
        return CONTROL.sub(visible, value)
    return value


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("costopt.reports", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        finalize=_shown,
    )
    env.filters["money"] = money
    env.filters["pct"] = pct
    env.filters["short"] = short_text
    return env


@lru_cache(maxsize=4)
def _static(name: str) -> str:
    return resources.files("costopt.reports").joinpath("templates", name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _plotly_inline() -> str:
    from plotly.offline import get_plotlyjs  # heavy (the 3 MB plotly.js bundle): only an inline HTML report needs it

    script: str = get_plotlyjs()
    return script.replace("</script", "<\\/script")


def _plotly_version() -> str:
    from plotly.offline.offline import get_plotlyjs_version  # heavy: plotly

    version: str = get_plotlyjs_version()
    return version


def _chart_sections(audit: Audit) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """(sections for the template, figures by element id for the script)."""
    figures: dict[str, Any] = {}
    sections: list[dict[str, Any]] = []

    def add(section: str, chart_id: str, fig: Any, caption: str) -> None:
        if fig is None:
            return
        figures[chart_id] = fig.to_plotly_json()
        sections.append({"section": section, "id": chart_id, "caption": caption})

    weekly = view.weekly_spend(audit)
    change = (f" Last 7 days {money(weekly.last_week, audit.currency)}, {pct(weekly.last_week_change, signed=True)} "
              "on the 7 days before." if weekly.last_week_change is not None else "")
    partial = " The first period is partial (billing starts mid-period)." if weekly.complete and not weekly.complete[0] else ""
    add("spend", "chart-spend-provider", charts.weekly_spend(audit, "provider", "Weekly spend by provider"),
        "Spend per 7-day period of complete days (labelled by its first day; the last ends on the last complete "
        "billed day), stacked by provider."
        + change + partial)
    add("spend", "chart-spend-category", charts.weekly_spend(audit, "category", "Weekly spend by service category"),
        "Spend per 7-day period, stacked by FOCUS service category.")
    add("budget", "chart-budgets", charts.budgets(audit), "Actual and forecast spend against each budget limit.")
    add("savings", "chart-savings-family", charts.savings_by(audit, "family", "Savings per month by rule family",
                                                             charts.PALETTE[1]),
        "Monthly savings of the selected recommendations, by rule family.")
    add("savings", "chart-savings-provider", charts.savings_by(audit, "provider", "Savings per month by provider",
                                                               charts.PALETTE[0]),
        "Monthly savings of the selected recommendations, by provider.")
    add("savings", "chart-top-resources", charts.top_resources(audit),
        "The resources whose selected recommendations save the most per month.")
    for i, (model, fig) in enumerate(charts.frontier(audit)):
        add("frontier", f"chart-frontier-{i}", fig,
            f"Candidate configurations for {short_text(model, 60)}: predicted p95 latency against monthly savings; "
            "the dashed line is the latency SLO.")
    add("trend", "chart-trend", charts.trend(audit), "Weekly spend, potential and realised savings across saved audits.")
    return sections, figures


def _skipped_summary(audit: Audit) -> list[dict[str, Any]]:
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for s in audit.skipped:
        groups[(s.rule_id, s.reason)].append(s.resource_id)
    out = [{"rule_id": rule, "reason": reason, "count": len(ids), "examples": ids[:SKIP_EXAMPLES],
            "more": max(len(ids) - SKIP_EXAMPLES, 0)} for (rule, reason), ids in groups.items()]
    out.sort(key=lambda g: (-len(groups[(str(g["rule_id"]), str(g["reason"]))]), str(g["rule_id"]), str(g["reason"])))
    return out


def _payload(audit: Audit, figures: dict[str, Any], compress_over: int) -> str:
    data = safe_json({"currency": audit.currency, "charts": figures, "cols": list(html_data.COLUMNS),
                      "rows": html_data.rows(audit)})
    if len(data) <= compress_over:
        return '{"encoding":"json","payload":' + data + "}"
    packed = base64.b64encode(gzip.compress(data.encode("utf-8"), compresslevel=6, mtime=0)).decode("ascii")
    return '{"encoding":"gzip-base64","payload":"' + packed + '"}'


def context(audit: Audit, plotlyjs: str = "inline", compress_over: int = COMPRESS_OVER) -> dict[str, Any]:
    sections, figures = _chart_sections(audit)
    coverage_counts = Counter(c.status for c in audit.coverage)
    return {
        "audit": audit,
        "currency": audit.currency,
        "headline": view.headline(audit),
        "charts": sections,
        "chart_sections": {s["section"] for s in sections},
        "filters": html_data.filter_options(audit),
        "rejected": view.by_savings(audit.rejected)[:REJECTED_ROWS],
        "rejected_total": len(audit.rejected),
        "top_wins": view.by_savings(audit.recommendations)[:5],
        "skipped": _skipped_summary(audit),
        "budgets": view.budget_rows(audit),
        "history": view.history_section(audit),
        "ml_platform": mlplatform_view.by_team(audit),
        "ml_what": mlplatform_view.what,
        "coverage_counts": dict(coverage_counts),
        "stale_prices": view.stale_prices(audit),
        "tradeoff": tradeoff_summary(audit),
        "impact_text": impact_text,
        "team_keys": view.team_tag_keys(audit),
        "risk_label": view.risk_label,
        "budget_amount": view.budget_amount,
        "lookback_days": audit.settings.lookback_days,
        "payload": Markup(_payload(audit, figures, compress_over)),
        "css": Markup(_static("report.css")),
        "script": Markup(_static("report.js").replace("</script", "<\\/script")),
        "plotlyjs_mode": plotlyjs,
        "plotly_inline": Markup(_plotly_inline()) if plotlyjs == "inline" else None,
        "plotly_cdn": PLOTLY_CDN.format(version=_plotly_version()),
    }


def render(audit: Audit, plotlyjs: str = "inline", compress_over: int = COMPRESS_OVER, **_: Any) -> str:
    """The HTML report as a string (``plotlyjs``: "inline" embeds plotly.js, "cdn" links it)."""
    if plotlyjs not in PLOTLYJS_MODES:
        raise ValueError(f"plotlyjs must be one of {PLOTLYJS_MODES}, not {plotlyjs!r}")
    return _environment().get_template("report.html.j2").render(**context(audit, plotlyjs, compress_over))
