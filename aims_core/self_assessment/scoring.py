"""Scores, gaps, comparison and trend of self-assessment sessions.

The rules (README, *Self-assessment*):

- A requirement (leaf subclause or Annex A objective) scores the mean level of its answered
  questions. "Don't know" and "not applicable" are counted apart, never as 0: a requirement
  with no level given has no score.
- A clause (4 … 10) scores the mean of its subclauses' scores; an objective its own score.
  The overall score is the mean of every requirement score.
- The gap of a requirement is its distance to the level certification needs (the bank's
  target, 3), times its weight: 1 for a clause requirement; for an Annex A objective, the
  share of its controls the SoA marks applicable or has not decided yet (an objective whose
  controls are all excluded weighs 0). Gaps are ranked largest first.
- A finished session's scores are frozen in ``self_assessment_scores``; an open session's are
  computed live from its answers.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from aims_core.self_assessment import bank
from aims_core.storage.database import Database

TOP_GAPS = 5
_SCORE_COLUMNS = ["requirement_id", "kind", "score", "questions", "answered", "dont_know",
                  "not_applicable", "target", "weight", "gap", "gap_rank"]


def requirements(db: Database) -> pd.DataFrame:
    """What a session assesses, in order: requirement_id, title, kind, area, area_title."""
    return db.query_df(
        """SELECT r.requirement_id, r.title, r.kind, r.area,
                  coalesce(c.title, r.title) AS area_title, r.sort_order
           FROM self_assessment_requirements r
           LEFT JOIN clauses c ON r.kind = 'clause' AND c.clause_id = r.area
           ORDER BY r.sort_order""")


def objective_weights(db: Database) -> dict[str, float]:
    """Each Annex A objective's share of controls applicable or not yet decided in the SoA."""
    rows = db.query_rows(
        """SELECT c.objective_id, count(*) FILTER (WHERE s.applicable IS NOT FALSE) / count(*)
           FROM controls c LEFT JOIN soa s USING (control_id) GROUP BY ALL""")
    return {objective: float(share) for objective, share in rows}


def _answer_counts(db: Database, session_id: int) -> pd.DataFrame:
    return db.query_df(
        """SELECT requirement_id,
                  count(*) FILTER (WHERE response = 'level') AS answered,
                  count(*) FILTER (WHERE response = 'dont_know') AS dont_know,
                  count(*) FILTER (WHERE response = 'not_applicable') AS not_applicable,
                  avg(level) FILTER (WHERE response = 'level') AS score
           FROM self_assessment_answers WHERE session_id = ? GROUP BY ALL""", [session_id])


def rank_gaps(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with ``gap`` and ``gap_rank`` set from score, target and weight."""
    out = frame.copy()
    distance = (out["target"] - out["score"]).clip(lower=0) * out["weight"]
    out["gap"] = distance.round(3).where(out["score"].notna())
    ranked = out[out["gap"] > 0].sort_values(["gap", "weight", "sort_order"],
                                            ascending=[False, False, True])
    out["gap_rank"] = pd.Series(range(1, len(ranked) + 1), index=ranked.index, dtype="Int64")
    return out


def live_scores(db: Database, session_id: int, mode: str, version: int) -> pd.DataFrame:
    """The scores of an open session, from its answers and today's SoA."""
    questions = bank.load(version).for_mode(mode)
    asked = pd.Series([q.requirement_id for q in questions]).value_counts()
    frame = requirements(db)
    frame["questions"] = frame["requirement_id"].map(asked).fillna(0).astype("int64")
    counts = _answer_counts(db, session_id).set_index("requirement_id")
    for column in ("answered", "dont_know", "not_applicable"):
        frame[column] = frame["requirement_id"].map(counts[column]).fillna(0).astype("int64")
    frame["score"] = frame["requirement_id"].map(counts["score"]).astype("float64")
    frame["target"] = float(bank.load(version).target_level)
    weights = objective_weights(db)
    frame["weight"] = [weights.get(r, 1.0) if kind == "objective" else 1.0
                       for r, kind in zip(frame["requirement_id"], frame["kind"], strict=True)]
    return rank_gaps(frame)


def frozen_scores(db: Database, session_id: int) -> pd.DataFrame:
    """The scores a finished session stored, with the requirements' titles and order."""
    frame = requirements(db)
    stored = db.query_df(f"SELECT {', '.join(_SCORE_COLUMNS)} FROM self_assessment_scores "
                         "WHERE session_id = ?", [session_id])
    return frame.merge(stored.drop(columns="kind"), on="requirement_id", how="inner")


def scores(db: Database, session_id: int) -> pd.DataFrame:
    """One row per requirement of a session (frozen once finished, else live)."""
    session = db.query_rows("SELECT status, mode, bank_version FROM self_assessment_sessions "
                            "WHERE id = ?", [session_id])
    if not session:
        raise KeyError(f"no self-assessment session {session_id}")
    status, mode, version = session[0]
    if status == "finished":
        return frozen_scores(db, session_id)
    return live_scores(db, session_id, mode, version)


def score_rows(frame: pd.DataFrame) -> list[dict]:
    """The rows of ``self_assessment_scores`` for the scores ``frame`` (without session)."""
    rows = []
    for row in frame[_SCORE_COLUMNS].to_dict("records"):
        rows.append({k: (None if pd.isna(v) else v) for k, v in row.items()})
    return rows


def overall(frame: pd.DataFrame) -> float | None:
    """The mean of the requirement scores (None when no level was given at all)."""
    scored = frame["score"].dropna()
    return round(float(scored.mean()), 2) if len(scored) else None


def area_scores(frame: pd.DataFrame) -> pd.DataFrame:
    """Per clause (4 … 10) and per Annex A objective: the score, how many requirements it has
    and how many are scored."""
    grouped = frame.groupby("area", sort=False).agg(
        label=("area_title", "first"), kind=("kind", "first"), score=("score", "mean"),
        requirements=("requirement_id", "size"), scored=("score", "count"),
        order=("sort_order", "min"))
    grouped["score"] = grouped["score"].round(2)
    grouped = grouped.sort_values("order").reset_index()
    grouped["label"] = grouped["area"] + " " + grouped["label"]
    return grouped.drop(columns="order")


def top_gaps(frame: pd.DataFrame, limit: int = TOP_GAPS) -> pd.DataFrame:
    """The ``limit`` largest gaps, largest first."""
    ranked = frame[frame["gap_rank"].notna()].sort_values("gap_rank")
    return ranked.head(limit).reset_index(drop=True)


@dataclass(frozen=True)
class Counts:
    questions: int
    answered: int
    dont_know: int
    not_applicable: int

    @property
    def given(self) -> int:
        return self.answered + self.dont_know + self.not_applicable


def counts(frame: pd.DataFrame) -> Counts:
    return Counts(*(int(frame[c].sum()) for c in ("questions", "answered", "dont_know",
                                                  "not_applicable")))


# --- comparison and history ------------------------------------------------------------
def previous_finished(db: Database, session_id: int) -> int | None:
    """The finished session held before ``session_id`` (the latest such), if any."""
    return db.scalar(
        """SELECT p.id FROM self_assessment_sessions s, self_assessment_sessions p
           WHERE s.id = ? AND p.status = 'finished' AND p.id <> s.id
             AND (p.held_on, p.id) < (s.held_on, s.id)
           ORDER BY p.held_on DESC, p.id DESC LIMIT 1""", [session_id])


def compare(now: pd.DataFrame, before: pd.DataFrame, key: str) -> pd.DataFrame:
    """Scores side by side per ``key`` (``area`` or ``requirement_id``): before, now, change;
    the largest rises first, then the unchanged, then the falls."""
    merged = now[[key, "label" if key == "area" else "title", "score"]].merge(
        before[[key, "score"]], on=key, how="left", suffixes=("", "_before"))
    merged = merged.rename(columns={"score_before": "before"})
    merged["change"] = (merged["score"] - merged["before"]).round(2)
    merged["direction"] = [("rose" if c > 0 else "fell" if c < 0 else "unchanged")
                           if pd.notna(c) else "not comparable" for c in merged["change"]]
    return merged


def trend(db: Database) -> pd.DataFrame:
    """Every finished session's overall score and the score of each clause and objective,
    oldest first (session_id, title, held_on, mode, overall_score, area, score)."""
    return db.query_df(
        """SELECT s.id AS session_id, s.title, s.held_on, s.mode, s.overall_score, r.area,
                  round(avg(c.score), 2) AS score, min(r.sort_order) AS area_order
           FROM self_assessment_sessions s
           JOIN self_assessment_scores c ON c.session_id = s.id
           JOIN self_assessment_requirements r ON r.requirement_id = c.requirement_id
           WHERE s.status = 'finished'
           GROUP BY ALL ORDER BY s.held_on, s.id, area_order""")
