"""Incidents (ISO/IEC 42001 A.8.4, A.3.3): record an incident, see its legal reporting
deadlines and the re-validation it triggers, raise a nonconformity from it, track its
actions. The register is filtered and paged in DuckDB like the risk register."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from aims_core.auth.actor import Actor
from aims_core.improvement import exports, incidents, legal_clocks, nonconformities
from aims_core.improvement.audits import requirement_choices
from aims_core.improvement.figures import figures
from aims_core.improvement.registers import (
    HARM_TYPES,
    INCIDENT_STATUSES,
    INCIDENTS,
    NC_GRADES,
    SERIOUSNESS,
    SEVERITIES,
)
from aims_core.inventory import systems as inventory_systems
from aims_core.inventory.revalidation import revalidation_schedule
from aims_core.records.writes import RowProblem, WriteResult
from aims_core.storage.filters import ColumnFilter
from aims_core.ui.actions_panel import actions_panel
from aims_core.ui.downloads import spreadsheet_downloads
from aims_core.ui.editable_table import editable_table, invalidate, shown_rows
from aims_core.ui.forms import FormKeys
from aims_core.ui.paging import page_height, page_offset, show_count
from aims_core.ui.pickers import open_record, search_text
from aims_core.ui.session import Identity, cached, current_identity, get_db, today
from aims_core.ui.text import md_escape

PAGE_SIZE = 100
TABLE = "incidents"
PICKER = "incidents_open_choice"
ORG_WIDE_LABEL = "Organisation-wide (no single AI system)"
COLUMNS = ["title", "ai_system_id", "detected_on", "severity", "harm_type", "status", "owner",
           "reporting", "serious_incident", "personal_data_breach", "ai_act_reported_on",
           "gdpr_reported_on", "occurred_on", "reported_by", "people_affected", "closed_on",
           "description", "immediate_action", "root_cause", "lessons_learned"]
_STATES = {"running": st.warning, "overdue": st.error, "reported on time": st.success,
           "reported late": st.warning}


def _tiles() -> None:
    counts = cached(figures, today())
    running = cached(legal_clocks.running, today())
    tiles = st.columns(4)
    tiles[0].metric("Open incidents", counts.incidents_open, border=True,
                    help="Open, investigating or contained")
    tiles[1].metric("Critical or high, open", counts.open_by_severity["critical"]
                    + counts.open_by_severity["high"], border=True)
    tiles[2].metric("Deadlines running", len(running), border=True,
                    help="EU AI Act (Art. 73, 26(5)) and GDPR Art. 33 clocks with no "
                         "reported-on date yet")
    tiles[3].metric("Deadlines passed", int(running["overdue"].sum()), border=True)


def _system_choices(key: str, chosen: object) -> dict[int, str]:
    """Every AI system while they are few, else those a search finds (its box keyed
    ``<key>_find``), with the ``chosen`` ones kept."""
    kept = tuple(int(i) for i in (chosen if isinstance(chosen, list | tuple) else [chosen])
                 if isinstance(i, int) and i != incidents.ORG_WIDE)
    search = search_text(key, cached(inventory_systems.pickable_count), "AI systems")
    return cached(inventory_systems.names, search, kept)


def _record_form(who: Identity, expanded: bool) -> None:
    form = FormKeys("incident_new")
    form.show_outcome()
    with st.expander("Record an incident", expanded=expanded, icon=":material/add_alert:"):
        st.caption("What happened, when you became aware of it and how bad it is. Legal "
                   "reporting clocks count from the day of awareness.")
        systems = _system_choices("incident_new_system",
                                  st.session_state.get(form.key("ai_system_id")))
        options = [incidents.ORG_WIDE, *systems]
        cols = st.columns([3, 3])
        cols[0].selectbox("AI system", options, index=None, key=form.key("ai_system_id"),
                          format_func=lambda i: ORG_WIDE_LABEL if i == incidents.ORG_WIDE
                          else systems[i], placeholder="Choose the AI system involved")
        cols[1].text_input("What happened (title)", max_chars=300, key=form.key("title"))
        cols = st.columns(4)
        cols[0].date_input("Detected on (aware)", value=today(), max_value=today(),
                           format="YYYY-MM-DD", key=form.key("detected_on"))
        cols[1].date_input("Occurred on", value=None, max_value=today(), format="YYYY-MM-DD",
                           key=form.key("occurred_on"))
        cols[2].text_input("Reported by", key=form.default("reported_by", who.name or ""))
        cols[3].text_input("Incident owner", key=form.default("owner", who.name or ""))
        cols = st.columns(4)
        cols[0].selectbox("Severity", list(SEVERITIES), index=None, format_func=SEVERITIES.get,
                          key=form.key("severity"), placeholder="Choose")
        cols[1].selectbox("Harm type", list(HARM_TYPES), index=None, format_func=HARM_TYPES.get,
                          key=form.key("harm_type"), placeholder="Choose")
        cols[2].number_input("People affected", min_value=0, value=None, step=1,
                             key=form.key("people_affected"))
        cols[3].selectbox("Serious incident (EU AI Act)", list(SERIOUSNESS), index=None,
                          format_func=SERIOUSNESS.get, key=form.key("serious_incident"),
                          placeholder="Not assessed yet",
                          help=INCIDENTS.field("serious_incident").help)
        st.checkbox("Personal-data breach (GDPR Art. 33: 72 hours to notify)",
                    key=form.key("personal_data_breach"),
                    help=INCIDENTS.field("personal_data_breach").help)
        cols = st.columns(2)
        cols[0].text_area("Description", height=90, key=form.key("description"))
        cols[1].text_area("Immediate action", height=90, key=form.key("immediate_action"))
        st.button("Record the incident", type="primary", icon=":material/save:",
                  key="incident_new_go", disabled=not who.can_edit, on_click=_record,
                  args=(form, who.actor))
        if not who.can_edit:
            st.caption("Pick your name in the sidebar to record an incident.")


def _record(form: FormKeys, actor: Actor) -> None:
    values = form.values("ai_system_id", "title", "detected_on", "occurred_on", "reported_by",
                         "owner", "severity", "harm_type", "people_affected",
                         "serious_incident", "personal_data_breach", "description",
                         "immediate_action")
    if values["ai_system_id"] is None:
        form.leave(WriteResult(errors=[RowProblem(
            "The incident", "AI system", f"choose the system involved, or {ORG_WIDE_LABEL}")]))
        return
    if values["ai_system_id"] == incidents.ORG_WIDE:
        values["ai_system_id"] = None
    db = get_db()
    result = incidents.record(db, actor, {**values, "status": "open"})
    if not form.finish(result, _recorded_message(result)):
        return
    new_id = result.inserted[0]
    st.session_state[PICKER] = new_id
    st.query_params["incident"] = str(new_id)
    invalidate(TABLE)


def _recorded_message(result: WriteResult) -> str:
    if not result.ok:
        return ""
    new_id = result.inserted[0]
    db = get_db()
    text = f"Incident #{new_id} recorded."
    for clock in legal_clocks.reporting(db, [new_id])[new_id].clocks:
        text += f" {clock.law} deadline: {clock.deadline:%-d %b %Y} (on the Schedule)."
    incident = incidents.one(db, new_id)
    if incident and pd.notna(incident["ai_system"]):
        text += f" {incident['ai_system']} is due for re-validation now."
    return text


def _filters(who: Identity) -> tuple[ColumnFilter, str | None]:
    top = st.columns([3, 2, 2, 2], vertical_alignment="bottom")
    with top[0]:
        names = {incidents.ORG_WIDE: "Organisation-wide",
                 **_system_choices("incidents_system", st.session_state.get("incidents_system"))}
        chosen = st.multiselect("AI system", list(names), format_func=names.get,
                                key="incidents_system")
    severity = top[1].multiselect("Severity", list(SEVERITIES), format_func=SEVERITIES.get,
                                  key="incidents_severity", bind="query-params")
    status = top[2].multiselect("Status", list(INCIDENT_STATUSES),
                                format_func=INCIDENT_STATUSES.get, key="incidents_status",
                                bind="query-params")
    harm = top[3].multiselect("Harm type", list(HARM_TYPES), format_func=HARM_TYPES.get,
                              key="incidents_harm")
    row = st.columns([2, 2, 3], vertical_alignment="bottom")
    owner = row[0].multiselect("Owner", cached(incidents.people), key="incidents_owner")
    mine = row[1].toggle("My incidents first", value=True, key="incidents_mine_first",
                         help="Your incidents on top (pick your name in the sidebar)")
    return (ColumnFilter.of(system_key=chosen, severity=severity, status=status,
                            harm_type=harm, owner=owner),
            who.name if mine and who.name else None)


def _load(filters: ColumnFilter, me: str | None, offset: int) -> pd.DataFrame:
    db = get_db()
    frame = incidents.register(db, filters, me=me, limit=PAGE_SIZE, offset=offset)
    reports = legal_clocks.reporting(db, [int(i) for i in frame["id"]])
    frame["reporting"] = [legal_clocks.summary(reports[int(i)], today()) if int(i) in reports
                          else "" for i in frame["id"]]
    return frame


def _register(systems: dict[int, str], who: Identity) -> pd.DataFrame:
    filters, me = _filters(who)
    total = cached(incidents.count, filters)
    offset = page_offset(total, PAGE_SIZE, "incidents_page")
    show_count(total, offset, PAGE_SIZE, ("incident", "incidents"),
               register_empty=not cached(incidents.count, ColumnFilter()),
               first_steps="No incident recorded yet. Record the first with the form above "
               "(or in the table's empty row): any event where an AI system caused or nearly "
               "caused harm, a complaint about an AI decision, a concern raised by staff "
               "(A.3.3). Leave the AI system empty for an organisation-wide incident.")
    editable_table(
        INCIDENTS, lambda: _load(filters, me, offset), key=TABLE, who=who,
        signature=repr((filters, me, offset)), column_order=COLUMNS,
        labels={"ai_system_id": systems},
        context={"reporting": st.column_config.TextColumn(
            "Reporting deadlines", help="Legal clocks from the day of awareness; open the "
            "incident below for who reports to whom")},
        height=page_height(total, offset, PAGE_SIZE, add_row=True))
    return shown_rows(TABLE)


def _clocks(incident: dict[str, Any], who: Identity) -> None:
    incident_id = int(incident["id"])
    report = cached(legal_clocks.reporting, [incident_id])[incident_id]
    st.subheader("Reporting deadlines")
    for note in report.notes:
        st.info(note, icon=":material/gavel:")
    if not report.clocks and not report.notes:
        st.caption("No legal reporting clock: not a serious incident under the EU AI Act on "
                   "a high-risk system, and no personal-data breach to notify.")
    for clock in report.clocks:
        state = clock.state(today())
        stop = f" Reported on {clock.reported_on:%-d %b %Y}." if clock.reported_on else ""
        form = FormKeys(f"incident_report_{incident_id}_{clock.reported_field}")
        form.show_outcome()
        _STATES[state](f"**{clock.law}** — {clock.duty}, within {clock.period} of awareness "
                       f"({clock.aware_on:%-d %b %Y}): deadline **{clock.deadline:%-d %b %Y}**"
                       f", {state}. {clock.force_note()}{stop}", icon=":material/timer:")
        if clock.reported_on is None:
            _report_form(form, incident, clock.reported_field, who)


def _report_form(form: FormKeys, incident: dict[str, Any], field: str, who: Identity) -> None:
    """The day the report was made: it stops the clock."""
    incident_id = int(incident["id"])
    cols = st.columns([2, 2], vertical_alignment="bottom")
    cols[0].date_input(INCIDENTS.field(field).label, value=today(), max_value=today(),
                       format="YYYY-MM-DD", key=form.key("day"))
    cols[1].button("Record the report", key=f"incident_report_{incident_id}_{field}_go",
                   icon=":material/outgoing_mail:", disabled=not who.can_edit,
                   on_click=_save_report,
                   args=(form, incident_id, int(incident["version"]), field, who.actor))


def _save_report(form: FormKeys, incident_id: int, version: int, field: str,
                 actor: Actor) -> None:
    result = incidents.record_report(get_db(), actor, incident_id, version, field,
                                     form.values("day")["day"])
    if form.finish(result, "Report recorded: the clock has stopped."):
        invalidate(TABLE)


def _revalidation(incident: dict[str, Any]) -> None:
    if pd.isna(incident["ai_system_id"]):
        return
    system_id = int(incident["ai_system_id"])
    schedule = cached(revalidation_schedule, today())
    mine = schedule[schedule["ai_system_id"] == system_id]
    st.subheader("Re-validation")
    if mine.empty:
        st.caption("The system is not in a validated life-cycle stage, so no re-validation "
                   "is scheduled.")
    else:
        row = mine.iloc[0]
        (st.error if row["overdue"] else st.success)(md_escape(row["reason"]),
                                                     icon=":material/event:")
    st.page_link("pages/ai_systems.py", label=f"Open {md_escape(incident['ai_system'])}",
                 icon=":material/smart_toy:", query_params={"system": str(system_id)})


def _nonconformity(incident: dict[str, Any], who: Identity) -> None:
    st.subheader("Nonconformity (10.2)")
    incident_id = int(incident["id"])
    form = FormKeys(f"incident_nc_{incident_id}")
    form.show_outcome()
    existing = cached(nonconformities.raised_from, "incidents", incident_id)
    if existing is not None:
        st.page_link("pages/nonconformities.py", label=f"Raised as nonconformity #{existing}",
                     icon=":material/report:", query_params={"nc": str(existing)})
        return
    st.caption("If the incident shows that a requirement was not met, raise a nonconformity: "
               "it is pre-filled from the incident and stays linked to it.")
    choices = cached(requirement_choices)
    cols = st.columns(2)
    cols[0].text_input("Owner", key=form.default("owner", incident["owner"]))
    cols[1].selectbox("Grade", list(NC_GRADES), format_func=NC_GRADES.get,
                      index=0 if incident["severity"] in ("high", "critical") else 1,
                      key=form.key("grade"))
    st.selectbox("Clause or control not met", list(choices), index=None,
                 format_func=choices.get, key=form.key("requirement_id"),
                 placeholder="Optional")
    st.button("Raise a nonconformity", key=f"incident_nc_{incident_id}_go",
              icon=":material/report:", disabled=not who.can_edit, on_click=_raise,
              args=(form, incident_id, who.actor))


def _raise(form: FormKeys, incident_id: int, actor: Actor) -> None:
    values = form.values("owner", "grade", "requirement_id")
    result = nonconformities.raise_from_incident(get_db(), actor, incident_id,
                                                 values["owner"], values["grade"], today(),
                                                 values["requirement_id"])
    form.finish(result, f"Raised as nonconformity #{result.inserted[0]}: plan its corrective "
                        "actions on the Nonconformities page." if result.ok else "")


def _detail(shown: pd.DataFrame, who: Identity) -> None:
    st.header("One incident: deadlines, re-validation, nonconformity and actions")
    incident = open_record(shown, lambda i: cached(incidents.one, i), noun="incident",
                           param="incident", key=PICKER, listed_in="register")
    if incident is None:
        return
    chosen = int(incident["id"])
    where = md_escape(incident["ai_system"]) if pd.notna(incident["ai_system"]) \
        else "Organisation-wide"
    st.markdown(f"**{md_escape(incident['title'])}** · {where} · "
                f"{SEVERITIES[incident['severity']]} · {INCIDENT_STATUSES[incident['status']]}"
                f" · detected {incident['detected_on']:%-d %b %Y}")
    left, right = st.columns(2, gap="large")
    with left:
        _clocks(incident, who)
        _revalidation(incident)
    with right:
        _nonconformity(incident, who)
    st.subheader("Actions")
    actions_panel("incident", chosen, owner=incident["owner"], key=f"incident_{chosen}")


def render() -> None:
    st.title("Incidents")
    st.caption("AI incidents and concerns (ISO/IEC 42001 A.8.4, A.3.3): what happened, to "
               "whom, what was done. Serious incidents on EU AI Act high-risk systems and "
               "personal-data breaches get their legal reporting deadlines (AI Act Art. 73, "
               "GDPR Art. 33), and an incident makes its AI system due for re-validation now.")
    who = current_identity()
    systems = cached(inventory_systems.names)  # the table's column offers those listed
    empty = not cached(incidents.count, ColumnFilter())
    if not systems:
        st.info("No AI systems yet: add them on the AI systems page so that incidents can "
                "name the system involved (and its legal deadlines follow from its EU AI Act "
                "triage). Organisation-wide incidents can be recorded now.",
                icon=":material/lightbulb:")
    _tiles()
    _record_form(who, expanded=empty)
    st.subheader("Register")
    shown = _register(systems, who)
    spreadsheet_downloads("incidents", {"Incidents": lambda: cached(
        exports.incident_register, today())}, key="incidents_export")
    st.divider()
    _detail(shown, who)
