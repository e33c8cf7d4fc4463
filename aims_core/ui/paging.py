"""Paging for long registers: a page picker and the line that says what is shown."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from aims_core.ui.editable_table import table_height
from aims_core.ui.session import cached


def page_offset(total: int, page_size: int, key: str, note: str = "") -> int:
    """Offset of the first row of the page picked; a picker only when there are pages.

    The widget key carries the page count, so a filter that shrinks the result starts again
    at page 1 instead of pointing past the end.
    """
    pages = max(1, -(-total // page_size))
    st.session_state[f"_{key}_pages"] = pages
    if pages == 1:
        return 0
    label = f"Page (of {pages}{', ' + note if note else ''})"
    return (int(st.number_input(label, 1, pages, 1, key=f"{key}_of_{pages}")) - 1) * page_size


def known_offset(key: str, page_size: int) -> int:
    """The offset :func:`page_offset` will return on this run if the page count has not
    changed since the last one: a page that reads its count and its rows in one query asks
    for this page first (and again only if the count moved)."""
    pages = st.session_state.get(f"_{key}_pages", 1)
    if pages == 1:
        return 0
    return (int(st.session_state.get(f"{key}_of_{pages}", 1)) - 1) * page_size


def show_count(total: int, offset: int, page_size: int, noun: tuple[str, str], *,
               register_empty: bool, first_steps: str) -> None:
    """Guidance for an empty register, "Showing a–b of n", or that no row matches."""
    singular, plural = noun
    if register_empty:
        st.info(first_steps, icon=":material/lightbulb:")
    elif total:
        st.caption(f"Showing {offset + 1}–{min(offset + page_size, total)} of {total} "
                   f"matching {plural}")
    else:
        st.warning(f"No {singular} matches these filters.", icon=":material/filter_alt_off:")


def page_height(total: int, offset: int, page_size: int, *, add_row: bool,
                most: int = 12) -> int:
    """Pixel height of a table showing this page's rows (at most ``most`` before it
    scrolls), plus the empty row for adding one when the table takes new rows."""
    rows = max(0, min(page_size, total - offset))
    return table_height(max(1, min(rows, most)) + (1 if add_row else 0))
def paged_rows(count: Callable[..., int], rows: Callable[..., pd.DataFrame],
               args: tuple[Any, ...], *, key: str, page_size: int, noun: tuple[str, str],
               register_empty: bool, first_steps: str) -> tuple[pd.DataFrame, int]:
    """One page of a filtered register: ``count(db, *args)`` rows match, ``rows(db, *args,
    limit, offset)`` reads the page (both cached); the page picker and the count line are
    shown. Returns the page and its offset."""
    total = cached(count, *args)
    offset = page_offset(total, page_size, key)
    show_count(total, offset, page_size, noun, register_empty=register_empty,
               first_steps=first_steps)
    return cached(rows, *args, page_size, offset), offset
