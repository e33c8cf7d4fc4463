"""The change history (``change_log``) read back: filtered and paged, one change's before and
after side by side, and any register as it stood at a past moment.

A register "as of" a moment is rebuilt from the history alone: for every row, the latest
logged state not after that moment, unless that was a deletion. Every write goes through
the one write path, which logs the whole row after each change, so the rebuild is exact
for rows written by the app (rows created outside it, e.g. by a migration, have no history
to rebuild from). Moments are naive UTC, as ``changed_at`` is stored.

``field_changes`` lists what changed, field by field, in a few registers since a day: the
management review's "changes since the last review" and a register's own history read it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

import pandas as pd

from aims_core.records.fields import Register
from aims_core.records.registry import REGISTERS
from aims_core.storage.database import Database


def end_of_day(day: date, zone: tzinfo) -> datetime:
    """The last moment of a local day as naive UTC (``changed_at``'s time)."""
    start = datetime.combine(day + timedelta(days=1), time(0, 0), zone)
    return start.astimezone(UTC).replace(tzinfo=None) - timedelta(microseconds=1)


def start_of_day(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(0, 0), zone).astimezone(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class HistoryFilter:
    tables: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    since: datetime | None = None  # naive UTC, inclusive
    until: datetime | None = None  # naive UTC, exclusive
    row_id: int | None = None
    text: str | None = None  # part of the record's title (its register's title field)


def _title_sql() -> str:
    cases = " ".join(f"WHEN '{t}' THEN '$.{r.title_field}'" for t, r in REGISTERS.items())
    return (f"json_extract_string(coalesce(after_json, before_json), CASE table_name {cases} "
            "ELSE '$.name' END)")


def _where(filters: HistoryFilter) -> tuple[str, dict[str, Any]]:
    clauses = ["($tables IS NULL OR list_contains($tables, table_name))",
               "($people IS NULL OR list_contains($people, changed_by))",
               "($since IS NULL OR changed_at >= $since)",
               "($until IS NULL OR changed_at < $until)",
               "($row_id IS NULL OR row_id = $row_id)",
               f"($text IS NULL OR {_title_sql()} ILIKE '%' || $text || '%')"]
    params = {"tables": list(filters.tables) or None, "people": list(filters.people) or None,
              "since": filters.since, "until": filters.until, "row_id": filters.row_id,
              "text": (filters.text or "").strip() or None}
    return " AND ".join(clauses), params


def count(db: Database, filters: HistoryFilter) -> int:
    where, params = _where(filters)
    return int(db.scalar(f"SELECT count(*) FROM change_log WHERE {where}", params))


def changes(db: Database, filters: HistoryFilter, offset: int = 0,
            limit: int = 50) -> pd.DataFrame:
    """One page of changes, newest first, with the record's title and the fields changed."""
    where, params = _where(filters)
    frame = db.query_df(
        f"""SELECT id, changed_at, changed_by, table_name, row_id, operation,
                   {_title_sql()} AS record, before_json, after_json
            FROM change_log WHERE {where}
            ORDER BY changed_at DESC, id DESC LIMIT $limit OFFSET $offset""",
        {**params, "limit": limit, "offset": offset})
    frame["fields"] = [", ".join(_changed_fields(r.table_name, r.before_json, r.after_json))
                       for r in frame.itertuples()]
    return frame.drop(columns=["before_json", "after_json"])


def people(db: Database) -> list[str]:
    return [r[0] for r in db.query_rows(
        "SELECT DISTINCT changed_by FROM change_log ORDER BY changed_by")]


def tables(db: Database) -> list[str]:
    """Tables with history, registers first in registry order."""
    logged = {r[0] for r in db.query_rows("SELECT DISTINCT table_name FROM change_log")}
    return [t for t in REGISTERS if t in logged] + sorted(logged - REGISTERS.keys())


def _load(text: object) -> dict[str, Any]:
    return json.loads(text) if isinstance(text, str) else {}


def _changed_fields(table: str, before: object, after: object) -> list[str]:
    old, new = _load(before), _load(after)
    names = [n for n in dict.fromkeys([*old, *new]) if n not in ("id", "version")
             and old.get(n) != new.get(n)]
    register = REGISTERS.get(table)
    return [_label(register, n) for n in names]


def _label(register: Register | None, name: str) -> str:
    if register is not None and name in register.field_names:
        return register.field(name).label
    return name


@dataclass(frozen=True)
class Change:
    id: int
    table: str
    row_id: int
    operation: str
    changed_by: str
    changed_at: datetime
    before: dict[str, Any]
    after: dict[str, Any]

    def side_by_side(self) -> pd.DataFrame:
        """Field, before, after and whether it changed, in the register's field order."""
        register = REGISTERS.get(self.table)
        names = [n for n in dict.fromkeys([*(register.field_names if register else []),
                                           *self.before, *self.after])
                 if n in self.before or n in self.after]
        return pd.DataFrame([{"field": _label(register, n),
                              "before": _text(self.before.get(n)),
                              "after": _text(self.after.get(n)),
                              "changed": self.before.get(n) != self.after.get(n)}
                             for n in names])


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def one(db: Database, change_id: int) -> Change | None:
    found = db.query_rows("SELECT id, table_name, row_id, operation, changed_by, changed_at, "
                          "before_json, after_json FROM change_log WHERE id = ?", [change_id])
    if not found:
        return None
    row = found[0]
    return Change(*row[:6], _load(row[6]), _load(row[7]))


FIELD_CHANGE_COLUMNS = ["changed_at", "changed_by", "register", "row_id", "item", "operation",
                        "fields"]


def field_changes(db: Database, tables: tuple[str, ...], since: date | None = None,
                  until: date | None = None) -> pd.DataFrame:
    """Every change to rows of the registers ``tables`` after ``since`` and up to ``until``
    (open-ended when None), newest first; ``fields`` names the fields an update changed, by
    their labels."""
    by_table = {table: REGISTERS[table] for table in tables}
    log = db.query_df(
        "SELECT changed_at, changed_by, table_name, row_id, operation, before_json, "
        "after_json FROM change_log WHERE list_contains($tables, table_name) "
        "AND ($since IS NULL OR CAST(changed_at AS DATE) > $since) "
        "AND ($until IS NULL OR CAST(changed_at AS DATE) <= $until) "
        "ORDER BY changed_at DESC, id DESC",
        {"tables": list(by_table), "since": since, "until": until})
    rows = []
    for entry in log.itertuples():
        register = by_table[entry.table_name]
        before, after = _load(entry.before_json), _load(entry.after_json)
        changed = [spec.label for spec in register.fields
                   if before.get(spec.name) != after.get(spec.name)]
        rows.append({"changed_at": entry.changed_at, "changed_by": entry.changed_by,
                     "register": register.label, "row_id": entry.row_id,
                     "item": (after or before).get(register.title_field),
                     "operation": entry.operation,
                     "fields": ", ".join(changed) if entry.operation == "update" else ""})
    return pd.DataFrame(rows, columns=FIELD_CHANGE_COLUMNS)


# --- the past -----------------------------------------------------------------------------
def _structure(db: Database, table: str) -> tuple[list[str], str]:
    columns = db.query_rows(f'DESCRIBE "{table}"')
    return [c[0] for c in columns], json.dumps({c[0]: c[1] for c in columns})


# Each row's latest logged entry up to $moment (a deletion included): its id and operation,
# without the JSON, which only the rows shown need (ranking the JSON along doubled the time).
_LATEST = """
    SELECT row_id, id, operation FROM change_log
    WHERE table_name = $table AND changed_at <= $moment
    QUALIFY row_number() OVER (PARTITION BY row_id ORDER BY changed_at DESC, id DESC) = 1"""


def as_of_count(db: Database, table: str, moment: datetime) -> int:
    return int(db.scalar(f"SELECT count(*) FROM ({_LATEST}) WHERE operation <> 'delete'",
                         {"table": table, "moment": moment}))


def register_as_of(db: Database, table: str, moment: datetime, offset: int = 0,
                   limit: int | None = None) -> pd.DataFrame:
    """``table`` as it stood at ``moment`` (naive UTC), in the live table's columns and
    types, ordered by id; ``limit`` rows from ``offset`` (None: all). Only the page's rows
    are parsed from their JSON."""
    names, structure = _structure(db, table)
    frame = db.query_df(
        f"""SELECT unnest(from_json(log.after_json, '{structure.replace("'", "''")}'))
            FROM (SELECT row_id, id FROM ({_LATEST}) WHERE operation <> 'delete'
                  ORDER BY row_id LIMIT coalesce($limit, 9223372036854775807) OFFSET $offset)
                 AS shown JOIN change_log AS log USING (id)
            ORDER BY shown.row_id""",
        {"table": table, "moment": moment, "limit": limit, "offset": offset})
    return frame[names] if not frame.empty else pd.DataFrame(
        {n: pd.Series(dtype=frame[n].dtype if n in frame else "object") for n in names})


def latest_change_id(db: Database) -> int:
    """The newest entry of the change history (0 when it is empty)."""
    return int(db.scalar("SELECT coalesce(max(id), 0) FROM change_log"))


def authors_since(db: Database, table: str, after_id: int, me: str) -> list[str]:
    """Who other than ``me`` changed rows of ``table`` after change ``after_id``, by name."""
    return [name for (name,) in db.query_rows(
        "SELECT changed_by FROM change_log WHERE table_name = ? AND id > ? AND changed_by <> ? "
        "GROUP BY changed_by ORDER BY min(id)", [table, after_id, me])]
