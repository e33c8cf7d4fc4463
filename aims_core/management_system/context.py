"""The organisation's context (4.1), its interested parties (4.2) and opportunities (6.1.1).

Issues and parties no longer relevant keep their rows (``closed_on``); every change is in
the change history with its date, which is what the management review reads as inputs
9.3.2 b) and c) (:func:`changes_since`).
"""

from __future__ import annotations

import json
from datetime import date

import pandas as pd

from aims_core.management_system.registers import CONTEXT_ISSUES, INTERESTED_PARTIES
from aims_core.storage.database import Database

REVIEW_SOON_DAYS = 30
# The Context page's tabs, bound to the URL by their labels (Schedule links open one).
CONTEXT_TABS = {"issues": "Issues", "parties": "Interested parties",
                "opportunities": "Opportunities", "changes": "Changes"}


def _review_state(alias: str = "t") -> str:
    return f"""CASE WHEN {alias}.next_review < $today THEN 'Review overdue'
                WHEN {alias}.next_review <= $today + INTERVAL {REVIEW_SOON_DAYS} DAY
                    THEN 'Review due soon'
                WHEN {alias}.next_review IS NULL THEN 'No review date' ELSE '' END"""


def issues(db: Database, today: date, types: tuple[str, ...] = (),
           include_closed: bool = False) -> pd.DataFrame:
    """Context issues (every field, id and version) with their review state; external
    first, then by topic."""
    return db.query_df(f"""
        SELECT t.*, {_review_state()} AS review_state FROM context_issues t
        WHERE ($types = [] OR t.issue_type IN (SELECT unnest($types)))
          AND ($closed OR t.closed_on IS NULL OR t.closed_on > $today)
        ORDER BY t.issue_type, t.topic NULLS LAST, t.id""",
        {"today": today, "types": list(types), "closed": include_closed})


def parties(db: Database, today: date, include_closed: bool = False) -> pd.DataFrame:
    """Interested parties and their needs, with whether the AIMS addresses each and the
    review state."""
    return db.query_df(f"""
        SELECT t.*, {_review_state()} AS review_state FROM interested_parties t
        WHERE $closed OR t.closed_on IS NULL OR t.closed_on > $today
        ORDER BY t.party_type NULLS LAST, t.party, t.id""",
        {"today": today, "closed": include_closed})


def opportunities(db: Database, today: date, statuses: tuple[str, ...] = ()) -> pd.DataFrame:
    """Opportunities (6.1.1) with their AI system's name and review state."""
    return db.query_df(f"""
        SELECT t.*, s.name AS ai_system, {_review_state()} AS review_state
        FROM opportunities t LEFT JOIN ai_systems s ON s.id = t.ai_system_id
        WHERE $statuses = [] OR t.status IN (SELECT unnest($statuses))
        ORDER BY t.status IN ('realised', 'dropped'), t.id""",
        {"today": today, "statuses": list(statuses)})


def summary(db: Database, today: date) -> pd.DataFrame:
    """Per context register: items still relevant and how many are past their review."""
    return db.query_df("""
        SELECT 'issues' AS register, count(*) AS items,
               count(*) FILTER (WHERE next_review < $today) AS overdue
        FROM context_issues WHERE closed_on IS NULL OR closed_on > $today
        UNION ALL
        SELECT 'parties', count(*), count(*) FILTER (WHERE next_review < $today)
        FROM interested_parties WHERE closed_on IS NULL OR closed_on > $today
        UNION ALL
        SELECT 'opportunities', count(*), count(*) FILTER (WHERE next_review < $today)
        FROM opportunities WHERE status NOT IN ('realised', 'dropped')""", {"today": today})


# --- changes, for the management review (9.3.2 b, c) -----------------------------------------
_TRACKED = {CONTEXT_ISSUES.table: CONTEXT_ISSUES, INTERESTED_PARTIES.table: INTERESTED_PARTIES}


def changes_since(db: Database, since: date | None) -> pd.DataFrame:
    """Every change to context issues and to interested parties' needs after ``since``
    (everything when None), newest first: when, who, which item, what changed."""
    log = db.query_df(
        "SELECT changed_at, changed_by, table_name, row_id, operation, before_json, "
        "after_json FROM change_log WHERE list_contains($tables, table_name) "
        "AND ($since IS NULL OR CAST(changed_at AS DATE) > $since) "
        "ORDER BY changed_at DESC, id DESC",
        {"tables": list(_TRACKED), "since": since})
    rows = []
    for entry in log.itertuples():
        register = _TRACKED[entry.table_name]
        before = json.loads(entry.before_json) if isinstance(entry.before_json, str) else {}
        after = json.loads(entry.after_json) if isinstance(entry.after_json, str) else {}
        fields = [spec.label for spec in register.fields
                  if before.get(spec.name) != after.get(spec.name)]
        rows.append({"changed_at": entry.changed_at, "changed_by": entry.changed_by,
                     "register": register.label, "row_id": entry.row_id,
                     "item": (after or before).get(register.title_field),
                     "operation": entry.operation,
                     "fields": ", ".join(fields) if entry.operation == "update" else ""})
    return pd.DataFrame(rows, columns=["changed_at", "changed_by", "register", "row_id", "item",
                                       "operation", "fields"])
