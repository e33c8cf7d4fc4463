"""End to end in Debian's chromium: every page opens cleanly, an edit survives a reload, an
approval stores a new SoA version (the EU AI Act triage: test_browser_triage.py).

The app runs under ``streamlit run`` on a free port against a demo database of its own.
Screenshots of every page are written to ``screenshots/`` (git-ignored).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pytest

from aims_core.risk import risks
from aims_core.risk.risk_method import RATED_RISKS_SQL, load_method
from aims_core.storage.database import Database
from aims_core.ui.navigation import all_pages
from tests.browser_kit import SHOTS, Server, pick_identity, press, settle, until

pytestmark = pytest.mark.browser

PAGES = {spec.title: spec.url_path for spec in all_pages()}


def test_every_sidebar_page_opens_without_error(server: Server, page: object) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.goto(server.url)
    settle(page)
    links = page.locator("[data-testid='stSidebarNav'] a")
    # Each link reads "<material icon name>\n\n<title>"; the title is the last line.
    labels = [links.nth(i).inner_text().strip().splitlines()[-1] for i in range(links.count())]
    assert labels == list(PAGES), labels
    for label, slug in PAGES.items():
        page.locator("[data-testid='stSidebarNav'] a", has_text=label).click()
        settle(page)
        assert page.locator("[data-testid='stException']").count() == 0, label
        assert page.locator("h1").first.inner_text().strip() == label
        page.screenshot(path=str(SHOTS / f"{slug}.png"), full_page=True)






def test_edit_a_cell_and_see_it_after_reload(server: Server, page: object) -> None:
    page.goto(f"{server.url}/ai_systems")
    settle(page)
    pick_identity(page, "Browser Tester")
    # The read-only hint above the table goes once a name is picked; the grid moves up.
    page.get_by_text("Pick your name in the sidebar").wait_for(state="detached")
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.wait_for()
    box = grid.bounding_box()
    # Double-click the first data row's "Name" cell (right of the narrow ID column) to open
    # the cell editor, replace its text, commit with Enter and let that rerun finish.
    page.mouse.dblclick(box["x"] + 110, box["y"] + 35 + 18)
    cell_editor = page.locator(".gdg-input").first
    cell_editor.wait_for(timeout=10_000)
    cell_editor.fill("Edited in Chromium")
    cell_editor.press("Enter")
    settle(page)
    page.screenshot(path=str(SHOTS / "ai_systems_before_save.png"), full_page=True)
    press(page, "Save changes", "changes saved: 1 updated")
    page.screenshot(path=str(SHOTS / "ai_systems_saved.png"), full_page=True)

    page.reload()
    settle(page)
    page.locator("input[aria-label='Search name or purpose']").fill("Edited in Chromium")
    page.keyboard.press("Enter")
    settle(page)
    # The grid is drawn on a canvas; the match count above it proves the stored name.
    page.get_by_text("Showing 1–1 of 1 matching AI systems").wait_for(timeout=30_000)
    page.screenshot(path=str(SHOTS / "ai_systems_after_reload.png"), full_page=True)

    server.stop()
    con = duckdb.connect(str(server.db_path), read_only=True)
    name, version = con.execute("SELECT name, version FROM ai_systems WHERE id = 1").fetchone()
    log = con.execute("SELECT changed_by, after_json FROM change_log WHERE table_name = "
                      "'ai_systems' AND row_id = 1 ORDER BY id DESC LIMIT 1").fetchone()
    con.close()
    assert name == "Edited in Chromium" and version >= 2
    assert log[0] == "Browser Tester" and json.loads(log[1])["name"] == "Edited in Chromium"


def test_bookmarked_page_url_runs_inside_the_router(server: Server, page: object) -> None:
    """The first visit after a start may be a page URL: it must get the sidebar too."""
    page.goto(f"{server.url}/schedule")
    settle(page)
    assert page.locator("h1").first.inner_text().strip() == "Schedule"
    assert page.locator("[data-testid='stSidebarNav'] a").count() == len(PAGES)
    assert page.locator("[data-testid='stException']").count() == 0


def _residual_counts(page: object) -> dict[tuple[int, int], int]:
    """Counts printed in the residual matrix's cells, read from the drawn Plotly figure."""
    traces = page.evaluate("() => document.querySelector('.js-plotly-plot').data"
                           ".map(t => ({name: t.name, text: t.text, cells: t.customdata}))")
    residual = next(t for t in traces if t["name"] == "residual")
    return {(cell[1], cell[2]): int(text[3:text.index("</b>")]) if text.startswith("<b>")
            else 0 for cell, text in zip(residual["cells"], residual["text"], strict=True)}


def test_change_a_residual_rating_and_see_the_heatmap_move(server: Server,
                                                          page: object) -> None:
    SHOTS.mkdir(exist_ok=True)
    db = Database(server.before)  # the database as the server found it
    listed = risks.register(db, date.today(), risks.RiskFilter(), me="Browser Tester")
    row = int(listed["residual_likelihood"].notna().to_numpy().argmax())  # first rated row
    first = listed.iloc[row]
    labels = load_method(db).likelihood_labels
    db.close()
    old = (int(first["residual_likelihood"]), int(first["residual_impact"]))
    target = 1 if old[0] != 1 else 2
    page.goto(f"{server.url}/risks")
    settle(page)
    pick_identity(page, "Browser Tester")
    page.get_by_text("Pick your name in the sidebar").wait_for(state="detached")
    before = _residual_counts(page)
    page.locator("h1").first.click()  # move the focus out of the sidebar's name box
    settle(page)
    grid = page.locator("[data-testid='stDataFrame']").filter(visible=True).first
    # The grid's accessible table mirrors its canvas: cell ids are glide-cell-<column>-<row>
    # and carry aria-selected, so every step below is checked rather than timed.
    risk_cell, rating_cell = f"#glide-cell-2-{row}", f"#glide-cell-8-{row}"
    until(page, lambda: grid.click(position={"x": 150, "y": 35 + 18 + 35 * row}),
           f"{risk_cell}[aria-selected='true']")
    for _ in range(6):  # from "Risk" right to "Residual likelihood"
        page.keyboard.press("ArrowRight")
    page.wait_for_selector(f"{rating_cell}[aria-selected='true']", state="attached")
    # Enter opens the cell's drop-down editor (react-select), which takes the focus.
    until(page, lambda: page.keyboard.press("Enter"), "[id^='react-select'][aria-expanded='true']")
    label = f"{target} · {labels[target - 1]}"
    page.keyboard.type(label)
    page.get_by_text(label, exact=True).last.wait_for()  # the drop-down's matching option
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"() => document.querySelector(\"{rating_cell}\")?.textContent === '{target}'")
    settle(page)
    press(page, "Save changes", "Risk changes saved: 1 updated")
    after = _residual_counts(page)
    page.screenshot(path=str(SHOTS / "risks_after_edit.png"), full_page=True)
    moved = (target, old[1])
    assert after[old] == before[old] - 1
    assert after[moved] == before[moved] + 1
    assert {k: v for k, v in after.items() if k not in (old, moved)} == \
        {k: v for k, v in before.items() if k not in (old, moved)}

    server.stop()
    con = duckdb.connect(str(server.db_path), read_only=True)
    stored = con.execute("SELECT residual_likelihood, residual_impact FROM risks WHERE id = ?",
                         [int(first["id"])]).fetchone()
    con.close()
    assert stored == moved


def test_approve_the_soa_and_see_the_new_version(server: Server, page: object) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.goto(f"{server.url}/soa")
    settle(page)
    pick_identity(page, "Browser Tester")
    page.get_by_role("tab", name="Versions and diff").click()
    heading = page.get_by_text("What changed between two versions")
    heading.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "soa_versions.png"))
    page.locator("input[aria-label='Note']").fill("Approved in Chromium")
    page.keyboard.press("Tab")
    settle(page)
    press(page, "Approve this SoA", "recorded as a new version")
    assert page.locator("[data-testid='stException']").count() == 0

    server.stop()
    con = duckdb.connect(str(server.db_path), read_only=True)
    version = con.execute("SELECT version_no, approved_by, note FROM soa_versions "
                          "ORDER BY version_no DESC LIMIT 1").fetchone()
    items = con.execute("SELECT count(*) FROM soa_version_items WHERE version_no = ?",
                        [version[0]]).fetchone()[0]
    con.close()
    assert version == (3, "Browser Tester", "Approved in Chromium") and items == 38


def _panels(page: object) -> int:
    """Panels of the drawn trend chart (each titled with its KPI's name in bold)."""
    page.wait_for_function("() => document.querySelector('.js-plotly-plot')?.layout")
    return page.evaluate("() => document.querySelector('.js-plotly-plot').layout.annotations"
                         ".filter(a => a.text.startsWith('<b>')).length")


def test_kpi_page_shows_trends_and_imports_a_file(server: Server, page: object,
                                                  tmp_path: Path) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.goto(f"{server.url}/kpis")
    settle(page)
    assert page.locator("h1").first.inner_text().strip() == "KPIs & objectives"
    charts = page.locator("[data-testid='stPlotlyChart']")
    charts.first.wait_for(timeout=30_000)
    assert charts.count() == 1 and _panels(page) == 8  # one chart, a panel per KPI
    page.get_by_text("✖ Red: breach").first.wait_for()
    assert page.locator("[data-testid='stException']").count() == 0
    page.screenshot(path=str(SHOTS / "kpis_trends.png"), full_page=True)

    page.goto(f"{server.url}/kpis?kpis_system=CreditLens+credit+scoring")  # a shared link
    settle(page)
    page.get_by_text("2 KPIs match").wait_for(timeout=30_000)
    assert _panels(page) == 2

    pick_identity(page, "Browser Tester")
    page.get_by_role("tab", name="Import a file").click()  # a tab runs once opened
    settle(page)
    values = tmp_path / "values.csv"
    values.write_text("kpi,measured_on,value,note\nCreditLens AUC,2026-11-01,0.8,\n"
                      "CreditLens AUC,not a date,0.8,\n")
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(
        str(values))
    settle(page)
    press(page, "Import values", "was not imported")
    page.get_by_text("Skip bad rows: import the good rows").click()
    settle(page)
    press(page, "Import values", "Imported 1 value from")
    assert page.locator("[data-testid='stException']").count() == 0
    page.screenshot(path=str(SHOTS / "kpis_import.png"), full_page=True)


def test_overview_tile_opens_its_filtered_register(server: Server, page: object) -> None:
    SHOTS.mkdir(exist_ok=True)
    con = duckdb.connect(str(server.before), read_only=True)
    high = con.execute(f"SELECT count(*) FROM ({RATED_RISKS_SQL}) WHERE is_open "
                       "AND current_level IN ('High', 'Critical')").fetchone()[0]
    con.close()
    page.goto(f"{server.url}/overview")
    settle(page)
    tile = page.locator("[data-testid='stMetric']", has_text="High & critical open")
    assert tile.locator("[data-testid='stMetricValue']").inner_text().strip() == str(high)
    page.locator("td[data-likelihood]").first.wait_for()  # the heatmap, drawn as a table
    assert page.locator("[data-row]").count() == 9  # coverage: a bar per Annex A objective
    assert page.locator("[data-testid='stException']").count() == 0
    page.get_by_role("link", name="These risks").click()
    page.wait_for_url("**/risks?*")
    settle(page)
    assert "risks_level=High" in page.url and "risks_level=Critical" in page.url
    page.get_by_text(f"of {high} matching risks").wait_for(timeout=30_000)
    page.screenshot(path=str(SHOTS / "overview_to_risks.png"))
