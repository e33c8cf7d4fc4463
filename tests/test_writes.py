"""The one write path: validation, version checks, all-or-nothing batches, change log."""

from __future__ import annotations

import json
import threading

import pytest

from aims_core.auth.actor import Actor
from aims_core.records.writes import RowChange, apply_changes
from aims_core.storage.database import Database
from tests.conftest import ANA

SYSTEM = {"name": "Loan scorer", "owner": "Ana", "sourcing": "built",
          "lifecycle_stage": "operation", "eu_ai_act_category": "high_risk"}


def add_system(db: Database, **overrides: object) -> int:
    result = apply_changes(db, "ai_systems", [RowChange("insert", {**SYSTEM, **overrides})], ANA)
    assert result.ok, result.errors
    return result.inserted[0]


def count(db: Database, table: str) -> int:
    return db.scalar(f"SELECT count(*) FROM {table}")


def test_insert_assigns_id_version_and_logs(db: Database) -> None:
    system_id = add_system(db, annex_iii_area=5)
    row = db.query_df("SELECT * FROM ai_systems").iloc[0]
    assert (row["id"], row["version"], row["annex_iii_area"]) == (system_id, 1, 5)
    log = db.query_df("SELECT * FROM change_log").iloc[0]
    assert (log["table_name"], log["row_id"], log["operation"], log["changed_by"]) == \
        ("ai_systems", system_id, "insert", "Ana")
    assert log["before_json"] is None or log["before_json"] != log["before_json"]
    assert json.loads(log["after_json"])["name"] == "Loan scorer"


def test_update_logs_before_and_after(db: Database) -> None:
    system_id = add_system(db)
    result = apply_changes(db, "ai_systems", [RowChange("update", {"owner": "Ben"},
                                                        row_id=system_id, expected_version=1)],
                           Actor("Ben"))
    assert result.ok and result.updated == [system_id]
    log = db.query_df("SELECT * FROM change_log WHERE operation = 'update'").iloc[0]
    assert json.loads(log["before_json"])["owner"] == "Ana"
    assert json.loads(log["after_json"])["owner"] == "Ben"
    assert json.loads(log["after_json"])["version"] == 2
    assert log["changed_by"] == "Ben"


def test_unchanged_values_write_nothing(db: Database) -> None:
    system_id = add_system(db)
    result = apply_changes(db, "ai_systems", [RowChange("update", {"owner": "Ana"},
                                                        row_id=system_id, expected_version=1)],
                           ANA)
    assert result.ok and result.updated == []
    assert count(db, "change_log") == 1


@pytest.mark.parametrize(
    ("table", "values", "field", "fragment"),
    [
        ("ai_systems", {**SYSTEM, "annex_iii_area": "three"}, "Annex III area", "whole number"),
        ("ai_systems", {**SYSTEM, "sourcing": "stolen"}, "Sourcing", "is not one of"),
        ("ai_systems", {**SYSTEM, "annex_iii_area": 9}, "Annex III area", "at most 8"),
        ("ai_systems", {**SYSTEM, "owner": "  "}, "Owner", "is required"),
        ("ai_systems", {k: v for k, v in SYSTEM.items() if k != "owner"}, "Owner", "is required"),
        ("ai_systems", {**SYSTEM, "created_on": "2025-12-31x"}, "Added on", "YYYY-MM-DD"),
        ("ai_systems", {**SYSTEM, "created_on": "01/02/2025"}, "Added on", "ambiguous"),
        ("ai_systems", {**SYSTEM, "lifecycle_stage": "retired"}, "Retired on", "is required"),
        ("risks", {"title": "Bias", "owner": "Ana", "inherent_likelihood": 7,
                   "inherent_impact": 3, "status": "open"}, "Inherent likelihood",
         "between 1 and 5 on the current risk matrix"),
        ("risks", {"title": "Bias", "owner": "Ana", "inherent_likelihood": 2,
                   "inherent_impact": 3, "status": "open", "ai_system_id": 999},
         "AI system", "does not exist"),
        ("risks", {"title": "Bias", "owner": "Ana", "inherent_likelihood": 2,
                   "inherent_impact": 3, "status": "open", "risk_source": "C.9.9"},
         "Risk source (Annex C.3)", "does not exist"),
        ("risk_controls", {"risk_id": 1, "control_id": "A.1.1"}, "Annex A control",
         "does not exist"),
    ],
)
def test_each_kind_of_bad_value_is_named(db: Database, table: str, values: dict, field: str,
                                         fragment: str) -> None:
    result = apply_changes(db, table, [RowChange("insert", values, label="New row 1")], ANA)
    assert not result.ok
    assert any(p.field == field and fragment in p.message and p.row == "New row 1"
               for p in result.errors), result.errors
    assert count(db, table) == 0
    assert count(db, "change_log") == 0


def test_error_names_existing_row_by_id_and_title(db: Database) -> None:
    system_id = add_system(db)
    result = apply_changes(db, "ai_systems", [RowChange("update", {"lifecycle_stage": "flying"},
                                                        row_id=system_id, expected_version=1)],
                           ANA)
    assert str(result.errors[0]).startswith(f"AI system {system_id} ('Loan scorer'), "
                                            "field 'Life-cycle stage'")


def test_batch_with_one_bad_row_writes_nothing(db: Database) -> None:
    first = add_system(db)
    result = apply_changes(db, "ai_systems", [
        RowChange("update", {"owner": "Cleo"}, row_id=first, expected_version=1),
        RowChange("insert", {**SYSTEM, "name": "Second"}),
        RowChange("insert", {**SYSTEM, "sourcing": "nope"}),
    ], Actor("Cleo"))
    assert not result.ok and result.inserted == [] and result.updated == []
    assert count(db, "ai_systems") == 1
    assert db.scalar("SELECT owner FROM ai_systems") == "Ana"
    assert count(db, "change_log") == 1


def test_database_rule_failure_rolls_back(db: Database) -> None:
    soa = {"control_id": "A.2.2", "applicable": True, "justification": "Needed",
           "implementation_status": "planned"}
    assert apply_changes(db, "soa", [RowChange("insert", soa)], ANA).ok
    result = apply_changes(db, "soa", [RowChange("insert", {**soa, "control_id": "A.2.3"}),
                                       RowChange("insert", soa)], ANA)
    assert not result.ok and str(result.errors[0]) == (
        "new SoA entry 2, field 'Control': Control A.2.2 already exists (SoA entry 1): change "
        "that row instead, or reload if someone just saved it")
    assert count(db, "soa") == 1 and count(db, "change_log") == 1


def test_stale_version_is_reported_not_overwritten(db: Database) -> None:
    system_id = add_system(db)
    assert apply_changes(db, "ai_systems", [RowChange("update", {"owner": "Ben"},
                                                      row_id=system_id, expected_version=1)],
                         Actor("Ben")).ok
    result = apply_changes(db, "ai_systems", [RowChange("update", {"owner": "Cleo"},
                                                        row_id=system_id, expected_version=1)],
                           Actor("Cleo"))
    assert not result.ok
    assert "was changed by Ben at " in result.conflicts[0].message
    assert db.scalar("SELECT owner FROM ai_systems") == "Ben"


def test_deleted_row_is_a_conflict(db: Database) -> None:
    result = apply_changes(db, "ai_systems", [RowChange("update", {"owner": "X"}, row_id=42,
                                                        expected_version=1)], ANA)
    assert "no longer exists" in result.conflicts[0].message


def test_delete_rules(db: Database) -> None:
    system_id = add_system(db)
    refused = apply_changes(db, "ai_systems", [RowChange("delete", row_id=system_id,
                                                         expected_version=1)], ANA)
    assert "cannot be deleted" in refused.errors[0].message
    risk = apply_changes(db, "risks", [RowChange("insert", {
        "title": "Bias", "owner": "Ana", "inherent_likelihood": 3, "inherent_impact": 4,
        "status": "open", "ai_system_id": system_id})], ANA).inserted[0]
    link = apply_changes(db, "risk_controls", [RowChange("insert", {
        "risk_id": risk, "control_id": "A.5.4"})], ANA).inserted[0]
    deleted = apply_changes(db, "risk_controls", [RowChange("delete", row_id=link,
                                                            expected_version=1)], ANA)
    assert deleted.ok and count(db, "risk_controls") == 0
    log = db.query_df("SELECT * FROM change_log WHERE operation = 'delete'").iloc[0]
    assert json.loads(log["before_json"])["control_id"] == "A.5.4"


def test_change_needs_an_author(db: Database) -> None:
    result = apply_changes(db, "ai_systems", [RowChange("insert", SYSTEM)], Actor(" "))
    assert "no author" in str(result.errors[0]) and count(db, "ai_systems") == 0


def test_concurrent_writers_are_serialised(db: Database) -> None:
    ids = [add_system(db, name=f"S{i}") for i in range(8)]
    results = []

    def edit(system_id: int, who: str) -> None:
        results.append(apply_changes(db, "ai_systems", [RowChange(
            "update", {"owner": who}, row_id=system_id, expected_version=1)], Actor(who)))

    others = ("Ben", "Bo", "Cleo")  # each system is Ana's: every edit changes its owner
    threads = [threading.Thread(target=edit, args=(i, others[n % 3])) for n, i in enumerate(ids)]
    threads += [threading.Thread(target=edit, args=(ids[0], "Cleo"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r.ok for r in results) == 8
    assert sum(bool(r.conflicts) for r in results) == 1
    assert count(db, "change_log") == 8 + 8
