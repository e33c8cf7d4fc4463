"""Schedule: every re-validation date in one place, overdue first, with a timeline."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from aims_core.registers import REVALIDATION_INTERVALS
from aims_core.revalidation import TIER_LABELS, revalidation_schedule
from aims_core.ui.charts import FONT_SIZE, PALETTE
from aims_core.ui.editable_table import editable_table
from aims_core.ui.session import cached, current_identity, query, today

HORIZONS = {"Overdue and due now": 0, "Next 30 days": 30, "Next 90 days": 90,
            "Next 12 months": 365, "Everything": None}
TIMELINE_ROWS = 40
_STATUS_COLOURS = {"Due now (trigger)": PALETTE[5], "Overdue": PALETTE[1],
                   "Upcoming": PALETTE[0]}


def _status(row: pd.Series) -> str:
    if row["due_now"]:
        return "Due now (trigger)"
    return "Overdue" if row["overdue"] else "Upcoming"


def _timeline(frame: pd.DataFrame) -> go.Figure:
    shown = frame.head(TIMELINE_ROWS).copy()
    shown["when"] = pd.to_datetime(shown["next_due"]).fillna(pd.Timestamp(today()))
    fig = go.Figure()
    for status, colour in _STATUS_COLOURS.items():
        part = shown[shown["status"] == status]
        if part.empty:
            continue
        fig.add_trace(go.Scatter(
            x=part["when"], y=part["name"], mode="markers+text", name=status,
            marker={"size": 16, "color": colour, "symbol": "diamond"},
            text=part["when"].dt.strftime("%d %b %Y"), textposition="middle right",
            hovertemplate="%{y}<br>%{text}<extra>" + status + "</extra>"))
    now = pd.Timestamp(today())
    fig.add_vline(x=now.timestamp() * 1000, line_dash="dash", line_color="#444",
                  annotation_text="today", annotation_position="top")
    fig.update_yaxes(autorange="reversed", title=None, categoryorder="array",
                     categoryarray=list(shown["name"]))
    fig.update_xaxes(title=None)
    fig.update_layout(height=max(300, 34 * len(shown) + 120), font={"size": FONT_SIZE},
                      legend={"orientation": "h", "y": 1.08}, margin={"l": 10, "r": 80, "t": 40,
                                                                       "b": 10})
    return fig


def render() -> None:
    st.title("Schedule")
    st.caption("Re-validation of AI systems (ISO/IEC 42001 A.6.2.4, A.6.2.6): next due = last "
               "validation + the interval of the system's tier; a KPI breach or a change of "
               "life-cycle stage or model version makes a system due now. Overdue first.")
    who = current_identity()
    cols = st.columns([2, 2, 3], vertical_alignment="bottom")
    horizon = cols[0].selectbox("Horizon", list(HORIZONS), index=4, key="schedule_horizon")
    mine = cols[1].toggle("Only my systems", key="schedule_mine", disabled=not who.name,
                          help="Systems you own (pick your name in the sidebar)")
    schedule = cached(revalidation_schedule, today())
    if schedule.empty:
        st.info("Nothing to schedule yet: systems appear here once they reach validation, "
                "deployment or operation. Add systems on the AI systems page.",
                icon=":material/lightbulb:")
        return
    frame = schedule.copy()
    frame["status"] = frame.apply(_status, axis=1)
    if mine and who.name:
        frame = frame[frame["owner"] == who.name]
    days = HORIZONS[horizon]
    if days is not None:
        limit = pd.Timestamp(today() + timedelta(days=days))
        frame = frame[frame["overdue"] | (pd.to_datetime(frame["next_due"]) <= limit)]
    tiles = st.columns(3)
    tiles[0].metric("Due now or overdue", int(schedule["overdue"].sum()), border=True)
    soon = pd.to_datetime(schedule["next_due"]) <= pd.Timestamp(today() + timedelta(days=30))
    tiles[1].metric("Due in the next 30 days", int((soon & ~schedule["overdue"]).sum()),
                    border=True)
    tiles[2].metric("Systems on the schedule", len(schedule), border=True)
    if frame.empty:
        st.success("Nothing falls due in this view.", icon=":material/task_alt:")
    else:
        st.plotly_chart(_timeline(frame), key="schedule_timeline")
        if len(frame) > TIMELINE_ROWS:
            st.caption(f"The timeline shows the first {TIMELINE_ROWS} of {len(frame)} rows; "
                       "the table lists all.")
        frame["link"] = "ai_systems?system=" + frame["ai_system_id"].astype(str)
        frame["tier"] = frame["risk_tier"].map(TIER_LABELS)
        st.dataframe(
            frame[["name", "link", "owner", "status", "tier", "last_validated", "next_due",
                   "reason"]],
            hide_index=True, width="stretch",
            column_config={
                "name": "AI system",
                "link": st.column_config.LinkColumn("Detail", display_text="Open",
                                                    help="Open the system's detail view"),
                "owner": "Owner", "status": "Status", "tier": "Tier",
                "last_validated": st.column_config.DateColumn("Last validated"),
                "next_due": st.column_config.DateColumn("Next due"),
                "reason": st.column_config.TextColumn("Why", width="large")})
    with st.expander("Re-validation intervals per tier"):
        st.caption("Months between validations. EU AI Act high-risk systems use the stricter "
                   "of their own tier and the high-risk interval.")
        editable_table(REVALIDATION_INTERVALS,
                       lambda: query("SELECT * FROM revalidation_intervals ORDER BY months, id"),
                       key="intervals", who=who, allow_add=False)
