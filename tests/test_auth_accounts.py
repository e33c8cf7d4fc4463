"""Local accounts (argon2 hashes, throttling, same answer for unknown and wrong), sessions
that expire, sign-in settings and the binding rules."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from aims_core.auth import accounts, binding, passwords
from aims_core.auth.actor import Actor
from aims_core.auth.config import ConfigError, from_secrets
from aims_core.auth.sessions import SessionStore
from aims_core.storage.database import Database, utc_now
from tests.conftest import ANA

GOOD = "correct horse battery staple"


def _bo(db: Database) -> int:
    return int(db.scalar("SELECT id FROM people WHERE name = 'Bo'"))


def test_password_is_stored_as_an_argon2id_hash_and_logged_without_it(db: Database) -> None:
    accounts.set_password(db, _bo(db), GOOD, ANA)
    stored = db.scalar("SELECT password_hash FROM local_accounts WHERE person_id = ?", [_bo(db)])
    assert stored.startswith("$argon2id$") and GOOD not in stored
    assert passwords.verify(stored, GOOD) and not passwords.verify(stored, GOOD + "!")
    log = db.query_rows("SELECT after_json FROM change_log WHERE table_name = 'local_accounts'")
    assert log and all("argon2id$" not in row[0] and GOOD not in row[0] for row in log)


def test_short_passwords_and_non_admins_are_refused(db: Database) -> None:
    with pytest.raises(accounts.AccountError, match="at least 12 characters"):
        accounts.set_password(db, _bo(db), "short", ANA)
    with pytest.raises(accounts.AccountError, match="Only an Admin"):
        accounts.set_password(db, _bo(db), GOOD, Actor("Ben", "aims_manager"))
    assert db.scalar("SELECT count(*) FROM local_accounts") == 0
    assert db.scalar("SELECT count(*) FROM audit_events WHERE event = 'write_refused'") == 1


def test_sign_in_ok_and_the_same_answer_for_unknown_email_and_wrong_password(
        db: Database) -> None:
    accounts.set_password(db, _bo(db), GOOD, ANA)
    assert accounts.sign_in(db, " BO@example.com ", GOOD).person.name == "Bo"
    wrong = accounts.sign_in(db, "bo@example.com", "not the password")
    unknown = accounts.sign_in(db, "nobody@example.com", GOOD)
    no_account = accounts.sign_in(db, "cleo@example.com", GOOD)  # a person without a password
    assert wrong == unknown == no_account == accounts.SignIn(None, accounts.WRONG)
    events = db.query_rows("SELECT event, login FROM audit_events WHERE event LIKE 'sign_in%' "
                           "ORDER BY id")
    assert events == [("sign_in", "bo@example.com"), ("sign_in_failed", "bo@example.com"),
                      ("sign_in_failed", "nobody@example.com"),
                      ("sign_in_failed", "cleo@example.com")]


def test_throttling_after_repeated_failures_known_or_not(db: Database) -> None:
    accounts.set_password(db, _bo(db), GOOD, ANA)
    start = utc_now()
    for login in ("bo@example.com", "ghost@example.com"):
        for minute in range(accounts.MAX_FAILURES):
            assert accounts.sign_in(db, login, "wrong", now=start + timedelta(minutes=minute)
                                    ).message == accounts.WRONG
        late = start + timedelta(minutes=accounts.MAX_FAILURES)
        refused = accounts.sign_in(db, login, GOOD, now=late)
        assert refused.person is None and "Too many failed sign-ins" in refused.message
    # the lock-out is the same for a known and an unknown email, and ends on its own
    later = start + timedelta(minutes=accounts.MAX_FAILURES - 1) + accounts.LOCKOUT
    assert accounts.sign_in(db, "bo@example.com", GOOD, now=later).person.name == "Bo"
    assert db.scalar("SELECT count(*) FROM audit_events WHERE event = 'sign_in_throttled'") == 2


def test_disabled_account_cannot_sign_in(db: Database) -> None:
    from aims_core.auth import people

    accounts.set_password(db, _bo(db), GOOD, ANA)
    assert people.update(db, ANA, _bo(db), active=False).ok
    refused = accounts.sign_in(db, "bo@example.com", GOOD)
    assert refused.person is None and "disabled" in refused.message


def test_sessions_expire_by_lifetime_and_idleness() -> None:
    now = [datetime(2026, 11, 1, 9, 0)]
    store = SessionStore(lifetime=timedelta(hours=8), idle=timedelta(minutes=30),
                         clock=lambda: now[0])
    session = store.start(7, "local")
    now[0] += timedelta(minutes=29)
    assert store.check(session.id)[0] == session
    store.touch(session.id)
    now[0] += timedelta(minutes=31)
    gone, why = store.check(session.id)
    assert gone is None and "30 minutes without activity" in why
    assert store.check(session.id)[1] == why  # the reason is kept for the stale page
    long = store.start(7, "local")
    for _ in range(17):  # active all day
        now[0] += timedelta(minutes=29)
        store.touch(long.id)
    assert store.check(long.id) == (None, "Your session ended after 8 hours: sign in again.")
    other = store.start(8, "local")
    assert store.end_for_person(8, "Your account was disabled.") == 1
    assert store.check(other.id) == (None, "Your account was disabled.")
    assert store.check("made-up")[0] is None


def test_sign_in_settings_from_secrets() -> None:
    assert not from_secrets({}).team
    oidc = from_secrets({"auth": {"redirect_uri": "x", "cookie_secret": "y", "client_id": "c",
                                  "client_secret": "s", "server_metadata_url": "u"}})
    assert oidc.team and oidc.oidc_providers == (None,) and not oidc.local_accounts
    named = from_secrets({"auth": {"redirect_uri": "x", "cookie_secret": "y",
                                   "microsoft": {"client_id": "c"}},
                          "aims": {"local_accounts": True, "session_hours": 2,
                                   "idle_minutes": 15}})
    assert named.oidc_providers == ("microsoft",) and named.local_accounts
    assert (named.lifetime, named.idle) == (timedelta(hours=2), timedelta(minutes=15))
    with pytest.raises(ConfigError, match="no identity provider"):
        from_secrets({"auth": {"redirect_uri": "x"}})
    with pytest.raises(ConfigError, match="session_hours must be a positive number"):
        from_secrets({"aims": {"local_accounts": True, "session_hours": 0}})


@pytest.mark.parametrize(("address", "team", "override", "allowed", "warns"), [
    ("127.0.0.1", False, False, True, False),
    ("localhost", False, False, True, False),
    ("::1", False, False, True, False),
    ("0.0.0.0", False, False, False, False),
    (None, False, False, False, False),  # Streamlit's default: every interface
    ("192.168.1.20", False, False, False, False),
    ("0.0.0.0", True, False, True, False),
    ("0.0.0.0", False, True, True, True),
])
def test_binding_rules(address: str | None, team: bool, override: bool, allowed: bool,
                       warns: bool) -> None:
    decision = binding.decide(address, team, override)
    assert decision.allowed is allowed and bool(decision.warning) is warns
    if not allowed:
        assert "without sign-in" in decision.message and "\n" not in decision.message
    assert binding.override_given({binding.OVERRIDE_ENV: "1"})
    assert not binding.override_given({})


def test_serve_refuses_a_network_address_without_sign_in() -> None:
    from tests.test_cli import cli

    done = cli("serve", "--address", "0.0.0.0", "--port", "1")
    assert done.returncode == 1 and done.stderr.count("\n") == 1
    assert "Refusing to serve on 0.0.0.0 without sign-in" in done.stderr
