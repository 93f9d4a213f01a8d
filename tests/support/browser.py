"""Debian's chromium for the browser tests (deploy/local/browser.py installs it), the flags it runs with, and a
page that records every fault a user would see."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest

from deploy.local.browser import install_browser

FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage"]


def chromium_or_skip() -> str:
    """The chromium executable; skips the test where playwright or chromium is missing and not installable."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("the Python package playwright is not installed (pip install -e '.[test]')")
    path = install_browser()
    if path is None:
        pytest.skip("chromium is not installed and cannot be installed here (needs root and apt-get: "
                    "apt-get install -y chromium chromium-driver)")
    return path


# Just after midnight UTC (2026-12-01 00:30 in Beijing): a browser clock on which a UTC day is not China's.
BROWSER_CLOCK = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)
MISSING_WORDS = re.compile(r"\b(null|undefined|NaN|None)\b")


def no_missing_words(page) -> None:
    """No page of the dashboard prints a missing value as a word."""
    found = MISSING_WORDS.findall(page.inner_text("body"))
    assert not found, (page.url, found)


def record_faults(page, errors: list[str]) -> None:
    """Console errors, uncaught exceptions, failed requests and 4xx/5xx answers, appended to `errors`. A fetch
    the page aborted itself (a view's load that a later view superseded: ERR_ABORTED) is no fault."""
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("requestfailed", lambda request: (request.resource_type, request.failure) != ("fetch", "net::ERR_ABORTED")
            and errors.append(f"failed: {request.url} ({request.failure})"))
    page.on("response", lambda response: response.status >= 400 and errors.append(
        f"{response.status}: {response.url}"))


def canvas_drawn(page, selector: str) -> bool:
    """The chart's canvas exists, has a size, and has pixels that are not all blank."""
    return page.eval_on_selector(selector + " canvas", """canvas => {
        if (!canvas.width || !canvas.height) return false;
        const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
        let inked = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] > 0) inked++;
        return inked > 500;
    }""")


@contextmanager
def browser_page(chromium: str, errors: list[str], **options) -> Iterator:
    """A Playwright page in headless chromium (1400×1000, zh-CN, and `options` of Browser.new_page such as
    `timezone_id`) whose faults are appended to `errors`."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS)
        try:
            page = browser.new_page(**{"viewport": {"width": 1400, "height": 1000}, "locale": "zh-CN", **options})
            record_faults(page, errors)
            yield page
        finally:
            browser.close()
