"""Schedule: every date that falls due, overdue first, with a timeline and links.

Counts, the timeline and the page of rows shown come from one reading of the due-date
sources in DuckDB (:func:`aims_core.dashboard.schedule.listing`); the browser receives the
counts and one page of rows, whatever the size of the organisation.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from aims_core.dashboard import schedule
from aims_core.inventory.registers import REVALIDATION_INTERVALS
from aims_core.inventory.revalidation import intervals
from aims_core.ui.charts import FONT_SIZE, PALETTE, figure
from aims_core.ui.editable_table import editable_table
from aims_core.ui.paging import known_offset, page_offset
from aims_core.ui.session import cached, current_identity, get_db, today
from aims_core.ui.text import plot_text

HORIZONS = {"Overdue only": 0, "Next 7 days": 7, "Next 30 days": 30, "Next 90 days": 90,
            "Next 12 months": 365, "Everything": None}
PAGE_ROWS = 50
LABEL_CHARS = 34  # a timeline row's name on the axis, after its date
_STATUS_COLOURS = {"Overdue": PALETTE[5], "Upcoming": PALETTE[0]}
_STATUS_SYMBOLS = {"Overdue": "x", "Upcoming": "diamond"}


def _status(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(status=frame["overdue"].map({True: "Overdue", False: "Upcoming"}))


def _timeline(shown: pd.DataFrame) -> go.Figure:
    shown = _status(shown)
    when = pd.to_datetime(shown["due_on"])
    full = [f"{kind}: {item!s}" for kind, item in zip(shown["kind"], shown["item"], strict=True)]
    # Each row is named by its date and a short name (the whole name is in the hover): no
    # text is drawn in the plot, so nothing crosses the "today" line or another row.
    labels = [plot_text(f"{d:%d %b %Y} · "
                          + (f"{text[:LABEL_CHARS - 1]}…" if len(text) > LABEL_CHARS else text))
              for d, text in zip(when, full, strict=True)]
    seen: dict[str, int] = {}
    for n, label in enumerate(labels):  # two rows that read alike stay two rows
        seen[label] = seen.get(label, -1) + 1
        labels[n] = label + "\u2009" * seen[label]
    data = []
    for status, colour in _STATUS_COLOURS.items():
        part = (shown["status"] == status).to_numpy()
        if not part.any():
            continue
        data.append({
            "type": "scatter", "x": [f"{d:%Y-%m-%d}" for d in when[part]],
            "y": [label for label, keep in zip(labels, part, strict=True) if keep],
            "mode": "markers", "name": status,
            "marker": {"size": 15, "color": colour, "symbol": _STATUS_SYMBOLS[status]},
            "customdata": [plot_text(t) for t, keep in zip(full, part, strict=True) if keep],
            "hovertemplate": "%{customdata}<br>%{x|%d %b %Y}<extra>" + status + "</extra>"})
    now = f"{today():%Y-%m-%d}"
    span = max((when.max() - when.min()).days, 30)
    return figure(data, {
        "height": max(300, 30 * len(shown) + 120), "font": {"size": FONT_SIZE},
        "legend": {"orientation": "h", "y": 1.06},
        "margin": {"l": 10, "r": 20, "t": 40, "b": 10},
        "yaxis": {"autorange": "reversed", "categoryorder": "array",
                  "categoryarray": list(dict.fromkeys(labels)),
                  "tickfont": {"size": FONT_SIZE - 2}},
        "xaxis": {"type": "date", "tickfont": {"size": FONT_SIZE - 2},
                  "range": [f"{when.min() - pd.Timedelta(days=span * 0.03):%Y-%m-%d}",
                            f"{when.max() + pd.Timedelta(days=span * 0.05):%Y-%m-%d}"]},
        "shapes": [{"type": "line", "xref": "x", "x0": now, "x1": now, "yref": "paper",
                    "y0": 0, "y1": 1, "line": {"dash": "dash", "color": "#444"}}],
        "annotations": [{"text": "today", "x": now, "xref": "x", "y": 1, "yref": "paper",
                         "yanchor": "bottom", "showarrow": False}]})


def _filters() -> schedule.DueFilter:
    who = current_identity()
    cols = st.columns([2, 4, 2], vertical_alignment="bottom")
    horizon = cols[0].selectbox("Horizon", list(HORIZONS), index=3, key="schedule_horizon",
                                help="Overdue items always show", bind="query-params")
    kinds = cols[1].multiselect("What", list(schedule.KINDS), key="schedule_kinds",
                                placeholder="Everything that falls due", bind="query-params")
    mine = cols[2].toggle("Only mine", key="schedule_mine", disabled=not who.name,
                          help="Items you own (pick your name in the sidebar)")
    return schedule.DueFilter(kinds=tuple(kinds), owner=who.name if mine else None,
                              horizon=HORIZONS[horizon])


def _tiles(counts: schedule.DueCounts, filters: schedule.DueFilter) -> None:
    tiles = st.columns(3)
    tiles[0].metric("Overdue", counts.overdue, border=True)
    tiles[1].metric("Due in the next 7 days", counts.next_7_days, border=True)
    tiles[2].metric("Due in the next 30 days", counts.next_30_days, border=True)
    if filters.kinds or filters.owner:
        st.caption("Counted over what you chose below" + (" and your own items"
                                                          if filters.owner else "") + ".")


def _listing(filters: schedule.DueFilter, picker: DeltaGenerator) -> schedule.Listing:
    """The listing of the page picked (the picker drawn in ``picker``); read a second time
    only when the page count moved since the last run."""
    guess = known_offset("schedule_page", PAGE_ROWS)
    listing = cached(schedule.listing, today(), filters, guess, PAGE_ROWS,
                     schedule.TIMELINE_ROWS)
    with picker:
        offset = page_offset(listing.counts.listed, PAGE_ROWS, "schedule_page")
    if offset != guess:
        listing = cached(schedule.listing, today(), filters, offset, PAGE_ROWS,
                         schedule.TIMELINE_ROWS)
    return listing


def _timeline_chart(listing: schedule.Listing) -> None:
    listed, timeline = listing.counts.listed, listing.timeline
    st.plotly_chart(_timeline(timeline), key="schedule_timeline")
    if len(timeline) < listed:
        late = int(timeline["overdue"].sum())
        st.caption(f"The timeline shows {len(timeline)} of {listed} rows: the {late} most "
                   f"overdue and the next {len(timeline) - late} due; the table lists them "
                   "all, page by page.")


def _table(listing: schedule.Listing) -> None:
    rows = _status(listing.rows)
    st.caption(f"Showing {listing.offset + 1}–{listing.offset + len(rows)} of "
               f"{listing.counts.listed}, overdue first")
    st.dataframe(
        rows[["status", "kind", "item", "link", "owner", "due_on", "reason"]],
        hide_index=True, width="stretch", column_config={
            "status": "Status", "kind": "What", "item": "Item",
            "link": st.column_config.LinkColumn("Where", display_text="Open"),
            "owner": "Owner", "due_on": st.column_config.DateColumn("Due"),
            "reason": st.column_config.TextColumn("Why", width="large")})


def render() -> None:
    st.title("Schedule")
    st.caption("Every date that falls due, in one place: re-validations of AI systems "
               "(A.6.2.4, A.6.2.6; a KPI breach, an incident or a change of stage or model "
               "version makes a system due now), risk reviews, expiring risk acceptances, "
               "impact-assessment reviews, supplier reviews, SoA evidence expiry, control "
               "reviews and target dates, measured KPI values, the dates on which each "
               "system's EU AI Act obligations start to apply (from its triage), triages to "
               "re-check, incident reporting deadlines (EU AI Act, GDPR), internal audits, "
               "effectiveness checks and actions. Overdue first.")
    tiles = st.container()
    filters = _filters()
    chart, picker = st.container(), st.container()
    listing = _listing(filters, picker)
    if listing.counts.total == 0 and not (filters.kinds or filters.owner):
        tiles.info("Nothing falls due yet. Dates appear here as you add AI systems "
                   "(validation), risks (review dates), impact assessments, suppliers, SoA "
                   "evidence and target dates, measured KPIs, incidents, internal audits and "
                   "actions.", icon=":material/lightbulb:")
    else:
        with tiles:
            _tiles(listing.counts, filters)
        if listing.counts.listed == 0:
            st.success("Nothing falls due in this view.", icon=":material/task_alt:")
        else:
            with chart:
                _timeline_chart(listing)
            _table(listing)
    with st.expander("Re-validation intervals per tier"):
        st.caption("Months between validations. EU AI Act high-risk systems use the stricter "
                   "of their own tier and the high-risk interval.")
        editable_table(REVALIDATION_INTERVALS, lambda: intervals(get_db()),
                       key="intervals", who=current_identity(), allow_add=False)
