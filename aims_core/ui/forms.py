"""Forms that keep what a person typed when a save is refused, and start empty after a
successful one.

Every widget of a form is keyed ``<prefix>_<epoch>_<name>``: a save callback reads the
values through the same keys, and only a successful save moves the epoch on, which gives
the next run fresh, empty widgets. (``st.form(clear_on_submit=True)`` would clear the
person's typing even when the save is refused.)
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from aims_core.records.writes import WriteResult
from aims_core.ui.editable_table import Outcome, show_outcome


class FormKeys:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.epoch = st.session_state.get(f"_{prefix}_epoch", 0)

    def key(self, name: str) -> str:
        return f"{self.prefix}_{self.epoch}_{name}"

    def default(self, name: str, value: Any) -> str:
        """The key of widget ``name``, holding ``value`` until the person changes it (a
        default that follows, e.g., the name picked in the sidebar after the page opened).
        Create the widget with this key and no ``value``."""
        key, mark = self.key(name), f"_{self.key(name)}_default"
        if key not in st.session_state or st.session_state[key] == st.session_state.get(mark):
            st.session_state[key] = value
        st.session_state[mark] = value
        return key

    def values(self, *names: str) -> dict[str, Any]:
        """The current value of each named widget (None when not shown or empty)."""
        return {name: _plain(st.session_state.get(self.key(name))) for name in names}

    def finish(self, result: WriteResult, success: str) -> bool:
        """Leave the outcome for the next run; a success empties the form."""
        if result.ok:
            st.session_state[f"_{self.prefix}_epoch"] = self.epoch + 1
        self.leave(("success", success) if result.ok else result)
        return result.ok

    def leave(self, outcome: Outcome) -> None:
        st.session_state[f"_{self.prefix}_outcome"] = outcome

    def show_outcome(self) -> None:
        show_outcome(st.session_state.pop(f"_{self.prefix}_outcome", None))


def _plain(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value
