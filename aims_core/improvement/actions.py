"""The one actions list (ISO/IEC 42001 6.1.1, 10.1, 10.2): every area's actions in one
register, each linked to the record it comes from (see sources.py for the source codes).

Other areas add actions with :func:`create` and list a record's actions with
:func:`for_source`; ``aims_core.ui.actions_panel`` shows and adds them on a record's page.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from aims_core.auth.actor import Actor
from aims_core.improvement.registers import OPEN_ACTION_STATUSES
from aims_core.improvement.source_links import source_columns
from aims_core.improvement.sources import ACTION_SOURCES
from aims_core.records.writes import RowChange, WriteResult, apply_batches, apply_changes
from aims_core.storage.database import Database
from aims_core.storage.filters import ColumnFilter, count_rows, select_page

_SOURCE_COLUMNS, _SOURCE_JOINS = source_columns("a", ACTION_SOURCES)

LIST_SQL = f"""
    SELECT a.*, a.status IN {OPEN_ACTION_STATUSES!r} AS is_open,
           a.status IN {OPEN_ACTION_STATUSES!r} AND a.due_on < $today AS overdue,
           {_SOURCE_COLUMNS}
    FROM actions a
    {_SOURCE_JOINS}
"""


def create(db: Database, actor: Actor, title: str, owner: str | None, due_on: date | None,
           source: str, source_id: int | None = None, *, source_table: str | None = None,
           created_on: date | None = None, notes: str | None = None,
           also: Sequence[tuple[str, list[RowChange]]] = ()) -> WriteResult:
    """Add an open action linked to its source record (``source_table`` defaults to the
    source kind's register). Validated like every write: an unknown record is refused.
    ``also`` are edits of other registers saved in the same transaction (e.g. the source
    record's status moving on now that an action is planned)."""
    action = new_action(title, owner, due_on, source, source_id, source_table=source_table,
                        created_on=created_on, notes=notes)
    return apply_batches(db, [("actions", [action]), *also], actor)


def new_action(title: str | None, owner: str | None, due_on: date | None, source: str,
               source_id: int | None = None, *, source_table: str | None = None,
               created_on: date | None = None, notes: str | None = None,
               label: str = "The action") -> RowChange:
    """The insert of one open action (for callers that add several in one transaction)."""
    kind = ACTION_SOURCES.get(source)
    if source_id is not None and source_table is None and kind is not None:
        source_table = kind.default_table
    return RowChange("insert", {
        "title": title, "owner": owner, "due_on": due_on, "status": "open",
        "source": source, "source_table": source_table, "source_id": source_id,
        "created_on": created_on or date.today(), "notes": notes}, label=label)


def for_source(db: Database, source: str, source_id: int,
               today: date | None = None) -> pd.DataFrame:
    """The actions of one source record, open ones first, then by due date."""
    return select_page(db, LIST_SQL, ColumnFilter.of(source=[source], source_id=[source_id]),
                       order_by="is_open DESC, due_on, id",
                       params={"today": today or date.today()})


def _order(me: str | None) -> tuple[str, dict[str, str]]:
    if not me:
        return "overdue DESC, is_open DESC, due_on, id", {}
    return "owner = $me DESC, overdue DESC, is_open DESC, due_on, id", {"me": me}


def register(db: Database, today: date, filters: ColumnFilter, me: str | None = None,
             limit: int | None = None, offset: int = 0) -> pd.DataFrame:
    """Filtered actions; with ``me``, that owner's actions first; overdue ones on top."""
    order, mine = _order(me)
    return select_page(db, LIST_SQL, filters, order_by=order,
                       params={"today": today, **mine}, limit=limit, offset=offset)


def count(db: Database, today: date, filters: ColumnFilter) -> int:
    return count_rows(db, LIST_SQL, filters, {"today": today})


def mark_done(db: Database, actor: Actor, action_id: int, expected_version: int,
              done_on: date, notes: str | None = None) -> WriteResult:
    """Record that an action is done (a colleague's newer edit is reported, not overwritten)."""
    values: dict[str, object] = {"status": "done", "done_on": done_on}
    if notes:
        values["notes"] = notes
    return apply_changes(db, "actions", [RowChange("update", values, row_id=action_id,
                                                   expected_version=expected_version)], actor)


def open_actions_of(db: Database, source: str, source_id: int) -> pd.DataFrame:
    """The actions of a record that are not done or cancelled yet (id, title, version)."""
    frame = for_source(db, source, source_id)
    return frame.loc[frame["is_open"], ["id", "title", "owner", "due_on", "version"]]


def owners(db: Database) -> list[str]:
    return [r[0] for r in db.query_rows("SELECT DISTINCT owner FROM actions ORDER BY 1")]
