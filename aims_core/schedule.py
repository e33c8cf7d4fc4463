"""Every date that falls due, from every register that has one, in one list (PRODUCT.md §4
"Dates act"). Each row says what is due, for whom, when, and links to where it is handled.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from aims_core.revalidation import revalidation_schedule
from aims_core.risks import REGISTER_SQL
from aims_core.storage.database import Database

COLUMNS = ["kind", "item", "owner", "due_on", "overdue", "reason", "link"]

# One SELECT per source with the same columns; $today is bound once.
_SOURCES = {
    "Risk review": f"""
        SELECT 'Risk review' AS kind, '#' || id || ' ' || title AS item, owner,
               review_date AS due_on, 'Review the rating and treatment' AS reason,
               'risks?risk=' || id AS link
        FROM ({REGISTER_SQL}) WHERE status <> 'closed' AND review_date IS NOT NULL""",
    "Risk acceptance": f"""
        SELECT 'Risk acceptance' AS kind, '#' || id || ' ' || title AS item, owner,
               coalesce(acceptance_expires, $today) AS due_on,
               CASE WHEN acceptance_expires IS NULL THEN 'Accepted without a recorded approval'
                    ELSE 'Acceptance by ' || accepted_by || ' expires' END AS reason,
               'risks?risk=' || id AS link
        FROM ({REGISTER_SQL}) WHERE status = 'accepted'""",
    "Impact assessment review": """
        SELECT 'Impact assessment review' AS kind,
               s.name || ' (assessed ' || strftime(a.assessed_on, '%d %b %Y') || ')' AS item,
               coalesce(s.owner, a.reviewer) AS owner, a.next_review AS due_on,
               'Review the impact assessment' AS reason,
               'impact_assessments?assessment=' || a.id AS link
        FROM impact_assessments a JOIN ai_systems s ON s.id = a.ai_system_id
        WHERE a.next_review IS NOT NULL""",
    "Supplier review": """
        SELECT 'Supplier review' AS kind, name AS item, owner, next_review AS due_on,
               'Due diligence and contract review (A.10.3)' AS reason,
               'suppliers' AS link
        FROM suppliers WHERE next_review IS NOT NULL""",
}
KINDS = ("Re-validation", *_SOURCES)


def due_dates(db: Database, today: date) -> pd.DataFrame:
    """Every due date, overdue first, then by date."""
    union = " UNION ALL ".join(_SOURCES.values())
    frame = db.query_df(f"SELECT *, due_on < $today AS overdue FROM ({union})",
                        {"today": today})
    validations = revalidation_schedule(db, today)
    if not validations.empty:
        revalidation = pd.DataFrame({
            "kind": "Re-validation", "item": validations["name"],
            "owner": validations["owner"],
            "due_on": pd.to_datetime(validations["next_due"]).fillna(pd.Timestamp(today)),
            "overdue": validations["overdue"].astype(bool), "reason": validations["reason"],
            "link": "ai_systems?system=" + validations["ai_system_id"].astype(str)})
        frame = pd.concat([df for df in (frame, revalidation) if not df.empty],
                          ignore_index=True)
    frame["due_on"] = pd.to_datetime(frame["due_on"]).dt.date
    frame["overdue"] = frame["overdue"].astype(bool)
    return frame[COLUMNS].sort_values(["overdue", "due_on", "kind", "item"],
                                      ascending=[False, True, True, True],
                                      ignore_index=True)
