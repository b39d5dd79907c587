"""Bad config files (costopt.toml, pyproject.toml) and bad audit.json documents read back.

Config cases hold the file text and the fragments of the one error line (file, line, key).
Audit cases mutate a valid audit (tests/reports/sample_audit.py) at the document level and in
the fields outside ``proposed``/``impacts``; each names the JSON path the error must give.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from costopt.audit_io import audit_to_dict
from tests.reports.sample_audit import make_audit

RULE, PARAM = "autoscaling.off_hours", "idle_threshold"


@dataclass(frozen=True)
class ConfigCase:
    id: str
    text: str | bytes
    expect: tuple[str, ...]
    name: str = "costopt.toml"


CONFIG_CASES = (
    ConfigCase("binary-file", b"\x89PNG\r\n\x1a\n\xff\xfe\x00\x00" * 8, ("not a text file", "expected TOML")),
    ConfigCase("nul-bytes", 'lookback = "14d"\n\x00\x00\n', ("line 2", "not valid TOML")),
    ConfigCase("unclosed-table", '[rules\nlookback = "1d"\n', ("line 1", "not valid TOML")),
    ConfigCase("duplicate-key", 'lookback = "1d"\nlookback = "2d"\n', ("line 2", "not valid TOML")),
    ConfigCase("unknown-setting", 'lookback = "14d"\nlookbak = "14d"\n', ("line 2", "key 'lookbak'", "unknown setting")),
    ConfigCase("version-newer", "version = 99\n", ("line 1", "key 'version'", "expected config version 1")),
    ConfigCase("version-text", 'version = "1"\n', ("key 'version'", "an integer")),
    ConfigCase("version-bool", "version = true\n", ("key 'version'",)),
    ConfigCase("lookback-negative", "lookback = -3\n", ("line 1", "key 'lookback'", "positive")),
    ConfigCase("lookback-text", 'lookback = "soon"\n', ("key 'lookback'", "'14d'")),
    ConfigCase("lookback-table", "[lookback]\ndays = 3\n", ("key 'lookback'",)),
    ConfigCase("currency-lower", 'currency = "usd"\n', ("key 'currency'", "3-letter")),
    ConfigCase("slo-policy", 'slo_policy = "lenient"\n', ("key 'slo_policy'", "'strict' or 'advisory'")),
    ConfigCase("team-tag-keys-string", 'team_tag_keys = "team"\n', ("key 'team_tag_keys'", "list of strings")),
    ConfigCase("history-number", "history = 5\n", ("key 'history'",)),
    ConfigCase("history-unknown-key", '[history]\npath = "x"\n', ("line 2", "key 'history.path'")),
    ConfigCase("rules-string", 'rules = "all"\n', ("key 'rules'", "table")),
    ConfigCase("rule-unknown", '[rules."idle.everything"]\nenabled = false\n', ("line 1", "key 'rules.idle.everything'",
                                                                                "unknown rule id")),
    ConfigCase("rule-negative", f'[rules."{RULE}"]\n{PARAM} = -5\n', ("line 2", f"key 'rules.{RULE}.{PARAM}'", ">= 0")),
    ConfigCase("rule-nan", f'[rules."{RULE}"]\n{PARAM} = nan\n', ("line 2", f"key 'rules.{RULE}.{PARAM}'", ">= 0")),
    ConfigCase("rule-inf", f'[rules."{RULE}"]\n{PARAM} = inf\n', (f"key 'rules.{RULE}.{PARAM}'",)),
    ConfigCase("rule-text-for-number", f'[rules."{RULE}"]\n{PARAM} = "high"\n', (f"key 'rules.{RULE}.{PARAM}'",
                                                                                "expected a number")),
    ConfigCase("rule-unknown-param", f'[rules."{RULE}"]\nthreshhold = 1\n', (f"key 'rules.{RULE}.threshhold'",
                                                                            "unknown parameter")),
    ConfigCase("rule-enabled-text", f'[rules."{RULE}"]\nenabled = "no"\n', (f"key 'rules.{RULE}.enabled'",
                                                                           "true or false")),
    ConfigCase("exclude-tags-list", '[exclude]\ntags = ["a", "b"]\n', ("line 2", "key 'exclude.tags'", "table")),
    ConfigCase("exclude-resources-string", '[exclude]\nresources = "i-1"\n', ("line 2", "key 'exclude.resources'",
                                                                                "list")),
    ConfigCase("exclude-resources-numbers", "[exclude]\nresources = [1, 2]\n", ("key 'exclude.resources'",)),
    ConfigCase("exclude-tag-value-number", "[exclude.tags]\nteam = 3\n", ("key 'exclude.tags.team'", "string")),
    ConfigCase("exclude-unknown-key", '[exclude]\naccounts = ["1"]\n', ("key 'exclude.accounts'",)),
    ConfigCase("exclude-string", 'exclude = "i-*"\n', ("key 'exclude'",)),
    ConfigCase("provider-unknown", "[providers.oracle]\nregion = 1\n", ("line 1", "key 'providers.oracle'",
                                                                       "unknown provider")),
    ConfigCase("provider-wrong-type", '[providers.aws]\nmax_workers = "4"\n', ("line 2", "key 'providers.aws.max_workers'",
                                                                               "whole number")),
    ConfigCase("provider-negative", "[providers.aws]\nmax_attempts = -1\n", ("key 'providers.aws.max_attempts'",)),
    ConfigCase("provider-unknown-key", "[providers.aws]\nmax_worker = 4\n", ("key 'providers.aws.max_worker'",
                                                                            "unknown setting")),
    ConfigCase("provider-list-as-string", '[providers.gcp]\nprojects = "p1"\n', ("key 'providers.gcp.projects'",
                                                                                "list of strings")),
    ConfigCase("providers-number", "providers = 3\n", ("key 'providers'",)),
    ConfigCase("provider-body-string", 'providers = { aws = "yes" }\n', ("key 'providers.aws'", "table")),
    ConfigCase("budgets-string", 'budgets = "lots"\n', ("key 'budgets'",)),
    ConfigCase("pyproject-broken", '[project]\nname = "x"\n[tool.costopt\nlookback = "14d"\n', ("line 3", "not valid TOML"),
               name="pyproject.toml"),
    ConfigCase("pyproject-section-not-table", '[tool]\ncostopt = 5\n', ("key 'tool.costopt'", "table"),
               name="pyproject.toml"),
    ConfigCase("pyproject-unknown-key", '[tool.costopt]\nlookbak = "1d"\n', ("line 2", "key 'lookbak'"),
               name="pyproject.toml"),
)


@dataclass(frozen=True)
class AuditCase:
    id: str
    make: Callable[[], str]  # the document text
    expect: tuple[str, ...]


def base() -> dict[str, Any]:
    return audit_to_dict(make_audit())


def _mutated(change: Callable[[dict[str, Any]], Any]) -> Callable[[], str]:
    def make() -> str:
        doc = copy.deepcopy(BASE)
        change(doc)
        return json.dumps(doc)
    return make


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], Any]:
    def change(doc: dict[str, Any]) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split("/")]
        node: Any = doc
        for p in parents:
            node = node[p]
        node[last] = value
    return change


def _drop(path: str) -> Callable[[dict[str, Any]], Any]:
    def change(doc: dict[str, Any]) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split("/")]
        node: Any = doc
        for p in parents:
            node = node[p]
        del node[last]
    return change


def _nest(depth: int) -> Any:
    value: Any = "bottom"
    for _ in range(depth):
        value = {"x": [value]}
    return value


def _raw_number(path: str, token: str) -> Callable[[], str]:
    """The base audit with ``token`` written as a bare JSON number at ``path`` (Python's json
    reads NaN, Infinity and 1e400; none is a finite number)."""
    marker = "__costopt_raw_number__"
    make = _mutated(_set(path, marker))
    return lambda: make().replace(json.dumps(marker), token)


def _every_day(cost: float) -> Callable[[dict[str, Any]], Any]:
    def change(doc: dict[str, Any]) -> None:
        for row in doc["spend"]["daily"]:
            row["cost"] = cost
    return change


_NOT_JSON_NUMBERS = ("NaN", "Infinity", "-Infinity", "1e400")
_SUMMED = ("spend/total", "spend/daily/0/cost", "recommendations/0/monthly_savings", "totals/monthly_savings")
BASE = base()
_BAD_VALUES = (  # path, value, what the line must say besides the path
    ("run_at", "yesterday", "ISO 8601"),
    ("run_at", 20261123, "not of type 'string'"),
    ("window/start", "2024-13-45", "ISO 8601"),
    ("window/end", None, "not of type"),
    ("currency", "dollars", "does not match"),
    ("schema_version", "2.0", "unsupported audit schema_version"),
    ("schema_version", 1, "unsupported audit schema_version"),
    ("recommendations", "none", "not of type 'array'"),
    ("recommendations/0", 5, "not of type 'object'"),
    ("recommendations/0/monthly_savings", "12.5", "not of type 'number'"),
    ("recommendations/0/rule_id", "Bad Rule", "does not match"),
    ("recommendations/0/currency", ["USD"], "not of type"),
    ("rejected", {"a": 1}, "not of type 'array'"),
    ("coverage/0/status", "maybe", "is not one of"),
    ("coverage/0/provider", None, "not of type 'string'"),
    ("spend", [1, 2], "not of type 'object'"),
    ("spend/daily", "daily", "not of type 'array'"),
    ("spend/daily/0/cost", "100", "not of type 'number'"),
    ("spend/daily/0/day", "someday", "ISO 8601"),
    ("spend/daily/0/day", 20261019, "not of type 'string'"),
    ("spend/total", "lots", "not of type"),
    ("spend/by_provider", "AWS", "not of type 'array'"),
    ("spend/first_day", "the first", "ISO 8601"),
    ("totals/monthly_savings", "lots", "not of type"),
    ("totals/recommendations", -1, "minimum"),
    ("totals/by_family", [1], "not of type 'object'"),
    ("totals/by_provider", {"aws": "x"}, "not of type 'number'"),
    ("prices", "catalog", "not of type 'array'"),
    ("skipped", ["x"], "not of type 'object'"),
    ("extras", [], "not of type 'object'"),
    ("hack", 1, "Additional properties"),
)
AUDIT_CASES = (
    *(AuditCase(f"{path.replace('/', '.')}={json.dumps(value)[:20]}", _mutated(_set(path, value)),
                (f"key '{path if path != 'hack' else '(root)'}", what)) for path, value, what in _BAD_VALUES),
    AuditCase("no-schema-version", _mutated(_drop("schema_version")), ("key 'schema_version'", "no schema_version")),
    AuditCase("no-window", _mutated(_drop("window")), ("key '(root)'", "'window' is a required property")),
    AuditCase("daily-without-day", _mutated(_drop("spend/daily/0/day")), ("key 'spend/daily/0'", "'day' is a required")),
    AuditCase("deep-extras", _mutated(_set("extras", {"deep": _nest(40)})), ("key 'extras/deep/x/0", "nested more than")),
    AuditCase("deep-text", lambda: "[" * 200_000 + "]" * 200_000, ("nested more than",)),
    AuditCase("not-json", lambda: '{"schema_version": "1.0",', ("not valid JSON",)),
    AuditCase("empty", lambda: "", ("not valid JSON",)),
    AuditCase("top-level-list", lambda: json.dumps([BASE]), ("expected a costopt audit JSON object, got list",)),
    AuditCase("top-level-string", lambda: json.dumps("audit"), ("expected a costopt audit JSON object, got str",)),
    AuditCase("nan-savings-text", _mutated(_set("recommendations/0/monthly_savings", "NaN")),
              ("key 'recommendations/0/monthly_savings'",)),
    *(AuditCase(f"{path.replace('/', '.')}={token}", _raw_number(path, token),
                (f"key '{path}'", "expected a finite number")) for path in _SUMMED for token in _NOT_JSON_NUMBERS),
    AuditCase("daily-costs-whose-sum-overflows", _mutated(_every_day(1e308)),
              ("key 'spend/daily/0/cost'", "sums of it must not overflow", "1e+308")),
)
