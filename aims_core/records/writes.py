"""The one write path: validate, check versions, merge, write in one transaction, log.

Every edit to a register, from any page, import, command or program, goes through
:func:`apply_changes` / :func:`apply_batches`:

1. every value is coerced by the one validation layer (:mod:`aims_core.records.validation`),
   before the write lock is taken;
2. in one transaction, under the process-wide write lock: the current rows are fetched (one
   query per register), each update and delete is checked against the version it was based
   on, references, unique keys and the register's cross-field rules are checked against the
   rows as they would be saved, and the batch is written with one statement per register
   and operation, each change logged in ``change_log``.

A batch is all-or-nothing: one bad value, one broken rule or one true conflict and nothing
is written; the result names each row and field that stopped it. An update based on an
older version than the row's is *merged* when the fields it changes were not changed by
anyone since (the result says so); a field both sides changed is a :class:`FieldConflict`
with both values, for the person to choose.
"""

from __future__ import annotations

import json
import logging
import numbers
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

import duckdb
import pyarrow as pa

from aims_core.auth import audit, permissions
from aims_core.auth.actor import Actor
from aims_core.records.fields import Field, Register, person_field
from aims_core.records.registry import REGISTERS
from aims_core.records.validation import INTEGER_RANGES, InvalidValue, coerce, is_blank
from aims_core.storage.database import Database, utc_now

Operation = Literal["insert", "update", "delete"]
log = logging.getLogger(__name__)

_AUTHOR = person_field("changed_by", "Author", required=True)


@dataclass
class RowChange:
    """One row's edit. ``values`` holds only the fields the edit touches. Updates and deletes
    name the ``expected_version`` they were based on (no blind writes); ``base`` may give
    the row as the person saw it, so that a concurrent change can be merged field by field
    (without it the change history tells). ``label`` names the row in messages (default:
    "new <register> n", or the register, id and title of an existing row). ``merge=False``
    is for steps that act on the whole row as it was seen (a document's new version keeps a
    copy of it): such an update is never merged with a newer change."""

    operation: Operation
    values: dict[str, Any] = field(default_factory=dict)
    row_id: int | None = None
    expected_version: int | None = None
    label: str | None = None
    base: dict[str, Any] | None = None
    merge: bool = True  # False: any newer change is a conflict (a step that acts on the whole row)


@dataclass(frozen=True)
class RowProblem:
    row: str
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.row}, field '{self.field}'" if self.field else self.row
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class FieldConflict:
    """A field both this edit and someone else's saved change set, to different values."""

    table: str
    row_id: int
    row: str  # the row as messages name it
    field: str
    label: str
    yours: Any
    theirs: Any
    version: int  # the row's version now: an edit resolved by choosing is based on it
    by: str  # who changed it last: "Ben at 2026-11-20 10:02 UTC", or "someone else"


@dataclass
class WriteResult:
    inserted: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    deleted: list[int] = field(default_factory=list)
    errors: list[RowProblem] = field(default_factory=list)
    conflicts: list[RowProblem] = field(default_factory=list)
    field_conflicts: list[FieldConflict] = field(default_factory=list)
    merged: list[RowProblem] = field(default_factory=list)  # saved on top of a newer row

    @property
    def ok(self) -> bool:
        return not self.errors and not self.conflicts

    @property
    def changed(self) -> int:
        return len(self.inserted) + len(self.updated) + len(self.deleted)

    def _clear_writes(self) -> None:
        self.inserted.clear(), self.updated.clear(), self.deleted.clear(), self.merged.clear()


class _Abort(Exception):
    """Rolls the transaction back after problems were collected."""


class _DryRun(Exception):
    """Rolls back a batch that was only previewed; its result is kept."""


@contextmanager
def registered(cur: duckdb.DuckDBPyConnection, name: str,
               batch: pa.Table) -> Iterator[None]:
    """``batch`` visible to SQL as ``name`` while the block runs (one set-based statement).
    When the block fails the transaction is aborted and cannot unregister; the rollback
    drops the view anyway, so the original error is the one that propagates. A result a
    rule left unread (``fetchone``) would block registering: it is ended first."""
    cur.abort()
    cur.register(name, batch)
    try:
        yield
    except BaseException:
        with suppress(duckdb.Error):
            cur.unregister(name)
        raise
    cur.unregister(name)


# --- the change history ------------------------------------------------------------------
def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def row_json(row: dict[str, Any] | None) -> str | None:
    if row is None:
        return None
    return json.dumps({k: _json_value(v) for k, v in row.items()}, ensure_ascii=False)


def fetch_row(cur: duckdb.DuckDBPyConnection, table: str, row_id: int) -> dict[str, Any] | None:
    """One row of ``table`` as a dict (None when it does not exist)."""
    result = cur.execute(f'SELECT * FROM "{table}" WHERE id = ?', [row_id])
    names = [d[0] for d in result.description]
    found = result.fetchall()
    return dict(zip(names, found[0], strict=True)) if found else None


def _next_id(cur: duckdb.DuckDBPyConnection, table: str) -> int:
    # fetchall: an unfinished result would block registering batches on this cursor
    return cur.execute(f'SELECT coalesce(max(id), 0) + 1 FROM "{table}"').fetchall()[0][0]


class ChangeLog:
    """Change-history rows written inside the caller's transaction: rows of registers
    set-based as the database holds them (:meth:`record`, their JSON made by DuckDB), other
    entries (settings, merges of names) one by one (:meth:`append`)."""

    def __init__(self, cur: duckdb.DuckDBPyConnection, who: str, when: datetime) -> None:
        self.cur, self.who, self.when = cur, who, when
        self.next_id = _next_id(cur, "change_log")

    def append(self, table: str, row_id: int, operation: str,
               before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
        self.cur.execute(
            "INSERT INTO change_log (id, table_name, row_id, operation, changed_by, changed_at, "
            "before_json, after_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [self.next_id, table, row_id, operation, self.who, self.when, row_json(before),
             row_json(after)])
        self.next_id += 1

    def record(self, table: str, operation: str, row_ids: list[int],
               before: list[str | None]) -> None:
        """Log written rows of ``table``: ``before`` is each row's JSON before the change
        (None for inserts); the after state is read from the table (none after a delete)."""
        if not row_ids:
            return
        batch = pa.table({"ord": pa.array(range(len(row_ids)), pa.int64()),
                          "row_id": pa.array(row_ids, pa.int64()),
                          "before_json": pa.array(before, pa.string())})
        after = "NULL" if operation == "delete" else "CAST(to_json(t) AS VARCHAR)"
        join = "" if operation == "delete" else f'JOIN "{table}" t ON t.id = b.row_id'
        with registered(self.cur, "logged_rows", batch):
            self.cur.execute(
                "INSERT INTO change_log (id, table_name, row_id, operation, changed_by, "
                "changed_at, before_json, after_json) "
                f"SELECT ? + b.ord, ?, b.row_id, ?, ?, ?, b.before_json, {after} "
                f"FROM logged_rows b {join}",
                [self.next_id, table, operation, self.who, self.when])
        self.next_id += len(row_ids)


def _last_changed_by(cur: duckdb.DuckDBPyConnection, table: str, row_id: int) -> str:
    found = cur.execute(
        "SELECT changed_by, changed_at FROM change_log WHERE table_name = ? AND row_id = ? "
        "ORDER BY id DESC LIMIT 1",
        [table, row_id],
    ).fetchall()
    found = found[0] if found else None
    return f"{found[0]} at {found[1]:%Y-%m-%d %H:%M} UTC" if found else "someone else"


def _row_at_version(cur: duckdb.DuckDBPyConnection, table: str, row_id: int,
                    version: int) -> dict[str, Any] | None:
    """The row as it stood at ``version``, from the change history (None if not recorded)."""
    found = cur.execute(
        "SELECT after_json FROM change_log WHERE table_name = ? AND row_id = ? AND "
        "TRY_CAST(json_extract_string(after_json, '$.version') AS BIGINT) = ? "
        "ORDER BY id DESC LIMIT 1", [table, row_id, version]).fetchall()
    return json.loads(found[0][0]) if found else None


# --- preparing a batch: values coerced, outside the write lock ----------------------------
@dataclass
class _Prepared:
    change: RowChange
    position: int
    typed: dict[str, Any]
    problems: list[tuple[str | None, str]]  # (field label or None, message)
    row_id: int | None = None
    row: str = ""  # the row's name in messages, set once its current values are known
    current: dict[str, Any] | None = None
    current_json: str | None = None  # the current row as the change log records it
    merged: dict[str, Any] | None = None  # the row as it would be saved
    diff: dict[str, Any] | None = None  # updates: the fields that really change
    merged_with: tuple[str, list[str]] | None = None  # (by whom, their fields) when merged


def _valid_row_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, numbers.Integral) or (isinstance(value, str) and value.isascii()
                                               and value.isdigit()):
        number = int(value)
        low, high = INTEGER_RANGES["BIGINT"]
        return number if low <= number <= high else None
    return None


def _prepare(register: Register, types: dict[str, str], change: RowChange, position: int,
             today: date) -> _Prepared:
    typed: dict[str, Any] = {}
    problems: list[tuple[str | None, str]] = []
    prepared = _Prepared(change, position, typed, problems)
    if change.operation not in ("insert", "update", "delete"):
        problems.append((None, f"{change.operation!r} is not an operation (insert, update "
                               "or delete)"))
        return prepared
    if change.operation != "insert":
        prepared.row_id = _valid_row_id(change.row_id)
        if prepared.row_id is None:
            problems.append((None, f"has no valid row id ({change.row_id!r})"))
        if change.expected_version is None or _valid_row_id(change.expected_version) is None:
            problems.append((None, "does not say which version of the row it was based on: "
                                   "reload and apply the edit again"))
    if change.operation == "delete":
        return prepared
    for name, raw in change.values.items():
        if not register.has_field(name):
            problems.append((str(name), "is not a field of this register"))
            continue
        spec = register.field(name)
        try:
            typed[name] = coerce(spec, raw, types.get(name), today=today)
        except InvalidValue as exc:
            problems.append((spec.label, str(exc)))
    if change.operation == "insert" and not register.required_names <= change.values.keys():
        problems += [(spec.label, "is required") for spec in register.fields
                     if spec.required and spec.name not in change.values]
    return prepared


# --- checks inside the transaction -------------------------------------------------------
def _fetch_currents(cur: duckdb.DuckDBPyConnection, table: str,
                    ids: list[int]) -> dict[int, tuple[dict[str, Any], str]]:
    """The rows with these ids as they stand, each with its JSON for the change log."""
    if not ids:
        return {}
    result = cur.execute(f'SELECT *, CAST(to_json(t) AS VARCHAR) FROM "{table}" t '
                         "WHERE id IN (SELECT unnest(?::BIGINT[]))", [sorted(set(ids))])
    names = [d[0] for d in result.description][:-1]
    position = names.index("id")
    return {row[position]: (dict(zip(names, row[:-1], strict=True)), row[-1])
            for row in result.fetchall()}


def _row_name(register: Register, prepared: _Prepared) -> str:
    change = prepared.change
    if change.label:
        return change.label
    if change.operation == "insert":
        return f"new {register.label} {prepared.position + 1}"
    title = (prepared.current or {}).get(register.title_field)
    if isinstance(title, date):
        title = title.isoformat()
    suffix = f" ('{title}')" if title not in (None, "") else ""
    return f"{register.label} {prepared.row_id if prepared.row_id is not None else '?'}{suffix}"


def _comparable(spec: Field, value: Any) -> Any:
    """A stored or shown value in the type the write path would store (for comparisons)."""
    if is_blank(value):
        return None
    try:
        return coerce(spec, value)
    except InvalidValue:
        return value


def _check_version(cur: duckdb.DuckDBPyConnection, register: Register, prepared: _Prepared,
                   result: WriteResult) -> bool:
    """Whether the change may go ahead: a current version, or a newer one it merges with."""
    change, current = prepared.change, prepared.current
    if current is None:
        result.conflicts.append(RowProblem(prepared.row, None, "no longer exists: someone "
                                           "else deleted it. Reload to see the register."))
        return False
    if current["version"] == int(change.expected_version):
        return True
    by = _last_changed_by(cur, register.table, prepared.row_id)
    base = change.base if change.base is not None else _row_at_version(
        cur, register.table, prepared.row_id, int(change.expected_version))
    if change.operation == "delete" or base is None or not change.merge:
        what = "deleted" if change.operation == "delete" else "saved"
        result.conflicts.append(RowProblem(
            prepared.row, None, f"was changed by {by} since you loaded it. "
            f"Your edit was not {what}: reload and apply it again."))
        return False
    theirs = [spec for spec in register.fields if spec.name in base and
              _comparable(spec, base[spec.name]) != current.get(spec.name)]
    clashes = [spec for spec in theirs if spec.name in prepared.typed
               and prepared.typed[spec.name] != current.get(spec.name)]
    for spec in clashes:
        result.field_conflicts.append(FieldConflict(
            register.table, prepared.row_id, prepared.row, spec.name, spec.label,
            prepared.typed[spec.name], current.get(spec.name), current["version"], by))
    if clashes:
        labels = ", ".join(spec.label for spec in clashes)
        result.conflicts.append(RowProblem(
            prepared.row, None, f"was changed by {by} since you loaded it, and "
            f"so were the fields you edited ({labels}): choose which value to keep."))
        return False
    prepared.merged_with = (by, [spec.label for spec in theirs])
    return True


def _merge_notice(register: Register, prepared: _Prepared) -> RowProblem:
    by, theirs = prepared.merged_with
    changed = f" ({', '.join(theirs)})" if theirs else ""
    if not prepared.diff:
        return RowProblem(prepared.row, None, f"was changed by {by} since you "
                          f"loaded it{changed}, to the values you chose: nothing more to save.")
    mine = ", ".join(register.field(name).label for name in prepared.diff)
    return RowProblem(prepared.row, None, f"was changed by {by} since you loaded "
                      f"it{changed}; your edits ({mine}) were saved on top.")


def _check_permission(cur: duckdb.DuckDBPyConnection, register: Register,
                      prepared: _Prepared, who: permissions.Standing,
                      refused: list[audit.Event]) -> str | None:
    """The one place where the actor's right to make this change is decided, per change,
    once the current row is known and before any value is applied (roles, ownership and
    segregation of duties: aims_core/auth/permissions.py). A refusal is also an audit
    event, recorded after the batch rolled back."""
    problem = permissions.refusal(cur, register, prepared.change.operation, prepared.current,
                                  prepared.typed, who)
    if problem:
        refused.append(permissions.refused_event(who.actor, register.table, prepared.row_id,
                                                 f"{prepared.row}: {problem}"))
    return problem


def _missing_references(cur: duckdb.DuckDBPyConnection, register: Register,
                        rows: Sequence[_Prepared]) -> list[RowProblem]:
    problems: list[RowProblem] = []
    for spec in register.fields:
        ref = spec.reference
        if ref is None:
            continue
        wanted = {p.typed[spec.name] for p in rows if p.typed.get(spec.name) is not None}
        if not wanted:
            continue
        found = {
            r[0]
            for r in cur.execute(
                f'SELECT "{ref.column}" FROM "{ref.table}" WHERE "{ref.column}" IN '
                f"(SELECT unnest(?))",
                [sorted(wanted)],
            ).fetchall()
        }
        missing = "is not an active person in the people directory" if spec.person \
            else "does not exist"
        problems += [RowProblem(p.row, spec.label, f"{p.typed[spec.name]!r} {missing}")
                     for p in rows if p.typed.get(spec.name) is not None
                     and p.typed[spec.name] not in found]
    return problems


def unique_keys(db: Database, register: Register) -> list[tuple[str, ...]]:
    """The register's unique keys: declared ones and the table's UNIQUE constraints."""
    keys = [register.unique_together] if register.unique_together else []
    keys += [key for key in db.unique_keys(register.table) if key not in keys
             and set(key) <= set(register.field_names)]
    return keys


def _duplicates(cur: duckdb.DuckDBPyConnection, register: Register, key: tuple[str, ...],
                rows: Sequence[_Prepared]) -> list[RowProblem]:
    """Rows that would share a unique key with another row of the batch or of the table;
    named here so that the message names the row (the table's UNIQUE would not)."""
    what = " and ".join(register.field(name).label for name in key)
    where = register.field(key[-1]).label
    problems: list[RowProblem] = []
    candidates: dict[tuple[Any, ...], _Prepared] = {}
    keyed = set(key)
    for prepared in rows:
        if prepared.change.operation == "update" and not keyed & (prepared.diff or {}).keys():
            continue
        merged = prepared.merged
        values = tuple([merged.get(name) for name in key])
        if None in values:
            continue
        if values in candidates:
            problems.append(RowProblem(prepared.row, where,
                                       f"repeats the {what} of {candidates[values].row}"))
            continue
        candidates[values] = prepared
    if not candidates:
        return problems
    batch = _arrow_batch(register, list(key), [dict(zip(key, values, strict=True))
                                               for values in candidates])
    columns = ", ".join(f't."{name}"' for name in key)
    with registered(cur, "key_batch", batch):
        taken = cur.execute(
            f'SELECT {columns}, t.id FROM "{register.table}" t JOIN key_batch k ON '
            + " AND ".join(f't."{name}" = k."{name}"' for name in key)).fetchall()
    for *values, row_id in taken:
        prepared = candidates[tuple(values)]
        if row_id != prepared.row_id:
            shown = ", ".join(f"{register.field(n).label} {_json_value(v)}" for n, v in
                              zip(key, values, strict=True))
            problems.append(RowProblem(prepared.row, where, f"{shown} already exists "
                                       f"({register.label} {row_id}): change that row "
                                       "instead, or reload if someone just saved it"))
    return problems


_ARROW_TYPES = {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(),
                "date": pa.date32()}


def _arrow_batch(register: Register, columns: list[str], rows: list[dict[str, Any]]) -> pa.Table:
    """Typed columns for one set-based statement (ids and versions are BIGINT)."""
    def arrow_type(name: str) -> pa.DataType:
        if name in ("id", "version"):
            return pa.int64()
        return _ARROW_TYPES.get(register.field(name).kind, pa.string())
    return pa.table({name: pa.array([row.get(name) for row in rows], arrow_type(name))
                     for name in columns})


def _dates_out_of_order(register: Register, row: dict[str, Any]) -> list[tuple[str, str]]:
    """Dates that precede the date their field declares they cannot precede (``not_before``)."""
    return [(spec.name, f"cannot be before {register.field(spec.not_before).label.lower()} "
                        f"({row[spec.not_before]:%Y-%m-%d})")
            for spec in register.ordered_dates if row.get(spec.name) is not None
            and row.get(spec.not_before) is not None and row[spec.name] < row[spec.not_before]]


# --- applying a batch --------------------------------------------------------------------
def apply_changes(db: Database, table: str, changes: Iterable[RowChange], actor: Actor,
                  *, now: datetime | None = None, today: date | None = None,
                  dry_run: bool = False) -> WriteResult:
    """Validate and write a batch of edits to one register, all or nothing."""
    return apply_batches(db, [(table, changes)], actor, now=now, today=today, dry_run=dry_run)


SettingsWrite = Callable[[duckdb.DuckDBPyConnection, ChangeLog], list[RowProblem]]


def apply_batches(db: Database, batches: Sequence[tuple[str, Iterable[RowChange]]],
                  actor: Actor, *, now: datetime | None = None, today: date | None = None,
                  also: SettingsWrite | None = None, dry_run: bool = False) -> WriteResult:
    """Edits to several registers in one transaction (e.g. a triage and its system).

    ``also`` writes non-register settings in the same transaction once the batches are
    valid; it logs through the given change log and returns problems to roll back on.
    ``today`` (default: the server's date) is what "not in the future" is measured against.
    ``dry_run`` does every check and write, reports the result (ids it would give), then
    rolls back: an import's preview says exactly what the real write would do.
    Changes the actor's role does not allow are refused (and logged in ``audit_events``).
    """
    result = WriteResult()
    batches = [(table, list(changes)) for table, changes in batches]
    for table, _ in batches:
        if table not in REGISTERS:
            result.errors.append(RowProblem("This change", None,
                                            f"there is no register named {table!r}"))
    who = _author(actor, result)
    if not result.ok or (not any(changes for _, changes in batches) and also is None):
        return result
    when, day = now or utc_now(), today or date.today()
    prepared = [(REGISTERS[table], [_prepare(REGISTERS[table], db.column_types(table), change,
                                             position, day)
                                    for position, change in enumerate(changes)])
                for table, changes in batches]
    refused: list[audit.Event] = []
    try:
        with db.transaction() as cur:
            standing, problem = permissions.standing(cur, actor)
            if standing is not None and also is not None:
                problem = permissions.settings_refusal(standing)
            if problem:
                result.errors.append(RowProblem("This change", None, problem))
                refused.append(permissions.refused_event(actor, batches[0][0] if batches
                                                         else "settings", None, problem))
                raise _Abort
            log_ = ChangeLog(cur, who, when)
            for register, rows in prepared:
                _apply(db, cur, register, rows, standing, log_, result, refused)
                if not result.ok:
                    raise _Abort
            if also is not None:
                result.errors.extend(also(cur, log_))
                if not result.ok:
                    raise _Abort
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    except _Abort:
        result._clear_writes()
        if refused:
            audit.record(db, *refused, when=when)
    except duckdb.Error as exc:  # a rule the checks above missed: say so, never crash
        log.exception("write refused by the database")
        result._clear_writes()
        result.errors.append(_database_refusal(exc, [r for r, _ in prepared]))
    return result


def _author(actor: Actor, result: WriteResult) -> str:
    if actor.name is None or (isinstance(actor.name, str) and is_blank(actor.name)):
        result.errors.append(RowProblem("This change", None,
                                        "has no author: pick your name in the sidebar first"))
        return ""
    try:
        return coerce(_AUTHOR, actor.name)
    except InvalidValue as exc:
        result.errors.append(RowProblem("This change", "Author", f"the name {exc}"))
        return ""


_DUPLICATE = re.compile(r'Duplicate key "(?P<key>.*)" violates unique constraint', re.S)
_NOT_NULL = re.compile(r"NOT NULL constraint failed: (?P<table>\w+)\.(?P<column>\w+)")


def _database_refusal(exc: duckdb.Error, registers: list[Register]) -> RowProblem:
    """A database refusal in words: which key or field, never its raw message."""
    text = str(exc)
    labels = ", ".join(r.label for r in registers) or "the register"
    if found := _DUPLICATE.search(text):
        return RowProblem("This change", None, f"would repeat {found.group('key')}, which "
                          f"must be unique in {labels}: someone may have saved the same "
                          "entry a moment ago. Reload and check.")
    if found := _NOT_NULL.search(text):
        register = REGISTERS.get(found.group("table"))
        column = found.group("column")
        label = register.field(column).label if register and column in \
            register.field_names else column
        return RowProblem("This change", label, "is required")
    return RowProblem("This change", None, f"was refused by the database ({type(exc).__name__})"
                      "; nothing was saved. Reload and try again.")


def _apply(db: Database, cur: duckdb.DuckDBPyConnection, register: Register,
           rows: list[_Prepared], who: permissions.Standing, log_: ChangeLog,
           result: WriteResult, refused: list[audit.Event]) -> None:
    table = register.table
    currents = _fetch_currents(cur, table, [p.row_id for p in rows if p.row_id is not None])
    blank = dict.fromkeys(db.column_types(table))
    for prepared in rows:
        prepared.current, prepared.current_json = currents.get(prepared.row_id, (None, None))
        prepared.row = _row_name(register, prepared)
        result.errors += [RowProblem(prepared.row, name, message)
                          for name, message in prepared.problems]
        if prepared.problems:
            continue
        if prepared.change.operation != "insert" and \
                not _check_version(cur, register, prepared, result):
            continue
        if refusal := _check_permission(cur, register, prepared, who, refused):
            result.errors.append(RowProblem(prepared.row, None, refusal))
            continue
        if prepared.change.operation == "delete":
            continue
        current = prepared.current or blank
        for name, value in prepared.typed.items():
            spec = register.field(name)
            if prepared.change.operation == "update" and not spec.editable \
                    and value != current.get(name):
                result.errors.append(RowProblem(prepared.row, spec.label, "cannot be changed"))
        prepared.merged = {**current, **prepared.typed}
        prepared.diff = {k: v for k, v in prepared.typed.items() if current.get(k) != v}
        if prepared.merged_with is not None:
            result.merged.append(_merge_notice(register, prepared))
        problems = _dates_out_of_order(register, prepared.merged)
        for rule in (*register.change_rules, *register.rules):
            problems += rule(cur, prepared.merged)
        result.errors += [RowProblem(prepared.row, register.field(name).label, message)
                          for name, message in problems]
    if not result.ok:
        return
    writing = [p for p in rows if p.change.operation != "delete"]
    result.errors.extend(_missing_references(cur, register, writing))
    for key in unique_keys(db, register):
        result.errors.extend(_duplicates(cur, register, key, writing))
    if not result.ok:
        return
    _delete(cur, register, [p for p in rows if p.change.operation == "delete"], log_, result)
    if not result.ok:
        return
    _insert(cur, register, [p for p in rows if p.change.operation == "insert"], log_, result)
    _update(cur, register, [p for p in rows if p.change.operation == "update"], log_, result)


def _insert(cur: duckdb.DuckDBPyConnection, register: Register, rows: list[_Prepared],
            log_: ChangeLog, result: WriteResult) -> None:
    if not rows:
        return
    new_id = _next_id(cur, register.table)
    written = ["id", *register.field_names, "version"]
    for offset, prepared in enumerate(rows):
        prepared.merged.update(id=new_id + offset, version=1)
    batch = _arrow_batch(register, written, [p.merged for p in rows])
    with registered(cur, "insert_batch", batch):
        cur.execute(f'INSERT INTO "{register.table}" ({", ".join(written)}) '
                    f'SELECT {", ".join(written)} FROM insert_batch')
    ids = [p.merged["id"] for p in rows]
    log_.record(register.table, "insert", ids, [None] * len(ids))
    result.inserted.extend(ids)


def _update(cur: duckdb.DuckDBPyConnection, register: Register, rows: list[_Prepared],
            log_: ChangeLog, result: WriteResult) -> None:
    """One UPDATE per set of changed fields, guarded by each row's current version."""
    groups: dict[tuple[str, ...], list[_Prepared]] = {}
    for prepared in rows:
        if prepared.diff:
            groups.setdefault(tuple(sorted(prepared.diff)), []).append(prepared)
    for names, group in groups.items():
        batch = _arrow_batch(register, ["id", "version", *names],
                             [{**p.diff, "id": p.current["id"], "version": p.current["version"]}
                              for p in group])
        with registered(cur, "update_batch", batch):
            count = cur.execute(
                f'UPDATE "{register.table}" AS t SET '
                + ", ".join(f'"{name}" = b."{name}"' for name in names)
                + ", version = t.version + 1 FROM update_batch b "
                "WHERE t.id = b.id AND t.version = b.version").fetchall()[0][0]
        if count != len(group):
            result.conflicts.append(RowProblem(group[0].row, None,
                                               "was changed while saving; reload"))
            return
        ids = [p.current["id"] for p in group]
        log_.record(register.table, "update", ids, [p.current_json for p in group])
        result.updated.extend(ids)


def _delete(cur: duckdb.DuckDBPyConnection, register: Register, rows: list[_Prepared],
            log_: ChangeLog, result: WriteResult) -> None:
    if not rows:
        return
    if not register.allow_delete:
        result.errors += [RowProblem(p.row, None, f"{register.label} rows cannot be deleted; "
                                     "history is kept (retire or close it instead)")
                          for p in rows]
        return
    ids = [p.row_id for p in rows]
    for ref_table, ref_column in register.referenced_by:
        uses = dict(cur.execute(
            f'SELECT "{ref_column}", count(*) FROM "{ref_table}" WHERE "{ref_column}" IN '
            "(SELECT unnest(?::BIGINT[])) GROUP BY ALL", [ids]).fetchall())
        result.errors += [RowProblem(p.row, None, f"is still used by {uses[p.row_id]} row(s) "
                                     f"of {ref_table}; remove those first")
                          for p in rows if uses.get(p.row_id)]
    if not result.ok:
        return
    cur.execute(f'DELETE FROM "{register.table}" WHERE id IN (SELECT unnest(?::BIGINT[]))',
                [ids])
    log_.record(register.table, "delete", ids, [p.current_json for p in rows])
    result.deleted.extend(ids)
