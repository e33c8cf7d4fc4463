"""Pickers over choices a large organisation has thousands of (its AI systems): every
choice listed while they are few, a search box and the first matches once they are many,
so a page never sends thousands of names to the browser."""

from __future__ import annotations

import streamlit as st

LIST_ALL = 200  # up to this many choices a picker lists them all


def search_text(key: str, total: int, noun: str) -> str | None:
    """None when ``total`` choices are few enough to list them all; else what the person
    typed in a search box (key ``<key>_find``; empty: the first choices by name)."""
    if total <= LIST_ALL:
        return None
    return st.text_input(f"Find {noun}", key=f"{key}_find",
                         placeholder=f"Part of a name: {total} {noun}, the first matches "
                                     "are offered")


def listed_only_note(total: int) -> None:
    """Say so when an editor's AI system column offers only the systems listed."""
    if total > LIST_ALL:
        st.caption(f"With {total} AI systems, the AI system column offers the systems listed "
                   "and those chosen in the filter above: choose a system there to add or "
                   "move rows to it.")
