"""Sign-in in a real browser: team mode with local accounts (a Viewer sees no edit controls;
a Contributor edits their own risk and is refused on another's), and personal mode
remembering the person across a reload."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from aims_core.auth import accounts, people
from aims_core.auth.actor import Actor
from aims_core.bootstrap import init_database
from tests.browser_kit import SHOTS, Server, pick_identity, press, settle, start_server, until

pytestmark = pytest.mark.browser

PASSWORD = "browser test password"
VIEWER, CONTRIBUTOR = "hannah.weiss@aldwick-finance.example", "tom.becker@aldwick-finance.example"


@pytest.fixture
def team_server(tmp_path: Path) -> Iterator[Server]:
    db_path, secrets = tmp_path / "aims.duckdb", tmp_path / "secrets.toml"
    db = init_database(db_path, "demo")
    for email in (VIEWER, CONTRIBUTOR):
        accounts.set_password(db, people.by_email(db, email).id, PASSWORD,
                              Actor("Sarah Klein", "admin", "cli"))
    db.close()
    secrets.write_text("[aims]\nlocal_accounts = true\n")
    running = start_server(db_path, tmp_path / "streamlit.log", secrets=secrets)
    yield running
    running.stop()


def _sign_in(page: object, server: Server, email: str) -> None:
    page.goto(server.url)
    settle(page)
    page.get_by_role("heading", name="Sign in").wait_for()
    page.get_by_label("Email").fill(email)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    settle(page)
    page.locator("[data-testid='stSidebar']").get_by_text("signed in").wait_for()


def _edit_first_title(page: object, text: str) -> None:
    grid = page.locator("[data-testid='stDataFrame']:visible").first
    grid.scroll_into_view_if_needed()
    grid.wait_for()
    box = grid.bounding_box()
    until(page, lambda: page.mouse.dblclick(box["x"] + 110, box["y"] + 35 + 18), ".gdg-input")
    editor = page.locator(".gdg-input").first
    editor.fill(text)
    editor.press("Enter")
    settle(page)


def test_team_mode_viewer_reads_and_contributor_edits_only_own_risk(
        team_server: Server, browser: object) -> None:
    SHOTS.mkdir(exist_ok=True)
    viewer = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
    viewer.goto(f"{team_server.url}/risks")
    settle(viewer)
    viewer.screenshot(path=str(SHOTS / "team_sign_in.png"), full_page=False)
    viewer.get_by_role("heading", name="Sign in").wait_for()  # every page needs it
    _sign_in(viewer, team_server, VIEWER)
    nav = viewer.locator("[data-testid='stSidebarNav']")
    assert nav.get_by_text("Users").count() == 0
    viewer.goto(f"{team_server.url}/risks")
    settle(viewer)
    viewer.get_by_text("Your role (Viewer) can read this table").first.wait_for()
    assert viewer.get_by_role("button", name="Save changes").first.is_disabled()
    assert viewer.get_by_role("button", name="Take today's snapshot").count() == 0
    viewer.screenshot(path=str(SHOTS / "team_viewer_risks.png"), full_page=False)
    viewer.reload()  # the session survives a reload
    settle(viewer)
    viewer.locator("[data-testid='stSidebar']").get_by_text("Hannah Weiss").wait_for()
    viewer.context.close()

    page = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
    _sign_in(page, team_server, CONTRIBUTOR)
    page.get_by_role("heading", name="My work").wait_for()  # a Contributor's first page
    page.screenshot(path=str(SHOTS / "team_contributor_my_work.png"), full_page=False)
    page.goto(f"{team_server.url}/risks")  # "My risks first": row 1 is Tom's
    settle(page)
    _edit_first_title(page, "Edited by its owner")
    press(page, "Save changes", "Risk changes saved: 1 updated")
    owner = page.get_by_label("Owner").first  # now only Priya's risks: not Tom's
    owner.click()
    page.keyboard.type("Priya Shah")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    settle(page)
    _edit_first_title(page, "Edited by someone else")
    press(page, "Save changes", "only the owner of risk")
    page.screenshot(path=str(SHOTS / "team_contributor_refused.png"), full_page=False)
    page.context.close()

    team_server.stop()
    con = duckdb.connect(str(team_server.db_path), read_only=True)
    titles = dict(con.execute("SELECT owner, title FROM risks WHERE title LIKE 'Edited by%'")
                  .fetchall())
    refused = con.execute("SELECT actor, detail FROM audit_events WHERE event = "
                          "'write_refused'").fetchall()
    author = con.execute("SELECT changed_by FROM change_log ORDER BY id DESC LIMIT 1").fetchone()
    con.close()
    assert titles == {"Tom Becker": "Edited by its owner"}
    assert refused and refused[0][0] == "Tom Becker" and "Priya Shah" in refused[0][1]
    assert author == ("Tom Becker",)


def test_personal_mode_remembers_the_person_across_reloads_and_tabs(
        server: Server, page: object) -> None:
    page.goto(f"{server.url}/my_work")
    settle(page)
    pick_identity(page, "Sarah Klein")
    page.get_by_role("heading", name="Due").wait_for()
    page.screenshot(path=str(SHOTS / "my_work.png"), full_page=False)
    page.reload()
    settle(page)
    page.get_by_role("heading", name="Due").wait_for()  # still Sarah, no picking again
    other = page.context.new_page()  # a new tab of the same browser
    other.goto(f"{server.url}/my_work")
    settle(other)
    other.get_by_role("heading", name="Due").wait_for()
    other.screenshot(path=str(SHOTS / "my_work_new_tab.png"), full_page=False)
    other.locator("[data-testid='stMain']").get_by_text("Everything Sarah Klein owns").wait_for()
