"""``costopt ci comment``: post the gate's Markdown on the pull request as one comment, updated in place."""

from __future__ import annotations

import os
from pathlib import Path

import click

from costopt.ci.github_comment import MARKER, comment_body, pull_request_from_env, run_footer, upsert_comment
from costopt.errors import InputError


@click.group("ci")
def command() -> None:
    """Helpers for CI systems (used by the GitHub Action in action.yml).

    \b
    Examples:
      costopt gate --audit report/audit.json --budgets budgets.toml --markdown gate.md
      costopt ci comment --markdown gate.md     # in a pull_request workflow, GITHUB_TOKEN set
    """


@command.command("comment")
@click.option("--markdown", "markdown_path", required=True, metavar="FILE",
              help="The Markdown to post (e.g. the gate's --markdown file).")
@click.option("--pr", "number", type=click.IntRange(min=1), metavar="N",
              help="Pull request number (default: from the event in $GITHUB_EVENT_PATH).")
@click.option("--marker", default=MARKER, show_default=True,
              help="Hidden marker that finds the comment to update.")
def comment(markdown_path: str, number: int | None, marker: str) -> None:
    """Create or update ONE pull-request comment, found by a hidden marker.

    Reads GITHUB_REPOSITORY, GITHUB_TOKEN, GITHUB_API_URL (default https://api.github.com) and the
    pull request number from the event file GITHUB_EVENT_PATH, as set in GitHub Actions. The
    token needs the pull-requests: write permission.
    """
    try:
        markdown = Path(markdown_path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the Markdown: {exc.strerror if isinstance(exc, OSError) else exc}",
                         path=markdown_path) from None
    env = dict(os.environ)
    pr = pull_request_from_env(env, number)
    result = upsert_comment(pr, comment_body(markdown, marker=marker, footer=run_footer(env)), marker=marker)
    click.echo(f"{result.action} comment {result.id} on {pr.repository}#{pr.number}"
               + (f": {result.url}" if result.url else ""))
