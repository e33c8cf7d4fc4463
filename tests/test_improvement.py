"""The improvement registers: their validation rules, the finding → nonconformity → action →
effectiveness → close flow, the re-validation trigger, control standing, the schedule rows,
the computed KPIs and the demo."""

from __future__ import annotations

import io
from datetime import date, timedelta

import openpyxl
import pandas as pd
import pytest

from aims_core import demo
from aims_core.compliance import soa
from aims_core.dashboard.schedule import page
from aims_core.improvement import actions, audits, nonconformities
from aims_core.inventory.revalidation import revalidation_schedule
from aims_core.performance.kpis import FIGURES, RegisterDay
from aims_core.performance.registers import COMPUTED_KPI_CODES
from aims_core.records.registry import REGISTERS
from aims_core.records.writes import RowChange, apply_changes
from aims_core.storage.database import Database
from aims_core.storage.filters import ColumnFilter
from tests.conftest import ANA, TODAY
from tests.improvement_kit import (
    PROVIDER_HIGH_RISK,
    audit,
    finding,
    incident,
    new_action,
    nonconformity,
    ok,
    system,
    update,
)

IMPROVEMENT_TABLES = ("incidents", "audits", "audit_scope_items", "audit_findings",
                      "nonconformities", "actions")


def _refused(result, row: str, field: str, text: str) -> None:
    assert not result.ok
    messages = [str(p) for p in result.errors]
    assert any(m.startswith(f"{row}, field '{field}'") and text in m for m in messages), messages


# --- validation rules --------------------------------------------------------------------
def test_incident_dates_must_be_in_order_and_nothing_is_written(db: Database) -> None:
    values = {"title": "Bias", "owner": "Ben", "severity": "low", "harm_type": "other",
              "status": "open"}
    early = apply_changes(db, "incidents", [RowChange("insert", {
        **values, "occurred_on": TODAY, "detected_on": TODAY - timedelta(days=1)},
        label="Incident 'Bias'")], ANA)
    _refused(early, "Incident 'Bias'", "Detected on", "cannot be before occurred on")
    closed = apply_changes(db, "incidents", [RowChange("insert", {
        **values, "detected_on": TODAY, "status": "closed",
        "closed_on": TODAY - timedelta(days=2)})], ANA)
    _refused(closed, "new Incident 1", "Closed on", "cannot be before detected on")
    reported = apply_changes(db, "incidents", [RowChange("insert", {
        **values, "detected_on": TODAY, "gdpr_reported_on": TODAY - timedelta(days=1)})], ANA)
    _refused(reported, "new Incident 1", "GDPR notified on", "cannot be before detected on")
    assert db.scalar("SELECT count(*) FROM incidents") == 0
    assert db.scalar("SELECT count(*) FROM change_log") == 0


def test_closing_an_incident_needs_a_date_and_a_date_needs_closing(db: Database) -> None:
    incident_id = incident(db, None)
    row = f"Incident {incident_id} ('Wrong declines')"
    _refused(update(db, "incidents", incident_id, status="closed"), row, "Closed on",
             "is required when the status is Closed")
    _refused(update(db, "incidents", incident_id, closed_on=TODAY), row, "Closed on",
             "must be empty unless the status is Closed")
    ok(update(db, "incidents", incident_id, status="closed", closed_on=TODAY))


def test_a_serious_incident_names_its_ai_system(db: Database) -> None:
    result = apply_changes(db, "incidents", [RowChange("insert", {
        "title": "x", "detected_on": TODAY, "owner": "Ben", "severity": "critical",
        "harm_type": "health_safety", "status": "open", "serious_incident": "death"})], ANA)
    _refused(result, "new Incident 1", "AI system", "is required for a serious incident")


@pytest.mark.parametrize(("requirement", "accepted"),
                         [("9.2.2", True), ("A.6.2.4", True), ("10", True), ("9.9", False),
                          ("A.6.2.9", False), ("a.6.2.4", False)])
def test_a_finding_names_a_clause_or_control_of_the_catalogue(db: Database, requirement: str,
                                                              accepted: bool) -> None:
    audit_id = audit(db)
    result = apply_changes(db, "audit_findings", [RowChange("insert", {
        "audit_id": audit_id, "finding_type": "minor", "requirement_id": requirement,
        "description": "d"})], ANA)
    if accepted:
        ok(result)
    else:
        _refused(result, "new Finding 1", "Clause or control",
                 f"'{requirement}' is neither an ISO/IEC 42001 clause")
        assert db.scalar("SELECT count(*) FROM audit_findings") == 0


def test_a_nonconformity_finding_needs_its_requirement(db: Database) -> None:
    audit_id = audit(db)
    missing = apply_changes(db, "audit_findings", [RowChange("insert", {
        "audit_id": audit_id, "finding_type": "major", "description": "d"})], ANA)
    _refused(missing, "new Finding 1", "Clause or control", "is required for a nonconformity")
    finding(db, audit_id, "observation", None)  # an observation may name none


def test_an_action_needs_owner_and_due_date(db: Database) -> None:
    result = new_action(db, "Retrain the model", None, None, "other")
    _refused(result, "The action", "Owner", "is required")
    _refused(result, "The action", "Due on", "is required")
    assert db.scalar("SELECT count(*) FROM actions") == 0


def test_an_action_due_before_it_was_created_is_refused(db: Database) -> None:
    result = new_action(db, "Retrain", "Bo", TODAY - timedelta(days=3))
    _refused(result, "The action", "Due on", "cannot be before created on")


def test_an_action_source_link_must_exist_and_fit_its_source(db: Database) -> None:
    _refused(new_action(db, "a", "Bo", TODAY, "nonconformity", 99), "The action",
             "Source record", "Nonconformity #99 does not exist")
    _refused(new_action(db, "a", "Bo", TODAY, "nonconformity"), "The action",
             "Source record", "is required for the source Nonconformity")
    _refused(new_action(db, "a", "Bo", TODAY, "other", 1, source_table="risks"),
             "The action", "Source record", "must be empty")
    nc_id = nonconformity(db)
    _refused(new_action(db, "a", "Bo", TODAY, "nonconformity", nc_id,
                            source_table="incidents"),
             "The action", "Source register", "must be nonconformities")
    created = ok(new_action(db, "a", "Bo", TODAY, "nonconformity", nc_id))
    row = db.query_rows("SELECT source, source_table, source_id FROM actions WHERE id = ?",
                        [created.inserted[0]])[0]
    assert row == ("nonconformity", "nonconformities", nc_id)
    moved = update(db, "actions", created.inserted[0], source_id=nc_id + 1)
    _refused(moved, f"Action {created.inserted[0]} ('a')", "Source record", "cannot be changed")


def test_an_action_done_needs_a_date(db: Database) -> None:
    action_id = ok(new_action(db, "a", "Bo", TODAY, "other")).inserted[0]
    _refused(update(db, "actions", action_id, status="done"), f"Action {action_id} ('a')",
             "Done on", "is required when the status is Done")


def test_closing_a_nonconformity_with_open_actions_is_refused(db: Database) -> None:
    nc_id = nonconformity(db, effectiveness_due=TODAY, effectiveness_checked_on=TODAY,
                          effectiveness_result="effective")
    action_id = ok(new_action(db, "Fix the gate", "Bo", TODAY, "nonconformity",
                                  nc_id)).inserted[0]
    before = db.query_rows("SELECT * FROM nonconformities")
    result = update(db, "nonconformities", nc_id, status="closed", closed_on=TODAY)
    _refused(result, f"Nonconformity {nc_id} ('Documentation out of date')", "Status",
             f"cannot be closed while its corrective actions are not done: #{action_id} "
             "'Fix the gate' (open)")
    assert "10.2" in str(result.errors[0])
    assert db.query_rows("SELECT * FROM nonconformities") == before
    ok(update(db, "actions", action_id, status="cancelled"))
    ok(update(db, "nonconformities", nc_id, status="closed", closed_on=TODAY))


def test_closing_needs_the_effectiveness_check_and_its_fitting_result(db: Database) -> None:
    nc_id = nonconformity(db)
    row = f"Nonconformity {nc_id} ('Documentation out of date')"
    _refused(update(db, "nonconformities", nc_id, status="closed", closed_on=TODAY), row,
             "Effectiveness result", "is required to close: record the effectiveness check")
    _refused(update(db, "nonconformities", nc_id, effectiveness_result="effective"), row,
             "Effectiveness checked on", "is required with the other half")
    _refused(update(db, "nonconformities", nc_id, status="awaiting_check"), row,
             "Effectiveness check due", "is required while the effectiveness check is awaited")
    ok(update(db, "nonconformities", nc_id, effectiveness_checked_on=TODAY,
              effectiveness_result="not_effective"))
    _refused(update(db, "nonconformities", nc_id, status="closed", closed_on=TODAY), row,
             "Status", "must be Closed – not effective")
    ok(update(db, "nonconformities", nc_id, status="closed_not_effective", closed_on=TODAY))
    later = new_action(db, "More work", "Bo", TODAY, "nonconformity", nc_id)
    _refused(later, "The action", "Status", f"nonconformity #{nc_id} is closed")


def test_audit_completed_needs_date_and_conclusion(db: Database) -> None:
    audit_id = audit(db)
    result = update(db, "audits", audit_id, status="completed")
    _refused(result, f"Audit {audit_id} ('Annex A.6 audit')", "Held on", "is required")
    _refused(result, f"Audit {audit_id} ('Annex A.6 audit')", "Conclusion", "is required")
    ok(update(db, "audits", audit_id, status="completed", held_on=TODAY, conclusion="Fine"))


def test_audit_scope_takes_one_item_per_row_and_no_repeats(db: Database) -> None:
    audit_id = audit(db)
    both = apply_changes(db, "audit_scope_items", [RowChange("insert", {
        "audit_id": audit_id, "clause_id": "9.2", "objective_id": "A.6"})], ANA)
    _refused(both, "new Audit scope item 1", "Clause", "give exactly one of")
    unknown = audits.save_scope(db, ANA, audit_id, ["99"], [], [])
    _refused(unknown, "Scope item 99", "Clause", "'99' does not exist")
    system_id = system(db)
    ok(audits.save_scope(db, ANA, audit_id, ["9.2", "10"], ["A.6"], [system_id]))
    ok(audits.save_scope(db, ANA, audit_id, ["10"], ["A.6", "A.8"], []))
    assert {(r[0], r[1], r[2]) for r in db.query_rows(
        "SELECT clause_id, objective_id, ai_system_id FROM audit_scope_items")} == \
        {("10", None, None), (None, "A.6", None), (None, "A.8", None)}
    again = apply_changes(db, "audit_scope_items", [RowChange("insert", {
        "audit_id": audit_id, "objective_id": "A.8"})], ANA)
    _refused(again, "new Audit scope item 1", "Annex A objective", "already in this audit")


def test_an_auditor_auditing_their_own_work_is_warned(db: Database) -> None:
    system_id = system(db)  # owned by Ben
    audit_id = audit(db, lead_auditor="Ben", auditee="Ben")
    ok(audits.save_scope(db, ANA, audit_id, [], [], [system_id]))
    warnings = audits.independence(db, audit_id)
    assert warnings == ["Ben is also the auditee", "Ben owns the AI system Scorer in the scope"]
    independent = audit(db, lead_auditor="Cleo", auditee="Ben")
    assert audits.independence(db, independent) == []
    listed = audits.programme(db, TODAY, ColumnFilter()).set_index("id")
    assert "also the auditee" in listed.loc[audit_id, "independence"]
    assert pd.isna(listed.loc[independent, "independence"])


# --- the improvement flow ----------------------------------------------------------------
def test_finding_to_nonconformity_to_action_to_effectiveness_to_close(db: Database) -> None:
    system_id = system(db)
    audit_id = audit(db, status="completed", held_on=TODAY, auditee="Bo", conclusion="Gaps")
    finding_id = finding(db, audit_id, "major", "A.6.2.4", ai_system_id=system_id)
    raised = ok(nonconformities.raise_from_finding(db, ANA, finding_id, "Bo", TODAY))
    nc_id = raised.inserted[0]
    nc = nonconformities.one(db, TODAY, nc_id)
    assert (nc["grade"], nc["requirement_id"], nc["ai_system_id"], nc["source"],
            nc["source_table"], nc["source_id"], nc["status"]) == \
        ("major", "A.6.2.4", system_id, "audit_finding", "audit_findings", finding_id, "open")
    assert "Validation did not re-test fairness" in nc["description"]
    assert "Evidence seen: VAL-7" in nc["description"]
    assert nc["source_record"] == f"Audit finding #{finding_id}: Validation did not re-test " \
                                  "fairness"
    assert audits.findings(db, audit_id)["nonconformity_id"].tolist() == [nc_id]
    again = nonconformities.raise_from_finding(db, ANA, finding_id, "Bo", TODAY)
    _refused(again, "The nonconformity", "Source record",
             f"finding #{finding_id} is already raised as nonconformity #{nc_id}")

    action_id = ok(new_action(db, "Re-test fairness", "Bo", TODAY + timedelta(days=7),
                                  "nonconformity", nc_id)).inserted[0]
    assert actions.for_source(db, "nonconformity", nc_id)["id"].tolist() == [action_id]
    version = db.scalar("SELECT version FROM nonconformities WHERE id = ?", [nc_id])
    refused = nonconformities.close(db, ANA, nc_id, version, None, TODAY)
    assert not refused.ok and "corrective actions are not done" in str(refused.errors)
    action_version = db.scalar("SELECT version FROM actions WHERE id = ?", [action_id])
    ok(actions.mark_done(db, ANA, action_id, action_version, TODAY, "Fairness re-tested"))
    ok(nonconformities.record_check(db, ANA, nc_id, version, TODAY + timedelta(days=30),
                                    None, None, None))
    assert nonconformities.one(db, TODAY, nc_id)["status"] == "awaiting_check"
    version = db.scalar("SELECT version FROM nonconformities WHERE id = ?", [nc_id])
    ok(nonconformities.record_check(db, ANA, nc_id, version, TODAY + timedelta(days=30),
                                    TODAY + timedelta(days=2), "effective", "Metrics in range"))
    version = db.scalar("SELECT version FROM nonconformities WHERE id = ?", [nc_id])
    ok(nonconformities.close(db, ANA, nc_id, version, "effective", TODAY + timedelta(days=2)))
    assert nonconformities.one(db, TODAY, nc_id)["status"] == "closed"
    logged = db.query_rows("SELECT table_name, operation FROM change_log "
                           "WHERE table_name IN ('nonconformities', 'actions') ORDER BY id")
    assert logged == [("nonconformities", "insert"), ("actions", "insert"),
                      ("actions", "update"), ("nonconformities", "update"),
                      ("nonconformities", "update"), ("nonconformities", "update")]


def test_only_a_nonconformity_finding_raises_a_nonconformity(db: Database) -> None:
    finding_id = finding(db, audit(db), "observation", "9.1")
    result = nonconformities.raise_from_finding(db, ANA, finding_id, "Bo", TODAY)
    _refused(result, f"Finding {finding_id}", "Type", "is an observation: only major and minor")
    assert db.scalar("SELECT count(*) FROM nonconformities") == 0


def test_an_incident_raises_a_prefilled_nonconformity_once(db: Database) -> None:
    system_id = system(db)
    incident_id = incident(db, system_id, immediate_action="Paused the model",
                           root_cause="Stale training data", description="Declines rose")
    nc_id = ok(nonconformities.raise_from_incident(db, ANA, incident_id, "Bo", "minor",
                                                   TODAY, "A.6.2.6")).inserted[0]
    nc = nonconformities.one(db, TODAY, nc_id)
    assert nc["title"] == f"Incident #{incident_id}: Wrong declines"
    assert (nc["correction"], nc["root_cause"], nc["description"], nc["ai_system_id"],
            nc["source_record"]) == ("Paused the model", "Stale training data", "Declines rose",
                                     system_id, f"Incident #{incident_id}: Wrong declines")
    again = nonconformities.raise_from_incident(db, ANA, incident_id, "Bo", "minor", TODAY)
    assert not again.ok and f"already raised as nonconformity #{nc_id}" in str(again.errors[0])


def test_a_long_text_makes_a_marked_short_title_and_keeps_the_whole_text(db: Database) -> None:
    text = "The model " + "drifts far beyond its limits " * 10
    finding_id = finding(db, audit(db), "minor", "A.6.2.6", description=text)
    nc_id = ok(nonconformities.raise_from_finding(db, ANA, finding_id, "Bo", TODAY)).inserted[0]
    nc = nonconformities.one(db, TODAY, nc_id)
    assert nc["title"].startswith("A.6.2.6: The model drifts") and nc["title"].endswith(" …")
    assert len(nc["title"]) <= 140 and text.strip() in nc["description"]


# --- what the registers change elsewhere ---------------------------------------------------
def test_an_incident_makes_its_system_due_for_revalidation_now(db: Database) -> None:
    system_id = system(db, validated_on=TODAY - timedelta(days=30))
    other = system(db, name="Other", validated_on=TODAY - timedelta(days=30))

    def row(sid: int) -> pd.Series:
        schedule = revalidation_schedule(db, TODAY)
        return schedule.set_index("ai_system_id").loc[sid]

    assert not bool(row(system_id)["overdue"])
    incident(db, other, detected_on=TODAY - timedelta(days=40))  # before its last validation
    incident_id = incident(db, system_id, detected_on=TODAY - timedelta(days=2),
                           title="Declines doubled")
    found = row(system_id)
    assert bool(found["overdue"]) and bool(found["due_now"])
    assert found["reason"] == (f'Due now: Incident #{incident_id} "Declines doubled" was '
                               f"opened on {TODAY - timedelta(days=2)}, after the last "
                               "passing validation")
    assert not bool(row(other)["overdue"])
    items = page(db, TODAY, limit=None)
    revalidation = items[(items["kind"] == "Re-validation") & (items["item"] == "Scorer")]
    assert revalidation["overdue"].all() and "Declines doubled" in revalidation["reason"].iloc[0]


def test_an_open_major_nonconformity_lowers_its_control_to_partial(db: Database) -> None:
    ok(soa.add_missing_rows(db, "soa", ANA))
    soa_id = db.scalar("SELECT id FROM soa WHERE control_id = 'A.6.2.4'")
    ok(update(db, "soa", soa_id, applicable=True, justification="We validate models", owner="Bo",
              implementation_status="implemented", last_reviewed=TODAY,
              evidence_expiry=TODAY + timedelta(days=90)))

    def standing() -> tuple[int, int, int, str]:
        row = soa.coverage(db, TODAY).set_index("objective_id").loc["A.6"]
        flags = soa.soa_table(db, TODAY).set_index("control_id").loc["A.6.2.4", "flags"]
        return int(row["implemented"]), int(row["partial"]), int(row["lowered"]), flags

    assert standing() == (1, 0, 0, "")
    nonconformity(db, grade="minor")
    assert standing()[:3] == (1, 0, 0)
    nc_id = nonconformity(db, grade="major")
    assert standing() == (0, 1, 1, f"Open major nonconformity #{nc_id}")
    ok(update(db, "nonconformities", nc_id, effectiveness_checked_on=TODAY,
              effectiveness_result="effective", status="closed", closed_on=TODAY))
    assert standing() == (1, 0, 0, "")


def _due(frame: pd.DataFrame, kind: str) -> set[tuple[str, date]]:
    part = frame[frame["kind"] == kind]
    return set(zip(part["link"], part["due_on"], strict=True))


def test_schedule_rows_of_each_improvement_kind_equal_their_source(demo_db: Database) -> None:
    items = page(demo_db, TODAY, limit=None)
    rows = demo_db.query_rows
    assert _due(items, "Internal audit") == {
        (f"audits?audit={i}", d) for i, d in rows(
            "SELECT id, planned_on FROM audits WHERE status IN ('planned', 'in_progress')")}
    assert _due(items, "Effectiveness check") == {
        (f"nonconformities?nc={i}", d) for i, d in rows(
            "SELECT id, effectiveness_due FROM nonconformities WHERE effectiveness_due IS NOT "
            "NULL AND effectiveness_result IS NULL AND status NOT IN ('closed', "
            "'closed_not_effective')")}
    assert _due(items, "Action") == {(f"actions?action={i}", d) for i, d in rows(
        "SELECT id, due_on FROM actions WHERE status IN ('open', 'in_progress')")}
    # Reporting clocks still running: the demo's provider of a high-risk system (15 days for
    # a serious incident) and any personal-data breach not yet notified (72 hours).
    expected = {(f"incidents?incident={i}", d) for i, d in rows(
        "SELECT i.id, CAST(i.detected_on + INTERVAL 15 DAY AS DATE) FROM incidents i "
        "JOIN ai_systems s ON s.id = i.ai_system_id WHERE s.eu_ai_act_category = 'high_risk' "
        "AND i.serious_incident = 'serious' AND i.ai_act_reported_on IS NULL "
        "UNION SELECT id, CAST(detected_on + INTERVAL 3 DAY AS DATE) FROM incidents "
        "WHERE personal_data_breach AND gdpr_reported_on IS NULL")}
    assert _due(items, "Incident report") == expected and expected
    for kind in ("Internal audit", "Effectiveness check", "Action", "Incident report"):
        part = items[items["kind"] == kind]
        assert (part["overdue"] == (part["due_on"] < TODAY)).all(), kind
        assert part["owner"].notna().all() and part["reason"].str.len().gt(10).all(), kind
    assert items.loc[items["kind"] == "Action", "overdue"].any()  # the demo has late actions


def test_computed_kpis_count_the_improvement_registers(demo_db: Database) -> None:
    day = RegisterDay(demo_db, TODAY)
    expected = {
        "incidents_open": "SELECT count(*) FROM incidents WHERE status <> 'closed'",
        "nonconformities_open": "SELECT count(*) FROM nonconformities WHERE status IN "
                                "('open', 'action_planned', 'awaiting_check')",
        "actions_overdue": "SELECT count(*) FROM actions WHERE status IN ('open', "
                           "'in_progress') AND due_on < $today"}
    for code, sql in expected.items():
        assert code in COMPUTED_KPI_CODES
        params = {"today": TODAY} if "$today" in sql else None
        assert FIGURES[code](day) == float(demo_db.scalar(sql, params)) > 0, code


def test_every_demo_row_passes_its_registers_rules(demo_db: Database) -> None:
    """Saving each demo row unchanged through the write path validates it and changes
    nothing: the demo shows what a person could have entered."""
    for table in IMPROVEMENT_TABLES:
        register = REGISTERS[table]
        frame = demo_db.query_df(f"SELECT * FROM {table} ORDER BY id")
        assert not frame.empty, table
        changes = [RowChange("update", {name: _plain(row[name]) for name in
                                        register.field_names},
                             row_id=int(row["id"]), expected_version=int(row["version"]))
                   for _, row in frame.iterrows()]
        result = apply_changes(demo_db, table, changes, ANA)
        assert result.ok and not result.updated, (table, [str(p) for p in result.errors])


def _plain(value: object) -> object:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and pd.isna(value):
        return None
    return value.date() if isinstance(value, pd.Timestamp) else value


def test_scale_generation_adds_improvement_rows_per_system() -> None:
    frames = demo.generate(systems=100, seed=7)
    extra = 100 - len(demo.ARCHETYPES)
    assert len(frames["incidents"]) == 8 + -(-extra // 4)
    assert len(frames["nonconformities"]) == 6 + -(-extra // 8)
    from_reviews = frames["actions"]["source"] == "management_review_decision"
    # review actions: demo/management; + the three roadmap steps of the latest self-assessment
    assert (~from_reviews).sum() == 13 + 2 * -(-extra // 8) + 3
    assert len(frames["audits"]) == 5 + 1
    assert frames["incidents"]["ai_system_id"].dropna().isin(frames["ai_systems"]["id"]).all()


def test_the_demo_tells_the_improvement_story(demo_db: Database) -> None:
    q = demo_db.scalar
    assert q("SELECT count(*) FROM incidents WHERE status <> 'closed'") >= 2
    assert q("SELECT count(*) FROM incidents WHERE serious_incident = 'serious'") >= 2
    assert q("SELECT count(*) FROM incidents WHERE personal_data_breach") >= 1
    assert q("SELECT count(*) FROM audit_findings f WHERE finding_type IN ('major', 'minor') "
             "AND NOT EXISTS (SELECT 1 FROM nonconformities n WHERE n.source_table = "
             "'audit_findings' AND n.source_id = f.id)") >= 1  # one still to raise
    statuses = {r[0] for r in demo_db.query_rows("SELECT DISTINCT status FROM nonconformities")}
    assert {"open", "action_planned", "awaiting_check", "closed"} <= statuses
    sources = {r[0] for r in demo_db.query_rows("SELECT DISTINCT source FROM actions")}
    assert sources == set(REGISTERS["actions"].field("source").choices)  # every kind
    lowered = soa.coverage(demo_db, TODAY)["lowered"].sum()
    stale_only = demo_db.scalar(
        "SELECT count(*) FROM soa WHERE applicable AND implementation_status = 'implemented' "
        "AND (evidence_expiry < $today OR last_reviewed < $today - INTERVAL 12 MONTH)",
        {"today": TODAY})
    assert lowered > stale_only  # a major nonconformity lowers a control the demo implements
    assert any(audits.independence(demo_db, i) for i, in demo_db.query_rows(
        "SELECT id FROM audits"))


def test_exports_read_as_an_auditor_expects_and_defuse_formulas(db: Database) -> None:
    from aims_core.improvement import exports
    from aims_core.storage.spreadsheets import to_csv_bytes, to_workbook_bytes

    system_id = system(db, PROVIDER_HIGH_RISK)
    incident(db, system_id, title="=HYPERLINK(\"http://x.example\")", serious_incident="serious",
             personal_data_breach=True)
    audit_id = audit(db)
    finding(db, audit_id, "minor", "7.2")
    frame = exports.incident_register(db, TODAY)
    row = frame.iloc[0]
    assert (row["AI system"], row["Severity"], row["Serious incident (EU AI Act)"],
            row["AI Act deadline"], row["GDPR deadline"], row["AI Act status"]) == (
        "Scorer", "High", "Serious (Art. 3(49))", TODAY + timedelta(days=15),
        TODAY + timedelta(days=3), "running")
    assert "'=HYPERLINK" in to_csv_bytes(frame).decode("utf-8-sig")
    findings = exports.audit_findings(db)
    assert findings.iloc[0][["Type", "Clause or control"]].tolist() == [
        "Minor nonconformity", "7.2 Competence"]
    workbook = to_workbook_bytes({"Programme": exports.audit_programme(db, TODAY),
                                  "Findings": findings})
    assert openpyxl.load_workbook(io.BytesIO(workbook)).sheetnames == ["Programme", "Findings"]
