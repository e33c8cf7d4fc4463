"""The schedule's unpaged truth, computed apart from aims_core.dashboard.schedule: each
area's due-date source read on its own, flagged, filtered and sorted in pandas. Tests hold
the module's DuckDB counts and pages against it."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from aims_core.dashboard.schedule import (
    _COMPUTED,
    _SOURCES,
    DUE_NOW_KINDS,
    SOURCE_COLUMNS,
    DueFilter,
)
from aims_core.storage.database import Database

SORT = ["overdue", "due_on", "kind", "item", "link", "owner", "reason"]


def every_due_date(db: Database, today: date) -> pd.DataFrame:
    """Every due date of every source, overdue first, then by date (the documented order)."""
    frames = [db.query_df(sql, {"today": today} if "$today" in sql else None)
              for sql in _SOURCES.values()]
    frames += [source(db, today)[SOURCE_COLUMNS] for source in _COMPUTED.values()]
    frame = pd.concat([f for f in frames if not f.empty] or [frames[0]], ignore_index=True)
    frame["due_on"] = pd.to_datetime(frame["due_on"]).dt.date
    frame["overdue"] = [due < today or (due == today and kind in DUE_NOW_KINDS)
                        for due, kind in zip(frame["due_on"], frame["kind"], strict=True)]
    frame = frame.sort_values(SORT, ascending=[False, *[True] * (len(SORT) - 1)],
                              na_position="last", kind="stable")
    return frame[["kind", "item", "owner", "due_on", "overdue", "reason", "link"]]\
        .reset_index(drop=True)


def filtered(frame: pd.DataFrame, today: date, filters: DueFilter,
             listed: bool = True) -> pd.DataFrame:
    """The rows of ``frame`` a filter keeps (``listed=False``: every horizon)."""
    keep = pd.Series(True, index=frame.index)
    if filters.kinds:
        keep &= frame["kind"].isin(filters.kinds)
    if filters.owner:
        keep &= frame["owner"] == filters.owner
    if listed and filters.horizon is not None:
        ahead = frame["due_on"] <= today + timedelta(days=filters.horizon) \
            if filters.horizon > 0 else False
        keep &= frame["overdue"] | ahead
    return frame[keep].reset_index(drop=True)
