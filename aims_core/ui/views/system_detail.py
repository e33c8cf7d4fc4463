"""One AI system and everything linked to it: triage, risks, controls, KPIs, validations,
data sources and supplier."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from aims_core.auth.actor import Actor
from aims_core.inventory import triage
from aims_core.inventory.registers import (
    AI_DATA_SOURCES,
    EU_AI_ACT_CATEGORIES,
    LIFECYCLE_STAGES,
    SOURCING,
    VALIDATION_RESULTS,
)
from aims_core.inventory.revalidation import revalidation_schedule
from aims_core.performance import kpis
from aims_core.performance.kpi_status import STATUS_LABELS
from aims_core.records.writes import RowChange, apply_batches, apply_changes
from aims_core.risk.risk_method import RATED_RISKS_SQL
from aims_core.ui.editable_table import editable_table, invalidate, show_outcome
from aims_core.ui.navigation import id_param
from aims_core.ui.session import cached, current_identity, get_db, query, today
from aims_core.ui.text import md_escape

SYSTEM_PARAM = "system"


def _choose_system() -> dict[str, Any] | None:
    systems = query("SELECT id, name FROM ai_systems ORDER BY name")
    if systems.empty:
        return None
    names = {int(r.id): r.name for r in systems.itertuples()}
    wanted = id_param(SYSTEM_PARAM)
    ids = list(names)
    index = ids.index(wanted) if wanted in names else None
    chosen = st.selectbox("Open an AI system", ids, index=index, format_func=names.get,
                          placeholder="Choose a system to see everything linked to it",
                          key="system_detail_choice")
    if chosen is None:
        st.query_params.pop(SYSTEM_PARAM, None)
        return None
    st.query_params[SYSTEM_PARAM] = str(chosen)
    row = query("SELECT s.*, p.name AS supplier_name FROM ai_systems s "
                "LEFT JOIN suppliers p ON p.id = s.supplier_id WHERE s.id = ?", (chosen,))
    return row.iloc[0].to_dict()


def _blank(value: Any) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value))


def _facts(system: dict[str, Any]) -> None:
    def text(value: Any) -> str:
        if _blank(value):
            return "–"
        if isinstance(value, bool):
            return "Yes" if value else "No"
        return str(value)

    area = system["annex_iii_area"]
    facts = {
        "Purpose": system["purpose"], "Owner": system["owner"],
        "Department": system["department"],
        "Sourcing": SOURCING.get(system["sourcing"], system["sourcing"]),
        "Supplier": system["supplier_name"],
        "Life-cycle stage": LIFECYCLE_STAGES.get(system["lifecycle_stage"]),
        "Model version": system["model_version"],
        "EU AI Act category": EU_AI_ACT_CATEGORIES.get(system["eu_ai_act_category"]),
        "Annex III area": None if _blank(area) else triage.ANNEX_III_AREAS[str(int(area))],
        "Personal data": system["personal_data"],
        "Automated decisions": system["automated_decisions"],
        "Human oversight": system["human_oversight"],
        "Affected people": system["affected_people"],
        "Retired on": system["retired_on"],
    }
    rows = "\n".join(f"| {label} | {md_escape(text(value))} |" for label, value in facts.items())
    st.markdown(f"| Profile | |\n|---|---|\n{rows}")


def _latest_triage(system_id: int) -> pd.DataFrame:
    return query("SELECT * FROM triage_assessments WHERE ai_system_id = ? "
                 "ORDER BY assessed_on DESC, id DESC LIMIT 1", (system_id,))


def _show_triage(system_id: int) -> dict[str, Any]:
    latest = _latest_triage(system_id)
    if latest.empty:
        st.info("No EU AI Act triage recorded yet. Answer the questions below: the answers "
                "and the reasoning are kept as the reason for the category.",
                icon=":material/quiz:")
        return {}
    row = latest.iloc[0]
    try:
        answers = json.loads(row["answers_json"])
        result = triage.triage(answers)
    except (ValueError, TypeError, AttributeError) as exc:  # JSONDecodeError is a ValueError
        st.warning(f"The triage recorded on {row['assessed_on']:%d %b %Y} cannot be read "
                   f"({md_escape(exc)}): run the triage again below.", icon=":material/quiz:")
        return {}
    st.caption(f"Recorded on {row['assessed_on']:%d %b %Y} by {md_escape(row['assessed_by'])}")
    st.markdown(f"**Result: {EU_AI_ACT_CATEGORIES[result.category]}**"
                + (f" · Annex III area {result.annex_iii_area}" if result.annex_iii_area else ""))
    for reason in result.reasons:
        st.markdown(f"- {reason}")
    st.markdown("**Obligations and when they apply**")
    for duty in sorted(result.obligations, key=lambda o: o.applies_from):
        when = "in force since" if duty.applies_from <= today() else "applies from"
        st.markdown(f"- {duty.text} — *{duty.legal_basis}*, {when} "
                    f"**{duty.applies_from:%-d %b %Y}**")
    return answers


def _answer_widget(question: triage.Question, previous: Any, key: str) -> Any:
    options = list(question.options)
    labels = question.options.get
    if question.kind == "multi":
        default = [o for o in (previous or []) if o in options]
        return st.multiselect(question.text, options, default=default, format_func=labels,
                              help=question.help, key=key)
    index = options.index(previous) if previous in options else None
    return st.radio(question.text, options, index=index, format_func=labels,
                    help=question.help, key=key, horizontal=question.kind == "yesno")


def _question_key(system_id: int, question: triage.Question) -> str:
    return f"triage_{system_id}_{question.id}"


def _walk_questions(answer: Callable[[triage.Question], Any]) -> dict[str, Any]:
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


def _triage_questionnaire(system: dict[str, Any], previous: dict[str, Any]) -> None:
    system_id = int(system["id"])
    st.caption(triage.DISCLAIMER)
    _walk_questions(lambda q: _answer_widget(q, previous.get(q.id), _question_key(system_id, q)))
    who = current_identity()
    st.button("Save triage and set the category", type="primary", disabled=not who.can_edit,
              key=f"triage_save_{system_id}", on_click=_save_triage,
              args=(system_id, int(system["version"]), who.actor))
    if not who.can_edit:
        st.caption("Pick your name in the sidebar to record a triage.")


def _save_triage(system_id: int, version: int, who: Actor) -> None:
    """Save-button callback: record the answers and reasoning, set the system's category."""
    answers = _walk_questions(lambda q: st.session_state.get(_question_key(system_id, q)))
    outcome_key = f"_triage_outcome_{system_id}"
    try:
        result = triage.triage(answers)
    except ValueError as exc:
        st.session_state[outcome_key] = ("error", f"Not saved: {exc}")
        return
    record = RowChange("insert", {
        "ai_system_id": system_id, "assessed_on": today(), "assessed_by": who.name,
        "answers_json": json.dumps(answers, sort_keys=True), "category": result.category,
        "annex_iii_area": result.annex_iii_area, "reasoning": result.reasoning_text()})
    update = RowChange("update", {"eu_ai_act_category": result.category,
                                  "annex_iii_area": result.annex_iii_area},
                       row_id=system_id, expected_version=version)
    outcome = apply_batches(get_db(), [("triage_assessments", [record]),
                                       ("ai_systems", [update])], who)
    if outcome.ok:
        invalidate("ai_systems")  # the register shows the new category
        st.session_state[outcome_key] = (
            "success", f"Triage saved: {EU_AI_ACT_CATEGORIES[result.category]}.")
    else:
        st.session_state[outcome_key] = outcome


def _risks(system_id: int) -> None:
    risks = query(
        f"""SELECT r.id, r.title, r.owner, r.status, r.inherent_level, r.residual_level,
                   r.review_date, string_agg(rc.control_id, ', ' ORDER BY rc.control_id)
                       AS controls
            FROM ({RATED_RISKS_SQL}) r LEFT JOIN risk_controls rc ON rc.risk_id = r.id
            WHERE r.ai_system_id = ? GROUP BY ALL ORDER BY r.id""", (system_id,))
    if risks.empty:
        st.info("No risk is linked to this system yet.", icon=":material/info:")
        return
    st.dataframe(risks, hide_index=True, width="stretch", column_config={
        "id": "ID", "title": st.column_config.TextColumn("Risk", width="large"),
        "owner": "Owner", "status": "Status", "inherent_level": "Inherent",
        "residual_level": "Residual", "review_date": st.column_config.DateColumn("Review"),
        "controls": "Treating controls (Annex A)"})


def _kpis(system_id: int) -> None:
    status = cached(kpis.kpi_status, [system_id], None)
    if status.empty:
        st.info("No KPI measures this system yet (accuracy, drift, fairness ratio…).",
                icon=":material/info:")
        return
    st.page_link("pages/kpis.py", label="Trends and values on KPIs & objectives",
                 icon=":material/monitoring:")
    st.dataframe(
        status.assign(status_text=status["status"].map(STATUS_LABELS))[
            ["name", "status_text", "value", "unit", "measured_on", "target", "amber_threshold",
             "red_threshold"]],
        hide_index=True, width="stretch",
        column_config={"name": "KPI", "status_text": "Status", "value": "Latest",
                       "unit": "Unit", "measured_on": st.column_config.DateColumn("Measured on"),
                       "target": "Target", "amber_threshold": "Amber",
                       "red_threshold": "Red"})


def _validations(system: dict[str, Any]) -> None:
    schedule = cached(revalidation_schedule, today())
    mine = schedule[schedule["ai_system_id"] == system["id"]]
    if not mine.empty:
        row = mine.iloc[0]
        (st.error if row["overdue"] else st.success)(md_escape(row["reason"]),
                                                     icon=":material/event:")
    elif system["lifecycle_stage"] in ("design", "development"):
        st.caption("Not yet due: validation starts when the system reaches the validation "
                   "stage.")
    history = query("SELECT validated_on, validated_by, method, result, notes, evidence_link "
                    "FROM validations WHERE ai_system_id = ? ORDER BY validated_on DESC",
                    (system["id"],))
    if not history.empty:
        st.dataframe(history, hide_index=True, width="stretch", column_config={
            "validated_on": st.column_config.DateColumn("Date"), "validated_by": "By",
            "method": "Method", "result": "Result", "notes": "Notes",
            "evidence_link": "Evidence"})
    who = current_identity()
    system_id = int(system["id"])
    prefix = f"validation_{system_id}"
    show_outcome(st.session_state.pop(f"{prefix}_outcome", None))
    with st.form(prefix, clear_on_submit=True):
        st.markdown("**Record a validation**")
        cols = st.columns(3)
        cols[0].date_input("Validated on", value=today(), max_value=today(), key=f"{prefix}_on")
        cols[1].text_input("Validated by", value=who.name or "", key=f"{prefix}_by")
        cols[2].selectbox("Result", list(VALIDATION_RESULTS), format_func=VALIDATION_RESULTS.get,
                          key=f"{prefix}_result")
        st.text_input("Method", placeholder="e.g. hold-out test set, fairness review",
                      key=f"{prefix}_method")
        st.text_area("Notes", height=80, key=f"{prefix}_notes")
        st.text_input("Evidence link or reference", key=f"{prefix}_evidence")
        st.form_submit_button("Save validation", disabled=not who.can_edit,
                              on_click=_save_validation, args=(system_id, who.actor))


def _save_validation(system_id: int, who: Actor) -> None:
    """Form callback: the form's values are in session state under the form's prefix."""
    prefix = f"validation_{system_id}"
    values = {field: st.session_state.get(f"{prefix}_{key}") for field, key in (
        ("validated_on", "on"), ("validated_by", "by"), ("result", "result"),
        ("method", "method"), ("notes", "notes"), ("evidence_link", "evidence"))}
    result = apply_changes(
        get_db(), "validations",
        [RowChange("insert", {"ai_system_id": system_id, **values}, label="The validation")],
        who)
    st.session_state[f"{prefix}_outcome"] = (
        ("success", "Validation saved; the next due date has moved.") if result.ok else result)


def render() -> None:
    st.header("AI system detail")
    system = _choose_system()
    if system is None:
        return
    tabs = st.tabs(["Profile & EU AI Act", "Risks & controls", "KPIs", "Validations",
                    "Data sources"])
    with tabs[0]:
        left, right = st.columns([2, 3])
        with left:
            _facts(system)
        with right:
            st.subheader("EU AI Act triage")
            show_outcome(st.session_state.pop(f"_triage_outcome_{system['id']}", None))
            previous = _show_triage(int(system["id"]))
            with st.expander("Run the triage" + (" again" if previous else ""),
                             expanded=not previous):
                _triage_questionnaire(system, previous)
    with tabs[1]:
        _risks(int(system["id"]))
    with tabs[2]:
        _kpis(int(system["id"]))
    with tabs[3]:
        _validations(system)
    with tabs[4]:
        st.caption("Where the system's data comes from, whether it holds personal data and "
                   "how its quality is checked (A.7).")
        editable_table(
            AI_DATA_SOURCES,
            lambda: query("SELECT * FROM ai_data_sources WHERE ai_system_id = ? ORDER BY id",
                          (int(system["id"]),)),
            key=f"sources_{system['id']}", who=current_identity(),
            signature=str(system["id"]), fixed={"ai_system_id": int(system["id"])})
