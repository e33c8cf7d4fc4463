"""The management-system pages through AppTest: the profile form on an empty organisation
(its name reaching the Overview, a refused save keeping what was typed), documents with a
new version, roles and training refused with row and field, evidence documents on the SoA
and the Clauses page, and the Schedule's links opening the right place."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from streamlit.testing.v1 import AppTest

from aims_core.ui.session import get_db
from aims_core.ui.session import today as session_today
from aims_core.ui.text import md_unescape
from tests.apptest_kit import ROOT, open_page, run_app

FORM = "FormSubmitter:organisation_profile-Save the profile"


def _edit(at: AppTest, table: str, state: dict) -> AppTest:
    epoch = at.session_state[f"_table_{table}"]["epoch"]
    at.session_state[f"{table}_editor_{epoch}"] = {"edited_rows": {}, "added_rows": [],
                                                   "deleted_rows": [], **state}
    at.button(key=f"{table}_save").click().run()
    assert not at.exception, at.exception
    return at


def _errors(at: AppTest) -> str:
    return " ".join(md_unescape(e.value) for e in at.error)  # as people read them


def test_profile_of_an_empty_organisation_reaches_the_overview(empty_path: Path) -> None:
    at = open_page("pages/organisation.py", "Ana")
    assert any("AI system" in md_unescape(i.value) for i in at.info)
    at.text_input(key="org_name_v0").input("Cleo *Robotics* SE")
    at.multiselect(key="org_ai_roles_v0").set_value(["provider", "deployer"])
    at.checkbox(key="org_eu_market_v0").check()
    at.button(key=FORM).click().run()
    assert "AIMS scope statement (4.3)" in _errors(at) and "EU market" in _errors(at)
    assert get_db().scalar("SELECT count(*) FROM organisation") == 0
    assert at.text_input(key="org_name_v0").value == "Cleo *Robotics* SE"  # kept on screen
    at.text_area(key="org_scope_statement_v0").input("All AI products sold in the EU")
    at.button(key=FORM).click().run()
    assert any("Profile saved" in md_unescape(s.value) for s in at.success), _errors(at)
    assert get_db().query_rows("SELECT name, ai_roles, eu_market FROM organisation") == [
        ("Cleo *Robotics* SE", "provider, deployer", True)]
    assert at.text_input(key="org_name_v1").value == "Cleo *Robotics* SE"
    at.switch_page("pages/overview.py").run()
    assert any(r"Cleo \*Robotics\* SE" in c.value for c in at.caption)  # escaped


def test_a_stale_profile_save_is_a_conflict(demo_path: Path) -> None:
    at = open_page("pages/organisation.py", "Sarah Klein")
    version = get_db().scalar("SELECT version FROM organisation")
    with get_db().transaction() as cur:  # a colleague saved meanwhile
        cur.execute("UPDATE organisation SET sector = 'Banking', version = version + 1")
    at.text_input(key=f"org_sector_v{version}").input("Insurance")
    at.button(key=FORM).click().run()
    assert any("since you loaded it" in md_unescape(w.value) for w in at.warning)
    assert get_db().scalar("SELECT sector FROM organisation") == "Banking"


def test_documents_page_adds_the_policy_refuses_a_missing_approver_and_versions(
        empty_path: Path) -> None:
    at = open_page("pages/documents.py", "Ana")
    assert any("AI system" in md_unescape(i.value) for i in at.info)
    policy = {"title": "AI policy", "doc_type": "ai_policy", "doc_version": "1.0",
              "owner": "Ana", "status": "approved", "approved_on": str(session_today())}
    _edit(at, "documents", {"added_rows": [policy]})
    assert "New row 1, field 'Approved by': is required for an approved document" in \
        _errors(at)
    assert get_db().scalar("SELECT count(*) FROM documents") == 0
    _edit(at, "documents", {"added_rows": [{**policy, "approved_by": "Ben"}]})
    assert get_db().scalar("SELECT count(*) FROM documents") == 1
    doc = get_db().scalar("SELECT id FROM documents")
    at.selectbox(key="documents_detail").set_value(doc).run()
    at.text_input(key=f"documents_new_{doc}_note").input("Yearly review")
    at.button(key=f"FormSubmitter:documents_new_{doc}-Start a new version").click().run()
    assert not at.exception, at.exception
    assert get_db().query_rows("SELECT doc_version, status FROM documents") == [("2.0",
                                                                                 "draft")]
    assert get_db().query_rows("SELECT doc_version, status FROM document_versions") == [
        ("1.0", "approved")]
    assert at.session_state["_table_documents"]["frame"]["doc_version"].tolist() == ["2.0"]


def test_roles_and_training_refuse_bad_rows_naming_them(empty_path: Path) -> None:
    at = open_page("pages/roles.py", "Ana")
    assert any("AI system" in md_unescape(i.value) for i in at.info)
    _edit(at, "roles", {"added_rows": [{"role": "AIMS owner"}]})
    assert "New row 1, field 'Held by': is required" in _errors(at)
    assert get_db().scalar("SELECT count(*) FROM aims_roles") == 0
    at = open_page("pages/training.py", "Ana")
    assert any("AI system" in md_unescape(i.value) for i in at.info)
    at.session_state["training_tab"] = "Courses and competences"
    at.run()
    _edit(at, "competences", {"added_rows": [{"name": "AI literacy", "kind": "ai_literacy",
                                              "validity_months": 0}]})
    assert "field 'Valid for (months)': must be at least 1" in _errors(at)
    _edit(at, "competences", {"added_rows": [{"name": "AI literacy", "kind": "ai_literacy",
                                              "validity_months": 24}]})
    at.session_state["training_tab"] = "Records"
    at.run()
    future = str(date.today() + timedelta(days=3))
    _edit(at, "training_records", {"added_rows": [{"person": "Bo", "competence_id": 1,
                                                   "completed_on": future}]})
    assert "field 'Completed on': cannot be in the future" in _errors(at)
    assert get_db().scalar("SELECT count(*) FROM training_records") == 0


def test_soa_evidence_points_to_a_document(demo_path: Path) -> None:
    at = open_page("pages/soa.py", "Sarah Klein")
    db = get_db()
    doc = db.scalar("SELECT id FROM documents WHERE reference = 'AIMS-POL-02'")
    at.selectbox(key="soa_evidence_target").set_value("A.2.3").run()
    assert doc in at.selectbox(key="soa_evidence_document_A.2.3").options or \
        any(str(doc) in o for o in at.selectbox(key="soa_evidence_document_A.2.3").options)
    at.selectbox(key="soa_evidence_document_A.2.3").set_value(doc).run()
    at.button(key="soa_evidence_save").click().run()
    assert not at.exception, at.exception
    assert any("next review is now the evidence's expiry" in md_unescape(s.value)
               for s in at.success)
    stored = db.query_rows("SELECT evidence_document_id, evidence_expiry FROM soa "
                           "WHERE control_id = 'A.2.3'")
    assert stored == [(doc, None)]
    review = db.scalar("SELECT next_review FROM documents WHERE id = ?", [doc])
    row = at.session_state["_table_soa"]["frame"].set_index("control_id").loc["A.2.3"]
    assert row["evidence_expiry"] == review.isoformat() and row["evidence_document"].startswith(
        "AIMS-POL-02")


def test_clauses_page_shows_where_the_evidence_is(demo_path: Path) -> None:
    at = open_page("pages/clauses.py", None)
    [evidence] = [d.value for d in at.dataframe if "source" in d.value.columns]
    assert {"Risk register", "Context issues", "Training records"} <= set(evidence["source"])
    assert evidence.loc[evidence["source"] == "Risk register", "link"].eq("risks").all()
    frame = at.session_state["_table_clauses"]["frame"].set_index("clause_id")
    assert frame.loc["5.2", "evidence_document"].startswith("AIMS-POL-01")
    assert "Risk register" in frame.loc["6.1.2", "sources"]


def test_schedule_links_open_the_tab_and_the_person(demo_path: Path) -> None:
    run_app()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["training_tab"] = "Records"
    at.query_params["training_person"] = "Aisha Rahman"
    at.switch_page("pages/training.py").run()
    assert not at.exception, at.exception
    shown = at.session_state["_table_training_records"]["frame"]
    assert set(shown["person"]) == {"Aisha Rahman"} and len(shown) >= 2
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["context_tab"] = "Interested parties"
    at.switch_page("pages/context.py").run()
    assert "_table_context_parties" in at.session_state
    assert "_table_context_issues" not in at.session_state  # only the open tab runs
