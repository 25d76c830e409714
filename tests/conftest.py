"""Shared fixtures: Debian's chromium driven by Playwright (never a downloaded browser)."""
from __future__ import annotations

from pathlib import Path

import pytest

from bench.common import CHROMIUM as CHROMIUM_PATH
from bench.common import CHROMIUM_ARGS

CHROMIUM = Path(CHROMIUM_PATH)  # one launch setting for the tests and the browser benchmarks
EXPECT_MS = 15_000  # how long an ``expect`` waits (Playwright's default, 5 s, is short on a loaded 2-core machine)


@pytest.fixture(scope="module")
def chromium():
    """The system chromium, launched once per test module; skips when it is not installed."""
    if not CHROMIUM.exists():
        pytest.skip("needs the system chromium at /usr/bin/chromium (apt-get install chromium); "
                    "never downloads a browser")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_MS)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def watched_page(chromium):
    """Opens pages that record script errors and dialogs; at the end, asserts there were none."""
    opened, problems = [], []

    def open_page(url: str, width: int = 1440, height: int = 900):
        page = chromium.new_page(viewport={"width": width, "height": height})
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
        page.goto(url)
        opened.append(page)
        return page

    yield open_page
    for page in opened:
        page.close()
    assert problems == []


@pytest.fixture(scope="module")
def playground_server():
    """The playground served on a free port of 127.0.0.1 for a module's browser tests."""
    import viz

    handle = viz.playground(port=0, points=300)
    yield handle
    handle.stop()


@pytest.fixture
def open_playground(watched_page, playground_server):
    """Opens the playground (with an optional fragment) once its first state is drawn; no script error allowed."""
    def visit(fragment: str = "", width: int = 1300, height: int = 800):
        page = watched_page(playground_server.url + fragment, width, height)
        from playwright.sync_api import expect

        expect(page.get_by_test_id("output-heatmap")).to_have_attribute("data-scale", "1")
        return page
    return visit


@pytest.fixture(scope="module")
def lab_server():
    """The digit lab (scikit-learn's 8x8 digits) served on a free port of 127.0.0.1 for a module's browser tests."""
    import viz

    handle = viz.digits(port=0, eight_by_eight=True)
    yield handle
    handle.stop()


@pytest.fixture
def open_lab(watched_page, lab_server):
    """Opens the digit lab once its first state is drawn; no script error allowed."""
    def visit(width: int = 1440, height: int = 900):
        page = watched_page(lab_server.url, width, height)
        from playwright.sync_api import expect

        expect(page.get_by_test_id("weight-tile")).to_have_count(16)
        return page
    return visit
