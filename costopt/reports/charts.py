"""Plotly figure builders for the HTML report (Python API; serialised to JSON by html.py).

Each builder returns a ``plotly.graph_objects.Figure`` or None when there is nothing to
draw. Labels that come from clouds go through :func:`plot_text`: plotly.js interprets a
few HTML-like tags (``<a href>``, ``<b>``...) in text, so ``<``, ``>`` and ``&`` are turned
into entities that plotly shows literally.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import plotly.graph_objects as go

from costopt.model import Audit
from costopt.reports import view
from costopt.reports.fmt import CURRENCY_SYMBOLS, short_text
from costopt.reports.tradeoff_view import frontier_breach
from costopt.totals import audit_savings

PALETTE = ("#2563eb", "#16a34a", "#ea580c", "#9333ea", "#0891b2", "#dc2626", "#ca8a04", "#4b5563",
           "#db2777", "#65a30d")
TOP_RESOURCES = 15
MAX_SERIES = 8


def plot_text(text: Any, limit: int = 60) -> str:
    s = short_text(text, limit)
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _layout(title: str, currency: str, *, height: int = 340, money_axis: str = "y", **extra: Any) -> dict[str, Any]:
    symbol = CURRENCY_SYMBOLS.get(currency, "")
    layout: dict[str, Any] = {
        "title": {"text": title, "x": 0.01, "xanchor": "left", "y": 0.97, "yanchor": "top", "font": {"size": 15}},
        "template": None,
        "height": height,
        "margin": {"l": 64, "r": 16, "t": 48, "b": 40},
        "font": {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 12, "color": "#1f2937"},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "colorway": list(PALETTE),
        # below the plot, where a legend of several rows grows into the bottom margin, never into
        # the title; report.js moves it just under what the x axis draws once the chart is drawn
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.2, "xanchor": "left", "x": 0},
        "hoverlabel": {"namelength": -1},
        "xaxis": {"gridcolor": "#e5e7eb", "zerolinecolor": "#d1d5db", "automargin": True},
        "yaxis": {"gridcolor": "#e5e7eb", "zerolinecolor": "#d1d5db", "automargin": True},
    }
    layout[f"{money_axis}axis"].update({"tickprefix": symbol, "ticksuffix": "" if symbol else f" {currency}",
                                        "separatethousands": True, "rangemode": "tozero"})
    layout.update(extra)
    return layout


def _fig(data: Sequence[Any], layout: Mapping[str, Any]) -> go.Figure:
    fig = go.Figure(data=list(data), skip_invalid=False)
    fig.update_layout(**layout)
    return fig


def _week_label(iso_day: str) -> str:
    """``2026-10-19`` -> ``19 Oct`` (short labels stay horizontal on a phone)."""
    d = date.fromisoformat(iso_day)
    return f"{d.day} {d:%b}" if d.month != 1 or d.day > 7 else f"{d.day} {d:%b %Y}"


def weekly_spend(audit: Audit, by: str, title: str) -> go.Figure | None:
    weekly = view.weekly_spend(audit, by)
    if not weekly.weeks:
        return None
    groups = list(weekly.series)
    if len(groups) > MAX_SERIES:  # keep the legend readable: the rest is "other"
        keep, rest = groups[: MAX_SERIES - 1], groups[MAX_SERIES - 1:]
        merged = {g: weekly.series[g] for g in keep}
        merged["other"] = tuple(sum(weekly.series[g][i] for g in rest) for i in range(len(weekly.weeks)))
    else:
        merged = dict(weekly.series)
    labels = [_week_label(w) for w in weekly.weeks]
    bars = [go.Bar(name=plot_text(g), x=labels, y=list(v), hovertemplate="%{x}<br>%{y:,.0f}<extra>%{fullData.name}</extra>")
            for g, v in merged.items()]
    if weekly.last_week_change is not None:
        title = f"{title} (last week {weekly.last_week_change * 100:+.1f}%)"
    return _fig(bars, _layout(title, audit.currency, barmode="stack",
                              xaxis={"type": "category"}))


def _hbar(items: Iterable[tuple[str, float]], title: str, currency: str, color: str) -> go.Figure | None:
    pairs = [(k, v) for k, v in items if v]
    if not pairs:
        return None
    pairs.sort(key=lambda kv: kv[1])
    height = max(220, 60 + 26 * len(pairs))
    bar = go.Bar(x=[v for _, v in pairs], y=[plot_text(k, 48) for k, _ in pairs], orientation="h",
                 marker={"color": color}, hovertemplate="%{y}: %{x:,.0f}/month<extra></extra>")
    layout = _layout(title, currency, height=height, money_axis="x", showlegend=False,
                     margin={"l": 64, "r": 16, "t": 48, "b": 40})
    layout["yaxis"].update({"type": "category", "automargin": True})
    return _fig([bar], layout)


def savings_by(audit: Audit, key: str, title: str, color: str) -> go.Figure | None:
    """Savings by family or provider in the billing currency (costopt.totals; never mixed with another)."""
    [main, *_] = audit_savings(audit)
    sums = main.by_family if key == "family" else main.by_provider
    return _hbar(sums.items(), title, audit.currency, color)


def top_resources(audit: Audit, limit: int = TOP_RESOURCES) -> go.Figure | None:
    sums: dict[str, float] = {}
    names: dict[str, str] = {}
    for rec in audit.recommendations:
        if rec.currency != audit.currency:
            continue  # a bar of another currency would be read on this chart's axis
        sums[rec.resource_id] = sums.get(rec.resource_id, 0.0) + rec.monthly_savings
        names.setdefault(rec.resource_id, rec.resource_name or rec.resource_id)
    top = sorted(sums.items(), key=lambda kv: -kv[1])[:limit]
    labels: dict[str, int] = {}
    items = []
    for rid, value in top:
        label = short_text(names[rid], 40)
        labels[label] = labels.get(label, 0) + 1
        items.append((label if labels[label] == 1 else f"{label} ({labels[label]})", value))
    return _hbar(items, f"Top {len(items)} resources by savings per month", audit.currency, PALETTE[2])


def frontier(audit: Audit) -> list[tuple[str, go.Figure]]:
    """Savings against predicted p95 latency per served model, with the SLO target line.

    Reads ``audit.extras.frontier`` as costopt.tradeoff.frontier computes it: workload ->
    :class:`~costopt.audit_extras.Frontier` (target, points with label, latency, savings,
    feasible, selected).
    """
    out = []
    recs = {r.id: r for r in (*audit.recommendations, *audit.rejected)}
    for model, entry in audit.extras.frontier.items():
        pts = [(p, float(p.latency_ms), float(p.savings)) for p in entry.points if p.latency_ms is not None]
        if not pts:
            continue
        slo = entry.target_ms
        why = [frontier_breach(p, slo, recs) for p, _, _ in pts]
        traces = []
        for kind, name, color, symbol in (("", "meets every target", PALETTE[1], "circle"),
                                          ("latency", "breaks the p95 target", PALETTE[5], "x"),
                                          ("accuracy", "breaks the accuracy floor", PALETTE[3], "diamond"),
                                          ("unverified", "cannot be verified", "#6b7280", "circle-open")):
            sel = [(p, x, y) for (p, x, y), w in zip(pts, why) if w == kind]
            if sel:
                traces.append(go.Scatter(
                    x=[x for _, x, _ in sel], y=[y for _, _, y in sel], mode="markers", name=name,
                    text=[plot_text(p.label, 50) for p, _, _ in sel],
                    marker={"color": color, "symbol": symbol, "size": [14 if p.selected else 9 for p, _, _ in sel],
                            "line": {"width": 1, "color": "#111827"}},
                    hovertemplate="%{text}<br>p95 %{x:,.0f} ms<br>saves %{y:,.0f}/month<extra></extra>"))
        frontier_pts = sorted([(x, y) for (_, x, y), w in zip(pts, why) if not w])
        if len(frontier_pts) > 1:
            traces.insert(0, go.Scatter(x=[x for x, _ in frontier_pts], y=[y for _, y in frontier_pts], mode="lines",
                                        name="feasible set", line={"color": "#9ca3af", "dash": "dot"}, hoverinfo="skip"))
        layout = _layout(f"{plot_text(model, 40)}: savings vs p95 latency", audit.currency,
                         xaxis={"title": {"text": "predicted p95 latency (ms)"}, "gridcolor": "#e5e7eb", "rangemode": "tozero"})
        layout["yaxis"]["title"] = {"text": f"savings per month ({audit.currency})"}
        if slo is not None:
            layout["shapes"] = [{"type": "line", "x0": slo, "x1": slo, "yref": "paper", "y0": 0, "y1": 1,
                                 "line": {"color": PALETTE[5], "dash": "dash", "width": 2}}]
            layout["annotations"] = [{"x": slo, "yref": "paper", "y": 1, "text": f"SLO p95 {slo:,.0f} ms",
                                      "showarrow": False, "xanchor": "left", "yanchor": "bottom",
                                      "font": {"color": PALETTE[5]}}]
        out.append((model, _fig(traces, layout)))
    return out


def budgets(audit: Audit) -> go.Figure | None:
    rows = [b for b in view.budget_rows(audit) if b.limit is not None and b.is_money]
    if not rows:
        return None
    labels = [plot_text(f"{b.scope} {b.period}".strip(), 40) for b in rows]
    traces = [
        go.Bar(name="actual", x=labels, y=[b.actual or 0.0 for b in rows], marker={"color": PALETTE[0]}),
        go.Bar(name="forecast", x=labels, y=[b.forecast if b.forecast is not None else None for b in rows],
               marker={"color": "#93c5fd"}),
        go.Scatter(name="budget", x=labels, y=[b.limit for b in rows], mode="markers",
                   marker={"symbol": "line-ew-open", "size": 36, "line": {"width": 3, "color": PALETTE[5]}}),
    ]
    return _fig(traces, _layout("Spend vs budget", audit.currency, barmode="group",
                                xaxis={"type": "category"}))


def trend(audit: Audit) -> go.Figure | None:
    section = view.history_section(audit)
    points = section.trend if section is not None else ()
    if len(points) < 2:
        return None
    x = [p.run_at for p in points]  # full times: two runs on one day are two points
    series = (("weekly spend", [float(p.weekly_spend) for p in points], PALETTE[0]),
              ("potential savings / month", [float(p.monthly_savings) for p in points], PALETTE[1]),
              ("realised savings / month", [float(p.realised_savings) for p in points], PALETTE[2]))
    traces = [go.Scatter(name=name, x=x, y=ys, mode="lines+markers", line={"color": color})
              for name, ys, color in series]
    return _fig(traces, _layout("Trend across saved audits", audit.currency,
                                xaxis={"type": "date", "title": {"text": "audit run (UTC)"}}))
