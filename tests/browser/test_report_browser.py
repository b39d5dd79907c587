"""The HTML report in a real headless Chromium: loads clean, charts draw, table works, no XSS."""

from __future__ import annotations

import pytest

from costopt.reports import html
from tests.reports.sample_audit import HOSTILE_NAME, HOSTILE_TAG, make_audit, rec

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def report_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(html.render(make_audit()), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def shared(open_report_once, report_file):
    """One loaded report for the read-only / self-resetting tests (a page load is seconds on CI)."""
    return open_report_once(report_file)


def _names(page) -> list[str]:
    return page.eval_on_selector_all("#rec-body tr:not(.detail):not([hidden]) .rname", "els => els.map(e => e.textContent)")


def test_report_loads_offline_with_charts_and_no_errors(shared, tmp_path):
    w = shared
    page = w.page
    assert page.evaluate("document.documentElement.getAttribute('data-ready')") == "true"
    assert w.console_errors() == []
    # file:// for the page, blob: for the embedded plotly.js started in-page; nothing else
    assert [u for u in w.requests if not u.startswith(("file://", "blob:"))] == []
    assert sum(u.startswith("blob:") for u in w.requests) == 1
    chart_ids = page.eval_on_selector_all("div.chart", "els => els.map(e => e.id)")
    assert len(chart_ids) >= 8
    for chart_id in chart_ids:
        assert page.locator(f"#{chart_id} svg.main-svg").count() >= 1, chart_id
    # a bar per provider in the weekly spend chart
    assert page.locator("#chart-spend-provider g.trace.bars").count() == 3
    page.screenshot(path=str(tmp_path / "report-1280.png"), full_page=True)
    assert (tmp_path / "report-1280.png").stat().st_size > 10_000


def test_hostile_strings_do_not_execute_and_show_as_text(shared):
    w = shared
    page = w.page
    assert page.evaluate("window.__pwned") is None
    assert w.dialogs == []
    assert page.locator("#rec-body img, #rec-table img, main img").count() == 0
    assert HOSTILE_NAME in _names(page)
    assert HOSTILE_TAG in page.eval_on_selector_all("#rec-body td", "els => els.map(e => e.textContent)")
    # the chart labels show the text literally too (no <a>/<img> from plotly)
    assert page.locator("#chart-top-resources a, #chart-frontier-0 a").count() == 0
    labels = page.eval_on_selector_all("#chart-top-resources .ytick text", "els => els.map(e => e.textContent)")
    assert any("<script>" in label for label in labels)
    # the detail of the hostile row is text as well
    button = page.locator("#rec-body tr:not(.detail)", has_text="vol-0abc").locator("button.disclosure")
    button.click()
    detail = page.locator("#" + button.get_attribute("aria-controls"))
    assert "aws ec2 delete-volume --volume-id vol-0abc" in detail.locator("pre.apply").text_content()
    button.click()
    assert page.evaluate("window.__pwned") is None and w.console_errors() == []


def test_sorting(shared):
    page = shared.page
    savings = lambda: page.eval_on_selector_all(  # noqa: E731
        "#rec-body tr:not(.detail) td.num", "els => els.map(e => Number(e.textContent.replace(/[^0-9.]/g, '')))")
    assert savings() == sorted(savings(), reverse=True)
    page.click("#rec-table th[data-sort=savings] button")
    assert page.get_attribute("#rec-table th[data-sort=savings]", "aria-sort") == "ascending"
    assert savings() == sorted(savings())
    page.click("#rec-table th[data-sort=name] button")
    assert page.get_attribute("#rec-table th[data-sort=name]", "aria-sort") == "ascending"
    assert page.get_attribute("#rec-table th[data-sort=savings]", "aria-sort") == "none"
    names = _names(page)
    assert names == sorted(names, key=str.lower)
    page.click("#rec-table th[data-sort=name] button")
    assert _names(page) == list(reversed(names))


def test_filtering_and_search(shared):
    page = shared.page
    total = len(_names(page))
    page.select_option("#f-provider", "GCP")
    assert _names(page) == ["gs://ml-datasets"]
    assert page.text_content("#rec-count") == f"1 of {total} recommendations match"
    page.select_option("#f-provider", "")
    page.select_option("#f-team", "vision")
    assert sorted(_names(page)) == ["train-vision-a", "train-vision-b"]
    page.select_option("#f-team", "")
    page.select_option("#f-slo", "ok")
    assert sorted(_names(page)) == ["fraud-detector", "search-embed"]
    page.select_option("#f-slo", "")
    page.select_option("#f-risk", "2")
    assert sorted(_names(page)) == ["search-embed", "train-vision-a"]
    page.select_option("#f-risk", "")
    page.fill("#f-search", "nat-pipe")
    assert _names(page) == ["nat-pipeline"]
    page.click("#f-reset")
    page.wait_for_function(f"document.querySelectorAll('#rec-body tr:not(.detail):not([hidden])').length === {total}")


def test_row_expands_to_evidence_impact_and_command(shared):
    page = shared.page
    row = page.locator("#rec-body tr:not(.detail)", has_text="fraud-detector")
    button = row.locator("button.disclosure")
    assert button.get_attribute("aria-expanded") == "false"
    button.click()
    assert button.get_attribute("aria-expanded") == "true"
    detail = page.locator("#" + button.get_attribute("aria-controls"))
    text = detail.text_content()
    assert "58 ms → 61 ms (target 80 ms: within)" in text
    assert "0.962 → 0.961 (floor 0.955: within)" in text
    assert "aws sagemaker update-endpoint --endpoint-name fraud-detector" in text
    button.click()
    assert detail.is_hidden()


def test_phone_width_and_print(open_report, report_file, tmp_path):
    w = open_report(report_file, width=390, height=844)
    page = w.page
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1  # no page-level horizontal scroll
    assert page.locator("#rec-table th[data-sort=account]").is_hidden()
    # the trade-off stays readable on a phone: the SLO verdict and the p95 / accuracy change
    assert page.locator("#rec-table th[data-sort=slo]").is_visible()
    assert page.locator("#rec-table th[data-sort=impact]").is_visible()
    fraud = page.locator("#rec-body tr", has_text="fraud-detector").first
    assert "p95 58 → 61 ms (target 80)" in fraud.inner_text()
    page.screenshot(path=str(tmp_path / "report-390.png"), full_page=True)
    page.emulate_media(media="print")
    assert page.locator("#rec-filters").is_hidden()
    pdf = tmp_path / "report.pdf"
    page.pdf(path=str(pdf))
    assert pdf.stat().st_size > 10_000 and w.console_errors() == []


def test_compressed_payload_and_paging(open_report, tmp_path):
    recs = [rec("idle.unattached_volume", f"vol-{i:05d}", "delete unattached volume", 10.0 + i, name=f"volume {i}",
                team=HOSTILE_TAG if i % 7 == 0 else "data") for i in range(400)]
    path = tmp_path / "big.html"
    path.write_text(html.render(make_audit(recs=recs), compress_over=10_000), encoding="utf-8")
    w = open_report(path)
    page = w.page
    assert page.evaluate("document.documentElement.getAttribute('data-ready')") == "true"
    assert len(_names(page)) == 250  # first page only: the DOM stays small for big audits
    assert page.text_content("#rec-count") == "Showing 250 of 400 recommendations"
    page.click("#rec-more-btn")
    assert len(_names(page)) == 400 and page.locator("#rec-more").is_hidden()
    # sorting works on every row, not just the ones on screen
    page.click("#rec-table th[data-sort=savings] button")
    assert _names(page)[:2] == ["volume 0", "volume 1"] and len(_names(page)) == 250
    page.select_option("#f-team", HOSTILE_TAG)
    assert len(_names(page)) == 58 and page.text_content("#rec-count") == "58 of 400 recommendations match"
    assert page.evaluate("window.__pwned") is None and w.console_errors() == []


OVERLAPS = """els => {
  const box = e => { if (!e) return null; const r = e.getBoundingClientRect(); return r.width && r.height ? r : null; };
  const hit = (a, b) => a && b && a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  const out = [];
  for (const chart of els) {
    const legend = box(chart.querySelector('g.legend'));
    if (!legend) continue;
    const others = [['title', chart.querySelector('text.gtitle')], ['x title', chart.querySelector('text.xtitle')],
                    ...[...chart.querySelectorAll('g.xtick text')].map(t => ['x tick', t])];
    for (const [what, el] of others) if (el && hit(legend, box(el))) out.push(chart.id + ': legend over ' + what);
  }
  return out;
}"""


@pytest.mark.parametrize("width", [1280, 900, 390])
def test_chart_legends_never_cover_titles_or_axes(open_report, report_file, width):
    """A legend of several rows (service categories in a half-width card) once grew up into the
    chart's title; it now sits below the axis, its title and its two-line date ticks."""
    w = open_report(report_file, width=width, height=1200)
    legends = w.page.eval_on_selector_all("div.chart g.legend", "els => els.length")
    assert legends >= 3  # weekly spend by provider and by category, the trade-off, the trend
    assert w.page.eval_on_selector_all("div.chart", OVERLAPS) == []
