"""Where a nonconformity or an action comes from: a source code and a link to its record.

``source`` names the kind of origin; ``source_table`` + ``source_id`` point to the one record
it comes from, validated to exist on every save. A kind whose register does not exist yet
(e.g. a self-assessment gap) takes no link until the area that builds that register adds its
table to the kind's ``tables`` here; rows keep the table they were linked with, so a kind can
gain a second table later without breaking older links.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aims_core.records.fields import Cursor, RowRule


@dataclass(frozen=True)
class SourceKind:
    label: str
    tables: tuple[str, ...] = ()  # registers a record of this kind is in; the first is the default

    @property
    def default_table(self) -> str | None:
        return self.tables[0] if self.tables else None


ACTION_SOURCES: dict[str, SourceKind] = {
    "nonconformity": SourceKind("Nonconformity", ("nonconformities",)),
    "finding": SourceKind("Audit finding", ("audit_findings",)),
    "incident": SourceKind("Incident", ("incidents",)),
    "risk_treatment": SourceKind("Risk treatment", ("risks",)),
    # Each action links to its decision; older actions stay linked to the whole review.
    "management_review_decision": SourceKind("Management review decision",
                                             ("management_review_decisions",
                                              "management_reviews")),
    "self_assessment_gap": SourceKind("Self-assessment gap", ("self_assessment_steps",)),
    "other": SourceKind("Other"),
}

NC_SOURCES: dict[str, SourceKind] = {
    "audit_finding": SourceKind("Audit finding", ("audit_findings",)),
    "incident": SourceKind("Incident", ("incidents",)),
    "management_review": SourceKind("Management review", ("management_reviews",)),
    "self_assessment": SourceKind("Self-assessment", ("self_assessment_sessions",)),
    "complaint": SourceKind("Complaint"),
    "other": SourceKind("Other"),
}

# Where each source register's records are handled: the page and its record parameter.
RECORD_PAGES: dict[str, str] = {
    "nonconformities": "nonconformities?nc=",
    "audit_findings": "audits?finding=",
    "incidents": "incidents?incident=",
    "risks": "risks?risk=",
    "management_review_decisions": "management_review?review_decision=",
    "management_reviews": "management_review?review=",
    "self_assessment_sessions": "self_assessment?session=",
    "self_assessment_steps": "self_assessment?step=",
}


def labels(kinds: dict[str, SourceKind]) -> dict[str, str]:
    return {code: kind.label for code, kind in kinds.items()}


def linked_source(kinds: dict[str, SourceKind]) -> RowRule:
    """The rule that a row's source link fits its source kind and names an existing record."""

    def check(cur: Cursor, row: dict[str, Any]) -> list[tuple[str, str]]:
        kind = kinds.get(row.get("source"))
        if kind is None:  # no source yet: the required choice field says so
            return []
        table, record = row.get("source_table"), row.get("source_id")
        if not kind.tables:
            if table is not None or record is not None:
                return [("source_id", f"must be empty: no register holds "
                                      f"{kind.label.lower()} records yet")]
            return []
        if record is None:
            return [("source_id", f"is required for the source {kind.label}: the "
                                  f"{kind.label.lower()} it comes from")]
        if table not in kind.tables:
            return [("source_table", f"must be {' or '.join(kind.tables)} for the source "
                                     f"{kind.label}")]
        found = cur.execute(f'SELECT count(*) FROM "{table}" WHERE id = ?', [record]).fetchone()
        if not found[0]:
            return [("source_id", f"{kind.label} #{record} does not exist")]
        return []

    return check
