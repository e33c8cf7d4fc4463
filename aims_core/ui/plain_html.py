"""Charts and short tables drawn as plain HTML, for pages that must appear at once.

Streamlit loads a chart's or a table's browser code when one first appears, and the page
waits for it: Plotly's is 4.7 MB (about a second), the data grid's and Arrow's 1.3 MB. A risk
matrix, 100 % bars and a list of five rows need neither: as HTML they appear with the page,
read aloud, print and zoom like text. Charts people click or hover (the register's matrix,
KPI trends) stay Plotly figures (:mod:`aims_core.ui.charts`), and tables people sort, search
or edit stay data grids.

Every text is escaped here: labels and cells may come from a person.
"""

from __future__ import annotations

from html import escape

import pandas as pd

from aims_core.compliance.registers import IMPLEMENTATION_STATUSES

# Implementation status, left to right from done to not started; text colour per fill.
IMPLEMENTATION_COLOURS = {"implemented": ("#009E73", "white"), "partial": ("#56B4E9", "black"),
                          "planned": ("#E69F00", "black"), "not_started": ("#D9D9D9", "black")}
_TEXT = "#31333F"  # Streamlit's body text colour
_DIGIT_PCT, _SEGMENT_PAD_PCT = 3.0, 2.0  # a bar segment's room: per digit, and around them
_UPRIGHT_LABEL_CHARS = 8  # an impact name longer than this is written upright
_CELL_PX = {3: 76, 4: 64, 5: 52, 6: 46, 7: 40}  # a matrix cell's height by the grid's size


def risk_matrix(cells: pd.DataFrame, size: int, likelihood_labels: list[str],
                impact_labels: list[str], band_colours: dict[str, str],
                above_tolerance: set[str]) -> str:
    """One risk matrix: likelihood up, impact across, each cell in its band's colour with its
    count of risks; cells above the risk tolerance get a thick black border.

    ``cells`` has one row per cell (likelihood, impact, level_band, risks), as
    :func:`aims_core.risk.risks.matrix_counts` returns. Each cell carries its coordinates and
    count as data attributes (what the tests read).
    """
    by_cell = {(int(r.likelihood), int(r.impact)): (str(r.level_band), int(r.risks))
               for r in cells.itertuples()}
    height = _CELL_PX.get(size, _CELL_PX[7])
    rows = []
    for likelihood in range(size, 0, -1):
        tds = [] if likelihood < size else [
            f'<th rowspan="{size}" scope="rowgroup" style="writing-mode:vertical-rl;'
            'transform:rotate(180deg);font-weight:600;padding:0 4px">Likelihood</th>']
        tds.append(f'<th scope="row" style="text-align:right;padding:0 8px;font-weight:normal;'
                   f'overflow-wrap:anywhere">{escape(likelihood_labels[likelihood - 1])}</th>')
        for impact in range(1, size + 1):
            band, count = by_cell.get((likelihood, impact), ("", 0))
            border = ("box-shadow:inset 0 0 0 4px #000000;" if band in above_tolerance
                      else "")
            shown = f'<b style="font-size:1.25em">{count}</b><br>' if count else ""
            tds.append(
                f'<td data-likelihood="{likelihood}" data-impact="{impact}" '
                f'data-risks="{count}" title="likelihood {likelihood}, impact {impact}: '
                f'{count} {"risk" if count == 1 else "risks"} ({escape(band)})" '
                f'style="background:{band_colours.get(band, "#FFFFFF")};{border}'
                f'height:{height}px;text-align:center;color:#000000;border:2px solid #FFFFFF;'
                f'line-height:1.2">{shown}<span style="font-size:0.75em">{escape(band)}</span>'
                "</td>")
        rows.append(f"<tr>{''.join(tds)}</tr>")
    turned = max(map(len, impact_labels[:size])) > _UPRIGHT_LABEL_CHARS  # long names upright,
    # so they are never broken inside a word or run into their neighbours
    label_style = ("display:inline-block;writing-mode:vertical-rl;transform:rotate(180deg);"
                   "white-space:nowrap;max-height:10em;overflow:hidden;text-overflow:ellipsis"
                   if turned else "")  # a very long name ends in "…"; its title holds it all
    impacts = "".join(f'<th scope="col" style="font-weight:normal;padding:4px 2px;'
                      f'vertical-align:top"><span title="{escape(label)}" '
                      f'style="{label_style}">{escape(label)}</span></th>'
                      for label in impact_labels[:size])
    columns = '<col style="width:1.8em"><col style="width:22%">' + "<col>" * size
    return (
        f'<table style="width:100%;border-collapse:collapse;table-layout:fixed;color:{_TEXT};'
        f'font-size:0.85em;margin:0"><colgroup>{columns}</colgroup>'
        f"<tbody>{''.join(rows)}<tr><td></td><td></td>{impacts}</tr>"
        f'<tr><td></td><td></td><th colspan="{size}" style="font-weight:600;padding-top:2px">'
        "Impact</th></tr></tbody></table>")


def status_bars(frame: pd.DataFrame, label: str, total: str) -> str:
    """One 100 % bar per row of ``frame``, split by implementation status, under a legend.

    ``frame`` holds a count column and a ``<status>_pct`` share column per status (as
    :func:`aims_core.compliance.soa.coverage` returns); each segment shows its count and
    names its status, count and share on hover. Each row's name is written above its bar,
    across the whole width, so long names are never cut.
    """
    legend = "".join(
        f'<span style="margin-right:14px;white-space:nowrap"><span style="display:'
        f'inline-block;width:14px;height:14px;background:{colour};vertical-align:-2px;'
        f'margin-right:6px;border-radius:2px"></span>{IMPLEMENTATION_STATUSES[status]}</span>'
        for status, (colour, _) in IMPLEMENTATION_COLOURS.items())
    rows = [f'<div style="margin-bottom:8px;font-size:0.9em">{legend}</div>']
    for row in frame.to_dict("records"):
        name = escape(str(row[label]))
        segments, spoken = [], []
        for status, (colour, text_colour) in IMPLEMENTATION_COLOURS.items():
            count, share = int(row[status]), float(row[f"{status}_pct"] or 0)
            if not count:
                continue
            words = f"{IMPLEMENTATION_STATUSES[status]}: {count} of {int(row[total])}"
            spoken.append(words)
            segments.append(
                f'<div data-status="{status}" data-count="{count}" title="{name}&#10;{words} '
                f'({share:.0f} %)" style="width:{share:.4f}%;background:{colour};color:'
                f'{text_colour};text-align:center;overflow:hidden;white-space:nowrap">'
                f"{count if _fits(count, share) else ''}</div>")
        rows.append(
            f'<div data-row="{name}" style="margin-bottom:6px"><div style="font-size:0.9em;'
            f'line-height:1.35">{name}</div>'
            f'<div role="img" aria-label="{name}: {escape("; ".join(spoken))}" '
            'style="display:flex;height:22px;line-height:22px;background:#F0F2F6;'
            f'font-size:0.85em">{"".join(segments)}</div></div>')
    return f'<div style="color:{_TEXT}">{"".join(rows)}</div>'


def _fits(count: int, share: float) -> bool:
    """Whether a segment is wide enough for its count at the narrowest column a page gives
    the bars (about 3 px per per cent); a narrower one names it on hover only."""
    return share >= _SEGMENT_PAD_PCT + _DIGIT_PCT * len(str(count))


def table(frame: pd.DataFrame, columns: dict[str, str]) -> str:
    """A short read-only table: ``columns`` maps each shown column to its heading; values
    are shown as text (format dates and numbers before); a missing value shows empty."""
    head = "".join(f'<th style="text-align:left;padding:4px 10px;border-bottom:2px solid '
                   f'#D5D8DE">{escape(heading)}</th>' for heading in columns.values())
    body = "".join(
        "<tr>" + "".join(f'<td style="padding:4px 10px;border-bottom:1px solid #E6E8EC;'
                         f'vertical-align:top">{_cell(value)}</td>'
                         for value in row) + "</tr>"
        for row in frame[list(columns)].itertuples(index=False))
    return (f'<table style="width:100%;border-collapse:collapse;color:{_TEXT};'
            f'font-size:0.9em"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>')


def _cell(value: object) -> str:
    return "" if pd.isna(value) else escape(str(value))
