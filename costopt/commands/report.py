"""``costopt report AUDIT.json``: re-render a saved audit in another format."""

from __future__ import annotations

import sys

import click

from costopt.atomic import write_outputs
from costopt.audit_io import load_audit
from costopt.reports import FORMATS, render


@click.command("report")
@click.argument("audit_path", metavar="AUDIT.json", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), default="md", show_default=True,
              help="Output format.")
@click.option("-o", "--out", "output", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")
@click.option("--output", "output_alias", type=click.Path(dir_okay=False), hidden=True)
@click.option("--plotlyjs", type=click.Choice(["inline", "cdn"]), default="inline", show_default=True,
              help="HTML only: embed plotly.js (offline) or load it from a CDN.")
def command(audit_path: str, fmt: str, output: str | None, output_alias: str | None, plotlyjs: str) -> None:
    """Re-render a saved audit (audit.json) as html, md, json, csv or junit.

    \b
    Example:
      costopt report costopt-report/audit.json --format csv -o recs.csv
    """
    output = output or output_alias
    audit = load_audit(audit_path)
    text = render(audit, fmt, plotlyjs=plotlyjs)
    if output:
        write_outputs({output: text})
        click.echo(f"wrote {output}", err=True)
    else:
        sys.stdout.write(text)
