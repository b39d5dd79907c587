"""``costopt gate``: judge budgets on a saved audit (or a fresh one) and exit 0 / 1 / 2."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import click

from costopt import terminal
from costopt.atomic import write_outputs
from costopt.audit_io import load_audit
from costopt.commands.options import config_option, load_settings_with_overrides, quiet_option
from costopt.errors import InputError
from costopt.gate import budgets_from_settings, cli_budgets, evaluate_budgets, exit_code, load_budgets_file
from costopt.gate.checks import spend_days
from costopt.gate.output import json_document, markdown, table
from costopt.progress import Progress
from costopt.reports import junit

GATE_MIN_LOOKBACK = timedelta(days=35)  # the month so far plus 4 weeks behind the forecast


def _amount(ctx, param, value):
    if value is None:
        return None
    try:
        number = float(value.replace(",", "").replace("_", ""))
    except ValueError:
        raise click.BadParameter(f"expected a number, got {value!r}") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise click.BadParameter(f"expected a finite number, got {value!r}")
    if param.name == "budget" and number < 0:
        raise click.BadParameter(f"expected an amount >= 0, got {value!r}")
    return number


def _as_of(ctx, param, value):
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected a date YYYY-MM-DD, got {value!r}") from None


@click.command("gate")
@click.option("--audit", "audit_path", type=click.Path(dir_okay=False), metavar="AUDIT.json",
              help="A saved audit (audit.json from `costopt audit`). Without it, an audit is run from the flags below.")
@click.option("--source", "sources", multiple=True, metavar="PATH_OR_GLOB", help="Billing export(s) to audit. Repeatable.")
@click.option("--source-format", type=click.Choice(["auto", "focus", "aws-cur", "azure", "gcp"]), default="auto",
              show_default=True, help="Force the billing file format.")
@click.option("--provider", "providers", multiple=True, metavar="aws|gcp|azure", help="Read a cloud account live.")
@click.option("--demo", is_flag=True, help="Audit the embedded demo organisation.")
@config_option
@click.option("--lookback", metavar="DURATION",
              help="How far back the audit looks (default: the config's lookback, at least 35d for the forecast).")
@click.option("--budgets", "budgets_path", type=click.Path(dir_okay=False), metavar="FILE",
              help="Budgets TOML file (default: the [budgets] table of the config).")
@click.option("--budget", callback=_amount, metavar="AMOUNT",
              help="Fail when the total spend for --budget-period goes over AMOUNT.")
@click.option("--budget-period", type=click.Choice(["month", "week", "window"]), default="month", show_default=True,
              help="Period of --budget: month (to date and forecast), the last 7 days, or the audit window.")
@click.option("--max-growth", callback=_amount, metavar="PCT",
              help="Fail when total spend grows more than PCT percent week over week.")
@click.option("--as-of", "as_of", callback=_as_of, metavar="YYYY-MM-DD",
              help="First day not counted (default: the audit window's end, or the day after the data ends).")
@click.option("--warn-only", is_flag=True, help="Report failures but exit 0 (for a soft rollout).")
@click.option("--junit", "junit_path", type=click.Path(dir_okay=False), metavar="FILE",
              help="Write JUnit XML (one test case per check) for Jenkins / GitLab.")
@click.option("--markdown", "markdown_path", type=click.Path(dir_okay=False), metavar="FILE",
              help="Write a Markdown summary (also appended to $GITHUB_STEP_SUMMARY when set).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "md"]), default="table", show_default=True,
              help="Output format of the result (md: the Markdown summary).")
@click.option("--json", "as_json", is_flag=True, hidden=True, help="The old spelling of --format json.")
@click.option("-o", "--out", "out_path", type=click.Path(dir_okay=False), metavar="FILE",
              help="Write the result to FILE instead of stdout.")
@quiet_option
def command(audit_path, sources, source_format, providers, demo, config_path, lookback, budgets_path, budget,
            budget_period, max_growth, as_of, warn_only, junit_path, markdown_path, fmt, as_json, out_path,
            quiet) -> None:
    """Check spend against budgets; exit 1 when a fail level is breached.

    \b
    Budgets: --budget / --max-growth for the total, or per provider, account, service,
    category and team in a [budgets] table (costopt.toml or --budgets FILE): the format is
    in examples/budgets.toml and the docstring of costopt.gate.budgets.
    Exit codes: 0 within (warnings allowed), 1 a fail level breached, 2 usage or input error.

    \b
    Examples:
      costopt gate --audit report/audit.json --budget 50000 --max-growth 10
      costopt gate --audit report/audit.json --budgets budgets.toml --junit gate.xml
      costopt gate --demo --budget 20000 --warn-only --markdown gate.md
    """
    if audit_path and (sources or providers or demo):
        raise click.UsageError("pass either --audit AUDIT.json or audit flags (--source/--provider/--demo), not both")
    settings = load_settings_with_overrides(config_path, lookback)
    budget_set = (load_budgets_file(budgets_path, settings.team_tag_keys) if budgets_path
                  else budgets_from_settings(settings))
    budget_set = budget_set.plus(cli_budgets(budget, budget_period, max_growth))
    if not len(budget_set):
        raise InputError("no budgets to check: pass --budget AMOUNT, --max-growth PCT, --budgets FILE, "
                         "or add a [budgets] table to costopt.toml", key="budgets")
    if audit_path:
        audit = load_audit(audit_path)
    else:
        audit = _run_audit(settings, sources, source_format, providers, demo, lookback, quiet)
    results = evaluate_budgets(audit, budget_set, as_of)
    audit = replace(audit, budgets=tuple(results))
    days = spend_days(audit, as_of)
    day = days.as_of.isoformat()
    if days.gap_note():
        click.echo(f"costopt: warning: {days.gap_note().lstrip('; ')}", err=True)
    if as_json:
        fmt = "json"
    outputs = {}
    if junit_path:
        outputs[Path(junit_path)] = junit.render(audit, slo=False)
    summary = markdown(results, currency=audit.currency, as_of=day, warn_only=warn_only)
    if markdown_path:
        outputs[Path(markdown_path)] = summary
    if fmt == "json":
        text = json_document(results, currency=audit.currency, as_of=day, warn_only=warn_only)
    elif fmt == "md":
        text = summary
    else:
        text = table(results, currency=audit.currency, as_of=day, warn_only=warn_only)
    if out_path:
        outputs[Path(out_path)] = text
    write_outputs(outputs)  # all or none; an OS error is one line naming the file
    try:
        step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if step_summary:
            with open(step_summary, "a", encoding="utf-8") as fh:
                fh.write(summary + "\n")
    except OSError as exc:
        raise InputError(f"cannot write the output ({exc.strerror})", path=str(exc.filename or "GITHUB_STEP_SUMMARY")) from None
    if not out_path:
        terminal.echo(terminal.statuses(text) if fmt == "table" else text, nl=False)
    code = exit_code(results, warn_only)
    if code:
        click.get_current_context().exit(code)


def _run_audit(settings, sources, source_format, providers, demo, lookback, quiet):
    """Collect and build an audit like `costopt audit` (no reports written)."""
    # heavy (the rules, trade-off, catalog and billing readers): `costopt gate --audit FILE` skips them
    from costopt.collect import collect
    from costopt.pipeline import AuditRequest, build_audit

    if lookback is None and settings.lookback < GATE_MIN_LOOKBACK:
        settings = replace(settings, lookback=GATE_MIN_LOOKBACK)
    progress = Progress(quiet=quiet)
    names = tuple(v.strip() for value in providers for v in value.split(",") if v.strip())
    demo_source = None
    if demo:  # the CLI's --demo path, the only product code that imports the demo (its fakes need the 'demo' extra)
        from costopt.demo.collect import collect_demo

        demo_source = collect_demo
    request = AuditRequest(sources=tuple(sources), source_format=None if source_format == "auto" else source_format,
                           providers=names, demo=demo_source)
    snapshot = collect(request, settings, progress, explicit_lookback=lookback is not None)
    return build_audit(snapshot, settings, progress=progress)
