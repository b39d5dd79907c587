"""The embedded default: ``costopt audit --demo`` with no cloud account.

It runs the real adapters against in-process fakes — an AWS account in moto
(:mod:`costopt.demo.aws`) and GCP/Azure fakes on 127.0.0.1
(:mod:`costopt.demo.gcp_azure`) — then writes the organisation's hourly FOCUS
export for the same resources (:mod:`costopt.demo.billing`) to a temporary
Parquet file and reads it back through the real billing reader (then deletes it), so billing
ResourceIds match the inventory. The demo's workloads, SLOs and model variants come from
``workloads.toml`` beside this module unless the user's config declares its own.
Everything is seeded: two runs at the same ``now`` give the same audit.
"""

from __future__ import annotations

import tempfile
import tomllib
from dataclasses import replace
from datetime import datetime
from importlib import resources
from pathlib import Path

import pandas as pd

from costopt.billing.readers import open_sources
from costopt.billing.table import BillingTable
from costopt.config import ConfigSource, Settings
from costopt.demo.billing import demo_extra_lines, generate_demo_billing
from costopt.errors import ProviderError
from costopt.model import CoverageEntry, Snapshot, Window
from costopt.progress import Progress
from costopt.providers.base import merge_snapshots

DEMO_AWS_ACCOUNT = "123456789012"
DEMO_GCP_PROJECT = "ml-research-prod"
DEMO_AZURE_SUBSCRIPTION = "5f1c7a2e-0d7b-4c1e-9a43-2b8d6e3f9c10"


def demo_settings(settings: Settings) -> Settings:
    """Add the demo's workloads and model variants unless the user's config has its own."""
    if settings.workloads or settings.models:
        return settings
    ref = resources.files("costopt.demo").joinpath("workloads.toml")
    if not ref.is_file():
        return settings
    text = ref.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    return replace(settings, workloads=data.get("workloads", {}), models=data.get("models", {}),
                   source=ConfigSource(path=f"<demo>/{ref.name}", text=text))


def _adapter_snapshots(window: Window, settings: Settings, progress: Progress, now: datetime) -> list[Snapshot]:
    # The fakes need the 'demo' extra (boto3, moto, the GCP and Azure SDKs): imported only when the
    # demo runs, so that a missing extra is one line naming it (see collect_demo).
    from costopt.demo.aws import collect_demo_aws
    from costopt.demo.gcp_azure import collect_demo_gcp_azure

    progress("demo: seeding an in-process AWS account (moto) and reading it with the AWS adapter")
    snapshots = [collect_demo_aws(window, settings, progress, now)]
    progress("demo: starting local GCP and Azure fakes and reading them with the real adapters")
    snapshots.extend(collect_demo_gcp_azure(window, settings, progress, now))
    return snapshots


def read_back(frame: pd.DataFrame) -> BillingTable:
    """``frame`` written as a FOCUS Parquet export and read by the real billing reader, then held in
    memory so that the temporary file is gone when this returns."""
    with tempfile.TemporaryDirectory(prefix="costopt-demo-") as tmp:
        path = Path(tmp) / "focus-demo.parquet"
        frame.to_parquet(path, index=False)
        table = open_sources([str(path)], "focus")
        table.materialize()
    return table


def collect_demo(window: Window, settings: Settings, progress: Progress, now: datetime) -> Snapshot:
    """The demo organisation's Snapshot (inventory, metrics, billing, coverage); without the SDKs
    and fakes it needs, a ProviderError that names the extra."""
    try:
        snapshots = _adapter_snapshots(window, settings, progress, now)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.split(".")[0] == "costopt":
            raise
        raise ProviderError(f"the demo needs the 'demo' extra: pip install 'costopt-ml[demo]' "
                            f"(missing module {exc.name})") from None
    merged = merge_snapshots(window, snapshots)
    progress("demo: writing the organisation's hourly FOCUS export (5 weeks) and reading it back")
    frame = generate_demo_billing(merged.resources, window.end,
                                  extras=demo_extra_lines(DEMO_AWS_ACCOUNT, DEMO_GCP_PROJECT, DEMO_AZURE_SUBSCRIPTION))
    coverage = tuple(merged.coverage) + (CoverageEntry("demo", "focus export", "ok",
                                                       f"{len(frame):,} hourly FOCUS rows, 5 weeks, 3 providers"),)
    return replace(merged, billing=read_back(frame), coverage=coverage)
