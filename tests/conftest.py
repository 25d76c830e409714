"""Shared fixtures: Debian's chromium driven by Playwright (never a downloaded browser)."""
from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def chromium():
    """The system chromium, launched once for the session; skips when it is not installed."""
    if not CHROMIUM.exists():
        pytest.skip("needs the system chromium at /usr/bin/chromium (apt-get install chromium); "
                    "never downloads a browser")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()
