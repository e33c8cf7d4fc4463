"""Static SVG charts drawn from a section's chart data, for the self-contained HTML pack:
text labels on every bar and point, the Okabe-Ito palette, no script, no browser needed."""

from __future__ import annotations

from html import escape
from typing import Any

BLUE, ORANGE, VERMILLION, GREEN, GREY = "#0072B2", "#E69F00", "#D55E00", "#009E73", "#666666"
WIDTH = 720


def _text(x: float, y: float, text: Any, *, size: int = 13, anchor: str = "start",
          colour: str = "#222", weight: str = "normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'fill="{colour}" font-weight="{weight}">{escape(str(text))}</text>')


def bars_svg(chart: dict[str, Any]) -> str:
    """Horizontal bars, each with its label and value as text."""
    items = chart["bars"]
    row, left, top = 28, 230, 30
    height = top + row * len(items) + 10
    biggest = max((float(v) for _, v in items), default=0) or 1
    parts = [_text(0, 18, chart["title"], size=15, weight="bold")]
    colours = chart.get("colours") or [BLUE] * len(items)
    for i, (label, value) in enumerate(items):
        y = top + i * row
        length = (WIDTH - left - 60) * float(value) / biggest
        parts.append(_text(left - 8, y + 17, label, anchor="end"))
        parts.append(f'<rect x="{left}" y="{y + 4}" width="{length:.1f}" height="{row - 8}" '
                     f'fill="{colours[i]}" stroke="#333" stroke-width="0.5"/>')
        parts.append(_text(left + length + 6, y + 17, f"{value:,}" if isinstance(value, int)
                           else value, weight="bold"))
    return _svg(height, parts, chart["title"])


def trend_svg(chart: dict[str, Any]) -> str:
    """A KPI's monthly values as a line with each value written, target and red threshold
    as labelled dashed lines."""
    points = chart["points"]
    left, right, top, bottom = 60, 150, 34, 40
    height = 260
    values = [v for _, v in points] + [v for v in (chart.get("target"), chart.get("red"))
                                       if v is not None]
    parts = [_text(0, 18, chart["title"], size=15, weight="bold")]
    if not points:
        parts.append(_text(0, 50, "No values in the twelve months before the review."))
        return _svg(70, parts, chart["title"])
    low, high = min(values), max(values)
    span = (high - low) or abs(high) or 1
    low, high = low - 0.1 * span, high + 0.1 * span
    plot_w, plot_h = WIDTH - left - right, height - top - bottom

    def x(i: int) -> float:
        return left + (plot_w * i / max(len(points) - 1, 1))

    def y(value: float) -> float:
        return top + plot_h * (high - value) / (high - low)

    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" '
                 f'y2="{top + plot_h}" stroke="{GREY}"/>')
    for name, colour in (("target", GREEN), ("red", VERMILLION), ("amber", ORANGE)):
        value = chart.get(name)
        if value is None:
            continue
        label = {"target": "Target", "red": "Red threshold", "amber": "Amber threshold"}[name]
        parts.append(f'<line x1="{left}" y1="{y(value):.1f}" x2="{left + plot_w}" '
                     f'y2="{y(value):.1f}" stroke="{colour}" stroke-dasharray="6 4" '
                     'stroke-width="2"/>')
        parts.append(_text(left + plot_w + 6, y(value) + 4, f"{label} {value:g}", size=12,
                           colour=colour))
    path = " ".join(f"{'M' if i == 0 else 'L'}{x(i):.1f},{y(v):.1f}"
                    for i, (_, v) in enumerate(points))
    parts.append(f'<path d="{path}" fill="none" stroke="{BLUE}" stroke-width="3"/>')
    for i, (day, value) in enumerate(points):
        parts.append(f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="4" fill="{BLUE}"/>')
        parts.append(_text(x(i), y(value) - 9, f"{value:.3g}", size=11, anchor="middle"))
        if i % max(1, len(points) // 6) == 0 or i == len(points) - 1:
            parts.append(_text(x(i), height - 14, day[:7], size=11, anchor="middle"))
    return _svg(height, parts, chart["title"])


def chart_svg(chart: dict[str, Any], font: str = "DejaVu Sans, Arial, sans-serif") -> str:
    """The chart as SVG; ``font`` names the font family (the PDF passes its own font)."""
    drawn = bars_svg(chart) if chart["kind"] == "bars" else trend_svg(chart)
    return drawn.replace(_FONT, escape(font, quote=True), 1)


_FONT = "{font}"


def _svg(height: int, parts: list[str], title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{WIDTH}" '
            f'height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="{_FONT}" '
            f'aria-label="{escape(title, quote=True)}">' + "".join(parts) + "</svg>")
