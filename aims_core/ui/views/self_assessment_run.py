"""Running a self-assessment session: one question per screen, the evidence the registers
hold and a suggested level beside it, each answer saved the moment it is given.

The question shown is kept in the URL (``?session=3&question=6.1.3``) and, without one, the
session resumes at the first question left open after the furthest one answered, so a
reload, a dropped connection or another browser carries on where the session stopped. The
question runs in a fragment: answering reruns only the question, not the whole page.
Level buttons have the keys 0–5 as shortcuts (D: don't know, N: not applicable).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from aims_core.auth.actor import Actor
from aims_core.self_assessment import bank, scoring, sessions, suggestions
from aims_core.ui.editable_table import show_outcome
from aims_core.ui.session import Identity, cached, get_db, today
from aims_core.ui.text import md_escape

_ANSWER_LABELS = {"dont_know": "Don't know", "not_applicable": "Not applicable"}
_MARKS = {"level": "✓", "dont_know": "?", "not_applicable": "–"}


def _key(session_id: int, name: str) -> str:
    return f"sa_{session_id}_{name}"


def _titles(db: Any) -> dict[str, str]:
    frame = scoring.requirements(db)
    return dict(zip(frame["requirement_id"], frame["title"], strict=True))


def _answers(db: Any, session_id: int) -> dict[str, dict[str, Any]]:
    frame = sessions.answers(db, session_id)
    return {row["question_id"]: {k: (None if not isinstance(v, str) and pd.isna(v) else v)
                                 for k, v in row.items()}
            for row in frame.to_dict("records")}


def _current(session_id: int, questions: tuple[bank.Question, ...],
             given: set[str]) -> int:
    """Index of the question to show: the one this browser is on, the URL's, or where the
    session stopped."""
    ids = [q.id for q in questions]
    wanted = st.session_state.get(_key(session_id, "question")) \
        or st.query_params.get("question")
    if wanted not in ids:
        wanted = sessions.resume_question(questions, given)
    st.session_state[_key(session_id, "question")] = wanted
    st.query_params["question"] = wanted
    return ids.index(wanted)


def _go(session_id: int, question_id: str) -> None:
    st.session_state[_key(session_id, "question")] = question_id


def _jumped(session_id: int) -> None:
    _go(session_id, st.session_state[_key(session_id, "jump")])


def _seen(session_id: int, question_id: str) -> int | None:
    return st.session_state.get(_key(session_id, f"seen_{question_id}"))


def _after_save(session_id: int, question_id: str) -> None:
    stored = sessions.answer_row(get_db(), session_id, question_id)
    st.session_state[_key(session_id, f"seen_{question_id}")] = \
        None if stored is None else int(stored["version"])


def _save(session_id: int, question_id: str, values: dict[str, Any], actor: Actor,
          suggestion: suggestions.Suggestion | None) -> bool:
    """Save part of an answer; leave a conflict or a refusal for the next run to show."""
    outcome = sessions.give_answer(
        get_db(), actor, session_id, question_id, values,
        seen_version=_seen(session_id, question_id), today=today(),
        suggested_level=None if suggestion is None else suggestion.level,
        suggestion_reason=None if suggestion is None else suggestion.text or None)
    if outcome.theirs is not None:
        st.session_state[_key(session_id, "conflict")] = (question_id, values)
    if not outcome.result.ok:
        st.session_state[_key(session_id, "outcome")] = outcome.result
        return False
    st.session_state.pop(_key(session_id, "conflict"), None)
    _after_save(session_id, question_id)
    return True


def _typed(session_id: int, question_id: str, version: int | None) -> dict[str, Any]:
    """The note and evidence link as typed on screen now."""
    values = {}
    for name in ("note", "evidence_link"):
        typed = st.session_state.get(_key(session_id, f"{name}_{question_id}_{version}"))
        if typed is not None:
            values[name] = typed.strip() or None
    return values


def _answered(session_id: int, question_id: str, version: int | None, response: str,
              level: int | None, actor: Actor, suggestion: suggestions.Suggestion | None,
              next_id: str | None) -> None:
    values = {"response": response, "level": level,
              **_typed(session_id, question_id, version)}
    if _save(session_id, question_id, values, actor, suggestion) and next_id:
        _go(session_id, next_id)


def _text_changed(session_id: int, question_id: str, version: int | None, name: str,
                  actor: Actor) -> None:
    typed = _typed(session_id, question_id, version)
    if name in typed:
        _save(session_id, question_id, {name: typed[name]}, actor, None)


def _replace_theirs(session_id: int, actor: Actor) -> None:
    """Give the answer refused in a conflict again, over the one saved meanwhile."""
    question_id, values = st.session_state.pop(_key(session_id, "conflict"))
    _after_save(session_id, question_id)  # now seen: theirs
    _save(session_id, question_id, values, actor, None)


def _conflict(session_id: int, question_id: str, actor: Actor, can_edit: bool) -> None:
    conflict = st.session_state.get(_key(session_id, "conflict"))
    if not conflict or conflict[0] != question_id:
        return
    st.button("Replace their answer with mine", key=_key(session_id, "replace"),
              icon=":material/sync_alt:", disabled=not can_edit, on_click=_replace_theirs,
              args=(session_id, actor),
              help=f"Mine, not saved: {sessions.describe(conflict[1])}")


def _evidence(suggestion: suggestions.Suggestion) -> None:
    with st.container(border=True):
        st.markdown("**What the registers say**")
        if not suggestion.facts:
            st.caption("No register holds evidence for this requirement yet.")
        for fact in suggestion.facts:
            text_col, link_col = st.columns([7, 1], vertical_alignment="center")
            text_col.markdown(f"- {md_escape(fact.text)}")
            if fact.page:
                link_col.page_link(f"pages/{fact.page}.py", label="Open",
                                   icon=":material/open_in_new:",
                                   query_params=dict(fact.params) or None)
        if suggestion.not_applicable:
            st.info(md_escape(suggestion.text), icon=":material/block:")
        elif suggestion.level is not None:
            st.info(md_escape(suggestion.text) + " · you decide: the suggestion is saved "
                    "beside your answer, never as one.", icon=":material/auto_awesome:")
        else:
            st.caption("The registers do not say enough to suggest a level: decide from what "
                       "you know.")


def _level_buttons(session_id: int, question: bank.Question, answer: dict | None,
                   levels: tuple[bank.Level, ...], suggestion: suggestions.Suggestion,
                   next_id: str | None, who: Identity) -> None:
    version = None if answer is None else int(answer["version"])
    chosen = None if answer is None else (answer["level"] if answer["response"] == "level"
                                          else answer["response"])
    args = (session_id, question.id, version)
    # two a row: a level's name, the suggestion's icon and the key hint fit at 1280 px
    columns = [column for _ in range(3) for column in st.columns(2)]
    for column, level in zip(columns, levels, strict=True):
        suggested = suggestion.level == level.level
        column.button(f"{level.level} · {level.label}", key=_key(session_id, f"L{level.level}"),
                      type="primary" if chosen == level.level else "secondary",
                      icon=":material/auto_awesome:" if suggested else None,
                      help="Suggested from the registers" if suggested else None,
                      shortcut=str(level.level), width="stretch", disabled=not who.can_edit,
                      on_click=_answered,
                      args=(*args, "level", level.level, who.actor, suggestion, next_id))
        column.caption(level.meaning)
    columns = st.columns(3)
    for column, (code, label), shortcut in zip(columns, _ANSWER_LABELS.items(), ("D", "N"),
                                               strict=False):
        column.button(label, key=_key(session_id, code),
                      type="primary" if chosen == code else "secondary",
                      icon=":material/block:" if code == "not_applicable" and
                      suggestion.not_applicable else None,
                      help="Counted apart, never as 0", shortcut=shortcut, width="stretch",
                      disabled=not who.can_edit, on_click=_answered,
                      args=(*args, code, None, who.actor, suggestion, next_id))


def _navigation(session_id: int, questions: tuple[bank.Question, ...], index: int,
                answers: dict[str, dict], titles: dict[str, str]) -> None:
    ids = [q.id for q in questions]
    left, middle, right = st.columns([2, 3, 2], vertical_alignment="bottom")
    left.button("Previous", key=_key(session_id, "previous"), icon=":material/arrow_back:",
                disabled=index == 0, on_click=_go, args=(session_id, ids[max(index - 1, 0)]),
                shortcut="Left", width="stretch")
    answered = answers.get(ids[index], {}).get("response") is not None
    right.button("Next" if answered else "Skip", key=_key(session_id, "next"),
                 icon=":material/arrow_forward:", disabled=index == len(ids) - 1,
                 on_click=_go, args=(session_id, ids[min(index + 1, len(ids) - 1)]),
                 shortcut="Right", width="stretch")
    marks = {q.id: f"{_MARKS.get(answers.get(q.id, {}).get('response'), '○')} {q.id} "
                   f"{titles.get(q.requirement_id, '')}" for q in questions}
    st.session_state[_key(session_id, "jump")] = ids[index]
    middle.selectbox("Jump to a question (✓ level, ? don't know, – not applicable, "
                     "○ open)", ids, format_func=marks.get, key=_key(session_id, "jump"),
                     on_change=_jumped, args=(session_id,))


@st.fragment
def question_runner(session_id: int, mode: str, version: int, who: Identity) -> None:
    """One question of an open session, its evidence, the answer and the way on."""
    the_bank = bank.load(version)
    questions = the_bank.for_mode(mode)
    answers = cached(_answers, session_id)
    given = {q for q, a in answers.items() if a.get("response") is not None}
    index = _current(session_id, questions, given)
    question = questions[index]
    answer = answers.get(question.id)
    st.session_state[_key(session_id, f"seen_{question.id}")] = \
        None if answer is None else int(answer["version"])
    titles = cached(_titles)
    said = pd.Series([a.get("response") for a in answers.values()]).value_counts()
    st.progress(len(given) / len(questions),
                text=f"Question {index + 1} of {len(questions)} · {len(given)} answered "
                     f"({said.get('level', 0)} with a level, {said.get('dont_know', 0)} don't "
                     f"know, {said.get('not_applicable', 0)} not applicable)")
    outcome = st.session_state.pop(_key(session_id, "outcome"), None)
    show_outcome(outcome)
    _conflict(session_id, question.id, who.actor, who.can_edit)
    area = "Annex A objective" if question.is_objective else "Clause"
    st.caption(f"{area} {question.requirement_id} · "
               f"{md_escape(titles.get(question.requirement_id, ''))}"
               + (f" · thorough question {question.id}" if question.id != question.requirement_id
                  else ""))
    st.markdown(f"##### {md_escape(question.text)}")
    st.markdown(f"**Good evidence:** {md_escape(question.good_evidence)}")
    suggestion = cached(suggestions.suggest, question.requirement_id, today())
    _evidence(suggestion)
    version_seen = None if answer is None else int(answer["version"])
    note_col, link_col = st.columns([3, 2])
    for column, name, label, widget in (
            (note_col, "note", "Note (saved when you leave the field)", "area"),
            (link_col, "evidence_link", "Evidence link (a URL, document id or place)",
             "input")):
        key = _key(session_id, f"{name}_{question.id}_{version_seen}")
        if key not in st.session_state:
            st.session_state[key] = (answer or {}).get(name) or ""
        make = column.text_area if widget == "area" else column.text_input
        make(label, key=key, disabled=not who.can_edit, on_change=_text_changed,
             args=(session_id, question.id, version_seen, name, who.actor),
             **({"height": 80} if widget == "area" else {}))
    next_open = next((q.id for q in questions[index + 1:] if q.id not in given),
                     questions[index + 1].id if index + 1 < len(questions) else None)
    st.markdown("**Your answer** — saved at once, then the next open question follows "
                "(keys 0–5, D, N; ← → to move)")
    _level_buttons(session_id, question, answer, the_bank.levels, suggestion, next_open, who)
    if answer is not None and answer.get("response"):
        st.caption(f"Saved: {md_escape(sessions.describe(answer))}"
                   + (f" by {md_escape(answer['answered_by'])}" if answer.get("answered_by")
                      else ""))
    _navigation(session_id, questions, index, answers, titles)
