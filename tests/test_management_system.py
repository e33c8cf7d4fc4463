"""The organisation profile, context registers and roles: validation on the one write path,
AI roles as codes (read by the SoA suggestions and the EU AI Act triage), the migration of
older profiles, and the context changes a management review reads."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb

from aims_core.auth.actor import Actor
from aims_core.compliance import soa
from aims_core.inventory.triage import default_roles
from aims_core.management_system import context, organisation, roles
from aims_core.management_system.registers import AI_ROLES
from aims_core.records.writes import RowChange, apply_changes
from aims_core.storage.database import Database, apply_migrations
from aims_core.storage.schema import MIGRATIONS
from tests.conftest import ANA, TODAY

PROFILE = {"name": "Ana Analytics GmbH", "sector": "Software", "size_band": "small",
           "countries": "Germany", "ai_roles": ["developer", "provider"],
           "scope_statement": "All AI products of the company"}


def _profile(db: Database, **values: object) -> int:
    result = organisation.save_profile(db, {**PROFILE, **values}, None, ANA)
    assert result.ok, result.errors
    return result.inserted[0]


def _problems(result: object) -> list[tuple[str, str | None]]:
    return [(p.row, p.field) for p in result.errors]


def test_profile_stores_role_codes_and_reads_them_back(db: Database) -> None:
    _profile(db, ai_roles=["Provider", "deployer", "AI producer / developer", "deployer"])
    assert db.scalar("SELECT ai_roles FROM organisation") == "developer, provider, deployer"
    assert organisation.ai_roles(db) == {"developer", "provider", "deployer"}
    assert organisation.name(db) == "Ana Analytics GmbH"
    assert set(AI_ROLES) >= organisation.ai_roles(db)


def test_profile_roles_reach_the_triage_defaults(db: Database) -> None:
    row_id = _profile(db, ai_roles=["provider", "deployer"])
    assert default_roles(organisation.ai_roles(db), "built")[0] == ["provider", "deployer"]
    assert default_roles(organisation.ai_roles(db), "api")[0] == ["deployer"]
    assert organisation.save_profile(db, {"ai_roles": ["importer", "data_provider"]}, 1, ANA,
                                     row_id).ok
    roles_now = organisation.ai_roles(db)
    assert default_roles(roles_now, "bought")[0] == ["importer"]
    assert default_roles(roles_now, "built")[0] == ["provider"]  # a data provider is not one


def test_demo_profile_reaches_the_triage_defaults(demo_db: Database) -> None:
    declared = organisation.ai_roles(demo_db)
    assert declared == {"developer", "provider", "deployer", "customer"}
    assert default_roles(declared, "built")[0] == ["provider", "deployer"]
    assert default_roles(declared, "saas_embedded")[0] == ["deployer"]


def test_unknown_role_is_refused_naming_the_field(db: Database) -> None:
    result = organisation.save_profile(db, {**PROFILE, "ai_roles": ["provider", "reseller"]},
                                       None, ANA)
    assert not result.ok and _problems(result) == [("The organisation profile", "AI roles")]
    assert "'reseller' is not one of" in result.errors[0].message
    assert db.scalar("SELECT count(*) FROM organisation") == 0


def test_eu_market_needs_a_scope_statement(db: Database) -> None:
    result = organisation.save_profile(db, {**PROFILE, "scope_statement": "  ",
                                            "eu_market": True}, None, ANA)
    assert _problems(result) == [("The organisation profile", "AIMS scope statement (4.3)")]
    assert "EU market" in result.errors[0].message
    assert db.scalar("SELECT count(*) FROM organisation") == 0
    _profile(db, scope_statement=None, eu_market=False)  # outside the EU it may wait


def test_one_profile_only_and_updates_are_version_checked(db: Database) -> None:
    row_id = _profile(db)
    second = organisation.save_profile(db, {**PROFILE, "name": "Other"}, None, ANA)
    assert _problems(second) == [("The organisation profile", "Legal name")]
    assert organisation.save_profile(db, {"sector": "Banking"}, 1, ANA, row_id).ok
    stale = organisation.save_profile(db, {"sector": "Insurance"}, 1, Actor("Ben"), row_id)
    assert stale.conflicts and "since you loaded it" in stale.conflicts[0].message
    assert db.scalar("SELECT sector FROM organisation") == "Banking"


def test_scope_review_cannot_precede_the_last_one(db: Database) -> None:
    result = organisation.save_profile(db, {**PROFILE, "scope_reviewed_on": TODAY,
                                            "next_review": TODAY - timedelta(days=1)},
                                       None, ANA)
    assert _problems(result) == [("The organisation profile", "Next scope review")]


def test_provider_role_makes_the_customer_control_a_suggestion(db: Database) -> None:
    soa.add_missing_rows(db, "soa", ANA)
    _profile(db, ai_roles=["deployer"])
    assert "A.10.4" not in set(soa.suggestions(db)["control_id"])
    row_id = db.scalar("SELECT id FROM organisation")
    assert organisation.save_profile(db, {"ai_roles": "deployer; data_provider"}, 1, ANA,
                                     row_id).ok
    assert "A.10.4" not in set(soa.suggestions(db)["control_id"])  # "data provider" is not it
    assert organisation.save_profile(db, {"ai_roles": ["deployer", "provider"]}, 2, ANA,
                                     row_id).ok
    found = soa.suggestions(db).set_index("control_id")
    assert "Ana Analytics GmbH" in found.loc["A.10.4", "reason"]


def test_provider_suggestion_fires_on_the_demo(demo_db: Database) -> None:
    assert "provider" in organisation.ai_roles(demo_db)
    found = soa.suggestions(demo_db).set_index("control_id")
    assert "Aldwick Finance Ltd" in found.loc["A.10.4", "reason"]
    assert bool(found.loc["A.10.4", "differs"])  # the demo excluded it: the suggestion shows


def test_older_profile_text_becomes_codes_and_a_party_row(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    apply_migrations(con, target=6)
    con.execute("INSERT INTO organisation VALUES (1, 'Old Ltd', 'All AI', "
                "'Developer; provider and deployer/user', 'Customers (fair decisions); staff', 1),"
                " (2, 'Odd Ltd', NULL, 'reseller, provider', NULL, 1)")
    con.close()
    db = Database(path)
    assert db.backup_path is not None and db.backup_path.exists()
    assert db.query_rows("SELECT id, ai_roles, version FROM organisation ORDER BY id") == [
        (1, "developer, provider, deployer", 2), (2, "reseller, provider", 1)]
    assert db.query_rows("SELECT party, needs FROM interested_parties") == [
        ("Interested parties (from the earlier profile note)",
         "Customers (fair decisions); staff")]
    logged = db.query_rows("SELECT table_name, row_id, operation, changed_by FROM change_log "
                           "ORDER BY id")
    assert logged == [("organisation", 1, "update", "schema migration 8"),
                      ("interested_parties", 1, "insert", "schema migration 8")]
    db.close()


def test_unrecognised_legacy_roles_are_reported_not_guessed(db: Database) -> None:
    with db.transaction() as cur:  # as a file from before schema 8 may hold it
        cur.execute("INSERT INTO organisation (id, name, ai_roles, version) "
                    "VALUES (1, 'Odd Ltd', 'reseller, provider', 1)")
    assert organisation.ai_roles(db) == {"provider"}
    assert organisation.unrecognised_roles(db) == ["reseller"]


def test_context_issue_and_party_validation(db: Database) -> None:
    result = apply_changes(db, "context_issues", [
        RowChange("insert", {"issue_type": "external", "description": "New AI law"}),
        RowChange("insert", {"issue_type": "outside", "description": "Typo"})], ANA)
    assert _problems(result) == [("new Context issue 2", "Type")]
    result = apply_changes(db, "context_issues", [
        RowChange("insert", {"issue_type": "external", "description": "New AI law"}),
        RowChange("insert", {"issue_type": "internal", "description": "Team",
                             "last_reviewed": TODAY, "next_review": TODAY - timedelta(1)})],
        ANA)
    assert _problems(result) == [("new Context issue 2", "Next review")]
    assert db.scalar("SELECT count(*) FROM context_issues") == 0
    result = apply_changes(db, "interested_parties", [
        RowChange("insert", {"party": "Customers", "needs": "Fair decisions",
                             "addressed": True})], ANA)
    assert _problems(result) == [("new Interested party 1", "How, or why not")]
    assert apply_changes(db, "interested_parties", [
        RowChange("insert", {"party": "Customers", "needs": "Fair decisions",
                             "addressed": True, "response": "Human review"})], ANA).ok


def test_context_changes_since_a_review_name_the_fields(db: Database) -> None:
    assert apply_changes(db, "context_issues", [RowChange("insert", {
        "issue_type": "external", "description": "New AI law", "owner": "Ana"})], ANA,
        now=datetime(2026, 1, 10, 9)).ok
    assert apply_changes(db, "interested_parties", [RowChange("insert", {
        "party": "Staff", "needs": "Training"})], ANA, now=datetime(2026, 1, 10, 9)).ok
    assert apply_changes(db, "interested_parties", [RowChange(
        "update", {"needs": "Training and a say in AI use"}, row_id=1, expected_version=1)],
        Actor("Bo"), now=datetime(2026, 3, 1, 9)).ok
    since = context.changes_since(db, date(2026, 2, 1))
    assert since[["register", "item", "operation", "fields", "changed_by"]].values.tolist() == [
        ["Interested party", "Staff", "update", "Needs and expectations", "Bo"]]
    assert len(context.changes_since(db, None)) == 3


def test_closed_issue_leaves_the_list_but_keeps_its_row(db: Database) -> None:
    assert apply_changes(db, "context_issues", [RowChange("insert", {
        "issue_type": "internal", "description": "Office move",
        "closed_on": TODAY - timedelta(days=1)})], ANA).ok
    assert context.issues(db, TODAY).empty
    assert len(context.issues(db, TODAY, include_closed=True)) == 1


def test_role_needs_a_holder_and_a_different_deputy(db: Database) -> None:
    nobody = apply_changes(db, "aims_roles", [RowChange("insert", {"role": "AIMS owner"}),
                                              RowChange("insert", {"role": "Auditor",
                                                                   "holder": " "})], ANA)
    assert _problems(nobody) == [("new Role 1", "Held by"), ("new Role 2", "Held by")]
    assert nobody.errors[0].message == "is required"
    result = apply_changes(db, "aims_roles", [
        RowChange("insert", {"role": "Internal auditor", "holder": "Cleo", "deputy": "Cleo"}),
        RowChange("insert", {"role": "Risk owner", "holder": "Ana",
                             "assigned_on": TODAY, "ended_on": TODAY - timedelta(days=3)})],
        ANA)
    assert _problems(result) == [("new Role 1", "Deputy"), ("new Role 2", "Ended on")]
    assert db.scalar("SELECT count(*) FROM aims_roles") == 0


def test_one_person_holds_several_roles_and_standard_roles_left_open(db: Database) -> None:
    assert apply_changes(db, "aims_roles", [
        RowChange("insert", {"role": "AIMS owner", "holder": "Ana"}),
        RowChange("insert", {"role": "Internal auditor", "holder": "Ana", "deputy": "Ben"})],
        ANA).ok
    assert roles.count(db, TODAY, roles.RoleFilter(person="Ana")) == 2
    assert roles.count(db, TODAY, roles.RoleFilter(person="Ben")) == 1
    assert roles.unheld_standard_roles(db, TODAY) == [
        "Risk owner", "AI system owner", "Data protection officer", "Human-oversight operator"]


def test_a_file_with_a_later_migration_still_gets_number_8(tmp_path: Path) -> None:
    """Migration numbers are given out per branch: a file that has 10 but not 8 (made
    before 8 reached the program) gets 8 applied when it is opened, after a backup."""
    path = tmp_path / "gap.duckdb"
    con = duckdb.connect(str(path))
    apply_migrations(con, target=6)
    later = [m for m in MIGRATIONS if m.version > 8]
    for migration in later:
        for statement in migration.statements:
            con.execute(statement)
        con.execute("INSERT INTO schema_migrations VALUES (?, ?, now()::TIMESTAMP)",
                    [migration.version, migration.description])
    con.close()
    db = Database(path)
    assert {r[0] for r in db.query_rows("SELECT version FROM schema_migrations")} == \
        {m.version for m in MIGRATIONS}
    assert db.scalar("SELECT count(*) FROM documents") == 0
    assert db.backup_path is not None and db.backup_path.exists()
    db.close()
