"""Budgets: the ``[budgets]`` table of costopt.toml (or a ``--budgets FILE``), parsed and checked.

Format (TOML; in costopt.toml under ``[budgets]``, in a separate file either under
``[budgets]`` or at the top level)::

    [budgets]
    currency = "USD"          # optional: the audit's currency must match
    forecast_weeks = 4        # optional: weeks of history behind the weekday forecast (1-12)

    [budgets.total]
    month  = { warn = 40000, fail = 50000 }   # month to date AND forecast to month end
    week   = { warn = 9000, fail = 11000 }    # the last 7 complete days
    growth = { warn = 10, fail = 25 }         # week over week, in percent
    window = 60000                            # whole audit window; a bare number = fail level

    [budgets.provider.AWS]    # FOCUS ProviderName; GCP / Azure match "Google Cloud" / "Microsoft"
    month = { warn = 30000, fail = 35000, basis = "actual" }  # judge month to date only

    [budgets.account."123456789012"]
    week = { fail = 8000 }

    [budgets.service."Amazon SageMaker"]
    growth = { warn = 15, fail = 30 }

    [budgets.category."AI and Machine Learning"]   # FOCUS ServiceCategory
    month = { warn = 20000, fail = 25000, cost = "billed" }

    [budgets.tag."team=vision"]                     # the team tag (see team_tag_keys)
    month = { warn = 8000, fail = 10000 }

    [budgets.max_unrealised_savings]   # recommendations left open too long
    warn = 1000                        # per month of savings still on the table...
    fail = 5000
    weeks = 4                          # ...from recommendations open for more than 4 weeks

The same budgets may be written as an array of tables, one check each::

    [[budgets]]
    scope = "team=vision"     # total | provider=X | account=X | service=X | category=X | team=X | tag:team=X
    period = "month"          # month | week | window | growth
    warn = 8000
    fail = 10000

Every level is ``warn`` and/or ``fail`` (at least one; ``warn`` <= ``fail``). Amounts are in
the audit's currency, growth in percent (a negative growth level asks for shrinking spend).
Scope values match the audit's daily spend rows case-insensitively. The only tag the spend
rows carry is the team (from ``team_tag_keys``), so ``tag."env=prod"`` is an error that says
so. Errors name the file, line and key.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from costopt.config import ConfigSource
from costopt.errors import ConfigError
from costopt.gate.locate import line_of

SCOPE_KINDS = ("total", "provider", "account", "service", "category", "tag")
PERIODS = ("month", "week", "window", "growth")
LEVEL_KEYS = ("warn", "fail", "basis", "cost", "name")
BASES = ("forecast", "actual")
COSTS = ("effective", "billed")
TAG_KEYS = ("team",)  # tag keys the audit's spend rows carry (from Settings.team_tag_keys)
DEFAULT_FORECAST_WEEKS = 4
DEFAULT_SAVINGS_WEEKS = 4
TOP_KEYS = {
    "currency": "a 3-letter currency code",
    "forecast_weeks": "an integer 1-12",
    "max_unrealised_savings": "a table with warn, fail and weeks",
    **{kind: "a table of periods" if kind == "total" else f"a table of {kind} -> periods" for kind in SCOPE_KINDS},
}


@dataclass(frozen=True)
class Budget:
    """One spend check: a scope (``total`` or kind=value), a period and warn/fail levels."""

    scope_kind: str
    scope_value: str | None
    period: str
    warn: float | None = None
    fail: float | None = None
    basis: str = "forecast"  # month only: judge the forecast too, or month to date only
    cost: str = "effective"  # which cost column: effective (amortised) or billed
    name: str = ""
    key: str = ""  # where it was defined, e.g. budgets.provider.AWS.month

    @property
    def scope(self) -> str:
        return "total" if self.scope_kind == "total" else f"{self.scope_kind}={self.scope_value}"

    @property
    def label(self) -> str:
        return "team=" + str(self.scope_value) if self.scope_kind == "tag" else self.scope


@dataclass(frozen=True)
class SavingsBudget:
    """Fail when open recommendations older than ``weeks`` are worth more than the levels."""

    warn: float | None = None
    fail: float | None = None
    weeks: int = DEFAULT_SAVINGS_WEEKS
    key: str = "budgets.max_unrealised_savings"


@dataclass(frozen=True)
class BudgetSet:
    budgets: tuple[Budget, ...] = ()
    savings: SavingsBudget | None = None
    currency: str | None = None
    forecast_weeks: int = DEFAULT_FORECAST_WEEKS
    source: ConfigSource = field(default_factory=ConfigSource)
    base: tuple[str, ...] = ("budgets",)  # where the budgets sit in the source file

    def error(self, key: str, message: str) -> ConfigError:
        return _Errors(self.source, self.base)((key,), message)

    def __len__(self) -> int:
        return len(self.budgets) + (1 if self.savings else 0)

    def plus(self, extra: Sequence[Budget]) -> BudgetSet:
        return replace(self, budgets=self.budgets + tuple(extra))


class _Errors:
    """Builds ConfigErrors with the line of a key path, for keys under ``base``."""

    def __init__(self, source: ConfigSource, base: tuple[str, ...]):
        self.source, self.base = source, base

    def __call__(self, path: Sequence[str | int], message: str) -> ConfigError:
        full = self.base + tuple(str(p) for p in path)
        line = line_of(self.source.text, tuple(self.source.prefix) + full)
        return ConfigError(message, path=self.source.path, line=line, key=".".join(full))


def parse_budgets(raw: Any, source: ConfigSource | None = None, base: tuple[str, ...] = ("budgets",),
                  team_tag_keys: Sequence[str] = ()) -> BudgetSet:
    """Validate the raw budgets value (a table or an array of tables) into a BudgetSet."""
    source = source or ConfigSource()
    err = _Errors(source, base)
    if raw is None or raw == {} or raw == []:
        return BudgetSet(source=source, base=base)
    if isinstance(raw, list):
        return BudgetSet(budgets=tuple(_array_item(item, i, err, team_tag_keys) for i, item in enumerate(raw)),
                         source=source, base=base)
    if not isinstance(raw, Mapping):
        raise err((), "expected a table of budgets ([budgets]) or an array of tables ([[budgets]])")
    for key in raw:
        if key not in TOP_KEYS:
            raise err((key,), f"unknown budgets key; expected one of: {', '.join(TOP_KEYS)}")
    out: list[Budget] = []
    for kind, value in raw.items():  # in the file's order
        if kind not in SCOPE_KINDS:
            continue
        if not isinstance(value, Mapping):
            raise err((kind,), f"expected {TOP_KEYS[kind]}")
        if kind == "total":
            out.extend(_periods(value, "total", None, (kind,), err))
            continue
        for raw_key, periods in value.items():
            path = (kind, str(raw_key))
            scope_value = _tag_value(raw_key, path, err, team_tag_keys) if kind == "tag" else str(raw_key)
            if not isinstance(periods, Mapping):
                raise err(path, f"expected a table of periods ({', '.join(PERIODS)})")
            out.extend(_periods(periods, kind, scope_value, path, err))
    return BudgetSet(
        budgets=tuple(out),
        savings=_savings(raw["max_unrealised_savings"], err) if "max_unrealised_savings" in raw else None,
        currency=_currency(raw["currency"], err) if "currency" in raw else None,
        forecast_weeks=_forecast_weeks(raw["forecast_weeks"], err) if "forecast_weeks" in raw else DEFAULT_FORECAST_WEEKS,
        source=source,
        base=base,
    )


def _tag_value(key: Any, path: tuple[str | int, ...], err: _Errors, team_tag_keys: Sequence[str]) -> str:
    text = str(key)
    if "=" not in text:
        raise err(path, f"expected a tag scope KEY=VALUE such as \"team=vision\", got {text!r}")
    tag, value = (p.strip() for p in text.split("=", 1))
    accepted = set(TAG_KEYS) | set(team_tag_keys)
    if tag not in accepted:
        raise err(path, f"tag key {tag!r} is unsupported: the audit's daily spend carries only the team tag "
                        f"(read from team_tag_keys {', '.join(team_tag_keys) or 'costopt:team, team'}); "
                        "use \"team=VALUE\"")
    if not value:
        raise err(path, "expected a team name after '=' (e.g. \"team=vision\")")
    return value


def _number(value: Any, path: Sequence[str | int], err: _Errors, *, allow_negative: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise err(path, f"expected a number, got {value!r}")
    if value < 0 and not allow_negative:
        raise err(path, f"expected a number >= 0, got {value!r}")
    return float(value)


def _level(value: Any, kind: str, scope_value: str | None, period: str, path: tuple[str | int, ...], err: _Errors) -> Budget:
    growth = period == "growth"
    if not isinstance(value, Mapping):
        return Budget(kind, scope_value, period, fail=_number(value, path, err, allow_negative=growth),
                      key=_dotted(err, path))
    for key in value:
        if key not in LEVEL_KEYS:
            raise err(path + (key,), f"unknown key; expected any of: {', '.join(LEVEL_KEYS)}")
    warn: float | None = _number(value["warn"], path + ("warn",), err, allow_negative=growth) if "warn" in value else None
    fail: float | None = _number(value["fail"], path + ("fail",), err, allow_negative=growth) if "fail" in value else None
    if warn is None and fail is None:
        raise err(path, "expected a warn and/or fail level (e.g. { warn = 800, fail = 1000 })")
    if warn is not None and fail is not None and warn > fail:
        raise err(path + ("warn",), f"warn level {warn:g} is above the fail level {fail:g}")
    basis = value.get("basis", "forecast")
    if basis not in BASES:
        raise err(path + ("basis",), f"expected one of {', '.join(BASES)}, got {basis!r}")
    if "basis" in value and period != "month":
        raise err(path + ("basis",), "basis applies to month budgets only")
    cost = value.get("cost", "effective")
    if cost not in COSTS:
        raise err(path + ("cost",), f"expected one of {', '.join(COSTS)}, got {cost!r}")
    name = value.get("name", "")
    if not isinstance(name, str):
        raise err(path + ("name",), "expected a string")
    return Budget(kind, scope_value, period, warn, fail, basis, cost, name, _dotted(err, path))


def _dotted(err: _Errors, path: tuple[str | int, ...]) -> str:
    return ".".join(err.base + tuple(str(p) for p in path))


def _periods(table: Mapping[str, Any], kind: str, scope_value: str | None, path: tuple[str | int, ...], err: _Errors) -> list[Budget]:
    out = []
    for period, value in table.items():
        if period not in PERIODS:
            raise err(path + (period,), f"unknown period; expected one of: {', '.join(PERIODS)}")
        out.append(_level(value, kind, scope_value, period, path + (period,), err))
    if not out:
        raise err(path, "no periods: add month, week, window or growth (e.g. month = { warn = 800, fail = 1000 })")
    return out


def parse_scope(text: Any, path: Sequence[str | int], err: _Errors, team_tag_keys: Sequence[str] = ()) -> tuple[str, str | None]:
    """``total`` | ``provider=AWS`` | ``team=vision`` | ``tag:team=vision`` -> (kind, value)."""
    if not isinstance(text, str) or not text.strip():
        raise err(path, "expected a scope: total, provider=X, account=X, service=X, category=X or team=X")
    text = text.strip()
    if text == "total":
        return "total", None
    if text.startswith("tag:") or text.startswith("tag."):
        return "tag", _tag_value(text[4:], tuple(path), err, team_tag_keys)
    if "=" not in text:
        raise err(path, f"unknown scope {text!r}; expected total, provider=X, account=X, service=X, category=X or team=X")
    kind, value = (p.strip() for p in text.split("=", 1))
    if kind in ("team",) or kind in team_tag_keys:
        return "tag", _tag_value(f"team={value}", tuple(path), err, team_tag_keys)
    if kind not in SCOPE_KINDS or kind == "total" or not value:
        raise err(path, f"unknown scope {text!r}; expected total, provider=X, account=X, service=X, category=X or team=X")
    return kind, value


def _array_item(item: Any, index: int, err: _Errors, team_tag_keys: Sequence[str]) -> Budget:
    path = (index,)
    if not isinstance(item, Mapping):
        raise err(path, "expected a table with scope, period, warn and/or fail")
    allowed = ("scope", "period") + LEVEL_KEYS
    for key in item:
        if key not in allowed:
            raise err(path + (key,), f"unknown key; expected any of: {', '.join(allowed)}")
    if "scope" not in item:
        raise err(path, "missing key 'scope' (total, provider=X, account=X, service=X, category=X or team=X)")
    kind, value = parse_scope(item["scope"], path + ("scope",), err, team_tag_keys)
    period = item.get("period")
    if period not in PERIODS:
        raise err(path + ("period",), f"expected a period: one of {', '.join(PERIODS)}, got {period!r}")
    level = {k: v for k, v in item.items() if k in LEVEL_KEYS}
    return _level(level, kind, value, period, path, err)


def _savings(value: Any, err: _Errors) -> SavingsBudget:
    path = ("max_unrealised_savings",)
    if not isinstance(value, Mapping):
        return SavingsBudget(fail=_number(value, path, err))
    for key in value:
        if key not in ("warn", "fail", "weeks"):
            raise err(path + (key,), "unknown key; expected any of: warn, fail, weeks")
    warn: float | None = _number(value["warn"], path + ("warn",), err) if "warn" in value else None
    fail: float | None = _number(value["fail"], path + ("fail",), err) if "fail" in value else None
    if warn is None and fail is None:
        raise err(path, "expected a warn and/or fail amount per month")
    if warn is not None and fail is not None and warn > fail:
        raise err(path + ("warn",), f"warn level {warn:g} is above the fail level {fail:g}")
    weeks = value.get("weeks", DEFAULT_SAVINGS_WEEKS)
    if isinstance(weeks, bool) or not isinstance(weeks, int) or weeks < 0:
        raise err(path + ("weeks",), f"expected a whole number of weeks >= 0, got {weeks!r}")
    return SavingsBudget(warn, fail, weeks)


def _currency(value: Any, err: _Errors) -> str:
    if not (isinstance(value, str) and len(value) == 3 and value.isalpha() and value.isupper()):
        raise err(("currency",), f"expected a 3-letter currency code such as 'USD', got {value!r}")
    return value


def _forecast_weeks(value: Any, err: _Errors) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 12:
        raise err(("forecast_weeks",), f"expected a whole number of weeks from 1 to 12, got {value!r}")
    return value
