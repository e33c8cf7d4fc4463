"""Audit events: sign-ins (and refused ones), sessions ended, writes refused by a role, the
command line acting as an admin, names merged into the people directory.

Register changes are logged in ``change_log`` by the write path; these are the events that
change no register row but that an auditor or an admin must be able to see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import pandas as pd

from aims_core.storage.database import Database, utc_now

EVENTS = {
    "sign_in": "Signed in",
    "sign_in_failed": "Sign-in refused (wrong email or password)",
    "sign_in_throttled": "Sign-in refused (too many failed attempts)",
    "sign_in_refused": "Sign-in refused (account disabled or not allowed)",
    "sign_out": "Signed out",
    "session_ended": "Session ended (expired or the account was disabled)",
    "write_refused": "Change refused by the app role",
    "cli_admin": "Command line run as an admin",
    "person_added": "Person added to the directory",
    "names_merged": "Names merged into one person",
    "password_set": "Password set",
}

LOGIN_LENGTH = 254


@dataclass(frozen=True)
class Event:
    event: str
    actor: str | None = None
    channel: str | None = None
    person_id: int | None = None
    login: str | None = None  # what was typed as the login (cut to LOGIN_LENGTH)
    table_name: str | None = None
    row_id: int | None = None
    detail: str | None = None


def append(cur: duckdb.DuckDBPyConnection, events: list[Event],
           when: datetime | None = None) -> None:
    """Add events inside the caller's transaction."""
    if not events:
        return
    next_id = cur.execute("SELECT coalesce(max(id), 0) + 1 FROM audit_events").fetchone()[0]
    at = when or utc_now()
    for offset, e in enumerate(events):
        cur.execute(
            "INSERT INTO audit_events (id, occurred_at, event, actor, channel, person_id, login, "
            "table_name, row_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [next_id + offset, at, e.event, e.actor, e.channel, e.person_id,
             (e.login or None) and e.login[:LOGIN_LENGTH], e.table_name, e.row_id, e.detail])


def record(db: Database, *events: Event, when: datetime | None = None) -> None:
    """Add events in a transaction of their own (e.g. after a refused write rolled back)."""
    with db.transaction(bump=False) as cur:  # no cached page shows audit events
        append(cur, list(events), when)


def recent(db: Database, limit: int = 200, events: tuple[str, ...] = ()) -> pd.DataFrame:
    """The latest events, newest first (optionally of some kinds only)."""
    where = "WHERE event IN (SELECT unnest($events::VARCHAR[]))" if events else ""
    return db.query_df(
        f"SELECT occurred_at, event, actor, channel, login, table_name, row_id, detail "
        f"FROM audit_events {where} ORDER BY id DESC LIMIT {int(limit)}",
        {"events": list(events)} if events else None)
