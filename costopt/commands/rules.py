"""``costopt rules list`` and ``costopt rules explain ID``: what each rule checks and how to tune it."""

from __future__ import annotations

import difflib
import inspect
import json
import re
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

import click

from costopt.commands.options import config_option, load_settings_with_overrides
from costopt.errors import InputError
from costopt.rules.engine import is_enabled, load_rules, rule_settings


def _registry():
    return load_rules()


def plain_text(doc: str) -> str:
    """A docstring for the terminal: reST literals (``x``) and ``::`` block markers become plain text."""
    text = re.sub(r"``([^`]+)``", r"\1", doc)
    text = re.sub(r"(\S)::$", r"\1:", text, flags=re.MULTILINE)
    return re.sub(r"^\s*::$\n", "", text, flags=re.MULTILINE)


def _toml_value(value) -> str:
    """A default as it would be written in costopt.toml."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value)
    return repr(value)


@click.group("rules")
def command() -> None:
    """List the recommendation rules and explain one (why, how to fix, parameters).

    \b
    Examples:
      costopt rules list
      costopt rules list --family rightsizing
      costopt rules explain rightsizing.oversized_vm
    """


@command.command("list")
@click.option("--family", help="Only rules of this family (e.g. rightsizing, spot, storage).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "text"]), default="table", show_default=True,
              help="Output format (text is the old name of table).")
@config_option
def list_rules(family: str | None, fmt: str, config_path: str | None) -> None:
    """Every rule: id, family, title and whether it runs by default (or per your config)."""
    settings = load_settings_with_overrides(config_path)
    registry = _registry()
    specs = [registry[i] for i in sorted(registry) if family is None or registry[i].family == family]
    if family is not None and not specs:
        families = sorted({s.family for s in registry.values()})
        raise InputError(f"no rules in family {family!r}; families: {', '.join(families)}", key="--family")
    rows = [{"id": s.id, "family": s.family, "title": s.title, "default": "on" if s.enabled_by_default else "off",
             "enabled": is_enabled(s, settings)} for s in specs]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    width = max(len(r["id"]) for r in rows)
    fam_w = max(len("family"), *(len(r["family"]) for r in rows))
    click.echo(f"{'id':<{width}}  {'family':<{fam_w}}  default   title")
    for r in rows:
        state = r["default"] + ("" if r["enabled"] == (r["default"] == "on") else (" (on)" if r["enabled"] else " (off)"))
        click.echo(f"{r['id']:<{width}}  {r['family']:<{fam_w}}  {state:<8}  {r['title']}")
    click.echo(f"\n{len(rows)} rules. `costopt rules explain ID` shows why, how to fix and the parameters.")


@command.command("explain")
@click.argument("rule_id")
@config_option
def explain(rule_id: str, config_path: str | None) -> None:
    """Why RULE_ID matters, how to fix its findings, its parameters and the config keys to change them."""
    registry = _registry()
    spec = registry.get(rule_id)
    if spec is None:
        close = difflib.get_close_matches(rule_id, list(registry), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else "; see `costopt rules list`"
        raise InputError(f"unknown rule id {rule_id!r}{hint}", key="RULE_ID")
    settings = load_settings_with_overrides(config_path)
    configured = rule_settings(settings, rule_id)
    click.echo(f"{spec.id}  (family {spec.family}, default {'on' if spec.enabled_by_default else 'off'}, "
               f"{'enabled' if is_enabled(spec, settings) else 'disabled'} with your config)")
    click.echo("")
    click.echo(plain_text(spec.doc))
    click.echo("")
    click.echo(f"Defined in {spec.func.__module__} ({_source_path(spec.func)}).")
    click.echo("")
    params = [f for f in fields(spec.params)] if is_dataclass(spec.params) else []
    defaults = spec.param_defaults()
    click.echo(f'Parameters: set any of them under [rules."{spec.id}"] in costopt.toml '
               "(or [tool.costopt.rules.\"...\"] in pyproject.toml); shown with their defaults:")
    click.echo(f'  [rules."{spec.id}"]')
    click.echo("  enabled = " + ("true" if spec.enabled_by_default else "false"))
    choices = getattr(spec.params, "CHOICES", {})
    for f in params:
        mine = f"    # yours: {_toml_value(configured[f.name])}" if f.name in configured else ""
        allowed = f"    # one of {', '.join(map(_toml_value, choices[f.name]))}" if f.name in choices and not mine else ""
        click.echo(f"  {f.name} = {_toml_value(defaults[f.name])}{mine}{allowed}")
    if not params:
        click.echo("  (no parameters besides enabled)")


def _source_path(func: Any) -> str:
    """The file that defines ``func``: relative to the costopt checkout or install, else absolute."""
    path = Path(inspect.getsourcefile(func) or "?").resolve()
    root = Path(__file__).resolve().parents[2]
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
