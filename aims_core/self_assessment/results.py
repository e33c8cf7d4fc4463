"""What other areas read of the self-assessments: the management review (its input on
opportunities for improvement), the computed KPI and the Overview's maturity tile.

- :func:`latest` — the latest finished session in one row (plain DataFrame)
- :func:`gaps` — a session's largest gaps, largest first (plain DataFrame)
- :func:`latest_gaps`, :func:`latest_summary`, :func:`latest_overall` — the same for the
  latest finished session, as a frame, a dataclass and a number
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import date

import pandas as pd

from aims_core.self_assessment import scoring
from aims_core.storage.database import Database

GAP_COLUMNS = ["session_id", "held_on", "requirement_id", "title", "kind", "score", "target",
               "weight", "gap", "gap_rank"]


@dataclass(frozen=True)
class Summary:
    session_id: int
    title: str
    held_on: date
    mode: str
    overall: float | None
    previous_overall: float | None
    previous_held_on: date | None
    answered: int
    questions: int
    dont_know: int
    not_applicable: int


def latest_finished(db: Database) -> int | None:
    return db.scalar("SELECT id FROM self_assessment_sessions WHERE status = 'finished' "
                     "ORDER BY held_on DESC, id DESC LIMIT 1")


def latest_summary(db: Database) -> Summary | None:
    """The latest finished session in figures, with the overall score of the one before."""
    row = db.query_rows(
        """WITH finished AS (
               SELECT *, lead(overall_score) OVER w AS previous_overall,
                      lead(held_on) OVER w AS previous_held_on
               FROM self_assessment_sessions WHERE status = 'finished'
               WINDOW w AS (ORDER BY held_on DESC, id DESC))
           SELECT f.id, f.title, f.held_on, f.mode, f.overall_score, f.previous_overall,
                  f.previous_held_on, sum(c.answered), sum(c.questions), sum(c.dont_know),
                  sum(c.not_applicable)
           FROM finished f LEFT JOIN self_assessment_scores c ON c.session_id = f.id
           GROUP BY ALL ORDER BY f.held_on DESC, f.id DESC LIMIT 1""")
    if not row:
        return None
    (session_id, title, held_on, mode, score, previous, previous_on, answered, questions,
     dont_know, not_applicable) = row[0]
    return Summary(int(session_id), title, held_on, mode, score, previous, previous_on,
                   int(answered or 0), int(questions or 0), int(dont_know or 0),
                   int(not_applicable or 0))


def latest(db: Database) -> pd.DataFrame:
    """The latest finished session in one row (the columns of :class:`Summary`); no row
    when no session is finished yet."""
    summary = latest_summary(db)
    columns = [f.name for f in fields(Summary)]
    return pd.DataFrame([asdict(summary)] if summary else [], columns=columns)


def latest_overall(db: Database) -> float | None:
    """The overall score of the latest finished session (the computed KPI)."""
    return db.scalar("SELECT overall_score FROM self_assessment_sessions WHERE status = "
                     "'finished' ORDER BY held_on DESC, id DESC LIMIT 1")


def gaps(db: Database, session_id: int, limit: int = scoring.TOP_GAPS) -> pd.DataFrame:
    """The ``limit`` largest gaps of a session, largest first (``GAP_COLUMNS``): the distance
    of each requirement's score to the level certification needs, weighted by the SoA."""
    held_on = db.scalar("SELECT held_on FROM self_assessment_sessions WHERE id = ?",
                        [session_id])
    if held_on is None:
        raise KeyError(f"no self-assessment session {session_id}")
    frame = scoring.top_gaps(scoring.scores(db, session_id), limit)
    return frame.assign(session_id=session_id, held_on=held_on)[GAP_COLUMNS]


def latest_gaps(db: Database, limit: int = scoring.TOP_GAPS) -> pd.DataFrame:
    """The largest gaps of the latest finished session (empty when there is none)."""
    session_id = latest_finished(db)
    if session_id is None:
        return pd.DataFrame(columns=GAP_COLUMNS)
    return gaps(db, session_id, limit)
