"""End to end in Debian's chromium: the demo's planned review held on a shared screen in
presenter mode (screenshots at 1920x1080 and 1280x800) while a note-taker in a second
browser records notes and a decision; the screen shows them without being touched."""

from __future__ import annotations

import pytest

from tests.browser_kit import SHOTS, Server, pick_identity, settle
from tests.conftest import BROWSER_TESTER

pytestmark = pytest.mark.browser

NOTE = "Two CV-screening risks above tolerance: treatment agreed"
DECISION = "Fund a second fairness test of TalentSift before go-live"


def _present(page: object, server: Server, section: int) -> None:
    page.goto(f"{server.url}/management_review?present=1&section={section}")
    settle(page)
    page.get_by_role("heading", name="Risk picture and treatment").wait_for(timeout=30_000)


def test_presenter_screen_and_note_taker_at_the_same_time(server: Server,
                                                          browser: object) -> None:
    SHOTS.mkdir(exist_ok=True)
    screen_context = browser.new_context(viewport={"width": 1920, "height": 1080})
    screen = screen_context.new_page()
    _present(screen, server, 8)  # input 8: the risk picture
    assert screen.locator("textarea").count() == 0  # no edit widgets on the shared screen
    deploy = screen.get_by_role("button", name="Deploy")
    assert deploy.count() == 0 or not deploy.first.is_visible()  # Streamlit's chrome hidden
    assert not screen.locator("[data-testid='stSidebar']").is_visible()
    assert screen.locator("[data-testid='stException']").count() == 0
    screen.screenshot(path=str(SHOTS / "management_review_presenter_1920.png"))

    taker_context = browser.new_context(viewport={"width": 1440, "height": 1000})
    taker = taker_context.new_page()
    taker.goto(f"{server.url}/management_review")
    settle(taker)
    pick_identity(taker, BROWSER_TESTER)
    taker.get_by_role("tab", name="Inputs and notes").click()
    expander = taker.locator("[data-testid='stExpander']", has_text="Risk picture and treatment")
    expander.locator("summary").click()
    expander.locator("textarea").fill(NOTE)
    expander.get_by_text("Discussed", exact=True).click()
    expander.get_by_role("button", name="Save the notes").click()
    taker.locator("[data-testid='stAlert']",
                  has_text="Notes on Risk picture and treatment saved").wait_for(timeout=30_000)
    settle(taker)

    taker.get_by_role("tab", name="Results and sign-off").click()
    form = taker.locator("[data-testid='stForm']", has_text="Record a decision")
    form.locator("[data-testid='stSelectbox']", has_text="From input").click()
    taker.get_by_role("option", name="Risk picture and treatment").click()
    form.get_by_label("Decision", exact=True).fill(DECISION)
    form.get_by_role("button", name="Record the decision").click()
    taker.locator("[data-testid='stAlert']", has_text="Decision recorded").wait_for(
        timeout=30_000)

    # The screen re-reads what was recorded on its own, and stays on its input.
    screen.get_by_text(NOTE).wait_for(timeout=30_000)
    screen.get_by_text(DECISION).wait_for(timeout=30_000)
    assert screen.get_by_role("heading", name="Risk picture and treatment").is_visible()
    screen.screenshot(path=str(SHOTS / "management_review_presenter_recorded_1920.png"))

    screen.get_by_role("button", name="Next ▶").click()
    screen.get_by_role("heading", name="Statement of Applicability").wait_for(timeout=30_000)
    settle(screen)
    laptop = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    _present(laptop, server, 8)
    laptop.get_by_text(NOTE).wait_for(timeout=30_000)
    assert laptop.locator("[data-testid='stException']").count() == 0
    laptop.screenshot(path=str(SHOTS / "management_review_presenter_1280.png"))
    for context in (screen_context, taker_context, laptop.context):
        context.close()
