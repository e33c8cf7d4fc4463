"""Integrity where the data is: migrations that fail, gaps in their numbering, and the unique
keys that close races (one link per risk and control, one risk per impact, one SoA version
number), each refusal in words."""

from __future__ import annotations

import json
import threading
from datetime import date
from pathlib import Path

import duckdb
import pytest

from aims_core.auth.actor import Actor
from aims_core.compliance import soa
from aims_core.records.writes import RowChange, apply_changes
from aims_core.risk import risks
from aims_core.storage import database
from aims_core.storage.database import Database, DatabaseError, apply_migrations
from aims_core.storage.schema import LATEST_VERSION, MIGRATIONS, Migration
from tests.conftest import ANA, TODAY

PEOPLE = ("Ana", "Ben", "Bo", "Cleo")


def _old_file(path: Path, version: int = 6) -> None:
    con = duckdb.connect(str(path))
    apply_migrations(con, target=version)
    con.execute("INSERT INTO ai_systems (id, name, version) VALUES (1, 'Legacy', 1)")
    con.close()


def _broken(monkeypatch: pytest.MonkeyPatch) -> Migration:
    broken = Migration(LATEST_VERSION + 1, "a step that cannot work",
                       ("ALTER TABLE ai_systems ADD COLUMN extra INTEGER",
                        "SELECT 1 / 'x'::INTEGER"))
    monkeypatch.setattr(database, "MIGRATIONS", (*MIGRATIONS, broken))
    return broken


def test_failed_migration_rolls_back_says_where_the_backup_is_in_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "aims.duckdb"
    _old_file(path)
    _broken(monkeypatch)
    with pytest.raises(DatabaseError) as caught:
        Database(path)
    message = str(caught.value)
    assert "\n" not in message
    assert f"migration {LATEST_VERSION + 1} (a step that cannot work) failed" in message
    backups = list(tmp_path.glob("aims.duckdb.v6-*.bak"))
    assert len(backups) == 1 and str(backups[0]) in message
    assert f"stays at schema version {LATEST_VERSION}" in message
    con = duckdb.connect(str(path), read_only=True)  # the failed step left nothing behind
    columns = [r[0] for r in con.execute("DESCRIBE ai_systems").fetchall()]
    assert "extra" not in columns
    assert con.execute("SELECT name FROM ai_systems").fetchall() == [("Legacy",)]
    con.close()


def test_retrying_a_failed_migration_does_not_pile_up_backups(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "aims.duckdb"
    _old_file(path)
    _broken(monkeypatch)
    for _ in range(3):
        with pytest.raises(DatabaseError):
            Database(path)
    first = list(tmp_path.glob("*.bak"))
    assert len(first) == 2  # v6 (before the first attempt), v11 (the file as retries find it)
    for _ in range(3):
        with pytest.raises(DatabaseError):
            Database(path)
    assert sorted(tmp_path.glob("*.bak")) == sorted(first)
    assert not list(tmp_path.glob(".*partial"))


def test_a_lower_numbered_migration_missing_from_a_file_is_applied(tmp_path: Path) -> None:
    """Numbers are handed out per feature: a file made on a branch with 11 but not 7-10
    still receives those when they arrive."""
    path = tmp_path / "aims.duckdb"
    Database(path).close()
    con = duckdb.connect(str(path))
    con.execute("DELETE FROM schema_migrations WHERE version = 5")  # pretend 5 came later
    con.execute("DROP TABLE soa_version_items")
    con.execute("DROP TABLE soa_versions")
    con.execute("DROP TABLE clause_status")
    con.close()
    db = Database(path)
    assert sorted(database.applied_versions(db.cursor())) == sorted(m.version for m in MIGRATIONS)
    assert db.scalar("SELECT count(*) FROM clause_status") == 0
    db.close()


def test_migration_11_removes_repeated_links_and_unlinks_repeated_risks_with_a_log(
        tmp_path: Path) -> None:
    path = tmp_path / "aims.duckdb"
    con = duckdb.connect(str(path))
    apply_migrations(con, target=6)
    con.execute("INSERT INTO risks (id, title, version, impact_id) VALUES "
                "(1, 'a', 1, 5), (2, 'b', 3, 5), (3, 'c', 1, NULL)")
    con.execute("INSERT INTO risk_controls VALUES (1, 1, 'A.2.2', 1), (2, 1, 'A.2.2', 1)")
    con.close()
    db = Database(path)
    assert db.query_rows("SELECT id, impact_id, version FROM risks ORDER BY id") == [
        (1, 5, 1), (2, None, 4), (3, None, 1)]
    assert db.query_rows("SELECT id FROM risk_controls") == [(1,)]
    log = {(t, op): (json.loads(b), a and json.loads(a)) for t, op, b, a in db.query_rows(
        "SELECT table_name, operation, before_json, after_json FROM change_log")}
    assert log[("risk_controls", "delete")][0]["id"] == 2
    before, after = log[("risks", "update")]
    assert (before["impact_id"], after["impact_id"], after["version"]) == (5, None, 4)
    assert after["title"] == "b"
    db.close()


def _risk(db: Database, **values: object) -> int:
    result = apply_changes(db, "risks", [RowChange("insert", {
        "title": "Bias", "owner": "Ana", "inherent_likelihood": 3, "inherent_impact": 3,
        "status": "open", **values})], ANA)
    assert result.ok, result.errors
    return result.inserted[0]


def _race(work: list) -> list:
    results: list = [None] * len(work)
    start = threading.Barrier(len(work))

    def run(position: int) -> None:
        start.wait()
        results[position] = work[position]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_twenty_people_linking_one_control_to_one_risk_make_one_link(db: Database) -> None:
    risk_id = _risk(db)
    results = _race([lambda i=i: apply_changes(db, "risk_controls", [RowChange(
        "insert", {"risk_id": risk_id, "control_id": "A.6.2.4"})], Actor(PEOPLE[i % 4]))
        for i in range(20)])
    assert sum(r.ok for r in results) == 1
    assert db.scalar("SELECT count(*) FROM risk_controls") == 1
    refused = [str(p) for r in results for p in r.errors]
    assert len(refused) == 19 and all("already exists (Risk–control link 1)" in m
                                      for m in refused), refused[:2]
    with pytest.raises(duckdb.ConstraintException):  # the schema holds it too
        db.cursor().execute("INSERT INTO risk_controls VALUES (9, ?, 'A.6.2.4', 1)", [risk_id])


def _impact(db: Database, description: str = "Applicants from one region scored lower") -> int:
    system = apply_changes(db, "ai_systems", [RowChange("insert", {
        "name": "Scorer", "owner": "Ana", "sourcing": "built", "lifecycle_stage": "operation",
        "eu_ai_act_category": "high_risk"})], ANA).inserted[0]
    assessment = apply_changes(db, "impact_assessments", [RowChange("insert", {
        "ai_system_id": system, "intended_use": "Credit decisions", "reviewer": "Ana",
        "assessed_on": TODAY})], ANA).inserted[0]
    return apply_changes(db, "impacts", [RowChange("insert", {
        "impact_assessment_id": assessment, "affected": "groups", "description": description,
        "severity": 4, "likelihood": 3})], ANA).inserted[0]


def test_raising_one_impact_twenty_times_at_once_makes_one_risk(db: Database) -> None:
    impact = _impact(db)
    results = _race([lambda i=i: risks.raise_impact_as_risk(db, impact, "Ana", TODAY,
                                                            Actor(PEOPLE[i % 4]))
                     for i in range(20)])
    assert sum(r.ok for r in results) == 1
    assert db.scalar("SELECT count(*) FROM risks WHERE impact_id = ?", [impact]) == 1
    for result in (r for r in results if not r.ok):
        assert "already" in str(result.errors[0]), result.errors


def test_a_long_impact_is_raised_with_a_marked_short_title_and_its_whole_text(
        db: Database) -> None:
    text = "Applicants " + "from a region where the model saw few examples " * 8
    impact = _impact(db, text.strip())
    result = risks.raise_impact_as_risk(db, impact, "Ana", TODAY, ANA)
    assert result.ok, result.errors
    title, description = db.query_rows("SELECT title, description FROM risks")[0]
    assert len(title) <= 300 and title.endswith("…") and text.strip().startswith(title[:-1])
    assert text.strip() in description


def test_twenty_simultaneous_soa_approvals_make_one_version_and_tell_the_rest(
        db: Database) -> None:
    assert soa.add_missing_rows(db, "soa", ANA).ok
    rows = db.query_rows("SELECT id, version FROM soa")
    assert apply_changes(db, "soa", [RowChange("update", {
        "applicable": True, "justification": "Needed"}, row_id=i, expected_version=v)
        for i, v in rows], ANA).ok
    results = _race([lambda i=i: soa.approve(db, "Ben", TODAY, None, Actor(PEOPLE[i % 4]))
                     for i in range(20)])
    assert sum(r.ok for r in results) >= 1
    assert db.scalar("SELECT count(*) FROM soa_version_items") == \
        38 * db.scalar("SELECT count(*) FROM soa_versions")
    for result in (r for r in results if not r.ok):
        message = str(result.errors[0])
        assert "already exists" in message and "Constraint Error" not in message, message


def test_a_database_refusal_the_checks_missed_is_reported_in_words(
        db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    from aims_core.records import writes

    monkeypatch.setattr(writes, "unique_keys", lambda db, register: [])  # checks blinded
    assert soa.add_missing_rows(db, "soa", ANA).ok
    result = apply_changes(db, "soa", [RowChange("insert", {
        "control_id": "A.2.2", "implementation_status": "planned"})], ANA)
    assert not result.ok
    assert "must be unique in SoA entry" in str(result.errors[0])
    assert "Constraint Error" not in str(result.errors[0])
    assert db.scalar("SELECT count(*) FROM soa") == 38


def test_updates_and_deletes_without_a_version_are_refused(db: Database) -> None:
    risk_id = _risk(db)
    blind = apply_changes(db, "risks", [RowChange("update", {"title": "Blind"},
                                                  row_id=risk_id)], ANA)
    assert not blind.ok and "which version of the row it was based on" in str(blind.errors[0])
    link = apply_changes(db, "risk_controls", [RowChange("insert", {
        "risk_id": risk_id, "control_id": "A.5.4"})], ANA).inserted[0]
    blind_delete = apply_changes(db, "risk_controls", [RowChange("delete", row_id=link)], ANA)
    assert not blind_delete.ok
    assert db.scalar("SELECT title FROM risks") == "Bias"
    assert db.scalar("SELECT count(*) FROM risk_controls") == 1


def test_unknown_register_and_bad_row_ids_are_refused_not_raised(db: Database) -> None:
    assert "no register named 'nope'" in str(apply_changes(db, "nope", [RowChange(
        "insert", {"x": 1})], ANA).errors[0])
    for row_id in ("abc", 2**70, -1.5, None):
        result = apply_changes(db, "risks", [RowChange("update", {"title": "x"},
                                                       row_id=row_id, expected_version=1)], ANA)
        assert not result.ok and "valid row id" in str(result.errors[0])


@pytest.mark.parametrize("name", ["\u200b", "\u200bAna", "Ana\u202e", "A\x00na", None, 3.5])
def test_an_author_name_that_is_blank_or_invisible_cannot_write(db: Database,
                                                                name: object) -> None:
    result = apply_changes(db, "risks", [RowChange("insert", {
        "title": "t", "owner": "Ana", "inherent_likelihood": 1, "inherent_impact": 1,
        "status": "open"})], Actor(name))
    assert not result.ok and db.scalar("SELECT count(*) FROM risks") == 0
    assert result.errors[0].row == "This change"


def test_future_dates_that_record_what_happened_are_refused(db: Database) -> None:
    result = apply_changes(db, "risks", [RowChange("insert", {
        "title": "t", "owner": "Ana", "inherent_likelihood": 1, "inherent_impact": 1,
        "status": "open", "identified_on": date(2030, 1, 1)})], ANA, today=TODAY)
    assert "2030-01-01 is in the future" in str(result.errors[0])
