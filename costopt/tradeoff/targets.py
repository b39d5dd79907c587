"""Workloads, their targets and model variants, from config sections and resource tags.

Config shape (``costopt.toml``, or under ``[tool.costopt]`` in pyproject.toml)::

    [workloads.fraud-detector]
    kind = "inference"               # training | inference | batch | notebook | data | dev
    resources = ["fraud-detector", "arn:aws:sagemaker:*:endpoint/fraud-detector"]
                                     # ids, names or ARNs, globs allowed; resources tagged
                                     # costopt:model = <workload or model name> match too
    model = "fraud-detector"         # the [models.NAME] it serves (default: the workload name)
    variant = "fp32"                 # the variant deployed now (default: [models.NAME].current,
                                     # else the variant with relative_compute 1.0)
    latency_p95_ms = 80              # and/or latency_p99_ms
    min_accuracy = 0.955             # accuracy floor for variant switches
    accuracy_metric = "AUC"
    interruptible = false            # spot / preemptible allowed?
    workers_per_instance = 1         # concurrent requests an instance serves (G/G/c servers
                                     # = instances x workers); default 1 per GPU, 1 per CPU box
    service_cv = 0.1                 # coefficient of variation of a request's service time
                                     # (0 = constant; GPU inference ~0.1); default: fitted from
                                     # p50 and p95/p99 latency at low load, else 1.0 (cautious)
    checkpoint_interval_min = 30     # training: for the spot wall-time estimate
    restart_overhead_min = 5
    cold_start_s = 45                # scale-to-zero / serverless cold start, if measured
    datasets = ["ml-datasets-*"]     # buckets this (training) workload reads

    [models.fraud-detector]
    current = "fp32"
    accuracy_metric = "AUC"
    bound = "conservative"           # memory | compute | conservative: how service time moves
                                     # to other hardware (table figures; conservative = the
                                     # slower of the memory-bound and compute-bound estimates)

    [models.fraud-detector.profiles."ml.g5.xlarge"]   # measured; wins over the hardware table
    p50_ms = 7.5                     # latency of one request at low load
    throughput_rps = 260             # requests per second one instance sustains
    variant = "fp16"                 # default: the current variant

    [models.fraud-detector.variants.fp32]
    accuracy = 0.962
    relative_compute = 1.0           # compute per request relative to the reference variant
    latency_ms = 12                  # optional: mean latency at low load on the current type
                                     # (the service time S), used when no latency metric exists

    [models.fraud-detector.variants.int8]
    accuracy = 0.948
    relative_compute = 0.35
    precision = "int8"               # fp32 | fp16 | int8 (default: from the variant's name,
                                     # else fp32): which throughput of the hardware table applies
    throughput_rps = { "ml.g4dn.xlarge" = 210 }   # optional measured profile per instance
                                                  # type; wins over the hardware table
    runs_on_cpu = true               # may be proposed on CPU-only instance types

Tags (any resource): ``costopt:model`` (the served model / workload), ``costopt:workload``
(kind), ``costopt:slo-p95-ms``, ``costopt:slo-p99-ms``, ``costopt:min-accuracy``,
``costopt:interruptible`` (true/false), ``costopt:variant``. Config wins over tags; tags fill
what config leaves open. Tag values come from the cloud, so a bad one is ignored and noted
(it shows in the SLO verdict's reasons), while a bad config value is a ConfigError naming
the file, line and key.
"""

from __future__ import annotations

import fnmatch
import math
import re
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from costopt.config import ConfigSource, Settings
from costopt.model import WORKLOAD_KINDS, Resource
from costopt.tradeoff.tags import TAG_KEYS, TAG_MODEL, merge_tags
from costopt.tradeoff.workloads import Model, ModelVariant, Profile, Workload

BOUNDS = ("conservative", "memory", "compute")
PRECISIONS = ("fp32", "fp16", "int8")
_PRECISION_ALIASES = {"fp32": "fp32", "float32": "fp32", "fp16": "fp16", "half": "fp16", "bf16": "fp16",
                      "int8": "int8", "q8": "int8"}

__all__ = ["Model", "ModelVariant", "Profile", "Targets", "Workload", "merge_tags", "parse_targets"]

WORKLOAD_KEYS = {
    "kind": "one of " + ", ".join(sorted(WORKLOAD_KINDS)),
    "resources": "a list of resource ids, names or ARNs (globs allowed)",
    "model": "the name of a [models.NAME] section",
    "variant": "the name of the variant deployed now",
    "latency_p95_ms": "a positive number of milliseconds",
    "latency_p99_ms": "a positive number of milliseconds",
    "min_accuracy": "a number (the accuracy floor)",
    "accuracy_metric": "the metric's name, e.g. 'AUC'",
    "interruptible": "true or false",
    "workers_per_instance": "a whole number >= 1",
    "service_cv": "a number >= 0 (coefficient of variation of the service time)",
    "checkpoint_interval_min": "a positive number of minutes",
    "restart_overhead_min": "a number of minutes >= 0",
    "cold_start_s": "a number of seconds >= 0",
    "datasets": "a list of bucket names (globs allowed)",
}
MODEL_KEYS = {
    "variants": "a table of variant name -> measurements",
    "current": "the name of the variant deployed now",
    "accuracy_metric": "the metric's name, e.g. 'AUC'",
    "bound": "one of " + ", ".join(BOUNDS),
    "profiles": "a table of instance type -> measured profile (p50_ms, throughput_rps, variant)",
}
PROFILE_KEYS = {
    "p50_ms": "a positive number of milliseconds (latency of one request at low load)",
    "throughput_rps": "a positive number (requests per second one instance sustains)",
    "variant": "the name of the variant measured (default: the current variant)",
}
VARIANT_KEYS = {
    "accuracy": "a number (measured accuracy)",
    "relative_compute": "a positive number (compute per request vs the reference variant)",
    "throughput_rps": "a table of instance type -> measured requests per second",
    "latency_ms": "a positive number of milliseconds (latency at low load)",
    "runs_on_cpu": "true or false",
    "description": "a string",
    "precision": "one of " + ", ".join(PRECISIONS),
}

@lru_cache(maxsize=1024)
def _globs(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    """One compiled matcher for a workload's resource globs (fnmatch, case-sensitive)."""
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in patterns))


@dataclass(frozen=True)
class Targets:
    workloads: Mapping[str, Workload] = field(default_factory=dict)
    models: Mapping[str, Model] = field(default_factory=dict)
    # for_resource answers by resource object (the variant rule and the trade-off ask for the
    # same resources); the resources asked about are kept, so their id() cannot be reused
    _resolved: dict[int, Workload | None] = field(default_factory=dict, compare=False, repr=False)
    _asked: list[Resource] = field(default_factory=list, compare=False, repr=False)
    # a config workload merged with one set of costopt:* tag values (a fleet of resources shares it)
    _merged: dict[tuple[Any, ...], Workload | None] = field(default_factory=dict, compare=False, repr=False)
    # the workloads that declare resource globs, with their matcher (in config order)
    _globbed: list[tuple[Workload, re.Pattern[str]]] = field(default_factory=list, compare=False, repr=False)

    def __post_init__(self) -> None:
        for wl in self.workloads.values():
            matcher = _globs(tuple(wl.resources))
            if matcher is not None:
                self._globbed.append((wl, matcher))

    def model_of(self, workload: Workload) -> Model | None:
        return self.models.get(workload.model or workload.name)

    def configured_for(self, resource: Resource) -> Workload | None:
        """The config workload a resource belongs to (by id/name/ARN glob, then by tag)."""
        if self._globbed:
            names = [n for n in (resource.id, resource.name, str(resource.attributes.get("arn", "") or "")) if n]
            for wl, matcher in self._globbed:
                if any(matcher.match(n) for n in names):
                    return wl
        tagged = resource.tags.get(TAG_MODEL)
        if tagged:
            for wl in self.workloads.values():
                if tagged in (wl.name, wl.model):
                    return wl
        return None

    def for_resource(self, resource: Resource) -> Workload | None:
        """Config workload with the resource's tags filling gaps, or one built from tags."""
        rid = id(resource)
        if rid in self._resolved:
            return self._resolved[rid]
        base = self.configured_for(resource)
        if base is None:
            found = merge_tags(None, resource)
        else:  # the merge reads only the config workload, the costopt:* tags and the resource's kind
            tags = resource.tags
            key = (id(base), resource.workload, *(tags.get(k) for k in TAG_KEYS))
            if key in self._merged:
                found = self._merged[key]
            else:
                found = self._merged[key] = merge_tags(base, resource)
        self._resolved[rid] = found
        self._asked.append(resource)
        return found

    def reading(self, bucket: Resource) -> list[Workload]:
        """Workloads that declare ``bucket`` among the datasets they read."""
        names = [bucket.id, bucket.name]
        return [wl for wl in self.workloads.values()
                if any(n and fnmatch.fnmatchcase(n, pat) for pat in wl.datasets for n in names)]


# --- config -------------------------------------------------------------------------------------

def parse_targets(settings: Settings) -> Targets:
    """Validate ``[workloads.*]`` and ``[models.*]``; errors name the file, line and key."""
    src = settings.source
    models: dict[str, Model] = {}
    for name, section in (settings.models or {}).items():
        models[name] = _parse_model(src, name, section)
    workloads: dict[str, Workload] = {}
    for name, section in (settings.workloads or {}).items():
        wl = _parse_workload(src, name, section)
        model = models.get(wl.model or name)
        if wl.variant is not None:
            if model is None or wl.variant not in model.variants:
                known = ", ".join(sorted(model.variants)) if model else "(no variants declared)"
                raise src.error(("workloads", name, "variant"), f"unknown variant {wl.variant!r}; expected one of: {known}")
        if model is not None and wl.model is None:
            wl = replace(wl, model=name)
        workloads[name] = wl
    return Targets(workloads=workloads, models=models)


# The rules phase (model.cheaper_variant) and the trade-off step resolve the same resources of one
# Snapshot against the same Settings: the last (settings, snapshot) pair's Targets is kept, so
# the step finds every resource the rules resolved. Weak references, checked by identity (a new
# object that reuses an id never matches); one entry only, so nothing accumulates.
_LAST: list[tuple[weakref.ref[Settings], weakref.ref[Any], Targets]] = []


def targets_for(settings: Settings, snapshot: Any) -> Targets:
    """:func:`parse_targets` of ``settings``, shared by every caller with the same ``settings``
    and ``snapshot`` objects (they are frozen; the Targets answer per resource object)."""
    if _LAST:
        settings_ref, snapshot_ref, found = _LAST[0]
        if settings_ref() is settings and snapshot_ref() is snapshot:
            return found
    targets = parse_targets(settings)

    def drop(ref: weakref.ref[Any]) -> None:  # either object gone: let its resources go too
        if _LAST and (ref is _LAST[0][0] or ref is _LAST[0][1]):
            _LAST.clear()

    try:
        entry = (weakref.ref(settings, drop), weakref.ref(snapshot, drop), targets)
    except TypeError:  # an object without weak-reference support: not shared
        return targets
    _LAST[:] = [entry]
    return targets


def _number(src: ConfigSource, key: tuple[str, ...], value: Any, *, minimum: float | None = None,
            strict: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise src.error(key, f"expected a number, got {value!r}")
    if minimum is not None and (value <= minimum if strict else value < minimum):
        bound = f"> {minimum:g}" if strict else f">= {minimum:g}"
        raise src.error(key, f"expected a number {bound}, got {value!r}")
    return float(value)


def _strings(src: ConfigSource, key: tuple[str, ...], value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise src.error(key, f"expected a list of non-empty strings, got {value!r}")
    return tuple(value)


def _table(src: ConfigSource, key: tuple[str, ...], section: Any, known: Mapping[str, str],
           expected: str) -> Mapping[str, Any]:
    """``section`` as a table whose keys are all ``known`` (else the error naming the key)."""
    if not isinstance(section, Mapping):
        raise src.error(key, expected)
    for name in section:
        if name not in known:
            raise src.error(key + (name,), f"unknown key; expected one of: {', '.join(sorted(known))}")
    return section


def _parse_workload(src: ConfigSource, name: str, section: Any) -> Workload:
    section = _table(src, ("workloads", name), section, WORKLOAD_KEYS, "expected a table of workload settings")

    def k(key: str) -> tuple[str, ...]:
        return ("workloads", name, key)

    kw: dict[str, Any] = {"name": name}
    if "kind" in section:
        if not isinstance(section["kind"], str) or section["kind"] not in WORKLOAD_KINDS:
            raise src.error(k("kind"), f"expected {WORKLOAD_KEYS['kind']}, got {section['kind']!r}")
        kw["kind"] = section["kind"]
    if "resources" in section:
        kw["resources"] = _strings(src, k("resources"), section["resources"])
    if "datasets" in section:
        kw["datasets"] = _strings(src, k("datasets"), section["datasets"])
    for key in ("model", "variant", "accuracy_metric"):
        if key in section:
            if not isinstance(section[key], str) or not section[key]:
                raise src.error(k(key), f"expected a non-empty string, got {section[key]!r}")
            kw[key] = section[key]
    targets: dict[float, float] = {}
    for key, q in (("latency_p95_ms", 0.95), ("latency_p99_ms", 0.99)):
        if key in section:
            targets[q] = _number(src, k(key), section[key], minimum=0, strict=True)
    kw["latency_targets_ms"] = targets
    if "min_accuracy" in section:
        kw["min_accuracy"] = _number(src, k("min_accuracy"), section["min_accuracy"])
    if "interruptible" in section:
        if not isinstance(section["interruptible"], bool):
            raise src.error(k("interruptible"), f"expected true or false, got {section['interruptible']!r}")
        kw["interruptible"] = section["interruptible"]
    if "workers_per_instance" in section:
        v = section["workers_per_instance"]
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise src.error(k("workers_per_instance"), f"expected a whole number >= 1, got {v!r}")
        kw["workers_per_instance"] = v
    if "service_cv" in section:
        kw["service_cv"] = _number(src, k("service_cv"), section["service_cv"], minimum=0)
    if "checkpoint_interval_min" in section:
        kw["checkpoint_interval_min"] = _number(src, k("checkpoint_interval_min"), section["checkpoint_interval_min"],
                                                minimum=0, strict=True)
    for key in ("restart_overhead_min", "cold_start_s"):
        if key in section:
            kw[key] = _number(src, k(key), section[key], minimum=0)
    return Workload(**kw)


def _parse_model(src: ConfigSource, name: str, section: Any) -> Model:
    section = _table(src, ("models", name), section, MODEL_KEYS, "expected a table with a 'variants' table")
    if "variants" not in section:
        raise src.error(("models", name), "missing its variants: add [models.NAME.variants.<variant>] tables")
    raw_variants = section["variants"]
    if not isinstance(raw_variants, Mapping) or not raw_variants:
        raise src.error(("models", name, "variants"), "expected a table of variant name -> measurements, e.g. [models.NAME.variants.fp32]")
    variants = {vname: _parse_variant(src, name, vname, vsec) for vname, vsec in raw_variants.items()}
    current = section.get("current")
    if current is not None and (not isinstance(current, str) or current not in variants):
        raise src.error(("models", name, "current"), f"unknown variant {current!r}; expected one of: {', '.join(sorted(variants))}")
    metric = section.get("accuracy_metric", "")
    if not isinstance(metric, str):
        raise src.error(("models", name, "accuracy_metric"), f"expected a string, got {metric!r}")
    bound = section.get("bound")
    if bound is not None and bound not in BOUNDS:
        raise src.error(("models", name, "bound"), f"expected {MODEL_KEYS['bound']}, got {bound!r}")
    raw_profiles = section.get("profiles", {})
    if not isinstance(raw_profiles, Mapping):
        raise src.error(("models", name, "profiles"), f"expected {MODEL_KEYS['profiles']}")
    profiles = {t: _parse_profile(src, name, t, p, variants) for t, p in raw_profiles.items()}
    return Model(name=name, variants=variants, current=current, accuracy_metric=metric, bound=bound,
                 profiles=profiles)


def _parse_profile(src: ConfigSource, model: str, type_: str, section: Any, variants: Mapping[str, ModelVariant]) -> Profile:
    key = ("models", model, "profiles", type_)
    section = _table(src, key, section, PROFILE_KEYS, "expected a table with p50_ms and/or throughput_rps")
    if "p50_ms" not in section and "throughput_rps" not in section:
        raise src.error(key, "expected p50_ms and/or throughput_rps")
    variant = section.get("variant")
    if variant is not None and variant not in variants:
        raise src.error(key + ("variant",), f"unknown variant {variant!r}; expected one of: {', '.join(sorted(variants))}")
    values = {k: _number(src, key + (k,), section[k], minimum=0, strict=True)
              for k in ("p50_ms", "throughput_rps") if k in section}
    return Profile(type=type_, variant=variant, **values)


def _precision(name: str) -> str:
    """The precision a variant's name states (``fp16``, ``int8-dynamic``), else fp32."""
    for token in name.lower().replace("_", "-").split("-"):
        if token in _PRECISION_ALIASES:
            return _PRECISION_ALIASES[token]
    return "fp32"


def _parse_variant(src: ConfigSource, model: str, name: str, section: Any) -> ModelVariant:
    def k(key: str) -> tuple[str, ...]:
        return ("models", model, "variants", name, key)

    section = _table(src, ("models", model, "variants", name), section, VARIANT_KEYS,
                     "expected a table with accuracy and relative_compute")
    kw: dict[str, Any] = {"model": model, "name": name}
    if "accuracy" in section:
        kw["accuracy"] = _number(src, k("accuracy"), section["accuracy"])
    if "relative_compute" in section:
        kw["relative_compute"] = _number(src, k("relative_compute"), section["relative_compute"], minimum=0, strict=True)
    if "latency_ms" in section:
        kw["latency_ms"] = _number(src, k("latency_ms"), section["latency_ms"], minimum=0, strict=True)
    if "throughput_rps" in section:
        table = section["throughput_rps"]
        if not isinstance(table, Mapping):
            raise src.error(k("throughput_rps"), f"expected {VARIANT_KEYS['throughput_rps']}, e.g. {{ \"ml.g4dn.xlarge\" = 210 }}")
        kw["throughput_rps"] = {t: _number(src, k("throughput_rps") + (t,), v, minimum=0, strict=True)
                                for t, v in table.items()}
    if "runs_on_cpu" in section:
        if not isinstance(section["runs_on_cpu"], bool):
            raise src.error(k("runs_on_cpu"), f"expected true or false, got {section['runs_on_cpu']!r}")
        kw["runs_on_cpu"] = section["runs_on_cpu"]
    if "description" in section:
        if not isinstance(section["description"], str):
            raise src.error(k("description"), "expected a string")
        kw["description"] = section["description"]
    kw["precision"] = _precision(name)
    if "precision" in section:
        if section["precision"] not in PRECISIONS:
            raise src.error(k("precision"), f"expected {VARIANT_KEYS['precision']}, got {section['precision']!r}")
        kw["precision"] = section["precision"]
    return ModelVariant(**kw)
