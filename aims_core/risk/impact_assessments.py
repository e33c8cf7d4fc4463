"""AI system impact assessments as the page reads them: filtered, counted and paged in
DuckDB, one assessment's impacts with their level and the risk each was raised as."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from aims_core.storage.database import Database


def _where(ai_system_ids: tuple[int, ...]) -> tuple[str, dict[str, Any]]:
    if not ai_system_ids:
        return "TRUE", {}
    return "list_contains($systems, ai_system_id)", {"systems": list(ai_system_ids)}


def count(db: Database, ai_system_ids: tuple[int, ...] = ()) -> int:
    """Assessments of these systems (none given: of every system)."""
    where, params = _where(ai_system_ids)
    return int(db.scalar(f"SELECT count(*) FROM impact_assessments WHERE {where}", params))


def page(db: Database, today: date, ai_system_ids: tuple[int, ...], offset: int,
         limit: int) -> pd.DataFrame:
    """A page of assessments (every column, and whether the review is overdue), newest
    first."""
    where, params = _where(ai_system_ids)
    return db.query_df(
        f"""SELECT a.*, a.next_review < $today AS review_overdue FROM impact_assessments a
            WHERE {where} ORDER BY a.assessed_on DESC, a.id DESC
            LIMIT {int(limit)} OFFSET {int(offset)}""", {**params, "today": today})


def labels(db: Database, ids: tuple[int, ...]) -> dict[int, str]:
    """{id: "#3 CreditLens credit scoring — 02 Mar 2026"} for these assessments."""
    rows = db.query_rows(
        """SELECT a.id, s.name, a.assessed_on FROM impact_assessments a
           LEFT JOIN ai_systems s ON s.id = a.ai_system_id
           WHERE list_contains($ids, a.id) ORDER BY a.assessed_on DESC, a.id DESC""",
        {"ids": list(ids)})
    return {int(i): f"#{int(i)} {name or '?'} — {on:%d %b %Y}" for i, name, on in rows}


def one(db: Database, assessment_id: int) -> dict[str, Any] | None:
    """One assessment with its system's name and owner; None if there is none."""
    frame = db.query_df("SELECT a.*, s.name AS ai_system, s.owner AS system_owner "
                        "FROM impact_assessments a LEFT JOIN ai_systems s "
                        "ON s.id = a.ai_system_id WHERE a.id = ?", [assessment_id])
    return None if frame.empty else frame.iloc[0].to_dict()


def impacts_of(db: Database, assessment_id: int) -> pd.DataFrame:
    """The assessment's impacts with their level band and the risk each was raised as."""
    return db.query_df(
        """SELECT i.*, g.level_band AS level,
                  (SELECT min(r.id) FROM risks r WHERE r.impact_id = i.id) AS risk_id
           FROM impacts i LEFT JOIN risk_level_grid g
                ON g.likelihood = i.likelihood AND g.impact = i.severity
           WHERE i.impact_assessment_id = ? ORDER BY i.id""", [assessment_id])


def unraised(db: Database, assessment_id: int) -> dict[int, str]:
    """{id: "#4 description"} of the assessment's impacts not yet raised as a risk."""
    rows = db.query_rows(
        """SELECT i.id, i.description FROM impacts i WHERE i.impact_assessment_id = ?
           AND NOT EXISTS (SELECT 1 FROM risks r WHERE r.impact_id = i.id) ORDER BY i.id""",
        [assessment_id])
    return {int(i): f"#{int(i)} {text}" for i, text in rows}
