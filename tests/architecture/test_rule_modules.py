"""Rule ids map to files: every rule of family ``F`` is defined in one module, named ``F`` or
``F_<what>`` (``costopt/rules/egress.py`` holds every ``egress.*`` rule), listed in the engine's
built-in modules (no rule registered by another module's side-effect import), and no module
defines rules of two families."""

from __future__ import annotations

from collections import defaultdict

from costopt.rules.engine import BUILTIN_RULE_MODULES, load_rules


def family_modules() -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for rule_id, spec in load_rules().items():
        if spec.func.__module__.startswith("costopt.rules."):
            found[rule_id.split(".", 1)[0]].add(spec.func.__module__)
    return found


def test_each_family_lives_in_one_module_named_after_it():
    for family, modules in family_modules().items():
        [module] = modules  # one module per family
        name = module.rpartition(".")[2]
        assert name == family or name.startswith(family + "_"), (family, module)


def test_rule_modules_are_the_engines_builtin_modules_one_family_each():
    modules = [m for ms in family_modules().values() for m in ms]
    assert len(modules) == len(set(modules))
    assert set(modules) == set(BUILTIN_RULE_MODULES)
