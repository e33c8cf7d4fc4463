"""Plotly figures styled for a shared screen: large type, colour-blind-safe, labelled."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from aims_core.kpi_status import STATUS_COLOURS, STATUS_LABELS

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


def _band_edges(values: pd.Series, kpi: dict) -> tuple[float, float]:
    """The y range: every value and threshold visible, with some room."""
    levels = [v for v in (kpi["target"], kpi["amber_threshold"], kpi["red_threshold"])
              if v is not None and not pd.isna(v)]
    low, high = min([*values, *levels]), max([*values, *levels])
    pad = (high - low) * 0.12 or abs(high) * 0.1 or 1.0
    return low - pad, high + pad


def kpi_trend(series: pd.DataFrame, kpi: dict, height: int = 340) -> go.Figure:
    """A KPI's values over time against its target and amber/red bands.

    Bands are shaded and named at the right edge; points carry the status symbol too, so
    the reading never depends on colour alone.
    """
    low, high = _band_edges(series["value"], kpi)
    amber, red = kpi["amber_threshold"], kpi["red_threshold"]
    higher = kpi["direction"] == "higher"
    fig = go.Figure()
    edges = [(red, low, "red"), (amber, red, "amber"), (high, amber, "green")] if higher \
        else [(red, high, "red"), (amber, red, "amber"), (low, amber, "green")]
    for bound, far, status in edges:
        if bound is None or pd.isna(bound) or far is None or pd.isna(far):
            continue
        fig.add_hrect(y0=min(bound, far), y1=max(bound, far), fillcolor=STATUS_COLOURS[status],
                      opacity=0.15, line_width=0, layer="below")
        fig.add_annotation(text=status, x=1.01, xref="paper", xanchor="left",
                           y=(bound + far) / 2, yref="y", showarrow=False,
                           font={"size": FONT_SIZE, "color": "#333"})
    if kpi["target"] is not None and not pd.isna(kpi["target"]):
        fig.add_hline(y=kpi["target"], line_dash="dash", line_color="#333", line_width=2,
                      annotation_text=f"target {kpi['target']:g}",
                      annotation_position="top left",
                      annotation_font={"size": FONT_SIZE, "color": "#333"})
    symbols = {"red": "x", "amber": "triangle-up", "green": "circle"}
    fig.add_trace(go.Scatter(
        x=series["measured_on"], y=series["value"], mode="lines+markers",
        line={"color": PALETTE[0], "width": 3},
        marker={"size": 9, "color": [STATUS_COLOURS[s] for s in series["status"]],
                "symbol": [symbols.get(s, "circle-open") for s in series["status"]],
                "line": {"width": 1, "color": "#333"}},
        customdata=[STATUS_LABELS[s] for s in series["status"]],
        hovertemplate="%{x|%d %b %Y}: %{y}<br>%{customdata}<extra></extra>"))
    fig.update_yaxes(range=[low, high], title=kpi["unit"] or None, showgrid=True,
                     tickfont={"size": FONT_SIZE})
    fig.update_xaxes(title=None, tickfont={"size": FONT_SIZE})
    fig = _style(fig, height)
    fig.update_layout(margin={"l": 10, "r": 70, "t": 30, "b": 10})
    return fig
