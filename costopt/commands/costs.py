"""``costopt costs``: the cost breakdown of billing exports (FOCUS, AWS CUR, Azure, GCP).

Currencies are never added. With several currencies in the data:
- ``--format json`` prints a JSON list with one object per currency (one currency: one object);
- ``--format table`` prints one section per currency, each with its own total;
- ``--format csv`` always has a ``currency`` column first, so rows of different currencies
  never share a total;
- ``--currency CODE`` keeps only that currency (an InputError when the data has none of it).
CSV cells that start with ``= + - @`` (tab, CR) are prefixed with ``'`` (formula injection).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import click

from costopt import terminal
from costopt.atomic import write_outputs
from costopt.billing.athena_sql import RemoteScan, is_athena
from costopt.billing.breakdown import GROUP_KEYS, breakdown_records, group_expression
from costopt.billing.readers import FORMATS, open_sources
from costopt.billing.readers.athena import Connect
from costopt.commands.athena_options import athena_connect, athena_options
from costopt.commands.options import config_option, load_settings_with_overrides, quiet_option
from costopt.config import DEFAULT_LOOKBACK_DAYS
from costopt.errors import InputError
from costopt.progress import Progress
from costopt.sanitize.csv_cells import safe_cell
from costopt.sanitize.json_text import json_text


def parse_group_by(values: Sequence[str]) -> list[str]:
    keys = [k.strip() for value in values for k in value.split(",") if k.strip()]
    for key in keys:
        group_expression(key)  # raises InputError naming the bad key
    if len(set(keys)) != len(keys):
        raise InputError("a group-by key is repeated", key="group-by")
    return keys


def parse_bound(value: str | None, option: str, end: bool) -> datetime | None:
    """A date (``--until`` includes that whole day) or an ISO datetime (exclusive)."""
    if value is None:
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            day = datetime.strptime(text, "%Y-%m-%d")
            return day + timedelta(days=1) if end else day
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"unparsable date {value!r}; expected YYYY-MM-DD or an ISO 8601 datetime",
                         key=option) from None
    if parsed.tzinfo is not None:

        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def _json_object(result: dict[str, Any]) -> str:
    """One currency's object, one row per line (json's C encoder per row: fast on 100k rows)."""
    head = ", ".join(f"{json.dumps(k)}: {json.dumps(result[k], ensure_ascii=False)}"
                     for k in ("currency", "cost", "group_by"))
    rows = ",\n    ".join(json.dumps(r, ensure_ascii=False) for r in result["rows"])
    body = f"[\n    {rows}\n  ]" if rows else "[]"
    tail = "".join(f",\n  {json.dumps(k)}: {json.dumps(result[k])}" for k in ("rows_omitted", "omitted_cost", "athena")
                   if k in result)
    return f"{{{head},\n  \"rows\": {body},\n  \"total\": {json.dumps(result['total'])}{tail}}}"


def render_json(results: list[dict[str, Any]]) -> str:
    """One object for one currency, a list of objects for several."""
    if len(results) == 1:
        return json_text(_json_object(results[0]))
    return json_text("[\n" + ",\n".join(_json_object(r) for r in results) + "\n]")


def render_csv(results: list[dict[str, Any]], group_by: Sequence[str]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["currency", *group_by, "cost"])
    for result in results:
        for row in result["rows"]:
            writer.writerow([safe_cell(result["currency"]), *(safe_cell(row[k]) for k in group_by), repr(row["cost"])])
    return buf.getvalue()


def render_table(results: list[dict[str, Any]], group_by: Sequence[str], cost: str) -> str:
    lines = []
    for n, result in enumerate(results):
        if n:
            lines.append("")
        currency = result["currency"]
        header = [*group_by, f"{cost} cost ({currency})"]
        body = [[("(none)" if row[k] is None else terminal.safe(row[k])) for k in group_by] + [f"{row['cost']:,.2f}"]
                for row in result["rows"]]
        body.append(["TOTAL"] + [""] * (len(group_by) - 1) + [f"{result['total']:,.2f}"] if group_by
                    else [f"{result['total']:,.2f}"])
        widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
        fmt = lambda r: "  ".join(c.rjust(w) if i == len(r) - 1 else c.ljust(w)  # noqa: E731
                                  for i, (c, w) in enumerate(zip(r, widths))).rstrip()  # noqa: B023 (used in this iteration)
        lines.append(fmt(header))
        lines.append("  ".join("-" * w for w in widths))
        lines.extend(fmt(r) for r in body[:-1])
        if result.get("rows_omitted"):
            lines.append(f"({result['rows_omitted']:,} more rows, {result['omitted_cost']:,.2f} in all: "
                         "--keep-zero or a larger --top shows them)")
        lines.append("  ".join("-" * w for w in widths))
        lines.append(fmt(body[-1]))
    return "\n".join(lines) + "\n"


@click.command("costs")
@click.option("--source", "sources", multiple=True, required=True, metavar="PATH_OR_GLOB",
              help="Billing export file or glob (CSV, CSV.gz, Parquet, JSON lines), or athena://DATABASE.TABLE "
                   "(CUR 2.0, legacy CUR or FOCUS table: aggregated in Athena). Repeatable.")
@click.option("--source-format", type=click.Choice(["auto", *FORMATS]), default="auto", show_default=True,
              help="Input format, detected from each file's header unless forced "
                   "(--format sets the output format).")
@click.option("--group-by", "group_by", multiple=True, metavar="KEYS",
              help=f"Comma-separated: {', '.join(GROUP_KEYS)}, tag:KEY (default provider).")
@click.option("--cost", type=click.Choice(["billed", "effective", "list"]), default="effective", show_default=True,
              help="billed = invoiced; effective = amortised commitments; list = public on-demand.")
@click.option("--since", metavar="DATE", help="Charges starting on or after this date (YYYY-MM-DD or ISO datetime).")
@click.option("--until", metavar="DATE", help="Charges starting before the end of this day (or before this datetime).")
@click.option("--currency", metavar="CODE", help="Only this billing currency (data in several currencies).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True,
              help="Output format.")
@click.option("--top", type=click.IntRange(min=1), metavar="N", help="Only the first N rows of each currency.")
@click.option("--sort", type=click.Choice(["cost", "key"]),
              help="Rows by cost (largest first) or by the group-by keys; default: by time when grouped by "
                   "day or week, else by cost.")
@click.option("--keep-zero", is_flag=True, help="Keep rows whose cost rounds to 0.00 (left out by default).")
@click.option("-o", "--out", "out_path", type=click.Path(dir_okay=False), metavar="FILE",
              help="Write to FILE instead of stdout.")
@athena_options
@config_option
@quiet_option
def command(sources, source_format, group_by, cost, since, until, currency, fmt, top, sort, keep_zero, out_path,
            athena_workgroup, athena_output, athena_region, config_path, quiet) -> None:
    """Break billing exports down by provider, service, resource, tag and more.

    \b
    Examples:
      costopt costs --source focus.parquet --group-by provider,service
      costopt costs --source 'cur/*.csv.gz' --group-by week,service --cost billed --format csv
      costopt costs --source azure_amortized.csv --group-by tag:team --format json -o teams.json
      costopt costs --source focus.parquet --group-by resource --top 20
      costopt costs --source athena://cur.cur2 --since 2026-01-01 --group-by week,service

    Several currencies are never added: JSON gives one object per currency (a list), the table
    one section per currency, CSV a currency column; --currency keeps one. An athena:// source
    without --since/--until is read over the config's lookback (default 14 days), so the query
    prunes the table's billing-period partitions; the output names the window and the bytes
    the query scanned.
    """
    keys = parse_group_by(group_by) or ["provider"]
    start, end = parse_bound(since, "--since", False), parse_bound(until, "--until", True)
    if start and end and start >= end:
        raise InputError("--since must be before --until", key="--since")
    progress = Progress(quiet=quiet)
    remote, lookback = None, None
    if any(is_athena(s) for s in sources):
        settings = load_settings_with_overrides(config_path)
        remote = athena_connect(settings, athena_workgroup, athena_output, athena_region)
        lookback = settings.lookback
    request = CostsRequest(tuple(sources), None if source_format == "auto" else source_format, keys, cost, start, end,
                           currency, fmt, top, sort, keep_zero, lookback)
    text = costs_text(request, progress, remote)
    if out_path:
        write_outputs({out_path: text})
        progress(f"costs: wrote {out_path}")
    else:
        click.echo(text, nl=False)


@dataclass(frozen=True)
class CostsRequest:
    """One ``costs`` run: the sources, the breakdown and how to print it."""

    sources: tuple[str, ...]
    source_format: str | None
    keys: list[str]
    cost: str
    start: datetime | None = None
    end: datetime | None = None
    currency: str | None = None
    fmt: str = "table"
    top: int | None = None
    sort: str | None = None
    keep_zero: bool = False
    lookback: timedelta | None = None  # athena:// sources: the window a missing --since/--until is filled from
    now: datetime | None = None  # naive UTC; default: the clock


def athena_window(start: datetime | None, end: datetime | None, lookback: timedelta,
                  now: datetime) -> tuple[datetime, datetime]:
    """A missing bound for athena:// sources: ``--until`` is the end of today, ``--since`` ``lookback`` before it.

    Whole days (``--since`` rounded down to midnight): Athena returns one row per day, which a
    bound inside a day would cut.
    """
    end = end or now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    start = start or (end - lookback).replace(hour=0, minute=0, second=0, microsecond=0)
    if start >= end:
        raise InputError(f"--since {start:%Y-%m-%d %H:%M} is not before now ({end:%Y-%m-%d %H:%M} UTC); "
                         "pass --until as well", key="--since")
    return start, end


def _duration(value: timedelta) -> str:
    return f"{value.days}d" if value % timedelta(days=1) == timedelta(0) else f"{value.total_seconds() / 3600:g}h"


def costs_text(request: CostsRequest, progress: Callable[[str], None], remote: Connect | None = None) -> str:
    """The breakdown of ``request`` in its format (athena:// sources made by ``remote``)."""
    start, end, keys = request.start, request.end, request.keys
    defaulted = None
    if any(is_athena(s) for s in request.sources) and (start is None or end is None):
        lookback = request.lookback or timedelta(days=DEFAULT_LOOKBACK_DAYS)
        start, end = athena_window(start, end, lookback, request.now or datetime.now(UTC).replace(tzinfo=None))
        defaulted = (f"no --since/--until: athena:// sources are read over the last {_duration(lookback)} "
                     "(lookback in costopt.toml, whole days to the end of today), {start:%Y-%m-%d %H:%M} to "
                     "{end:%Y-%m-%d %H:%M} UTC; "
                     "pass --since/--until for another window").format(start=start, end=end)
        progress(f"costs: {defaulted}")
    table = open_sources(list(request.sources), request.source_format, progress, window=(start, end), remote=remote)
    periods: dict[str, tuple[datetime, datetime]] = {}
    results = breakdown_records(table, keys, request.cost, start, end, period_out=periods, period=None)
    if request.currency:
        wanted = request.currency.strip().upper()
        found = [r for r in results if str(r["currency"]).upper() == wanted]
        if not found:
            have = ", ".join(str(r["currency"]) for r in results) or "none"
            raise InputError(f"no charges in {wanted}; the data has: {have}", key="--currency")
        results = found
    if not results:
        results = [{"currency": None, "cost": request.cost, "group_by": keys, "rows": [], "total": 0.0}]
    if len(results) > 1:
        progress(f"costs: {len(results)} currencies ({', '.join(str(r['currency']) for r in results)}); "
                 "shown separately, never added")
    for result in results:
        span = periods.get(result["currency"])
        if span:
            progress(f"costs: {result['currency']}: charges from {span[0]:%Y-%m-%d %H:%M} to {span[1]:%Y-%m-%d %H:%M}, "
                     f"total {result['total']:,.2f}")
    results = [arrange(r, keys, request.sort, request.top, request.keep_zero) for r in results]
    scans = [table.scans[label] for label in table.sources if label in table.scans]
    if request.fmt == "json":
        if scans:
            results = [{**r, "athena": [scan_record(s, defaulted is not None) for s in scans]} for r in results]
        return render_json(results) + "\n"
    if request.fmt == "csv":
        return render_csv(results, keys)  # the scans went to the progress lines (stderr)
    text = render_table(results, keys, request.cost)
    notes = [f"{s.source}: {terminal.safe(s.text())}" for s in scans] + ([f"({defaulted})"] if defaulted else [])
    return text + ("\n" + "\n".join(notes) + "\n" if notes else "")


def scan_record(scan: RemoteScan, default_window: bool) -> dict[str, Any]:
    """One athena:// source's query in the JSON output."""
    return {"source": scan.source, "since": scan.start.isoformat() if scan.start else None,
            "until": scan.end.isoformat() if scan.end else None, "default_window": default_window,
            "billing_periods": list(scan.periods), "rows": scan.rows, "bytes_scanned": scan.bytes_scanned,
            "cost_usd": scan.cost_usd}


TIME_KEYS = ("day", "week")


def arrange(result: dict[str, Any], keys: Sequence[str], sort: str | None, top: int | None,
            keep_zero: bool) -> dict[str, Any]:
    """Order, trim and filter one currency's rows; ``total`` stays the total of every row.

    Rows left out (zero, or past ``top``) are counted in ``rows_omitted`` / ``omitted_cost``.
    """
    rows = list(result["rows"])
    if not keep_zero:
        rows = [r for r in rows if abs(r["cost"]) >= 0.005]
    time_keys = [k for k in keys if k in TIME_KEYS]
    order = sort or ("key" if time_keys else "cost")
    if order == "key":
        first = time_keys + [k for k in keys if k not in time_keys]
        rows.sort(key=lambda r: tuple((r[k] is None, str(r[k] or "")) for k in first))
    else:
        rows.sort(key=lambda r: -r["cost"])
    if top is not None:
        rows = rows[:top]
    omitted = len(result["rows"]) - len(rows)
    out = {**result, "rows": rows}
    if omitted:
        out["rows_omitted"] = omitted
        out["omitted_cost"] = result["total"] - math.fsum(r["cost"] for r in rows)
    return out
