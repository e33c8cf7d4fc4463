"""The people directory: free-typed names adopted (variants merged, logged, idempotent),
person fields validated against it, the demo's people."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from aims_core.auth import people
from aims_core.bootstrap import open_database
from aims_core.records.writes import RowChange, apply_changes
from aims_core.storage.database import Database, apply_migrations
from tests.conftest import ANA


def _old_file(path: Path) -> None:
    """A file from before the directory (schema 6) with names typed freely."""
    con = duckdb.connect(str(path))
    apply_migrations(con, target=6)
    con.execute("INSERT INTO ai_systems (id, name, owner, sourcing, lifecycle_stage, "
                "eu_ai_act_category, version) VALUES (1, 'Scorer', 'Priya Shah', 'built', "
                "'operation', 'minimal', 1), (2, 'Bot', 'priya  shah', 'api', 'operation', "
                "'minimal', 1)")
    con.execute("INSERT INTO risks (id, title, owner, inherent_likelihood, inherent_impact, "
                "status, version) VALUES (1, 'Bias', ' PRIYA SHAH', 3, 3, 'open', 1), "
                "(2, 'Drift', 'Tom Becker', 2, 2, 'open', 1), (3, 'Leak', 'Priya Shah', 2, "
                "2, 'open', 1)")
    con.execute("INSERT INTO validations (id, ai_system_id, validated_on, validated_by, "
                "result, version) VALUES (1, 1, DATE '2026-01-01', 'tom becker', 'pass', 1)")
    con.close()


def test_free_typed_names_become_people_and_variants_merge(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    _old_file(path)
    db = open_database(path)
    try:
        assert db.query_rows("SELECT name, role, active FROM people ORDER BY name") == [
            ("Priya Shah", "viewer", True), ("Tom Becker", "viewer", True)]
        assert {r[0] for r in db.query_rows("SELECT owner FROM ai_systems UNION "
                                            "SELECT owner FROM risks")} == \
            {"Priya Shah", "Tom Becker"}
        assert db.scalar("SELECT validated_by FROM validations") == "Tom Becker"
        merged = db.query_rows("SELECT table_name, row_id, before_json, after_json FROM "
                               "change_log WHERE operation = 'update' ORDER BY id")
        assert [(t, r) for t, r, _, _ in merged] == [("ai_systems", 2), ("risks", 1),
                                                     ("validations", 1)]
        before, after = json.loads(merged[0][2]), json.loads(merged[0][3])
        assert (before["owner"], after["owner"], after["version"]) == \
            ("priya  shah", "Priya Shah", 2)
        assert db.scalar("SELECT DISTINCT changed_by FROM change_log") == people.ADOPTER
        details = [r[0] for r in db.query_rows(
            "SELECT detail FROM audit_events WHERE event = 'names_merged' ORDER BY id")]
        assert "'priya  shah' in ai_systems.owner (1 rows) is now 'Priya Shah'" in details
        logged = db.scalar("SELECT count(*) FROM change_log")
    finally:
        db.close()
    again = open_database(path)  # idempotent: nothing left to do
    try:
        assert again.scalar("SELECT count(*) FROM change_log") == logged
        assert again.scalar("SELECT count(*) FROM people") == 2
    finally:
        again.close()


def test_a_name_a_register_adds_later_is_adopted_into_the_known_person(db: Database) -> None:
    # e.g. rows written by another area's import before its field was a person field
    db.cursor().execute("INSERT INTO suppliers (id, name, owner, version) VALUES "
                        "(1, 'Vendor', 'ana', 1)")
    report = people.adopt_names(db)
    assert report.added == [] and report.merged == {"Ana": ["ana"]}
    assert db.scalar("SELECT owner FROM suppliers") == "Ana"


def test_person_fields_take_only_active_people(db: Database) -> None:
    system = {"name": "S", "owner": "Dora", "sourcing": "built", "lifecycle_stage": "design",
              "eu_ai_act_category": "minimal"}
    unknown = apply_changes(db, "ai_systems", [RowChange("insert", system)], ANA)
    assert str(unknown.errors[0]) == ("new AI system 1, field 'Owner': 'Dora' is not an "
                                      "active person in the people directory")
    cased = apply_changes(db, "ai_systems", [RowChange("insert", {**system, "owner": "bo"})],
                          ANA)
    assert not cased.ok  # a spelling the directory does not have is refused, never bent
    cleo = db.scalar("SELECT id FROM people WHERE name = 'Cleo'")
    assert people.update(db, ANA, cleo, active=False).ok
    inactive = apply_changes(db, "ai_systems", [RowChange("insert", {**system,
                                                                     "owner": "Cleo"})], ANA)
    assert "'Cleo' is not an active person" in str(inactive.errors[0])
    assert apply_changes(db, "ai_systems", [RowChange("insert", {**system, "owner": "Bo"})],
                         ANA).ok


def test_directory_names_and_emails_are_unique_ignoring_case_and_spacing(db: Database) -> None:
    twin = people.add(db, ANA, "  BO ", email="other@example.com")
    assert "already in the directory as person" in str(twin.errors[0])
    same_mail = people.add(db, ANA, "Dora", email="BEN@example.com")
    assert "already the email of person" in str(same_mail.errors[0])
    bad_mail = people.add(db, ANA, "Dora", email="dora at example")
    assert "is not an email address" in str(bad_mail.errors[0])


def test_the_last_active_admin_stays(db: Database) -> None:
    ana = db.scalar("SELECT id FROM people WHERE name = 'Ana'")
    demoted = people.update(db, ANA, ana, role="aims_manager")
    assert "last active Admin" in str(demoted.errors[0])
    ben = db.scalar("SELECT id FROM people WHERE name = 'Ben'")
    assert people.update(db, ANA, ben, role="admin").ok
    assert people.update(db, ANA, ana, active=False).ok


def test_first_identity_provider_sign_in_makes_a_viewer(db: Database) -> None:
    assert people.first_sign_in(db, "new.hire@example.com", "New Hire").ok
    person = people.by_email(db, "NEW.HIRE@example.com")
    assert (person.name, person.role, person.sign_in) == ("New Hire", "viewer", "oidc")
    assert people.first_sign_in(db, "other.bo@example.com", "Bo").ok  # a namesake
    assert people.by_email(db, "other.bo@example.com").name == "Bo (other.bo@example.com)"


def test_demo_people_cover_every_name_with_roles(demo_db: Database) -> None:
    roles = dict(demo_db.query_rows("SELECT name, role FROM people"))
    assert roles["Sarah Klein"] == "admin" and roles["Daniel Price"] == "aims_manager"
    assert {"auditor", "viewer", "contributor"} <= set(roles.values())
    assert people.adopt_names(demo_db).changed is False  # every name already a person
    assert demo_db.scalar(
        "SELECT count(*) FROM risk_acceptances a JOIN risks r ON r.id = a.risk_id "
        "WHERE a.approved_by = r.owner") == 0  # the demo obeys segregation of duties
