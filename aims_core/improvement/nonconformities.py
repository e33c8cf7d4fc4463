"""Nonconformities and corrective action (ISO/IEC 42001 10.2): the register's listing, raising
one from an audit finding or an incident in one step, the effectiveness check and closing.

Closing is refused while corrective actions are open or before the effectiveness check is
recorded (the rule lives with the register, so it holds for every way of saving).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from aims_core.auth.actor import Actor
from aims_core.improvement import audits
from aims_core.improvement.registers import (
    CLOSING_RESULTS,
    NC_GRADES,
    OPEN_ACTION_STATUSES,
    OPEN_NC_STATUSES,
    not_a_nonconformity,
)
from aims_core.improvement.source_links import source_columns
from aims_core.improvement.sources import NC_SOURCES
from aims_core.records.writes import RowChange, RowProblem, WriteResult, apply_changes
from aims_core.storage.database import Database
from aims_core.storage.filters import ColumnFilter, count_rows, select_page

TITLE_LENGTH = 120  # a raised nonconformity's title: the start of the text it comes from

_SOURCE_COLUMNS, _SOURCE_JOINS = source_columns("n", NC_SOURCES)

LIST_SQL = f"""
    SELECT n.*, s.name AS ai_system, n.status IN {OPEN_NC_STATUSES!r} AS is_open,
           coalesce(a.actions, 0) AS actions, coalesce(a.open_actions, 0) AS open_actions,
           coalesce(a.overdue_actions, 0) AS overdue_actions,
           n.status IN {OPEN_NC_STATUSES!r} AND n.effectiveness_result IS NULL
               AND coalesce(n.effectiveness_due < $today, FALSE) AS check_overdue,
           n.status IN {OPEN_NC_STATUSES!r} AND (coalesce(a.overdue_actions, 0) > 0
               OR (n.effectiveness_result IS NULL
                   AND coalesce(n.effectiveness_due < $today, FALSE))) AS overdue,
           {_SOURCE_COLUMNS}
    FROM nonconformities n
    LEFT JOIN ai_systems s ON s.id = n.ai_system_id
    LEFT JOIN (SELECT source_id, count(*) AS actions,
                      count(*) FILTER (WHERE status IN {OPEN_ACTION_STATUSES!r}) AS open_actions,
                      count(*) FILTER (WHERE status IN {OPEN_ACTION_STATUSES!r}
                                       AND due_on < $today) AS overdue_actions
               FROM actions WHERE source_table = 'nonconformities' GROUP BY source_id) a
           ON a.source_id = n.id
    {_SOURCE_JOINS}
"""


def _order(me: str | None) -> tuple[str, dict[str, str]]:
    order = "overdue DESC, is_open DESC, grade = 'major' DESC, raised_on DESC, id DESC"
    if not me:
        return order, {}
    return f"owner = $me DESC, {order}", {"me": me}


def register(db: Database, today: date, filters: ColumnFilter, me: str | None = None,
             limit: int | None = None, offset: int = 0) -> pd.DataFrame:
    """Filtered nonconformities: with ``me``, that owner's first; overdue (an action or the
    effectiveness check late) on top, then open ones, major before minor."""
    order, mine = _order(me)
    return select_page(db, LIST_SQL, filters, order_by=order, params={"today": today, **mine},
                       limit=limit, offset=offset)


def count(db: Database, today: date, filters: ColumnFilter) -> int:
    return count_rows(db, LIST_SQL, filters, {"today": today})


def one(db: Database, today: date, nc_id: int) -> dict[str, Any] | None:
    found = register(db, today, ColumnFilter.of(id=[nc_id]))
    return None if found.empty else found.iloc[0].to_dict()


def owners(db: Database) -> list[str]:
    return [r[0] for r in db.query_rows("SELECT DISTINCT owner FROM nonconformities "
                                        "ORDER BY 1")]


def raised_from(db: Database, source_table: str, source_id: int) -> int | None:
    """The nonconformity raised from a record, if any."""
    return db.scalar("SELECT min(id) FROM nonconformities WHERE source_table = ? "
                     "AND source_id = ?", [source_table, source_id])


def _title(prefix: str, text: str) -> str:
    """A short title from the start of ``text``; the full text goes to the description."""
    first = " ".join(str(text).split())
    cut = first if len(first) <= TITLE_LENGTH else first[:TITLE_LENGTH].rsplit(" ", 1)[0] + " …"
    return f"{prefix}: {cut}"


def raise_from_finding(db: Database, actor: Actor, finding_id: int, owner: str,
                       today: date) -> WriteResult:
    """Raise a nonconformity from a major or minor audit finding, linked and pre-filled
    (grade, clause or control, AI system, description and the evidence seen). The register
    refuses an observation or a finding raised before."""
    found = audits.findings(db, finding_ids=[finding_id])
    if found.empty:
        return WriteResult(conflicts=[RowProblem(f"Finding {finding_id}", None,
                                                 "no longer exists")])
    finding = found.iloc[0]
    if finding["finding_type"] not in NC_GRADES:
        return WriteResult(errors=[RowProblem(f"Finding {finding_id}", "Type",
                                              not_a_nonconformity(finding["finding_type"]))])
    evidence = f"\n\nEvidence seen: {finding['evidence']}" if pd.notna(finding["evidence"]) \
        else ""
    return _insert(db, actor, {
        "title": _title(f"{finding['requirement_id']}", finding["description"]),
        "grade": finding["finding_type"], "source": "audit_finding",
        "source_table": "audit_findings", "source_id": finding_id,
        "requirement_id": finding["requirement_id"],
        "ai_system_id": None if pd.isna(finding["ai_system_id"]) else int(finding["ai_system_id"]),
        "description": f"Audit '{finding['audit']}', finding #{finding_id}: "
                       f"{finding['description']}{evidence}",
        "owner": owner, "raised_on": today, "status": "open"})


def raise_from_incident(db: Database, actor: Actor, incident_id: int, owner: str, grade: str,
                        today: date, requirement_id: str | None = None) -> WriteResult:
    """Raise a nonconformity from an incident, linked and pre-filled (AI system, what
    happened, the immediate action as correction, the root cause)."""
    row_name = f"Incident {incident_id}"
    found = db.query_df("SELECT * FROM incidents WHERE id = ?", [incident_id])
    if found.empty:
        return WriteResult(conflicts=[RowProblem(row_name, None, "no longer exists")])
    existing = raised_from(db, "incidents", incident_id)
    if existing is not None:
        return WriteResult(errors=[RowProblem(row_name, None, "is already raised as "
                                              f"nonconformity #{existing}")])
    incident = found.iloc[0].to_dict()
    plain = {k: (None if not isinstance(v, str) and pd.isna(v) else v) for k, v in
             incident.items()}
    return _insert(db, actor, {
        "title": _title(f"Incident #{incident_id}", plain["title"]), "grade": grade,
        "source": "incident", "source_table": "incidents", "source_id": incident_id,
        "requirement_id": requirement_id,
        "ai_system_id": None if plain["ai_system_id"] is None else int(plain["ai_system_id"]),
        "description": plain["description"] or plain["title"],
        "correction": plain["immediate_action"], "root_cause": plain["root_cause"],
        "owner": owner, "raised_on": today, "status": "open"})


def _insert(db: Database, actor: Actor, values: dict[str, Any]) -> WriteResult:
    return apply_changes(db, "nonconformities",
                         [RowChange("insert", values, label="The nonconformity")], actor)


def record_check(db: Database, actor: Actor, nc_id: int, expected_version: int,
                 due: date | None, checked_on: date | None, result: str | None,
                 evidence: str | None) -> WriteResult:
    """Plan or record the effectiveness check (10.2). Planned with no action left open, the
    nonconformity moves on to 'awaiting effectiveness check'."""
    values: dict[str, Any] = {"effectiveness_due": due, "effectiveness_checked_on": checked_on,
                              "effectiveness_result": result, "effectiveness_notes": evidence}
    status, open_actions = db.query_rows(
        f"""SELECT any_value(n.status), count(a.id) FROM nonconformities n
            LEFT JOIN actions a ON a.source_table = 'nonconformities' AND a.source_id = n.id
                 AND a.status IN {OPEN_ACTION_STATUSES!r}
            WHERE n.id = ?""", [nc_id])[0]
    if status in ("open", "action_planned") and result is None and due is not None \
            and open_actions == 0:
        values["status"] = "awaiting_check"
    return apply_changes(db, "nonconformities", [RowChange(
        "update", values, row_id=nc_id, expected_version=expected_version)], actor)


def close(db: Database, actor: Actor, nc_id: int, expected_version: int, result: str | None,
          closed_on: date) -> WriteResult:
    """Close as the effectiveness result says (effective: closed; not effective: closed as
    not effective); the register's closing rule refuses it while actions are open or before
    the check is recorded."""
    status = next((s for s, r in CLOSING_RESULTS.items() if r == result), "closed")
    return apply_changes(db, "nonconformities", [RowChange(
        "update", {"status": status, "closed_on": closed_on}, row_id=nc_id,
        expected_version=expected_version)], actor)


def record(db: Database, actor: Actor, values: dict[str, Any]) -> WriteResult:
    """Record one nonconformity that no finding or incident raised (a complaint, a
    management review, …); validated like every write."""
    return _insert(db, actor, values)


def review_choices(db: Database) -> dict[int, str]:
    """The management reviews a nonconformity can come from, latest first."""
    return {int(r[0]): f"Management review of {r[1]:%-d %b %Y}" for r in db.query_rows(
        "SELECT id, review_date FROM management_reviews ORDER BY review_date DESC, id DESC")}


def tile_counts(db: Database, today: date) -> dict[str, int]:
    """Open nonconformities: all, major, overdue (an action or the check late), awaiting
    the effectiveness check."""
    row = db.query_rows(
        f"""SELECT count(*), count(*) FILTER (WHERE grade = 'major'),
                   count(*) FILTER (WHERE overdue),
                   count(*) FILTER (WHERE status = 'awaiting_check')
            FROM ({LIST_SQL}) WHERE is_open""", {"today": today})[0]
    return dict(zip(("open", "major", "overdue", "awaiting_check"), map(int, row),
                    strict=True))
