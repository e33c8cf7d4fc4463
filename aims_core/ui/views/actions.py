"""The actions list: every action of every area (corrective actions, finding and incident
follow-ups, risk treatment, management review decisions, self-assessment gaps), my actions
first and overdue on top, each linked to the record it comes from."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from aims_core.improvement import actions, exports
from aims_core.improvement.figures import figures
from aims_core.improvement.registers import ACTION_STATUSES, ACTIONS, OPEN_ACTION_STATUSES
from aims_core.improvement.sources import ACTION_SOURCES, labels
from aims_core.storage.filters import ColumnFilter
from aims_core.ui.downloads import spreadsheet_downloads
from aims_core.ui.editable_table import editable_table
from aims_core.ui.paging import page_height, page_offset, show_count
from aims_core.ui.pickers import linked_id
from aims_core.ui.session import Identity, cached, current_identity, get_db, today

PAGE_SIZE = 100
TABLE = "actions"
COLUMNS = ["title", "attention", "owner", "due_on", "status", "done_on", "source_record",
           "source_link", "notes"]


def _tiles(who: Identity) -> None:
    counts = cached(figures, today())
    everything_open = ColumnFilter.of(status=OPEN_ACTION_STATUSES)
    tiles = st.columns(3)
    tiles[0].metric("Open", cached(actions.count, today(), everything_open), border=True,
                    help="Open or in progress")
    tiles[1].metric("Overdue", counts.actions_overdue, border=True,
                    help="Open or in progress, past the due date")
    if who.name:
        mine = ColumnFilter.of(status=OPEN_ACTION_STATUSES, owner=[who.name])
        tiles[2].metric("Mine, open", cached(actions.count, today(), mine), border=True)


def _filters(who: Identity) -> tuple[ColumnFilter, str | None]:
    wanted = linked_id("action")
    if wanted is not None:  # a link to one action (from the Schedule, My work …)
        left, right = st.columns([4, 1], vertical_alignment="center")
        left.info(f"Showing action #{wanted}.", icon=":material/filter_alt:")
        if right.button("Show all actions", key="actions_show_all"):
            st.query_params.pop("action", None)
            st.rerun()
        return ColumnFilter.of(id=[wanted]), None
    top = st.columns([3, 3, 3])
    status = top[0].multiselect("Status", list(ACTION_STATUSES), format_func=ACTION_STATUSES.get,
                                key="actions_status", bind="query-params")
    source = top[1].multiselect("Source", list(ACTION_SOURCES),
                                format_func=labels(ACTION_SOURCES).get, key="actions_source",
                                bind="query-params")
    owner = top[2].multiselect("Owner", cached(actions.owners), key="actions_owner")
    row = st.columns([2, 2, 4])
    overdue = row[0].toggle("Overdue only", key="actions_overdue")
    mine = row[1].toggle("My actions first", value=True, key="actions_mine_first",
                         help="Your actions on top (pick your name in the sidebar); overdue "
                              "ones first")
    return (ColumnFilter.of(status=status, source=source, owner=owner,
                            overdue=[True] if overdue else []),
            who.name if mine and who.name else None)


def _load(filters: ColumnFilter, me: str | None, offset: int) -> pd.DataFrame:
    frame = actions.register(get_db(), today(), filters, me=me, limit=PAGE_SIZE, offset=offset)
    frame["attention"] = ["Overdue" if late else "" for late in frame["overdue"]]
    return frame


def render() -> None:
    st.title("Actions")
    st.caption("One list of every action the management system has decided (ISO/IEC 42001 "
               "6.1.1, 10.1, 10.2): corrective actions of nonconformities, follow-ups of "
               "audit findings and incidents, risk treatment, management review decisions. "
               "Each links to the record it comes from; open that record to add its actions.")
    who = current_identity()
    _tiles(who)
    filters, me = _filters(who)
    total = cached(actions.count, today(), filters)
    offset = page_offset(total, PAGE_SIZE, "actions_page")
    show_count(total, offset, PAGE_SIZE, ("action", "actions"),
               register_empty=not cached(actions.count, today(), ColumnFilter()),
               first_steps="No action yet. Actions come from nonconformities, audit findings, "
               "incidents on AI systems, risks and management reviews: add them on those "
               "records' pages so they stay linked. An action tied to no record can be added "
               "in the empty row below: title, owner and due date are required.")
    editable_table(
        ACTIONS, lambda: _load(filters, me, offset), key=TABLE, who=who,
        signature=repr((filters, me, offset)), column_order=COLUMNS,
        fixed={"source": "other", "created_on": today()},
        context={"attention": st.column_config.TextColumn("Attention"),
                 "source_record": st.column_config.TextColumn("From", width="medium"),
                 "source_link": st.column_config.LinkColumn("Open", display_text="Open")},
        height=page_height(total, offset, PAGE_SIZE, add_row=True))
    spreadsheet_downloads("actions", {"Actions": lambda: cached(exports.action_list, today())},
                          key="actions_export")
