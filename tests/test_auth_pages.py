"""Sign-in on the pages (AppTest): team mode with local accounts and with OIDC (``st.user``
simulated), roles shaping what a page offers, ended sessions, the binding refusal."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from aims_core.auth import accounts, people
from aims_core.auth.actor import Actor
from aims_core.auth.sessions import DEFAULT_IDLE, SESSIONS
from aims_core.bootstrap import open_database
from aims_core.config import database_path
from aims_core.storage.database import utc_now
from aims_core.ui.session import get_db
from tests.apptest_kit import ROOT

PASSWORD = "a long enough password"
LOCAL = {"aims": {"local_accounts": True}}
OIDC = {"auth": {"redirect_uri": "http://localhost:8501/oauth2callback",
                 "cookie_secret": "x" * 40, "client_id": "aims", "client_secret": "secret",
                 "server_metadata_url": "https://login.example.com/.well-known/"
                                        "openid-configuration"}}
ADMIN = Actor("Sarah Klein", "admin", "cli")


def _accounts(*emails: str) -> None:
    with open_database(database_path()) as db:
        for email in emails:
            accounts.set_password(db, people.by_email(db, email).id, PASSWORD, ADMIN)


def _app(secrets: dict) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets = secrets
    at.run()
    assert not at.exception, at.exception
    return at


def _sign_in(at: AppTest, email: str, password: str = PASSWORD) -> AppTest:
    at.text_input(key="sign_in_email").input(email)
    at.text_input(key="sign_in_password").input(password)
    at.button(key="FormSubmitter:local_sign_in-Sign in").click().run()
    assert not at.exception, at.exception
    return at


def _sidebar_text(at: AppTest) -> str:
    return " ".join(m.value for m in at.sidebar.markdown)


@pytest.mark.usefixtures("demo_path")
def test_team_mode_needs_a_sign_in_and_a_viewer_gets_no_edit_controls() -> None:
    _accounts("hannah.weiss@aldwick-finance.example")
    at = _app(LOCAL)
    assert [t.value for t in at.title] == ["Sign in"]
    assert not at.sidebar.selectbox  # no "You are" picker in team mode
    with pytest.raises(ValueError, match=r"Known pages: .*sign_in.py'\]"):
        at.switch_page("pages/risks.py")  # without a session no other page is routed
    wrong = _sign_in(at, "hannah.weiss@aldwick-finance.example", "not it at all")
    assert [e.value for e in wrong.error] == [accounts.WRONG]
    at = _sign_in(at, "hannah.weiss@aldwick-finance.example")
    assert "Hannah Weiss" in _sidebar_text(at) and "Viewer" in _sidebar_text(at)
    at.switch_page("pages/risks.py").run()
    assert at.button(key="risks_save").disabled
    assert any("Your role (Viewer) can read this table" in c.value for c in at.caption)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/users.py")  # not in a Viewer's sidebar


@pytest.mark.usefixtures("demo_path")
def test_contributor_starts_on_my_work_and_an_admin_sees_users() -> None:
    _accounts("tom.becker@aldwick-finance.example", "sarah.klein@aldwick-finance.example")
    at = _sign_in(_app(LOCAL), "tom.becker@aldwick-finance.example")
    assert at.title[0].value == "My work"
    admin = _sign_in(_app(LOCAL), "sarah.klein@aldwick-finance.example")
    assert admin.title[0].value == "Overview"
    admin.switch_page("pages/users.py").run()
    assert not admin.exception and admin.title[0].value == "Users"


@pytest.mark.usefixtures("demo_path")
def test_disabled_users_open_session_ends() -> None:
    _accounts("tom.becker@aldwick-finance.example")
    at = _sign_in(_app(LOCAL), "tom.becker@aldwick-finance.example")
    assert at.title[0].value == "My work"
    tom = people.by_email(get_db(), "tom.becker@aldwick-finance.example")
    assert people.update(get_db(), ADMIN, tom.id, active=False).ok
    at.run()
    assert at.title[0].value == "Sign in"
    assert any("Your account was disabled" in w.value for w in at.warning)
    assert get_db().scalar("SELECT count(*) FROM audit_events WHERE event = 'session_ended'")


@pytest.mark.usefixtures("demo_path")
def test_idle_session_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    _accounts("tom.becker@aldwick-finance.example")
    at = _sign_in(_app(LOCAL), "tom.becker@aldwick-finance.example")
    assert at.title[0].value == "My work"
    later = utc_now() + DEFAULT_IDLE + timedelta(seconds=1)  # an hour without activity
    monkeypatch.setattr(SESSIONS, "clock", lambda: later)
    at.run()
    assert at.title[0].value == "Sign in"
    assert any("without activity" in w.value for w in at.warning)


@pytest.mark.usefixtures("demo_path")
def test_first_oidc_sign_in_becomes_a_viewer() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets = OIDC
    at.user = {"is_logged_in": True, "email": "Rita.Nowak@aldwick-finance.example",
               "name": "Rita Nowak", "iat": int(time.time())}
    at.run()
    assert not at.exception, at.exception
    person = people.by_email(get_db(), "rita.nowak@aldwick-finance.example")
    assert (person.name, person.role, person.sign_in) == ("Rita Nowak", "viewer", "oidc")
    assert "Rita Nowak" in _sidebar_text(at) and "Viewer" in _sidebar_text(at)
    assert at.title[0].value == "Overview"
    at.switch_page("pages/risks.py").run()
    assert at.button(key="risks_save").disabled
    assert get_db().scalar("SELECT count(*) FROM audit_events WHERE event = 'sign_in' AND "
                           "person_id = ?", [person.id]) == 1


@pytest.mark.usefixtures("demo_path")
def test_oidc_user_matched_by_email_keeps_their_role() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets = OIDC
    at.user = {"is_logged_in": True, "email": "PRIYA.SHAH@aldwick-finance.example",
               "name": "P. Shah"}
    at.run()
    assert "Priya Shah" in _sidebar_text(at) and "Contributor" in _sidebar_text(at)
    assert at.title[0].value == "My work"


@pytest.mark.usefixtures("demo_path")
def test_signed_out_oidc_shows_the_provider_button() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets = {**OIDC, **LOCAL}
    at.user = {"is_logged_in": False}
    at.run()
    assert at.title[0].value == "Sign in"
    assert at.button(key="login_None").label == "Sign in with your organisation's account"
    assert at.text_input(key="sign_in_email")  # and the local form beside it


@pytest.fixture
def network_address() -> object:
    st.config.set_option("server.address", "0.0.0.0")
    yield
    st.config.set_option("server.address", "127.0.0.1")


@pytest.mark.usefixtures("demo_path", "network_address")
def test_network_address_without_sign_in_is_refused_then_warned(
        monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app({})
    assert not at.title and "Refusing to serve on 0.0.0.0 without sign-in" in at.error[0].value
    monkeypatch.setenv("AIMS_ALLOW_NETWORK_WITHOUT_SIGN_IN", "1")
    at = _app({})
    assert at.title[0].value == "Overview"
    assert "reachable from the network (0.0.0.0) without sign-in" in at.warning[0].value
    assert _app(LOCAL).title[0].value == "Sign in"  # with sign-in: served, no warning


@pytest.mark.usefixtures("demo_path")
def test_personal_mode_says_so_and_a_person_joins_the_directory(demo_path: Path) -> None:
    at = _app({})
    assert any("Personal mode" in c.value and "only this computer" in c.value
               for c in at.sidebar.caption)
    at.text_input(key="identity_new_name").input("  Noor   Haddad ")
    at.button(key="identity_add").click().run()
    assert at.sidebar.selectbox(key="identity_name").value == "Noor Haddad"
    person = people.by_name(get_db(), "noor haddad")
    assert person.name == "Noor Haddad" and person.role == "contributor"
