"""Plotly figures styled for a shared screen: large type, colour-blind-safe, labelled."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

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
