"""The improvement loop end to end in Debian's chromium, on the demo organisation: record a
serious incident on a high-risk system and see its reporting deadline on the Schedule and the
system due for re-validation; raise a nonconformity from an audit finding, plan and complete
its corrective action, record the effectiveness check and close it."""

from __future__ import annotations

import re
from datetime import date, timedelta

import duckdb
import pytest

from tests.browser_kit import SHOTS, Server, pick_identity, press, settle

pytestmark = pytest.mark.browser


def _choose(page: object, label: str, option: str) -> None:
    """Pick ``option`` in the select box labelled ``label`` (typing filters the list)."""
    box = page.locator("[data-testid='stSelectbox']").filter(
        has=page.get_by_text(label, exact=True)).locator("input")
    box.click()
    box.fill(option)
    page.get_by_role("option", name=option, exact=True).click()
    settle(page)


def _type_date(page: object, label: str, day: date) -> None:
    """Type a date into the date field labelled ``label``: its year, month and day segments
    take the digits in turn (format YYYY-MM-DD)."""
    page.get_by_role("spinbutton", name=f"year, {label}", exact=True).click()
    page.keyboard.type(f"{day:%Y%m%d}")
    # The field sends its value when the focus leaves it (not on Tab to its own calendar
    # button): move the focus away and let that rerun finish before the next field.
    page.locator("h1").first.click()
    settle(page)


def _alert(page: object, text: str) -> str:
    alert = page.locator("[data-testid='stAlert']", has_text=text).first
    alert.wait_for(timeout=30_000)
    return alert.inner_text()


def test_record_a_serious_incident_and_see_its_deadline_and_revalidation(
        server: Server, page: object) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.goto(f"{server.url}/incidents")
    settle(page)
    pick_identity(page, "Browser Tester")
    page.get_by_text("Record an incident").click()
    settle(page)
    _choose(page, "AI system", "CreditLens credit scoring")
    page.locator("input[aria-label='What happened (title)']").fill("Browser: declines of "
                                                                   "over-60s tripled")
    page.keyboard.press("Tab")
    settle(page)
    _choose(page, "Severity", "Critical")
    _choose(page, "Harm type", "Discrimination / bias")
    _choose(page, "Serious incident (EU AI Act)", "Serious (Art. 3(49))")
    press(page, "Record the incident", "recorded")
    message = _alert(page, "recorded")
    number = int(re.search(r"Incident #(\d+) recorded", message).group(1))
    deadline = date.today() + timedelta(days=15)
    assert f"EU AI Act Art. 73 deadline: {deadline:%-d %b %Y}" in message
    assert "CreditLens credit scoring is due for re-validation now" in message
    _alert(page, "report the serious incident to the market surveillance authority")
    page.screenshot(path=str(SHOTS / "incident_recorded.png"), full_page=True)

    page.goto(f"{server.url}/schedule?schedule_kinds=Incident+report&schedule_horizon="
              "Everything")
    settle(page)
    label = f"Incident report: #{number} Browser: declines of over-60s tripled"
    page.locator("[data-testid='stPlotlyChart']").get_by_text(label).wait_for(timeout=30_000)
    page.locator("[data-testid='stPlotlyChart']").get_by_text(
        f"{deadline:%d %b %Y}").first.wait_for()
    page.screenshot(path=str(SHOTS / "incident_on_schedule.png"), full_page=True)

    page.goto(f"{server.url}/ai_systems?system=1")
    settle(page)
    page.get_by_role("tab", name="Validations").click()
    _alert(page, f'Incident #{number} "Browser: declines of over-60s tripled" was opened')
    page.screenshot(path=str(SHOTS / "incident_revalidation_due.png"), full_page=True)
    assert page.locator("[data-testid='stException']").count() == 0

    server.stop()
    con = duckdb.connect(str(server.db_path), read_only=True)
    row = con.execute("SELECT ai_system_id, serious_incident, owner, detected_on FROM incidents "
                      "WHERE id = ?", [number]).fetchone()
    con.close()
    assert row == (1, "serious", "Browser Tester", date.today())


def test_raise_a_nonconformity_from_a_finding_act_check_and_close(server: Server,
                                                                 page: object) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.goto(f"{server.url}/audits?audit=2")
    settle(page)
    pick_identity(page, "Browser Tester")
    press(page, "Raise nonconformity", "pre-filled from the finding")
    number = int(re.search(r"nonconformity #(\d+)",
                           _alert(page, "pre-filled from the finding")).group(1))

    page.goto(f"{server.url}/nonconformities?nc={number}")  # a new session: who again
    settle(page)
    pick_identity(page, "Browser Tester")
    page.locator("input[aria-label='New action']").fill("Add fairness metrics to the "
                                                        "ChurnRadar validation report")
    page.keyboard.press("Tab")
    settle(page)
    _type_date(page, "Due on", date.today() + timedelta(days=10))
    press(page, "Add action", "Action added")
    press(page, "Mark done", "is done")
    _type_date(page, "Check due on", date.today() + timedelta(days=30))
    _type_date(page, "Checked on", date.today())
    _choose(page, "Result", "Effective")
    press(page, "Save the effectiveness check", "Effectiveness check saved")
    press(page, "Close the nonconformity", f"Nonconformity #{number} closed")
    page.screenshot(path=str(SHOTS / "nonconformity_closed.png"), full_page=True)
    assert page.locator("[data-testid='stException']").count() == 0

    server.stop()
    con = duckdb.connect(str(server.db_path), read_only=True)
    nc = con.execute("SELECT status, effectiveness_result, source_table, owner, closed_on "
                     "FROM nonconformities WHERE id = ?", [number]).fetchone()
    action = con.execute("SELECT status, done_on, owner FROM actions WHERE source_table = "
                         "'nonconformities' AND source_id = ?", [number]).fetchone()
    authors = {r[0] for r in con.execute(
        "SELECT changed_by FROM change_log WHERE table_name = 'nonconformities' AND row_id = ?",
        [number]).fetchall()}
    con.close()
    assert nc == ("closed", "effective", "audit_findings", "Priya Shah", date.today())
    assert action == ("done", date.today(), "Priya Shah")
    assert authors == {"Browser Tester"}
