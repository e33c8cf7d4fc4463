"""Self-assessment sessions: start one, answer its questions (each answer saved the moment it
is given), resume where it stopped, finish it (the scores are frozen and the session locked)
or cancel it.

Two people answering the same question at once: whoever saves second is told what the first
saved and nothing of the first answer is lost (:class:`AnswerOutcome` carries theirs).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from aims_core.auth.actor import Actor
from aims_core.records.writes import (
    RowChange,
    RowProblem,
    WriteResult,
    apply_batches,
    apply_changes,
)
from aims_core.self_assessment import bank, scoring
from aims_core.self_assessment.registers import RESPONSES
from aims_core.storage.database import Database

SESSIONS_TABLE = "self_assessment_sessions"
ANSWERS_TABLE = "self_assessment_answers"
ANSWER_FIELDS = ("response", "level", "note", "evidence_link")

LIST_SQL = """
    SELECT s.*, coalesce(a.given, 0) AS given, coalesce(a.answered, 0) AS answered,
           string_agg(p.person, ', ' ORDER BY p.person) AS participants
    FROM self_assessment_sessions s
    LEFT JOIN (SELECT session_id, count(response) AS given,
                      count(*) FILTER (WHERE response = 'level') AS answered
               FROM self_assessment_answers GROUP BY ALL) a ON a.session_id = s.id
    LEFT JOIN self_assessment_participants p ON p.session_id = s.id
    GROUP BY ALL
"""


def start(db: Database, actor: Actor, *, title: str | None, held_on: date | None, mode: str,
          facilitator: str | None, participants: Sequence[str] = (),
          other_participants: str | None = None, scope_note: str | None = None,
          bank_version: int = bank.CURRENT_VERSION) -> WriteResult:
    """A new session in progress with its participants, in one transaction."""
    session = RowChange("insert", {
        "title": title, "held_on": held_on, "mode": mode, "bank_version": bank_version,
        "facilitator": facilitator, "other_participants": other_participants,
        "scope_note": scope_note, "status": "in_progress"}, label="The session")
    with db.write_lock:  # the session's id is known before the participants that name it
        new_id = db.scalar(f"SELECT coalesce(max(id), 0) + 1 FROM {SESSIONS_TABLE}")
        people = [RowChange("insert", {"session_id": new_id, "person": person},
                            label=f"Participant {person}")
                  for person in dict.fromkeys(participants)]
        return apply_batches(db, [(SESSIONS_TABLE, [session]),
                                  ("self_assessment_participants", people)], actor)


def add_participant(db: Database, actor: Actor, session_id: int, person: str) -> WriteResult:
    return apply_changes(db, "self_assessment_participants", [RowChange(
        "insert", {"session_id": session_id, "person": person},
        label=f"Participant {person}")], actor)


def one(db: Database, session_id: int) -> dict[str, Any] | None:
    frame = db.query_df(f"SELECT * FROM ({LIST_SQL}) WHERE id = ?", [session_id])
    return None if frame.empty else frame.iloc[0].to_dict()


def listing(db: Database, limit: int | None = None, offset: int = 0) -> pd.DataFrame:
    """Every session, open ones first, then the newest."""
    page = f"LIMIT {int(limit)} OFFSET {int(offset)}" if limit else ""
    return db.query_df(f"SELECT * FROM ({LIST_SQL}) ORDER BY status = 'in_progress' DESC, "
                       f"held_on DESC, id DESC {page}")


def count(db: Database) -> int:
    return int(db.scalar("SELECT count(*) FROM self_assessment_sessions"))


def titles(db: Database) -> dict[int, str]:
    """{id: "#3 Quick self-assessment (22 Nov 2026, in progress)"} for a picker, newest first."""
    rows = db.query_rows("SELECT id, title, held_on, status FROM self_assessment_sessions "
                         "ORDER BY held_on DESC, id DESC")
    return {int(i): f"#{i} {t} ({d:%d %b %Y}{', in progress' if s == 'in_progress' else ''}"
                    f"{', cancelled' if s == 'cancelled' else ''})"
            for i, t, d, s in rows}


def participants(db: Database, session_id: int) -> list[str]:
    return [r[0] for r in db.query_rows(
        "SELECT person FROM self_assessment_participants WHERE session_id = ? ORDER BY person",
        [session_id])]


def answers(db: Database, session_id: int) -> pd.DataFrame:
    """The answers of a session (one row per question answered or noted)."""
    return db.query_df("SELECT * FROM self_assessment_answers WHERE session_id = ? "
                       "ORDER BY id", [session_id])


def answer_row(db: Database, session_id: int, question_id: str) -> dict[str, Any] | None:
    frame = db.query_df("SELECT * FROM self_assessment_answers WHERE session_id = ? AND "
                        "question_id = ?", [session_id, question_id])
    if frame.empty:
        return None
    return {k: (None if pd.isna(v) else v) for k, v in frame.iloc[0].to_dict().items()}


def resume_question(questions: Sequence[bank.Question], given: set[str]) -> str:
    """Where a session resumes: the first question not answered after the furthest one
    answered (wrapping round to those skipped before it); the last question when all are."""
    ids = [q.id for q in questions]
    furthest = max((i for i, q in enumerate(ids) if q in given), default=-1)
    for q in ids[furthest + 1:] + ids[:furthest + 1]:
        if q not in given:
            return q
    return ids[-1]


# --- answering ---------------------------------------------------------------------------
@dataclass(frozen=True)
class AnswerOutcome:
    result: WriteResult
    theirs: dict[str, Any] | None = None  # what someone else saved meanwhile (not overwritten)

    @property
    def ok(self) -> bool:
        return self.result.ok and self.theirs is None


def describe(answer: dict[str, Any] | None) -> str:
    """An answer in words: "level 3", "don't know", "no answer yet (a note)"."""
    if answer is None:
        return "no answer"
    response = answer.get("response")
    if response == "level":
        said = f"level {int(answer['level'])}"
    elif response in RESPONSES:
        said = RESPONSES[response].lower()
    else:
        said = "no answer yet"
    extra = [part for part, value in (("a note", answer.get("note")),
                                      ("an evidence link", answer.get("evidence_link")))
             if value]
    return said + (f" with {' and '.join(extra)}" if extra else "")


def _conflict(question_id: str, theirs: dict[str, Any]) -> AnswerOutcome:
    who = theirs.get("answered_by") or "someone else"
    message = (f"was answered meanwhile by {who}: {describe(theirs)}. Your answer was not "
               "saved and theirs was kept: keep it, or give yours again to replace it")
    return AnswerOutcome(WriteResult(conflicts=[RowProblem(f"Question {question_id}", None,
                                                           message)]), theirs)


def give_answer(db: Database, actor: Actor, session_id: int, question_id: str,
                values: dict[str, Any], *, seen_version: int | None, today: date,
                suggested_level: int | None = None,
                suggestion_reason: str | None = None) -> AnswerOutcome:
    """Save part of an answer (``values``: response and level, note, evidence link).

    ``seen_version`` is the version of the answer the person was looking at (None: no
    answer yet). If someone else saved this question since, nothing is written and the
    outcome carries their answer. With a response, who answered, when, and what the product
    suggested at that moment are recorded beside it.
    """
    unknown = set(values) - set(ANSWER_FIELDS)
    if unknown:
        raise ValueError(f"not answer fields: {sorted(unknown)}")
    stored = answer_row(db, session_id, question_id)
    if stored is not None and stored["version"] != seen_version:
        if all(stored.get(name) == value for name, value in values.items()):
            return AnswerOutcome(WriteResult())  # the same thing said twice
        return _conflict(question_id, stored)
    values = dict(values)
    if "response" in values:
        if values["response"] != "level":
            values["level"] = None
        values.update(answered_by=actor.name, answered_on=today,
                      suggested_level=suggested_level, suggestion_reason=suggestion_reason)
    if stored is None:
        question = _question_of(db, session_id, question_id)
        # an unknown question keeps its own id as requirement, so the refusal names it
        change = RowChange("insert", {"session_id": session_id, "question_id": question_id,
                                      "requirement_id": question.requirement_id
                                      if question else question_id, **values},
                           label=f"Question {question_id}")
    else:
        change = RowChange("update", values, row_id=int(stored["id"]),
                           expected_version=seen_version, label=f"Question {question_id}")
    result = apply_changes(db, ANSWERS_TABLE, [change], actor)
    if not result.ok:
        now = answer_row(db, session_id, question_id)
        if now is not None and now["version"] != seen_version:
            return _conflict(question_id, now)
    return AnswerOutcome(result)


def _question_of(db: Database, session_id: int, question_id: str) -> bank.Question | None:
    found = db.query_rows("SELECT bank_version FROM self_assessment_sessions WHERE id = ?",
                          [session_id])
    if not found:
        return None
    try:
        return bank.load(found[0][0]).question(question_id)
    except KeyError:
        return None


# --- finishing -----------------------------------------------------------------------------
def finish(db: Database, actor: Actor, session_id: int, expected_version: int,
           today: date) -> WriteResult:
    """Freeze the session's scores and lock it, in one transaction."""
    session = one(db, session_id)
    if session is None:
        return WriteResult(conflicts=[RowProblem(f"Session {session_id}", None,
                                                 "no longer exists")])
    frame = scoring.scores(db, session_id)
    rows = [RowChange("insert", {"session_id": session_id, **row},
                      label=f"Score of {row['requirement_id']}")
            for row in scoring.score_rows(frame)]
    close = RowChange("update", {"status": "finished", "finished_on": today,
                                 "finished_by": actor.name,
                                 "overall_score": scoring.overall(frame)},
                      row_id=session_id, expected_version=expected_version)
    # scores first: they are written while the session is still open, then it locks
    return apply_batches(db, [("self_assessment_scores", rows), (SESSIONS_TABLE, [close])],
                         actor)


def cancel(db: Database, actor: Actor, session_id: int, expected_version: int) -> WriteResult:
    """Give up a session (kept in the history as cancelled, locked like a finished one)."""
    return apply_changes(db, SESSIONS_TABLE, [RowChange(
        "update", {"status": "cancelled"}, row_id=session_id,
        expected_version=expected_version)], actor)
