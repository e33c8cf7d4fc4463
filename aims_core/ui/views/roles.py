"""Roles: AIMS roles and responsibilities (5.3, A.3.2), who holds each, their deputy, the
competences each role requires; filtered, paged, edited in place."""

from __future__ import annotations

import streamlit as st

from aims_core.inventory import systems
from aims_core.management_system import roles, training
from aims_core.management_system.registers import AIMS_ROLES
from aims_core.ui.downloads import spreadsheet_downloads
from aims_core.ui.editable_table import editable_table, invalidate, show_outcome, table_height
from aims_core.ui.paging import paged_rows
from aims_core.ui.session import Identity, cached, current_identity, get_db, today
from aims_core.ui.text import md_escape

PAGE_SIZE = 50
PEOPLE_SHOWN = 50
_CONTEXT = {"competences": st.column_config.TextColumn(
    "Competences required", help="Set below, per role")}
_ORDER = ["role", "holder", "deputy", "responsibilities", "ai_system_id", "works_with_ai",
          "assigned_on", "ended_on", "competences"]
_REQUIRED_OUTCOME = "_roles_required_outcome"


def _filters() -> roles.RoleFilter:
    cols = st.columns([3, 3, 2], vertical_alignment="bottom")
    search = cols[0].text_input("Search role or responsibilities", key="roles_search")
    people = cached(roles.people)
    person = cols[1].selectbox("Person (holder or deputy)", people, index=None,
                               key="roles_person", placeholder="Everyone")
    ended = cols[2].toggle("Show ended roles", key="roles_ended")
    return roles.RoleFilter(search, person, None, ended)


def _register(filters: roles.RoleFilter, who: Identity) -> None:
    shown, offset = paged_rows(
        roles.count, roles.register, (today(), filters), key="roles_page",
        page_size=PAGE_SIZE, noun=("role", "roles"), register_empty=cached(roles.total) == 0,
        first_steps="No roles yet. Add them in the empty row below: the AIMS owner and top "
        "management first, then the owner and the human-oversight operator of each AI "
        "system, the internal auditor and the data protection officer. Tick 'Operates or "
        "uses AI' for those who work with AI systems.")
    editable_table(AIMS_ROLES, lambda: shown, key="roles", who=who,
                   signature=f"{filters!r}|{offset}", context=_CONTEXT, column_order=_ORDER,
                   labels={"ai_system_id": cached(systems.names)},
                   height=table_height(min(len(shown) + 1, 16)))
    st.caption("One person can hold several roles; every role needs someone who holds it. "
               "A role that ends gets an end date and stays on record.")
    _required(shown, who)


def _required(shown: object, who: Identity) -> None:
    st.subheader("Competences a role requires")
    show_outcome(st.session_state.pop(_REQUIRED_OUTCOME, None))
    names = cached(training.competence_names)
    if shown.empty:
        return
    if not names:
        st.caption("Add courses and competences on the Training & competence page to "
                   "require them here.")
        return
    labels = cached(roles.labels, [int(i) for i in shown["id"]])
    cols = st.columns([2, 3], vertical_alignment="bottom")
    role_id = cols[0].selectbox("Role", list(labels), format_func=labels.get,
                                key="roles_required_role")
    existing = cached(roles.required, role_id)
    key = f"roles_required_{role_id}"
    cols[1].multiselect("Requires", list(names), format_func=names.get,
                        default=[int(c) for c in existing["competence_id"]], key=key,
                        placeholder="No competence required yet")
    missing = who.lacks("manage", "set what a role requires")
    st.button("Save required competences", key="roles_required_save",
              disabled=missing is not None, icon=":material/school:", help=missing,
              on_click=_save_required, args=(role_id, existing, key, who))


def _save_required(role_id: int, existing: object, key: str, who: Identity) -> None:
    result = roles.set_required(get_db(), role_id, existing, st.session_state[key], who.actor)
    st.session_state[_REQUIRED_OUTCOME] = ("success", "Required competences saved.") \
        if result.ok else result
    if result.ok:
        invalidate("roles")


def _who_holds_what() -> None:
    frame = cached(roles.by_person, today(), PEOPLE_SHOWN)
    with st.expander("Who holds what"):
        if frame.empty:
            st.caption("Nobody holds a role yet.")
            return
        st.dataframe(frame, hide_index=True, width="stretch", column_config={
            "person": "Person", "holds": st.column_config.TextColumn("Holds", width="large"),
            "deputises": "Deputy for", "roles": st.column_config.NumberColumn("Roles")})
        if len(frame) == PEOPLE_SHOWN:
            st.caption(f"The {PEOPLE_SHOWN} people with the most roles; filter the register "
                       "by person for anyone else.")


def render() -> None:
    st.title("Roles & responsibilities")
    st.caption("The AIMS roles (ISO/IEC 42001 5.3, A.3.2): who holds each, their deputy, "
               "what they are responsible for and the competences the role requires, which "
               "the Training & competence page checks. Organisational roles, not app "
               "permissions.")
    open_roles = cached(roles.unheld_standard_roles, today())
    if open_roles and cached(roles.total):
        st.info("Roles an AIMS usually needs that no current role names yet: "
                + ", ".join(md_escape(r) for r in open_roles) + ".", icon=":material/group_add:")
    who = current_identity()
    _register(_filters(), who)
    _who_holds_what()
    db, day = get_db(), today()
    spreadsheet_downloads("aims-roles", {"AIMS roles": lambda: roles.export(db, day)},
                          "roles_export", label="Roles")
