"""Users (Admin): the people directory, app roles, sign-in methods, passwords, audit events."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from aims_core.auth import accounts, audit, people
from aims_core.auth.registers import PEOPLE
from aims_core.auth.roles import ROLE_SUMMARIES, ROLES
from aims_core.ui.editable_table import editable_table, show_outcome
from aims_core.ui.session import Identity, cached, current_identity, get_db
from aims_core.ui.text import md_escape

_ROLE_TABLE = pd.DataFrame({"Role": list(ROLES.values()),
                            "May": [ROLE_SUMMARIES[r] for r in ROLES]})


def render() -> None:
    st.title("Users")
    who = current_identity()
    st.caption("The people directory: everyone a register can name (owners of AI systems, "
               "risks and controls, approvers, reviewers …), their email, app role and how "
               "they sign in. Roles apply in team mode; in personal mode whoever is picked in "
               "the sidebar acts with every right. Every change is logged.")
    missing = who.lacks("administer", "manage people")
    if missing and who.mode == "team":
        st.error(missing, icon=":material/lock:")
        return
    if not who.name:
        st.info("Pick your name in the sidebar to add people or change roles. People named "
                "as owners of AI systems, risks or controls are added to the directory as "
                "they appear.", icon=":material/lightbulb:")
    with st.expander("What each role may do"):
        st.dataframe(_ROLE_TABLE, hide_index=True, width="stretch")
        st.caption("Contributors change only rows they own (or rows of the risks, AI systems "
                   "and KPIs they own). Nobody records the acceptance of a risk they own. A "
                   "first sign-in through the identity provider makes a Viewer.")
    editable_table(PEOPLE, lambda: people.directory(get_db()), key="people", who=who,
                   column_order=["name", "email", "role", "active", "sign_in", "has_password",
                                 "last_sign_in"],
                   context={"has_password": st.column_config.CheckboxColumn("Password set"),
                            "last_sign_in": st.column_config.DatetimeColumn(
                                "Last sign-in (UTC)", format="YYYY-MM-DD HH:mm")},
                   height="auto")
    if who.can("administer"):
        _password(who)
    _events()


def _password(who: Identity) -> None:
    st.subheader("Set a password (local account)")
    frame = cached(people.directory)
    with_email = frame[frame["email"].notna()]
    if with_email.empty:
        st.caption("Give a person an email above first: local accounts sign in with it.")
        return
    show_outcome(st.session_state.pop("_password_outcome", None))
    names = dict(zip(with_email["id"].astype(int), with_email["name"], strict=True))
    with st.form("set_password", clear_on_submit=True, width=520):
        st.selectbox("Person", list(names), format_func=names.get, index=None,
                     key="password_person", placeholder="Whose password")
        st.text_input("New password", type="password", key="password_new",
                      autocomplete="new-password",
                      help="At least 12 characters. Their open sessions end.")
        st.text_input("Same password again", type="password", key="password_again",
                      autocomplete="new-password")
        st.form_submit_button("Set password", icon=":material/key:", on_click=_set_password,
                              args=(who,))


def _set_password(who: Identity) -> None:
    state = st.session_state
    person_id, first = state.get("password_person"), state.get("password_new") or ""
    if person_id is None:
        state["_password_outcome"] = ("error", "Pick whose password to set.")
    elif first != (state.get("password_again") or ""):
        state["_password_outcome"] = ("error", "The two passwords differ; nothing was set.")
    else:
        try:
            accounts.set_password(get_db(), int(person_id), first, who.actor)
            state["_password_outcome"] = ("success", "Password set; that person's open "
                                                     "sessions ended.")
        except accounts.AccountError as exc:
            state["_password_outcome"] = ("error", str(exc))
    state["password_new"] = state["password_again"] = ""


def _events() -> None:
    st.subheader("Sign-ins and refusals")
    events = audit.recent(get_db(), 200)  # not cached: audit events do not bump the cache
    if events.empty:
        st.caption("No sign-ins or refused changes yet.")
        return
    events = events.assign(event=events["event"].map(lambda e: audit.EVENTS.get(e, e)))
    st.dataframe(events, hide_index=True, width="stretch", height=320, column_config={
        "occurred_at": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm"),
        "event": "Event", "actor": "Who", "channel": "Via", "login": "Login typed",
        "table_name": "Register", "row_id": "Row", "detail": st.column_config.TextColumn(
            "Detail", width="large")})
    st.caption(f"The latest {len(events)} events; all are in the table `audit_events`. "
               f"{md_escape('Changes to registers are in the change history (change_log).')}")
