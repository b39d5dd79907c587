"""[workloads.*] / [models.*] parsing and validation; costopt:* tags."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from costopt.config import ConfigSource, Settings, load_settings, settings_from_mapping
from costopt.demo.collect import demo_settings
from costopt.errors import ConfigError
from costopt.tradeoff.tags import merge_tags
from costopt.tradeoff.targets import WORKLOAD_KEYS, parse_targets
from tests.conftest import make_resource

GOOD = """
[workloads.fraud-detector]
kind = "inference"
resources = ["fraud-detector", "arn:aws:sagemaker:*:endpoint/fraud-detector"]
latency_p95_ms = 80
latency_p99_ms = 200
min_accuracy = 0.955
accuracy_metric = "AUC"
interruptible = false

[models.fraud-detector.variants.fp32]
accuracy = 0.962
relative_compute = 1.0

[models.fraud-detector.variants.int8]
accuracy = 0.948
relative_compute = 0.35
throughput_rps = { "ml.g4dn.xlarge" = 210 }
"""


def load(tmp_path, text):
    path = tmp_path / "costopt.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_settings(path)


def test_parses_workloads_and_variants(tmp_path, builders):
    targets = parse_targets(load(tmp_path, GOOD))
    wl = targets.workloads["fraud-detector"]
    assert wl.latency_targets_ms == {0.95: 80.0, 0.99: 200.0}
    assert wl.latency_target_ms == 80.0 and wl.latency_quantile == 0.95
    assert wl.min_accuracy == 0.955 and wl.interruptible is False
    assert wl.model == "fraud-detector"  # defaults to the workload's name when a model of that name exists
    model = targets.model_of(wl)
    assert model.variants["int8"].throughput_rps == {"ml.g4dn.xlarge": 210.0}
    assert model.current_variant().name == "fp32"  # relative_compute 1.0 is the reference
    arn = builders.resource("ep-1", kind="endpoint", type="ml.g4dn.xlarge",
                            attributes={"arn": "arn:aws:sagemaker:us-east-1:123:endpoint/fraud-detector"})
    assert targets.for_resource(arn).name == "fraud-detector"
    assert targets.for_resource(builders.resource("other")) is None


def _config_error(tmp_path, text) -> ConfigError:
    """The error parse_targets raises for ``text``, checked to name the file it was read from."""
    settings = load(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        parse_targets(settings)
    path = str(tmp_path / "costopt.toml")
    assert info.value.path == path and path in str(info.value)
    return info.value


# one line under [workloads.w]: the error names that line's key, at line 2
@pytest.mark.parametrize("line,fragment", [
    ('latency_p95_ms = "fast"', "expected a number"),
    ("latency_p95_ms = -3", "> 0"),
    ("latncy_p95_ms = 80", "unknown key"),
    ('kind = "serving"', "inference"),
    ('interruptible = "yes"', "true or false"),
    ("workers_per_instance = 0", "whole number"),
    ("service_cv = -0.5", ">= 0"),
    ('service_cv = "low"', "expected a number"),
    ("resources = [1, 2]", "list of non-empty strings"),
    ('variant = "int4"', "unknown variant"),
])
def test_workload_errors_name_file_line_and_key(tmp_path, line, fragment):
    err = _config_error(tmp_path, f"[workloads.w]\n{line}\n")
    assert err.key == "workloads.w." + line.split(" = ")[0] and err.line == 2
    assert fragment in str(err)


@pytest.mark.parametrize("snippet,key,fragment", [
    ("[models.m]\ncurrent = \"fp32\"\n", "models.m", "missing its variants"),
    ("[models.m]\nvariants = 3\n", "models.m.variants", "variant name"),
    ("[models.m.variants.fp32]\nrelative_compute = 0\n", "models.m.variants.fp32.relative_compute", "> 0"),
    ("[models.m.variants.fp32]\nacuracy = 0.9\n", "models.m.variants.fp32.acuracy", "unknown key"),
    ('[models.m.variants.fp32]\nthroughput_rps = { "ml.g4dn.xlarge" = "many" }\n',
     "models.m.variants.fp32.throughput_rps.ml.g4dn.xlarge", "expected a number"),
    ('[models.m]\ncurrent = "int8"\n[models.m.variants.fp32]\naccuracy = 0.9\n', "models.m.current", "unknown variant"),
    ('[models.m]\nbound = "fast"\n[models.m.variants.fp32]\naccuracy = 0.9\n', "models.m.bound",
     "one of conservative, memory, compute"),
    ('[models.m.variants.fp32]\nprecision = "int4"\n', "models.m.variants.fp32.precision", "one of fp32, fp16, int8"),
    ('[models.m.variants.fp32]\naccuracy = 0.9\n[models.m.profiles."g5.xlarge"]\np95_ms = 4\n',
     "models.m.profiles.g5.xlarge.p95_ms", "unknown key"),
    ('[models.m.variants.fp32]\naccuracy = 0.9\n[models.m.profiles."g5.xlarge"]\np50_ms = 0\n',
     "models.m.profiles.g5.xlarge.p50_ms", "> 0"),
    ('[models.m.variants.fp32]\naccuracy = 0.9\n[models.m.profiles."g5.xlarge"]\np50_ms = 4\nvariant = "int8"\n',
     "models.m.profiles.g5.xlarge.variant", "unknown variant"),
])
def test_model_errors_name_file_line_and_key(tmp_path, snippet, key, fragment):
    err = _config_error(tmp_path, snippet)
    assert err.key == key and fragment in str(err)
    assert err.line is not None and err.line >= 1


def test_error_line_points_at_the_bad_key(tmp_path):
    text = GOOD.replace("min_accuracy = 0.955", "min_accuracy = true")
    err = _config_error(tmp_path, text)
    lines = textwrap.dedent(text).splitlines()
    assert lines[err.line - 1].startswith("min_accuracy")


def test_tags_fill_gaps_and_bad_tags_are_noted(builders):
    settings = Settings(workloads={"search": {"resources": ["search-*"], "latency_p95_ms": 120}})
    targets = parse_targets(settings)
    r = builders.resource("search-embed-1", tags={"costopt:slo-p95-ms": "50", "costopt:min-accuracy": "0.9",
                                                  "costopt:interruptible": "maybe"})
    wl = targets.for_resource(r)
    assert wl.latency_target_ms == 120.0  # config wins over the tag
    assert wl.min_accuracy == 0.9  # the tag fills what config left open
    assert wl.interruptible is None
    assert any("costopt:interruptible" in n for n in wl.notes)
    assert wl.source == "config+tags"


def test_workload_from_tags_only(builders):
    targets = parse_targets(Settings())
    r = builders.resource("ep-9", kind="endpoint", tags={"costopt:model": "ranker", "costopt:slo-p95-ms": "150",
                                                          "costopt:interruptible": "false", "costopt:workload": "inference"})
    wl = targets.for_resource(r)
    assert (wl.name, wl.latency_target_ms, wl.interruptible, wl.kind, wl.source) == ("ranker", 150.0, False, "inference", "tags")
    bad = builders.resource("ep-8", tags={"costopt:slo-p95-ms": "soon"})
    wl_bad = targets.for_resource(bad)
    assert wl_bad.latency_target_ms is None and "not a number" in wl_bad.notes[0]
    assert targets.for_resource(builders.resource("ep-7", tags={"team": "x"})) is None


def test_tag_costopt_model_matches_config_workload(builders):
    settings = Settings(workloads={"fraud-detector": {"latency_p95_ms": 80}})
    targets = parse_targets(settings)
    r = builders.resource("i-123", tags={"costopt:model": "fraud-detector"})
    assert targets.for_resource(r).name == "fraud-detector"


def test_demo_targets_parse_and_match_the_demo_estate():
    targets = parse_targets(demo_settings(Settings()))
    fraud = targets.workloads["fraud-detector"]
    assert fraud.latency_target_ms == 80 and fraud.min_accuracy == 0.955
    assert set(targets.models["fraud-detector"].variants) == {"fp32", "fp16", "int8"}
    assert targets.models["fraud-detector"].variants["int8"].accuracy < fraud.min_accuracy
    search = targets.workloads["search-embed"]
    assert targets.models["search-embed"].variants["int8"].accuracy >= search.min_accuracy
    assert targets.workloads["recsys-ranker"].latency_target_ms == 150
    # a config that declares its own workloads is left alone
    own = Settings(workloads={"x": {}})
    assert demo_settings(own) is own

scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 500), st.floats(allow_nan=True, allow_infinity=True),
                    st.text(max_size=8), st.lists(st.text(max_size=5), max_size=3))
workload_tables = st.dictionaries(st.sampled_from(sorted(WORKLOAD_KEYS) + ["bogus"]),
                                  scalars, max_size=5)
variant_tables = st.dictionaries(st.sampled_from(["accuracy", "relative_compute", "latency_ms", "runs_on_cpu",
                                                  "throughput_rps", "nope"]),
                                 st.one_of(scalars, st.dictionaries(st.text(max_size=6), scalars, max_size=2)), max_size=4)


@hsettings(max_examples=150, deadline=None)
@given(workloads=st.dictionaries(st.text(min_size=1, max_size=6), workload_tables, max_size=2),
       variants=st.dictionaries(st.text(min_size=1, max_size=6), variant_tables, max_size=3))
def test_any_table_parses_or_fails_with_a_config_error(workloads, variants):
    data = {"workloads": workloads, "models": {"m": {"variants": variants}} if variants else {}}
    settings = settings_from_mapping({k: v for k, v in data.items() if v}, ConfigSource(path="fuzz.toml"))
    try:
        targets = parse_targets(settings)
    except ConfigError as exc:
        assert exc.key and str(exc).startswith("fuzz.toml")
        return
    for wl in targets.workloads.values():
        assert all(v > 0 for v in wl.latency_targets_ms.values())
    for model in targets.models.values():
        assert all(v.relative_compute > 0 for v in model.variants.values())


@hsettings(max_examples=150, deadline=None)
@given(tags=st.dictionaries(st.sampled_from(["costopt:model", "costopt:workload", "costopt:slo-p95-ms",
                                             "costopt:slo-p99-ms", "costopt:min-accuracy", "costopt:interruptible",
                                             "costopt:variant", "team"]), st.text(max_size=10), max_size=6))
def test_any_tags_give_a_workload_or_none_never_an_error(tags):
    wl = merge_tags(None, make_resource("r-1", tags=tags))
    if wl is not None:
        assert all(v > 0 for v in wl.latency_targets_ms.values())
        assert wl.interruptible in (True, False, None)
