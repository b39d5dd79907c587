"""The "ML platform" section of the HTML and Markdown reports (by team), and ML platform findings
in the gate's unrealised-savings check across weekly audits."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser

import pytest

from costopt import history
from costopt.catalog import bundled_catalog
from costopt.gate import BudgetSet, SavingsBudget, evaluate_budgets
from costopt.model import Window
from costopt.reports import html, markdown
from costopt.rules import defaults
from costopt.rules.mlplatform import training_managed_spot
from tests.conftest import make_resource, make_snapshot
from tests.gate.spend import make_audit as spend_audit
from tests.reports.sample_audit import HOSTILE_NAME, make_audit, rec, recommendations

ML = (
    rec("mlplatform.notebook_idle_shutdown", "arn:nb-1", "enable idle shutdown", 1961.0, name="research-gpu",
        kind="notebook", team="vision", apply="aws sagemaker create-notebook-instance-lifecycle-config ..."),
    rec("mlplatform.training_managed_spot", "aws:1/us-east-1/training/resnet", "run training on managed spot", 2300.0,
        name="resnet-train (6 jobs)", kind="training_run", team="vision"),
    rec("mlplatform.idle_compute", "arn:app", "delete idle app", 540.0, name=HOSTILE_NAME, kind="ml_app", team="search"),
    rec("mlplatform.tuning_search", "arn:hpo", "early stopping on", 120.0, name="xgb-search", kind="tuning_job", team=""),
)


def test_markdown_section_groups_by_team_largest_first():
    text = markdown.render(make_audit(recs=recommendations() + ML))
    section = text.split("### ML platform", 1)[1].split("<details>", 1)[0]
    teams = re.findall(r"^\*\*(.+?)\*\*: (\S+)/month", section, flags=re.M)
    assert teams == [("vision", "$4,261"), ("search", "$540"), ("(no team tag)", "$120")]
    assert "resnet-train (6 jobs) | training jobs | run training on managed spot" in section
    assert "<script>" not in section and "train-vision-b" not in section  # only mlplatform.* findings


def test_no_section_without_ml_platform_findings():
    assert "### ML platform" not in markdown.render(make_audit())
    assert 'id="ml-platform"' not in html.render(make_audit(), plotlyjs="cdn")


class _Section(HTMLParser):
    """Captions, rows (cell texts) and script elements of the ML platform section."""

    def __init__(self):
        super().__init__()
        self.captions, self.rows, self.tags, self._in, self._cell = [], [], set(), None, None

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag == "caption":
            self._in = "caption"
            self.captions.append("")
        elif tag == "tr" and self._in != "caption":
            self.rows.append([])
        elif tag in ("td", "th") and self.rows:
            self.rows[-1].append("")
            self._cell = True

    def handle_endtag(self, tag):
        if tag == "caption":
            self._in = None
        elif tag in ("td", "th"):
            self._cell = None

    def handle_data(self, data):
        if self._in == "caption":
            self.captions[-1] += data
        elif self._cell and self.rows:
            self.rows[-1][-1] += data


def test_html_section_by_team_escaped():
    page = html.render(make_audit(recs=recommendations() + ML), plotlyjs="cdn")
    body = page.split('<section id="ml-platform"', 1)[1].split("</section>", 1)[0]
    parsed = _Section()
    parsed.feed(body)
    captions = [" ".join(c.split()) for c in parsed.captions]
    assert captions == ["vision: $4,261/month from 2 findings", "search: $540/month from 1 finding",
                        "(no team tag): $120/month from 1 finding"]
    rows = [[" ".join(c.split()) for c in r] for r in parsed.rows if r and r[0] != "Resource"]
    assert rows[0][:5] == ["resnet-train (6 jobs)", "training jobs", "run training on managed spot", "AWS", "$2,300"]
    assert rows[2][0] == HOSTILE_NAME and "script" not in parsed.tags
    assert 'href="#ml-platform"' in page


def _runs(week: int):
    return [make_resource(f"arn:resnet-w{week}-{i}", "training_run", "ml.p3.8xlarge", count=2, hourly_cost=0.0,
                          workload="training", tags={"costopt:team": "vision"},
                          attributes={"family": "resnet-train", "billable_seconds": 9 * 3600.0, "in_window_share": 1.0,
                                      "checkpoint_s3": None, "max_runtime_s": 86400})
            for i in range(6)]


def test_a_training_family_finding_ages_in_the_gate_across_weeks_of_new_jobs(tmp_path):
    """Each week's jobs are new (new ARNs); the family's finding keeps its id, so the gate ages it."""
    audit = None
    for week in range(6):
        end = datetime(2026, 10, 19, 6, tzinfo=UTC) + timedelta(days=7 * week)
        window = Window(end - timedelta(days=14), end)
        (found,) = training_managed_spot(make_snapshot(_runs(week), window=window), bundled_catalog(),
                                         defaults.TrainingManagedSpot())
        base = spend_audit(date(2026, 9, 1), end.date())
        audit = history.record(replace(base, run_at=end, recommendations=(replace(found, status="selected"),)),
                               tmp_path / "history")
    [result] = evaluate_budgets(audit, BudgetSet(savings=SavingsBudget(warn=100.0, fail=1000.0, weeks=4)))
    assert result.details["ids"] == [found.id] and result.actual == pytest.approx(found.monthly_savings)
    assert result.status == "fail" and "resnet-train (6 jobs)" in result.message
