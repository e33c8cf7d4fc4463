"""Competences and training: validation, expiry from validity, the competence gaps against
plain SQL, AI literacy coverage and its computed KPI, and the management system's dates on
the Schedule."""

from __future__ import annotations

from datetime import date, timedelta

from aims_core.dashboard.schedule import page
from aims_core.management_system import roles, training
from aims_core.performance.kpis import FIGURES, RegisterDay, take_snapshot
from aims_core.records.writes import RowChange, apply_changes
from aims_core.storage.database import Database
from tests.conftest import ANA, TODAY


def _insert(db: Database, table: str, *rows: dict) -> list[int]:
    result = apply_changes(db, table, [RowChange("insert", row) for row in rows], ANA)
    assert result.ok, result.errors
    return result.inserted


def test_validity_must_be_positive_and_training_not_in_the_future(db: Database) -> None:
    bad = apply_changes(db, "competences", [
        RowChange("insert", {"name": "AI literacy", "kind": "ai_literacy",
                             "validity_months": 0}),
        RowChange("insert", {"name": "Audit", "kind": "certification",
                             "validity_months": -12})], ANA)
    assert [(p.row, p.field) for p in bad.errors] == [
        ("new Competence 1", "Valid for (months)"), ("new Competence 2", "Valid for (months)")]
    assert "at least 1" in bad.errors[0].message
    [literacy] = _insert(db, "competences", {"name": "AI literacy", "kind": "ai_literacy",
                                             "validity_months": 24})
    future = apply_changes(db, "training_records", [RowChange("insert", {
        "person": "Ana", "competence_id": literacy,
        "completed_on": date.today() + timedelta(days=1)})], ANA)
    assert [(p.row, p.field) for p in future.errors] == [("new Training record 1",
                                                          "Completed on")]
    assert "in the future" in future.errors[0].message
    nobody = apply_changes(db, "training_records", [RowChange("insert", {
        "competence_id": literacy, "completed_on": TODAY})], ANA)
    assert [p.field for p in nobody.errors] == ["Person"]
    assert db.scalar("SELECT count(*) FROM training_records") == 0


def test_expiry_is_completion_plus_validity_with_month_ends_clamped(db: Database) -> None:
    yearly, forever = _insert(db, "competences",
                              {"name": "Oversight", "kind": "training", "validity_months": 1},
                              {"name": "Tool basics", "kind": "training"})
    _insert(db, "training_records",
            {"person": "Ben", "competence_id": yearly, "completed_on": date(2026, 1, 31)},
            {"person": "Ben", "competence_id": forever, "completed_on": date(2025, 1, 1)})
    shown = training.records(db, TODAY).set_index("competence")
    assert shown.loc["Oversight", "expires_on"].date() == date(2026, 2, 28)
    assert shown.loc["Oversight", "state"] == "expired"
    assert shown.loc["Tool basics", "state"] == "current"  # no validity: does not expire


def _gap_world(db: Database) -> None:
    literacy, oversight, audit = _insert(
        db, "competences",
        {"name": "AI literacy", "kind": "ai_literacy", "validity_months": 24},
        {"name": "Oversight", "kind": "training", "validity_months": 12},
        {"name": "Lead auditor", "kind": "certification", "validity_months": 36})
    operator, auditor, owner = _insert(
        db, "aims_roles",
        {"role": "Human-oversight operator", "holder": "Ana", "deputy": "Bo",
         "works_with_ai": True},
        {"role": "Internal auditor", "holder": "Cleo", "works_with_ai": False},
        {"role": "AIMS owner", "holder": "Ben", "works_with_ai": True,
         "ended_on": TODAY - timedelta(days=5)})  # ended: counts for nothing
    for role_id, wanted in ((operator, [literacy, oversight]), (auditor, [audit]),
                            (owner, [literacy])):
        assert roles.set_required(db, role_id, roles.required(db, role_id), wanted, ANA).ok
    _insert(db, "training_records",
            {"person": "Ana", "competence_id": literacy, "completed_on": TODAY - timedelta(400)},
            {"person": "Ana", "competence_id": oversight,
             "completed_on": TODAY - timedelta(days=500)},  # expired ...
            {"person": "Ana", "competence_id": oversight,
             "completed_on": TODAY - timedelta(days=30)},  # ... and renewed
            {"person": "Bo", "competence_id": literacy,
             "completed_on": TODAY - timedelta(days=800)},  # expired
            {"person": "Cleo", "competence_id": audit,
             "completed_on": TODAY - timedelta(days=100)})


# The gap rule in plain SQL: per person holding or deputising a current role, each required
# competence whose latest record is missing or expired.
GAPS_SQL = """
    WITH people AS (
        SELECT id, holder AS person FROM aims_roles WHERE ended_on IS NULL OR ended_on > $today
        UNION SELECT id, deputy FROM aims_roles
        WHERE deputy IS NOT NULL AND (ended_on IS NULL OR ended_on > $today)),
    latest AS (
        SELECT t.person, t.competence_id,
               max(t.completed_on + to_months(c.validity_months)) AS expires
        FROM training_records t JOIN competences c ON c.id = t.competence_id GROUP BY ALL)
    SELECT DISTINCT p.person, c.name,
           CASE WHEN l.person IS NULL THEN 'missing' ELSE 'expired' END
    FROM people p JOIN role_competences rc ON rc.role_id = p.id
    JOIN competences c ON c.id = rc.competence_id
    LEFT JOIN latest l ON l.person = p.person AND l.competence_id = rc.competence_id
    WHERE l.person IS NULL OR l.expires < $today"""


def test_gaps_by_person_and_role_equal_sql(db: Database) -> None:
    _gap_world(db)
    expected = {tuple(r) for r in db.query_rows(GAPS_SQL, {"today": TODAY})}
    assert expected == {("Bo", "AI literacy", "expired"), ("Bo", "Oversight", "missing")}
    found = training.needs(db, TODAY)
    gaps = found[found["state"].isin(["missing", "expired"])]
    assert set(zip(gaps["person"], gaps["competence"], gaps["state"], strict=True)) == expected
    by_person = training.gaps_by_person(db, TODAY).set_index("person")
    assert list(by_person.index) == ["Bo"]
    assert (by_person.loc["Bo", "missing"], by_person.loc["Bo", "expired"]) == (1, 1)
    by_role = training.gaps_by_role(db, TODAY)
    assert by_role["role"].tolist() == ["Human-oversight operator"]
    assert "Bo (deputy): AI literacy, expired" in by_role.iloc[0]["who"]
    counts = training.gap_counts(db, TODAY)
    assert (counts.people_with_gaps, counts.missing, counts.expired) == (1, 1, 1)


def test_gaps_on_the_demo_equal_sql(demo_db: Database) -> None:
    expected = {tuple(r) for r in demo_db.query_rows(GAPS_SQL, {"today": TODAY})}
    found = training.needs(demo_db, TODAY)
    gaps = found[found["state"].isin(["missing", "expired"])]
    assert set(zip(gaps["person"], gaps["competence"], gaps["state"], strict=True)) == \
        expected
    assert len(expected) >= 4  # the demo shows gaps of both kinds
    assert {state for *_, state in expected} == {"missing", "expired"}


def test_ai_literacy_coverage_and_its_kpi(db: Database) -> None:
    _gap_world(db)
    _insert(db, "ai_systems", {"name": "Scorer", "owner": "Cleo", "sourcing": "built",
                               "lifecycle_stage": "operation", "eu_ai_act_category": "minimal"})
    # who operate or use AI: Ana and Bo (role), Cleo (owns a system in use); Ben's role ended
    coverage = training.ai_literacy(db, TODAY)
    assert (coverage.people, coverage.literate) == (3, 1)  # Ana: current; Bo expired; Cleo none
    assert coverage.pct == 33.3
    listed = training.ai_people(db, TODAY, without_literacy_only=True)
    assert listed["person"].tolist() == ["Bo", "Cleo"]
    assert listed.set_index("person").loc["Cleo", "why"] == "owns Scorer"
    assert FIGURES["ai_literacy_coverage_pct"](RegisterDay(db, TODAY)) == 33.3
    _insert(db, "kpis", {"name": "AI literacy", "direction": "higher", "kind": "computed",
                         "code": "ai_literacy_coverage_pct", "owner": "Ana"})
    assert take_snapshot(db, TODAY, ANA, today=TODAY).write.ok
    assert db.scalar("SELECT value FROM kpi_measurements") == 33.3


def test_ai_literacy_on_the_demo_equals_sql(demo_db: Database) -> None:
    people = {r[0] for r in demo_db.query_rows(
        "SELECT holder FROM aims_roles WHERE works_with_ai AND ended_on IS NULL "
        "UNION SELECT deputy FROM aims_roles WHERE works_with_ai AND ended_on IS NULL "
        "AND deputy IS NOT NULL UNION SELECT owner FROM ai_systems "
        "WHERE lifecycle_stage <> 'retired'")}
    literate = {r[0] for r in demo_db.query_rows(
        "SELECT t.person FROM training_records t JOIN competences c ON c.id = t.competence_id "
        "WHERE c.kind = 'ai_literacy' GROUP BY ALL "
        "HAVING max(t.completed_on + to_months(c.validity_months)) >= ?", [TODAY])}
    coverage = training.ai_literacy(demo_db, TODAY)
    assert (coverage.people, coverage.literate) == (len(people), len(people & literate))
    assert 0 < coverage.literate < coverage.people


def test_required_competences_are_a_set(db: Database) -> None:
    a, b = _insert(db, "competences", {"name": "A", "kind": "training"},
                   {"name": "B", "kind": "awareness"})
    [role] = _insert(db, "aims_roles", {"role": "Owner", "holder": "Ana"})
    assert roles.set_required(db, role, roles.required(db, role), [a, b], ANA).ok
    assert roles.set_required(db, role, roles.required(db, role), [b], ANA).ok
    assert roles.required(db, role)["competence_id"].tolist() == [b]
    stale = roles.required(db, role)
    assert roles.set_required(db, role, stale, [], ANA).ok
    again = roles.set_required(db, role, stale, [], ANA)  # the row is gone already
    assert again.conflicts
    assert roles.register(db, TODAY).iloc[0]["competences"] is None


def _kind(items: object, kind: str) -> set[tuple[str, date]]:
    part = items[items["kind"] == kind]
    return set(zip(part["item"], part["due_on"], strict=True))


def test_schedule_lists_every_management_date(demo_db: Database) -> None:
    items = page(demo_db, TODAY, limit=None)
    scope = demo_db.query_rows("SELECT 'AIMS scope of ' || name, next_review FROM organisation")
    issues = demo_db.query_rows("SELECT 'Issue: ' || description, next_review FROM "
                                "context_issues WHERE next_review IS NOT NULL AND closed_on "
                                "IS NULL")
    parties = demo_db.query_rows("SELECT 'Interested party: ' || party, next_review FROM "
                                 "interested_parties WHERE next_review IS NOT NULL")
    chances = demo_db.query_rows("SELECT 'Opportunity: ' || title, next_review FROM "
                                 "opportunities WHERE next_review IS NOT NULL AND status NOT IN "
                                 "('realised', 'dropped')")
    assert _kind(items, "Context review") == set(scope + issues + parties + chances)
    policies = demo_db.query_rows("SELECT reference || ' ' || title || ' v' || doc_version, "
                                  "next_review FROM documents WHERE doc_type = 'ai_policy' "
                                  "AND status <> 'withdrawn' AND next_review IS NOT NULL")
    assert _kind(items, "AI policy review") == set(policies) != set()
    docs = demo_db.query_rows("SELECT reference || ' ' || title || ' v' || doc_version, "
                              "next_review FROM documents WHERE doc_type <> 'ai_policy' "
                              "AND status <> 'withdrawn' AND next_review IS NOT NULL")
    assert _kind(items, "Document review") == set(docs)
    renewals = demo_db.query_rows(
        "SELECT t.person || ': ' || c.name, max(t.completed_on + to_months(c.validity_months))"
        " FROM training_records t JOIN competences c ON c.id = t.competence_id "
        "WHERE c.validity_months IS NOT NULL GROUP BY t.person, c.name")
    assert _kind(items, "Training") == {(item, due.date()) for item, due in renewals}
    training_rows = items[items["kind"] == "Training"]
    assert training_rows["link"].str.startswith(
        "training?training_tab=Records&training_person=").all()
    assert items.loc[items["kind"] == "AI policy review", "link"].str.match(
        r"documents\?document=\d+$").all()
