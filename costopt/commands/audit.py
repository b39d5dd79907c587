"""``costopt audit``: collect, run the rules and trade-off, write the reports."""

from __future__ import annotations

from pathlib import Path

import click

from costopt.commands.options import config_option, load_settings_with_overrides, quiet_option, validate_sections
from costopt.gate.load import attach_budgets
from costopt.pipeline import AuditRequest, build_audit
from costopt.progress import Progress
from costopt.reports.write import write_reports

DEFAULT_OUT = "costopt-report"
DEFAULT_FORMATS = ("html", "json", "md")


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(v.strip() for value in values for v in value.split(",") if v.strip())


@click.command("audit")
@click.option("--source", "sources", multiple=True, metavar="PATH_OR_GLOB",
              help="Billing export(s): FOCUS, AWS CUR, Azure or GCP export files (CSV, CSV.gz, Parquet, JSON). Repeatable.")
@click.option("--source-format", type=click.Choice(["auto", "focus", "aws-cur", "azure", "gcp"]), default="auto",
              show_default=True, help="Force the billing file format instead of detecting it from the header.")
@click.option("--provider", "providers", multiple=True, metavar="aws|gcp|azure",
              help="Read a cloud account live (repeatable, or comma-separated).")
@click.option("--demo", is_flag=True, help="Audit the embedded demo ML organisation (no cloud account needed).")
@config_option
@click.option("--lookback", metavar="DURATION", help="How far back to look, e.g. 14d, 336h, 2w (default 14d or config).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=DEFAULT_OUT, show_default=True,
              help="Folder for the reports.")
@click.option("--format", "formats", multiple=True, metavar="html,json,md,csv",
              help="Report formats to write (repeatable or comma-separated; default html,json,md).")
@click.option("--slo-policy", type=click.Choice(["strict", "advisory"]),
              help="strict: a candidate that breaches an SLO is never selected; advisory: selected but flagged.")
@click.option("--history", "history_dir", type=click.Path(file_okay=False),
              help="History folder: each audit is kept there and compared with the previous one "
                   "(default: the config's `history`, else ~/.local/share/costopt/history).")
@click.option("--no-history", is_flag=True, help="Do not read or write audit history.")
@click.option("--plotlyjs", type=click.Choice(["inline", "cdn"]), default="inline", show_default=True,
              help="Embed plotly.js in the HTML report (works offline) or load it from a CDN.")
@click.option("--profile", help="AWS: named profile (default: AWS_PROFILE / default chain).")
@click.option("--regions", help="AWS: comma-separated regions (default: all enabled regions).")
@click.option("--role-arn", "role_arns", multiple=True, help="AWS: assume this role (repeatable: one per account).")
@click.option("--project", "projects", multiple=True, help="GCP: project id (repeatable).")
@click.option("--bq-table", help="GCP: BigQuery billing export table project.dataset.table.")
@click.option("--subscription", "subscriptions", multiple=True, help="Azure: subscription id (repeatable).")
@quiet_option
@click.pass_context
def command(ctx: click.Context, sources, source_format, providers, demo, config_path, lookback, out_dir, formats,
            slo_policy, history_dir, no_history, plotlyjs, profile, regions, role_arns, projects, bq_table,
            subscriptions, quiet) -> None:
    """Audit spend and utilisation and write priced recommendations.

    \b
    Examples:
      costopt audit --demo
      costopt audit --source 'cur/*.parquet' --out weekly/
      costopt audit --provider aws --regions us-east-1,eu-west-1 --lookback 14d
    """
    from costopt.collect import collect

    settings = load_settings_with_overrides(config_path, lookback)
    if demo:
        from costopt.providers.demo import demo_settings

        settings = demo_settings(settings)
        validate_sections(settings)
    progress = Progress(quiet=quiet)
    request = AuditRequest(
        sources=tuple(sources),
        source_format=None if source_format == "auto" else source_format,
        providers=_split(providers),
        demo=demo,
        provider_options={
            "profile": profile, "regions": _split((regions,)) if regions else None, "role_arns": tuple(role_arns),
            "projects": tuple(projects), "bq_table": bq_table, "subscriptions": tuple(subscriptions),
            "demo": demo,
        },
        slo_policy=slo_policy,
    )
    snapshot = collect(request, settings, progress, explicit_lookback=lookback is not None)
    audit = build_audit(snapshot, settings, slo_policy=slo_policy, progress=progress)
    audit = _with_history(audit, snapshot, settings, history_dir, no_history, progress)
    audit = attach_budgets(audit, settings)
    chosen = _split(formats) or DEFAULT_FORMATS
    written = write_reports(audit, Path(out_dir), chosen, plotlyjs=plotlyjs)
    totals = audit.totals
    click.echo(
        f"{totals.get('recommendations', 0)} recommendations, potential savings "
        f"{totals.get('monthly_savings', 0.0):,.2f} {audit.currency}/month "
        f"(spend {totals.get('spend_in_window', 0.0):,.2f} {audit.currency} over "
        f"{totals.get('spend_days', audit.window.days):.0f} days)")
    failed = [c for c in audit.coverage if c.status == "failed"]
    if failed:
        click.echo(f"coverage: {len(failed)} scope(s) could not be read; see the report's Coverage section", err=True)
    click.echo(f"reports written to {Path(out_dir).resolve()}:")
    for path in written:
        click.echo(f"  {path.name}")


def _with_history(audit, snapshot, settings, history_dir, no_history, progress):
    """Compare with the previous audit in the history folder and save this one (unless --no-history)."""
    if no_history:
        return audit
    from costopt import history

    directory = history_dir or settings.history
    progress(f"history: comparing with {directory}")
    return history.record(audit, directory, snapshot=snapshot)
