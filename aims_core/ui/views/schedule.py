"""Schedule: every date that falls due, overdue first, with a timeline and links."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from aims_core.dashboard.schedule import KINDS, due_dates
from aims_core.inventory.registers import REVALIDATION_INTERVALS
from aims_core.ui.charts import FONT_SIZE, PALETTE
from aims_core.ui.editable_table import editable_table
from aims_core.ui.session import cached, current_identity, query, today
from aims_core.ui.text import plot_text

HORIZONS = {"Overdue only": 0, "Next 7 days": 7, "Next 30 days": 30, "Next 90 days": 90,
            "Next 12 months": 365, "Everything": None}
TIMELINE_ROWS = 40
_STATUS_COLOURS = {"Overdue": PALETTE[5], "Upcoming": PALETTE[0]}
_STATUS_SYMBOLS = {"Overdue": "x", "Upcoming": "diamond"}


def _timeline_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """At most TIMELINE_ROWS rows, half for the most overdue and the rest for the next due,
    so a long backlog does not hide what comes next."""
    overdue, upcoming = frame[frame["overdue"]], frame[~frame["overdue"]]
    keep_upcoming = min(len(upcoming), max(TIMELINE_ROWS // 2, TIMELINE_ROWS - len(overdue)))
    return pd.concat([overdue.head(TIMELINE_ROWS - keep_upcoming), upcoming.head(keep_upcoming)])


def _timeline(shown: pd.DataFrame) -> go.Figure:
    shown = shown.copy()
    shown["when"] = pd.to_datetime(shown["due_on"])
    shown["label"] = [plot_text(f"{kind}: {str(item)[:48]}")
                      for kind, item in zip(shown["kind"], shown["item"], strict=True)]
    fig = go.Figure()
    for status, colour in _STATUS_COLOURS.items():
        part = shown[shown["status"] == status]
        if part.empty:
            continue
        fig.add_trace(go.Scatter(
            x=part["when"], y=part["label"], mode="markers+text", name=status,
            marker={"size": 15, "color": colour, "symbol": _STATUS_SYMBOLS[status]},
            text=part["when"].dt.strftime("%d %b %Y"), textposition="middle right",
            cliponaxis=False,
            hovertemplate="%{y}<br>%{text}<extra>" + status + "</extra>"))
    now = pd.Timestamp(today())
    fig.add_vline(x=now.timestamp() * 1000, line_dash="dash", line_color="#444",
                  annotation_text="today", annotation_position="top")
    fig.update_yaxes(autorange="reversed", title=None, categoryorder="array",
                     categoryarray=list(dict.fromkeys(shown["label"])))
    span = max((shown["when"].max() - shown["when"].min()).days, 30)
    fig.update_xaxes(title=None, range=[shown["when"].min() - pd.Timedelta(days=span * 0.03),
                                        shown["when"].max() + pd.Timedelta(days=span * 0.18)])
    fig.update_layout(height=max(300, 30 * len(shown) + 120), font={"size": FONT_SIZE},
                      legend={"orientation": "h", "y": 1.06},
                      margin={"l": 10, "r": 90, "t": 40, "b": 10})
    return fig


def _filtered(items: pd.DataFrame) -> pd.DataFrame:
    who = current_identity()
    cols = st.columns([2, 4, 2], vertical_alignment="bottom")
    horizon = cols[0].selectbox("Horizon", list(HORIZONS), index=3, key="schedule_horizon",
                                help="Overdue items always show", bind="query-params")
    kinds = cols[1].multiselect("What", list(KINDS), key="schedule_kinds",
                                placeholder="Everything that falls due", bind="query-params")
    mine = cols[2].toggle("Only mine", key="schedule_mine", disabled=not who.name,
                          help="Items you own (pick your name in the sidebar)")
    frame = items
    if kinds:
        frame = frame[frame["kind"].isin(kinds)]
    if mine and who.name:
        frame = frame[frame["owner"] == who.name]
    days = HORIZONS[horizon]
    if days == 0:
        frame = frame[frame["overdue"]]
    elif days is not None:
        frame = frame[frame["overdue"] | (frame["due_on"] <= today() + timedelta(days=days))]
    return frame.assign(status=frame["overdue"].map({True: "Overdue", False: "Upcoming"}))


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
    items = cached(due_dates, today())
    if items.empty:
        st.info("Nothing falls due yet. Dates appear here as you add AI systems (validation), "
                "risks (review dates), impact assessments, suppliers, SoA evidence and target "
                "dates, measured KPIs, incidents, internal audits and actions.",
                icon=":material/lightbulb:")
    else:
        tiles = st.columns(3)
        tiles[0].metric("Overdue", int(items["overdue"].sum()), border=True)
        for tile, days in zip(tiles[1:], (7, 30), strict=True):
            upcoming = ~items["overdue"] & (items["due_on"] <= today() + timedelta(days=days))
            tile.metric(f"Due in the next {days} days", int(upcoming.sum()), border=True)
        frame = _filtered(items)
        if frame.empty:
            st.success("Nothing falls due in this view.", icon=":material/task_alt:")
        else:
            shown = _timeline_rows(frame)
            st.plotly_chart(_timeline(shown), key="schedule_timeline")
            if len(shown) < len(frame):
                late = int(shown["overdue"].sum())
                st.caption(f"The timeline shows {len(shown)} of {len(frame)} rows: the {late} "
                           f"most overdue and the next {len(shown) - late} due; the table "
                           "lists all.")
            st.dataframe(
                frame[["status", "kind", "item", "link", "owner", "due_on", "reason"]],
                hide_index=True, width="stretch", column_config={
                    "status": "Status", "kind": "What", "item": "Item",
                    "link": st.column_config.LinkColumn("Where", display_text="Open"),
                    "owner": "Owner", "due_on": st.column_config.DateColumn("Due"),
                    "reason": st.column_config.TextColumn("Why", width="large")})
    with st.expander("Re-validation intervals per tier"):
        st.caption("Months between validations. EU AI Act high-risk systems use the stricter "
                   "of their own tier and the high-risk interval.")
        editable_table(REVALIDATION_INTERVALS,
                       lambda: query("SELECT * FROM revalidation_intervals ORDER BY months, id"),
                       key="intervals", who=current_identity(), allow_add=False)
