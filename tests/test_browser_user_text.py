"""In a real browser, with every name, title, person and author made of markdown and HTML
payloads (tests/fuzz_kit.py): every page makes no request beyond the app's own server, no
link or image points to the payloads' site, and no payload script ran."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlparse

import pytest

from aims_core.bootstrap import init_database
from aims_core.ui.navigation import all_pages
from tests.browser_kit import SHOTS, Server, pick_identity, settle, start_server
from tests.fuzz_kit import PAYLOADS, Tally, plant_payloads

pytestmark = pytest.mark.browser
tally = Tally("user_text")
VISITS = ["" if spec.default else spec.url_path for spec in all_pages()] + [
    "ai_systems?system=1", "risks?risk=1", "impact_assessments?assessment=1"]
SHOWN_AS_TEXT = {"", "kpis", "ai_systems?system=1", "risks?risk=1",
                 "impact_assessments?assessment=1", "suppliers"}


@pytest.fixture(scope="module")
def payload_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("payload_server")
    with init_database(folder / "aims.duckdb", "demo") as db:
        plant_payloads(db)
    running = start_server(folder / "aims.duckdb", folder / "streamlit.log")
    yield running
    running.stop()
    tally.save()


def test_no_page_fetches_from_elsewhere_links_out_or_runs_a_script(
        payload_server: Server, page: object) -> None:
    outside: list[str] = []
    own = urlparse(payload_server.url).netloc

    def watch(request: object) -> None:
        if urlparse(request.url).scheme in ("http", "https", "ws", "wss") and \
                urlparse(request.url).netloc != own:
            outside.append(request.url)

    page.on("request", watch)
    page.goto(payload_server.url)
    settle(page)
    pick_identity(page, PAYLOADS[3])
    assert page.locator("[data-testid='stException']").count() == 0
    SHOTS.mkdir(exist_ok=True)
    for visit in VISITS:
        page.goto(f"{payload_server.url}/{visit}")
        settle(page)
        assert not page.locator("[data-testid='stException']").count(), visit
        assert page.locator("a[href*='evil.example']").count() == 0, visit
        assert page.locator("img[src*='evil.example']").count() == 0, visit
        assert page.evaluate("window.__pwned") is None, visit
        if visit in SHOWN_AS_TEXT:  # elsewhere they are drawn in grids' canvases
            assert "PWN" in page.inner_text("body"), f"{visit} showed no payload"
        tally.add("pages_checked")
        if visit in ("", "ai_systems?system=1", "kpis", "schedule", "risks?risk=1"):
            page.screenshot(path=str(SHOTS / f"payloads-{visit.split('?')[0] or 'overview'}"
                                             ".png"), full_page=True)
    assert not outside, f"requests beyond the app's server: {outside[:5]}"
    tally.add("external_requests", len(outside))
