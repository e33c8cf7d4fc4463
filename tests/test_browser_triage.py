"""End to end in Debian's chromium: a deployer runs the EU AI Act triage of a bought system
step by step, sees a deployer's result (Art. 6(3): not high-risk, no provider duty), and the
system's regulatory dates reach the Schedule."""

from __future__ import annotations

import json

import duckdb
import pytest

from tests.browser_kit import SHOTS, Server, pick_identity, press, settle

pytestmark = pytest.mark.browser


def _radio(page: object, question: str, option: str) -> None:
    page.locator("[data-testid='stRadio']", has_text=question).get_by_text(
        option, exact=True).click()
    settle(page)


def _pick(page: object, widget: str, question: str, option: str) -> None:
    """Type into a multiselect or selectbox to filter its (virtualised) list, then pick."""
    box = page.locator(f"[data-testid='{widget}']", has_text=question).locator("input")
    box.click()
    box.fill(option[:40])
    if widget == "stSelectbox":  # the first match is taken with Enter
        box.press("Enter")
    else:
        page.get_by_role("option", name=option, exact=True).click()
        page.keyboard.press("Escape")
    settle(page)


def test_a_deployer_triages_a_bought_system_step_by_step(server: Server, page: object) -> None:
    SHOTS.mkdir(exist_ok=True)
    con = duckdb.connect(str(server.before), read_only=True)
    system_id = con.execute("SELECT id FROM ai_systems WHERE name = 'IncomeCheck categoriser'"
                            ).fetchone()[0]
    con.close()
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{server.url}/ai_systems?system={system_id}")
    settle(page)
    pick_identity(page, "Browser Tester")
    page.get_by_text("No EU AI Act triage recorded yet").wait_for()
    _radio(page, "What are you triaging?", "An AI system (software that uses AI to produce "
                                           "its outputs)")
    _radio(page, "Is it an AI system", "Yes")
    # bought in: the deployer role is pre-selected from the profile and the sourcing
    page.get_by_text("Pre-selected from the organisation profile").wait_for()
    _pick(page, "stMultiSelect", "Did your organisation do any of these", "None of these")
    _pick(page, "stMultiSelect", "Which of these apply (Art. 2(1))",
          "We are established or located in the EU")
    _pick(page, "stMultiSelect", "Does one of the Act's exclusions apply", "None of these")
    _pick(page, "stMultiSelect", "Does the system carry out any of these practices",
          "None of these")
    _pick(page, "stSelectbox", "covered by the EU product law in Annex I", "No")
    _pick(page, "stSelectbox", "Is the system intended for use in one of the Annex III areas",
          "5. Access to essential private and public services and benefits")
    _radio(page, "Which point of the area", "5(b) Evaluating the creditworthiness of natural "
                                            "persons or establishing their credit score")
    _radio(page, "perform profiling of natural persons", "No")
    _pick(page, "stMultiSelect", "Do any of these conditions describe the system",
          "(d) It performs a task preparatory to an assessment")
    _radio(page, "nonetheless pose a significant risk of harm", "No")
    _pick(page, "stMultiSelect", "As its deployer, which of these", "None of these")
    _radio(page, "free and open-source licence", "No")
    _radio(page, "role for the general-purpose AI model", "None: we use a third-party model "
                                                          "as it is, or no general-purpose "
                                                          "model is involved")
    page.screenshot(path=str(SHOTS / "triage_questionnaire_1280.png"), full_page=True)
    press(page, "Save triage and set the category", "Triage saved: Not high-risk")
    page.get_by_text("Likely risk level: Not high-risk (Art. 6(3))").wait_for()
    page.get_by_text("Obligations as deployer").wait_for()
    assert page.get_by_text("Obligations as provider").count() == 0
    assert page.locator("[data-testid='stException']").count() == 0
    page.screenshot(path=str(SHOTS / "triage_result_1280.png"), full_page=True)
    page.set_viewport_size({"width": 1920, "height": 1080})
    settle(page)
    page.screenshot(path=str(SHOTS / "triage_result_1920.png"), full_page=True)

    page.goto(f"{server.url}/schedule?schedule_kinds=EU+AI+Act+date"
              "&schedule_kinds=EU+AI+Act+re-check&schedule_horizon=Everything")
    settle(page)
    page.get_by_text("EU AI Act re-check").first.wait_for()
    assert page.locator("[data-testid='stException']").count() == 0
    page.screenshot(path=str(SHOTS / "schedule_eu_ai_act_1920.png"), full_page=True)

    server.stop()
    con = duckdb.connect(str(server.db_path), read_only=True)
    category, point = con.execute("SELECT eu_ai_act_category, annex_iii_point FROM ai_systems "
                                  "WHERE id = ?", [system_id]).fetchone()
    by, roles, answers = con.execute(
        "SELECT assessed_by, roles, answers_json FROM triage_assessments "
        "WHERE ai_system_id = ?", [system_id]).fetchone()
    con.close()
    assert (category, point, by, roles) == ("not_high_risk", "5(b)", "Browser Tester",
                                            "deployer")
    assert json.loads(answers)["derogation"] == ["d"]
