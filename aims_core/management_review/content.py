"""What one review input shows, as plain JSON-ready data: headline facts, tables, charts.

The live review page, the presenter's screen, the frozen pack (stored as JSON at sign-off)
and its HTML, PDF and Excel exports all render this one structure, so what the meeting saw is
what the pack keeps. Cells are display text, so a pack renders the same years later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd

from aims_core.management_review.sections import BY_CODE

MAX_ROWS = 100  # rows a table of a section keeps; the note says how many there were


@dataclass(frozen=True)
class Period:
    """The period a review covers: after ``since`` (the previous review; None: from the
    start of the records) up to and including ``until``."""

    since: date | None
    until: date

    def label(self) -> str:
        start = f"{self.since:%d %b %Y}" if self.since else "the start of the records"
        return f"after {start} up to {self.until:%d %b %Y}"

    def as_json(self) -> dict[str, str | None]:
        return {"since": self.since.isoformat() if self.since else None,
                "until": self.until.isoformat()}

    @property
    def params(self) -> dict[str, date | None]:
        return {"since": self.since, "until": self.until}


def cell(value: Any) -> str:
    """A value as the text a table shows ('' for nothing)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and value != value:  # NaN
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime | pd.Timestamp):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return str(value)


def table(title: str, frame: pd.DataFrame, columns: dict[str, str],
          empty: str = "None in the period.") -> dict[str, Any]:
    """A table of ``frame``'s ``columns`` (name -> heading), at most MAX_ROWS rows."""
    total = len(frame)
    rows = [[cell(v) for v in row] for row in
            frame[list(columns)].head(MAX_ROWS).itertuples(index=False, name=None)]
    note = (f"{MAX_ROWS} of {total:,} shown; the register holds them all."
            if total > MAX_ROWS else None)
    return {"title": title, "columns": list(columns.values()), "rows": rows, "total": total,
            "note": note, "empty": empty}


def bars(title: str, labelled: list[tuple[str, int | float]],
         colours: list[str] | None = None) -> dict[str, Any]:
    """A bar chart: each bar with its label and value (drawn with the value as text);
    ``colours`` per bar where colour carries meaning (a risk level's band), else one."""
    return {"kind": "bars", "title": title, "colours": colours,
            "bars": [[label, value] for label, value in labelled]}


def trend(title: str, points: pd.DataFrame, *, unit: str | None, target: float | None,
          amber: float | None, red: float | None, direction: str | None,
          status: str) -> dict[str, Any]:
    """A KPI trend: (day, value) points with its target and thresholds."""
    return {"kind": "trend", "title": title, "unit": unit or "", "direction": direction,
            "target": target, "amber": amber, "red": red, "status": status,
            "points": [[cell(day), float(value)] for day, value in
                       points.itertuples(index=False, name=None)]}


def section(code: str, *, facts: list[tuple[str, Any]] = (), tables: list[dict] = (),
            charts: list[dict] = (), missing: str | None = None,
            notes: list[str] = ()) -> dict[str, Any]:
    """One input's content; ``missing`` says plainly which register it still lacks."""
    spec = BY_CODE[code]
    return {"code": code, "title": spec.title, "clause": spec.clause, "asks": spec.asks,
            "links": [list(link) for link in spec.links], "missing": missing,
            "facts": [[label, cell(value)] for label, value in facts],
            "tables": list(tables), "charts": list(charts), "notes": list(notes)}
