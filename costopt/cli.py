"""The ``costopt`` command line: a click group; each command lives in costopt/commands/.

Errors the user can fix print one line (``costopt: error: ...``) and exit 2; ``--debug``
shows the traceback instead. Exit codes: 0 ok, 1 a gate/budget breached, 2 usage or input error.
"""

from __future__ import annotations

import importlib
import os
import sys

import click

from costopt import __version__, logsafe, terminal
from costopt.errors import CostoptError

COMMANDS = {
    "costs": "costopt.commands.costs",
    "audit": "costopt.commands.audit",
    "report": "costopt.commands.report",
    "gate": "costopt.commands.gate",
    "rules": "costopt.commands.rules",
    "catalog": "costopt.commands.catalog",
    "history": "costopt.commands.history",
    "completion": "costopt.commands.completion",
    "ci": "costopt.commands.ci",
}


class CostoptGroup(click.Group):
    """A click group that imports a command only when it runs (fast start-up) and turns
    CostoptError into one line and exit code 2."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        return importlib.import_module(COMMANDS[name]).command

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CostoptError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            # one line; a value quoted from data (a column name, a cell) cannot add control characters
            click.echo(click.style("costopt: error:", fg="red", bold=True) + f" {terminal.safe(exc)}", err=True,
                       color=terminal.colour())
            ctx.exit(exc.exit_code)


@click.group(cls=CostoptGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="costopt")
@click.option("--debug", is_flag=True, help="Show full tracebacks and debug logs.")
@click.option("--no-color", is_flag=True, help="No colours (also when NO_COLOR is set; pipes never get colours).")
@click.pass_context
def cli(ctx: click.Context, debug: bool, no_color: bool) -> None:
    """costopt: find what your cloud ML estate wastes, priced, without breaking model SLOs.

    \b
    Typical weekly run:
      costopt audit --demo --out ./costopt-report        # no cloud account needed
      costopt costs --source 'exports/*.csv.gz' --group-by provider,service
      costopt audit --source focus.parquet --out report/
      costopt gate --audit report/audit.json --budget 50000 --max-growth 10

    Exit codes: 0 ok, 1 a budget or gate check failed, 2 usage or input error.
    Shell completion: eval "$(costopt completion bash)" (or zsh, fish).
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    ctx.obj["no_color"] = no_color
    if not debug:  # gRPC's C core logs connection events (GOAWAY...) to stderr unless told otherwise
        os.environ.setdefault("GRPC_VERBOSITY", "ERROR")
    logsafe.configure(debug)


def main() -> None:
    cli(prog_name="costopt")


if __name__ == "__main__":
    sys.exit(main())
