"""Training & competence (7.2, 7.3, A.4.6): who lacks or holds an expired competence their
role requires, by person and by role; training records with their expiry; the courses and
competences; and AI literacy coverage (EU AI Act Art. 4)."""

from __future__ import annotations

import streamlit as st

from aims_core.management_system import roles, training
from aims_core.management_system.registers import COMPETENCE_KINDS, COMPETENCES, TRAINING_RECORDS
from aims_core.ui.downloads import spreadsheet_downloads
from aims_core.ui.editable_table import editable_table, table_height
from aims_core.ui.paging import page_offset, paged_rows
from aims_core.ui.session import Identity, cached, current_identity, get_db, today

PAGE_SIZE = 50
TABS = ("Gaps", "Records", "Courses and competences", "AI literacy")
_RECORD_CONTEXT = {
    "expires_on": st.column_config.DateColumn("Expires on", help="Completed on + the "
                                              "competence's validity"),
    "state_label": st.column_config.TextColumn("State"),
}


def _tiles() -> None:
    coverage = cached(training.ai_literacy, today())
    counts = cached(training.gap_counts, today())
    tiles = st.columns(4)
    tiles[0].metric("AI literacy coverage", "–" if coverage.pct is None else
                    f"{coverage.pct:.0f} %", border=True,
                    help=f"{coverage.literate} of the {coverage.people} people who operate or "
                         "use AI systems hold a current AI literacy competence")
    tiles[1].metric("People with gaps", counts.people_with_gaps, border=True,
                    help="Lack, or hold expired, a competence a role of theirs requires")
    tiles[2].metric("Missing · expired", f"{counts.missing} · {counts.expired}", border=True,
                    help="Required competences never recorded · recorded but expired")
    tiles[3].metric(f"Expiring in {training.EXPIRING_DAYS} days", counts.expiring,
                    border=True, help="Required competences to renew soon (see the Schedule)")


def _gaps() -> None:
    counts = cached(training.gap_counts, today())
    if not cached(roles.total):
        st.info("No roles yet, so no competence can be missing. Add the AIMS roles on the "
                "Roles page, including who operates each AI system, and the competences each "
                "role requires.", icon=":material/lightbulb:")
        return
    if counts.people_with_gaps == 0:
        st.success("Everyone holds the competences their roles require.",
                   icon=":material/task_alt:")
        return
    view = st.segmented_control("Show gaps", ["By person", "By role"], default="By person",
                                key="training_gap_view", required=True)
    if view == "By role":
        total = cached(training.roles_with_gaps, today())
        offset = page_offset(total, PAGE_SIZE, "training_gap_roles")
        frame = cached(training.gaps_by_role, today(), PAGE_SIZE, offset)
        st.dataframe(frame, hide_index=True, width="stretch",
                     height=table_height(len(frame)), column_order=["role", "gaps", "who"],
                     column_config={"role": st.column_config.TextColumn("Role",
                                                                        width="medium"),
                                    "gaps": st.column_config.NumberColumn("Gaps"),
                                    "who": st.column_config.TextColumn("Who lacks what",
                                                                       width="large")})
        return
    offset = page_offset(counts.people_with_gaps, PAGE_SIZE, "training_gap_people")
    frame = cached(training.gaps_by_person, today(), PAGE_SIZE, offset)
    st.dataframe(frame, hide_index=True, width="stretch", height=table_height(len(frame)),
                 column_config={
                     "person": "Person",
                     "missing": st.column_config.NumberColumn("Missing", width="small"),
                     "expired": st.column_config.NumberColumn("Expired", width="small"),
                     "lacking": st.column_config.TextColumn("Competences lacking",
                                                            width="large"),
                     "roles": st.column_config.TextColumn("Their roles", width="medium")})


def _records(person: str | None, who: Identity) -> None:
    names = cached(training.competence_names)
    cols = st.columns([3, 2])
    chosen = cols[0].multiselect("Course or competence", list(names), format_func=names.get,
                                 key="training_competence", placeholder="Every competence")
    states = cols[1].multiselect("State", ["current", "expiring", "expired", "renewed"],
                                 format_func=training.STATES.get, key="training_state",
                                 placeholder="Every state")
    filters = training.RecordFilter(person, tuple(chosen), (), tuple(states))
    shown, offset = paged_rows(
        training.record_count, training.records, (today(), filters),
        key="training_records_page", page_size=PAGE_SIZE,
        noun=("training record", "training records"),
        register_empty=cached(training.record_count, today()) == 0,
        first_steps="No training records yet. Record who completed which course or "
        "competence, and when, in the empty row below, starting with the people who operate "
        "or use AI systems (AI literacy).")
    if not names:
        st.caption("Add the courses and competences first (tab 'Courses and competences').")
        return
    shown = shown.assign(state_label=shown["state"].map(training.STATES))
    editable_table(TRAINING_RECORDS, lambda: shown, key="training_records", who=who,
                   signature=f"{filters!r}|{offset}", labels={"competence_id": names},
                   context=_RECORD_CONTEXT,
                   column_order=["person", "competence_id", "completed_on", "expires_on",
                                 "state_label", "evidence_link", "notes"],
                   height=table_height(min(len(shown) + 1, 16)))
    db, day = get_db(), today()
    spreadsheet_downloads("training-records",
                          {"Training records": lambda: training.export_records(db, day)},
                          "training_records_export", label="Records")


def _competences(who: Identity) -> None:
    st.caption("The courses, certifications, awareness sessions and AI literacy training "
               "the organisation relies on. A validity in months makes records expire; "
               "leave it empty for a competence that does not.")
    frame = cached(training.competences)
    if frame.empty:
        st.info("No courses or competences yet. Start with AI literacy (EU AI Act Art. 4) "
                "for everyone who operates or uses AI systems, then what each role needs.",
                icon=":material/lightbulb:")
    editable_table(COMPETENCES, lambda: frame, key="competences", who=who,
                   context={"roles": st.column_config.NumberColumn("Roles requiring it"),
                            "people": st.column_config.NumberColumn("People with a record")},
                   column_order=[*COMPETENCES.field_names, "roles", "people"],
                   height=table_height(min(len(frame) + 1, 12)))
    st.caption("Kinds: " + ", ".join(COMPETENCE_KINDS.values()) + ".")


def _literacy() -> None:
    coverage = cached(training.ai_literacy, today())
    st.caption("EU AI Act Art. 4 (since 2 February 2025): providers and deployers take "
               "measures to support a sufficient level of AI literacy of their staff and of "
               "others who operate or use AI systems on their behalf. Counted here: holders "
               "and deputies of current roles marked 'Operates or uses AI', and the owners of "
               "AI systems in use. Covered: a current record of an AI literacy competence.")
    if coverage.people == 0:
        st.info("Nobody counts yet: add AI systems with their owners, or roles marked "
                "'Operates or uses AI' on the Roles page.", icon=":material/lightbulb:")
        return
    lacking = coverage.people - coverage.literate
    st.metric("Covered", f"{coverage.literate} of {coverage.people}",
              delta=f"{lacking} without" if lacking else None, delta_color="inverse",
              delta_arrow="off")
    only = st.toggle("Only people without AI literacy", value=bool(lacking),
                     key="training_literacy_only")
    total = cached(training.ai_people_count, today(), only)
    offset = page_offset(total, PAGE_SIZE, "training_literacy_page")
    frame = cached(training.ai_people, today(), only, PAGE_SIZE, offset)
    st.dataframe(frame.assign(literate=frame["literate"].map({True: "Yes", False: "No"})),
                 hide_index=True, width="stretch", height=table_height(len(frame)),
                 column_config={"person": "Person", "literate": "AI literacy current",
                                "why": st.column_config.TextColumn("Why they count",
                                                                   width="large")})
    st.caption("The computed KPI 'AI literacy coverage' records this share with each daily "
               "snapshot (KPIs page).")


def render() -> None:
    st.title("Training & competence")
    st.caption("Competence and awareness (ISO/IEC 42001 7.2, 7.3, A.4.6): the courses and "
               "competences, who completed what and until when it is valid, who lacks what "
               "their role requires, and AI literacy coverage. Expiries appear on the "
               "Schedule.")
    who = current_identity()
    _tiles()
    person = st.columns([2, 3])[0].selectbox(
        "Person", cached(roles.people), index=None, key="training_person",
        bind="query-params", placeholder="Everyone", help="Shows this person's gaps and records")
    if person:
        mine = cached(training.needs, today(), person)
        if not mine.empty:
            st.dataframe(mine.assign(state=mine["state"].map(training.STATES)),
                         hide_index=True, width="stretch",
                         column_order=["role", "capacity", "competence", "state",
                                       "completed_on", "expires_on"],
                         column_config={"role": "Role", "capacity": "As",
                                        "competence": "Requires", "state": "State",
                                        "completed_on": st.column_config.DateColumn(
                                            "Completed on"),
                                        "expires_on": st.column_config.DateColumn(
                                            "Expires on")})
    tabs = st.tabs(list(TABS), key="training_tab", bind="query-params")
    if tabs[0].open:
        with tabs[0]:
            _gaps()
            db, day = get_db(), today()
            spreadsheet_downloads(
                "competence-gaps", {"Competence needs": lambda: training.export_gaps(db, day)},
                "training_gaps_export", label="Needs and gaps")
    if tabs[1].open:
        with tabs[1]:
            _records(person, who)
    if tabs[2].open:
        with tabs[2]:
            _competences(who)
    if tabs[3].open:
        with tabs[3]:
            _literacy()
