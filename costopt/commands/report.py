"""``costopt report AUDIT.json``: re-render a saved audit in another format."""

from __future__ import annotations

import sys
from pathlib import PurePath

import click

from costopt.atomic import write_outputs
from costopt.audit_io import load_audit
from costopt.reports import FORMATS, render

# -o FILE without --format: the format its extension names (a report.html must not hold Markdown).
BY_EXTENSION = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md", ".json": "json", ".csv": "csv",
                ".xml": "junit"}


def format_for(output: str | None) -> str:
    """The format ``-o output`` implies by its extension; Markdown when it names none."""
    return BY_EXTENSION.get(PurePath(output).suffix.lower(), "md") if output else "md"


@click.command("report")
@click.argument("audit_path", metavar="AUDIT.json", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), default=None,
              help="Output format. Default: from the -o file's extension (.html .md .json .csv .xml), else md.")
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
    fmt = fmt or format_for(output)
    audit = load_audit(audit_path)
    text = render(audit, fmt, plotlyjs=plotlyjs)
    if output:
        write_outputs({output: text})
        click.echo(f"wrote {output}", err=True)
    else:
        sys.stdout.write(text)
