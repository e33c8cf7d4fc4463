"""The self-assessment registers: sessions, their participants, answers, frozen scores and
roadmap steps.

The lock is enforced here, in the write path, not only on the page: once a session is
finished (or cancelled) its row, participants, answers and scores refuse every change, and an
answer must name a question of the bank version and mode its session uses.
"""

from __future__ import annotations

from typing import Any

from aims_core.records.fields import Cursor, Field, Reference, Register, person_field
from aims_core.self_assessment import bank

SESSION_STATUSES = {"in_progress": "In progress", "finished": "Finished",
                    "cancelled": "Cancelled"}
RESPONSES = {"level": "Level", "dont_know": "Don't know", "not_applicable": "Not applicable"}
SCORE_KINDS = {"clause": "Clause requirement", "objective": "Annex A objective"}
SESSION_REF = Reference("self_assessment_sessions", "id", "title")
_REQUIREMENT_REF = Reference("self_assessment_requirements", "requirement_id", "title")


def _stored_session(cur: Cursor, session_id: Any) -> tuple[str, str, int, Any] | None:
    """(status, mode, bank version, finished on) of a session as stored."""
    if session_id is None:
        return None
    return cur.execute("SELECT status, mode, bank_version, finished_on FROM "
                       "self_assessment_sessions WHERE id = ?", [session_id]).fetchone()


def lock_message(session_id: int, status: str, finished_on: Any) -> str:
    when = f" on {finished_on:%Y-%m-%d}" if finished_on is not None else ""
    return (f"cannot change: self-assessment session #{session_id} is "
            f"{SESSION_STATUSES[status].lower()}{when} and locked (start a new session "
            "to assess again)")


def _session_locked(cur: Cursor, row: dict[str, Any]) -> list[tuple[str, str]]:
    """A finished or cancelled session refuses every change to itself."""
    stored = _stored_session(cur, row.get("id"))
    if stored and stored[0] != "in_progress":
        return [("status", lock_message(int(row["id"]), stored[0], stored[3]))]
    return []


def _finish_complete(_: Cursor, row: dict[str, Any]) -> list[tuple[str, str]]:
    if row.get("status") == "finished" and (row.get("finished_on") is None
                                            or row.get("finished_by") is None):
        return [("finished_on", "is required (with who finished it) to finish the session")]
    if row.get("status") == "in_progress" and row.get("finished_on") is not None:
        return [("finished_on", "must be empty while the session is in progress")]
    return []


def _known_bank(_: Cursor, row: dict[str, Any]) -> list[tuple[str, str]]:
    version = row.get("bank_version")
    if version is not None and version not in bank.versions():
        return [("bank_version", f"{version} is not a question bank version this program "
                                 f"knows ({', '.join(map(str, bank.versions()))})")]
    return []


def _in_open_session(field: str = "session_id") -> Any:
    """Rows of a session (its participants, answers, scores) change only while it is open."""

    def check(cur: Cursor, row: dict[str, Any]) -> list[tuple[str, str]]:
        stored = _stored_session(cur, row.get(field))
        if stored and stored[0] != "in_progress":
            return [(field, lock_message(int(row[field]), stored[0], stored[3]))]
        return []

    return check


def _question_of_the_session(cur: Cursor, row: dict[str, Any]) -> list[tuple[str, str]]:
    stored = _stored_session(cur, row.get("session_id"))
    if stored is None or row.get("question_id") is None:
        return []
    _, mode, version, _ = stored
    question = bank.load(version).question(row["question_id"])
    if question is None or mode not in question.modes:
        return [("question_id", f"{row['question_id']!r} is not a question of question bank "
                                f"version {version} in {bank.MODE_NAMES[mode].lower()} mode, "
                                "which this session uses")]
    if row.get("requirement_id") != question.requirement_id:
        return [("requirement_id", f"must be {question.requirement_id}, the requirement "
                                   f"question {question.id} covers")]
    return []


def _level_fits_response(_: Cursor, row: dict[str, Any]) -> list[tuple[str, str]]:
    response, level = row.get("response"), row.get("level")
    if response == "level" and level is None:
        return [("level", "is required when the answer is a level (0–5)")]
    if response != "level" and level is not None:
        said = RESPONSES.get(response, "no answer yet")
        return [("level", f"must be empty when the answer is {said.lower()!r}: "
                          "'don't know' and 'not applicable' are answers of their own, never 0")]
    return []


def _one_answer_per_question(cur: Cursor, row: dict[str, Any]) -> list[tuple[str, str]]:
    """Two browsers answering at once: the later insert is told, the first answer stays."""
    taken = cur.execute(
        "SELECT id, answered_by FROM self_assessment_answers WHERE session_id = ? AND "
        "question_id = ? AND id IS DISTINCT FROM ?",
        [row.get("session_id"), row.get("question_id"), row.get("id")]).fetchone()
    if taken:
        return [("question_id", f"was answered meanwhile by {taken[1] or 'someone else'} "
                                f"(answer #{taken[0]}): your answer was not saved; look at "
                                "theirs and change it if you disagree")]
    return []


SESSIONS = Register(
    table="self_assessment_sessions",
    label="Self-assessment session",
    title_field="title",
    owner_field="facilitator",
    referenced_by=(("self_assessment_participants", "session_id"),
                   ("self_assessment_answers", "session_id"),
                   ("self_assessment_scores", "session_id"),
                   ("self_assessment_steps", "session_id")),
    rules=(_finish_complete, _known_bank),
    change_rules=(_session_locked,),
    fields=(
        Field("title", "Session", required=True, max_length=200),
        Field("held_on", "Held on", "date", required=True),
        Field("mode", "Mode", "choice", required=True, choices=bank.MODE_NAMES,
              editable=False),
        Field("bank_version", "Question bank version", "int", required=True, min_value=1,
              editable=False),
        person_field("facilitator", "Facilitator", required=True,
                     help="Who runs the session (usually the AIMS owner)"),
        Field("other_participants", "Other participants", max_length=500,
              help="People from outside the directory, e.g. the consultant"),
        Field("scope_note", "Scope note", help="What this session covers and what it leaves out"),
        Field("status", "Status", "choice", required=True, choices=SESSION_STATUSES),
        Field("finished_on", "Finished on", "date", not_before="held_on"),
        person_field("finished_by", "Finished by"),
        Field("overall_score", "Overall score", "float", min_value=0, max_value=5),
    ),
)

PARTICIPANTS = Register(
    table="self_assessment_participants",
    label="Participant",
    title_field="person",
    owned_through="session_id",
    unique_together=("session_id", "person"),
    change_rules=(_in_open_session(),),
    fields=(
        Field("session_id", "Session", "int", required=True, reference=SESSION_REF,
              editable=False),
        person_field("person", "Participant", required=True, editable=False),
    ),
)

ANSWERS = Register(
    table="self_assessment_answers",
    label="Answer",
    title_field="question_id",
    owned_through="session_id",
    rules=(_question_of_the_session, _level_fits_response, _one_answer_per_question),
    change_rules=(_in_open_session(),),
    fields=(
        Field("session_id", "Session", "int", required=True, reference=SESSION_REF,
              editable=False),
        Field("question_id", "Question", required=True, max_length=20, editable=False),
        Field("requirement_id", "Requirement", required=True, max_length=20, editable=False),
        Field("response", "Answer", "choice", choices=RESPONSES,
              help="Empty while only a note has been written"),
        Field("level", "Level", "int", min_value=0, max_value=5),
        Field("note", "Note"),
        Field("evidence_link", "Evidence link", max_length=1000,
              help="Where the evidence is: a link, a document id or a place"),
        Field("suggested_level", "Suggested level", "int", min_value=0, max_value=5,
              help="What the product suggested from the registers when the answer was given"),
        Field("suggestion_reason", "Why it was suggested", max_length=4000),
        person_field("answered_by", "Answered by"),
        Field("answered_on", "Answered on", "date"),
    ),
)

SCORES = Register(
    table="self_assessment_scores",
    label="Self-assessment score",
    title_field="requirement_id",
    owned_through="session_id",
    unique_together=("session_id", "requirement_id"),
    change_rules=(_in_open_session(),),
    fields=(
        Field("session_id", "Session", "int", required=True, reference=SESSION_REF,
              editable=False),
        Field("requirement_id", "Requirement", required=True, max_length=20,
              reference=_REQUIREMENT_REF, editable=False),
        Field("kind", "Kind", "choice", required=True, choices=SCORE_KINDS, editable=False),
        Field("score", "Score", "float", min_value=0, max_value=5),
        Field("questions", "Questions", "int", required=True, min_value=0),
        Field("answered", "Answered with a level", "int", required=True, min_value=0),
        Field("dont_know", "Don't know", "int", required=True, min_value=0),
        Field("not_applicable", "Not applicable", "int", required=True, min_value=0),
        Field("target", "Target level", "float", required=True, min_value=0, max_value=5),
        Field("weight", "Weight", "float", required=True, min_value=0, max_value=1,
              help="1 for a clause; an objective's share of applicable Annex A controls"),
        Field("gap", "Gap", "float", min_value=0, max_value=5),
        Field("gap_rank", "Gap rank", "int", min_value=1),
    ),
)


def _session_finished(cur: Cursor, row: dict[str, Any]) -> list[tuple[str, str]]:
    stored = _stored_session(cur, row.get("session_id"))
    if stored and stored[0] != "finished":
        return [("session_id", "must be a finished session: the roadmap is built on the "
                               "locked results")]
    return []


STEPS = Register(
    table="self_assessment_steps",
    label="Roadmap step",
    title_field="title",
    owned_through="session_id",
    allow_delete=True,
    unique_together=("session_id", "step_no"),
    referenced_by=(("risks", "self_assessment_step_id"),),
    rules=(_session_finished,),
    # Built by the app from a finished session's gaps (their actions are in My work), so
    # the spreadsheet import does not offer them.
    importable=False,
    fields=(
        Field("session_id", "Session", "int", required=True, reference=SESSION_REF,
              editable=False),
        Field("step_no", "Step", "int", required=True, min_value=1),
        Field("requirement_id", "Closes", required=True, max_length=20,
              reference=_REQUIREMENT_REF, editable=False),
        Field("title", "Step", required=True, max_length=300),
        Field("gap", "Gap", "float", min_value=0, max_value=5, editable=False),
        person_field("owner", "Suggested owner",
                     help="The clause owner on the Clauses page, or the objective's usual "
                          "SoA owner"),
        Field("due_on", "Due on", "date"),
        Field("horizon_months", "Horizon (months)", "int", min_value=1, max_value=36),
    ),
)
