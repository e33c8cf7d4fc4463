"""Stored triages: the migration of triages made with the earlier questionnaire, recording a
triage all or nothing, the regulatory dates per system and their Schedule rows, and a demo
whose systems, risks and schedule agree with its triages."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pytest

from aims_core.bootstrap import open_database
from aims_core.dashboard.schedule import page
from aims_core.demo.risk import LEGAL_DUTIES
from aims_core.inventory import systems, triage
from aims_core.inventory.triage_records import latest, record_triage, regulatory_dates
from aims_core.records.writes import RowChange, apply_changes
from aims_core.storage.database import Database, apply_migrations
from aims_core.storage.schema import RECHECK_EARLIER_QUESTIONNAIRE
from tests.conftest import ANA, TODAY
from tests.test_triage import CV_SCREENING, V1_CREDIT


def _system(db: Database, name: str = "TalentSift", stage: str = "operation") -> int:
    result = apply_changes(db, "ai_systems", [RowChange("insert", {
        "name": name, "owner": "Ana", "sourcing": "bought", "lifecycle_stage": stage,
        "eu_ai_act_category": "not_assessed"})], ANA)
    assert result.ok, result.errors
    return result.inserted[0]


def test_migration_marks_earlier_triages_for_a_recheck_and_logs_it(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    apply_migrations(con, target=6)
    con.execute("INSERT INTO ai_systems (id, name, owner, sourcing, lifecycle_stage, "
                "eu_ai_act_category, annex_iii_area, version) "
                "VALUES (1, 'CreditLens', 'Ana', 'built', 'operation', 'high_risk', 5, 2)")
    con.execute("INSERT INTO triage_assessments VALUES (1, 1, DATE '2026-03-01', 'Ana', ?, "
                "'high_risk', 5, 'Annex III area 5 …', 1)", [json.dumps(V1_CREDIT)])
    con.execute("INSERT INTO change_log VALUES (1, 'triage_assessments', 1, 'insert', 'Ana', "
                "TIMESTAMP '2026-03-01 10:00', NULL, '{\"id\": 1}')")
    con.close()

    db = open_database(path)
    assert db.backup_path is not None and db.backup_path.exists()
    row = db.query_df("SELECT * FROM triage_assessments").iloc[0]
    assert (row["questionnaire_version"], row["recheck"], row["roles"], row["annex_iii_point"],
            row["version"]) == (1, RECHECK_EARLIER_QUESTIONNAIRE, "provider,deployer", "5(b)", 2)
    assert row["category"] == "high_risk" and row["reasoning"] == "Annex III area 5 …"
    logged = db.query_rows("SELECT changed_by, before_json, after_json FROM change_log "
                           "WHERE operation = 'update'")
    assert logged[0][0] == "schema migration 10" and logged[0][1] == '{"id": 1}'
    assert json.loads(logged[0][2])["recheck"] == RECHECK_EARLIER_QUESTIONNAIRE
    # still readable, flagged in the inventory and on the Schedule
    stored = latest(db, 1)
    assert stored.result.category == "high_risk" and stored.questionnaire_version == 1
    assert systems.count(db, systems.SystemFilter(recheck_only=True)) == 1
    recheck = page(db, TODAY, limit=None).query("kind == 'EU AI Act re-check'")
    assert recheck[["item", "due_on", "overdue"]].values.tolist() == [["CreditLens", TODAY,
                                                                       False]]
    assert "1 Mar 2026" in recheck["reason"].iloc[0]
    db.close()


def test_a_triage_and_its_system_are_written_together(db: Database) -> None:
    sid = _system(db)
    result, written = record_triage(db, sid, 1, CV_SCREENING, ANA, TODAY)
    assert written.ok and result.category == "high_risk"
    assert db.query_rows("SELECT eu_ai_act_category, annex_iii_area, annex_iii_point "
                         "FROM ai_systems") == [("high_risk", 4, "4(a)")]
    stored = db.query_df("SELECT * FROM triage_assessments").iloc[0]
    assert stored["roles"] == "deployer" and stored["questionnaire_version"] == 2
    assert json.loads(stored["answers_json"])["questionnaire"] == 2
    assert {d["legal_basis"] for d in json.loads(stored["obligations_json"])} == {
        "Art. 4", "Art. 26", "Art. 26(11)", "Art. 86"}


def test_bad_answers_or_a_stale_system_write_nothing(db: Database) -> None:
    sid = _system(db)
    with pytest.raises(triage.TriageError, match="not a point of Annex III area 4"):
        record_triage(db, sid, 1, {**CV_SCREENING, "annex_iii_point": "5(b)"}, ANA, TODAY)
    _, written = record_triage(db, sid, 99, CV_SCREENING, ANA, TODAY)  # someone else saved
    assert not written.ok and written.conflicts
    assert db.scalar("SELECT count(*) FROM triage_assessments") == 0
    assert db.scalar("SELECT eu_ai_act_category FROM ai_systems") == "not_assessed"


def test_regulatory_dates_per_system_and_their_schedule_rows(db: Database) -> None:
    sid = _system(db)
    record_triage(db, sid, 1, {**CV_SCREENING, "roles": ["provider", "deployer"],
                               "art50_provider": ["interacts"]}, ANA, TODAY)
    every = regulatory_dates(db, TODAY, upcoming_only=False)
    assert every["applies_from"].tolist() == [date(2025, 2, 2), date(2026, 8, 2),
                                              date(2027, 12, 2)]
    assert every["in_force"].tolist() == [True, True, False]
    annex_iii = every.iloc[2]
    assert annex_iii["reason"].startswith("Annex III high-risk duties from 2 Dec 2027 "
                                          "(High-risk, Annex III 4(a)) — as provider: Arts. 8–15")
    assert "as deployer: Art. 26, Art. 26(11), Art. 86" in annex_iii["reason"]
    upcoming = page(db, TODAY, limit=None).query("kind == 'EU AI Act date'")
    assert upcoming[["item", "due_on", "overdue", "link"]].values.tolist() == [
        ["TalentSift", date(2027, 12, 2), False, f"ai_systems?system={sid}"]]


def test_a_retired_system_has_no_regulatory_dates(db: Database) -> None:
    sid = _system(db)
    record_triage(db, sid, 1, CV_SCREENING, ANA, TODAY)
    assert apply_changes(db, "ai_systems", [RowChange("update", {
        "lifecycle_stage": "retired", "retired_on": TODAY}, row_id=sid, expected_version=2)],
        ANA).ok
    assert regulatory_dates(db, TODAY, upcoming_only=False).empty


def test_the_point_must_belong_to_the_systems_area(db: Database) -> None:
    result = apply_changes(db, "ai_systems", [RowChange("insert", {
        "name": "S", "owner": "Ana", "sourcing": "built", "lifecycle_stage": "design",
        "eu_ai_act_category": "high_risk", "annex_iii_area": 4, "annex_iii_point": "5(b)"})],
        ANA)
    assert [str(p) for p in result.errors] == [
        "new AI system 1, field 'Annex III point': 5(b) is not a point of Annex III area 4"]


# --- the demo agrees with its triages ---------------------------------------------------------
def test_demo_systems_carry_their_latest_triages_result(demo_db: Database) -> None:
    for system_id, category, area, point in demo_db.query_rows(
            "SELECT id, eu_ai_act_category, annex_iii_area, annex_iii_point FROM ai_systems"):
        stored = latest(demo_db, system_id)
        if stored is None:
            assert category == "not_assessed"
            continue
        result = stored.result
        assert (result.category, result.annex_iii_area, result.annex_iii_point) == \
            (category, area, point) or stored.recheck, system_id


def test_demo_accepts_no_risk_that_is_a_duty_in_force(demo_db: Database) -> None:
    accepted = demo_db.query_rows("SELECT r.title, r.ai_system_id FROM risks r "
                                  "WHERE r.status = 'accepted'")
    for title, system_id in accepted:
        if title not in LEGAL_DUTIES:
            continue
        basis = LEGAL_DUTIES[title][0]
        stored = latest(demo_db, system_id) if system_id else None
        in_force = {o.legal_basis for o in stored.result.obligations
                    if o.applies_from <= TODAY} if stored else set()
        assert basis not in in_force, (title, system_id)
    chatbot = demo_db.query_rows(
        "SELECT r.status, r.treatment, string_agg(c.control_id, ',') FROM risks r "
        "JOIN ai_systems s ON s.id = r.ai_system_id LEFT JOIN risk_controls c ON "
        "c.risk_id = r.id WHERE s.name = 'Ask Aldwick customer chatbot' AND r.title = "
        "'People not told they are dealing with AI' GROUP BY ALL")
    assert chatbot == [("treating", "mitigate", "A.8.2,A.8.5")]


def test_demo_says_where_personal_data_is_processed(demo_db: Database) -> None:
    for name in ("PeopleCore performance insights", "MeetNotes transcription"):
        flags = demo_db.query_rows(
            "SELECT s.personal_data, d.personal_data FROM ai_systems s JOIN ai_data_sources d "
            "ON d.ai_system_id = s.id WHERE s.name = ?", [name])
        assert flags and all(system and source for system, source in flags), name


def test_demo_schedule_shows_its_regulatory_dates(demo_db: Database) -> None:
    items = page(demo_db, TODAY, limit=None)
    dates = items[items["kind"] == "EU AI Act date"]
    by_system = {item: set(part["due_on"]) for item, part in dates.groupby("item")}
    assert by_system["TalentSift CV screening"] == {date(2027, 12, 2)}
    assert by_system["Ask Aldwick customer chatbot"] == {date(2026, 12, 2)}  # 50(2) grace
    assert date(2027, 12, 2) in by_system["DocuRead document extraction"]  # Art. 6(4), 49(2)
    assert (dates["due_on"] >= TODAY).all() and not dates["overdue"].any()
    assert set(items.loc[items["kind"] == "EU AI Act re-check", "item"]) == {
        "MeetNotes transcription"}
