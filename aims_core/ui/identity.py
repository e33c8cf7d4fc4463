"""Who is using the app, resolved by app.py on every run before the page.

- Personal mode (no sign-in configured; the app serves only this computer): the person is
  picked from the people directory in the sidebar and remembered in this browser by a
  cookie holding their person id. It is a convenience, never a proof: it is read only in
  personal mode, where the picked person acts with every right anyway.
- Team mode (sign-in configured in ``.streamlit/secrets.toml``): every page needs a sign-in,
  through the identity provider (``st.login``, matched to a person by email; a first sign-in
  creates a Viewer) or a local account (email and password; the session id is kept in a
  cookie so a reload or a new tab stays signed in until the session ends). Every run checks
  that the session is open and the person active, and the write path checks it again.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import streamlit as st

from aims_core.auth import accounts, audit, binding, people, roles, sessions
from aims_core.auth.actor import Actor
from aims_core.auth.config import ConfigError, SignInConfig, from_secrets
from aims_core.auth.sessions import NOT_SIGNED_IN, SESSIONS, SIGNED_OUT
from aims_core.storage.database import Database, utc_now
from aims_core.ui.session import Identity, cached, get_db
from aims_core.ui.text import md_escape

PERSON_COOKIE = "aims_person"
SESSION_COOKIE = "aims_session"
NOTICE_KEY = "_sign_in_notice"  # why the last session ended, shown on the sign-in page
_OIDC_ACTOR = Actor("sign-in (identity provider)", "admin", "app")


def sign_in_config() -> SignInConfig:
    """The sign-in settings of ``.streamlit/secrets.toml``; a broken one stops every page."""
    try:
        secrets = st.secrets.to_dict()
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        secrets = {}
    try:
        return from_secrets(secrets)
    except ConfigError as exc:
        st.error(f"Sign-in is misconfigured: {exc}", icon=":material/lock:")
        st.stop()
        raise  # unreachable: st.stop() raises


def serving_decision(config: SignInConfig) -> binding.Decision:
    """Whether this server may serve on its address (see aims_core.auth.binding)."""
    return binding.decide(st.get_option("server.address"), config.team,
                          binding.override_given())


def resolve(db: Database, config: SignInConfig) -> Identity:
    if config.team:
        SESSIONS.configure(lifetime=config.lifetime, idle=config.idle)
        return _team(db, config)
    return _personal(db)


# --- cookies --------------------------------------------------------------------------

def _cookie(name: str) -> str | None:
    try:
        value = st.context.cookies.get(name)
    except (AttributeError, RuntimeError, KeyError):
        return None
    return value if isinstance(value, str) else None  # no browser (a test run) sends none


def _set_cookie(name: str, value: str | None, where: Any = st.sidebar) -> None:
    """Store (or, with None, delete) a cookie in this browser. The values are ids the app
    generated (digits, URL-safe tokens), never user text. Written on every run at the end of
    the sidebar, so that the page's own elements keep their places (and widget states)."""
    secure = "; secure" if str(getattr(st.context, "url", "") or "").startswith("https") else ""
    life = "max-age=31536000" if value else "max-age=0"
    where.html(f"<script>document.cookie = '{name}={value or ''}; path=/; {life}; "
               f"samesite=strict{secure}';</script>", unsafe_allow_javascript=True,
               width="content")


# --- personal mode ----------------------------------------------------------------------

def _personal(db: Database) -> Identity:
    names = cached(people.active_names)
    if "identity_name" not in st.session_state:
        remembered = _cookie(PERSON_COOKIE) or ""
        person = cached(people.get, int(remembered)) if remembered.isdigit() else None
        if person is not None and person.active:
            st.session_state["identity_name"] = person.name
    if st.session_state.get("identity_name") not in (None, *names):
        st.session_state.pop("identity_name")  # disabled since it was picked
    with st.sidebar:
        name = st.selectbox(
            "You are", names, index=None, key="identity_name",
            placeholder="Pick your name" if names else "Nobody in the directory yet",
            help="Recorded with every change you make and used for 'My work'. Remembered in "
                 "this browser.")
        if name is None:
            _add_yourself(db, has_admin=cached(accounts.has_admin))
        where = st.get_option("server.address")
        served = "only this computer" if binding.is_local(where) else "the network"
        st.caption(f":material/laptop_mac: **Personal mode**: no sign-in; the app serves "
                   f"{served}. Whoever is picked acts with every right. For a team, configure "
                   "sign-in (README, Team mode) and roles apply.")
    person = cached(people.by_name, name) if name else None
    _set_cookie(PERSON_COOKIE, str(person.id) if person else None)
    return Identity(name, role="admin", person_id=person.id if person else None)


def _add_yourself(db: Database, *, has_admin: bool) -> None:
    with st.expander("Not in the list? Add yourself", icon=":material/person_add:"):
        st.text_input("Your name", key="identity_new_name", max_chars=200,
                      placeholder="As registers should show it")
        st.button("Add me to the people directory", key="identity_add",
                  on_click=_add_person, args=(has_admin,))
    problem = st.session_state.pop("_identity_add_problem", None)
    if problem:
        st.error(problem, icon=":material/error:")


def _add_person(has_admin: bool) -> None:
    name = " ".join((st.session_state.get("identity_new_name") or "").split())
    if not name:
        st.session_state["_identity_add_problem"] = "Type your name first."
        return
    # The first person becomes the Admin, so that team mode later has one.
    result = people.add(get_db(), Actor(name, "admin", "app"), name,
                        role="contributor" if has_admin else "admin")
    if result.ok:
        st.session_state["identity_name"] = name
    else:
        st.session_state["_identity_add_problem"] = "; ".join(str(p) for p in result.errors)


# --- team mode --------------------------------------------------------------------------

def _team(db: Database, config: SignInConfig) -> Identity:
    if config.oidc_providers and st.user.is_logged_in:
        return _oidc(db, config)
    if not config.local_accounts:
        return Identity(None, mode="team")
    session_id = st.session_state.get("_session_id")
    cookie = _cookie(SESSION_COOKIE)
    if not session_id and cookie and cookie != st.session_state.get("_rejected_cookie"):
        session_id = cookie  # a reload or a new tab of a signed-in browser
    if not session_id:
        return Identity(None, mode="team")
    session, problem = SESSIONS.check(session_id)
    person = people.get(db, session.person_id) if session else None
    if session and person is not None and person.active:
        SESSIONS.touch(session.id)
        st.session_state["_session_id"] = session.id
        return Identity(person.name, True, person.role, person.id, session.id, "team")
    if session:  # the person was disabled or removed while signed in
        problem = "Your account was disabled: ask an Admin."
        SESSIONS.end(session.id, problem)
    if problem not in (NOT_SIGNED_IN, SIGNED_OUT):
        audit.record(db, audit.Event("session_ended", person.name if person else None, "app",
                                     session.person_id if session else None,
                                     detail=problem))
    st.session_state[NOTICE_KEY] = problem
    st.session_state["_rejected_cookie"] = cookie
    st.session_state.pop("_session_id", None)
    return Identity(None, mode="team")


def _oidc(db: Database, config: SignInConfig) -> Identity:
    email = str(st.user.get("email") or "").strip()
    issued = st.user.get("iat")
    if isinstance(issued, int | float) and \
            utc_now() - datetime.fromtimestamp(issued, UTC).replace(tzinfo=None) \
            >= config.lifetime:
        st.session_state[NOTICE_KEY] = sessions.ended_message(config.lifetime)
        st.logout()
        return Identity(None, mode="team")
    if not email:
        return _refused("Your identity provider did not send an email address, which the app "
                        "needs to know who you are. Ask your administrator.")
    person = people.by_email(db, email)
    if person is None:
        created = people.first_sign_in(db, email, st.user.get("name"))
        if not created.ok:
            return _refused("; ".join(str(p) for p in created.errors))
        person = people.by_email(db, email)
    if not person.active:
        return _refused("Your account is disabled. Ask an Admin.", person, email)
    if person.sign_in == "none":  # an owner the Admin gave an email: now a user
        people.update(db, _OIDC_ACTOR, person.id, sign_in="oidc")
    session, _ = SESSIONS.check(st.session_state.get("_oidc_session"))
    if session is None or session.person_id != person.id:
        session = SESSIONS.start(person.id, "oidc")
        st.session_state["_oidc_session"] = session.id
        accounts.record_oidc_sign_in(db, person, email)
    SESSIONS.touch(session.id)
    return Identity(person.name, True, person.role, person.id, session.id, "team")


def _refused(message: str, person: people.Person | None = None,
             email: str | None = None) -> Identity:
    if person is not None and not st.session_state.get("_refusal_logged"):
        audit.record(get_db(), audit.Event("sign_in_refused", person.name, "app", person.id,
                                           email, detail=message))
        st.session_state["_refusal_logged"] = True
    st.session_state[NOTICE_KEY] = message
    return Identity(None, mode="team")


def sign_out() -> None:
    """Sign-out button callback (local accounts; OIDC signs out through ``st.logout``)."""
    session_id = st.session_state.pop("_session_id", None)
    session, _ = SESSIONS.check(session_id)
    if session is not None:
        person = people.get(get_db(), session.person_id)
        audit.record(get_db(), audit.Event("sign_out", person.name if person else None, "app",
                                           session.person_id))
    SESSIONS.end(session_id)
    st.session_state["_rejected_cookie"] = _cookie(SESSION_COOKIE)
    st.session_state[NOTICE_KEY] = SIGNED_OUT


def team_sidebar(identity: Identity) -> None:
    """Who is signed in, their role, and the way out."""
    with st.sidebar:
        st.markdown(f":material/account_circle: **{md_escape(identity.name)}**  \n"
                    f"{roles.label(identity.role)} · signed in")
        if st.session_state.get("_session_id"):
            st.button("Sign out", key="sign_out", icon=":material/logout:", on_click=sign_out)
        else:
            st.button("Sign out", key="sign_out", icon=":material/logout:", on_click=st.logout)
    _set_cookie(SESSION_COOKIE, identity.session_id if st.session_state.get("_session_id")
                else None)


def forget_session_cookie() -> None:
    """After a sign-out or an ended session, on the sign-in page (which has no sidebar)."""
    _set_cookie(SESSION_COOKIE, None, where=st)
