"""Sign in (team mode): through the identity provider, or with a local account."""

from __future__ import annotations

import streamlit as st

from aims_core.auth import accounts
from aims_core.auth.sessions import SESSIONS
from aims_core.management_system import organisation
from aims_core.ui.identity import NOTICE_KEY, forget_session_cookie, sign_in_config
from aims_core.ui.session import cached, get_db
from aims_core.ui.text import md_escape


def render() -> None:
    config = sign_in_config()
    name = cached(organisation.name)
    st.title("Sign in")
    st.caption(f"AIMS Dashboard{' of ' + md_escape(name) if name else ''}: sign in to see and "
               "change the AI management system. What you can do depends on the role an "
               "Admin gave you.")
    forget_session_cookie()
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.warning(notice, icon=":material/lock_clock:")
    for provider in config.oidc_providers:
        label = f"Sign in with {provider.replace('_', ' ').title()}" if provider else \
            "Sign in with your organisation's account"
        st.button(label, type="primary", icon=":material/login:", key=f"login_{provider}",
                  on_click=st.login, args=(provider,) if provider else ())
    if config.oidc_providers:
        st.caption("First time here? You start as a Viewer until an Admin gives you more.")
    if config.local_accounts:
        _local_form(has_oidc=bool(config.oidc_providers))


def _local_form(*, has_oidc: bool) -> None:
    if has_oidc:
        st.divider()
        st.caption("Or with a local account")
    error = st.session_state.pop("_sign_in_error", None)
    if error:
        st.error(error, icon=":material/error:")
    with st.form("local_sign_in", clear_on_submit=False, width=420):
        st.text_input("Email", key="sign_in_email", autocomplete="username", max_chars=254)
        st.text_input("Password", key="sign_in_password", type="password",
                      autocomplete="current-password", max_chars=1024)
        st.form_submit_button("Sign in", type="primary", icon=":material/key:",
                              on_click=_sign_in)
    st.caption("No account? An Admin adds you on the Users page (or with "
               "`python -m aims_core user add`).")


def _sign_in() -> None:
    email = st.session_state.get("sign_in_email") or ""
    password = st.session_state.get("sign_in_password") or ""
    st.session_state["sign_in_password"] = ""  # never kept on screen or in the session
    outcome = accounts.sign_in(get_db(), email, password)
    if outcome.person is None:
        st.session_state["_sign_in_error"] = outcome.message
        return
    st.session_state["_session_id"] = SESSIONS.start(outcome.person.id, "local").id
