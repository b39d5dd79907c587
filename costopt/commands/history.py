"""``costopt history list|show|trend``: the audits kept by ``costopt audit --history``."""

from __future__ import annotations

import csv
import io
import json
import sys

import click

from costopt import history
from costopt.commands.options import config_option, load_settings_with_overrides
from costopt.reports.fmt import money, pct

history_option = click.option("--history", "history_dir", type=click.Path(file_okay=False),
                              help="History folder (default: the config's `history`, else ~/.local/share/costopt/history).")
format_option = click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
                             show_default=True, help="Output format.")


def _directory(history_dir: str | None, config_path: str | None):
    if history_dir:
        return history.history_dir(history_dir)
    settings = load_settings_with_overrides(config_path)
    return history.history_dir(settings.history)


def _emit(rows: list[dict], columns: list[tuple[str, str, str]], fmt: str) -> None:
    """columns: (key, header, kind) with kind text|money|int|pct."""
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow([k for k, _, _ in columns])
        writer.writerows([[r.get(k) for k, _, _ in columns] for r in rows])
        sys.stdout.write(buf.getvalue())
        return

    def cell(r: dict, key: str, kind: str) -> str:
        v = r.get(key)
        if kind == "money":
            return money(v, r.get("currency") or "USD")
        if kind == "pct":
            return pct(v, signed=True)
        if kind == "int":
            return f"{v:,}" if isinstance(v, int) else str(v)
        if key == "run_at":
            return str(v or "")[:16].replace("T", " ")
        return str(v if v is not None else "")

    table = [[h for _, h, _ in columns]] + [[cell(r, k, kind) for k, _, kind in columns] for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(columns))]
    right = [kind != "text" for _, _, kind in columns]
    for row in table:
        click.echo("  ".join(c.rjust(w) if r else c.ljust(w) for c, w, r in zip(row, widths, right)).rstrip())


@click.group("history")
def command() -> None:
    """Saved audits: list them, show one, or print the trend.

    \b
    Examples:
      costopt history list
      costopt history show latest --format md
      costopt history trend --format csv > trend.csv
    """


@command.command("list")
@history_option
@config_option
@format_option
def list_command(history_dir, config_path, fmt) -> None:
    """List the saved audits, oldest first."""
    d = _directory(history_dir, config_path)
    rows = history.entries(d)
    if not rows and fmt == "table":
        click.echo(f"no saved audits in {d}", err=True)
        return
    for i, r in enumerate(rows, 1):
        r["n"] = i
    _emit(rows, [("n", "#", "int"), ("run_at", "run at (UTC)", "text"), ("spend_in_window", "spend in window", "money"),
                 ("weekly_spend", "last 7 days", "money"), ("monthly_savings", "savings/month", "money"),
                 ("recommendations", "recs", "int"), ("file", "file", "text")], fmt)


@command.command("show")
@click.argument("ref", default="latest", metavar="[REF]")
@history_option
@config_option
@click.option("--format", "fmt", type=click.Choice(["md", "json", "csv", "html"]), default="md", show_default=True,
              help="Render the saved audit in this format.")
def show_command(ref, history_dir, config_path, fmt) -> None:
    """Show one saved audit (REF: latest, -2, 3, a file name or a date such as 2026-11-23)."""
    from costopt.reports import render

    audit = history.load(ref, _directory(history_dir, config_path))
    sys.stdout.write(render(audit, fmt))


@command.command("trend")
@history_option
@config_option
@format_option
def trend_command(history_dir, config_path, fmt) -> None:
    """Spend, potential and realised savings across the saved audits."""
    rows = history.trend(_directory(history_dir, config_path))
    previous = None
    for r in rows:
        r["weekly_change"] = ((r["weekly_spend"] - previous) / previous) if previous else None
        previous = r["weekly_spend"]
    _emit(rows, [("run_at", "run at (UTC)", "text"), ("weekly_spend", "last 7 days", "money"),
                 ("weekly_change", "change", "pct"), ("monthly_run_rate", "run-rate/month", "money"),
                 ("monthly_savings", "potential/month", "money"), ("realised_savings", "realised/month", "money"),
                 ("recommendations", "recs", "int")], fmt)
