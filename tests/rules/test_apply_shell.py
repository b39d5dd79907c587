"""Apply commands are safe to paste: every value from data is one shell argument, every command
one line, nothing in a name runs.

Oracle: bash itself. Each command is parsed with ``bash -n`` and then run by bash in an empty
folder with ``aws``, ``gcloud``, ``az`` and ``costopt`` defined as functions that record their
arguments (PATH points nowhere, so nothing else can run). A hostile name that escaped its
quoting would split into several arguments, or run ``echo pwned > marker`` (a file appears).
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from costopt.catalog import load_catalog
from costopt.config import Settings
from costopt.demo import aws as demo_aws
from costopt.demo import collect as demo
from costopt.model import MetricSeries, Resource
from costopt.rules import commitment_apply, database_apply, idle_apply, model_variants, resize_apply, scaling_apply, storage
from costopt.rules.engine import run_rules
from costopt.rules.shell import arg
from tests.conftest import make_resource

HOSTILE = "x';$(echo pwned>m1)`echo pwned>m2`\"\n;echo pwned>m3 # \r\x1b[31m\u202e\\ *"
NOW = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)
BASH = shutil.which("bash") or "/bin/bash"
RECORDER = "".join(f"{cli}() {{ printf '%s\\0' {cli} \"$@\" >> calls; printf '\\n' >> calls; }}; "
                   for cli in ("aws", "gcloud", "az", "costopt"))


def run_pasted(command: str, tmp: Path) -> list[list[str]]:
    """``command`` as pasted into bash: the argument lists the CLIs received."""
    assert "\n" not in command and "\r" not in command, command
    checked = subprocess.run([BASH, "-n", "-c", command], capture_output=True, text=True)
    assert checked.returncode == 0, (command, checked.stderr)
    tmp.mkdir(parents=True, exist_ok=True)
    subprocess.run([BASH, "--norc", "--noprofile", "-c", RECORDER + command], cwd=tmp, capture_output=True,
                   env={"PATH": "/nonexistent", "HOME": str(tmp), "LC_ALL": "C.UTF-8"}, timeout=20)
    assert not [p.name for p in tmp.iterdir() if p.name != "calls"], command
    text = (tmp / "calls").read_bytes().decode() if (tmp / "calls").exists() else ""  # CR kept as is
    return [line.split("\0")[:-1] for line in text.split("\n\n") if line.strip("\n")] if text else []


def _texts(value: object) -> list[str]:
    """The strings in an argument: itself, or those of the JSON document it is (recursively)."""
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    if isinstance(value, str) and value.startswith(("{", "[")):
        try:
            return _texts(json.loads(value))
        except ValueError:
            return [value]
    return [value] if isinstance(value, str) else []


def assert_intact(command: str, tmp: Path, payload: str = HOSTILE) -> list[list[str]]:
    """Every argument (or JSON string inside one) that carries part of the payload carries all of it."""
    calls = run_pasted(command, tmp)
    for args in calls:
        for text in (t for a in args for t in _texts(a)):
            if "pwned>m1" in text or "pwned>m3" in text:
                assert payload in text, (command, text)
    return calls


def test_arg_is_one_word_on_one_line(tmp_path):
    word = arg(HOSTILE)
    assert "\n" not in word and "\r" not in word and "\x1b" not in word and "\u202e" not in word
    (call,) = run_pasted(f"aws {word}", tmp_path)
    assert call == ["aws", HOSTILE]
    assert arg("plain-name_1.2") == "plain-name_1.2" and shlex.split(arg("a b'c")) == ["a b'c"]


def _hostile(r: Resource, **attributes) -> Resource:
    return replace(r, name=f"n{HOSTILE}", attributes={**r.attributes, **attributes})


BUILDERS = [
    ("stop", idle_apply.stop_instance, "vm"), ("volume", idle_apply.delete_volume, "volume"),
    ("address", idle_apply.release_address, "address"), ("snapshot", idle_apply.delete_snapshot, "snapshot"),
    ("endpoint", idle_apply.delete_endpoint, "endpoint"), ("nat", idle_apply.delete_nat_gateway, "nat_gateway"),
    ("lifecycle", idle_apply.tiering_lifecycle, "bucket"),
    ("resize-vm", lambda r: resize_apply.resize_command(r, "m5.large"), "vm"),
    ("resize-asg", lambda r: resize_apply.resize_command(r, "m5.large"), "autoscaling_group"),
    ("resize-endpoint", lambda r: resize_apply.resize_command(r, "ml.m5.large"), "endpoint"),
    ("resize-gpu", lambda r: resize_apply.resize_command(r, "n1-standard-8+nvidia-tesla-t4:1"), "gpu_vm"),
    ("spot-vm", lambda r: resize_apply.spot_command(r, 2, 1), "vm"),
    ("spot-asg", lambda r: resize_apply.spot_command(r, 2, 1), "autoscaling_group"),
    ("spot-job", lambda r: resize_apply.spot_command(r, 2, 1), "training_job"),
    ("scale", lambda r: scaling_apply.target_tracking(r, 1, 4, 0.5), "autoscaling_group"),
    ("scale-endpoint", lambda r: scaling_apply.target_tracking(r, 1, 4, 0.5), "endpoint"),
    ("zero", lambda r: scaling_apply.scale_to_zero(r, False), "endpoint"),
    ("zero-gpu", lambda r: scaling_apply.scale_to_zero(r, True), "endpoint"),
    ("schedule", lambda r: scaling_apply.office_hours(r, "0 7 * * MON-FRI", "0 19 * * MON-FRI"), "vm"),
    ("rds-delete", database_apply.delete, "database"), ("rds-class", lambda r: database_apply.change_class(r, "db.m5.large"), "database"),
    ("rds-az", database_apply.single_az, "database"), ("rds-gp3", database_apply.to_gp3, "database"),
    ("tier", lambda r: storage._lifecycle_apply(r, "STANDARD_IA", 30, False), "bucket"),
    ("variant", lambda r: model_variants._apply_step(r, "ml.g4dn.xlarge", 2, "int8"), "endpoint"),
    ("variant-vm", lambda r: model_variants._apply_step(r, "c5.xlarge", 2, "int8"), "vm"),
]


@pytest.mark.parametrize("provider", ["aws", "gcp", "azure"])
@pytest.mark.parametrize("label, build, kind", BUILDERS, ids=[b[0] for b in BUILDERS])
def test_every_builder_keeps_a_hostile_name_one_argument(tmp_path, provider, label, build, kind):
    r = _hostile(make_resource(f"id{HOSTILE}", kind=kind, provider=provider, region=f"r{HOSTILE}",
                               account=f"a{HOSTILE}", tags={"costopt:model": f"m{HOSTILE}"}),
                 zone=f"z{HOSTILE}", launch_template=f"lt{HOSTILE}", resource_group=f"g{HOSTILE}",
                 identifier=f"db{HOSTILE}", variant_name=f"v{HOSTILE}", model_name=f"m{HOSTILE}")
    assert_intact(build(r), tmp_path)


@pytest.mark.parametrize("provider", ["aws", "gcp", "azure", "oci"])
def test_commitment_steps_quote_their_values(tmp_path, provider):
    common = {"pay": "All Upfront", "secs": 31536000, "months": 12, "hourly": 1.5, "cur": f"c{HOSTILE}"}
    assert_intact(commitment_apply.sp_apply(provider, **common), tmp_path / "sp")
    calls = assert_intact(commitment_apply.ri_apply(
        provider, type=f"t{HOSTILE}", region=f"r{HOSTILE}", n=2, years=1, family=f"f{HOSTILE}", vcpu=8, mem=32,
        azpay="Monthly", product=f"Linux/UNIX{HOSTILE}", **common), tmp_path / "ri")
    if provider in ("aws", "oci"):
        assert f"Linux/UNIX{HOSTILE}" in calls[0]


@pytest.fixture(scope="module")
def hostile_demo_run():
    """The demo AWS estate read by the real adapter, then every resource id and name made hostile
    (metrics follow their resource), run through every rule."""
    snap = demo_aws.collect_demo_aws(demo_aws.demo_window(NOW), None, lambda _: None, NOW, max_workers=2)
    ids = {r.id: f"{r.id}{HOSTILE}" for r in snap.resources}
    resources = tuple(replace(r, id=ids[r.id], name=f"{r.name or r.id}{HOSTILE}",
                              attributes={**r.attributes, **({"identifier": f"{r.attributes['identifier']}{HOSTILE}"}
                                                             if r.attributes.get("identifier") else {})})
                      for r in snap.resources)
    metrics = tuple(MetricSeries(ids.get(m.resource_id, m.resource_id), m.metric, m.unit, m.period_s, m.timestamps,
                                 m.values, m.stat, m.dimensions) for m in snap.metrics)
    settings = demo.demo_settings(Settings())
    workloads = {k: {**w, "resources": [f"{p}*" for p in w.get("resources", [])]} for k, w in settings.workloads.items()}
    settings = replace(settings, workloads=workloads)
    hostile = replace(snap, resources=resources, metrics=metrics)
    return run_rules(hostile, load_catalog(settings, use_cache=False), settings)


def test_every_rule_that_emits_a_command_keeps_hostile_names_inert(hostile_demo_run, tmp_path):
    with_apply = [c for c in hostile_demo_run.candidates if c.apply]
    rules = {c.rule_id for c in with_apply}
    assert len(rules) >= 10 and {"idle.instance", "idle.sagemaker_endpoint", "idle.nat_gateway",
                                 "idle.unattached_volume", "idle.old_snapshot", "spot.interruptible_workload"} <= rules, rules
    for i, c in enumerate(with_apply):
        calls = assert_intact(c.apply, tmp_path / str(i), payload=HOSTILE)
        named = [t for args in calls for a in args for t in _texts(a) if HOSTILE in t]
        console_only = c.apply.startswith("# ")  # a step with no CLI (e.g. a training job's request): runs nothing
        if not console_only and c.resource_kind not in ("commitment",) and c.rule_id.split(".")[0] not in ("billing", "egress"):
            assert named, (c.rule_id, c.apply)  # the resource is named in the command, whole
