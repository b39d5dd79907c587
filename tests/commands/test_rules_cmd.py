"""`costopt rules list` and `costopt rules explain ID`, and `costopt catalog show`, through CliRunner."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from costopt.cli import cli
from costopt.rules.engine import load_rules


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_list_shows_every_registered_rule():
    result = run("rules", "list")
    assert result.exit_code == 0, result.output
    registry = load_rules()
    lines = result.output.splitlines()
    assert lines[0].split() == ["id", "family", "default", "title"]
    for rule_id, spec in registry.items():
        line = next(text for text in lines if text.startswith(rule_id + " "))
        assert spec.family in line and spec.title in line
        assert (" on " in line) == spec.enabled_by_default
    for rid in ("rightsizing.oversized_vm", "rightsizing.gpu", "spot.interruptible_workload"):
        assert rid in registry


def test_list_json_and_family_filter():
    result = run("rules", "list", "--family", "rightsizing", "--format", "json")
    rows = json.loads(result.output)
    assert {r["id"] for r in rows} == {"rightsizing.oversized_vm", "rightsizing.gpu"}
    assert all(r["family"] == "rightsizing" and r["default"] == "on" for r in rows)
    bad = run("rules", "list", "--family", "nope")
    assert bad.exit_code == 2 and "no rules in family 'nope'" in bad.output


def test_list_reflects_config(tmp_path):
    cfg = tmp_path / "costopt.toml"
    cfg.write_text('[rules."spot.interruptible_workload"]\nenabled = false\n')
    rows = json.loads(run("rules", "list", "--format", "json", "--config", str(cfg)).output)
    spot = next(r for r in rows if r["id"] == "spot.interruptible_workload")
    assert spot["default"] == "on" and spot["enabled"] is False


def test_explain_shows_doc_params_and_config_keys(tmp_path):
    result = run("rules", "explain", "rightsizing.oversized_vm")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "VMs sized far above their CPU and memory peaks" in out
    assert "Why:" in out and "Fix:" in out
    assert '[rules."rightsizing.oversized_vm"]' in out
    assert "  headroom = 0.2\n" in out and "  cpu_quantile = 0.995\n" in out and "  other_families = true\n" in out
    assert '  kinds = ["vm", ' in out
    cfg = tmp_path / "costopt.toml"
    cfg.write_text('[rules."rightsizing.oversized_vm"]\nheadroom = 0.3\n')
    mine = run("rules", "explain", "rightsizing.oversized_vm", "--config", str(cfg)).output
    assert "headroom = 0.2    # yours: 0.3" in mine


def test_explain_every_rule_works_and_names_the_file_that_defines_it():
    root = Path(__file__).resolve().parents[2]
    for rule_id, spec in load_rules().items():
        result = run("rules", "explain", rule_id)
        assert result.exit_code == 0, (rule_id, result.output)
        assert rule_id in result.output
        [where] = re.findall(r"Defined in (\S+) \((\S+)\)\.", result.output)
        module, path = where
        assert module == spec.func.__module__
        source = (root / path).read_text(encoding="utf-8")
        assert f"def {spec.func.__name__}(" in source and "@rule(" in source, (rule_id, path)


def test_explain_unknown_id_is_one_line_with_suggestion():
    result = run("rules", "explain", "rightsizing.oversized")
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert "did you mean rightsizing.oversized_vm" in result.output


def test_catalog_show():
    result = run("catalog", "show", "g5.2xlarge")
    assert result.exit_code == 0
    assert "8 vCPU, 32 GiB" in result.output and "1 x A10G" in result.output
    assert "us-east-1        on_demand      1.2120 USD/hour  aws-karpenter-2026 (2026-07-20) [price" in result.output
    bad = run("catalog", "show", "g5.2xlarg")
    assert bad.exit_code == 2 and "nearest: g5.2xlarge" in bad.output


def test_catalog_sources():
    result = run("catalog", "sources")
    assert result.exit_code == 0 and "aws-karpenter-2026" in result.output and "azure-blob-list-price" in result.output
