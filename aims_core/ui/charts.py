"""Plotly figures styled for a shared screen: large type, colour-blind-safe, labelled."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from aims_core.performance.kpi_status import STATUS_COLOURS, STATUS_LABELS
from aims_core.ui.text import plot_text

# Okabe-Ito palette: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000")
FONT_SIZE = 16  # chart text; the page's body text is 17 px (.streamlit/config.toml)
AXIS_FONT_SIZE = 14  # tick labels, which must fit beside their neighbours


def figure(data: list[dict], layout: dict) -> go.Figure:
    """A figure from plain trace and layout dicts, built without Plotly's validation.

    Validating costs a first chart several hundred milliseconds of imports and every chart
    tens of milliseconds; these figures are written here, tested for their content, and
    their text is escaped where it comes from a person (Plotly renders some HTML in text).
    """
    return go.Figure(data=data, layout=layout, _validate=False)


def _layout(height: int, **more: object) -> dict:
    return {"height": height, "margin": {"l": 10, "r": 30, "t": 10, "b": 10},
            "font": {"size": FONT_SIZE}, "showlegend": False, "bargap": 0.25, **more}


def _listed(column: pd.Series) -> list:
    """Plain Python values for a figure (numbers as numbers, text escaped)."""
    return [plot_text(v) if isinstance(v, str) else v for v in column.tolist()]


def labelled_bars(frame: pd.DataFrame, label: str, value: str, colours: list[str],
                  height: int = 320) -> go.Figure:
    """Horizontal bars with the value printed on each bar, first row on top."""
    values = frame[value].tolist()
    return figure([{"type": "bar", "x": values, "y": _listed(frame[label]), "orientation": "h",
                    "marker": {"color": list(colours)}, "text": values,
                    "textposition": "outside", "cliponaxis": False,
                    "hovertemplate": "%{y}: %{x}<extra></extra>"}],
                  _layout(height, yaxis={"autorange": "reversed"},
                          xaxis={"rangemode": "tozero", "showgrid": True}))


# Text in a risk-matrix cell, by matrix size: (count px, band name px). Chosen so that the
# longest band name ("Critical", "Medium") fits a cell of the narrowest layout the app uses
# (one matrix in half of a 1280 px wide screen, about 300 px of plot for 7 cells).
MATRIX_TEXT_PX = {3: (24, 15), 4: (21, 13), 5: (17, 12), 6: (15, 11), 7: (13, 10)}
CLICK_MARKER_PX = 26  # the invisible point in each cell's centre that takes the click
TICK_LENGTH = 24  # longer axis labels are shown shortened (the method keeps them whole)


def _tick(label: str) -> str:
    return label if len(label) <= TICK_LENGTH else label[:TICK_LENGTH - 1].rstrip() + "…"


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
    spacing = 0.05
    width = (1 - spacing * (len(views) - 1)) / len(views)
    count_px, band_px = MATRIX_TEXT_PX.get(size, MATRIX_TEXT_PX[7])
    ticks = list(range(1, size + 1))
    grid = {"range": [0.5, size + 0.5], "showgrid": False, "zeroline": False,
            "fixedrange": True, "tickvals": ticks, "tickfont": {"size": AXIS_FONT_SIZE}}
    data, layout, titles, shapes = [], {}, [], []
    for n, view in enumerate(views):
        axis = "" if n == 0 else str(n + 1)
        frame = counts[view]
        left = n * (width + spacing)
        for lik, imp, band in zip(frame["likelihood"], frame["impact"], frame["level_band"],
                                  strict=True):
            above = band in above_tolerance
            shapes.append({"type": "rect", "xref": f"x{axis}", "yref": f"y{axis}",
                           "x0": imp - 0.5, "x1": imp + 0.5, "y0": lik - 0.5, "y1": lik + 0.5,
                           "fillcolor": band_colours[band], "layer": "below",
                           "line": {"color": "#000000" if above else "#FFFFFF",
                                    "width": 4 if above else 2}})
        data.append({
            "type": "scatter", "name": view, "xaxis": f"x{axis}", "yaxis": f"y{axis}",
            "x": frame["impact"].tolist(), "y": frame["likelihood"].tolist(),
            "mode": "markers+text", "textposition": "middle center",
            "marker": {"symbol": "square", "size": CLICK_MARKER_PX, "color": "rgba(0,0,0,0)"},
            "text": [f"<b>{count}</b><br><span style='font-size:{band_px}px'>{plot_text(band)}"
                     "</span>" if count else
                     f"<span style='font-size:{band_px}px'>{plot_text(band)}</span>"
                     for count, band in zip(frame["risks"], frame["level_band"], strict=True)],
            "textfont": {"size": count_px, "color": "#000000"},
            "customdata": [[view, int(lik), int(imp)] for lik, imp in
                           zip(frame["likelihood"], frame["impact"], strict=True)],
            "hovertemplate": ("%{customdata[0]}: likelihood %{y}, impact %{x}<br>"
                              "%{text}<extra>click to filter</extra>")})
        layout[f"xaxis{axis}"] = {**grid, "domain": [left, left + width], "anchor": f"y{axis}",
                                  "ticktext": [plot_text(_tick(t)) for t in impact_labels],
                                  "title": {"text": "Impact"},
                                  # long names turned, so neighbours never run together
                                  "tickangle": -30 if max(map(len, impact_labels)) > 8 else 0}
        layout[f"yaxis{axis}"] = {**grid, "anchor": f"x{axis}",
                                  "ticktext": [plot_text(_tick(t)) for t in likelihood_labels],
                                  **({"title": {"text": "Likelihood"}} if n == 0 else
                                     {"matches": "y", "showticklabels": False})}
        titles.append({"text": view.title(), "x": left + width / 2, "xref": "paper",
                       "xanchor": "center", "y": 1, "yref": "paper", "yanchor": "bottom",
                       "showarrow": False, "font": {"size": FONT_SIZE}})
    return figure(data, {**layout, "annotations": titles, "shapes": shapes, "height": height,
                         "font": {"size": FONT_SIZE}, "showlegend": False,
                         "margin": {"l": 10, "r": 10, "t": 36, "b": 10}, "dragmode": False,
                         "clickmode": "event+select", "plot_bgcolor": "#FFFFFF"})


def _band_edges(values: pd.Series, kpi: dict) -> tuple[float, float]:
    """The y range: every value and threshold visible, with some room."""
    levels = [v for v in (kpi["target"], kpi["amber_threshold"], kpi["red_threshold"])
              if v is not None and not pd.isna(v)]
    low, high = min([*values, *levels]), max([*values, *levels])
    pad = (high - low) * 0.12 or abs(high) * 0.1 or 1.0
    return low - pad, high + pad


def _known(value: object) -> bool:
    return value is not None and not pd.isna(value)


@dataclass(frozen=True)
class Stretches:
    """A long series summarised in equal stretches of time, for a small chart."""

    dates: np.ndarray  # each stretch's last date (ISO text)
    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray
    marked: pd.DataFrame  # the points drawn: each stretch's worst if amber or red, the latest


def stretches(series: pd.DataFrame, count: int, higher_is_better: bool) -> Stretches | None:
    """None when one KPI's series (by date) is short enough to draw point by point (at most
    ``2 * count`` points); else ``count`` stretches with their mean, lowest and highest
    value, and the points that must stay visible: the worst of each stretch when it is amber
    or red (a breach never disappears in the summary) and the latest value."""
    if len(series) <= 2 * count:
        return None
    runs = np.arange(len(series)) * count // len(series)
    values = series["value"].to_numpy()
    ends = np.flatnonzero(np.r_[runs[1:] != runs[:-1], True])
    starts = np.r_[0, ends[:-1] + 1]
    worst = [start + int(values[start:end + 1].argmin() if higher_is_better
                          else values[start:end + 1].argmax())
             for start, end in zip(starts, ends, strict=True)]
    marked = series.iloc[worst]
    marked = pd.concat([marked[marked["status"].isin(("amber", "red"))], series.iloc[[-1]]])
    dates = np.array([f"{day:%Y-%m-%d}" for day in series["measured_on"].iloc[ends]])
    return Stretches(dates, np.array([values[a:b + 1].mean() for a, b in zip(starts, ends,
                                                                              strict=True)]),
                     np.minimum.reduceat(values, starts), np.maximum.reduceat(values, starts),
                     marked.drop_duplicates(subset="measured_on", keep="last"))


def _shortened(text: str, limit: int = 44) -> str:
    """A panel title that fits its half of the page (the full name is on the tile above)."""
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


TREND_STRETCHES = 60  # a series of more than twice this many points is summarised
_SYMBOLS = {"red": "x", "amber": "triangle-up", "green": "circle"}


def _markers(points: pd.DataFrame, x_ref: str, y_ref: str) -> list[dict]:
    """One marker trace per status: scalar marker settings keep the figure light to build
    and to draw, whatever the number of points."""
    dates = np.array([f"{day:%Y-%m-%d}" for day in points["measured_on"]])
    values, statuses = points["value"].to_numpy(), points["status"].to_numpy()
    return [{"type": "scatter", "x": dates[statuses == status],
             "y": values[statuses == status], "mode": "markers", "xaxis": x_ref,
             "yaxis": y_ref,
             "marker": {"size": 8, "color": STATUS_COLOURS[status],
                        "symbol": _SYMBOLS.get(status, "circle-open"),
                        "line": {"width": 1, "color": "#333"}},
             "hovertemplate": f"%{{x|%d %b %Y}}: %{{y}}<br>{STATUS_LABELS[status]}"
                              "<extra></extra>"} for status in dict.fromkeys(statuses)]


def _trend_traces(points: pd.DataFrame, higher_is_better: bool, x_ref: str,
                  y_ref: str) -> list[dict]:
    """A line through every point with its status marker; a long series as the mean of
    each stretch in a band from its lowest to its highest value, breaches and the latest
    value marked."""
    axes = {"xaxis": x_ref, "yaxis": y_ref}
    summary = stretches(points, TREND_STRETCHES, higher_is_better)
    if summary is None:
        dates = np.array([f"{day:%Y-%m-%d}" for day in points["measured_on"]])
        return [{"type": "scatter", "x": dates, "y": points["value"].to_numpy(),
                 "mode": "lines", "hoverinfo": "skip",
                 "line": {"color": PALETTE[0], "width": 3}, **axes},
                *_markers(points, x_ref, y_ref)]
    band = {"type": "scatter", "x": summary.dates, "mode": "lines", "hoverinfo": "skip",
            "line": {"width": 0}, **axes}
    return [{**band, "y": summary.low},
            {**band, "y": summary.high, "fill": "tonexty", "fillcolor": "rgba(0,114,178,0.2)"},
            {"type": "scatter", "x": summary.dates, "y": summary.mean, "mode": "lines",
             "line": {"color": PALETTE[0], "width": 3},
             "hovertemplate": "to %{x|%d %b %Y}: mean %{y:.3g}<extra></extra>", **axes},
            *_markers(summary.marked, x_ref, y_ref)]


def kpi_trends(kpis: list[dict], series: pd.DataFrame, columns: int = 2,
               row_height: int = 330) -> go.Figure:
    """Small multiples: each KPI's values over time against its target and amber/red
    bands, in one figure (one chart to build and draw, however many KPIs a page shows).

    Each panel is titled with the KPI's name and, below, its AI system, status in words and
    unit; bands are shaded and named at the panel's right edge, points carry the status
    symbol, so the reading never depends on colour alone. A long series is summarised by
    stretches (see :func:`stretches`), saying so in the panel. Names and units are
    escaped: Plotly renders some HTML in text.
    """
    rows = max(1, -(-len(kpis) // columns))
    gap_x, gap_y, top = 0.16, 120 / (rows * row_height), 50 / (rows * row_height)
    width = (1 - gap_x * (columns - 1)) / columns
    height = (1 - gap_y * (rows - 1) - top) / rows
    traces: list[dict] = []
    shapes: list[dict] = []
    notes: list[dict] = []
    layout: dict = {}
    for n, kpi in enumerate(kpis):
        axis = "" if n == 0 else str(n + 1)
        x_ref, y_ref = f"x{axis}", f"y{axis}"
        column, row = n % columns, n // columns
        left = column * (width + gap_x)
        bottom = 1 - top - (row + 1) * height - row * gap_y
        points = series[series["kpi_id"] == kpi["id"]]
        about = [STATUS_LABELS[kpi["status"]], *([f"in {kpi['unit']}"] if kpi["unit"] else []),
                 kpi["ai_system"] if isinstance(kpi["ai_system"], str) else "Organisation-wide"]
        notes.append({"text": f"<b>{plot_text(_shortened(kpi['name']))}</b><br>"
                              f"{plot_text(_shortened(' · '.join(about), 60))}",
                      "x": left, "xref": "paper", "xanchor": "left",
                      "y": bottom + height + 0.01, "yref": "paper", "yanchor": "bottom",
                      "showarrow": False, "align": "left",
                      "font": {"size": FONT_SIZE, "color": "#31333F"}})
        layout[f"xaxis{axis}"] = {"domain": [left, left + width], "anchor": y_ref,
                                  "tickfont": {"size": FONT_SIZE - 2}}
        if points.empty:
            layout[f"yaxis{axis}"] = {"domain": [bottom, bottom + height], "anchor": x_ref,
                                      "visible": False}
            layout[f"xaxis{axis}"]["visible"] = False
            notes.append({"text": "No values in this period", "showarrow": False,
                          "x": 0.5, "xref": f"{x_ref} domain", "y": 0.5,
                          "yref": f"{y_ref} domain", "font": {"size": FONT_SIZE}})
            continue
        low, high = _band_edges(points["value"], kpi)
        layout[f"yaxis{axis}"] = {
            "domain": [bottom, bottom + height], "anchor": x_ref, "range": [low, high],
            "showgrid": True, "tickfont": {"size": FONT_SIZE - 2}}
        amber, red = kpi["amber_threshold"], kpi["red_threshold"]
        edges = [(red, low, "red"), (amber, red, "amber"), (high, amber, "green")] \
            if kpi["direction"] == "higher" else \
            [(red, high, "red"), (amber, red, "amber"), (low, amber, "green")]
        for bound, far, status in edges:
            if not (_known(bound) and _known(far)):
                continue
            shapes.append({"type": "rect", "xref": f"{x_ref} domain", "x0": 0, "x1": 1,
                           "yref": y_ref, "y0": min(bound, far), "y1": max(bound, far),
                           "fillcolor": STATUS_COLOURS[status], "opacity": 0.15,
                           "line": {"width": 0}, "layer": "below"})
            notes.append({"text": status, "x": 1.01, "xref": f"{x_ref} domain",
                          "xanchor": "left", "y": (bound + far) / 2, "yref": y_ref,
                          "showarrow": False, "font": {"size": FONT_SIZE - 2, "color": "#333"}})
        if _known(kpi["target"]):
            shapes.append({"type": "line", "xref": f"{x_ref} domain", "x0": 0, "x1": 1,
                           "yref": y_ref, "y0": kpi["target"], "y1": kpi["target"],
                           "line": {"color": "#333", "width": 2, "dash": "dash"}})
            notes.append({"text": f"target {kpi['target']:g}", "x": 0, "xanchor": "left",
                          "xref": f"{x_ref} domain", "y": kpi["target"], "yref": y_ref,
                          "yanchor": "bottom", "showarrow": False,
                          "font": {"size": FONT_SIZE - 2, "color": "#333"}})
        traces += _trend_traces(points, kpi["direction"] == "higher", x_ref, y_ref)
    return figure(traces, {
        **layout, "shapes": shapes, "annotations": notes, "height": rows * row_height,
        "font": {"size": FONT_SIZE}, "showlegend": False,
        "margin": {"l": 10, "r": 70, "t": 10, "b": 10}})


def maturity_radar(now: pd.DataFrame, before: pd.DataFrame | None = None,
                   names: tuple[str, str] = ("This session", "Previous session"),
                   target: float = 3, height: int = 460) -> go.Figure:
    """Maturity (0–5) per clause and Annex A objective (``area``, ``score`` columns), with
    the previous session as a dashed line and the certification target as a dotted ring;
    each trace has its own line style and legend entry, so colour is never alone."""
    axes = [*now["area"].tolist(), now["area"].iloc[0]]  # closed around

    def closed(scores: pd.Series) -> list:
        values = [None if pd.isna(s) else float(s) for s in scores]
        return [*values, values[0]]

    data = [{"type": "scatterpolar", "r": [target] * len(axes), "theta": axes,
             "mode": "lines", "name": f"Target {target:g}", "hoverinfo": "skip",
             "line": {"color": "#555555", "dash": "dot", "width": 2}}]
    if before is not None and not before.empty:
        data.append({"type": "scatterpolar", "theta": axes, "name": names[1],
                     "r": closed(before.set_index("area")["score"].reindex(now["area"])),
                     "mode": "lines+markers", "connectgaps": True,
                     "line": {"color": PALETTE[1], "dash": "dash", "width": 2},
                     "marker": {"symbol": "square", "size": 7},
                     "hovertemplate": "%{theta}: %{r:.1f}<extra>" + names[1] + "</extra>"})
    data.append({"type": "scatterpolar", "r": closed(now["score"]), "theta": axes,
                 "name": names[0], "mode": "lines+markers", "connectgaps": True,
                 "line": {"color": PALETTE[0], "width": 3}, "marker": {"size": 8},
                 "hovertemplate": "%{theta}: %{r:.1f}<extra>" + names[0] + "</extra>"})
    return figure(data, _layout(
        height, font={"size": 14}, showlegend=True,
        margin={"l": 40, "r": 40, "t": 30, "b": 30},
        polar={"radialaxis": {"range": [0, 5], "tickvals": [0, 1, 2, 3, 4, 5], "angle": 90,
                              "tickfont": {"size": 12}},
               "angularaxis": {"direction": "clockwise", "rotation": 90, "type": "category"}},
        legend={"orientation": "h", "y": -0.08, "x": 0.5, "xanchor": "center"}))


def maturity_bars(frame: pd.DataFrame, target: float = 3, height: int | None = None
                  ) -> go.Figure:
    """One bar per clause and objective (``label``, ``score``, ``kind``) with its score
    printed; clauses and objectives differ by colour and by a hatch pattern; a dashed line
    marks the level certification needs."""
    kinds = {"clause": (PALETTE[0], ""), "objective": (PALETTE[2], "/")}
    text = ["not scored" if pd.isna(s) else f"{s:.1f}" for s in frame["score"]]
    return figure([{
        "type": "bar", "x": frame["score"].fillna(0).tolist(), "y": _listed(frame["label"]),
        "orientation": "h", "text": text, "textposition": "outside", "cliponaxis": False,
        "marker": {"color": [kinds[k][0] for k in frame["kind"]],
                   "pattern": {"shape": [kinds[k][1] for k in frame["kind"]]}},
        "hovertemplate": "%{y}: %{text}<extra></extra>"}],
        _layout(height or max(300, 26 * len(frame) + 80),
                margin={"l": 10, "r": 40, "t": 40, "b": 10},
                yaxis={"autorange": "reversed", "automargin": True, "tickfont": {"size": 13}},
                xaxis={"range": [0, 5.6], "tickvals": [0, 1, 2, 3, 4, 5], "showgrid": True},
                shapes=[{"type": "line", "x0": target, "x1": target, "y0": 0, "y1": 1,
                         "yref": "paper", "line": {"dash": "dash", "color": "#333",
                                                    "width": 2}}]))


def score_trend(frame: pd.DataFrame, target: float = 3, height: int = 300) -> go.Figure:
    """The overall score of each finished session (``held_on``, ``overall_score``,
    ``title``), value printed at each point."""
    scores = [float(v) for v in frame["overall_score"]]
    return figure([{
        "type": "scatter", "x": [d.isoformat() for d in frame["held_on"]], "y": scores,
        "mode": "lines+markers+text", "text": [f"{v:.2f}" for v in scores],
        "textposition": "top center", "line": {"color": PALETTE[0], "width": 3},
        "marker": {"size": 10}, "customdata": _listed(frame["title"]),
        "hovertemplate": "%{x|%d %b %Y} %{customdata}: %{y:.2f}<extra></extra>"}],
        _layout(height, yaxis={"range": [0, 5.3], "tickvals": [0, 1, 2, 3, 4, 5],
                               "title": {"text": "Overall (0–5)"}},
                shapes=[{"type": "line", "x0": 0, "x1": 1, "xref": "paper", "y0": target,
                         "y1": target, "line": {"dash": "dash", "color": "#333"}}],
                annotations=[{"text": f"needed for certification: {target:g}", "x": 0,
                              "xref": "paper", "xanchor": "left", "y": target,
                              "yanchor": "bottom", "showarrow": False}]))
