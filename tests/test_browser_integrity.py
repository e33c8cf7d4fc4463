"""In Debian's chromium: what a person types in the grid is taken as written or refused with
their typing kept, and two people saving the same row see their edits merged, or both
values to choose from.

The grid is a canvas; its accessible table (``#glide-cell-<column>-<row>``) mirrors it, so
each step is checked rather than timed (see test_browser.py).
"""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from tests.browser_kit import SHOTS, Server, pick_identity, press, settle, until

pytestmark = pytest.mark.browser


def _db(server: Server) -> duckdb.DuckDBPyConnection:
    """The file, read while the app still runs (the test reads it after stopping it)."""
    server.stop()
    return duckdb.connect(str(server.db_path), read_only=True)


def _grid(page: object) -> object:
    return page.locator("[data-testid='stDataFrame']").filter(visible=True).first


def _select(page: object, grid: object, column: int, row: int = 0) -> None:
    """Select a cell: click the row near its left edge, then move to the column with the
    keyboard (column widths follow the page width)."""
    selected = f"[id^='glide-cell-'][id$='-{row}'][aria-selected='true']"
    until(page, lambda: grid.click(position={"x": 120, "y": 35 + 18 + 35 * row}), selected)
    at = int(page.locator(selected).first.get_attribute("id").split("-")[2])
    for _ in range(abs(column - at)):
        page.keyboard.press("ArrowRight" if column > at else "ArrowLeft")
    page.wait_for_selector(f"#glide-cell-{column}-{row}[aria-selected='true']",
                           state="attached")


def _type(page: object, grid: object, column: int, text: str, row: int = 0) -> None:
    _select(page, grid, column, row)
    until(page, lambda: page.keyboard.press("Enter"), ".gdg-input")
    editor = page.locator(".gdg-input").first
    editor.fill(text)
    editor.press("Enter")
    page.wait_for_function(
        f"() => document.querySelector('#glide-cell-{column}-{row}')?.textContent"
        f".startsWith({text[:20]!r})")
    settle(page)


def test_grid_takes_numbers_and_dates_as_written_or_refuses_keeping_the_typing(
        server: Server, browser: object) -> None:
    SHOTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1440, "height": 1000},
                                  permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(f"{server.url}/kpis")
    settle(page)
    pick_identity(page, "Browser Tester")
    page.get_by_role("tab", name="Enter values").click()
    settle(page)
    grid = _grid(page)
    grid.wait_for()
    row_id = int(page.locator("#glide-cell-1-0").text_content())
    # columns: 1 ID, 2 Date, 3 Value, 4 Note
    _type(page, grid, 3, "0,5")  # a decimal comma: 0.5, not 5
    press(page, "Save changes", "KPI measurement changes saved: 1 updated")
    _type(page, grid, 3, "12x,5")
    press(page, "Save changes", "Nothing was saved")
    error = page.locator("[data-testid='stAlert']", has_text="Nothing was saved").inner_text()
    assert "field 'Value'" in error and "12x,5" in error, error
    assert page.locator("#glide-cell-3-0").text_content() == "12x,5"  # the typing stays
    page.screenshot(path=str(SHOTS / "grid_refused_value.png"))
    _type(page, grid, 3, "0.75")
    page.evaluate("navigator.clipboard.writeText('31/12/1999')")  # pasted, day first
    _select(page, grid, 2)
    page.keyboard.press("Control+v")  # (the accessible table shows pastes only later)
    page.wait_for_timeout(1000)
    settle(page)
    press(page, "Save changes", "KPI measurement changes saved: 1 updated")
    _type(page, grid, 4, "n" * 2001, row=1)
    press(page, "Save changes", "Nothing was saved")
    error = page.locator("[data-testid='stAlert']", has_text="Nothing was saved").inner_text()
    assert "is 2,001 characters long; the limit is 2,000" in error, error
    assert len(page.locator("#glide-cell-4-1").text_content()) == 2001  # nothing cut
    page.screenshot(path=str(SHOTS / "grid_refused_note.png"))
    context.close()
    con = _db(server)
    value, day = con.execute("SELECT value, measured_on FROM kpi_measurements WHERE id = ?",
                             [row_id]).fetchone()
    con.close()
    assert (value, day) == (0.75, date(1999, 12, 31))


def test_two_people_saving_one_row_are_merged_or_choose(server: Server,
                                                       browser: object) -> None:
    SHOTS.mkdir(exist_ok=True)
    people = {}
    for name in ("Lena Novak", "Tom Becker"):
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        page = context.new_page()
        page.goto(f"{server.url}/ai_systems")
        settle(page)
        pick_identity(page, name)
        page.get_by_text("Pick your name in the sidebar").wait_for(state="detached")
        page.locator("h1").first.click()
        settle(page)
        people[name] = (context, page)
    lena, tom = people["Lena Novak"][1], people["Tom Becker"][1]
    # columns: 1 ID, 2 Name, 3 Purpose, 4 Owner, 5 Department
    _type(lena, _grid(lena), 5, "Lena's department")
    press(lena, "Save changes", "AI system changes saved: 1 updated")
    _type(tom, _grid(tom), 3, "Tom's purpose")  # another field: merged on top of Lena's
    _type(tom, _grid(tom), 5, "Tom's department")  # the same field: Tom chooses
    press(tom, "Save changes", "so were the fields you edited")
    panel = tom.locator("[data-testid='stRadio']", has_text="Department")
    assert "Keep yours: \"Tom's department\"" in panel.inner_text()
    assert "Keep theirs: \"Lena's department\"" in panel.inner_text()
    tom.screenshot(path=str(SHOTS / "conflict_choice.png"), full_page=True)
    panel.get_by_text("Keep yours", exact=False).click()
    settle(tom)
    press(tom, "Save with these choices", "AI system changes saved: 1 updated")
    for context, _ in people.values():
        context.close()
    con = _db(server)
    purpose, department = con.execute("SELECT purpose, department FROM ai_systems "
                                      "WHERE id = 1").fetchone()
    authors = [r[0] for r in con.execute(
        "SELECT changed_by FROM change_log WHERE table_name = 'ai_systems' AND row_id = 1 "
        "ORDER BY id DESC LIMIT 2").fetchall()]
    con.close()
    assert (purpose, department) == ("Tom's purpose", "Tom's department")
    assert authors == ["Tom Becker", "Lena Novak"]
