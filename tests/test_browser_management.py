"""End to end in Debian's chromium: a new, empty organisation fills in its profile (name,
AI roles, EU market, scope) and sees its name on the Overview and in the sidebar; a scope
left empty for the EU market is refused first, with the typing kept."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from aims_core.bootstrap import init_database
from tests.browser_kit import SHOTS, Server, press, settle, start_server

pytestmark = pytest.mark.browser

NAME = "Cleo Robotics SE"


@pytest.fixture
def empty_server(tmp_path: Path) -> Iterator[Server]:
    path = tmp_path / "empty.duckdb"
    init_database(path, "empty").close()
    running = start_server(path, tmp_path / "streamlit.log")
    yield running
    running.stop()


def _pick_role(page: object, label: str) -> None:
    box = page.locator("[data-testid='stMultiSelect']", has_text="AI roles").locator("input")
    box.click()
    box.fill(label.split(" (")[0])  # the option list is virtualised: filter it first
    page.get_by_role("option", name=label, exact=True).click()
    page.keyboard.press("Escape")


def test_fill_the_profile_of_an_empty_organisation(empty_server: Server, page: object) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.goto(f"{empty_server.url}/organisation")
    settle(page)
    page.get_by_text("Start here: enter the organisation's legal name").wait_for()
    # Nobody is in the people directory yet: the first person adds themselves.
    page.get_by_text("Not in the list? Add yourself").click()
    page.get_by_label("Your name").fill("Ana")
    page.get_by_role("button", name="Add me to the people directory").click()
    settle(page)
    page.get_by_label("Legal name").fill(NAME)
    page.get_by_label("Sector").fill("Industrial robotics")
    _pick_role(page, "AI provider (places AI on the market or in service under its name)")
    _pick_role(page, "Deployer (uses AI under its authority)")
    page.get_by_text("Places AI on the EU market or uses it there").click()
    press(page, "Save the profile", "Nothing was saved")
    page.get_by_text("The organisation profile, field 'AIMS scope statement (4.3)'").wait_for()
    assert page.get_by_label("Legal name").input_value() == NAME  # the typing is kept
    page.screenshot(path=str(SHOTS / "organisation_refused.png"), full_page=True)

    page.get_by_label("AIMS scope statement (4.3)").fill(
        "Design, sale and support of the AI vision systems of our robots in the EU")
    press(page, "Save the profile", "Profile saved")
    page.screenshot(path=str(SHOTS / "organisation_saved.png"), full_page=True)

    page.locator("[data-testid='stSidebarNav'] a", has_text="Overview").click()
    settle(page)
    page.locator("[data-testid='stCaptionContainer']",
                 has_text=f"AI management system of {NAME}").first.wait_for()
    sidebar = page.locator("[data-testid='stSidebar']")
    assert NAME in sidebar.inner_text()
    assert NAME in page.title()
    assert page.locator("[data-testid='stException']").count() == 0
    page.screenshot(path=str(SHOTS / "overview_with_profile.png"), full_page=True)
    for slug in ("documents", "roles", "training", "context"):  # the next steps guide
        page.goto(f"{empty_server.url}/{slug}")
        settle(page)
        assert page.locator("[data-testid='stException']").count() == 0, slug
        assert page.locator("[data-testid='stAlert']").count() >= 1, slug

    empty_server.stop()
    con = duckdb.connect(str(empty_server.db_path), read_only=True)
    row = con.execute("SELECT name, sector, ai_roles, eu_market, scope_statement "
                      "FROM organisation").fetchall()
    logged = con.execute("SELECT changed_by, operation FROM change_log "
                         "WHERE table_name = 'organisation'").fetchall()
    con.close()
    assert row == [(NAME, "Industrial robotics", "provider, deployer", True,
                    "Design, sale and support of the AI vision systems of our robots in the "
                    "EU")]
    assert logged == [("Ana", "insert")]  # the first person, an Admin, saved it
