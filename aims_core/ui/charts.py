"""Plotly figures styled for a shared screen: large type, colour-blind-safe, labelled."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from aims_core.registers import IMPLEMENTATION_STATUSES

# Okabe-Ito palette: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000")
FONT_SIZE = 16


def _style(fig: go.Figure, height: int) -> go.Figure:
    fig.update_layout(height=height, margin={"l": 10, "r": 30, "t": 10, "b": 10},
                      font={"size": FONT_SIZE}, showlegend=False, bargap=0.25)
    return fig


def labelled_bars(frame: pd.DataFrame, label: str, value: str, colours: list[str],
                  height: int = 320) -> go.Figure:
    """Horizontal bars with the value printed on each bar, first row on top."""
    fig = go.Figure(go.Bar(
        x=frame[value], y=frame[label], orientation="h", marker_color=colours,
        text=frame[value], textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: %{x}<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_xaxes(title=None, rangemode="tozero", showgrid=True)
    return _style(fig, height)


# Implementation status, left to right from done to not started; text colour per fill.
STATUS_COLOURS = {"implemented": ("#009E73", "white"), "partial": ("#56B4E9", "black"),
                  "planned": ("#E69F00", "black"), "not_started": ("#D9D9D9", "black")}


def status_bars(frame: pd.DataFrame, label: str, total: str) -> go.Figure:
    """One 100 % bar per row of ``frame``, split by implementation status.

    ``frame`` holds a count column and a ``<status>_pct`` share column per status (as
    :func:`aims_core.soa.coverage` returns); each segment is labelled with its count.
    """
    fig = go.Figure()
    for status, (colour, text_colour) in STATUS_COLOURS.items():
        counts = frame[status]
        fig.add_trace(go.Bar(
            x=frame[f"{status}_pct"].fillna(0), y=frame[label], orientation="h",
            name=IMPLEMENTATION_STATUSES[status], marker_color=colour,
            text=[str(n) if n else "" for n in counts], textposition="inside",
            insidetextanchor="middle", textfont={"color": text_colour, "size": FONT_SIZE},
            customdata=frame[[status, total]].to_numpy().tolist(),
            hovertemplate="%{y}<br>" + IMPLEMENTATION_STATUSES[status]
            + ": %{customdata[0]} of %{customdata[1]} (%{x:.0f} %)<extra></extra>"))
    fig.update_yaxes(autorange="reversed", title=None, automargin=True,
                     tickfont={"size": FONT_SIZE})
    fig.update_xaxes(title=None, range=[0, 100], ticksuffix=" %", showgrid=True,
                     tickfont={"size": FONT_SIZE})
    _style(fig, max(260, 46 * len(frame) + 90))
    fig.update_layout(barmode="stack", showlegend=True, margin={"l": 10, "r": 30, "t": 50, "b": 10},
                      legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0,
                              "traceorder": "normal", "font": {"size": FONT_SIZE}})
    return fig
