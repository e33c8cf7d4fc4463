"""Plotly figures styled for a shared screen: large type, colour-blind-safe, labelled."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from aims_core.compliance.registers import IMPLEMENTATION_STATUSES
from aims_core.performance.kpi_status import STATUS_COLOURS, STATUS_LABELS

# Okabe-Ito palette: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000")
FONT_SIZE = 16  # chart text; the page's body text is 17 px (.streamlit/config.toml)
AXIS_FONT_SIZE = 14  # tick labels, which must fit beside their neighbours
ROW_PX, BAR_PX = 42, 24  # a status bar's row: its name above, the bar below


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


# Text in a risk-matrix cell, by matrix size: (count px, band name px). Chosen so that the
# longest band name ("Critical", "Medium") fits a cell of the narrowest layout the app uses
# (one matrix in half of a 1280 px wide screen, about 300 px of plot for 7 cells).
MATRIX_TEXT_PX = {3: (24, 15), 4: (21, 13), 5: (17, 12), 6: (15, 11), 7: (13, 10)}
CLICK_MARKER_PX = 26  # the invisible point in each cell's centre that takes the click


def risk_matrices(counts: dict[str, pd.DataFrame], size: int, likelihood_labels: list[str],
                  impact_labels: list[str], band_colours: dict[str, str],
                  above_tolerance: set[str], height: int = 500) -> go.Figure:
    """Inherent and residual matrices side by side.

    Each ``counts`` frame has one row per cell (likelihood, impact, level_band, risks). The
    cells are rectangles in axis units, so they fill the grid at any width and the printed
    count and band name stay inside them; a transparent scatter point in each cell takes
    the click (Streamlit receives clicks on scatter points only), its ``customdata``
    carrying (view, likelihood, impact) to filter the register. Colour = level band; cells
    above the risk tolerance get a thick black border.
    """
    views = list(counts)
    fig = make_subplots(1, len(views), subplot_titles=[v.title() for v in views],
                        shared_yaxes=True, horizontal_spacing=0.05)
    count_px, band_px = MATRIX_TEXT_PX.get(size, MATRIX_TEXT_PX[7])
    for column, view in enumerate(views, start=1):
        frame = counts[view]
        for cell in frame.itertuples():
            above = cell.level_band in above_tolerance
            fig.add_shape(type="rect", x0=cell.impact - 0.5, x1=cell.impact + 0.5,
                          y0=cell.likelihood - 0.5, y1=cell.likelihood + 0.5,
                          fillcolor=band_colours[cell.level_band], layer="below",
                          line={"color": "#000000" if above else "#FFFFFF",
                                "width": 4 if above else 2}, row=1, col=column)
        fig.add_trace(go.Scatter(
            x=frame["impact"], y=frame["likelihood"], mode="markers+text",
            marker={"symbol": "square", "size": CLICK_MARKER_PX, "color": "rgba(0,0,0,0)"},
            text=[f"<b>{n}</b><br><span style='font-size:{band_px}px'>{b}</span>" if n else
                  f"<span style='font-size:{band_px}px'>{b}</span>"
                  for n, b in zip(frame["risks"], frame["level_band"], strict=True)],
            textfont={"size": count_px, "color": "#000000"}, textposition="middle center",
            customdata=[[view, int(lik), int(imp)] for lik, imp in
                        zip(frame["likelihood"], frame["impact"], strict=True)],
            hovertemplate=("%{customdata[0]}: likelihood %{y}, impact %{x}<br>"
                           "%{text}<extra>click to filter</extra>"),
            name=view), row=1, col=column)
        fig.update_xaxes(tickvals=list(range(1, size + 1)), ticktext=impact_labels,
                         range=[0.5, size + 0.5], title_text="Impact", showgrid=False,
                         tickfont={"size": AXIS_FONT_SIZE},
                         # long names turned, so neighbours never run into each other
                         tickangle=-30 if max(map(len, impact_labels)) > 8 else 0,
                         zeroline=False, fixedrange=True, row=1, col=column)
    fig.update_yaxes(tickvals=list(range(1, size + 1)), ticktext=likelihood_labels,
                     range=[0.5, size + 0.5], showgrid=False, zeroline=False, fixedrange=True,
                     tickfont={"size": AXIS_FONT_SIZE})
    fig.update_yaxes(title_text="Likelihood", row=1, col=1)
    fig.update_annotations(font={"size": FONT_SIZE})  # the subplot titles
    fig.update_layout(height=height, font={"size": FONT_SIZE}, showlegend=False,
                      margin={"l": 10, "r": 10, "t": 36, "b": 10}, dragmode=False,
                      clickmode="event+select", plot_bgcolor="#FFFFFF")
    return fig


# Implementation status, left to right from done to not started; text colour per fill.
IMPLEMENTATION_COLOURS = {"implemented": ("#009E73", "white"), "partial": ("#56B4E9", "black"),
                  "planned": ("#E69F00", "black"), "not_started": ("#D9D9D9", "black")}


def status_bars(frame: pd.DataFrame, label: str, total: str) -> go.Figure:
    """One 100 % bar per row of ``frame``, split by implementation status.

    ``frame`` holds a count column and a ``<status>_pct`` share column per status (as
    :func:`aims_core.compliance.soa.coverage` returns); each segment is labelled with its count.
    Each row's name (an objective's code and title) is written above its bar, across the
    chart's whole width, so long names are never cut or squeezed beside the bars.
    """
    fig = go.Figure()
    names = list(frame[label])
    for status, (colour, text_colour) in IMPLEMENTATION_COLOURS.items():
        counts = frame[status]
        fig.add_trace(go.Bar(
            x=frame[f"{status}_pct"].fillna(0), y=names, orientation="h",
            name=IMPLEMENTATION_STATUSES[status], marker_color=colour,
            text=[str(n) if n else "" for n in counts], textposition="inside", textangle=0,
            insidetextanchor="middle",
            textfont={"color": text_colour, "size": AXIS_FONT_SIZE},
            customdata=frame[[status, total]].to_numpy().tolist(),
            hovertemplate="%{y}<br>" + IMPLEMENTATION_STATUSES[status]
            + ": %{customdata[0]} of %{customdata[1]} (%{x:.0f} %)<extra></extra>"))
    for name in names:
        fig.add_annotation(text=name, x=0, xref="paper", xanchor="left", y=name, yref="y",
                           yanchor="bottom", yshift=BAR_PX // 2, showarrow=False,
                           font={"size": FONT_SIZE, "color": "#31333F"})
    fig.update_yaxes(autorange="reversed", title=None, showticklabels=False)
    fig.update_xaxes(title=None, range=[0, 100], ticksuffix=" %", showgrid=True,
                     tickfont={"size": AXIS_FONT_SIZE})
    _style(fig, ROW_PX * len(frame) + 90)
    fig.update_layout(barmode="stack", showlegend=True, bargap=1 - BAR_PX / ROW_PX,
                      margin={"l": 4, "r": 10, "t": 40, "b": 10},
                      legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0,
                              "traceorder": "normal", "font": {"size": FONT_SIZE}})
    return fig


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
