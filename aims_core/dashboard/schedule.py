"""Every date that falls due, from every register that has one (PRODUCT.md §4 "Dates act").

Each area declares its sources in ``<area>/due_dates.py`` as ``DUE_DATES = {kind: SQL}``:
one SELECT with the columns kind, item, owner, due_on, reason, link (the page and filter
where the item is handled), which may use ``$today``. A source that needs Python (the
incidents' legal clocks read each system's triage) is declared in ``COMPUTED_DUE_DATES`` as a
function of the database and today giving the same columns; its few rows join the union as
a frame registered on this thread's cursor. This module unions the sources and filters,
counts, sorts and pages inside DuckDB: a page asks for its counts and for the rows it shows,
never for every due date of the organisation. The Schedule, the Overview's "due" panel and
"My work" all count through :func:`counts` and :func:`by_kind`, so their figures agree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from aims_core.compliance import due_dates as compliance_due
from aims_core.improvement import due_dates as improvement_due
from aims_core.inventory import due_dates as inventory_due
from aims_core.management_review import due_dates as review_due
from aims_core.management_system import due_dates as management_due
from aims_core.performance import due_dates as performance_due
from aims_core.risk import due_dates as risk_due
from aims_core.self_assessment import due_dates as self_assessment_due
from aims_core.storage.database import Database

COLUMNS = ["kind", "item", "owner", "due_on", "overdue", "reason", "link"]

SOURCE_COLUMNS = ["kind", "item", "owner", "due_on", "reason", "link"]

# Every area's SQL sources, and those computed in Python.
_SOURCES: dict[str, str] = {**inventory_due.DUE_DATES, **risk_due.DUE_DATES,
                            **compliance_due.DUE_DATES, **performance_due.DUE_DATES,
                            **improvement_due.DUE_DATES, **management_due.DUE_DATES,
                            **review_due.DUE_DATES, **self_assessment_due.DUE_DATES}
_COMPUTED: dict[str, Callable[[Database, date], pd.DataFrame]] = {
    **improvement_due.COMPUTED_DUE_DATES}
_COMPUTED_VIEW = "computed_due_dates"  # the computed rows, registered while a listing runs
# In the order the Schedule's kind filter lists them: the legal clocks after re-validation.
KINDS = tuple(dict.fromkeys(["Re-validation", *_COMPUTED, *_SOURCES]))
# Kinds overdue from their due day on, not the day after: a system due for re-validation
# (never validated, or due now after a trigger) must not go on running unvalidated.
DUE_NOW_KINDS = ("Re-validation",)
# Overdue first, then by date; the last keys make the order total, so pages never overlap.
ORDER = "overdue DESC, due_on, kind, item, link, owner, reason"
TIMELINE_ROWS = 40


@dataclass(frozen=True)
class DueFilter:
    """Which due dates a page lists. Frozen, so it can key caches."""

    kinds: tuple[str, ...] = ()  # () = every kind; kinds no source declares are ignored
    owner: str | None = None  # only the items this person owns
    # Days ahead listed besides everything overdue: 0 = overdue only, None = everything.
    horizon: int | None = None


@dataclass(frozen=True)
class DueCounts:
    """What a page's tiles show, for the filter's kinds and owner."""

    total: int  # every row of the filter's kinds and owner, whatever the horizon
    listed: int  # rows the filter lists, its horizon included
    overdue: int  # whatever the horizon
    next_7_days: int  # not overdue, due within 7 days
    next_30_days: int  # not overdue, due within 30 days


def _chosen(filters: DueFilter) -> list[str]:
    return [k for k in KINDS if not filters.kinds or k in filters.kinds]


@contextmanager
def _computed_rows(db: Database, today: date, filters: DueFilter) -> Iterator[None]:
    """While open, the rows of the chosen computed sources are the view
    :data:`_COMPUTED_VIEW` on this thread's cursor (queries through ``db`` see it)."""
    kinds = [kind for kind in _chosen(filters) if kind in _COMPUTED]
    if not kinds:
        yield
        return
    rows = pd.concat([_COMPUTED[kind](db, today)[SOURCE_COLUMNS] for kind in kinds],
                     ignore_index=True)
    rows["due_on"] = pd.to_datetime(rows["due_on"])
    cursor = db.cursor()
    cursor.register(_COMPUTED_VIEW, rows)
    try:
        yield
    finally:
        cursor.unregister(_COMPUTED_VIEW)


def _due_sql(filters: DueFilter, today: date) -> tuple[str, dict[str, Any]]:
    """SQL of the filter's due dates (every horizon) with the ``overdue`` and ``listed``
    flags, and its parameters. Only the sources of the chosen kinds are read; computed
    kinds read :data:`_COMPUTED_VIEW` (see :func:`_computed_rows`)."""
    kinds = _chosen(filters)
    selects = [f"FROM ({_SOURCES[kind]})" for kind in kinds if kind in _SOURCES]
    if any(kind in _COMPUTED for kind in kinds):
        selects.append(f"FROM {_COMPUTED_VIEW}")
    union = " UNION ALL ".join(
        f"SELECT kind, item, owner, CAST(due_on AS DATE) AS due_on, reason, link {source}"
        for source in selects) or \
        "SELECT NULL::VARCHAR AS kind, NULL::VARCHAR AS item, NULL::VARCHAR AS owner, " \
        "NULL::DATE AS due_on, NULL::VARCHAR AS reason, NULL::VARCHAR AS link WHERE FALSE"
    params: dict[str, Any] = {"today": today}
    mine = "TRUE"
    if filters.owner:
        mine, params["owner"] = "owner = $owner", filters.owner
    if filters.horizon is None:
        ahead = "TRUE"
    elif filters.horizon <= 0:
        ahead = "FALSE"
    else:
        ahead, params["horizon"] = "due_on <= $today + $horizon", int(filters.horizon)
    due_now = ", ".join(f"'{kind}'" for kind in DUE_NOW_KINDS)
    sql = f"""
        SELECT *, overdue OR {ahead} AS listed
        FROM (SELECT *, due_on < $today OR (due_on = $today AND kind IN ({due_now}))
                        AS overdue
              FROM ({union}) WHERE {mine})"""
    return sql, params


def _frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Plain dates and booleans, the columns in :data:`COLUMNS` order."""
    frame = frame.reset_index(drop=True)
    frame["due_on"] = pd.to_datetime(frame["due_on"]).dt.date
    frame["overdue"] = frame["overdue"].astype(bool)
    return frame[COLUMNS]


@dataclass(frozen=True)
class Listing:
    """What a page shows of the due dates, from one reading of the sources."""

    counts: DueCounts
    offset: int  # of the first row in ``rows``
    by_kind: pd.DataFrame  # per kind with a listed row, in KINDS order: overdue, items
    rows: pd.DataFrame  # the page of listed rows asked for, overdue first, then by date
    timeline: pd.DataFrame  # at most the rows asked for: most overdue and next due


def listing(db: Database, today: date, filters: DueFilter = DueFilter(), offset: int = 0,
            limit: int | None = 50, timeline_rows: int = 0) -> Listing:
    """Counts, counts per kind, one page of rows (``limit`` None: every listed row, e.g. for
    an export) and the timeline's rows, reading the sources once: the filtered due dates
    are materialised in DuckDB and every part is a small query over them."""
    sql, params = _due_sql(filters, today)
    rows = "" if limit is None else f"LIMIT {int(limit)} OFFSET {int(offset)}"
    ends = f"ORDER BY {ORDER} LIMIT {int(timeline_rows)}"
    row = ", ".join(COLUMNS)
    blank = ", ".join(["NULL"] * 6)
    query = f"""WITH due AS MATERIALIZED ({sql}),
            tally AS (
                SELECT kind, count(*) AS total, count(*) FILTER (WHERE listed) AS listed,
                       count(*) FILTER (WHERE overdue) AS overdue_items,
                       count(*) FILTER (WHERE listed AND overdue) AS listed_overdue,
                       count(*) FILTER (WHERE NOT overdue AND due_on <= $today + 7) AS week,
                       count(*) FILTER (WHERE NOT overdue AND due_on <= $today + 30) AS month
                FROM due GROUP BY kind)
            SELECT 'tally' AS part, NULL AS n, kind, NULL AS item, NULL AS owner,
                   NULL AS due_on, NULL AS overdue, NULL AS reason, NULL AS link,
                   total, listed, overdue_items, listed_overdue, week, month FROM tally
            UNION ALL SELECT 'rows', row_number() OVER (ORDER BY {ORDER}), {row}, {blank}
                FROM (SELECT * FROM due WHERE listed ORDER BY {ORDER} {rows})
            UNION ALL SELECT 'late', row_number() OVER (ORDER BY {ORDER}), {row}, {blank}
                FROM (SELECT * FROM due WHERE listed AND overdue {ends})
            UNION ALL SELECT 'soon', row_number() OVER (ORDER BY {ORDER}), {row}, {blank}
                FROM (SELECT * FROM due WHERE listed AND NOT overdue {ends})"""
    with _computed_rows(db, today, filters):
        frame = db.query_df(query, params)
    tally = frame[frame["part"] == "tally"]
    order = {kind: n for n, kind in enumerate(KINDS)}
    kinds = tally[tally["listed"] > 0].assign(position=tally["kind"].map(order))\
        .sort_values("position")
    by_kind = pd.DataFrame({"kind": kinds["kind"].astype(str).tolist(),
                            "overdue": kinds["listed_overdue"].astype(int).tolist(),
                            "items": kinds["listed"].astype(int).tolist()})
    counts = DueCounts(*(int(tally[column].sum()) for column in
                         ("total", "listed", "overdue_items", "week", "month")))

    def part(name: str) -> pd.DataFrame:
        return _frame(frame[frame["part"] == name].sort_values("n"))

    late, soon = part("late"), part("soon")
    keep_soon = min(len(soon), max(timeline_rows // 2, timeline_rows - len(late)))
    timeline = pd.concat([late.head(timeline_rows - keep_soon), soon.head(keep_soon)],
                         ignore_index=True)
    return Listing(counts, int(offset), by_kind, part("rows"), timeline)


def counts(db: Database, today: date, filters: DueFilter = DueFilter()) -> DueCounts:
    """Overdue, due within 7 and 30 days, and listed, for the filter's kinds and owner."""
    return listing(db, today, filters, limit=0).counts


def page(db: Database, today: date, filters: DueFilter = DueFilter(), offset: int = 0,
         limit: int | None = 50) -> pd.DataFrame:
    """The listed rows from ``offset``, at most ``limit`` (None: all), overdue first, then
    by date."""
    return listing(db, today, filters, offset, limit).rows
