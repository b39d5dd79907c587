"""The ``[providers.*]`` sections of costopt.toml: every key each adapter reads, checked at load.

Why: a misspelt key (``max_worker = 4``) or a wrong type used to be ignored or to fail only
once the adapter ran; now it is a config error naming the file, line and key before anything
is collected. Each adapter reads its section through these names only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol


class ConfigSource(Protocol):
    """Where the settings came from (costopt.config.ConfigSource): errors point at file and line."""

    def error(self, key_path: tuple[str, ...], message: str) -> Exception: ...

AWS_PRICE_MODES = ("auto", "api", "catalog", "off")
AWS_RETRY_MODES = ("standard", "adaptive", "legacy")


@dataclass(frozen=True)
class Key:
    """One setting: what it must be (for the error) and the check."""

    expected: str
    valid: Callable[[Any], bool]


def _whole(minimum: int) -> Key:
    return Key(f"a whole number >= {minimum}",
               lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= minimum)


def _one_of(*choices: str) -> Key:
    return Key("one of " + ", ".join(repr(c) for c in choices), lambda v: v in choices)


def _strings() -> Key:
    return Key("a list of strings", lambda v: isinstance(v, list) and all(isinstance(x, str) and x for x in v))


_PERIOD = Key("a whole number of seconds, a multiple of 60",
              lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 60 and v % 60 == 0)
_TEXT = Key("a non-empty string", lambda v: isinstance(v, str) and bool(v))
_SECONDS = Key("a number of seconds > 0", lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v < 1e6)
_RATES = Key("a table of SERVICE or SERVICE:Operation = requests per second (> 0)",
             lambda v: isinstance(v, Mapping) and all(
                 isinstance(k, str) and k and isinstance(x, (int, float)) and not isinstance(x, bool) and x > 0
                 for k, x in v.items()))


@dataclass(frozen=True)
class Timeouts:
    """How long costopt waits on a cloud: each connection, each read, each scope as a whole.

    ``deadline_s`` bounds one region (AWS), project (GCP) or subscription (Azure): past it the
    scope is given up and reported as timed out under coverage, and the audit goes on. Set
    per provider as ``connect_timeout_s``, ``read_timeout_s`` and ``deadline_s`` under
    ``[providers.aws]`` / ``[providers.gcp]`` / ``[providers.azure]``.
    """

    connect_s: float = 10.0
    read_s: float = 30.0
    deadline_s: float = 600.0


TIMEOUT_KEYS = {"connect_timeout_s": "connect_s", "read_timeout_s": "read_s", "deadline_s": "deadline_s"}


def timeouts(section: Mapping[str, Any] | None, **explicit: float | None) -> Timeouts:
    """The provider section's timeouts (validated at load), explicit values first, else the defaults."""
    section = section if isinstance(section, Mapping) else {}
    values = {field: float(section[key]) for key, field in TIMEOUT_KEYS.items() if key in section}
    values.update({k: float(v) for k, v in explicit.items() if v is not None})
    return Timeouts(**values)

_TIMEOUTS = {key: _SECONDS for key in TIMEOUT_KEYS}
PROVIDER_KEYS: dict[str, dict[str, Key]] = {
    "aws": {"max_workers": _whole(1), "retry_mode": _one_of(*AWS_RETRY_MODES), "max_attempts": _whole(1),
            "prices": _one_of(*AWS_PRICE_MODES), "period_s": _PERIOD,
            "athena_workgroup": _TEXT, "athena_output": _TEXT, "athena_region": _TEXT,
            "org_role": _TEXT, "org_accounts": _strings(), "org_exclude_accounts": _strings(),
            "org_ous": _strings(), "org_exclude_ous": _strings(), "max_per_account": _whole(1),
            "rate_limits": _RATES, **_TIMEOUTS},
    "gcp": {"projects": _strings(), "bq_table": _TEXT, "vertex_regions": _strings(),
            "maximum_bytes_billed": _whole(1), **_TIMEOUTS},
    "azure": {"subscriptions": _strings(), "management_groups": _strings(), **_TIMEOUTS},
}


def validate_providers(section: Mapping[str, Any], source: ConfigSource) -> None:
    """Raise a ConfigError (file, line, key) for an unknown provider, key or a bad value."""
    for provider, body in section.items():
        known = PROVIDER_KEYS.get(provider)
        if known is None:
            raise source.error(("providers", provider), f"unknown provider; expected one of: {', '.join(PROVIDER_KEYS)}")
        if not isinstance(body, Mapping):
            raise source.error(("providers", provider), "expected a table of settings")
        for key, value in body.items():
            rule = known.get(key)
            if rule is None:
                raise source.error(("providers", provider, key),
                                   f"unknown setting; [providers.{provider}] takes: {', '.join(known)}")
            if not rule.valid(value):
                raise source.error(("providers", provider, key), f"expected {rule.expected}, got {value!r}")
