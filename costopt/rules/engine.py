"""Run the registered rules over a Snapshot: config, parameters, exclusions, skips.

The engine imports every built-in rule module and the ``costopt.rules`` entry points,
builds each enabled rule's parameters (defaults from :mod:`costopt.rules.defaults`,
overridden by ``[rules."<id>"]`` in config, type-checked), runs it, and drops excluded
resources. A rule that declares ``needs=("workloads", ...)`` also gets the workloads and models
parsed from config (:func:`costopt.tradeoff.targets.targets_for`) as a fourth argument: its
candidates exist only for the workloads config declares (``model.cheaper_variant``). A rule
that raises is recorded as a failed coverage entry (``RuleRun.failures``) naming
the rule and the error, not a crashed audit; ``costopt audit --strict-rules`` turns it into exit 2.
"""

from __future__ import annotations

import fnmatch
import importlib
import logging
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from importlib.metadata import entry_points
from typing import Any

from costopt.config import ConfigSource, Settings
from costopt.model import CoverageEntry, Recommendation, Skip, Snapshot
from costopt.rules.base import REGISTRY, RuleSpec
from costopt.tradeoff.targets import Targets, targets_for

log = logging.getLogger(__name__)

BUILTIN_RULE_MODULES = (
    "costopt.rules.billing_rules",
    "costopt.rules.idle",
    "costopt.rules.rightsizing",
    "costopt.rules.spot",
    "costopt.rules.commitments",
    "costopt.rules.storage",
    "costopt.rules.autoscaling",
    "costopt.rules.egress",
    "costopt.rules.model_variants",
    "costopt.rules.rds",
    "costopt.rules.mlplatform",
)

_loaded = False


def load_rules() -> dict[str, RuleSpec]:
    """Import built-in rule modules and plug-ins (entry-point group ``costopt.rules``)."""
    global _loaded
    if not _loaded:
        for name in BUILTIN_RULE_MODULES:
            try:
                importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name != name:
                    raise
        for ep in entry_points(group="costopt.rules"):
            ep.load()
        _loaded = True
    return REGISTRY


@dataclass(frozen=True)
class RuleRun:
    """What running the rules produced: candidates, skips and the rules that raised."""

    candidates: tuple[Recommendation, ...]
    skipped: tuple[Skip, ...]
    failures: tuple[CoverageEntry, ...] = ()


def rule_failure(rule_id: str, exc: BaseException) -> CoverageEntry:
    """The coverage entry of a rule that raised: named in the report and the terminal summary."""
    return CoverageEntry("costopt", f"rule {rule_id}", "failed", f"rule {rule_id} failed: {type(exc).__name__}: {exc}",
                         type(exc).__name__, "its findings are missing from this audit; run with --debug for the "
                         "traceback and report it (or disable the rule in config)")


def rule_settings(settings: Settings, rule_id: str) -> Mapping[str, Any]:
    section = settings.rules.get(rule_id, {})
    return section if isinstance(section, Mapping) else {}


def validate_rule_config(settings: Settings) -> None:
    """Fail on unknown rule ids, unknown parameters and values of the wrong type."""
    registry = load_rules()
    source: ConfigSource = settings.source
    for rule_id, section in settings.rules.items():
        if rule_id not in registry:
            raise source.error(("rules", rule_id), "unknown rule id; see `costopt rules list`")
        if not isinstance(section, Mapping):
            raise source.error(("rules", rule_id), "expected a table of parameters")
        params_for(registry[rule_id], section, source)


def params_for(spec: RuleSpec, section: Mapping[str, Any], source: ConfigSource | None = None) -> Any:
    """The rule's parameters: defaults with config values applied and type-checked."""
    source = source or ConfigSource()
    defaults = spec.default_params()
    known = {f.name: f for f in fields(spec.params)}
    overrides = {}
    for key, value in section.items():
        if key == "enabled":
            if not isinstance(value, bool):
                raise source.error(("rules", spec.id, key), "expected true or false")
            continue
        if key not in known:
            names = ", ".join(sorted(known)) or "(none)"
            raise source.error(("rules", spec.id, key), f"unknown parameter; {spec.id} takes: {names}")
        default = getattr(defaults, key)
        overrides[key] = _coerce(value, default, source, ("rules", spec.id, key))
        allowed = getattr(spec.params, "CHOICES", {}).get(key)
        if allowed is not None and overrides[key] not in allowed:
            raise source.error(("rules", spec.id, key), f"expected one of {', '.join(map(repr, allowed))}, "
                                                         f"got {overrides[key]!r}")
    return replace(defaults, **overrides) if overrides else defaults


def _coerce(value: Any, default: Any, source: ConfigSource, key: tuple[str, ...]) -> Any:
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise source.error(key, f"expected true or false, got {value!r}")
        return value
    if isinstance(default, (int, float)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise source.error(key, f"expected a number, got {value!r}")
        if not math.isfinite(value) or value < 0:  # thresholds, days, fractions: none is negative
            raise source.error(key, f"expected a number >= 0, got {value!r}")
        return type(default)(value) if isinstance(default, float) else value
    if isinstance(default, str):
        if not isinstance(value, str):
            raise source.error(key, f"expected a string, got {value!r}")
        return value
    if isinstance(default, tuple):
        if not isinstance(value, list):
            raise source.error(key, f"expected a list, got {value!r}")
        return tuple(value)
    return value


def is_enabled(spec: RuleSpec, settings: Settings) -> bool:
    section = rule_settings(settings, spec.id)
    return bool(section.get("enabled", spec.enabled_by_default))


def is_excluded(rec: Recommendation, settings: Settings) -> bool:
    """Exclusions: ``[exclude] resources = [globs]`` and ``tags = {key = value}``."""
    exclude = settings.exclude or {}
    for pattern in exclude.get("resources", []) or []:
        if fnmatch.fnmatchcase(rec.resource_id, pattern):
            return True
    for key, value in (exclude.get("tags", {}) or {}).items():
        if key in rec.tags and (value in ("*", None) or rec.tags[key] == value):
            return True
    return False


def run_rules(snapshot: Snapshot, catalog: Any, settings: Settings,
              only: Iterable[str] | None = None, *, families: Iterable[str] | None = None,
              skip_families: Iterable[str] = ()) -> RuleRun:
    """Run every enabled rule (or just ``only``) and collect candidates and skips.

    ``families`` limits the run to those rule families; ``skip_families`` leaves some out.
    """
    registry = load_rules()
    validate_rule_config(settings)
    wanted = set(only) if only is not None else None
    family_set = set(families) if families is not None else None
    skipped_families = set(skip_families)
    candidates: list[Recommendation] = []
    skipped: list[Skip] = []
    failures: list[CoverageEntry] = []
    targets: Targets | None = None  # parsed once, for the rules that read the workloads
    for rule_id in sorted(registry):
        spec = registry[rule_id]
        if wanted is not None and rule_id not in wanted:
            continue
        if (family_set is not None and spec.family not in family_set) or spec.family in skipped_families:
            continue
        if wanted is None and not is_enabled(spec, settings):
            continue
        if "billing" in spec.needs and (snapshot.billing is None or snapshot.billing.empty):
            continue
        if "inventory" in spec.needs and not snapshot.resources:
            continue
        params = params_for(spec, rule_settings(settings, rule_id), settings.source)
        extra: tuple[Targets, ...] = ()
        if "workloads" in spec.needs:
            targets = targets if targets is not None else targets_for(settings, snapshot)
            extra = (targets,)
        try:
            for item in spec.func(snapshot, catalog, params, *extra) or ():
                if isinstance(item, Skip):
                    skipped.append(item)
                elif not is_excluded(item, settings):
                    candidates.append(item)
        except Exception as exc:  # a broken rule must not sink the audit; it is reported
            log.debug("rule %s failed", rule_id, exc_info=True)
            failures.append(rule_failure(rule_id, exc))
    return RuleRun(tuple(candidates), tuple(skipped), tuple(failures))
