"""What a person waits for in Debian's chromium: the app's first page after
``streamlit run`` (against a bare hello-world page), and a page drawn on a warm server.

Times are taken with Playwright from outside the server. "Drawn" means the page's
elements are on screen: every Plotly chart has drawn its SVG, the script has finished and
the connection is up; it waits on the page itself, never on a fixed pause.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser_kit import CHROMIUM, CHROMIUM_ARGS, Server, start_server  # noqa: E402

HELLO = Path(__file__).with_name("hello.py")
_CONNECTED = "[data-testid='stApp'][data-test-connection-state='CONNECTED']"
_DONE = "[data-testid='stApp'][data-test-script-state='notRunning']"
# Every Plotly chart on the page has drawn (the chart's own SVG is in place).
_CHARTS_DRAWN = """() => {
    const charts = document.querySelectorAll("[data-testid='stPlotlyChart']");
    return [...charts].every(c => c.querySelector('.main-svg'));
}"""


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _drawn(page: Page, element: str, at_least: int, timeout_ms: int = 120_000) -> None:
    """Wait until ``at_least`` elements match, charts are drawn and the script is done."""
    page.wait_for_function(
        f"() => document.querySelectorAll({element!r}).length >= {at_least}",
        timeout=timeout_ms)
    page.wait_for_selector(_CONNECTED, timeout=timeout_ms)
    page.wait_for_selector(_DONE, state="attached", timeout=timeout_ms)
    page.wait_for_function(_CHARTS_DRAWN, timeout=timeout_ms)


@dataclass
class StartUp:
    first_element_s: float  # from `streamlit run` to the page's first tile (or title)
    drawn_s: float  # from `streamlit run` to the whole page drawn


def start_up(browser: Browser, script: Path, db_path: Path, element: str,
             at_least: int) -> StartUp:
    """Start a fresh server for ``script`` and time its first page in a fresh browser
    context (no cached files), from the moment the command runs."""
    with tempfile.TemporaryDirectory() as tmp:
        database = Path(tmp) / "aims.duckdb"
        shutil.copy(db_path, database)
        started = time.perf_counter()
        server = start_server(database, Path(tmp) / "streamlit.log", script=script,
                              poll=0.02, settled=False)
        try:
            context = browser.new_context(viewport={"width": 1440, "height": 1000})
            page = context.new_page()
            page.goto(server.url, wait_until="commit")
            page.wait_for_selector(element, timeout=120_000)
            first = time.perf_counter() - started
            _drawn(page, element, at_least)
            drawn = time.perf_counter() - started
            context.close()
        finally:
            server.stop()
    return StartUp(first, drawn)


@contextmanager
def running(db_path: Path) -> Iterator[Server]:
    """The app served on a copy of ``db_path`` while the block runs."""
    with tempfile.TemporaryDirectory() as tmp:
        database = Path(tmp) / "aims.duckdb"
        shutil.copy(db_path, database)
        server = start_server(database, Path(tmp) / "streamlit.log")
        try:
            yield server
        finally:
            server.stop()


def page_drawn(browser: Browser, server: Server, path: str, element: str,
               at_least: int) -> float:
    """Seconds from opening ``path`` in a new tab to the page drawn."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    started = time.perf_counter()
    page.goto(f"{server.url}/{path}", wait_until="commit")
    _drawn(page, element, at_least)
    elapsed = time.perf_counter() - started
    context.close()
    return elapsed
