"""The rule contract and the registry.

A rule is a function ``evaluate(snapshot, catalog, params) -> Iterable[Recommendation | Skip]``
registered with :func:`rule`. Its docstring says why it matters and how to fix the finding
(the first line is the title). Its parameters are a frozen dataclass; the defaults of every
rule live in one place, :mod:`costopt.rules.defaults`, and config overrides them under
``[rules."<rule id>"]``.

Example::

    @rule("idle.unattached_volume", params=defaults.UnattachedVolume, needs=("inventory",))
    def unattached_volume(snapshot, catalog, params):
        '''Volumes attached to nothing still bill for every GB. ...'''
        ...

A Recommendation says what it proposes and what it predicts with typed records
(:mod:`costopt.records`): ``proposed=Proposal(type="m5.large", count=2)``,
``impacts=Impacts(projected_cpu_peak=0.6)``. A rule still written with dicts converts them with
``Proposal.of({...})`` / ``Impacts.of({...})``, which name any key that is not a field.

Plug-in packages register rules the same way from a module named by an entry point in the
``costopt.rules`` group; importing that module is enough.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields, is_dataclass
from typing import Any

from costopt.model import Recommendation, Skip, Snapshot

RuleFunc = Callable[[Snapshot, Any, Any], Iterable["Recommendation | Skip"]]


@dataclass(frozen=True)
class NoParams:
    """Rules without parameters use this."""


@dataclass(frozen=True)
class RuleSpec:
    """A registered rule: id, its function, its parameter type, and whether it runs by default."""

    id: str
    func: RuleFunc
    params: type = NoParams
    enabled_by_default: bool = True
    needs: tuple[str, ...] = ()  # any of "billing", "inventory", "metrics"

    @property
    def family(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.func.__doc__ or "")

    @property
    def title(self) -> str:
        return self.doc.splitlines()[0] if self.doc else self.id

    def default_params(self) -> Any:
        return self.params()

    def param_defaults(self) -> Mapping[str, Any]:
        if not is_dataclass(self.params):
            return {}
        instance = self.params()
        return {f.name: getattr(instance, f.name) for f in fields(self.params)}


REGISTRY: dict[str, RuleSpec] = {}


def rule(rule_id: str, *, params: type = NoParams, enabled: bool = True,
         needs: tuple[str, ...] = ()) -> Callable[[RuleFunc], RuleFunc]:
    """Register ``func`` under ``rule_id`` (``family.snake_name``)."""
    if "." not in rule_id or rule_id != rule_id.lower():
        raise ValueError(f"rule id {rule_id!r} must look like 'family.snake_name'")

    def decorate(func: RuleFunc) -> RuleFunc:
        if not (func.__doc__ or "").strip():
            raise ValueError(f"rule {rule_id} needs a docstring (why / how to fix)")
        if rule_id in REGISTRY and REGISTRY[rule_id].func is not func:
            raise ValueError(f"rule id {rule_id!r} registered twice")
        REGISTRY[rule_id] = RuleSpec(rule_id, func, params, enabled, tuple(needs))
        return func

    return decorate
