"""The Statement of Applicability, its approved versions, and clause 4-10 status."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from aims_core.records.fields import CONTROL_REF, Cursor, Field, Reference, Register, person_field
from aims_core.records.validation import is_blank

IMPLEMENTATION_STATUSES = {
    "not_started": "Not started",
    "planned": "Planned",
    "partial": "Partial",
    "implemented": "Implemented",
}


# SoA and clause evidence may point to an entry of the documents register (7.5).
DOCUMENT_REF = Reference("documents", "id", "title")


def _justified_applicability(_: Cursor,
                             row: dict[str, Any]) -> list[tuple[str, str]]:
    if row.get("applicable") is not None and is_blank(row.get("justification")):
        return [("justification", "is required for every inclusion and exclusion")]
    return []


def _expiry_from_document(_: Cursor, row: dict[str, Any]) -> list[tuple[str, str]]:
    if row.get("evidence_document_id") is not None and row.get("evidence_expiry") is not None:
        return [("evidence_expiry", "comes from the linked evidence document's next review: "
                 "change it there, or remove the document link to set a date by hand")]
    return []


SOA = Register(
    table="soa",
    label="SoA entry",
    title_field="control_id",
    rules=(_justified_applicability, _expiry_from_document),
    owner_field="owner",
    fields=(
        Field("control_id", "Control", required=True, reference=CONTROL_REF, editable=False),
        Field("applicable", "Applicable", "bool",
              help="Whether the Annex A control applies to your AI management system"),
        Field("justification", "Justification",
              help="Why the control is included or excluded (required for both)"),
        Field("implementation_status", "Implementation status", "choice", required=True,
              choices=IMPLEMENTATION_STATUSES,
              help="As recorded; stale evidence, an overdue review or an open major nonconformity "
                   "counts an implemented control as partial"),
        person_field("owner", "Owner",
                     help="The person who keeps the control working and its evidence current"),
        Field("evidence", "Evidence", help="Link or note: where an auditor finds the proof"),
        Field("evidence_expiry", "Evidence expires", "date",
              help="Set by hand, or the linked document's next review"),
        Field("last_reviewed", "Last reviewed", "date", not_after_today=True,
              help="A review over 12 months ago makes the control due for review"),
        Field("target_date", "Target date", "date",
              help="When the control should be implemented; a past date is flagged"),
        Field("evidence_document_id", "Evidence document", "int", reference=DOCUMENT_REF,
              help="A document of the documents register that evidences the control; its next "
                   "review becomes the evidence expiry"),
    ),
)


SOA_VERSIONS = Register(
    table="soa_versions",
    label="SoA version",
    importable=False,  # written by an approval
    title_field="version_no",
    referenced_by=(("soa_version_items", "version_no"),),
    fields=(
        Field("version_no", "Version", "int", required=True, min_value=1, editable=False),
        person_field("approved_by", "Approved by", required=True, editable=False),
        Field("approved_on", "Approved on", "date", required=True, editable=False,
              not_after_today=True),
        Field("note", "Note"),
    ),
)


SOA_VERSION_ITEMS = Register(
    table="soa_version_items",
    label="Approved SoA entry",
    importable=False,  # written by an approval
    title_field="control_id",
    fields=(
        Field("version_no", "Version", "int", required=True, editable=False,
              reference=Reference("soa_versions", "version_no")),
        *(replace(f, editable=False, not_after_today=False) for f in SOA.fields),
    ),
)


CLAUSE_STATUS = Register(
    table="clause_status",
    label="Clause status",
    title_field="clause_id",
    owner_field="owner",
    fields=(
        Field("clause_id", "Clause", required=True, editable=False,
              reference=Reference("clauses", "clause_id", "title")),
        Field("status", "Status", "choice", required=True, choices=IMPLEMENTATION_STATUSES,
              help="Where the requirement stands: not started, planned, partial or implemented"),
        person_field("owner", "Owner"),
        Field("evidence", "Evidence", help="Link or note: where an auditor finds the proof"),
        Field("notes", "Notes"),
        Field("last_reviewed", "Last reviewed", "date", not_after_today=True),
        Field("evidence_document_id", "Evidence document", "int", reference=DOCUMENT_REF,
              help="A document of the documents register that evidences the requirement"),
    ),
)
