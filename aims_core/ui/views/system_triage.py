"""The EU AI Act triage of one AI system on its detail view: the latest result (risk level,
roles with their own obligations and dates, reasons, the answers that led there) and the
questionnaire that records a new one."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from typing import Any

import streamlit as st

from aims_core.auth.actor import Actor
from aims_core.inventory import triage, triage_legacy, triage_records
from aims_core.inventory.registers import ANNEX_III_POINTS, EU_AI_ACT_CATEGORIES
from aims_core.inventory.triage_questionnaire import BY_ID, lower_first
from aims_core.management_system import organisation
from aims_core.ui.editable_table import invalidate, show_outcome
from aims_core.ui.session import cached, current_identity, get_db, today
from aims_core.ui.text import md_escape


def render(system: dict[str, Any]) -> None:
    system_id = int(system["id"])
    st.subheader("EU AI Act triage")
    show_outcome(st.session_state.pop(_outcome_key(system_id), None))
    stored = cached(triage_records.latest, system_id)
    if stored is None:
        st.info("No EU AI Act triage recorded yet. Answer the questions below, step by step "
                "as in the European Commission's compliance checker: the answers and the "
                "reasoning are kept as the reason for the category.", icon=":material/quiz:")
    else:
        _show(stored)
    with st.expander("Run the triage" + (" again" if stored else ""), expanded=stored is None):
        _questionnaire(system, stored)


def _when(day: date) -> str:
    return ("in force since" if day <= today() else "applies from") + f" **{day:%-d %b %Y}**"


def _show(stored: triage_records.StoredTriage) -> None:
    if stored.recheck:
        st.warning(f"{md_escape(stored.recheck)}: this triage answered the earlier "
                   "questionnaire, which treated every organisation as provider and deployer "
                   "alike and asked Annex III by area only. Run it again below (its answers are "
                   "filled in) to confirm the roles, the Annex III point and the duties of "
                   "each role.", icon=":material/history:")
    st.caption(f"Recorded on {stored.assessed_on:%-d %b %Y} by {md_escape(stored.assessed_by)}"
               f" · questionnaire version {stored.questionnaire_version}")
    result = stored.result
    if result is None:
        st.error(f"These stored answers can no longer be read: {md_escape(stored.problem)}. "
                 "Run the triage again.", icon=":material/error:")
        st.markdown(f"**Recorded result: {EU_AI_ACT_CATEGORIES.get(stored.category, '?')}**  \n"
                    f"{md_escape(stored.reasoning)}")
        return
    point = result.annex_iii_point
    st.markdown(f"**Likely risk level: {EU_AI_ACT_CATEGORIES[result.category]}**"
                + (f" · Annex III {md_escape(ANNEX_III_POINTS.get(point, point))}" if point
                   else ""))
    if result.roles:
        st.markdown("**Likely role:** " + "; ".join(
            f"{md_escape(r.label)} ({md_escape(r.basis)})" for r in result.roles))
    st.markdown("**Why**\n" + "\n".join(f"- {md_escape(reason)}" for reason in result.reasons))
    for outcome in result.roles:
        lines = [f"- **{md_escape(o.legal_basis)}** — {md_escape(o.text)} — {_when(o.applies_from)}"
                 for o in outcome.obligations] or \
            ["- No obligation under the Act falls on this role for this system."]
        st.markdown(f"**Obligations as {md_escape(lower_first(outcome.label))}**\n"
                    + "\n".join(lines))
    with st.expander("The answers that led here"):
        st.markdown("\n".join(f"- {md_escape(question)} — **{md_escape(answer)}**"
                              for question, answer in result.answered))
        if result.questionnaire_version != triage.QUESTIONNAIRE_VERSION:
            st.caption("Reasoning as recorded then: " + md_escape(stored.reasoning))
    st.caption(triage.DISCLAIMER)


# --- the questionnaire ------------------------------------------------------------------------
def _outcome_key(system_id: int) -> str:
    return f"_triage_outcome_{system_id}"


def question_key(system_id: int, question: triage.Question) -> str:
    """The widget key of a question; a question whose options depend on earlier answers
    (an Annex III area's points) gets a key per set of options, so a changed area starts
    its point afresh."""
    key = f"triage_{system_id}_{question.id}"
    if question.options.keys() != BY_ID[question.id].options.keys():
        key += "_" + hashlib.sha1("|".join(question.options).encode()).hexdigest()[:8]
    return key


def _widget(question: triage.Question, previous: Any, key: str) -> Any:
    options = list(question.options)
    label = question.options.get
    if question.kind == "multi":
        default = [o for o in (previous or []) if o in options]
        return st.multiselect(question.text, options, default=default, format_func=label,
                              help=question.help or None, key=key,
                              placeholder="Choose every one that applies")
    index = options.index(previous) if previous in options else None
    if len(options) > 6:
        return st.selectbox(question.text, options, index=index, format_func=label,
                            help=question.help or None, key=key, placeholder="Choose…")
    return st.radio(question.text, options, index=index, format_func=label,
                    help=question.help or None, key=key, horizontal=question.kind == "yesno")


def walk_questions(answer: Callable[[triage.Question], Any]) -> dict[str, Any]:
    """Ask the questions in order, each answer possibly revealing the next ones."""
    answers: dict[str, Any] = {}
    asked: set[str] = set()
    while pending := [q for q in triage.visible_questions(answers) if q.id not in asked]:
        for question in pending:
            asked.add(question.id)
            value = answer(question)
            if value not in (None, []):
                answers[question.id] = value
    return answers


def _prefill(system: dict[str, Any],
             stored: triage_records.StoredTriage | None) -> tuple[dict[str, Any], str | None]:
    """Answers to start from (the latest triage's, converted when it is from the earlier
    questionnaire), else the roles defaulted from the profile and sourcing, and why."""
    if stored is not None:
        answers = stored.answers
        if stored.questionnaire_version != triage.QUESTIONNAIRE_VERSION:
            answers = triage_legacy.from_v1(answers)
        return answers, None
    roles, why = triage.default_roles(cached(organisation.ai_roles), system["sourcing"])
    return {"roles": roles}, why


def _questionnaire(system: dict[str, Any], stored: triage_records.StoredTriage | None) -> None:
    system_id = int(system["id"])
    previous, roles_why = _prefill(system, stored)
    st.caption(triage.DISCLAIMER)
    steps: list[str] = []

    def ask(question: triage.Question) -> Any:
        if not steps or steps[-1] != question.step:
            steps.append(question.step)
            st.markdown(f"**{question.step}**")
        value = _widget(question, previous.get(question.id), question_key(system_id, question))
        if question.id == "roles" and roles_why:
            st.caption(roles_why)
        return value

    walk_questions(ask)
    who = current_identity()
    st.button("Save triage and set the category", type="primary", disabled=not who.can_edit,
              key=f"triage_save_{system_id}", on_click=_save,
              args=(system_id, int(system["version"]), who.actor))
    if not who.can_edit:
        st.caption("Pick your name in the sidebar to record a triage.")


def _save(system_id: int, version: int, who: Actor) -> None:
    """Save-button callback: record the answers, result and obligations, set the category."""
    answers = walk_questions(lambda q: st.session_state.get(question_key(system_id, q)))
    try:
        result, written = triage_records.record_triage(get_db(), system_id, version, answers,
                                                       who, today())
    except triage.TriageError as exc:
        st.session_state[_outcome_key(system_id)] = (
            "error", f"Not saved: {md_escape(exc)}. Your answers are still below.")
        return
    if written.ok:
        invalidate("ai_systems")  # the register shows the new category
        roles = ", ".join(lower_first(r.label) for r in result.roles) or "no role asked"
        st.session_state[_outcome_key(system_id)] = (
            "success", f"Triage saved: {EU_AI_ACT_CATEGORIES[result.category]} ({roles}).")
    else:
        st.session_state[_outcome_key(system_id)] = written
