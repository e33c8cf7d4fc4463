"""My work: what the person must act on (overdue first) and the rows they own, to edit."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from aims_core.dashboard import my_work, schedule
from aims_core.inventory import systems
from aims_core.records.fields import Register
from aims_core.records.registry import REGISTERS
from aims_core.ui.editable_table import editable_table
from aims_core.ui.paging import known_offset, page_offset
from aims_core.ui.pickers import LIST_ALL
from aims_core.ui.session import Identity, cached, current_identity, today
from aims_core.ui.text import md_escape

PAGE_SIZE = 50
TABLE_PAGE_SIZE = 100


def render() -> None:
    st.title("My work")
    who = current_identity()
    if not who.name:
        st.info("Pick your name in the sidebar: My work then lists what you own and what "
                "falls due for you — the AI systems to re-validate, your risks to review, "
                "the controls and KPIs you own — overdue first.", icon=":material/lightbulb:")
        return
    st.caption(f"Everything {md_escape(who.name)} owns or must act on, across the registers: "
               "overdue first. The counts are the Schedule's with “Only mine”.")
    shown = cached(my_work.listing, today(), who.name,
                   known_offset("my_work_due_page", PAGE_SIZE), PAGE_SIZE)
    counts = my_work.DueCounts.of(shown.counts)
    owned = cached(my_work.owned_counts, who.name)
    tiles = st.columns(4)
    tiles[0].metric("Overdue", counts.overdue, border=True)
    for tile, days in zip(tiles[1:3], my_work.HORIZONS, strict=True):
        tile.metric(f"Due in the next {days} days", counts.due_soon[days], border=True)
    tiles[3].metric("Rows you own", sum(owned.values()), border=True)
    if not counts.total and not any(owned.values()):
        st.info(f"{md_escape(who.name)} owns nothing yet. Make yourself the owner of AI "
                "systems, risks, SoA controls or KPIs on their pages (or ask an AIMS manager "
                "to), and what falls due for them appears here.", icon=":material/lightbulb:")
        return
    _due(who, shown)
    _owned(who, owned)


def _due(who: Identity, shown: schedule.Listing) -> None:
    st.subheader("Due")
    total = shown.counts.total
    if total == 0:
        st.success("Nothing of yours falls due.", icon=":material/task_alt:")
        return
    offset = page_offset(total, PAGE_SIZE, "my_work_due_page")
    if offset != shown.offset:  # the page count moved since the last run
        shown = cached(my_work.listing, today(), who.name, offset, PAGE_SIZE)
    page = shown.rows.assign(
        status=lambda f: f["overdue"].map({True: "Overdue", False: "Upcoming"}))
    st.dataframe(page[["status", "kind", "item", "link", "due_on", "reason"]],
                 hide_index=True, width="stretch", key="my_work_due", column_config={
                     "status": "Status", "kind": "What", "item": "Item",
                     "link": st.column_config.LinkColumn("Open", display_text="Open"),
                     "due_on": st.column_config.DateColumn("Due"),
                     "reason": st.column_config.TextColumn("Why", width="large")})
    st.caption(f"Showing {offset + 1}–{min(offset + PAGE_SIZE, total)} of {total} "
               "due items. “Open” goes to the record on its page.")


def _owned(who: Identity, owned: dict[str, int]) -> None:
    st.subheader("Edit what you own")
    choices = [table for table, n in owned.items() if n]
    if not choices:
        st.caption("You own no rows yet.")
        return
    table = st.segmented_control(
        "Register", choices, default=choices[0], key="my_work_register",
        format_func=lambda t: f"{REGISTERS[t].label} ({owned[t]})") or choices[0]
    register = REGISTERS[table]
    offset = page_offset(owned[table], TABLE_PAGE_SIZE, f"my_work_{table}_page")
    rows = cached(my_work.owned_rows, table, who.name, TABLE_PAGE_SIZE, offset)
    editable_table(
        register, lambda: rows, key=f"my_work_{table}", who=who,
        signature=repr((who.name, offset)), allow_add=False,
        labels=cached(my_work.reference_labels, table, _systems_listed(register, rows)),
        height="auto")


def _systems_listed(register: Register, rows: pd.DataFrame) -> dict[str, tuple] | None:
    """In a large organisation, the AI systems a reference column offers: those of the rows
    listed (rows are not added here, and moving one to another system is done on its own
    page), never thousands of names."""
    if cached(systems.pickable_count) <= LIST_ALL:
        return None
    return {spec.name: tuple(sorted({int(v) for v in rows[spec.name].dropna()}))
            for spec in register.fields
            if spec.reference is not None and spec.reference.table == "ai_systems"}
