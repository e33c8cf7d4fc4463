"""The one write path: validate, check versions, write in one transaction, log the change.

Every edit to a register, from any page, import or command, goes through
:func:`apply_changes`. A batch is all-or-nothing: one bad value or one conflicting version
and nothing in the batch is written; the result names each row and field that stopped it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

import duckdb

from aims_core.auth import audit, permissions
from aims_core.auth.actor import Actor
from aims_core.records.fields import Register
from aims_core.records.registry import REGISTERS
from aims_core.records.validation import InvalidValue, coerce, is_blank
from aims_core.storage.database import Database, utc_now

Operation = Literal["insert", "update", "delete"]


@dataclass
class RowChange:
    """One row's edit. ``label`` names a new row in messages (e.g. "new row 2")."""

    operation: Operation
    values: dict[str, Any] = field(default_factory=dict)
    row_id: int | None = None
    expected_version: int | None = None
    label: str | None = None


@dataclass(frozen=True)
class InsertedId:
    """A value standing for the id of a row inserted earlier in the same
    :func:`apply_batches` call: the ``insert``-th insert (from 0) of batch ``batch``. It lets
    a record and its children be added in one transaction (a session and its participants)."""

    batch: int
    insert: int = 0


@dataclass(frozen=True)
class RowProblem:
    row: str
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.row}, field '{self.field}'" if self.field else self.row
        return f"{where}: {self.message}"


@dataclass
class WriteResult:
    inserted: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    deleted: list[int] = field(default_factory=list)
    errors: list[RowProblem] = field(default_factory=list)
    conflicts: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.conflicts

    @property
    def changed(self) -> int:
        return len(self.inserted) + len(self.updated) + len(self.deleted)


class _Abort(Exception):
    """Rolls the transaction back after problems were collected."""


class _DryRun(Exception):
    """Rolls back a batch that was only previewed; its result is kept."""


def _dates_out_of_order(register: Register, row: dict[str, Any]) -> list[tuple[str, str]]:
    """Dates that precede the date their field declares they cannot precede (``not_before``)."""
    return [(spec.name, f"cannot be before {register.field(spec.not_before).label.lower()} "
                        f"({row[spec.not_before]:%Y-%m-%d})")
            for spec in register.fields
            if spec.not_before and row.get(spec.name) is not None
            and row.get(spec.not_before) is not None and row[spec.name] < row[spec.not_before]]











def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def row_json(row: dict[str, Any] | None) -> str | None:
    if row is None:
        return None
    return json.dumps({k: _json_value(v) for k, v in row.items()}, ensure_ascii=False)


def fetch_row(cur: duckdb.DuckDBPyConnection, table: str, row_id: int) -> dict[str, Any] | None:
    result = cur.execute(f'SELECT * FROM "{table}" WHERE id = ?', [row_id])
    names = [d[0] for d in result.description]
    found = result.fetchone()
    return None if found is None else dict(zip(names, found, strict=True))


def _row_name(register: Register, change: RowChange, current: dict[str, Any] | None,
              position: int) -> str:
    if change.label:  # the caller's name for the row (e.g. an import's "row 7")
        return change.label
    if change.operation == "insert":
        return f"new {register.label} {position + 1}"
    title = (current or {}).get(register.title_field)
    suffix = f" ('{title}')" if title not in (None, "") else ""
    return f"{register.label} {change.row_id}{suffix}"


def _coerce_values(register: Register, change: RowChange, row: str,
                   problems: list[RowProblem]) -> dict[str, Any]:
    typed: dict[str, Any] = {}
    for name, raw in change.values.items():
        if name not in register.field_names:
            problems.append(RowProblem(row, name, "is not a field of this register"))
            continue
        spec = register.field(name)
        try:
            typed[name] = coerce(spec, raw)
        except InvalidValue as exc:
            problems.append(RowProblem(row, spec.label, str(exc)))
    if change.operation == "insert":
        for spec in register.fields:
            if spec.required and spec.name not in change.values:
                problems.append(RowProblem(row, spec.label, "is required"))
    return typed


def _missing_references(cur: duckdb.DuckDBPyConnection, register: Register,
                        typed_rows: Sequence[tuple[str, dict[str, Any]]]) -> list[RowProblem]:
    problems: list[RowProblem] = []
    for spec in register.fields:
        ref = spec.reference
        if ref is None:
            continue
        wanted = {vals[spec.name] for _, vals in typed_rows if vals.get(spec.name) is not None}
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
        for row, vals in typed_rows:
            value = vals.get(spec.name)
            if value is not None and value not in found:
                problems.append(RowProblem(row, spec.label, f"{value!r} is not an active "
                                           "person in the people directory" if spec.person
                                           else f"{value!r} does not exist"))
    return problems


def _duplicates(cur: duckdb.DuckDBPyConnection, register: Register, changes: list[RowChange],
                currents: list[dict[str, Any] | None],
                named: Sequence[tuple[str, dict[str, Any]]]) -> list[RowProblem]:
    """Rows that would share the register's unique key with another row of the batch or of
    the table; named here so the message names the row (the table's UNIQUE would not)."""
    key = register.unique_together
    if not key:
        return []
    where = register.field(key[-1]).label
    what = " and ".join(register.field(name).label for name in key)
    problems: list[RowProblem] = []
    candidates: dict[tuple[Any, ...], tuple[str, int | None]] = {}
    for change, current, (row, typed) in zip(changes, currents, named, strict=True):
        if change.operation == "delete" or not (change.operation == "insert"
                                                or set(key) & typed.keys()):
            continue
        values = tuple({**(current or {}), **typed}.get(name) for name in key)
        if None in values:
            continue
        if values in candidates:
            problems.append(RowProblem(row, where, f"repeats the {what} of "
                                                   f"{candidates[values][0]}"))
            continue
        candidates[values] = (row, (current or {}).get("id"))
    if not candidates:
        return problems
    columns = ", ".join(f'"{name}"' for name in key)
    struct = ", ".join(f'"{name}" {_sql_type(register, name)}' for name in key)
    taken = cur.execute(
        f'SELECT {columns}, id FROM "{register.table}" WHERE ({columns}) IN '
        f"(SELECT unnest(?::STRUCT({struct})[], recursive := true))",
        [[dict(zip(key, values, strict=True)) for values in candidates]]).fetchall()
    for *values, row_id in taken:
        row, own_id = candidates[tuple(values)]
        if row_id != own_id:
            problems.append(RowProblem(row, where, f"{register.label} {row_id} already has "
                                       f"this {what}; change that row instead"))
    return problems


def _sql_type(register: Register, name: str) -> str:
    return {"int": "BIGINT", "float": "DOUBLE", "bool": "BOOLEAN", "date": "DATE"}.get(
        register.field(name).kind, "VARCHAR")


def _last_changed_by(cur: duckdb.DuckDBPyConnection, table: str, row_id: int) -> str:
    found = cur.execute(
        "SELECT changed_by, changed_at FROM change_log WHERE table_name = ? AND row_id = ? "
        "ORDER BY id DESC LIMIT 1",
        [table, row_id],
    ).fetchone()
    return f" by {found[0]} at {found[1]:%Y-%m-%d %H:%M} UTC" if found else ""


def _next_id(cur: duckdb.DuckDBPyConnection, table: str) -> int:
    return cur.execute(f'SELECT coalesce(max(id), 0) + 1 FROM "{table}"').fetchone()[0]


class ChangeLog:
    """Appends change-history rows inside the caller's transaction."""

    def __init__(self, cur: duckdb.DuckDBPyConnection, who: str, when: datetime) -> None:
        self.cur, self.who, self.when = cur, who, when
        self.next_id = _next_id(cur, "change_log")

    def append(self, table: str, row_id: int, operation: Operation,
               before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
        self.cur.execute(
            "INSERT INTO change_log VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [self.next_id, table, row_id, operation, self.who, self.when,
             row_json(before), row_json(after)],
        )
        self.next_id += 1


def apply_changes(db: Database, table: str, changes: Iterable[RowChange], actor: Actor,
                  *, now: datetime | None = None, dry_run: bool = False) -> WriteResult:
    """Validate and write a batch of edits to one register, all or nothing."""
    return apply_batches(db, [(table, changes)], actor, now=now, dry_run=dry_run)


SettingsWrite = Callable[[duckdb.DuckDBPyConnection, ChangeLog], list[RowProblem]]


def apply_batches(db: Database, batches: Sequence[tuple[str, Iterable[RowChange]]],
                  actor: Actor, *, now: datetime | None = None,
                  also: SettingsWrite | None = None, dry_run: bool = False) -> WriteResult:
    """Edits to several registers in one transaction (e.g. a triage and its system).

    ``also`` writes non-register settings in the same transaction once the batches are
    valid; it logs through the given change log and returns problems to roll back on.
    ``dry_run`` does every check and write, reports the result (ids it would give), then
    rolls back: an import's preview says exactly what the real write would do.
    Changes the actor's role does not allow are refused (and logged in ``audit_events``).
    """
    batches = [(table, list(changes)) for table, changes in batches]
    result = WriteResult()
    if is_blank(actor.name):
        result.errors.append(RowProblem("This change", None,
                                        "has no author: pick your name in the sidebar first"))
        return result
    if not any(changes for _, changes in batches) and also is None:
        return result
    when = now or utc_now()
    refused: list[audit.Event] = []
    try:
        with db.transaction() as cur:
            who, problem = permissions.standing(cur, actor)
            if who is not None and also is not None:
                problem = permissions.settings_refusal(who)
            if problem:
                result.errors.append(RowProblem("This change", None, problem))
                refused.append(permissions.refused_event(actor, batches[0][0] if batches
                                                         else "settings", None, problem))
                raise _Abort
            inserted: list[list[int]] = []  # the ids each batch inserted, in order
            for table, changes in batches:
                before = len(result.inserted)
                _apply(cur, REGISTERS[table], [_with_ids(c, inserted) for c in changes], who,
                       when, result, refused)
                if not result.ok:
                    raise _Abort
                inserted.append(result.inserted[before:])
            if also is not None:
                result.errors.extend(also(cur, ChangeLog(cur, who.name, when)))
                if not result.ok:
                    raise _Abort
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    except _Abort:
        result.inserted.clear(), result.updated.clear(), result.deleted.clear()
        if refused:
            audit.record(db, *refused, when=when)
    except duckdb.ConstraintException as exc:
        result.inserted.clear(), result.updated.clear(), result.deleted.clear()
        result.errors.append(RowProblem("This batch", None, f"breaks a database rule: {exc}"))
    return result


def _with_ids(change: RowChange, inserted: list[list[int]]) -> RowChange:
    """``change`` with each :class:`InsertedId` replaced by the id that row received."""
    if not any(isinstance(v, InsertedId) for v in change.values.values()):
        return change
    values = {name: inserted[v.batch][v.insert] if isinstance(v, InsertedId) else v
              for name, v in change.values.items()}
    return RowChange(change.operation, values, change.row_id, change.expected_version,
                     change.label)


def _apply(cur: duckdb.DuckDBPyConnection, register: Register, changes: list[RowChange],
           who: permissions.Standing, when: datetime, result: WriteResult,
           refused: list[audit.Event]) -> None:
    table = register.table
    log = ChangeLog(cur, who.name, when)
    currents: list[dict[str, Any] | None] = []
    named: list[tuple[str, dict[str, Any]]] = []
    for position, change in enumerate(changes):
        current = None
        if change.operation != "insert":
            current = fetch_row(cur, table, int(change.row_id)) if change.row_id else None
            row = _row_name(register, change, current, position)
            if current is None:
                result.conflicts.append(RowProblem(row, None, "no longer exists: someone "
                                                   "else deleted it. Reload to see the register."))
            elif change.expected_version is not None and \
                    current["version"] != change.expected_version:
                by = _last_changed_by(cur, table, change.row_id)
                result.conflicts.append(RowProblem(
                    row, None, f"was changed by someone else{by} since you loaded it. "
                    "Your edit was not saved: reload and apply it again."))
        row = _row_name(register, change, current, position)
        typed = _coerce_values(register, change, row, result.errors)
        if change.operation == "insert" or current is not None:  # the one permission check
            problem = permissions.refusal(cur, register, change.operation, current, typed, who)
            if problem:
                result.errors.append(RowProblem(row, None, problem))
                refused.append(permissions.refused_event(who.actor, table, change.row_id,
                                                         f"{row}: {problem}"))
        for name in typed:
            if change.operation == "update" and not register.field(name).editable \
                    and current is not None and typed[name] != current.get(name):
                result.errors.append(RowProblem(row, register.field(name).label,
                                                "cannot be changed"))
        currents.append(current)
        named.append((row, typed))
    result.errors.extend(_missing_references(cur, register, named))
    result.errors.extend(_duplicates(cur, register, changes, currents, named))
    if not result.ok:
        return

    new_id = _next_id(cur, table)
    for change, current, (row, typed) in zip(changes, currents, named, strict=True):
        if change.operation == "delete":
            _delete(cur, register, change, current, row, log, result)
            continue
        merged = {**(current or {f.name: None for f in register.fields}), **typed}
        problems = _dates_out_of_order(register, merged)
        for rule in register.rules:
            problems += rule(cur, merged)
        for name, message in problems:
            result.errors.append(RowProblem(row, register.field(name).label, message))
        if change.operation == "insert":
            merged.update(id=new_id, version=1)
            new_id += 1
            columns = ["id", *register.field_names, "version"]
            cur.execute(
                f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES '
                f'({", ".join("?" for _ in columns)})',
                [merged.get(c) for c in columns],
            )
            after = fetch_row(cur, table, merged["id"])
            log.append(table, merged["id"], "insert", None, after)
            result.inserted.append(merged["id"])
        else:
            _update(cur, register, change, current, typed, row, log, result)


def _update(cur: duckdb.DuckDBPyConnection, register: Register, change: RowChange,
            current: dict[str, Any], typed: dict[str, Any], row: str, log: ChangeLog,
            result: WriteResult) -> None:
    diff = {k: v for k, v in typed.items() if current.get(k) != v}
    if not diff:
        return
    assignments = ", ".join(f'"{k}" = ?' for k in diff)
    count = cur.execute(
        f'UPDATE "{register.table}" SET {assignments}, version = version + 1 '
        "WHERE id = ? AND version = ?",
        [*diff.values(), current["id"], current["version"]],
    ).fetchone()[0]
    if count != 1:
        result.conflicts.append(RowProblem(row, None, "was changed while saving; reload"))
        return
    log.append(register.table, current["id"], "update", current,
               fetch_row(cur, register.table, current["id"]))
    result.updated.append(current["id"])


def _delete(cur: duckdb.DuckDBPyConnection, register: Register, change: RowChange,
            current: dict[str, Any], row: str, log: ChangeLog, result: WriteResult) -> None:
    if not register.allow_delete:
        result.errors.append(RowProblem(row, None, f"{register.label} rows cannot be deleted; "
                                        "history is kept (retire or close it instead)"))
        return
    for ref_table, ref_column in register.referenced_by:
        uses = cur.execute(f'SELECT count(*) FROM "{ref_table}" WHERE "{ref_column}" = ?',
                           [current["id"]]).fetchone()[0]
        if uses:
            result.errors.append(RowProblem(row, None, f"is still used by {uses} row(s) of "
                                            f"{ref_table}; remove those first"))
            return
    cur.execute(f'DELETE FROM "{register.table}" WHERE id = ? AND version = ?',
                [current["id"], current["version"]])
    log.append(register.table, current["id"], "delete", current, None)
    result.deleted.append(current["id"])
