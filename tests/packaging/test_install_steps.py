"""The Dockerfile's two pip steps, run as written in a fresh venv on the build context
`.dockerignore` leaves: the wheel installs under its distribution name with the cloud extras and
gives a working `costopt` (rules, catalog and report templates packaged; the demo names its
missing extra). Needs the package index for the dependencies, as `docker build` does."""

from __future__ import annotations

import csv
import json
import os
import re
import shlex
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from costopt import __version__
from tests.packaging.dockerfile import ROOT, build_context, stages

pytestmark = pytest.mark.slow


def dockerfile_steps() -> tuple[str, str]:
    """The builder's `pip wheel` and the final stage's `pip install`, as the Dockerfile writes them."""
    found = stages((ROOT / "Dockerfile").read_text(encoding="utf-8"))
    [wheel] = [r for s in found[:-1] for r in s.all("RUN") if "pip wheel" in r]
    [install] = [r for r in found[-1].all("RUN") if "pip install" in r]
    return wheel, install


def as_local_step(run: str, wheels: Path) -> str:
    """The step outside a container: BuildKit's --mount flag dropped, /wheels a temp folder;
    --no-cache-dir dropped so that repeated runs reuse pip's download cache (same packages)."""
    run = re.sub(r"--mount=\S+\s*", "", run).replace("--no-cache-dir ", "")
    return run.replace("/wheels", shlex.quote(str(wheels)))


@pytest.fixture(scope="module")
def image_venv(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("image")
    context = build_context(base / "src")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
    for step in dockerfile_steps():
        done = subprocess.run(["bash", "-euc", as_local_step(step, base / "wheels")], cwd=context, env=env,
                              capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, f"{step}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return venv


def costopt(venv: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    return subprocess.run([str(venv / "bin" / "costopt"), *args], capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=300)


def test_the_wheel_installs_under_its_distribution_name(image_venv):
    python = str(image_venv / "bin" / "python")
    shown = subprocess.run([python, "-m", "pip", "show", "costopt-ml"], capture_output=True, text=True, check=True)
    assert f"Version: {__version__}" in shown.stdout
    where = subprocess.run([python, "-c", "import costopt, boto3, google.cloud.compute_v1, azure.mgmt.compute;"
                            "print(costopt.__file__)"], capture_output=True, text=True, cwd="/", env={})
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(image_venv), "costopt imported from outside the venv"
    assert subprocess.run([python, "-m", "pip", "check"], capture_output=True, text=True).returncode == 0


def test_the_installed_command_works(image_venv, tmp_path):
    version = costopt(image_venv, "--version")
    assert version.returncode == 0 and __version__ in version.stdout
    rules = costopt(image_venv, "rules", "list", "--format", "json")
    assert rules.returncode == 0, rules.stderr
    ids = {r["id"] for r in json.loads(rules.stdout)}
    assert {"commitments.savings_plan", "rightsizing.gpu", "idle.instance"} <= ids
    # the bundled catalog is in the wheel: m5.2xlarge has 8 vCPUs and 32 GiB (AWS's instance type page)
    shown = costopt(image_venv, "catalog", "show", "m5.2xlarge", "--provider", "aws", "--region", "us-east-1",
                    "--format", "json")
    assert shown.returncode == 0, shown.stderr
    [entry] = json.loads(shown.stdout)
    assert (entry["spec"]["vcpu"], entry["spec"]["memory_gib"]) == (8, 32.0)
    assert any(p["model"] == "on_demand" and p["amount"] > 0 for p in entry["prices"])


def test_an_audit_of_billing_files_writes_the_reports(image_venv, tmp_path):
    source = tmp_path / "focus.csv"
    with source.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["BilledCost", "EffectiveCost", "BillingCurrency", "ChargePeriodStart", "ChargePeriodEnd",
                         "ChargeCategory", "ServiceName", "ServiceCategory", "ProviderName", "SubAccountId"])
        start = datetime(2026, 10, 1)
        for day in range(14):
            t = start + timedelta(days=day)
            writer.writerow([100, 100, "USD", t.isoformat(), (t + timedelta(days=1)).isoformat(), "Usage",
                             "Amazon Elastic Compute Cloud", "Compute", "AWS", "111122223333"])
    done = costopt(image_venv, "audit", "--source", str(source), "--out", "out", "--no-history", "-q", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["audit.json", "report.html", "report.md"]
    assert "<html" in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")


def test_the_demo_names_the_extra_the_image_does_not_carry(image_venv, tmp_path):
    done = costopt(image_venv, "audit", "--demo", "--out", "out", cwd=tmp_path)
    assert done.returncode == 2
    errors = [ln for ln in done.stderr.splitlines() if ln.startswith("costopt: error:")]
    assert len(errors) == 1 and "[demo]" in errors[0] and "Traceback" not in done.stderr
