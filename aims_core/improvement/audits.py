"""Internal audits (ISO/IEC 42001 9.2): the programme, each audit's scope and findings, and
the auditor-independence check (an auditor must not audit their own work, 9.2.2)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from aims_core.auth.actor import Actor
from aims_core.improvement.registers import (
    FINDING_TYPES,
    NONCONFORMITY_FINDINGS,
    OPEN_AUDIT_STATUSES,
)
from aims_core.records.writes import RowChange, WriteResult, apply_changes
from aims_core.storage.database import Database
from aims_core.storage.filters import ColumnFilter, count_rows, select_page

_SAME_PERSON = "lower(trim({a})) = lower(trim({b}))"

# Why an audit's lead auditor would audit their own work: they are the auditee, or they own
# an AI system, an Annex A control or a clause in its scope. One row per audit and reason.
INDEPENDENCE_SQL = f"""
    SELECT a.id AS audit_id, a.lead_auditor || ' is also the auditee' AS warning
    FROM audits a WHERE {_SAME_PERSON.format(a='a.lead_auditor', b='a.auditee')}
    UNION ALL
    SELECT a.id, a.lead_auditor || ' owns the AI system '
                 || string_agg(s.name, ', ' ORDER BY s.name) || ' in the scope'
    FROM audits a JOIN audit_scope_items i ON i.audit_id = a.id
    JOIN ai_systems s ON s.id = i.ai_system_id
    WHERE {_SAME_PERSON.format(a='a.lead_auditor', b='s.owner')} GROUP BY a.id, a.lead_auditor
    UNION ALL
    SELECT a.id, a.lead_auditor || ' owns the controls '
                 || string_agg(c.control_id, ', ' ORDER BY c.sort_order) || ' in the scope'
    FROM audits a JOIN audit_scope_items i ON i.audit_id = a.id
    JOIN controls c ON c.objective_id = i.objective_id JOIN soa ON soa.control_id = c.control_id
    WHERE {_SAME_PERSON.format(a='a.lead_auditor', b='soa.owner')} GROUP BY a.id, a.lead_auditor
    UNION ALL
    SELECT a.id, a.lead_auditor || ' owns the clauses '
                 || string_agg(DISTINCT cs.clause_id, ', ' ORDER BY cs.clause_id) || ' in the scope'
    FROM audits a JOIN audit_scope_items i ON i.audit_id = a.id
    JOIN clause_status cs ON cs.clause_id = i.clause_id OR cs.clause_id LIKE i.clause_id || '.%'
    WHERE {_SAME_PERSON.format(a='a.lead_auditor', b='cs.owner')} GROUP BY a.id, a.lead_auditor
"""

SCOPE_SQL = """
    SELECT i.audit_id,
           string_agg(coalesce('Clause ' || i.clause_id, o.objective_id || ' ' || o.title,
                               s.name), '; '
                      ORDER BY cl.sort_order NULLS LAST, o.sort_order NULLS LAST, s.name)
               AS scope
    FROM audit_scope_items i
    LEFT JOIN clauses cl ON cl.clause_id = i.clause_id
    LEFT JOIN control_objectives o ON o.objective_id = i.objective_id
    LEFT JOIN ai_systems s ON s.id = i.ai_system_id
    GROUP BY i.audit_id
"""

_FINDING_COUNTS = ", ".join(
    f"count(*) FILTER (WHERE finding_type = '{code}') AS {code}" for code in FINDING_TYPES)

LIST_SQL = f"""
    SELECT a.*, a.status IN {OPEN_AUDIT_STATUSES!r} AS is_open,
           a.status IN {OPEN_AUDIT_STATUSES!r} AND a.planned_on < $today AS overdue,
           sc.scope, coalesce(f.findings, 0) AS findings,
           concat_ws(' · ', CASE WHEN f.major THEN f.major || ' major' END,
                     CASE WHEN f.minor THEN f.minor || ' minor' END,
                     CASE WHEN f.observation THEN f.observation || ' observation(s)' END,
                     CASE WHEN f.improvement THEN f.improvement || ' OFI' END) AS finding_counts,
           w.warnings AS independence
    FROM audits a
    LEFT JOIN ({SCOPE_SQL}) sc ON sc.audit_id = a.id
    LEFT JOIN (SELECT audit_id, count(*) AS findings, {_FINDING_COUNTS}
               FROM audit_findings GROUP BY audit_id) f ON f.audit_id = a.id
    LEFT JOIN (SELECT audit_id, string_agg(warning, '; ') AS warnings
               FROM ({INDEPENDENCE_SQL}) GROUP BY audit_id) w ON w.audit_id = a.id
"""

FINDINGS_SQL = """
    SELECT f.*, a.title AS audit, a.held_on, a.auditee, s.name AS ai_system,
           coalesce(c.title, cl.title) AS requirement_title,
           (SELECT min(n.id) FROM nonconformities n WHERE n.source_table = 'audit_findings'
                AND n.source_id = f.id) AS nonconformity_id
    FROM audit_findings f JOIN audits a ON a.id = f.audit_id
    LEFT JOIN ai_systems s ON s.id = f.ai_system_id
    LEFT JOIN controls c ON c.control_id = f.requirement_id
    LEFT JOIN clauses cl ON cl.clause_id = f.requirement_id
"""


def _order(me: str | None) -> tuple[str, dict[str, str]]:
    order = "overdue DESC, is_open DESC, planned_on, id"
    if not me:
        return order, {}
    return f"(lead_auditor = $me OR auditee = $me) DESC, {order}", {"me": me}


def programme(db: Database, today: date, filters: ColumnFilter, me: str | None = None,
              limit: int | None = None, offset: int = 0) -> pd.DataFrame:
    """The audit programme, filtered: with ``me``, the audits that person leads or is
    audited in first; overdue ones on top, then open ones by planned date."""
    order, mine = _order(me)
    return select_page(db, LIST_SQL, filters, order_by=order, params={"today": today, **mine},
                       limit=limit, offset=offset)


def count(db: Database, today: date, filters: ColumnFilter) -> int:
    return count_rows(db, LIST_SQL, filters, {"today": today})


def one(db: Database, today: date, audit_id: int) -> dict[str, Any] | None:
    found = programme(db, today, ColumnFilter.of(id=[audit_id]))
    return None if found.empty else found.iloc[0].to_dict()


def independence(db: Database, audit_id: int) -> list[str]:
    """Why the audit's lead auditor would audit their own work (empty when independent)."""
    return [r[0] for r in db.query_rows(
        f"SELECT warning FROM ({INDEPENDENCE_SQL}) WHERE audit_id = ? ORDER BY warning",
        [audit_id])]


def lead_auditors(db: Database) -> list[str]:
    return [r[0] for r in db.query_rows("SELECT DISTINCT lead_auditor FROM audits ORDER BY 1")]


def scope(db: Database, audit_id: int) -> pd.DataFrame:
    """The audit's scope items (id, version, clause_id, objective_id, ai_system_id)."""
    return db.query_df("SELECT * FROM audit_scope_items WHERE audit_id = ? ORDER BY id",
                       [audit_id])


def save_scope(db: Database, actor: Actor, audit_id: int, clauses: list[str],
               objectives: list[str], ai_system_ids: list[int]) -> WriteResult:
    """Make the audit's scope exactly these clauses, objectives and AI systems, in one
    transaction (items no longer wanted are removed, new ones added)."""
    current = scope(db, audit_id)
    wanted = {("clause_id", c) for c in clauses} | {("objective_id", o) for o in objectives} \
        | {("ai_system_id", int(s)) for s in ai_system_ids}
    have: dict[tuple[str, Any], tuple[int, int]] = {}
    for row in current.itertuples():
        for column in ("clause_id", "objective_id", "ai_system_id"):
            value = getattr(row, column)
            if not pd.isna(value):
                key = (column, int(value) if column == "ai_system_id" else value)
                have[key] = (int(row.id), int(row.version))
    changes = [RowChange("delete", row_id=have[key][0], expected_version=have[key][1])
               for key in sorted(set(have) - wanted, key=str)]
    changes += [RowChange("insert", {"audit_id": audit_id, column: value},
                          label=f"Scope item {value}")
                for column, value in sorted(wanted - set(have), key=str)]
    return apply_changes(db, "audit_scope_items", changes, actor)


def findings(db: Database, audit_id: int | None = None,
             finding_ids: list[int] | None = None) -> pd.DataFrame:
    """Findings of one audit (or the given ones), with the nonconformity each raised."""
    return db.query_df(
        f"""SELECT * FROM ({FINDINGS_SQL})
            WHERE ($audit IS NULL OR audit_id = $audit)
              AND ($ids IS NULL OR list_contains($ids, id))
            ORDER BY audit_id, id""", {"audit": audit_id, "ids": finding_ids})


def requirement_choices(db: Database) -> dict[str, str]:
    """Every clause and Annex A control a finding can concern, in catalogue order."""
    return {r[0]: f"{r[0]} {r[1]}" for r in db.query_rows(
        "SELECT clause_id, title FROM (SELECT clause_id, title, 0 AS part, sort_order "
        "FROM clauses UNION ALL SELECT control_id, title, 1, sort_order FROM controls) "
        "ORDER BY part, sort_order")}


def tile_counts(db: Database, today: date) -> dict[str, int]:
    """Audits due in the next 90 days and overdue, audits completed in the last 12 months,
    and nonconformity findings not yet raised as nonconformities."""
    row = db.query_rows(
        f"""SELECT count(*) FILTER (WHERE is_open AND NOT overdue
                                    AND planned_on <= $today + INTERVAL 90 DAY),
                   count(*) FILTER (WHERE overdue),
                   count(*) FILTER (WHERE status = 'completed'
                                    AND held_on > $today - INTERVAL 12 MONTH),
                   (SELECT count(*) FROM ({FINDINGS_SQL}) WHERE nonconformity_id IS NULL
                        AND finding_type IN {NONCONFORMITY_FINDINGS!r})
            FROM ({LIST_SQL})""", {"today": today})[0]
    return dict(zip(("next_90_days", "overdue", "completed_12_months", "findings_to_raise"),
                    map(int, row), strict=True))


def scope_choices(db: Database) -> tuple[dict[str, str], dict[str, str]]:
    """Clauses (4 … 10.2) and Annex A objectives an audit can cover, in catalogue order."""
    clauses = {r[0]: f"{r[0]} {r[1]}" for r in db.query_rows(
        "SELECT clause_id, title FROM clauses ORDER BY sort_order")}
    objectives = {r[0]: f"{r[0]} {r[1]}" for r in db.query_rows(
        "SELECT objective_id, title FROM control_objectives ORDER BY sort_order")}
    return clauses, objectives


def audit_of_finding(db: Database, finding_id: int) -> int | None:
    return db.scalar("SELECT audit_id FROM audit_findings WHERE id = ?", [finding_id])
