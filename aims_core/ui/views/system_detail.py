"""One AI system and everything linked to it: triage, risks, controls, KPIs, validations,
data sources and supplier. The reads live in ``aims_core.inventory.systems``."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from aims_core.auth.actor import Actor
from aims_core.inventory import systems
from aims_core.inventory.registers import (
    AI_DATA_SOURCES,
    ANNEX_III_POINTS,
    EU_AI_ACT_CATEGORIES,
    LIFECYCLE_STAGES,
    SOURCING,
    VALIDATION_RESULTS,
)
from aims_core.inventory.revalidation import revalidation_schedule
from aims_core.inventory.triage import ANNEX_III_AREAS
from aims_core.performance import kpis
from aims_core.performance.kpi_status import STATUS_LABELS
from aims_core.risk import risks as risk_register
from aims_core.ui.editable_table import editable_table, show_outcome
from aims_core.ui.navigation import id_param
from aims_core.ui.people_picker import person_select
from aims_core.ui.pickers import LIST_ALL, search_text
from aims_core.ui.session import cached, current_identity, get_db, today
from aims_core.ui.text import md_escape
from aims_core.ui.views import system_triage

SYSTEM_PARAM = "system"


def _choose_system() -> dict[str, Any] | None:
    """The system opened: picked from every name while they are few, else from the names a
    search finds (a link's ``?system=`` and the current choice always stay offered)."""
    total = cached(systems.pickable_count)
    if total == 0:
        return None
    wanted = id_param(SYSTEM_PARAM)
    linked = (wanted,) if wanted is not None else ()
    chosen_before = st.session_state.get("system_detail_choice")
    kept = linked + ((int(chosen_before),) if chosen_before is not None else ())
    find, pick = st.columns([2, 3], vertical_alignment="bottom") if total > LIST_ALL \
        else (st.container(), st.container())
    with find:
        search = search_text("system_detail", total, "AI systems")
    names = cached(systems.names, search, kept)
    ids = list(names)
    index = ids.index(linked[0]) if linked and linked[0] in names else None
    chosen = pick.selectbox(
        "Open an AI system", ids, index=index, format_func=names.get,
        placeholder="Choose a system to see everything linked to it",
        key="system_detail_choice")
    if chosen is None:
        st.query_params.pop(SYSTEM_PARAM, None)
        return None
    st.query_params[SYSTEM_PARAM] = str(chosen)
    return cached(systems.one, int(chosen))


def _blank(value: Any) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value))


def _facts(system: dict[str, Any]) -> None:
    def text(value: Any) -> str:
        if _blank(value):
            return "–"
        if isinstance(value, bool):
            return "Yes" if value else "No"
        return str(value)

    area, point = system["annex_iii_area"], system["annex_iii_point"]
    facts = {
        "Purpose": system["purpose"], "Owner": system["owner"],
        "Department": system["department"],
        "Sourcing": SOURCING.get(system["sourcing"], system["sourcing"]),
        "Supplier": system["supplier_name"],
        "Life-cycle stage": LIFECYCLE_STAGES.get(system["lifecycle_stage"]),
        "Model version": system["model_version"],
        "EU AI Act category": EU_AI_ACT_CATEGORIES.get(system["eu_ai_act_category"]),
        "Annex III area": None if _blank(area) else ANNEX_III_AREAS[str(int(area))],
        "Annex III point": None if _blank(point) else ANNEX_III_POINTS.get(point, point),
        "Personal data": system["personal_data"],
        "Automated decisions": system["automated_decisions"],
        "Human oversight": system["human_oversight"],
        "Affected people": system["affected_people"],
        "Retired on": system["retired_on"],
    }
    rows = "\n".join(f"| {label} | {md_escape(text(value))} |" for label, value in facts.items())
    st.markdown(f"| Profile | |\n|---|---|\n{rows}")


def _risks(system_id: int) -> None:
    risks = cached(risk_register.of_system, system_id)
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
    mine = cached(revalidation_schedule, today(), [int(system["id"])])
    if not mine.empty:
        row = mine.iloc[0]
        (st.error if row["overdue"] else st.success)(md_escape(row["reason"]),
                                                     icon=":material/event:")
    elif system["lifecycle_stage"] in ("design", "development"):
        st.caption("Not yet due: validation starts when the system reaches the validation "
                   "stage.")
    history = cached(systems.validation_history, int(system["id"]))
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
        person_select("Validated by", key=f"{prefix}_by", default=who.name, where=cols[1])
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
    result = systems.record_validation(get_db(), system_id, values, who)
    if not result.ok:
        st.session_state[f"{prefix}_outcome"] = result
    elif values["result"] == "pass":
        st.session_state[f"{prefix}_outcome"] = (
            "success", "Validation saved; the next due date has moved.")
    else:
        st.session_state[f"{prefix}_outcome"] = (
            "warning", "Validation saved. It did not pass, so the system stays due now until "
                       "a passing validation is recorded.")


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
            system_triage.render(system)
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
            lambda: cached(systems.data_sources, int(system["id"])),
            key=f"sources_{system['id']}", who=current_identity(),
            signature=str(system["id"]), fixed={"ai_system_id": int(system["id"])})
