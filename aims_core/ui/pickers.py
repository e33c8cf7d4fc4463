"""Opening one record of a register by its id, bound to the page's URL (``?<param>=<id>``),
so that links from the Schedule, the Overview and other records open it."""

from __future__ import annotations

import streamlit as st


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
