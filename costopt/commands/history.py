"""``costopt history list|show|trend``: the audits kept by ``costopt audit --history``."""

from __future__ import annotations

import csv
import io
import json
import sys

import click

from costopt import history, terminal
from costopt.commands.options import config_option, load_settings_with_overrides
from costopt.errors import InputError
from costopt.history_store import Store, list_scopes, open_store
from costopt.reports import render
from costopt.reports.fmt import money, pct
from costopt.sanitize.csv_cells import safe_cell

history_option = click.option("--history", "history_dir", metavar="DIR|s3://…|gs://…",
                              help="History location (default: the config's `history`, else ~/.local/share/costopt/history).")
scope_option = click.option("--history-scope", "scope", metavar="NAME",
                            help="Which estate's history (see `costopt history list`); needed when there are several.")
format_option = click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
                             show_default=True, help="Output format.")


def _store(history_dir: str | None, scope: str | None, config_path: str | None) -> Store:
    """The store of one scope: the one asked for, the config's, or the only one there is."""
    settings = load_settings_with_overrides(config_path)
    location = history_dir or settings.history
    scope = scope or settings.history_scope
    if scope is None:
        scopes = list_scopes(location)
        if len(scopes) != 1:
            where = str(history.history_dir(location)) if "://" not in str(location) else str(location)
            found = f"scopes there: {', '.join(scopes)}" if scopes else "no saved audits there yet"
            raise InputError(f"pass --history-scope NAME to pick an estate's history ({found})", path=where)
        scope = scopes[0]
    return open_store(location, scope)


def _emit(rows: list[dict], columns: list[tuple[str, str, str]], fmt: str) -> None:
    """columns: (key, header, kind) with kind text|money|int|pct."""
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))  # ensure_ascii: every control character escaped
        return
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow([k for k, _, _ in columns])
        writer.writerows([[safe_cell(r.get(k), digits=None) for k, _, _ in columns] for r in rows])
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
        return terminal.safe(v if v is not None else "")

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
@scope_option
@config_option
@format_option
def list_command(history_dir, scope, config_path, fmt) -> None:
    """List the saved audits, oldest first (every scope's, unless --history-scope picks one)."""
    settings = load_settings_with_overrides(config_path)
    location = history_dir or settings.history
    scope = scope or settings.history_scope
    rows = []
    for name in [scope] if scope else list_scopes(location):
        for i, r in enumerate(history.entries(open_store(location, name)), 1):
            rows.append({**r, "scope": name, "n": i})
    if not rows and fmt == "table":
        click.echo(f"no saved audits in {location}{f' (scope {scope})' if scope else ''}", err=True)
        return
    _emit(rows, [("scope", "scope", "text"), ("n", "#", "int"), ("run_at", "run at (UTC)", "text"),
                 ("spend_in_window", "billed spend", "money"), ("weekly_spend", "last 7 days", "money"),
                 ("monthly_savings", "savings/month", "money"), ("recommendations", "recs", "int"),
                 ("file", "file", "text")], fmt)


@command.command("show", context_settings={"ignore_unknown_options": True})
@click.argument("ref", default="latest", metavar="[REF]")
@history_option
@scope_option
@config_option
@click.option("--format", "fmt", type=click.Choice(["md", "json", "csv", "html"]), default="md", show_default=True,
              help="Render the saved audit in this format.")
def show_command(ref, history_dir, scope, config_path, fmt) -> None:
    """Show one saved audit. REF: latest, -2 (second newest), 3 (third oldest), a file name, or a
    run date such as 2026-11-23."""
    audit = history.load(ref, _store(history_dir, scope, config_path))
    sys.stdout.write(render(audit, fmt))


@command.command("trend")
@history_option
@scope_option
@config_option
@format_option
def trend_command(history_dir, scope, config_path, fmt) -> None:
    """Spend, potential and realised savings across one scope's saved audits."""
    rows = history.trend(_store(history_dir, scope, config_path))
    previous = None
    for r in rows:
        r["weekly_change"] = ((r["weekly_spend"] - previous) / previous) if previous else None
        previous = r["weekly_spend"]
    _emit(rows, [("run_at", "run at (UTC)", "text"), ("weekly_spend", "last 7 days", "money"),
                 ("weekly_change", "change", "pct"), ("monthly_run_rate", "run-rate/month", "money"),
                 ("monthly_savings", "potential/month", "money"), ("realised_savings", "realised/month", "money"),
                 ("recommendations", "recs", "int")], fmt)
