"""Which registers hold the evidence of each leaf clause of ISO/IEC 42001 clauses 4-10, so a
clause's status is backed by records and not only by a status picked by hand.

:data:`CLAUSE_EVIDENCE` is a data table: one entry per register (or part of one) with the
clauses it evidences, one SELECT that counts its records (``records``, and ``latest``: the
newest date among them or NULL; it may use ``$today``) and the page where they are. An area
adds an entry for each register it brings; the Clauses page and its tests read the table.
Documents linked to a clause (documents register) count as evidence too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from aims_core.compliance.soa import clause_table
from aims_core.management_system.context import CONTEXT_TABS
from aims_core.management_system.documents import label_sql
from aims_core.storage.database import Database


@dataclass(frozen=True)
class EvidenceSource:
    label: str  # the register as people know it
    clauses: tuple[str, ...]  # leaf clauses whose evidence it holds
    sql: str  # one row: records (count), latest (date or NULL)
    link: str | None  # page and filter where the records are (None: no page of its own)


def _context(tab: str) -> str:
    return f"context?context_tab={CONTEXT_TABS[tab].replace(' ', '%20')}"


_RELEVANT = "(closed_on IS NULL OR closed_on > $today)"

CLAUSE_EVIDENCE: tuple[EvidenceSource, ...] = (
    # --- management system (context, leadership, support) ---
    EvidenceSource("Organisation profile and AIMS scope", ("4.1", "4.3"),
                   "SELECT count(*) FILTER (WHERE scope_statement IS NOT NULL) AS records, "
                   "max(scope_reviewed_on) AS latest FROM organisation", "organisation"),
    EvidenceSource("Context issues", ("4.1", "6.1.1"),
                   "SELECT count(*) AS records, max(last_reviewed) AS latest "
                   f"FROM context_issues WHERE {_RELEVANT}", _context("issues")),
    EvidenceSource("Interested parties and their needs", ("4.2",),
                   "SELECT count(*) AS records, max(last_reviewed) AS latest "
                   f"FROM interested_parties WHERE {_RELEVANT}", _context("parties")),
    EvidenceSource("Opportunities", ("6.1.1",),
                   "SELECT count(*) AS records, max(last_reviewed) AS latest FROM opportunities",
                   _context("opportunities")),
    EvidenceSource("AI policy (documents register)", ("5.1", "5.2"),
                   "SELECT count(*) AS records, max(approved_on) AS latest FROM documents "
                   "WHERE doc_type = 'ai_policy' AND status = 'approved'",
                   "documents?documents_type=ai_policy"),
    EvidenceSource("Documents register", ("4.4", "7.5.1", "7.5.2"),
                   "SELECT count(*) AS records, max(approved_on) AS latest FROM documents "
                   "WHERE status <> 'withdrawn'", "documents"),
    EvidenceSource("Earlier document versions kept", ("7.5.3",),
                   "SELECT count(*) AS records, max(superseded_on) AS latest "
                   "FROM document_versions", "documents"),
    EvidenceSource("Change history", ("7.5.3",),
                   "SELECT count(*) AS records, CAST(max(changed_at) AS DATE) AS latest "
                   "FROM change_log", None),
    EvidenceSource("AIMS roles and responsibilities", ("5.3", "7.1"),
                   "SELECT count(*) AS records, max(assigned_on) AS latest FROM aims_roles "
                   "WHERE ended_on IS NULL OR ended_on > $today", "roles"),
    EvidenceSource("Training records", ("7.2",),
                   "SELECT count(*) AS records, max(completed_on) AS latest "
                   "FROM training_records", "training"),
    EvidenceSource("Awareness and AI literacy records", ("7.3",),
                   "SELECT count(*) AS records, max(t.completed_on) AS latest "
                   "FROM training_records t JOIN competences c ON c.id = t.competence_id "
                   "WHERE c.kind IN ('awareness', 'ai_literacy')", "training"),
    # --- planning and operation ---
    EvidenceSource("Risk method (risk criteria)", ("6.1.1", "6.1.2"),
                   "SELECT count(*) AS records, NULL::DATE AS latest FROM risk_level_grid",
                   "risk_method"),
    EvidenceSource("Risk register", ("6.1.2", "8.2"),
                   "SELECT count(*) AS records, max(identified_on) AS latest FROM risks",
                   "risks"),
    EvidenceSource("Treating controls of risks", ("6.1.3", "8.3"),
                   "SELECT count(*) AS records, NULL::DATE AS latest FROM risk_controls",
                   "risks"),
    EvidenceSource("Residual-risk acceptances", ("6.1.3", "8.3"),
                   "SELECT count(*) AS records, max(approved_on) AS latest "
                   "FROM risk_acceptances", "risks"),
    EvidenceSource("Statement of Applicability", ("6.1.3",),
                   "SELECT count(*) FILTER (WHERE applicable IS NOT NULL) AS records, "
                   "max(last_reviewed) AS latest FROM soa", "soa"),
    EvidenceSource("Approved SoA versions", ("6.1.3",),
                   "SELECT count(*) AS records, max(approved_on) AS latest FROM soa_versions",
                   "soa"),
    EvidenceSource("Impact assessments", ("6.1.4", "8.4"),
                   "SELECT count(*) AS records, max(assessed_on) AS latest "
                   "FROM impact_assessments", "impact_assessments"),
    EvidenceSource("AI objectives", ("6.2",),
                   "SELECT count(*) AS records, NULL::DATE AS latest FROM objectives "
                   "WHERE status <> 'withdrawn'", "kpis"),
    EvidenceSource("AI system inventory", ("8.1",),
                   "SELECT count(*) AS records, max(created_on) AS latest FROM ai_systems "
                   "WHERE lifecycle_stage IS DISTINCT FROM 'retired'", "ai_systems"),
    EvidenceSource("Suppliers", ("8.1",),
                   "SELECT count(*) AS records, max(last_due_diligence) AS latest "
                   "FROM suppliers", "suppliers"),
    # --- performance evaluation ---
    EvidenceSource("Validations of AI systems", ("8.1", "9.1"),
                   "SELECT count(*) AS records, max(validated_on) AS latest FROM validations",
                   "schedule?schedule_kinds=Re-validation"),
    EvidenceSource("KPI values", ("9.1",),
                   "SELECT count(*) AS records, max(measured_on) AS latest "
                   "FROM kpi_measurements", "kpis"),
    EvidenceSource("Internal audits held", ("9.2.1", "9.2.2"),
                   "SELECT count(*) AS records, max(held_on) AS latest FROM audits "
                   "WHERE held_on IS NOT NULL", "audits"),
    EvidenceSource("Audit programme (planned audits)", ("9.2.2",),
                   "SELECT count(*) AS records, max(planned_on) AS latest FROM audits "
                   "WHERE held_on IS NULL AND planned_on >= $today", "audits"),
    EvidenceSource("Audit findings", ("9.2.1",),
                   "SELECT count(*) AS records, max(a.held_on) AS latest FROM audit_findings f "
                   "JOIN audits a ON a.id = f.audit_id", "audits"),
    # --- improvement ---
    EvidenceSource("Nonconformities and corrective action", ("10.2",),
                   "SELECT count(*) AS records, max(raised_on) AS latest FROM nonconformities",
                   "nonconformities"),
    EvidenceSource("Effectiveness checks of corrective actions", ("10.2",),
                   "SELECT count(*) AS records, max(effectiveness_checked_on) AS latest "
                   "FROM nonconformities WHERE effectiveness_checked_on IS NOT NULL",
                   "nonconformities"),
    EvidenceSource("Actions list", ("10.1", "6.1.1"),
                   "SELECT count(*) AS records, max(coalesce(done_on, created_on)) AS latest "
                   "FROM actions", "actions"),
    EvidenceSource("AI incidents", ("10.2",),
                   "SELECT count(*) AS records, max(detected_on) AS latest FROM incidents",
                   "incidents"),
    EvidenceSource("Management reviews held", ("5.1", "9.3.1", "9.3.2", "9.3.3"),
                   "SELECT count(*) AS records, max(review_date) AS latest "
                   "FROM management_reviews WHERE coalesce(status, 'held') <> 'planned'",
                   "management_review"),
)
EVIDENCE_COLUMNS = ["clause_id", "source", "records", "latest", "link"]


def evidence(db: Database, today: date) -> pd.DataFrame:
    """Per leaf clause and source (each entry of :data:`CLAUSE_EVIDENCE`, and the documents
    linked to the clause): how many records it holds, the latest date and the link."""
    union = " UNION ALL ".join(
        f"SELECT {i} AS entry, records, CAST(latest AS DATE) AS latest FROM ({source.sql})"
        for i, source in enumerate(CLAUSE_EVIDENCE))
    counts = {int(entry): (int(records), latest) for entry, records, latest in
              db.query_rows(union, {"today": today})}
    rows = [{"clause_id": clause, "source": source.label, "records": counts[i][0],
             "latest": counts[i][1], "link": source.link}
            for i, source in enumerate(CLAUSE_EVIDENCE) for clause in source.clauses]
    documents = db.query_df(f"""
        SELECT clause_id, 'Documents: ' || string_agg(DISTINCT label, '; ' ORDER BY label)
                   AS source,
               count(DISTINCT id) AS records, max(approved_on) AS latest,
               'documents' AS link
        FROM (SELECT l.clause_id, d.id, {label_sql('d')} AS label, d.approved_on
              FROM document_links l JOIN documents d ON d.id = l.document_id
              WHERE l.clause_id IS NOT NULL AND d.status <> 'withdrawn'
              UNION
              SELECT s.clause_id, d.id, {label_sql('d')}, d.approved_on
              FROM clause_status s JOIN documents d ON d.id = s.evidence_document_id
              WHERE d.status <> 'withdrawn')
        GROUP BY clause_id""")
    frame = pd.concat([pd.DataFrame(rows, columns=EVIDENCE_COLUMNS),
                       documents[EVIDENCE_COLUMNS]], ignore_index=True)
    order = {c: i for i, c in enumerate(db.query_df(
        "SELECT clause_id FROM clauses WHERE is_leaf ORDER BY sort_order")["clause_id"])}
    frame["latest"] = pd.to_datetime(frame["latest"]).dt.date
    frame["order"] = frame["clause_id"].map(order)
    return frame.sort_values(["order", "source"]).drop(columns="order").reset_index(drop=True)


def backing(db: Database, today: date) -> pd.DataFrame:
    """Per leaf clause: its status and the evidence behind it, and whether a status beyond
    'planned' lacks any record (``unbacked``)."""
    found = evidence(db, today)
    held = found[found["records"] > 0]
    per_clause = held.groupby("clause_id").agg(
        sources=("source", lambda s: "; ".join(s)), records=("records", "sum"))
    clauses = db.query_df("""
        SELECT c.clause_id, c.title, coalesce(s.status, 'not_started') AS status
        FROM clauses c LEFT JOIN clause_status s USING (clause_id)
        WHERE c.is_leaf ORDER BY c.sort_order""")
    frame = clauses.merge(per_clause, left_on="clause_id", right_index=True, how="left")
    frame["records"] = frame["records"].fillna(0).astype("int64")
    frame["sources"] = frame["sources"].fillna("")
    frame["unbacked"] = frame["status"].isin(["partial", "implemented"]) & \
        (frame["records"] == 0)
    return frame.reset_index(drop=True)


def status_with_evidence(db: Database, today: date) -> pd.DataFrame:
    """The clause_status rows (every field, id and version, title and evidence document)
    with the registers that hold each clause's evidence and whether its status lacks any."""
    found = backing(db, today)[["clause_id", "sources", "records", "unbacked"]]
    return clause_table(db).merge(found, on="clause_id", how="left")
