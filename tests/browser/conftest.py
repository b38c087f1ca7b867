"""Real-browser tests: Debian's Chromium, headless, driven by Playwright (never downloaded).

Without /usr/bin/chromium the tests are skipped on a laptop, but fail in CI
(LBC_REQUIRE_BROWSER=1), where .ci/run installs Chromium first.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("LBC_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = os.environ.get("LBC_SCREENSHOTS")  # a folder: save what the browser saw

# Playwright's sync API runs an event loop in this thread; the test's own database work is
# still synchronous, so Django must be told it is safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        if os.environ.get("LBC_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def phone(browser):
    """A cheap phone's screen, in Chinese."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="zh-CN", device_scale_factor=1
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    # The pages must work under their strict Content-Security-Policy: any violation fails.
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    assert violations == [], violations


def screenshot(page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)
