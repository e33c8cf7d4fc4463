"""Roles at the write path: every role × register × operation, ownership through parents,
segregation of duties, signed-in actors checked against the directory and their session."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest

from aims_core.auth.actor import Actor
from aims_core.auth.roles import ROLES
from aims_core.auth.sessions import SESSIONS
from aims_core.bootstrap import open_database
from aims_core.records.registry import REGISTERS
from aims_core.records.writes import RowChange, WriteResult, apply_batches, apply_changes
from aims_core.storage.database import Database
from tests.conftest import ANA, seed_test_people

_numbers = itertools.count(1)

DAY = date(2026, 11, 1)
OTHER = "Ben"  # owns the "theirs" rows
ME = "Bo"  # the person acting


def _ok(result: WriteResult) -> None:
    assert result.ok, result.errors + result.conflicts


def _insert(db: Database, table: str, values: dict[str, Any]) -> int:
    result = apply_changes(db, table, [RowChange("insert", values)], ANA)
    _ok(result)
    return result.inserted[0]


def _system(db: Database, owner: str) -> int:
    return _insert(db, "ai_systems", {"name": f"System of {owner}", "owner": owner,
                                      "sourcing": "built", "lifecycle_stage": "operation",
                                      "eu_ai_act_category": "minimal"})


def _risk(db: Database, owner: str) -> int:
    return _insert(db, "risks", {"title": f"Risk of {owner}", "owner": owner,
                                 "inherent_likelihood": 3, "inherent_impact": 3,
                                 "status": "open"})


def _kpi(db: Database, owner: str) -> int:
    return _insert(db, "kpis", {"name": f"KPI of {owner}", "owner": owner,
                                "direction": "higher", "kind": "measured"})


@dataclass(frozen=True)
class Case:
    """One register of the matrix: how to make a row owned by someone, and an edit of it."""

    table: str
    make: Any  # (db, owner) -> id of a row owned (directly or through its parent) by owner
    insert: Any  # (db, owner) -> values of a new row owned by owner
    edit: dict[str, Any]
    owned: bool = True  # False: no owner, AIMS managers only
    edit_role: str = "aims_manager"


CASES = [
    Case("ai_systems", _system, lambda db, o: {"name": "New", "owner": o, "sourcing": "api",
                                               "lifecycle_stage": "design",
                                               "eu_ai_act_category": "minimal"},
         {"purpose": "Changed"}),
    Case("risks", _risk, lambda db, o: {"title": "New risk", "owner": o, "status": "open",
                                        "inherent_likelihood": 2, "inherent_impact": 2},
         {"treatment_plan": "Retrain"}),
    Case("risk_controls",
         lambda db, o: _insert(db, "risk_controls", {"risk_id": _risk(db, o),
                                                     "control_id": "A.6.2.4"}),
         lambda db, o: {"risk_id": _risk(db, o), "control_id": "A.7.4"},
         {"control_id": "A.9.2"}),
    Case("kpi_measurements",
         lambda db, o: _insert(db, "kpi_measurements", {"kpi_id": _kpi(db, o), "value": 1.0,
                                                        "measured_on": DAY,
                                                        "source": "entered"}),
         lambda db, o: {"kpi_id": _kpi(db, o), "value": 0.5, "measured_on": DAY,
                        "source": "entered"},
         {"value": 2.0}),
    Case("validations",
         lambda db, o: _insert(db, "validations", {"ai_system_id": _system(db, o),
                                                   "validated_on": DAY, "validated_by": "Cleo",
                                                   "result": "pass"}),
         lambda db, o: {"ai_system_id": _system(db, o), "validated_on": DAY,
                        "validated_by": "Cleo", "result": "pass"},
         {"notes": "Checked"}),
    Case("management_reviews",
         # each review later than the last: a review cannot precede the previous one
         lambda db, o: _insert(db, "management_reviews", {
             "review_date": DAY + timedelta(days=next(_numbers)), "status": "planned"}),
         lambda db, o: {"review_date": DAY + timedelta(days=next(_numbers)),
                        "status": "planned", "chair": o},
         {"notes": "Minutes"}, owned=False),
    Case("people",
         lambda db, o: _insert(db, "people", {"name": f"Person {next(_numbers)}",
                                              "active": True, "role": "viewer",
                                              "sign_in": "none"}),
         lambda db, o: {"name": f"Dora {next(_numbers)}", "active": True, "role": "viewer",
                        "sign_in": "none"},
         {"role": "contributor"}, owned=False, edit_role="admin"),
]


@pytest.fixture(scope="module")
def matrix_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """One database for the whole matrix: each cell makes the rows it needs."""
    database = open_database(tmp_path_factory.mktemp("matrix") / "aims.duckdb")
    seed_test_people(database)
    yield database
    database.close()


def _allowed(role: str, case: Case, mine: bool) -> bool:
    if role in ("viewer", "auditor"):
        return False
    if role == "admin" or (role == "aims_manager" and case.edit_role == "aims_manager"):
        return True
    return role == "contributor" and case.owned and mine


def _attempt(db: Database, case: Case, role: str, operation: str, mine: bool) -> WriteResult:
    owner = ME if mine else OTHER
    actor = Actor(ME, role)
    if operation == "insert":
        return apply_changes(db, case.table, [RowChange("insert", case.insert(db, owner))],
                             actor)
    row_id = case.make(db, owner)
    version = db.scalar(f'SELECT version FROM "{case.table}" WHERE id = ?', [row_id])
    if operation == "update":
        return apply_changes(db, case.table, [RowChange("update", case.edit, row_id=row_id,
                                                        expected_version=version)], actor)
    return apply_changes(db, case.table, [RowChange("delete", row_id=row_id,
                                                    expected_version=version)], actor)


@pytest.mark.parametrize("mine", [True, False], ids=["own row", "someone else's row"])
@pytest.mark.parametrize("operation", ["insert", "update", "delete"])
@pytest.mark.parametrize("case", CASES, ids=[c.table for c in CASES])
@pytest.mark.parametrize("role", list(ROLES))
def test_role_register_operation_matrix(matrix_db: Database, role: str, case: Case,
                                        operation: str, mine: bool) -> None:
    db = matrix_db
    mine_before = db.scalar("SELECT count(*) FROM change_log WHERE changed_by = ?", [ME])
    refusals = db.scalar("SELECT count(*) FROM audit_events WHERE event = 'write_refused'")
    result = _attempt(db, case, role, operation, mine)
    deletable = REGISTERS[case.table].allow_delete
    if not _allowed(role, case, mine):
        assert not result.ok and result.changed == 0
        message = str(result.errors[0])
        expected = {"viewer": "Viewers can read the registers but not change them",
                    "auditor": "Auditors can read the registers but not change them"}.get(role)
        if expected is None:
            expected = "only an Admin can change" if case.edit_role == "admin" else \
                "only an AIMS manager can change" if not case.owned else \
                "a Contributor adds" if operation == "insert" else "only the owner of"
        assert expected in message, message
        refused = db.scalar("SELECT detail FROM audit_events WHERE event = 'write_refused' "
                            "ORDER BY id DESC LIMIT 1")
        assert db.scalar("SELECT count(*) FROM audit_events WHERE event = 'write_refused'") \
            == refusals + 1 and expected in refused
        assert db.scalar("SELECT count(*) FROM change_log WHERE changed_by = ?", [ME]) == \
            mine_before
    elif operation == "delete" and not deletable:
        assert not result.ok and "cannot be deleted" in str(result.errors[0])
    else:
        assert result.ok, result.errors
        assert db.scalar("SELECT changed_by FROM change_log ORDER BY id DESC LIMIT 1") == ME


def test_refusal_names_the_rule_and_the_owner(db: Database) -> None:
    risk = _risk(db, OTHER)
    result = apply_changes(db, "risks", [RowChange("update", {"status": "closed"}, row_id=risk,
                                                   expected_version=1)], Actor(ME, "contributor"))
    assert str(result.errors[0]) == (
        f"Risk {risk} ('Risk of Ben'): only the owner of risk {risk} (Ben) or an AIMS manager "
        "can change it (you are Bo, Contributor)")
    assert db.scalar("SELECT status FROM risks WHERE id = ?", [risk]) == "open"


def test_contributor_cannot_give_a_row_away_or_add_for_others(db: Database) -> None:
    risk = _risk(db, ME)
    given = apply_changes(db, "risks", [RowChange("update", {"owner": OTHER}, row_id=risk,
                                                  expected_version=1)], Actor(ME, "contributor"))
    assert "only an AIMS manager can give risk" in str(given.errors[0])
    added = apply_changes(db, "risks", [RowChange("insert", {
        "title": "For Ben", "owner": OTHER, "status": "open", "inherent_likelihood": 1,
        "inherent_impact": 1})], Actor(ME, "contributor"))
    assert "set the owner to yourself (Bo)" in str(added.errors[0])


def test_one_refused_change_stops_the_whole_batch(db: Database) -> None:
    mine, theirs = _risk(db, ME), _risk(db, OTHER)
    result = apply_changes(db, "risks", [
        RowChange("update", {"treatment_plan": "A"}, row_id=mine, expected_version=1),
        RowChange("update", {"treatment_plan": "B"}, row_id=theirs, expected_version=1)],
        Actor(ME, "contributor"))
    assert not result.ok and len(result.errors) == 1
    assert db.scalar("SELECT treatment_plan FROM risks WHERE id = ?", [mine]) is None


def _acceptance(risk: int, approver: str) -> RowChange:
    return RowChange("insert", {"risk_id": risk, "approved_by": approver, "approved_on": DAY,
                                "justification": "Within tolerance",
                                "expires_on": date(2027, 11, 1)})


@pytest.mark.parametrize("role", ["aims_manager", "admin"])
def test_segregation_of_duties_on_risk_acceptance(db: Database, role: str) -> None:
    risk = _risk(db, "Cleo")
    own = apply_changes(db, "risk_acceptances", [_acceptance(risk, "Cleo")], Actor("Ben", role))
    assert "segregation of duties: Cleo owns risk" in str(own.errors[0])
    by_owner = apply_changes(db, "risk_acceptances", [_acceptance(risk, "Ben")],
                             Actor("Cleo", role))
    assert "segregation of duties: you own risk" in str(by_owner.errors[0])
    assert db.scalar("SELECT count(*) FROM risk_acceptances") == 0
    _ok(apply_changes(db, "risk_acceptances", [_acceptance(risk, "Ben")], Actor("Ben", role)))


def test_contributor_cannot_accept_any_risk(db: Database) -> None:
    mine, theirs = _risk(db, ME), _risk(db, OTHER)
    for risk in (mine, theirs):
        result = apply_changes(db, "risk_acceptances", [_acceptance(risk, "Cleo")],
                               Actor(ME, "contributor"))
        assert not result.ok


def test_settings_need_an_admin(db: Database) -> None:
    from aims_core.risk.risk_method import change_method, load_method

    method = load_method(db)
    for role in ("contributor", "aims_manager"):
        refused = change_method(db, method, method.version, Actor(ME, role))
        assert "Only an Admin can change settings" in str(refused.errors[0])
    _ok(change_method(db, method, method.version, Actor(ME, "admin")))


def test_role_escalation_by_editing_ones_own_role_is_refused(db: Database) -> None:
    bo = db.scalar("SELECT id FROM people WHERE name = 'Bo'")
    for role in ("contributor", "aims_manager"):
        actor = Actor("Bo", role, person_id=bo)
        db.cursor().execute("UPDATE people SET role = ? WHERE id = ?", [role, bo])
        version = db.scalar("SELECT version FROM people WHERE id = ?", [bo])
        result = apply_changes(db, "people", [RowChange("update", {"role": "admin"}, row_id=bo,
                                                        expected_version=version)], actor)
        assert "only an Admin can change Person rows" in str(result.errors[0])
    assert db.scalar("SELECT role FROM people WHERE id = ?", [bo]) == "aims_manager"


def test_signed_in_actor_acts_with_the_directory_role(db: Database) -> None:
    """A stale page still holding an Admin actor after a demotion writes as a Contributor."""
    bo = db.scalar("SELECT id FROM people WHERE name = 'Bo'")
    stale = Actor("Bo", "admin", person_id=bo)  # the role claimed is not what decides
    theirs = _risk(db, OTHER)
    result = apply_changes(db, "risks", [RowChange("update", {"status": "closed"},
                                                   row_id=theirs, expected_version=1)], stale)
    assert "(you are Bo, Contributor)" in str(result.errors[0])


def test_disabled_persons_open_page_writes_nothing(db: Database) -> None:
    cleo = db.scalar("SELECT id FROM people WHERE name = 'Cleo'")
    actor = Actor("Cleo", "contributor", person_id=cleo)
    mine = _risk(db, "Cleo")
    version = db.scalar("SELECT version FROM people WHERE id = ?", [cleo])
    _ok(apply_changes(db, "people", [RowChange("update", {"active": False}, row_id=cleo,
                                               expected_version=version)], ANA))
    result = apply_changes(db, "risks", [RowChange("update", {"treatment_plan": "X"},
                                                   row_id=mine, expected_version=1)], actor)
    assert "Cleo is no longer an active user" in str(result.errors[0])
    assert db.scalar("SELECT treatment_plan FROM risks WHERE id = ?", [mine]) is None
    assert db.scalar("SELECT count(*) FROM audit_events WHERE event = 'write_refused' AND "
                     "actor = 'Cleo'") == 1


def test_expired_or_ended_session_writes_nothing(db: Database) -> None:
    bo = db.scalar("SELECT id FROM people WHERE name = 'Bo'")
    session = SESSIONS.start(bo, "local")
    actor = Actor("Bo", "contributor", person_id=bo, session_id=session.id)
    mine = _risk(db, "Bo")
    _ok(apply_changes(db, "risks", [RowChange("update", {"treatment_plan": "A"}, row_id=mine,
                                              expected_version=1)], actor))
    SESSIONS.end(session.id, "Your session ended after 8 hours: sign in again.")
    late = apply_changes(db, "risks", [RowChange("update", {"treatment_plan": "B"}, row_id=mine,
                                                 expected_version=2)], actor)
    assert "Your session ended after 8 hours" in str(late.errors[0])
    forged = apply_changes(db, "risks", [RowChange("update", {"treatment_plan": "C"},
                                                   row_id=mine, expected_version=2)],
                           Actor("Bo", "admin", person_id=bo, session_id="made-up"))
    assert not forged.ok
    assert db.scalar("SELECT treatment_plan FROM risks WHERE id = ?", [mine]) == "A"


def test_api_token_scope_limits_the_registers(db: Database) -> None:
    kpi = _kpi(db, "Ana")
    token = Actor("pipeline token", "admin", "api", scope=frozenset({"kpi:write"}))
    _ok(apply_changes(db, "kpi_measurements", [RowChange("insert", {
        "kpi_id": kpi, "measured_on": DAY, "value": 0.9, "source": "imported"})], token))
    refused = apply_batches(db, [("risks", [RowChange("insert", {
        "title": "X", "owner": "Ana", "status": "open", "inherent_likelihood": 1,
        "inherent_impact": 1})])], token)
    assert "the API token 'pipeline token' may not change Risk rows" in str(refused.errors[0])
