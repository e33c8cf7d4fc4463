"""Local accounts: sign-in by email and password, throttled, and passwords set by an Admin.

A failed sign-in says the same for an unknown email as for a wrong password, takes as long
(a dummy hash is checked), and is logged in ``audit_events`` with what was typed as the login.
After :data:`MAX_FAILURES` failures for one login within :data:`WINDOW`, that login is refused
without checking the password until :data:`LOCKOUT` after the last failure (for known and
unknown logins alike, so throttling reveals nothing either).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from aims_core.auth import audit, passwords
from aims_core.auth.actor import Actor
from aims_core.auth.people import Person, by_email, get
from aims_core.auth.sessions import SESSIONS
from aims_core.records.writes import ChangeLog, RowChange, RowProblem, apply_batches
from aims_core.storage.database import Database, utc_now

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
WRONG = "Wrong email or password."
HIDDEN = "(argon2id hash)"  # what the change history shows instead of a password hash


class AccountError(ValueError):
    """A password or account change that cannot be made; the message says why."""


@dataclass(frozen=True)
class SignIn:
    person: Person | None  # set when the sign-in succeeded
    message: str | None = None  # why it was refused, for the person at the keyboard


def login_key(login: str) -> str:
    return login.strip().lower()


def _locked_for(db: Database, key: str, now: datetime) -> timedelta | None:
    """How long this login stays refused, or None when it may try."""
    failures = db.query_rows(
        """SELECT occurred_at FROM audit_events
           WHERE login = $key AND event = 'sign_in_failed' AND occurred_at > $since
             AND occurred_at > coalesce((SELECT max(occurred_at) FROM audit_events
                                         WHERE login = $key AND event = 'sign_in'),
                                        TIMESTAMP '1970-01-01')
           ORDER BY occurred_at DESC""",
        {"key": key, "since": now - WINDOW})
    if len(failures) < MAX_FAILURES:
        return None
    left = failures[0][0] + LOCKOUT - now
    return left if left > timedelta(0) else None


def _hash_of(db: Database, person: Person | None) -> str | None:
    if person is None or person.sign_in != "local":
        return None
    return db.scalar("SELECT password_hash FROM local_accounts WHERE person_id = ?", [person.id])


def sign_in(db: Database, login: str, password: str, *, now: datetime | None = None) -> SignIn:
    """Check a local sign-in; logs the outcome."""
    now = now or utc_now()
    key = login_key(login)
    locked = _locked_for(db, key, now)
    if locked is not None:
        minutes = max(1, round(locked.total_seconds() / 60))
        audit.record(db, audit.Event("sign_in_throttled", channel="app", login=key), when=now)
        return SignIn(None, f"Too many failed sign-ins for this email. Try again in {minutes} "
                            f"minute{'s' if minutes != 1 else ''}.")
    person = by_email(db, key) if key else None
    stored = _hash_of(db, person)
    if not passwords.verify(stored, password):
        audit.record(db, audit.Event("sign_in_failed", channel="app", login=key,
                                     person_id=person.id if person else None), when=now)
        return SignIn(None, WRONG)
    if not person.active:
        audit.record(db, audit.Event("sign_in_refused", person.name, "app", person.id, key,
                                     detail="the account is disabled"), when=now)
        return SignIn(None, "This account is disabled. Ask an Admin.")
    with db.transaction(bump=False) as cur:
        if passwords.needs_rehash(stored):
            cur.execute("UPDATE local_accounts SET password_hash = ? WHERE person_id = ?",
                        [passwords.hash_password(password), person.id])
        audit.append(cur, [audit.Event("sign_in", person.name, "app", person.id, key,
                                       detail="local account")], now)
    return SignIn(person)


def record_oidc_sign_in(db: Database, person: Person, email: str) -> None:
    audit.record(db, audit.Event("sign_in", person.name, "app", person.id, login_key(email),
                                 detail="identity provider (OIDC)"))


def set_password(db: Database, person_id: int, password: str, actor: Actor) -> None:
    """Set (or reset) a person's local password (an Admin's job, checked by the write path
    like every settings change). Makes a local account their sign-in method and ends their
    open sessions. Raises :class:`AccountError` saying why it could not."""
    if (why := passwords.problem(password)) is not None:
        raise AccountError(f"The password {why}.")
    person = get(db, person_id)
    if person is None:
        raise AccountError(f"Person {person_id} does not exist.")
    if not person.email:
        raise AccountError(f"{person.name} has no email: a local account signs in with it.")
    hashed = passwords.hash_password(password)

    def write(cur: object, log: ChangeLog) -> list[RowProblem]:
        existing = cur.execute("SELECT version FROM local_accounts WHERE person_id = ?",
                               [person_id]).fetchone()
        before = None if existing is None else {"person_id": person_id,
                                                "password_hash": HIDDEN, "version": existing[0]}
        version = 1 + (existing[0] if existing else 0)
        cur.execute("INSERT OR REPLACE INTO local_accounts VALUES (?, ?, ?, ?)",
                    [person_id, hashed, log.when, version])
        log.append("local_accounts", person_id, "update" if existing else "insert", before,
                   {"person_id": person_id, "password_hash": HIDDEN,
                    "password_set_at": log.when, "version": version})
        audit.append(cur, [audit.Event("password_set", log.who, actor.channel, person_id,
                                       detail=f"for {person.name}")], log.when)
        return []

    version = db.scalar("SELECT version FROM people WHERE id = ?", [person_id])
    method = [] if person.sign_in == "local" else [("people", [RowChange(
        "update", {"sign_in": "local"}, row_id=person_id, expected_version=version)])]
    result = apply_batches(db, method, actor, also=write)
    if not result.ok:
        raise AccountError("; ".join(str(p) for p in result.errors + result.conflicts))
    SESSIONS.end_for_person(person_id, "Your password was changed: sign in again.")


def has_admin(db: Database) -> bool:
    """Whether an active Admin exists (the first one is made with ``user add``)."""
    return bool(db.scalar("SELECT count(*) FROM people WHERE role = 'admin' AND active"))
