"""Pickers: opening one record of a register by its id, bound to the page's URL
(``?<param>=<id>``, so links from the Schedule, the Overview and other records open it), and
choices a large organisation has thousands of (its AI systems) — every choice listed while
they are few, a search box and the first matches once they are many, so a page never sends
thousands of names to the browser."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
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


def linked_id(param: str) -> int | None:
    """The record id the URL asks for, if any."""
    wanted = st.query_params.get(param, "")
    return int(wanted) if wanted.isdigit() else None


def record_picker(label: str, titles: dict[int, str], *, param: str, key: str,
                  placeholder: str) -> int | None:
    """A choice among ``titles`` ({id: title}); the URL's record is chosen first."""
    ids = list(titles)
    wanted = linked_id(param)
    index = ids.index(wanted) if wanted in titles else None
    chosen = st.selectbox(label, ids, index=index, format_func=titles.get, key=key,
                          placeholder=placeholder)
    if chosen is None:
        st.query_params.pop(param, None)
        return None
    st.query_params[param] = str(chosen)
    return int(chosen)


def open_record(shown: pd.DataFrame, load: Callable[[int], dict[str, Any] | None], *,
                noun: str, param: str, key: str, listed_in: str) -> dict[str, Any] | None:
    """Pick one of the ``shown`` rows (id, title) — or the record the URL links to, even when
    the filters hide it — and return it as ``load(id)`` reads it (None: nothing opened)."""
    titles = {int(r.id): f"#{int(r.id)} {r.title}" for r in shown.itertuples()}
    wanted = linked_id(param)
    if wanted is not None and wanted not in titles:
        linked = load(wanted)
        if linked:
            titles[wanted] = f"#{wanted} {linked['title']}"
    if not titles:
        st.caption(f"The {noun}s listed in the {listed_in} above can be opened here.")
        return None
    chosen = record_picker(f"Open a{'n' if noun[0] in 'aeiou' else ''} {noun}", titles,
                           param=param, key=key,
                           placeholder=f"Choose a{'n' if noun[0] in 'aeiou' else ''} {noun} "
                                       f"from the {listed_in} above")
    if chosen is None:
        return None
    record = load(chosen)
    if record is None:
        st.warning(f"{noun.capitalize()} #{chosen} no longer exists.",
                   icon=":material/sync_problem:")
    return record
