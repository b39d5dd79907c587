"""``costopt completion bash|zsh|fish``: the shell completion script, to eval or save."""

from __future__ import annotations

import click
from click.shell_completion import get_completion_class


@click.command("completion")
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
@click.pass_context
def command(ctx: click.Context, shell: str) -> None:
    """Print the completion script for SHELL.

    \b
    Examples:
      eval "$(costopt completion bash)"                 # in ~/.bashrc
      costopt completion zsh > ~/.zfunc/_costopt        # zsh, with ~/.zfunc in fpath
      costopt completion fish > ~/.config/fish/completions/costopt.fish
    """
    completion = get_completion_class(shell)
    if completion is None:  # click knows the three shells above; kept for clarity of the error
        raise click.BadParameter(f"no completion for {shell}")
    root = ctx.find_root().command
    click.echo(completion(root, {}, "costopt", "_COSTOPT_COMPLETE").source())
