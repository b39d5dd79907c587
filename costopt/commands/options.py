"""Options shared by several commands (config, lookback, quiet), defined once."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import click

from costopt.config import Settings, load_settings, parse_duration
from costopt.errors import InputError

config_option = click.option(
    "--config", "config_path", type=click.Path(dir_okay=False),
    help="costopt.toml or pyproject.toml with [tool.costopt] (default: ./costopt.toml, then ./pyproject.toml).")
quiet_option = click.option("--quiet", "-q", is_flag=True, help="No progress lines on stderr.")


def load_settings_with_overrides(config_path: str | None, lookback: str | None = None) -> Settings:
    """Settings from the config file, with command-line overrides applied."""
    settings = load_settings(config_path)
    if lookback is not None:
        try:
            settings = replace(settings, lookback=parse_duration(lookback, what="lookback"))
        except ValueError as exc:
            raise InputError(str(exc), key="--lookback") from None
    validate_sections(settings)
    return settings


def validate_sections(settings: Settings) -> None:
    """Check rules, workloads/models and budgets now, before any slow collection starts."""
    # imported here, not at the top: every command loads this module, and `costopt costs` must start fast
    from costopt.gate.load import budgets_from_settings
    from costopt.rules.engine import validate_rule_config
    from costopt.tradeoff.targets import parse_targets

    validate_rule_config(settings)
    parse_targets(settings)
    budgets_from_settings(settings)


def parse_as_of(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    """``--as-of``: an ISO date (midnight UTC) or date-time (UTC unless an offset is given)."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected a date YYYY-MM-DD or a date-time YYYY-MM-DDTHH:MM (UTC), got {value!r}") from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
