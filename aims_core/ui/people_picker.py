"""Picking a person in a form: from the people directory, like every person field."""

from __future__ import annotations

from typing import Any

import streamlit as st

from aims_core.auth import people
from aims_core.ui.session import cached


def person_select(label: str, *, key: str, default: str | None = None, where: Any = st,
                  help: str | None = None) -> str | None:
    """A selectbox of the directory's active people; an empty one takes ``default`` (e.g. the
    person in the sidebar, who may only be picked after the page first ran)."""
    names = cached(people.active_names)
    if st.session_state.get(key) not in names:
        st.session_state[key] = default if default in names else None
    return where.selectbox(label, names, index=None, key=key, help=help,
                           placeholder="Pick a person from the directory")
