"""The improvement pages through AppTest on the demo: recording an incident, its deadlines
and re-validation, raising and closing a nonconformity, the actions list, the Overview tile."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from aims_core.improvement import legal_clocks
from aims_core.ui.session import get_db, today
from aims_core.ui.text import md_escape, md_unescape
from tests.apptest_kit import ROOT, open_page, run_app
from tests.improvement_kit import update

pytestmark = pytest.mark.usefixtures("demo_path")


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, at.exception
    return at


def _texts(elements: object) -> list[str]:
    """What the messages read as (user text in them is escaped Markdown)."""
    return [md_unescape(e.value) for e in elements]


def _record_incident(at: AppTest, **values: object) -> AppTest:
    for name, value in values.items():
        key = f"incident_new_0_{name}"
        if name in ("title", "reported_by", "owner"):
            at.text_input(key=key).input(value)
        elif name in ("description", "immediate_action"):
            at.text_area(key=key).input(value)
        elif name == "personal_data_breach":
            at.checkbox(key=key).check()
        elif name == "detected_on":
            at.date_input(key=key).set_value(value)
        else:
            at.selectbox(key=key).set_value(value)
    at.button(key="incident_new_go").click().run()
    return _ok(at)


def test_record_a_serious_incident_see_its_deadline_and_the_revalidation() -> None:
    at = open_page("pages/incidents.py", "Priya Shah")
    system_id = get_db().scalar("SELECT id FROM ai_systems WHERE name = "
                                "'CreditLens credit scoring'")
    at = _record_incident(at, ai_system_id=system_id, title="Declines of over-60s tripled",
                          severity="critical", harm_type="discrimination",
                          serious_incident="serious")
    new_id = get_db().scalar("SELECT max(id) FROM incidents")
    deadline = today() + timedelta(days=15)
    success = " ".join(_texts(at.success))
    assert f"Incident #{new_id} recorded" in success
    assert f"EU AI Act Art. 73 deadline: {deadline:%-d %b %Y}" in success
    assert "CreditLens credit scoring is due for re-validation now" in success
    row = get_db().query_rows("SELECT ai_system_id, status, owner, reported_by, detected_on "
                              "FROM incidents WHERE id = ?", [new_id])[0]
    assert row == (system_id, "open", "Priya Shah", "Priya Shah", today())
    assert at.query_params["incident"] == str(new_id)  # the new incident is opened below
    assert any("EU AI Act Art. 73" in w and f"{deadline:%-d %b %Y}" in w
               for w in _texts(at.warning))
    opened = f'Incident #{new_id} "Declines of over-60s tripled" was opened'
    assert any(opened in e for e in _texts(at.error))
    assert at.text_input(key="incident_new_1_title").value == ""  # the form starts afresh


def test_a_refused_incident_keeps_what_was_typed() -> None:
    at = open_page("pages/incidents.py", "Priya Shah")
    at = _record_incident(at, ai_system_id=0, title="Chatbot insulted a customer",
                          harm_type="other")
    errors = " ".join(_texts(at.error))
    assert "Nothing was saved" in errors and "The incident, field 'Severity': is required" \
        in errors
    assert at.text_input(key="incident_new_0_title").value == "Chatbot insulted a customer"
    assert get_db().scalar("SELECT count(*) FROM incidents WHERE title LIKE 'Chatbot ins%'") \
        == 0
    at.selectbox(key="incident_new_0_severity").set_value("low")
    at.button(key="incident_new_go").click().run()
    assert any("recorded" in s for s in _texts(_ok(at).success))
    assert get_db().scalar("SELECT ai_system_id FROM incidents WHERE title = "
                           "'Chatbot insulted a customer'") is None  # organisation-wide


def test_no_system_chosen_is_refused_not_taken_as_organisation_wide() -> None:
    at = open_page("pages/incidents.py", "Priya Shah")
    at = _record_incident(at, title="Something", severity="low", harm_type="other")
    assert any("field 'AI system': choose the system involved" in e for e in _texts(at.error))


def test_recording_the_report_stops_the_clock_and_user_text_stays_text() -> None:
    db = get_db()
    incident_id = db.scalar("SELECT id FROM incidents WHERE serious_incident = 'serious' "
                            "AND ai_act_reported_on IS NULL")
    assert update(db, "incidents", incident_id, title="**Bold** [link](http://x.example)").ok
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["incident"] = str(incident_id)
    at.run()
    at.switch_page("pages/incidents.py").run()
    at.sidebar.selectbox(key="identity_name").set_value("Priya Shah").run()
    _ok(at)
    assert any(md_escape("**Bold** [link](http://x.example)") in m.value for m in at.markdown)
    at.button(key=f"incident_report_{incident_id}_ai_act_reported_on_go").click().run()
    assert any("the clock has stopped" in s for s in _texts(_ok(at).success))
    (clock,) = legal_clocks.reporting(db, [incident_id])[incident_id].clocks
    on_time = today() <= clock.deadline
    assert clock.reported_on == today()
    assert clock.state(today()) == ("reported on time" if on_time else "reported late")
    assert legal_clocks.running(db, today()).empty


def test_an_incident_raises_a_nonconformity_from_its_page() -> None:
    incident_id = get_db().scalar("SELECT id FROM incidents WHERE title LIKE 'Thin-file%'")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["incident"] = str(incident_id)
    at.run()
    at.switch_page("pages/incidents.py").run()
    at.sidebar.selectbox(key="identity_name").set_value("Priya Shah").run()
    at.selectbox(key=f"incident_nc_{incident_id}_0_requirement_id").set_value("A.6.2.6")
    at.button(key=f"incident_nc_{incident_id}_go").click().run()
    assert any("Raised as nonconformity" in s for s in _texts(_ok(at).success))
    row = get_db().query_rows("SELECT grade, requirement_id, owner FROM nonconformities "
                              "WHERE source_table = 'incidents' AND source_id = ?",
                              [incident_id])
    assert row == [("major", "A.6.2.6", "Priya Shah")]


def test_raise_a_nonconformity_from_an_audit_finding() -> None:
    db = get_db()
    finding_id, audit_id = db.query_rows(
        "SELECT f.id, f.audit_id FROM audit_findings f WHERE f.finding_type = 'minor' AND NOT "
        "EXISTS (SELECT 1 FROM nonconformities n WHERE n.source_table = 'audit_findings' AND "
        "n.source_id = f.id)")[0]
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["finding"] = str(finding_id)  # the link actions use opens its audit
    at.run()
    at.switch_page("pages/audits.py").run()
    at.sidebar.selectbox(key="identity_name").set_value("Sarah Klein").run()
    assert at.selectbox(key="audits_open_choice").value == audit_id
    at.selectbox(key=f"audit_raise_{audit_id}_0_finding").set_value(finding_id)
    at.button(key=f"audit_raise_{audit_id}_go").click().run()
    assert any("pre-filled from the finding" in s for s in _texts(_ok(at).success))
    assert db.scalar("SELECT grade FROM nonconformities WHERE source_table = 'audit_findings' "
                     "AND source_id = ?", [finding_id]) == "minor"


def test_the_audit_page_warns_when_an_auditor_audits_their_own_work() -> None:
    audit_id = get_db().scalar("SELECT id FROM audits WHERE lead_auditor = auditee")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["audit"] = str(audit_id)
    at.run()
    _ok(at.switch_page("pages/audits.py").run())
    assert any("is also the auditee" in w and "9.2.2" in w for w in _texts(at.warning))


def _open_nc(nc_id: int) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["nc"] = str(nc_id)
    at.run()
    at.switch_page("pages/nonconformities.py").run()
    at.sidebar.selectbox(key="identity_name").set_value("Tom Becker").run()
    return _ok(at)


def test_plan_complete_check_and_close_a_nonconformity() -> None:
    db = get_db()
    nc_id = db.scalar("SELECT id FROM nonconformities WHERE status = 'open'")
    at = _open_nc(nc_id)
    prefix = f"nc_{nc_id}"
    at.text_input(key=f"{prefix}_add_0_title").input("Re-test fairness by age band")
    at.date_input(key=f"{prefix}_add_0_due_on").set_value(today() + timedelta(days=14))
    at.button(key=f"{prefix}_add_go").click().run()
    assert any("Action added" in s for s in _texts(_ok(at).success))
    assert db.scalar("SELECT status FROM nonconformities WHERE id = ?", [nc_id]) == \
        "action_planned"  # moved on with its first action, in the same transaction

    at.button(key=f"nc_close_{nc_id}_go").click().run()
    errors = " ".join(_texts(_ok(at).error))
    assert "cannot be closed while its corrective actions are not done" in errors
    assert "ISO/IEC 42001 10.2" in errors
    assert db.scalar("SELECT status FROM nonconformities WHERE id = ?", [nc_id]) == \
        "action_planned"

    at.button(key=f"{prefix}_done_go").click().run()
    assert any("is done" in s for s in _texts(_ok(at).success))
    at.date_input(key=f"nc_check_{nc_id}_0_due").set_value(today() + timedelta(days=30))
    at.button(key=f"nc_check_{nc_id}_go").click().run()
    assert db.scalar("SELECT status FROM nonconformities WHERE id = ?", [nc_id]) == \
        "awaiting_check"
    at.date_input(key=f"nc_check_{nc_id}_1_checked_on").set_value(today())
    at.selectbox(key=f"nc_check_{nc_id}_1_result").set_value("effective")
    at.text_input(key=f"nc_check_{nc_id}_1_evidence").input("Ratio back at 0.86")
    at.button(key=f"nc_check_{nc_id}_go").click().run()
    at.button(key=f"nc_close_{nc_id}_go").click().run()
    assert any("closed" in s for s in _texts(_ok(at).success))
    assert db.query_rows("SELECT status, closed_on, effectiveness_result FROM "
                         "nonconformities WHERE id = ?", [nc_id]) == [
        ("closed", today(), "effective")]


def test_a_bad_edit_in_the_incident_table_names_row_and_field() -> None:
    at = open_page("pages/incidents.py", "Priya Shah")
    frame = at.session_state["_table_incidents"]["frame"]
    position = int(frame.index[frame["status"] != "closed"][0])
    incident_id = int(frame.loc[position, "id"])
    title = frame.loc[position, "title"]
    epoch = at.session_state["_table_incidents"]["epoch"]
    at.session_state[f"incidents_editor_{epoch}"] = {
        "edited_rows": {position: {"status": "closed"}}, "added_rows": [], "deleted_rows": []}
    at.button(key="incidents_save").click().run()
    assert any(f"Incident {incident_id} ('{title}'), field 'Closed on': is required" in e
               for e in _texts(_ok(at).error))
    assert get_db().scalar("SELECT status FROM incidents WHERE id = ?", [incident_id]) != \
        "closed"


def test_the_actions_list_puts_mine_first_and_overdue_on_top() -> None:
    at = open_page("pages/actions.py", "Priya Shah")
    frame = at.session_state["_table_actions"]["frame"]
    db = get_db()
    mine = db.scalar("SELECT count(*) FROM actions WHERE owner = 'Priya Shah'")
    assert list(frame["owner"][:mine]) == ["Priya Shah"] * mine
    late = db.scalar("SELECT count(*) FROM actions WHERE owner = 'Priya Shah' AND status IN "
                     "('open', 'in_progress') AND due_on < ?", [today()])
    assert late and frame["attention"][:late].eq("Overdue").all()
    assert frame["source_record"].str.len().gt(0).all()
    action_id = int(frame["id"].iloc[-1])
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["action"] = str(action_id)  # the Schedule's link
    at.run()
    at.switch_page("pages/actions.py").run()
    shown = _ok(at).session_state["_table_actions"]["frame"]
    assert shown["id"].tolist() == [action_id]


def test_the_overview_tile_counts_open_incidents_by_severity() -> None:
    at = _ok(run_app())
    tile = next(m for m in at.metric if m.label == "Open incidents")
    db = get_db()
    assert tile.value == str(db.scalar("SELECT count(*) FROM incidents WHERE status <> "
                                       "'closed'"))
    by_severity = db.query_rows("SELECT severity, count(*) FROM incidents WHERE "
                                "status <> 'closed' GROUP BY ALL")
    # the tile's link names the open incidents by severity ("2 high · 1 medium")
    link = next(p.proto for p in at.get("page_link") if p.proto.page.endswith("incidents")
                and "incidents_status" in p.proto.query_string)
    for severity, count in by_severity:
        assert f"{count} {severity}" in link.label
    assert "incidents_status=Open" in link.query_string
    assert "incidents_status=Closed" not in link.query_string


def test_the_schedule_lists_each_improvement_kind() -> None:
    at = open_page("pages/schedule.py", None)
    improvement = ["Incident report", "Internal audit", "Effectiveness check", "Action"]
    at.selectbox(key="schedule_horizon").set_value("Everything").run()
    at.multiselect(key="schedule_kinds").set_value(improvement).run()
    assert set(_ok(at).dataframe[0].value["kind"]) == set(improvement)


def test_empty_pages_guide_the_first_entries(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from aims_core.bootstrap import init_database
    from tests.apptest_kit import fresh_caches

    path = tmp_path / "empty.duckdb"
    init_database(path, "empty").close()
    monkeypatch.setenv("AIMS_DB", str(path))
    fresh_caches()
    expected = {"pages/incidents.py": "No incident recorded yet",
                "pages/nonconformities.py": "No nonconformity yet",
                "pages/audits.py": "No audit planned yet",
                "pages/actions.py": "No action yet"}
    at = run_app()
    for page, text in expected.items():
        at.switch_page(page).run()
        assert any(text in i for i in _texts(_ok(at).info)), page
    fresh_caches()
