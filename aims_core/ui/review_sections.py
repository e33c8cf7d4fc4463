"""Showing one management-review input (a section of management_review/content.py) with
Streamlit: on the review page and, in large type, on the presenter's screen."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from aims_core.performance.kpi_status import STATUS_COLOURS
from aims_core.ui.charts import PALETTE
from aims_core.ui.text import md_escape, plot_text


def bars_figure(chart: dict[str, Any], font: int) -> go.Figure:
    labels = [plot_text(label) for label, _ in chart["bars"]]
    values = [value for _, value in chart["bars"]]
    fig = go.Figure(go.Bar(x=values, y=labels, orientation="h",
                           marker_color=chart.get("colours") or PALETTE[0],
                           text=[f"{v:,}" for v in values], textposition="outside",
                           cliponaxis=False, textfont={"size": font},
                           hovertemplate="%{y}: %{x}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", tickfont={"size": font})
    fig.update_xaxes(rangemode="tozero", showgrid=True, tickfont={"size": font - 2})
    fig.update_layout(title={"text": plot_text(chart["title"]), "font": {"size": font + 2}},
                      height=max(220, 70 + 46 * len(labels)) * font / 16,
                      margin={"l": 10, "r": 50, "t": 50, "b": 10}, showlegend=False)
    return fig


def trend_figure(chart: dict[str, Any], font: int) -> go.Figure:
    days = [day for day, _ in chart["points"]]
    values = [value for _, value in chart["points"]]
    fig = go.Figure(go.Scatter(x=days, y=values, mode="lines+markers+text",
                               text=[f"{v:.3g}" for v in values], textposition="top center",
                               textfont={"size": font - 2},
                               line={"color": PALETTE[0], "width": 4}, marker={"size": 10}))
    for name, label, colour in (("target", "target", "#333333"),
                                ("red", "red threshold", STATUS_COLOURS["red"]),
                                ("amber", "amber threshold", STATUS_COLOURS["amber"])):
        if chart.get(name) is not None:
            fig.add_hline(y=chart[name], line_dash="dash", line_color=colour, line_width=2,
                          annotation_text=f"{label} {chart[name]:g}",
                          annotation_position="top left",
                          annotation_font={"size": font - 2, "color": colour})
    fig.update_xaxes(tickfont={"size": font - 2}, tickformat="%b %y")
    unit = plot_text(chart["unit"]) if chart.get("unit") else None
    fig.update_yaxes(title=unit, tickfont={"size": font - 2})
    fig.update_layout(title={"text": plot_text(chart["title"]), "font": {"size": font}},
                      height=320 * font / 16, showlegend=False,
                      margin={"l": 10, "r": 20, "t": 60, "b": 10})
    return fig


def show_chart(chart: dict[str, Any], key: str, font: int = 16) -> None:
    figure = bars_figure(chart, font) if chart["kind"] == "bars" else trend_figure(chart, font)
    st.plotly_chart(figure, key=key, config={"displayModeBar": False})


def fact_tiles(facts: list[list[str]]) -> None:
    """Large tiles for the shared screen: the figure big, its label under it (escaped)."""
    tiles = "".join(f'<div class="review-fact"><div class="review-fact-value">{escape(value)}'
                    f'</div><div class="review-fact-label">{escape(label)}</div></div>'
                    for label, value in facts)
    st.markdown(f'<div class="review-facts">{tiles}</div>', unsafe_allow_html=True)


def show_facts(facts: list[list[str]], per_row: int = 4) -> None:
    for start in range(0, len(facts), per_row):
        columns = st.columns(per_row)
        for column, (label, value) in zip(columns, facts[start:start + per_row], strict=False):
            column.metric(md_escape(label), value, border=True)


def show_table(table: dict[str, Any], key: str, rows: int | None = None,
               large: bool = False) -> None:
    """A section's table; on the shared screen as a static table in large type (its cells
    escaped: st.table renders Markdown)."""
    st.markdown(f"**{md_escape(table['title'])}**")
    if not table["rows"]:
        st.caption(md_escape(table["empty"]))
        return
    shown = table["rows"][:rows] if rows else table["rows"]
    frame = pd.DataFrame(shown, columns=table["columns"])
    if large:
        st.table(frame.map(md_escape).rename(columns=md_escape), hide_index=True)
    else:
        st.dataframe(frame, hide_index=True, width="stretch", key=key)
    more = len(table["rows"]) - len(shown)
    if more > 0:
        st.caption(f"{more} more in the pack and on the register's page.")
    if table.get("note"):
        st.caption(md_escape(table["note"]))


def show_section(section: dict[str, Any], key: str, *, large: bool = False,
                 after_facts: Callable[[], None] | None = None) -> None:
    """Facts, charts and tables of one input; on the shared screen only the first rows.
    ``after_facts`` shows something in view right under the figures (the meeting's notes)."""
    if section.get("missing"):
        st.info(md_escape(section["missing"]), icon=":material/inventory_2:")
    if large:
        fact_tiles(section["facts"])
    else:
        show_facts(section["facts"])
    if after_facts is not None:
        after_facts()
    charts = section["charts"]
    if charts:
        columns = st.columns(2)
        for i, chart in enumerate(charts):
            with columns[i % len(columns)]:
                show_chart(chart, f"{key}_chart_{i}", font=22 if large else 16)
    for i, table in enumerate(section["tables"][:2] if large else section["tables"]):
        show_table(table, f"{key}_table_{i}", rows=6 if large else None, large=large)
    for note in section["notes"]:
        st.caption(md_escape(note))
