"""Plotly figures styled for a shared screen: large type, colour-blind-safe, labelled."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

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


def risk_matrices(counts: dict[str, pd.DataFrame], size: int, likelihood_labels: list[str],
                  impact_labels: list[str], band_colours: dict[str, str],
                  above_tolerance: set[str], height: int = 520) -> go.Figure:
    """Inherent and residual matrices side by side.

    Each ``counts`` frame has one row per cell (likelihood, impact, level_band, risks). The
    cells are square scatter markers, not a heatmap, because Streamlit receives clicks on
    scatter points only; ``customdata`` carries (view, likelihood, impact) to filter the
    register. Colour = level band; the count and the band's name are printed in each cell;
    cells above the risk tolerance get a thick black border.
    """
    views = list(counts)
    fig = make_subplots(1, len(views), subplot_titles=[v.title() for v in views],
                        shared_yaxes=True, horizontal_spacing=0.06)
    marker_px = int((height - 150) / size * 0.92)
    for column, view in enumerate(views, start=1):
        frame = counts[view]
        above = frame["level_band"].isin(above_tolerance)
        fig.add_trace(go.Scatter(
            x=frame["impact"], y=frame["likelihood"], mode="markers+text",
            marker={"symbol": "square", "size": marker_px,
                    "color": [band_colours[b] for b in frame["level_band"]],
                    "line": {"color": ["#000000" if a else "#FFFFFF" for a in above],
                             "width": [4 if a else 1 for a in above]}},
            text=[f"<b>{n}</b><br><span style='font-size:13px'>{b}</span>" if n else
                  f"<span style='font-size:13px'>{b}</span>"
                  for n, b in zip(frame["risks"], frame["level_band"], strict=True)],
            textfont={"size": 20, "color": "#000000"},
            customdata=[[view, int(lik), int(imp)] for lik, imp in
                        zip(frame["likelihood"], frame["impact"], strict=True)],
            hovertemplate=("%{customdata[0]}: likelihood %{y}, impact %{x}<br>"
                           "%{text}<extra>click to filter</extra>"),
            name=view), row=1, col=column)
        fig.update_xaxes(tickvals=list(range(1, size + 1)), ticktext=impact_labels,
                         range=[0.5, size + 0.5], title_text="Impact", showgrid=False,
                         tickfont={"size": 14},
                         zeroline=False, fixedrange=True, row=1, col=column)
    fig.update_yaxes(tickvals=list(range(1, size + 1)), ticktext=likelihood_labels,
                     range=[0.5, size + 0.5], showgrid=False, zeroline=False, fixedrange=True,
                     tickfont={"size": 14})
    fig.update_yaxes(title_text="Likelihood", row=1, col=1)
    fig.update_layout(height=height, font={"size": FONT_SIZE}, showlegend=False,
                      margin={"l": 10, "r": 10, "t": 40, "b": 10}, dragmode=False,
                      clickmode="event+select", plot_bgcolor="#FFFFFF")
    return fig


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
