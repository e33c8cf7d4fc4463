"""The database handle, cached queries, and who is using the app."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from aims_core import bootstrap
from aims_core.auth.actor import Actor
from aims_core.config import database_path
from aims_core.storage.database import Database, DatabaseError
from aims_core.ui.text import md_escape

log = logging.getLogger(__name__)


@st.cache_resource(show_spinner="Opening the database…")
def _open(path: str) -> Database:
    if not database_path().exists() and str(database_path()) == path:
        return bootstrap.init_database(path, "demo")
    return bootstrap.open_database(path)


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


@dataclass(frozen=True)
class Identity:
    name: str | None
    signed_in: bool  # True when the name comes from the identity provider (OIDC)

    @property
    def can_edit(self) -> bool:
        """Edits need an author for the change history. Roles will refine this rule."""
        return bool(self.name)

    @property
    def actor(self) -> Actor:
        """What this person's writes carry (the write path refuses a blank name)."""
        return Actor(self.name or "")


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, KeyError, st.errors.StreamlitSecretNotFoundError):
        return False


def _known_people() -> list[str]:
    frame = query(
        "SELECT DISTINCT owner FROM (SELECT owner FROM ai_systems UNION ALL "
        "SELECT owner FROM risks UNION ALL SELECT owner FROM soa UNION ALL "
        "SELECT changed_by FROM change_log) WHERE owner IS NOT NULL ORDER BY owner"
    )
    return frame["owner"].tolist()


def identity_sidebar() -> Identity:
    """Show who is working in the sidebar; returns the identity used for every change."""
    with st.sidebar:
        if _oidc_configured():
            if not st.user.is_logged_in:
                st.button("Sign in", on_click=st.login, icon=":material/login:")
                return Identity(None, False)
            name = st.user.get("name") or st.user.get("email")
            st.caption(f"Signed in as **{md_escape(name)}**")
            st.button("Sign out", on_click=st.logout)
            return Identity(str(name), True)
        name = st.selectbox(
            "You are",
            _known_people(),
            index=None,
            key="identity_name",
            accept_new_options=True,
            placeholder="Pick or type your name",
            help="Recorded with every change you make and used for 'my items'.",
        )
        return Identity(name.strip() if name else None, False)


def current_identity() -> Identity:
    """The identity shown in the sidebar on this run (set by app.py before the page runs)."""
    return st.session_state.get("_identity") or Identity(None, False)
