"""``costopt audit``: collect, run the rules and trade-off, write the reports."""

from __future__ import annotations

from pathlib import Path

import click

from costopt import history, price_trust, terminal
from costopt.collect import collect
from costopt.commands.athena_options import athena_connect, athena_options
from costopt.commands.options import (
    config_option,
    load_settings_with_overrides,
    parse_as_of,
    quiet_option,
    validate_sections,
)
from costopt.errors import InputError
from costopt.gate.load import attach_budgets
from costopt.history_store import derive_scope, open_store
from costopt.model import Audit, Snapshot
from costopt.pipeline import AuditRequest, build_audit
from costopt.progress import Progress
from costopt.reports import view
from costopt.reports.fmt import money, pct, short_text
from costopt.reports.write import check_formats, check_out_dir, write_reports

DEFAULT_OUT = "costopt-report"
DEFAULT_FORMATS = ("html", "json", "md")


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(v.strip() for value in values for v in value.split(",") if v.strip())


@click.command("audit")
@click.option("--source", "sources", multiple=True, metavar="PATH_OR_GLOB",
              help="Billing export(s): FOCUS, AWS CUR, Azure or GCP export files (CSV, CSV.gz, Parquet, JSON), or "
                   "athena://DATABASE.TABLE (aggregated in Athena over the lookback). Repeatable.")
@click.option("--source-format", type=click.Choice(["auto", "focus", "aws-cur", "azure", "gcp"]), default="auto",
              show_default=True, help="Force the billing file format instead of detecting it from the header.")
@click.option("--provider", "providers", multiple=True, metavar="aws|gcp|azure",
              help="Read a cloud account live (repeatable, or comma-separated).")
@click.option("--demo", is_flag=True, help="Audit the embedded demo ML organisation (no cloud account needed).")
@config_option
@click.option("--lookback", metavar="DURATION", help="How far back to look, e.g. 14d, 336h, 2w (default 14d or config).")
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False), default=DEFAULT_OUT, show_default=True,
              help="Folder for the reports.")
@click.option("--format", "formats", multiple=True, metavar="html,json,md,csv,junit",
              help="Report formats to write: html, json, md, csv, junit (repeatable or comma-separated; "
                   "default html,json,md).")
@click.option("--slo-policy", type=click.Choice(["strict", "advisory"]),
              help="strict: a candidate that breaches an SLO is never selected; advisory: selected but flagged.")
@click.option("--history", "history_dir", type=click.Path(file_okay=False),
              help="History folder: each audit is kept there and compared with the previous one "
                   "(default: the config's `history`, else ~/.local/share/costopt/history).")
@click.option("--history-scope", metavar="NAME",
              help="Keep this audit's history under NAME (default: the config's [history] scope, else derived from "
                   "what was read: 'demo', the provider accounts, or the billing files). Audits are only compared "
                   "within one scope.")
@click.option("--no-history", is_flag=True, help="Do not read or write audit history.")
@click.option("--as-of", "as_of", callback=parse_as_of, metavar="YYYY-MM-DD[THH:MM]",
              help="Pin 'now' (UTC): the lookback window ends here. The same inputs and --as-of give the same figures.")
@click.option("--strict-rules", is_flag=True,
              help="Exit 2 (writing nothing) when a rule fails, instead of reporting it in the coverage.")
@click.option("--plotlyjs", type=click.Choice(["inline", "cdn"]), default="inline", show_default=True,
              help="Embed plotly.js in the HTML report (works offline) or load it from a CDN.")
@click.option("--profile", help="AWS: named profile (default: AWS_PROFILE / default chain).")
@click.option("--region", "--regions", "regions", multiple=True,
              help="AWS: region(s) to read, repeatable or comma-separated (default: all enabled regions).")
@click.option("--role-arn", "role_arns", multiple=True, help="AWS: assume this role (repeatable: one per account).")
@click.option("--org", is_flag=True,
              help="AWS: every active account of the organization (from the management or a delegated admin "
                   "account), each through [providers.aws] org_role (default OrganizationAccountAccessRole).")
@click.option("--project", "projects", multiple=True, help="GCP: project id (repeatable).")
@click.option("--bq-table", help="GCP: BigQuery billing export table project.dataset.table.")
@click.option("--subscription", "subscriptions", multiple=True, help="Azure: subscription id (repeatable).")
@athena_options
@quiet_option
@click.pass_context
def command(ctx: click.Context, sources, source_format, providers, demo, config_path, lookback, out_dir, formats,
            slo_policy, history_dir, history_scope, no_history, as_of, strict_rules, plotlyjs, profile, regions,
            role_arns, org, projects, bq_table, subscriptions, athena_workgroup, athena_output, athena_region,
            quiet) -> None:
    """Audit spend and utilisation and write priced recommendations.

    \b
    Examples:
      costopt audit --demo
      costopt audit --source 'cur/*.parquet' --out weekly/
      costopt audit --provider aws --regions us-east-1,eu-west-1 --lookback 14d
      costopt audit --provider aws --org --source athena://cur.cur2
    """
    settings = load_settings_with_overrides(config_path, lookback)
    demo_source = None
    if demo:  # the CLI's --demo path, the only product code that imports the demo (its fakes need the 'demo' extra)
        from costopt.demo.collect import collect_demo, demo_settings

        settings = demo_settings(settings)
        validate_sections(settings)
        demo_source = collect_demo
    progress = Progress(quiet=quiet)
    chosen = _split(formats) or DEFAULT_FORMATS
    check_formats(chosen)  # before the slow collection: a bad format or folder fails at once
    check_out_dir(Path(out_dir))
    request = AuditRequest(
        sources=tuple(sources),
        source_format=None if source_format == "auto" else source_format,
        providers=_split(providers),
        demo=demo_source,
        provider_options={
            "profile": profile, "regions": _split(regions) or None, "role_arns": tuple(role_arns), "org": org,
            "projects": tuple(projects), "bq_table": bq_table, "subscriptions": tuple(subscriptions),
        },
        slo_policy=slo_policy,
        now=as_of,
        remote=athena_connect(settings, athena_workgroup, athena_output, athena_region, profile),
    )
    snapshot = collect(request, settings, progress, explicit_lookback=lookback is not None)
    audit = build_audit(snapshot, settings, slo_policy=slo_policy, progress=progress, now=as_of)
    rule_failures = [c for c in audit.coverage if c.provider == "costopt" and c.status == "failed"]
    if strict_rules and rule_failures:
        raise InputError(f"{len(rule_failures)} rule(s) failed (--strict-rules): {rule_failures[0].detail}; "
                         "nothing was written", key="--strict-rules")
    save_history = None
    if not no_history:
        scope = history_scope or settings.history_scope or _derived_scope(request, snapshot)
        store = open_store(history_dir or settings.history, scope)
        progress(f"history: comparing with {store.location}")
        audit, save_history = history.prepare(audit, store, snapshot=snapshot)
    audit = attach_budgets(audit, settings)
    # reports on disk (as temps) first, then the history, then the renames: a full disk or an
    # unwritable history leaves the previous reports and history untouched
    written = write_reports(audit, Path(out_dir), chosen, plotlyjs=plotlyjs, before_commit=save_history)
    for line in summary_lines(audit):
        terminal.echo(line)
    for failure in rule_failures:
        click.echo(f"warning: {terminal.safe(failure.detail)}", err=True)
    stale = view.stale_prices_text(audit)
    if stale:
        click.echo(f"warning: {terminal.safe(stale)}", err=True)
    estimated = price_trust.estimates_text(audit.recommendations)
    if estimated:
        click.echo(f"note: {terminal.safe(estimated)}", err=True)
    failed = [c for c in audit.coverage if c.status == "failed" and c.provider != "costopt"]
    if failed:
        click.echo(f"coverage: {len(failed)} scope(s) could not be read; see the report's Coverage section", err=True)
    for line in top_actions(audit):
        terminal.echo(line)
    click.echo(f"reports written to {Path(out_dir).resolve()}:")
    for path in written:
        click.echo(f"  {terminal.safe(path.name)}")
    html = next((p for p in written if p.suffix == ".html"), None)
    if html is not None:
        terminal.echo(f"open the report: {terminal.bold(html.resolve().as_uri())}")


def _derived_scope(request: AuditRequest, snapshot: Snapshot) -> str:
    """The history scope of what this audit read (see costopt.history_store.derive_scope)."""
    pairs = {(r.provider, r.account) for r in snapshot.resources}
    pairs |= {(p, "") for p in request.providers if not any(q == p for q, _ in pairs)}
    return derive_scope(demo=request.demo is not None, providers=pairs, sources=request.sources)


TOP_ACTIONS = 5


def top_actions(audit: Audit, limit: int = TOP_ACTIONS) -> list[str]:
    """The biggest selected changes, one line each, in their own currency."""
    recs = [r for r in view.by_savings(audit.recommendations) if r.monthly_savings > 0][:limit]
    if not recs:
        return []
    width = max(len(view.savings_text(r)) for r in recs)
    lines = [f"top {len(recs)} actions:" if len(recs) > 1 else "top action:"]
    for n, r in enumerate(recs, 1):
        label = price_trust.price_label(r)
        lines.append(f"  {n}. {view.savings_text(r).rjust(width)}/month  {terminal.safe(short_text(r.action, 60))}  "
                     f"({terminal.safe(short_text(r.resource_name or r.resource_id, 40))}, {terminal.safe(r.provider)})"
                     + (f" [{label}]" if label else ""))
    return lines


def summary_lines(audit: Audit) -> list[str]:
    """The terminal summary: the report's headline figures, each with the days it means."""
    h = view.headline(audit)
    c = audit.currency
    first = (f"{h.savings.priced:,} priced recommendations, potential savings {money(h.savings.monthly_savings, c)}/month "
             f"(range {money(h.savings.savings_low, c)}-{money(h.savings.savings_high, c)})")
    if h.savings.investigate:
        first += f", plus up to {money(h.savings.investigate_upper, c)}/month to investigate in {h.savings.investigate:,} finding(s)"
    lines = [terminal.bold(first)]
    lines += [f"  priced in {o.currency} (not converted): {money(o.monthly_savings, o.currency)}/month from "
              f"{o.priced:,} recommendations" for o in h.other_currencies]
    lines.append(f"  lookback {h.lookback_text}; billing data {h.billing_text}: {money(h.spend_in_window, c)}")
    if h.last_week is not None:
        change = (f"{pct(h.last_week_change, signed=True)} on {h.previous_week_days}"
                  if h.last_week_change is not None else "no complete week before it")
        lines.append(f"  last 7 days ({h.last_week_days}): {money(h.last_week, c)} ({change})")
    return lines
