"""Paging for long registers: a page picker and the line that says what is shown."""

from __future__ import annotations

import streamlit as st

from aims_core.ui.editable_table import table_height


def page_offset(total: int, page_size: int, key: str, note: str = "") -> int:
    """Offset of the first row of the page picked; a picker only when there are pages.

    The widget key carries the page count, so a filter that shrinks the result starts again
    at page 1 instead of pointing past the end.
    """
    pages = max(1, -(-total // page_size))
    if pages == 1:
        return 0
    label = f"Page (of {pages}{', ' + note if note else ''})"
    return (int(st.number_input(label, 1, pages, 1, key=f"{key}_of_{pages}")) - 1) * page_size


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
