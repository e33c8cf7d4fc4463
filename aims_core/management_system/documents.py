"""The documents register (7.5, A.2): documented information with its versions, what each
document evidences, and the AI policy checked against clause 5.2.

A new version keeps the one before in ``document_versions`` as it stood; the register row
always describes the current version. The app stores where a document lives, not the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from aims_core.auth.actor import Actor
from aims_core.inventory import systems
from aims_core.management_system.registers import DOCUMENT_TYPES, DOCUMENTS, POLICY_CHECKS
from aims_core.records.fields import split_codes
from aims_core.records.labels import for_people
from aims_core.records.links import link_changes
from aims_core.records.writes import (
    RowChange,
    RowProblem,
    WriteResult,
    apply_batches,
    apply_changes,
)
from aims_core.storage.database import Database

REVIEW_SOON_DAYS = 30
# The register lists the AI policy first, then the other types in the order of DOCUMENT_TYPES.
_TYPE_ORDER = f"list_position({list(DOCUMENT_TYPES)}, d.doc_type)"
LINK_COLUMNS = ("clause_id", "control_id", "ai_system_id")  # what a link may point to


def label_sql(alias: str) -> str:
    """A document's label ("AIMS-POL-01 AI policy v2.0") in SQL, for the row ``alias``."""
    return (f"CASE WHEN {alias}.id IS NOT NULL THEN concat_ws(' ', {alias}.reference, "
            f"{alias}.title) || ' v' || {alias}.doc_version END")


def _review_state_sql(alias: str) -> str:
    return f"""CASE WHEN {alias}.status = 'withdrawn' THEN ''
                WHEN {alias}.next_review < $today THEN 'Review overdue'
                WHEN {alias}.next_review <= $today + INTERVAL {REVIEW_SOON_DAYS} DAY
                    THEN 'Review due soon'
                WHEN {alias}.status = 'approved' AND {alias}.next_review IS NULL
                    THEN 'No review date'
                ELSE '' END"""


@dataclass(frozen=True)
class DocumentFilter:
    search: str = ""
    types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    owner: str | None = None
    review_due_only: bool = False  # overdue or due within REVIEW_SOON_DAYS

    def where(self) -> tuple[str, dict[str, object]]:
        review = _review_state_sql("d")
        return (f"""($search = '' OR d.title ILIKE $like OR d.reference ILIKE $like)
                  AND ($types = [] OR d.doc_type IN (SELECT unnest($types)))
                  AND ($statuses = [] OR d.status IN (SELECT unnest($statuses)))
                  AND ($owner IS NULL OR d.owner = $owner)
                  AND (NOT $due OR ({review}) IN ('Review overdue', 'Review due soon'))""",
                {"search": self.search.strip(), "like": f"%{self.search.strip()}%",
                 "types": list(self.types), "statuses": list(self.statuses),
                 "owner": self.owner, "due": self.review_due_only})


def register(db: Database, today: date, filters: DocumentFilter = DocumentFilter(),
             limit: int | None = None, offset: int = 0) -> pd.DataFrame:
    """One page of documents (every register field, id and version) with their review
    state, how many earlier versions each keeps and what it evidences; AI policies first."""
    where, params = filters.where()
    return db.query_df(f"""
        WITH page AS (
            SELECT d.*, {_review_state_sql("d")} AS review_state FROM documents d
            WHERE {where}
            ORDER BY {_TYPE_ORDER}, d.title, d.id LIMIT $limit OFFSET $offset
        ), linked AS (
            SELECT l.document_id,
                   string_agg(coalesce(l.clause_id, l.control_id, s.name), ', '
                              ORDER BY l.clause_id NULLS LAST, l.control_id NULLS LAST, s.name)
                       AS evidences
            FROM document_links l LEFT JOIN ai_systems s ON s.id = l.ai_system_id
            WHERE l.document_id IN (SELECT id FROM page) GROUP BY ALL
        ), kept AS (
            SELECT document_id, count(*) AS earlier_versions FROM document_versions
            WHERE document_id IN (SELECT id FROM page) GROUP BY ALL
        )
        SELECT page.*, linked.evidences, coalesce(kept.earlier_versions, 0) AS earlier_versions
        FROM page LEFT JOIN linked ON linked.document_id = page.id
        LEFT JOIN kept ON kept.document_id = page.id
        ORDER BY {_TYPE_ORDER.replace("d.", "page.")}, page.title, page.id""",
        {**params, "today": today, "limit": limit, "offset": offset})


def count(db: Database, today: date, filters: DocumentFilter = DocumentFilter()) -> int:
    where, params = filters.where()
    return int(db.scalar(f"SELECT count(*) FROM documents d WHERE {where}",
                         {**params, "today": today}))


def total(db: Database) -> int:
    return int(db.scalar("SELECT count(*) FROM documents"))


def owners(db: Database) -> list[str]:
    return [r[0] for r in db.query_rows("SELECT DISTINCT owner FROM documents "
                                        "WHERE owner IS NOT NULL ORDER BY 1")]


def one(db: Database, document_id: int) -> dict | None:
    rows = db.query_dicts(f"SELECT d.*, {label_sql('d')} AS label FROM documents d "
                          "WHERE d.id = ?", [document_id])
    return rows[0] if rows else None


def choices(db: Database) -> dict[int, str]:
    """Documents that can serve as evidence (not withdrawn), by id, AI policies first."""
    return {int(i): label for i, label in db.query_rows(
        f"SELECT d.id, {label_sql('d')} FROM documents d WHERE d.status <> 'withdrawn' "
        f"ORDER BY {_TYPE_ORDER}, d.title, d.id")}


def linked_to(db: Database, column: str, target: str) -> list[int]:
    """Documents that declare they evidence this clause or control (``column`` of
    :data:`LINK_COLUMNS`), so evidence pickers can offer them first."""
    if column not in LINK_COLUMNS:
        raise ValueError(column)
    return [int(r[0]) for r in db.query_rows(
        f'SELECT DISTINCT document_id FROM document_links WHERE "{column}" = ? ORDER BY 1',
        [target])]


# --- versions --------------------------------------------------------------------------------
def history(db: Database, document_id: int) -> pd.DataFrame:
    """Every version of a document, the current one first, then the earlier ones as kept."""
    columns = ", ".join(["doc_version", "status", "approved_by", "approved_on", "next_review",
                         "location", "change_note"])
    return db.query_df(f"""
        SELECT * FROM (
            SELECT {columns}, NULL::DATE AS superseded_on, TRUE AS current FROM documents
            WHERE id = $id
            UNION ALL
            SELECT {columns}, superseded_on, FALSE FROM document_versions
            WHERE document_id = $id)
        ORDER BY current DESC, superseded_on DESC, doc_version DESC""", {"id": document_id})


def new_version(db: Database, document_id: int, expected_version: int, doc_version: str,
                change_note: str | None, today: date, actor: Actor) -> WriteResult:
    """Start a new version of a document: the current one is kept as it stands in
    ``document_versions`` and the register row becomes a draft of ``doc_version`` (its
    approval cleared, to be approved again), all in one transaction."""
    current = one(db, document_id)
    if current is None:
        return WriteResult(conflicts=[RowProblem(f"Document {document_id}", None,
                                                 "no longer exists: reload the page")])
    kept = {name: current[name] for name in DOCUMENTS.field_names}
    keep = RowChange("insert", {"document_id": document_id, **kept, "superseded_on": today},
                     label=f"Version {kept['doc_version']} of '{kept['title']}'")
    draft = RowChange("update", {"doc_version": doc_version, "status": "draft",
                                 "approved_by": None, "approved_on": None,
                                 "change_note": change_note},
                      row_id=document_id, expected_version=expected_version, merge=False)
    return apply_batches(db, [("document_versions", [keep]), ("documents", [draft])], actor)


# --- what a document evidences ---------------------------------------------------------------
def link_options(db: Database) -> dict[str, dict]:
    """What a document can evidence, per column of :data:`LINK_COLUMNS`: the leaf clauses,
    the Annex A controls and the AI systems, each {key: label}."""
    return {
        "clause_id": dict(db.query_rows("SELECT clause_id, clause_id || ' ' || title "
                                        "FROM clauses WHERE is_leaf ORDER BY sort_order")),
        "control_id": dict(db.query_rows("SELECT control_id, control_id || ' ' || title "
                                         "FROM controls ORDER BY sort_order")),
        "ai_system_id": systems.names(db)}


def links(db: Database, document_id: int) -> pd.DataFrame:
    return db.query_df("SELECT id, version, clause_id, control_id, ai_system_id "
                       "FROM document_links WHERE document_id = ? ORDER BY id", [document_id])


def save_links(db: Database, document_id: int, existing: pd.DataFrame,
               wanted: dict[str, list], actor: Actor) -> WriteResult:
    """Make the document evidence exactly the ``wanted`` clauses, controls and AI systems
    (keys of :data:`LINK_COLUMNS`); ``existing`` is :func:`links` as the person saw it."""
    have: dict[tuple[str, object], tuple[int, int]] = {}
    for row in existing.itertuples():
        for column in LINK_COLUMNS:
            value = getattr(row, column)
            if not pd.isna(value):
                key = int(value) if column == "ai_system_id" else value
                have[(column, key)] = (int(row.id), int(row.version))
    picked = {(column, value) for column in LINK_COLUMNS for value in wanted.get(column, [])}
    changes = link_changes(have, picked,
                           values=lambda key: {"document_id": document_id, key[0]: key[1]},
                           label=lambda key: f"Link to {key[1]}")
    return apply_changes(db, "document_links", changes, actor)


# --- the AI policy ---------------------------------------------------------------------------
@dataclass(frozen=True)
class PolicyCheck:
    """An AI policy against clause 5.2: the items its owner ticked and what is missing."""

    document_id: int
    label: str
    version: int  # the register row's version, for the checklist's save
    status: str
    next_review: date | None
    expired: bool
    ticked: tuple[str, ...]

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(code for code in POLICY_CHECKS if code not in self.ticked)


def ai_policies(db: Database, today: date) -> list[PolicyCheck]:
    """The AI policies in the register that are not withdrawn, with their 5.2 checklist."""
    rows = db.query_rows(f"""
        SELECT d.id, {label_sql('d')}, d.version, d.status, d.next_review,
               coalesce(d.next_review < $today, FALSE), d.policy_checks
        FROM documents d WHERE d.doc_type = 'ai_policy' AND d.status <> 'withdrawn'
        ORDER BY d.id""", {"today": today})
    return [PolicyCheck(int(i), label, int(version), status, review, bool(expired),
                        tuple(split_codes(checks)))
            for i, label, version, status, review, expired, checks in rows]


def save_policy_checks(db: Database, document_id: int, expected_version: int,
                       ticked: list[str], actor: Actor) -> WriteResult:
    """Record which of the 5.2 items the AI policy's owner confirms it meets."""
    return apply_changes(db, "documents", [RowChange(
        "update", {"policy_checks": ticked}, row_id=document_id,
        expected_version=expected_version)], actor)


# --- export ----------------------------------------------------------------------------------
def export(db: Database, today: date) -> pd.DataFrame:
    """The whole register as an auditor reads it: labels, review state, what each evidences
    and how many earlier versions it keeps."""
    return for_people(DOCUMENTS, register(db, today), {
        "review_state": "Review", "evidences": "Evidences",
        "earlier_versions": "Earlier versions kept"})
