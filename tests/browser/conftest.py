"""Headless Chromium for the report tests (Debian's chromium driven by Playwright).

Missing chromium or Playwright: the tests skip with the reason, except in CI (env CI set),
where they fail, so CI can never silently skip the browser tests.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("COSTOPT_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run in CI: {reason} (install Debian's chromium: apt-get install -y chromium)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        _unavailable("chromium is not installed (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright for Python is not installed (pip install playwright)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


class PageWatch:
    """A page plus everything it logged and requested."""

    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.requests.append(r.url))

        def dialog(d):
            self.dialogs.append(d.message)
            d.dismiss()
        page.on("dialog", dialog)

    def console_errors(self) -> list[str]:
        return [m for m in self.console if m.startswith("error")] + self.errors


def open_in(browser, contexts: list, path: Path, width: int = 1280, height: int = 900) -> PageWatch:
    ctx = browser.new_context(viewport={"width": width, "height": height})
    contexts.append(ctx)
    watch = PageWatch(ctx.new_page())
    watch.page.goto(path.as_uri())
    watch.page.wait_for_selector("html[data-ready]", timeout=60_000)
    return watch


@pytest.fixture
def open_report(browser):
    contexts: list = []
    yield lambda path, width=1280, height=900: open_in(browser, contexts, path, width, height)
    for ctx in contexts:
        ctx.close()


@pytest.fixture(scope="module")
def open_report_once(browser):
    """Module-scoped opener: tests that only read (or reset what they change) share one load."""
    contexts: list = []
    yield lambda path, width=1280, height=900: open_in(browser, contexts, path, width, height)
    for ctx in contexts:
        ctx.close()
