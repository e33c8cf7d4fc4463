"""Sign-in sessions of team mode: start, check, touch, end, expire.

Sessions live in the memory of the one app process (a restart signs everyone out). A session
ends after ``lifetime`` from its start or ``idle`` without activity, when its person signs out,
or when an Admin disables the person. The write path checks the session of every write
(:mod:`aims_core.auth.permissions`), so a stale page cannot write after its session ended.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from aims_core.storage.database import utc_now

Method = Literal["local", "oidc"]
DEFAULT_LIFETIME = timedelta(hours=8)
DEFAULT_IDLE = timedelta(minutes=60)
NOT_SIGNED_IN = "You are not signed in (or your session ended): sign in again."
SIGNED_OUT = "You signed out."
_REMEMBER_ENDED = 10_000


@dataclass(frozen=True)
class Session:
    id: str  # random; the browser keeps it in a cookie for local sign-ins
    person_id: int
    method: Method
    started: datetime
    last_seen: datetime


class SessionStore:
    """Thread-safe, process-wide store of open sessions."""

    def __init__(self, *, lifetime: timedelta = DEFAULT_LIFETIME,
                 idle: timedelta = DEFAULT_IDLE,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self.lifetime, self.idle, self.clock = lifetime, idle, clock
        self._open: dict[str, Session] = {}
        self._ended: dict[str, str] = {}  # recently ended sessions and why, for messages
        self._lock = threading.Lock()

    def configure(self, *, lifetime: timedelta, idle: timedelta) -> None:
        self.lifetime, self.idle = lifetime, idle

    def start(self, person_id: int, method: Method) -> Session:
        now = self.clock()
        session = Session(secrets.token_urlsafe(32), person_id, method, now, now)
        with self._lock:
            self._open[session.id] = session
        return session

    def expiry_problem(self, session: Session) -> str | None:
        now = self.clock()
        if now - session.started >= self.lifetime:
            return ended_message(self.lifetime)
        if now - session.last_seen >= self.idle:
            return ended_message(self.idle, idle=True)
        return None

    def check(self, session_id: str | None) -> tuple[Session | None, str | None]:
        """The open session of ``session_id``, or None and why (an expired one is ended)."""
        with self._lock:
            session = self._open.get(session_id or "")
            if session is None:
                return None, self._ended.get(session_id or "", NOT_SIGNED_IN)
            problem = self.expiry_problem(session)
            if problem:
                self._close(session.id, problem)
                return None, problem
            return session, None

    def _close(self, session_id: str, reason: str) -> None:
        self._open.pop(session_id, None)
        if len(self._ended) >= _REMEMBER_ENDED:
            self._ended.pop(next(iter(self._ended)))
        self._ended[session_id] = reason

    def touch(self, session_id: str) -> None:
        """Record activity: the idle time starts again."""
        with self._lock:
            if session_id in self._open:
                self._open[session_id] = replace(self._open[session_id], last_seen=self.clock())

    def end(self, session_id: str | None, reason: str = SIGNED_OUT) -> None:
        with self._lock:
            if session_id in self._open:
                self._close(session_id, reason)

    def end_for_person(self, person_id: int, reason: str) -> int:
        """End every session of a person (disabled, or their password was reset)."""
        with self._lock:
            ended = [s for s, session in self._open.items() if session.person_id == person_id]
            for session_id in ended:
                self._close(session_id, reason)
        return len(ended)


def ended_message(span: timedelta, *, idle: bool = False) -> str:
    quiet = " without activity" if idle else ""
    return f"Your session ended after {_span(span)}{quiet}: sign in again."


def _span(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60} hours" if minutes % 60 == 0 and minutes >= 120 else \
        f"{minutes} minutes"


SESSIONS = SessionStore()  # the app process's sessions
