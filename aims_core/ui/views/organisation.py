"""Organisation: the profile, the AIMS scope (4.3) and the AI roles the organisation plays,
edited in one form through the one write path."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from aims_core.management_system import organisation
from aims_core.management_system.registers import AI_ROLE_SHORT, AI_ROLES, ORGANISATION, SIZE_BANDS
from aims_core.records.fields import split_codes
from aims_core.records.history import field_changes
from aims_core.ui.downloads import spreadsheet_downloads
from aims_core.ui.editable_table import show_outcome
from aims_core.ui.session import Identity, cached, current_identity, get_db
from aims_core.ui.text import md_escape

OUTCOME = "_organisation_outcome"
# What each role means for the management system (our own summary; not legal advice).
ROLE_MEANING = {
    "developer": "You design, train or build AI systems: the A.6 life-cycle controls apply.",
    "provider": "You place AI systems on the market or put them into service under your own "
                "name: EU AI Act provider duties; the SoA suggests A.10.4 (customers).",
    "deployer": "You use AI systems under your authority: EU AI Act deployer duties "
                "(Art. 26), AI literacy of staff (Art. 4).",
    "importer": "You place in the EU an AI system of a provider established outside it "
                "(EU AI Act Art. 23).",
    "distributor": "You make other parties' AI systems available without changing them "
                   "(EU AI Act Art. 24).",
    "customer": "You buy or use AI products and services: supplier controls (A.10.3).",
    "data_provider": "You supply data that others use to build or run AI systems: data "
                     "controls (A.7).",
}
_TEXT = ("name", "sector", "countries", "scope_statement", "in_scope", "out_of_scope",
         "exclusion_reasons")


def _key(name: str, version: int) -> str:
    """Widget keys carry the row version: after a save the form starts from the stored
    profile, after a refused save it keeps what was typed."""
    return f"org_{name}_v{version}"


def _value(current: dict[str, Any] | None, name: str) -> Any:
    return (current or {}).get(name)


def _form(current: dict[str, Any] | None, who: Identity) -> None:
    version = int(current["version"]) if current else 0
    label = {f.name: f.label for f in ORGANISATION.fields}
    helps = {f.name: f.help for f in ORGANISATION.fields}
    with st.form("organisation_profile", enter_to_submit=False):
        st.subheader("Who the organisation is")
        top = st.columns([3, 2])
        top[0].text_input(label["name"], value=_value(current, "name") or "",
                          key=_key("name", version), placeholder="e.g. Example Finance Ltd")
        top[1].text_input(label["sector"], value=_value(current, "sector") or "",
                          key=_key("sector", version), placeholder="e.g. Consumer finance")
        row = st.columns([2, 3])
        bands = list(SIZE_BANDS)
        size = _value(current, "size_band")
        row[0].selectbox(label["size_band"], bands, format_func=SIZE_BANDS.get,
                         index=bands.index(size) if size in bands else None,
                         placeholder="Staff headcount", key=_key("size_band", version))
        row[1].text_input(label["countries"], value=_value(current, "countries") or "",
                          key=_key("countries", version),
                          placeholder="e.g. Ireland, Germany, United Kingdom")
        eu = st.columns(2)
        eu[0].checkbox(label["established_in_eu"], value=bool(_value(current,
                                                                    "established_in_eu")),
                       key=_key("established_in_eu", version))
        eu[1].checkbox(label["eu_market"], value=bool(_value(current, "eu_market")),
                       help=helps["eu_market"], key=_key("eu_market", version))
        st.multiselect(label["ai_roles"], list(AI_ROLES), format_func=AI_ROLES.get,
                       default=[c for c in split_codes(_value(current, "ai_roles"))
                                if c in AI_ROLES],
                       key=_key("ai_roles", version), help=helps["ai_roles"],
                       placeholder="Pick every role the organisation plays")
        st.subheader("Scope of the AI management system (4.3)")
        st.text_area(label["scope_statement"], value=_value(current, "scope_statement") or "",
                     key=_key("scope_statement", version), height=90,
                     placeholder="What the AIMS covers: the organisation, its AI activities "
                                 "and AI systems")
        scope = st.columns(3)
        for column, name in zip(scope, ("in_scope", "out_of_scope", "exclusion_reasons"),
                                strict=True):
            column.text_area(label[name], value=_value(current, name) or "", height=150,
                             key=_key(name, version), help=helps[name])
        dates = st.columns([1, 1, 2])
        dates[0].date_input(label["scope_reviewed_on"],
                            value=_value(current, "scope_reviewed_on"), format="YYYY-MM-DD",
                            key=_key("scope_reviewed_on", version))
        dates[1].date_input(label["next_review"], value=_value(current, "next_review"),
                            format="YYYY-MM-DD", key=_key("next_review", version))
        missing = who.lacks("manage", "change the profile")
        st.form_submit_button("Save the profile", type="primary", icon=":material/save:",
                              disabled=missing is not None, on_click=_save,
                              args=(current, who))
    show_outcome(st.session_state.pop(OUTCOME, None))  # next to the button just pressed
    if missing:
        st.caption(missing)


def _save(current: dict[str, Any] | None, who: Identity) -> None:
    version = int(current["version"]) if current else 0
    state = st.session_state
    values = {name: state.get(_key(name, version)) for name in
              (*_TEXT, "size_band", "established_in_eu", "eu_market", "ai_roles",
               "scope_reviewed_on", "next_review")}
    row_id = int(current["id"]) if current else None
    result = organisation.save_profile(get_db(), values, version or None, who.actor, row_id)
    state[OUTCOME] = ("success", "Profile saved.") if result.ok else result


def _roles_explained(current: dict[str, Any] | None) -> None:
    declared = set(split_codes(_value(current, "ai_roles")))
    st.subheader("The AI roles and what follows from them")
    st.table(pd.DataFrame({  # our own text only: st.table renders Markdown
        "Role": [AI_ROLE_SHORT[c] for c in AI_ROLES],
        "Declared": ["Yes" if c in declared else "No" for c in AI_ROLES],
        "What it means here": [ROLE_MEANING[c] for c in AI_ROLES]}), hide_index=True)
    st.caption("ISO/IEC 42001 (with ISO/IEC 22989) and the EU AI Act name these roles; one "
               "organisation often plays several, and the role can differ per AI system. "
               "The declared roles are the starting point of each system's EU AI Act triage "
               "and of the SoA suggestions. A summary, not legal advice.")


def _history() -> None:
    changes = cached(field_changes, (ORGANISATION.table,))
    with st.expander(f"Changes to the profile ({len(changes)})"):
        if changes.empty:
            st.caption("No change recorded yet.")
            return
        st.dataframe(changes[["changed_at", "changed_by", "operation", "fields"]],
                     hide_index=True, width="stretch", column_config={
                         "changed_at": st.column_config.DatetimeColumn(
                             "When (UTC)", format="YYYY-MM-DD HH:mm"),
                         "changed_by": "Who", "operation": "Change",
                         "fields": st.column_config.TextColumn("Fields", width="large")})


def render() -> None:
    st.title("Organisation")
    st.caption("Who the organisation is, what its AI management system covers (ISO/IEC "
               "42001 4.3) and the roles it plays for AI. The name heads the Overview; the "
               "roles feed the EU AI Act triage and the SoA suggestions.")
    who = current_identity()
    current = cached(organisation.profile)
    if current is None:
        st.info("Start here: enter the organisation's legal name, where it works and what "
                "its AI management system covers, and tick the roles it plays for AI. Then "
                "list your AI systems on the AI systems page; context, policy and roles "
                "follow on the pages below this one.", icon=":material/lightbulb:")
    unknown = cached(organisation.unrecognised_roles)
    if unknown:
        st.warning("The stored AI roles hold words that are no role: "
                   + ", ".join(f"'{md_escape(w)}'" for w in unknown)
                   + ". Pick the roles again below and save.", icon=":material/help:")
    _form(current, who)
    _roles_explained(current)
    if current is not None:
        _history()
        db = get_db()
        spreadsheet_downloads("organisation-profile",
                              {"Organisation profile": lambda: organisation.export(db)},
                              "organisation_export", label="Profile")


def in_sidebar() -> None:
    """The organisation's name in the sidebar and the browser tab, once a profile exists."""
    name = cached(organisation.name)
    if name:
        st.set_page_config(page_title=f"{name} · AIMS Dashboard")
        st.sidebar.caption(f"AI management system of **{md_escape(name)}**")
