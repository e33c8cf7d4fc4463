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
IMPLEMENTATION_COLOURS = {"implemented": ("#009E73", "white"), "partial": ("#56B4E9", "black"),
                  "planned": ("#E69F00", "black"), "not_started": ("#D9D9D9", "black")}


def status_bars(frame: pd.DataFrame, label: str, total: str) -> go.Figure:
    """One 100 % bar per row of ``frame``, split by implementation status.

    ``frame`` holds a count column and a ``<status>_pct`` share column per status (as
    :func:`aims_core.compliance.soa.coverage` returns); each segment is labelled with its count.
    """
    fig = go.Figure()
    for status, (colour, text_colour) in IMPLEMENTATION_COLOURS.items():
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


def maturity_radar(now: pd.DataFrame, before: pd.DataFrame | None = None,
                   names: tuple[str, str] = ("This session", "Previous session"),
                   target: float = 3, height: int = 460) -> go.Figure:
    """Maturity (0–5) per clause and Annex A objective (``area``, ``score`` columns), with
    the previous session as a dashed line and the certification target as a dotted ring;
    each trace has its own line style and legend entry, so colour is never alone."""
    axes = list(now["area"])
    fig = go.Figure()
    fig.add_trace(go.Scatterpolar(r=[target] * (len(axes) + 1), theta=[*axes, axes[0]],
                                  mode="lines", name=f"Target {target:g}",
                                  line={"color": "#555555", "dash": "dot", "width": 2},
                                  hoverinfo="skip"))
    if before is not None and not before.empty:
        scores = before.set_index("area")["score"].reindex(axes)
        fig.add_trace(go.Scatterpolar(
            r=[*scores, scores.iloc[0]], theta=[*axes, axes[0]], mode="lines+markers",
            name=names[1], line={"color": PALETTE[1], "dash": "dash", "width": 2},
            marker={"symbol": "square", "size": 7}, connectgaps=True,
            hovertemplate="%{theta}: %{r:.1f}<extra>" + names[1] + "</extra>"))
    scores = now["score"]
    fig.add_trace(go.Scatterpolar(
        r=[*scores, scores.iloc[0]], theta=[*axes, axes[0]], mode="lines+markers+text",
        name=names[0], line={"color": PALETTE[0], "width": 3}, marker={"size": 8},
        text=[*("" if pd.isna(s) else f"{s:.1f}" for s in scores), ""],
        textposition="top center", textfont={"size": 13}, connectgaps=True,
        hovertemplate="%{theta}: %{r:.1f}<extra>" + names[0] + "</extra>"))
    fig.update_layout(
        height=height, font={"size": 14}, margin={"l": 40, "r": 40, "t": 30, "b": 30},
        polar={"radialaxis": {"range": [0, 5], "tickvals": [0, 1, 2, 3, 4, 5],
                              "angle": 90, "tickfont": {"size": 12}},
               "angularaxis": {"direction": "clockwise", "rotation": 90, "type": "category"}},
        legend={"orientation": "h", "y": -0.08, "x": 0.5, "xanchor": "center"})
    return fig


def maturity_bars(frame: pd.DataFrame, target: float = 3, height: int | None = None
                  ) -> go.Figure:
    """One bar per clause and objective (``label``, ``score``, ``kind``) with its score
    printed; clauses and objectives differ by colour and by a hatch pattern; a dashed line
    marks the level certification needs."""
    kinds = {"clause": (PALETTE[0], ""), "objective": (PALETTE[2], "/")}
    shown = frame.assign(text=["not scored" if pd.isna(s) else f"{s:.1f}"
                               for s in frame["score"]])
    fig = go.Figure(go.Bar(
        x=shown["score"].fillna(0), y=shown["label"], orientation="h",
        marker={"color": [kinds[k][0] for k in shown["kind"]],
                "pattern": {"shape": [kinds[k][1] for k in shown["kind"]]}},
        text=shown["text"], textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: %{text}<extra></extra>"))
    fig.add_vline(x=target, line_dash="dash", line_color="#333", line_width=2)
    fig.update_yaxes(autorange="reversed", title=None, automargin=True,
                     tickfont={"size": 13})
    fig.update_xaxes(range=[0, 5.6], tickvals=[0, 1, 2, 3, 4, 5], title=None, showgrid=True)
    _style(fig, height or max(300, 26 * len(frame) + 80))
    fig.update_layout(margin={"l": 10, "r": 40, "t": 40, "b": 10})
    return fig


def score_trend(frame: pd.DataFrame, target: float = 3, height: int = 300) -> go.Figure:
    """The overall score of each finished session (``held_on``, ``overall_score``,
    ``title``), value printed at each point."""
    fig = go.Figure(go.Scatter(
        x=frame["held_on"], y=frame["overall_score"], mode="lines+markers+text",
        text=[f"{v:.2f}" for v in frame["overall_score"]], textposition="top center",
        line={"color": PALETTE[0], "width": 3}, marker={"size": 10},
        customdata=frame["title"], hovertemplate="%{x|%d %b %Y} %{customdata}: %{y:.2f}"
                                                 "<extra></extra>"))
    fig.add_hline(y=target, line_dash="dash", line_color="#333",
                  annotation_text=f"needed for certification: {target:g}",
                  annotation_position="top left")
    fig.update_yaxes(range=[0, 5.3], tickvals=[0, 1, 2, 3, 4, 5], title="Overall (0–5)")
    fig.update_xaxes(title=None)
    return _style(fig, height)
