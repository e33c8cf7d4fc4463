"""The documents register: approval rules, versions that keep the old one, what a document
evidences, SoA and clause evidence pointing to it (its next review is the evidence's
expiry) and the AI policy rule for A.2.2."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from aims_core.auth.actor import Actor
from aims_core.compliance import soa
from aims_core.compliance.clause_evidence import CLAUSE_EVIDENCE, backing, evidence
from aims_core.dashboard.schedule import page
from aims_core.management_system import documents
from aims_core.management_system.registers import POLICY_CHECKS
from aims_core.records.writes import RowChange, apply_changes
from aims_core.storage.database import Database
from tests.conftest import ANA, TODAY

POLICY = {"reference": "POL-1", "title": "AI policy", "doc_type": "ai_policy",
          "doc_version": "1.0", "owner": "Ana", "status": "approved", "approved_by": "Ben",
          "approved_on": TODAY - timedelta(days=100), "next_review": TODAY + timedelta(days=265),
          "location": "https://intranet.example/ai-policy.pdf"}


def _add(db: Database, **values: object) -> int:
    result = apply_changes(db, "documents", [RowChange("insert", {**POLICY, **values})], ANA)
    assert result.ok, result.errors
    return result.inserted[0]


def _version(db: Database, table: str, row_id: int) -> int:
    return db.scalar(f"SELECT version FROM {table} WHERE id = ?", [row_id])


def _update(db: Database, table: str, row_id: int, **values: object) -> None:
    result = apply_changes(db, table, [RowChange("update", values, row_id=row_id,
                                                 expected_version=_version(db, table, row_id))],
                           ANA)
    assert result.ok, result.errors


def test_approval_needs_approver_and_date_and_review_after_it(db: Database) -> None:
    result = apply_changes(db, "documents", [
        RowChange("insert", {**POLICY, "approved_by": None, "approved_on": None,
                             "next_review": None})], ANA)
    assert [(p.row, p.field) for p in result.errors] == [
        ("new Document 1", "Approved by"), ("new Document 1", "Approved on")]
    result = apply_changes(db, "documents", [
        RowChange("insert", {**POLICY, "next_review": POLICY["approved_on"] - timedelta(1)}),
        RowChange("insert", {**POLICY, "reference": "POL-2",
                             "approved_on": date.today() + timedelta(days=2),
                             "next_review": None})], ANA)
    assert [(p.row, p.field) for p in result.errors] == [
        ("new Document 1", "Next review"), ("new Document 2", "Approved on")]
    assert "cannot be before approved on" in result.errors[0].message
    assert db.scalar("SELECT count(*) FROM documents") == 0
    draft = _add(db, status="draft", approved_by=None, approved_on=None)
    assert db.scalar("SELECT status FROM documents WHERE id = ?", [draft]) == "draft"


def test_references_are_unique_and_checklist_is_for_the_ai_policy(db: Database) -> None:
    _add(db)
    twin = apply_changes(db, "documents", [RowChange("insert", {**POLICY})], ANA)
    assert [p.field for p in twin.errors] == ["Reference"]
    procedure = apply_changes(db, "documents", [RowChange("insert", {
        **POLICY, "reference": "PRO-1", "doc_type": "procedure",
        "policy_checks": ["purpose"]})], ANA)
    assert [p.field for p in procedure.errors] == ["AI policy checklist (5.2)"]


def test_a_new_version_keeps_the_old_one(db: Database) -> None:
    doc = _add(db, change_note="First issue", policy_checks=["purpose", "objectives"])
    before = db.query_df("SELECT * FROM documents WHERE id = ?", [doc]).iloc[0]
    result = documents.new_version(db, doc, int(before["version"]), "2.0", "Literacy duty",
                                   TODAY, ANA)
    assert result.ok, result.errors
    current = db.query_df("SELECT * FROM documents WHERE id = ?", [doc]).iloc[0]
    assert (current["doc_version"], current["status"], current["change_note"]) == \
        ("2.0", "draft", "Literacy duty")
    assert pd.isna(current["approved_by"]) and pd.isna(current["approved_on"])
    kept = db.query_df("SELECT * FROM document_versions WHERE document_id = ?", [doc])
    assert len(kept) == 1
    for name in ("doc_version", "status", "approved_by", "approved_on", "next_review",
                 "location", "change_note", "policy_checks", "title"):
        assert kept.iloc[0][name] == before[name], name
    assert kept.iloc[0]["superseded_on"].date() == TODAY
    assert documents.history(db, doc)["doc_version"].tolist() == ["2.0", "1.0"]
    # the same label again, or an earlier one, is refused; nothing is written
    again = documents.new_version(db, doc, int(current["version"]), "1.0", None, TODAY, ANA)
    assert not again.ok and again.errors[0].field == "Version"
    assert "earlier version" in again.errors[0].message
    assert db.scalar("SELECT count(*) FROM document_versions") == 1


def test_the_version_label_changes_only_through_a_new_version(db: Database) -> None:
    doc = _add(db)
    edit = apply_changes(db, "documents", [RowChange("update", {"doc_version": "1.1"},
                                                     row_id=doc, expected_version=1)], ANA)
    assert not edit.ok and "Start a new version" in edit.errors[0].message
    assert db.scalar("SELECT doc_version FROM documents") == "1.0"


def test_a_stale_new_version_is_a_conflict(db: Database) -> None:
    doc = _add(db)
    _update(db, "documents", doc, location="https://elsewhere.example")
    late = documents.new_version(db, doc, 1, "2.0", None, TODAY, Actor("Bo"))
    assert late.conflicts and db.scalar("SELECT count(*) FROM document_versions") == 0


def test_links_are_a_set_of_clauses_controls_and_systems(db: Database) -> None:
    doc = _add(db)
    assert apply_changes(db, "ai_systems", [RowChange("insert", {
        "name": "Scorer", "owner": "Ana", "sourcing": "built", "lifecycle_stage": "operation",
        "eu_ai_act_category": "minimal"})], ANA).ok
    wanted = {"clause_id": ["5.2"], "control_id": ["A.2.2", "A.2.4"], "ai_system_id": [1]}
    assert documents.save_links(db, doc, documents.links(db, doc), wanted, ANA).ok
    assert documents.linked_to(db, "control_id", "A.2.4") == [doc]
    shown = documents.register(db, TODAY).iloc[0]
    assert shown["evidences"] == "5.2, A.2.2, A.2.4, Scorer"
    assert documents.save_links(db, doc, documents.links(db, doc),
                                {"control_id": ["A.2.2"], "clause_id": ["9.9"]}, ANA).errors
    assert documents.save_links(db, doc, documents.links(db, doc),
                                {"control_id": ["A.2.2"]}, ANA).ok
    assert db.query_rows("SELECT clause_id, control_id, ai_system_id FROM document_links") == \
        [(None, "A.2.2", None)]
    both = apply_changes(db, "document_links", [RowChange("insert", {
        "document_id": doc, "clause_id": "4.1", "control_id": "A.3.2"})], ANA)
    assert [p.field for p in both.errors] == ["Clause"]


def test_policy_checklist_is_ticked_by_the_owner(db: Database) -> None:
    doc = _add(db)
    assert documents.ai_policies(db, TODAY)[0].missing == tuple(POLICY_CHECKS)
    assert documents.save_policy_checks(db, doc, 1, ["purpose", "improvement"], ANA).ok
    policy = documents.ai_policies(db, TODAY)[0]
    assert policy.ticked == ("purpose", "improvement") and len(policy.missing) == 6


def _soa_ready(db: Database) -> int:
    """An SoA with A.2.2 applicable, implemented and reviewed today; returns its row id."""
    soa.add_missing_rows(db, "soa", ANA)
    row_id = db.scalar("SELECT id FROM soa WHERE control_id = 'A.2.2'")
    _update(db, "soa", row_id, applicable=True, justification="Our policy", owner="Ana",
            implementation_status="implemented", last_reviewed=TODAY,
            evidence_expiry=TODAY + timedelta(days=30))
    return row_id


def _a22(db: Database) -> tuple[int, int, str]:
    row = soa.coverage(db, TODAY).set_index("objective_id").loc["A.2"]
    flags = soa.soa_table(db, TODAY).set_index("control_id").loc["A.2.2", "flags"]
    return int(row["implemented"]), int(row["lowered"]), flags


def test_linked_document_sets_the_evidence_expiry(db: Database) -> None:
    row_id = _soa_ready(db)
    doc = _add(db, doc_type="procedure", reference="PRO-1",
               next_review=TODAY - timedelta(days=1))  # past its review
    result = soa.link_evidence_document(db, "soa", row_id, _version(db, "soa", row_id), doc,
                                        ANA)
    assert result.ok, result.errors
    stored = db.query_rows("SELECT evidence_document_id, evidence_expiry FROM soa "
                           "WHERE id = ?", [row_id])[0]
    assert stored == (doc, None)  # the typed expiry gives way to the document's
    table = soa.soa_table(db, TODAY).set_index("control_id")
    assert table.loc["A.2.2", "evidence_expiry"].date() == TODAY - timedelta(days=1)
    assert table.loc["A.2.2", "evidence_document"] == "PRO-1 AI policy v1.0"
    assert _a22(db)[:2] == (0, 1)  # expired evidence: stands partial
    due = page(db, TODAY, limit=None)
    assert due.loc[due["kind"] == "Evidence expiry", "due_on"].tolist() == \
        [TODAY - timedelta(days=1)]
    _update(db, "documents", doc, next_review=TODAY + timedelta(days=200))
    assert _a22(db)[:2] == (1, 0)
    # a date typed while a document is linked is refused with the reason
    typed = apply_changes(db, "soa", [RowChange("update", {
        "evidence_expiry": TODAY + timedelta(days=999)}, row_id=row_id,
        expected_version=_version(db, "soa", row_id))], ANA)
    assert [p.field for p in typed.errors] == ["Evidence expires"]
    assert "linked evidence document" in typed.errors[0].message
    export = soa.export_frame(db).set_index("ID")
    assert export.loc["A.2.2", "Evidence"] == "PRO-1 AI policy v1.0"
    assert soa.link_evidence_document(db, "soa", row_id, _version(db, "soa", row_id), None,
                                      ANA).ok
    assert pd.isna(soa.soa_table(db, TODAY).set_index("control_id")
                   .loc["A.2.2", "evidence_expiry"])


def test_an_expired_ai_policy_lowers_a22_to_partial(db: Database) -> None:
    _soa_ready(db)
    assert _a22(db) == (1, 0, "")
    policy = _add(db, next_review=TODAY - timedelta(days=1))
    implemented, lowered, flags = _a22(db)
    assert (implemented, lowered) == (0, 1) and "AI policy past its review" in flags
    other = soa.coverage(db, TODAY).set_index("objective_id").loc["A.3"]
    assert int(other["lowered"]) == 0  # only A.2.2 follows the AI policy
    _update(db, "documents", policy, status="withdrawn")
    assert _a22(db)[:2] == (1, 0)  # a withdrawn policy is not the one in force


def test_clause_evidence_document_and_backing(db: Database) -> None:
    soa.add_missing_rows(db, "clause_status", ANA)
    row_id = db.scalar("SELECT id FROM clause_status WHERE clause_id = '5.2'")
    _update(db, "clause_status", row_id, status="implemented")
    assert backing(db, TODAY).set_index("clause_id").loc["5.2", "unbacked"]
    doc = _add(db, status="draft", approved_by=None, approved_on=None)
    assert soa.link_evidence_document(db, "clause_status", row_id,
                                      _version(db, "clause_status", row_id), doc, ANA).ok
    assert soa.clause_table(db).set_index("clause_id").loc["5.2", "evidence_document"] == \
        "POL-1 AI policy v1.0"
    found = evidence(db, TODAY)
    linked = found[(found["clause_id"] == "5.2") & found["source"].str.startswith("Documents")]
    assert linked["records"].tolist() == [1]
    assert not backing(db, TODAY).set_index("clause_id").loc["5.2", "unbacked"]


def test_every_clause_evidence_entry_runs_and_names_leaf_clauses(demo_db: Database) -> None:
    leaves = {r[0] for r in demo_db.query_rows("SELECT clause_id FROM clauses WHERE is_leaf")}
    for source in CLAUSE_EVIDENCE:
        assert set(source.clauses) <= leaves, source.label
    found = evidence(demo_db, TODAY)
    risks = found[found["source"] == "Risk register"]
    assert set(risks["clause_id"]) == {"6.1.2", "8.2"}
    assert risks["records"].tolist() == [demo_db.scalar("SELECT count(*) FROM risks")] * 2
    policy = found[(found["clause_id"] == "5.2") & (found["source"] == "AI policy "
                                                    "(documents register)")]
    assert policy["records"].tolist() == [1]
