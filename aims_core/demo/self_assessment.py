"""The demo's self-assessments: two finished quick sessions some months apart (so the
comparison and the trend mean something), the roadmap of the latest with its first steps
turned into actions, and a session left half-done to resume. A larger organisation gets a
longer history of finished sessions (quick and thorough), one every couple of months.

Scores, gaps and the roadmap are computed by the product's own scoring and roadmap code on
an in-memory copy of the generated registers, so the demo shows what the app would store.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from aims_core.catalogue import ensure_catalogue
from aims_core.demo.common import AIMS_OWNER, CEO, History, at, write_frames
from aims_core.self_assessment import bank, roadmap, scoring
from aims_core.storage.database import Database

DK, NA = "dont_know", "not_applicable"
# The latest finished session's answers (quick mode): a level, or don't know.
LATEST: dict[str, int | str] = {
    "4.1": 3, "4.2": 3, "4.3": 3, "4.4": 3, "5.1": 3, "5.2": 2, "5.3": 3, "6.1.1": 3,
    "6.1.2": 3, "6.1.3": 3, "6.1.4": 2, "6.2": 2, "6.3": 1, "7.1": 2, "7.2": 2, "7.3": 2,
    "7.4": DK, "7.5.1": 3, "7.5.2": 2, "7.5.3": 3, "8.1": 3, "8.2": 3, "8.3": 2, "8.4": 2,
    "9.1": 3, "9.2.1": 2, "9.2.2": 2, "9.3.1": 3, "9.3.2": 3, "9.3.3": 2, "10.1": 1, "10.2": 2,
    "A.2": 2, "A.3": 2, "A.4": 2, "A.5": 2, "A.6": 2, "A.7": 2, "A.8": 3, "A.9": DK,
    "A.10": 2,
}
# The session before: lower almost everywhere, higher where a problem surfaced since.
EARLIER_CHANGES: dict[str, int | str] = {
    "4.1": 2, "4.2": 2, "4.4": 2, "5.2": 1, "5.3": 2, "6.1.2": 2, "6.1.3": 2, "6.1.4": 1,
    "6.2": 1, "6.3": 0, "7.2": 1, "7.3": 1, "7.4": 1, "7.5.2": 1, "8.1": 2, "8.2": 2,
    "9.1": 2, "9.2.1": 1, "9.2.2": 3, "9.3.1": 2, "9.3.2": 2, "9.3.3": 1, "10.1": 0,
    "10.2": 1, "A.2": 1, "A.4": 1, "A.5": 1, "A.6": 3, "A.7": 1, "A.8": 2, "A.9": 1,
    "A.10": NA,
}
NOTES = {
    "6.1.4": ("PeopleCore's impact assessment is still pending.", "AIMS-MAN-12"),
    "7.2": ("Awareness training reached 70 % of staff; the target is 95 %.", "HR-LMS report"),
    "7.4": ("Nobody could say whether external communication on AI is planned.", None),
    "9.2.2": ("The lead auditor of the spring audit audited her own process.", "AUD-2026-01"),
    "A.6": ("Two high-risk systems are past their re-validation date.", None),
    "A.9": ("Unclear who checks the chatbot's use against its intended purpose.", None),
    "10.1": ("No improvement process yet beyond corrective actions.", None),
}
SESSIONS = (  # (days before the anchor, title, participants, other participants, scope)
    (250, "Baseline gap analysis", (AIMS_OWNER, CEO), "Consultant from Northbridge Advisory",
     "All AI systems in the inventory; the group's UK branch is out of scope."),
    (70, "Quarterly self-assessment before the stage 1 audit",
     (AIMS_OWNER, CEO, "Tom Becker", "Ben Okafor"), None,
     "Every clause and objective, ahead of the certification audit."),
)
HALF_DONE = (4, "Self-assessment after the management review", (AIMS_OWNER, "Priya Shah"),
             18)  # days before the anchor, title, participants, questions answered
ACTIONS_FROM_STEPS = 3


def generate(frames: dict[str, pd.DataFrame], systems: int, anchor: date, history: History,
             seed: int) -> dict[str, pd.DataFrame]:
    """The self-assessment registers, and ``actions`` with the roadmap's actions added."""
    rng = np.random.default_rng(seed + 12)
    rows: dict[str, list[dict[str, Any]]] = {t: [] for t in (
        "self_assessment_sessions", "self_assessment_participants", "self_assessment_answers",
        "self_assessment_scores", "self_assessment_steps")}
    finished = _plan(systems, rng)
    for days, title, people, other, scope, mode, answers in finished:
        _session(rows, anchor - timedelta(days=days), title, mode, people, other, scope,
                 answers, rng)
    days, title, people, answered = HALF_DONE
    quick = [q.id for q in bank.load().for_mode("quick")]
    _session(rows, anchor - timedelta(days=days), title, "quick", people, None,
             "The whole management system, after the review's decisions.",
             {q: LATEST[q] for q in quick[:answered]}, rng)
    frames = {**frames, **{t: pd.DataFrame(r) for t, r in rows.items()}}
    with Database(":memory:") as db:
        ensure_catalogue(db)
        write_frames(db, {"soa": frames["soa"], "clause_status": frames["clause_status"],
                          **{t: frames[t].assign(version=1) for t in rows}}, anchor)
        for session in rows["self_assessment_sessions"][:len(finished)]:
            _finish(db, rows, session)
        latest = rows["self_assessment_sessions"][len(finished) - 1]
        steps = roadmap.proposal(db, latest["id"], 6, latest["finished_on"])
    actions = frames["actions"]
    step_ids = _steps(rows, latest, steps)
    new_actions = _actions(steps, step_ids, latest, len(actions), anchor)
    _record(rows, history)
    for row in new_actions:
        row["version"] = history.record("actions", [(at(row["created_on"]), AIMS_OWNER,
                                                     dict(row))])
    return {**{t: pd.DataFrame(r) for t, r in rows.items()},
            "actions": pd.concat([actions, pd.DataFrame(new_actions)], ignore_index=True)}


def _plan(systems: int, rng: np.random.Generator) -> list[tuple]:
    """The finished sessions, oldest first: (days before the anchor, title, participants,
    other participants, scope, mode, {question: answer})."""
    earlier = {**LATEST, **EARLIER_CHANGES}
    plan = [(*SESSIONS[0], "quick", earlier), (*SESSIONS[1], "quick", dict(LATEST))]
    extra = max(0, systems // 400)
    thorough = bank.load().for_mode("thorough")
    for n in range(extra):  # a larger organisation: a longer history before the baseline
        days = SESSIONS[0][0] + 45 * (n + 1)
        mode = "thorough" if n % 2 == 0 else "quick"
        questions = thorough if mode == "thorough" else bank.load().for_mode("quick")
        answers = {q.id: int(np.clip(rng.integers(0, 4) - (n // 4), 0, 5))
                   for q in questions}
        plan.insert(0, (days, f"Self-assessment {n + 1} of the business units", (AIMS_OWNER,),
                        None, None, mode, answers))
    return plan


def _session(rows: dict[str, list[dict]], held_on: date, title: str, mode: str,
             people: tuple[str, ...], other: str | None, scope: str | None,
             answers: dict[str, int | str], rng: np.random.Generator) -> None:
    sessions = rows["self_assessment_sessions"]
    session_id = len(sessions) + 1
    sessions.append({"id": session_id, "title": title, "held_on": held_on, "mode": mode,
                     "bank_version": bank.CURRENT_VERSION, "facilitator": AIMS_OWNER,
                     "other_participants": other, "scope_note": scope,
                     "status": "in_progress", "finished_on": None, "finished_by": None,
                     "overall_score": None})
    for person in people:
        rows["self_assessment_participants"].append(
            {"id": len(rows["self_assessment_participants"]) + 1, "session_id": session_id,
             "person": person})
    the_bank = bank.load()
    for question_id, answer in answers.items():
        question = the_bank.question(question_id)
        note, link = NOTES.get(question_id, (None, None))
        rows["self_assessment_answers"].append({
            "id": len(rows["self_assessment_answers"]) + 1, "session_id": session_id,
            "question_id": question_id, "requirement_id": question.requirement_id,
            "response": answer if isinstance(answer, str) else "level",
            "level": None if isinstance(answer, str) else int(answer), "note": note,
            "evidence_link": link, "suggested_level": None, "suggestion_reason": None,
            "answered_by": AIMS_OWNER,
            "answered_on": held_on + timedelta(days=int(rng.integers(0, 2)))})


def _finish(db: Database, rows: dict[str, list[dict]], session: dict[str, Any]) -> None:
    """Freeze a session's scores as finishing it in the app does."""
    frame = scoring.live_scores(db, session["id"], session["mode"], session["bank_version"])
    for row in scoring.score_rows(frame):
        rows["self_assessment_scores"].append({"id": len(rows["self_assessment_scores"]) + 1,
                                               "session_id": session["id"], **row})
    session.update(status="finished", finished_on=session["held_on"] + timedelta(days=1),
                   finished_by=AIMS_OWNER, overall_score=scoring.overall(frame))


def _steps(rows: dict[str, list[dict]], session: dict[str, Any],
           steps: pd.DataFrame) -> list[int]:
    ids = []
    for step in steps.to_dict("records"):
        ids.append(len(rows["self_assessment_steps"]) + 1)
        rows["self_assessment_steps"].append({"id": ids[-1], "session_id": session["id"],
                                              **step})
    return ids


def _actions(steps: pd.DataFrame, step_ids: list[int], session: dict[str, Any],
             existing: int, anchor: date) -> list[dict[str, Any]]:
    """The first roadmap steps as actions (one already under way)."""
    created = session["finished_on"] + timedelta(days=2)
    out = []
    for n, (step, step_id) in enumerate(zip(steps.head(ACTIONS_FROM_STEPS).to_dict("records"),
                                            step_ids, strict=False)):
        out.append({"id": existing + n + 1, "title": step["title"], "owner": step["owner"],
                    "due_on": step["due_on"], "status": "in_progress" if n == 0 else "open",
                    "done_on": None, "source": roadmap.SOURCE,
                    "source_table": roadmap.STEPS_TABLE, "source_id": step_id,
                    "created_on": min(created, anchor),
                    "notes": f"From self-assessment session #{session['id']}, roadmap step "
                             f"{step['step_no']}."})
    return out


def _record(rows: dict[str, list[dict]], history: History) -> None:
    """Log every row as the app would have: a session started, then finished; its
    participants when it started, answers when given, scores and steps when it finished."""
    days = {s["id"]: (s["held_on"], s["finished_on"] or s["held_on"])
            for s in rows["self_assessment_sessions"]}
    for row in rows["self_assessment_sessions"]:
        states = [(at(row["held_on"], 9), AIMS_OWNER,
                   {**row, "status": "in_progress", "finished_on": None, "finished_by": None,
                    "overall_score": None})]
        if row["status"] != "in_progress":
            states.append((at(row["finished_on"], 17), AIMS_OWNER, dict(row)))
        row["version"] = history.record("self_assessment_sessions", states)
    for table, table_rows in rows.items():
        if table == "self_assessment_sessions":
            continue
        for row in table_rows:
            held, finished = days[row["session_id"]]
            when = row.get("answered_on") or (held if table.endswith("participants")
                                              else finished)
            row["version"] = history.record(table, [(at(when, 10), AIMS_OWNER, dict(row))])
