"""Change history: every change filtered by register, person, dates and record, with before
and after side by side; and any register as it stood at the end of a chosen day."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from aims_core.jobs.daily import app_zone
from aims_core.records import history
from aims_core.records.registry import REGISTERS
from aims_core.ui.downloads import register_files
from aims_core.ui.paging import page_offset
from aims_core.ui.session import cached, today
from aims_core.ui.text import md_escape

PAGE_SIZE = 50
OPERATIONS = {"insert": "Added", "update": "Changed", "delete": "Removed"}


def register_label(table: str) -> str:
    register = REGISTERS.get(table)
    return f"{register.label} ({table})" if register else table


def _filters() -> history.HistoryFilter:
    zone = app_zone()
    top = st.columns([3, 2, 2, 2])
    tables = top[0].multiselect("Register", cached(history.tables), format_func=register_label,
                                key="history_tables", placeholder="Every register")
    people = top[1].multiselect("Person", cached(history.people), key="history_people",
                                placeholder="Everyone")
    since = top[2].date_input("From", value=None, key="history_since", format="YYYY-MM-DD")
    until = top[3].date_input("To", value=None, key="history_until", format="YYYY-MM-DD")
    record = st.text_input("Record: its id (e.g. 12) or part of its name or title",
                           key="history_record")
    text = record.strip().lstrip("#")
    return history.HistoryFilter(
        tables=tuple(tables), people=tuple(people),
        since=history.start_of_day(since, zone) if since else None,
        until=history.start_of_day(until + timedelta(days=1), zone) if until else None,
        row_id=int(text) if text.isdigit() else None,
        text=None if text.isdigit() or not text else text)


def _changes() -> None:
    filters = _filters()
    total = cached(history.count, filters)
    if total == 0:
        if cached(history.count, history.HistoryFilter()) == 0:
            st.info("No change recorded yet. Every change to AI systems, risks, controls, KPIs "
                    "and the other registers appears here: who, when, before and after.",
                    icon=":material/lightbulb:")
        else:
            st.warning("No change matches these filters.", icon=":material/filter_alt_off:")
        return
    offset = page_offset(total, PAGE_SIZE, "history_page")
    st.caption(f"Showing {offset + 1}–{min(offset + PAGE_SIZE, total)} of {total:,} changes, "
               "newest first (times in UTC). Pick a row to see it before and after.")
    page = cached(history.changes, filters, offset, PAGE_SIZE)
    shown = page.assign(register=page["table_name"].map(register_label),
                        operation=page["operation"].map(OPERATIONS).fillna(page["operation"]))
    picked = st.dataframe(
        shown, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
        key=f"history_rows_{offset}_{hash(filters)}",
        column_order=["changed_at", "changed_by", "register", "row_id", "record", "operation",
                      "fields"],
        column_config={"changed_at": st.column_config.DatetimeColumn(
                           "When (UTC)", format="YYYY-MM-DD HH:mm:ss"),
                       "changed_by": "Who", "register": "Register", "row_id": "Record id",
                       "record": "Record", "operation": "What",
                       "fields": st.column_config.TextColumn("Fields changed", width="large")})
    rows = picked.selection.rows if picked else []
    if rows:
        _before_after(int(page["id"].iloc[rows[0]]))


def _before_after(change_id: int) -> None:
    change = cached(history.one, change_id)
    if change is None:
        return
    st.subheader(f"{OPERATIONS.get(change.operation, change.operation)} by "
                 f"{md_escape(change.changed_by)} on {change.changed_at:%Y-%m-%d %H:%M} UTC")
    sides = change.side_by_side()
    sides["changed"] = sides["changed"].map({True: "● changed", False: ""})
    st.dataframe(sides, hide_index=True, width="stretch", column_config={
        "field": "Field", "before": st.column_config.TextColumn("Before", width="large"),
        "after": st.column_config.TextColumn("After", width="large"), "changed": ""})


def _as_of() -> None:
    st.caption("Any register as it stood at the end of a day, rebuilt from the change "
               "history — e.g. the risk register on 30 June for an auditor. Exports like the "
               "live register.")
    left, right = st.columns([3, 2])
    table = left.selectbox("Register", list(REGISTERS), format_func=register_label,
                           index=list(REGISTERS).index("risks"), key="asof_table")
    day = right.date_input("As it stood at the end of", value=today() - timedelta(days=30),
                           max_value=today(), key="asof_day", format="YYYY-MM-DD")
    moment = history.end_of_day(day or today(), app_zone())
    total = cached(history.as_of_count, table, moment)
    register = REGISTERS[table]
    if total == 0:
        st.info(f"No {register.label.lower()} existed by then (or none was recorded through "
                "the app). Rows appear from the day they were first saved.",
                icon=":material/history:")
        return
    offset = page_offset(total, PAGE_SIZE * 2, f"asof_page_{table}")
    frame = cached(history.register_as_of, table, moment, offset, PAGE_SIZE * 2)
    st.caption(f"{register.label}: {total:,} rows at the end of {day:%d %b %Y} "
               f"({app_zone()}); showing {offset + 1}–{min(offset + PAGE_SIZE * 2, total)}.")
    st.dataframe(frame, hide_index=True, width="stretch",
                 column_config={f.name: f.label for f in register.fields})
    register_files(table, f"As of {day:%d %b %Y}", "asof_download", moment)


def render() -> None:
    st.title("Change history")
    st.caption("Documented information (ISO/IEC 42001 7.5): every change to every register is "
               "kept with who made it, when, and the record before and after.")
    changes, past = st.tabs(["Changes", "A register as of a date"])
    with changes:
        _changes()
    with past:
        _as_of()
