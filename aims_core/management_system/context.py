"""The organisation's context (4.1), its interested parties (4.2) and opportunities (6.1.1).

Issues and parties no longer relevant keep their rows (``closed_on``); every change is in
the change history with its date, which is what the management review reads as inputs
9.3.2 b) and c) (:func:`changes_since`).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from aims_core.management_system.registers import (
    CONTEXT_ISSUES,
    INTERESTED_PARTIES,
    OPPORTUNITIES,
)
from aims_core.records.history import field_changes
from aims_core.records.labels import for_people
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


# --- changes, for the management review (9.3.2 b, c) -------------------------------------
def changes_since(db: Database, since: date | None) -> pd.DataFrame:
    """Every change to context issues and to interested parties' needs after ``since``
    (everything when None), newest first: when, who, which item, what changed."""
    return field_changes(db, (CONTEXT_ISSUES.table, INTERESTED_PARTIES.table), since)


def export(db: Database, today: date, which: str) -> pd.DataFrame:
    """One context register (``which`` of CONTEXT_TABS but changes), every row, for people."""
    if which == "issues":
        return for_people(CONTEXT_ISSUES, issues(db, today, include_closed=True),
                          {"review_state": "Review"})
    if which == "parties":
        return for_people(INTERESTED_PARTIES, parties(db, today, include_closed=True),
                          {"review_state": "Review"})
    return for_people(OPPORTUNITIES, opportunities(db, today),
                      {"ai_system": "AI system name", "review_state": "Review"})
