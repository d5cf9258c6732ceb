"""Headless Chromium for the tests that look at a page as a person would: the operating system's
Chromium (Debian's `chromium` package), driven by Playwright through its executable path;
Playwright never downloads a browser here. Where no Chromium is installed, these tests are
skipped and say why (`.ci/run` installs it from the operating system's packages)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import _template_copy

VENDOR = Path(__file__).parent / "vendor"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
NO_CHROMIUM = (
    "no Chromium installed: install the operating system's package (apt-get install chromium) "
    "or set CHROMIUM_PATH to run the page's browser tests"
)


@pytest.fixture(params=["sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """SQLite only: these tests look at a page, and the storage tests cover PostgreSQL."""
    yield from _template_copy(request, tmp_path)


def chromium_path() -> str | None:
    """CHROMIUM_PATH when set, else the first Chromium on PATH."""
    named = os.environ.get("CHROMIUM_PATH")
    if named:
        return named if Path(named).exists() else None
    return next((found for name in CANDIDATES if (found := shutil.which(name))), None)


@pytest.fixture
def browser() -> Iterator[Any]:
    """A Chromium for one test. Not shared: Playwright's synchronous API keeps an event loop in
    this thread while it runs, and the other tests (and a test's own set-up, asked for before
    `browser`) run their own loops here."""
    executable = chromium_path()
    if executable is None:
        pytest.skip(NO_CHROMIUM)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright for Python is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        # --no-sandbox: CI runs as root in a container, where Chromium's sandbox cannot start.
        launched = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Without a Chromium, the browser tests are skipped before their set-up is made."""
    if chromium_path() is not None:
        return
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.skip(reason=NO_CHROMIUM))


def run_axe(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations of WCAG 2.1 A and AA (and 2.0) on the page as it is now."""
    page.add_script_tag(content=(VENDOR / "axe.min.js").read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
        })"""
    )
    return list(result["violations"])
