"""Load ``costopt.toml`` (or ``[tool.costopt]`` in pyproject.toml) into validated Settings.

Top-level keys are checked here; each section's contents are validated by the module that
owns it (rules params by costopt.rules.engine, workloads/models by costopt.tradeoff.targets,
budgets by costopt.gate). Every error names the file, the line and the key, via
:meth:`ConfigSource.error`.

Example::

    lookback = "14d"
    slo_policy = "strict"
    history = "~/.local/share/costopt/history"   # or s3://bucket/prefix, gs://bucket/prefix

    [rules."rightsizing.oversized_vm"]
    headroom = 0.3

    [exclude]
    resources = ["i-0abc*"]
    tags = { "costopt:ignore" = "true" }
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from costopt.errors import ConfigError
from costopt.provider_config import validate_providers

DEFAULT_LOOKBACK_DAYS = 14
DEFAULT_HISTORY_DIR = "~/.local/share/costopt/history"
DEFAULT_TEAM_TAG_KEYS = ("costopt:team", "team")

CONFIG_VERSION = 1  # ``version = 1`` at the top of costopt.toml; optional, refused when newer

TOP_LEVEL_KEYS = {
    "version": f"the config format version ({CONFIG_VERSION})",
    "lookback": "a duration such as '14d' or '336h'",
    "currency": "a currency code such as 'USD'",
    "history": "a location (folder, s3://BUCKET/PREFIX or gs://BUCKET/PREFIX) or a table with dir and scope",
    "slo_policy": "'strict' or 'advisory'",
    "team_tag_keys": "a list of tag keys that name the owning team",
    "rules": "a table of rule id -> parameters",
    "exclude": "a table with 'resources' (id globs) and 'tags'",
    "workloads": "a table of workload name -> targets",
    "models": "a table of model name -> variants",
    "budgets": "a table or array of budgets",
    "providers": "a table of provider name -> scope settings",
    "report": "a table of report settings",
}


@dataclass(frozen=True)
class ConfigSource:
    """The file a setting came from, so errors can point at its line."""

    path: str = "<defaults>"
    text: str = ""
    prefix: tuple[str, ...] = ()  # ("tool", "costopt") for pyproject.toml

    def line_of(self, key_path: tuple[str, ...]) -> int | None:
        """Best-effort line number of the last key in ``key_path`` (None if not found)."""
        if not self.text or not key_path:
            return None
        lines = self.text.splitlines()
        last = key_path[-1]
        quoted = re.escape(last)
        key_re = re.compile(rf'^\s*(?:"{quoted}"|\'{quoted}\'|{quoted})\s*=')
        table_re = re.compile(r"^\s*\[\[?\s*(.+?)\s*\]\]?\s*$")
        inline_re = re.compile(rf'(?:^|[\s{{,.])(?:"{quoted}"|{quoted})\s*=')
        parent = tuple(self.prefix) + tuple(key_path[:-1])
        current: tuple[str, ...] = ()
        candidate = None
        for number, line in enumerate(lines, start=1):
            m = table_re.match(line)
            if m:
                current = tuple(_split_dotted(m.group(1)))
                if current == tuple(self.prefix) + tuple(key_path):
                    return number
                continue
            if key_re.match(line) and current == parent:
                return number
            if candidate is None and inline_re.search(line):
                candidate = number
        return candidate

    def error(self, key_path: tuple[str, ...] | str, message: str) -> ConfigError:
        path = (key_path,) if isinstance(key_path, str) else tuple(key_path)
        return ConfigError(message, path=self.path, line=self.line_of(path), key=".".join(path))


def _split_dotted(name: str) -> list[str]:
    parts = re.findall(r'"([^"]*)"|\'([^\']*)\'|([^.\s]+)', name)
    return [a or b or c for a, b, c in parts]


@dataclass(frozen=True)
class Settings:
    """Validated top-level settings plus the raw sections their owners validate."""

    lookback: timedelta = timedelta(days=DEFAULT_LOOKBACK_DAYS)
    currency: str | None = None
    history: str = DEFAULT_HISTORY_DIR
    history_scope: str | None = None
    slo_policy: str = "strict"
    team_tag_keys: tuple[str, ...] = DEFAULT_TEAM_TAG_KEYS
    rules: Mapping[str, Any] = field(default_factory=dict)
    exclude: Mapping[str, Any] = field(default_factory=dict)
    workloads: Mapping[str, Any] = field(default_factory=dict)
    models: Mapping[str, Any] = field(default_factory=dict)
    budgets: Any = field(default_factory=dict)
    providers: Mapping[str, Any] = field(default_factory=dict)
    report: Mapping[str, Any] = field(default_factory=dict)
    source: ConfigSource = field(default_factory=ConfigSource)


def parse_duration(value: Any, *, what: str = "duration") -> timedelta:
    """Parse '14d', '336h', '2w', '90m' or a bare number of days."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value <= 0:
            raise ValueError(f"expected a positive {what}, got {value}")
        return timedelta(days=float(value))
    if not isinstance(value, str):
        raise ValueError(f"expected a {what} such as '14d', got {value!r}")
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([wdhm]?)\s*", value.lower())
    if not m:
        raise ValueError(f"expected a {what} such as '14d', '336h' or '2w', got {value!r}")
    amount = float(m.group(1))
    unit = m.group(2) or "d"
    if amount <= 0:
        raise ValueError(f"expected a positive {what}, got {value!r}")
    return {"w": timedelta(weeks=amount), "d": timedelta(days=amount),
            "h": timedelta(hours=amount), "m": timedelta(minutes=amount)}[unit]


HISTORY_KEYS = {"dir": "a folder, s3://BUCKET/PREFIX or gs://BUCKET/PREFIX", "scope": "a scope name"}


def _history(value: Any, source: ConfigSource) -> dict[str, Any]:
    """``history = "DIR"`` or ``[history] dir = "DIR", scope = "NAME"``."""
    if isinstance(value, str):
        return {"history": value}
    if not isinstance(value, dict):
        raise source.error(("history",), f"expected {TOP_LEVEL_KEYS['history']}")
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key not in HISTORY_KEYS:
            raise source.error(("history", key), f"unknown key; expected one of: {', '.join(HISTORY_KEYS)}")
        if not isinstance(item, str) or not item:
            raise source.error(("history", key), f"expected {HISTORY_KEYS[key]} (a non-empty string), got {item!r}")
        out["history" if key == "dir" else "history_scope"] = item
    return out


def load_settings(path: str | Path | None = None, *, search_from: Path | None = None) -> Settings:
    """Load settings from ``path``, or from ./costopt.toml / ./pyproject.toml, or defaults."""
    if path is None:
        base = search_from or Path.cwd()
        if (base / "costopt.toml").is_file():
            path = base / "costopt.toml"
        elif (base / "pyproject.toml").is_file():
            candidate = base / "pyproject.toml"
            try:
                data = tomllib.loads(candidate.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError):
                if "tool.costopt" not in candidate.read_text(encoding="utf-8", errors="replace"):
                    return Settings()  # someone else's broken file: not ours to judge
                data = {"tool": {"costopt": {}}}  # ours and broken: parsed again below, error with line
            if isinstance(data.get("tool"), dict) and "costopt" in data["tool"]:
                path = candidate
        if path is None:
            return Settings()
    p = Path(path)
    if not p.is_file():
        raise ConfigError("config file not found; pass an existing costopt.toml or pyproject.toml", path=str(p))
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not a text file (byte {exc.start}); expected TOML in UTF-8", path=str(p)) from None
    except OSError as exc:
        raise ConfigError(f"cannot read the config file: {exc.strerror}", path=str(p)) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ConfigError(f"not valid TOML: {reason}" + (f" (column {where.group(2)})" if where else ""),
                          path=str(p), line=int(where.group(1)) if where else None) from None
    prefix: tuple[str, ...] = ()
    if p.name == "pyproject.toml":
        tool = data.get("tool", {})
        data = tool.get("costopt", {}) if isinstance(tool, dict) else {}
        prefix = ("tool", "costopt")
        if not isinstance(data, dict):
            raise ConfigSource(path=str(p), text=text).error(prefix, "expected a table [tool.costopt]")
    return settings_from_mapping(data, ConfigSource(path=str(p), text=text, prefix=prefix))


def settings_from_mapping(data: Mapping[str, Any], source: ConfigSource | None = None) -> Settings:
    """Validate the top level of a parsed config mapping."""
    source = source or ConfigSource()
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            known = ", ".join(sorted(TOP_LEVEL_KEYS))
            raise source.error((key,), f"unknown setting; expected one of: {known}")
    kwargs: dict[str, Any] = {"source": source}
    if "version" in data:
        version = data["version"]
        if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= CONFIG_VERSION:
            raise source.error(("version",), f"expected config version {CONFIG_VERSION} (an integer), "
                                             f"got {version!r}; this costopt reads version {CONFIG_VERSION}")
    if "lookback" in data:
        try:
            kwargs["lookback"] = parse_duration(data["lookback"], what="lookback")
        except ValueError as exc:
            raise source.error(("lookback",), str(exc)) from None
    if "currency" in data:
        cur = data["currency"]
        if not (isinstance(cur, str) and re.fullmatch(r"[A-Z]{3}", cur)):
            raise source.error(("currency",), f"expected a 3-letter currency code such as 'USD', got {cur!r}")
        kwargs["currency"] = cur
    if "history" in data:
        kwargs.update(_history(data["history"], source))
    if "slo_policy" in data:
        if data["slo_policy"] not in ("strict", "advisory"):
            raise source.error(("slo_policy",), f"expected 'strict' or 'advisory', got {data['slo_policy']!r}")
        kwargs["slo_policy"] = data["slo_policy"]
    if "team_tag_keys" in data:
        keys = data["team_tag_keys"]
        if not (isinstance(keys, list) and all(isinstance(k, str) for k in keys)):
            raise source.error(("team_tag_keys",), "expected a list of strings")
        kwargs["team_tag_keys"] = tuple(keys)
    for section in ("rules", "exclude", "workloads", "models", "providers", "report"):
        if section in data:
            if not isinstance(data[section], dict):
                raise source.error((section,), f"expected {TOP_LEVEL_KEYS[section]}")
            kwargs[section] = data[section]
    if "providers" in kwargs:
        validate_providers(kwargs["providers"], source)
    if "exclude" in kwargs:
        _check_exclude(kwargs["exclude"], source)
    if "budgets" in data:
        if not isinstance(data["budgets"], (dict, list)):
            raise source.error(("budgets",), f"expected {TOP_LEVEL_KEYS['budgets']}")
        kwargs["budgets"] = data["budgets"]
    return Settings(**kwargs)


def _check_exclude(section: Mapping[str, Any], source: ConfigSource) -> None:
    """``[exclude] resources = ["glob", ...]`` and ``tags = {key = "value"}``, nothing else."""
    for key, value in section.items():
        if key == "resources":
            if not (isinstance(value, list) and all(isinstance(v, str) and v for v in value)):
                raise source.error(("exclude", key), f"expected a list of resource id globs such as "
                                                     f"[\"i-0abc*\"], got {type(value).__name__} {value!r}")
        elif key == "tags":
            if not isinstance(value, dict):
                raise source.error(("exclude", key), f"expected a table of tag key = value such as "
                                                     f"{{ \"costopt:ignore\" = \"true\" }}, got {type(value).__name__} {value!r}")
            for tag, wanted in value.items():
                if not isinstance(wanted, str):
                    raise source.error(("exclude", key, tag), f"expected a string tag value, got {wanted!r}")
        else:
            raise source.error(("exclude", key), "unknown key; expected resources or tags")
