"""The EU AI Act triage on an AI system's detail, through AppTest: a provider and a deployer
answering the questionnaire, a refused save, the stored record, the re-check filter."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from aims_core.inventory import triage
from aims_core.ui.session import get_db
from aims_core.ui.text import md_unescape
from aims_core.ui.views.system_triage import question_key
from tests.apptest_kit import open_page


def _open(system_name: str, person: str | None = "Sarah Klein") -> tuple[AppTest, int]:
    at = open_page("pages/ai_systems.py", person)
    system_id = int(get_db().scalar("SELECT id FROM ai_systems WHERE name = ?", [system_name]))
    at.selectbox(key="system_detail_choice").set_value(system_id).run()
    assert not at.exception, at.exception
    return at, system_id


def _answer(at: AppTest, system_id: int, steps: list[tuple[str, Any]],
            start: dict[str, Any] | None = None) -> dict[str, Any]:
    """Answer each question as the page shows it (each answer reveals the next), from the
    answers already on the page (``start``)."""
    given: dict[str, Any] = dict(start or {})
    for question_id, value in steps:
        question = next(q for q in triage.visible_questions(given) if q.id == question_id)
        key = question_key(system_id, question)
        if question.kind == "multi":
            widget = at.multiselect(key=key)
        elif len(question.options) > 6:
            widget = at.selectbox(key=key)
        else:
            widget = at.radio(key=key)
        widget.set_value(value).run()
        assert not at.exception, at.exception
        given[question_id] = value
    return given


def _save(at: AppTest, system_id: int) -> None:
    at.button(key=f"triage_save_{system_id}").click().run()
    assert not at.exception, at.exception


def _latest(system_id: int) -> tuple:
    return get_db().query_rows(
        "SELECT category, annex_iii_area, annex_iii_point, roles, questionnaire_version, "
        "answers_json, obligations_json, recheck FROM triage_assessments "
        "WHERE ai_system_id = ? ORDER BY id DESC LIMIT 1", [system_id])[0]


def _markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_a_deployer_answers_and_gets_a_deployers_result(demo_path: Path) -> None:
    at, system_id = _open("IncomeCheck categoriser")  # bought in, never triaged
    assert any("No EU AI Act triage recorded yet" in i.value for i in at.info)
    _answer(at, system_id, [("subject", "system"), ("is_ai_system", "yes")])
    roles = at.multiselect(key=f"triage_{system_id}_roles")
    assert roles.value == ["deployer"]  # bought -> deployer, from the profile and sourcing
    assert any("Pre-selected from the organisation profile" in c.value for c in at.caption)
    _answer(at, system_id, [("art25_changes", ["none"]),
        ("territorial_scope", ["established_eu"]), ("exclusions", ["none"]),
        ("art5_practices", ["none"]), ("annex_i_sector", "none"), ("annex_iii_area", "5"),
        ("annex_iii_point", "5(b)"), ("profiling", "no"), ("derogation", ["d"]),
        ("significant_harm", "no"), ("art50_deployer", ["none"]), ("open_source", "no"),
        ("gpai_role", "none")], {"subject": "system", "is_ai_system": "yes",
                                 "roles": ["deployer"]})
    _save(at, system_id)
    assert any("Triage saved: Not high-risk (Art. 6(3)) (deployer)" in md_unescape(s.value)
               for s in at.success), [e.value for e in at.error]
    category, area, point, roles_stored, version, answers, duties, recheck = \
        _latest(system_id)
    assert (category, area, point, roles_stored, version, recheck) == \
        ("not_high_risk", 5, "5(b)", "deployer", 2, None)
    assert json.loads(answers)["derogation"] == ["d"]
    assert {(d["role"], d["legal_basis"]) for d in json.loads(duties)} == {("deployer",
                                                                             "Art. 4")}
    assert get_db().query_rows("SELECT eu_ai_act_category, annex_iii_point FROM ai_systems "
                               "WHERE id = ?", [system_id]) == [("not_high_risk", "5(b)")]
    shown = _markdown(at)
    assert "Likely risk level: Not high-risk (Art. 6(3))" in shown
    assert "Obligations as deployer" in shown and "Obligations as provider" not in shown
    assert "The provider documents this assessment" in shown


def test_a_provider_and_deployer_gets_both_results(demo_path: Path) -> None:
    at, system_id = _open("Collections prioritiser")  # built in-house, triaged minimal
    stored = json.loads(_latest(system_id)[5])  # the page starts from these answers
    _answer(at, system_id, [("annex_iii_area", "5"), ("annex_iii_point", "5(b)"),
                            ("profiling", "yes"), ("deployer_public", "no")], stored)
    _save(at, system_id)
    assert any("Triage saved: High-risk (provider, deployer)" in md_unescape(s.value)
               for s in at.success)
    category, _, point, roles_stored, *_, duties, _ = _latest(system_id)
    assert (category, point, roles_stored) == ("high_risk", "5(b)", "provider,deployer")
    stored = {(d["role"], d["legal_basis"], d["applies_from"]) for d in json.loads(duties)}
    assert {("provider", "Arts. 72–73", "2027-12-02"), ("provider", "Art. 49(1)", "2027-12-02"),
            ("deployer", "Art. 27", "2027-12-02"), ("deployer", "Art. 26", "2027-12-02")} <= \
        stored
    shown = _markdown(at)
    assert "Obligations as provider" in shown and "Obligations as deployer" in shown
    assert "Likely role:** Provider (Art. 3(3)); Deployer (Art. 3(4))" in shown.replace(
        "\\", "")


def test_an_unfinished_questionnaire_is_refused_and_keeps_the_answers(demo_path: Path) -> None:
    at, system_id = _open("IncomeCheck categoriser")
    _answer(at, system_id, [("subject", "system"), ("is_ai_system", "yes")])
    before = get_db().scalar("SELECT count(*) FROM triage_assessments")
    _save(at, system_id)
    assert any("Not saved" in e.value and "is not answered" in e.value for e in at.error)
    assert get_db().scalar("SELECT count(*) FROM triage_assessments") == before
    assert at.radio(key=f"triage_{system_id}_is_ai_system").value == "yes"


def test_a_triage_from_the_earlier_questionnaire_is_flagged_and_filterable(
        demo_path: Path) -> None:
    at, system_id = _open("MeetNotes transcription", None)
    assert any("Made with the earlier questionnaire" in w.value for w in at.warning)
    at.toggle(key="systems_recheck").set_value(True).run()
    assert list(at.session_state["_table_ai_systems"]["frame"]["id"]) == [system_id]
