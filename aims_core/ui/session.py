"""The database handle, cached queries, and who is using the app (their :class:`Identity`)."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, TypeVar

import pandas as pd
import streamlit as st

from aims_core import bootstrap
from aims_core.auth import roles
from aims_core.auth.actor import Actor
from aims_core.config import database_path
from aims_core.storage.database import Database, DatabaseError
from aims_core.ui.text import md_escape

log = logging.getLogger(__name__)


@st.cache_resource(show_spinner="Opening the database…")
def _open(path: str) -> Database:
    return bootstrap.shared_database(path)


def get_db() -> Database:
    """The process-wide database; stops the page with a one-line reason if it cannot open
    (the reason names files without the server's directories; the log has them)."""
    try:
        return _open(str(database_path()))
    except DatabaseError as exc:
        log.error("the database cannot be opened: %s", exc)
        folder = str(database_path().resolve().parent) + os.sep
        st.error(md_escape(str(exc).replace(folder, "").replace(str(database_path()),
                                                                  database_path().name)),
                 icon=":material/database:")
        st.stop()
        raise  # unreachable: st.stop() raises


@st.cache_data(max_entries=512, show_spinner=False)
def _cached_query(path: str, generation: int, sql: str, params: tuple[Any, ...]) -> pd.DataFrame:
    return _open(path).query_df(sql, list(params))


def query(sql: str, params: tuple[Any, ...] = ()) -> pd.DataFrame:
    """A cached read; every committed write bumps the generation and so invalidates it."""
    db = get_db()
    return _cached_query(str(db.path), db.generation, sql, tuple(params))


T = TypeVar("T")


@st.cache_data(max_entries=256, show_spinner=False)
def _cached_call(path: str, generation: int, name: str, args: tuple[Any, ...],
                 _func: Callable[..., Any]) -> Any:
    return _func(_open(path), *args)


def cached(func: Callable[..., T], *args: Any) -> T:
    """``func(db, *args)`` cached until the next committed write (results must pickle)."""
    db = get_db()
    name = f"{func.__module__}.{func.__qualname__}"
    return _cached_call(str(db.path), db.generation, name, args, func)


def today() -> date:
    return date.today()


Mode = Literal["personal", "team"]


@dataclass(frozen=True)
class Identity:
    """Who is using the app on this run, as app.py resolved it (aims_core/ui/identity.py).

    Personal mode (a laptop, no sign-in, served on 127.0.0.1 only): the person picked in the
    sidebar acts with every right; roles apply in team mode. Team mode: a signed-in person
    with the role the people directory gives them (the write path checks it again).
    """

    name: str | None
    signed_in: bool = False  # the name comes from a sign-in (team mode)
    role: str = "admin"
    person_id: int | None = None
    session_id: str | None = None
    mode: Mode = "personal"

    @property
    def can_edit(self) -> bool:
        """Whether edit controls are offered (the write path decides row by row)."""
        return bool(self.name) and roles.has(self.role, "edit")

    def can(self, capability: roles.Capability) -> bool:
        """Whether this person has ``capability`` ("export", "manage", "administer" …)."""
        return bool(self.name) and roles.has(self.role, capability)

    def lacks(self, capability: roles.Capability, what: str) -> str | None:
        """Why ``what`` is not offered (None: it is), for a caption by the disabled control."""
        if not self.name:
            return f"Pick your name in the sidebar to {what}."
        if roles.has(self.role, capability):
            return None
        return (f"To {what} you need the role {roles.label(roles.lowest(capability))} or "
                f"higher (you are {roles.label(self.role)}).")

    @property
    def only_own_rows(self) -> bool:
        """A Contributor: edits are limited to the rows they own."""
        return self.can_edit and not roles.has(self.role, "manage")

    @property
    def actor(self) -> Actor:
        """What this person's writes carry (the write path refuses a blank name)."""
        team = self.mode == "team"
        return Actor(self.name or "", self.role, "app",
                     person_id=self.person_id if team else None,
                     session_id=self.session_id if team else None)


def current_identity() -> Identity:
    """The identity app.py resolved on this run (before the page runs)."""
    return st.session_state.get("_identity") or Identity(None)
