"""From a mapped spreadsheet to a dry run, and from a confirmed dry run to one transaction.

Rows match existing records by the ``id`` column when it is mapped, else by the register's
unique key (e.g. the SoA's control), else by its title (e.g. an AI system's name, ignoring
case). The dry run lists every row that would be added or changed (field by field) and every
refusal with its row and field: each value is coerced as the write path would, and the
remaining rows go through the write path itself in a transaction that is rolled back, so the
preview refuses exactly what the real import would. Nothing is written until ``commit``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from aims_core.auth.actor import Actor
from aims_core.data_import.mapping import (
    ID_FIELD,
    ColumnMap,
    ValueMap,
    labels_by_name,
    mappable,
    options,
    resolve,
    their_values,
)
from aims_core.data_import.sheets import Sheet
from aims_core.records.fields import Field, Register
from aims_core.records.registry import REGISTERS
from aims_core.records.validation import InvalidValue, coerce, is_blank
from aims_core.records.writes import RowChange, RowProblem, WriteResult, apply_changes
from aims_core.storage.database import Database
from aims_core.storage.spreadsheets import FORMULA_START

Progress = Callable[[float, str], None]
CHUNK = 500


@dataclass
class PlannedRow:
    row: str  # "row 7": the spreadsheet's own row number
    operation: str  # insert | update
    row_id: int | None
    values: dict[str, Any]  # typed, by field name
    before: dict[str, Any] = field(default_factory=dict)  # updates: the fields' old values


@dataclass
class ImportPlan:
    table: str
    rows: int
    planned: list[PlannedRow] = field(default_factory=list)
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    changes: list[RowChange] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def to_add(self) -> list[PlannedRow]:
        return [p for p in self.planned if p.operation == "insert"]

    @property
    def to_change(self) -> list[PlannedRow]:
        return [p for p in self.planned if p.operation == "update"]

    def refused_rows(self) -> list[str]:
        return list(dict.fromkeys(p.row for p in self.problems))


def match_key(register: Register, mapping: ColumnMap) -> tuple[str, ...]:
    """The fields that find a row's existing record (empty: every row is new)."""
    mapped = {t for t in mapping.values() if t}
    if ID_FIELD in mapped:
        return (ID_FIELD,)
    if register.unique_together and set(register.unique_together) <= mapped:
        return register.unique_together
    title = register.field(register.title_field) if register.title_field in \
        register.field_names else None
    if title is not None and title.name in mapped and title.kind in ("text", "choice"):
        return (title.name,)
    return ()


def _clean_text(value: Any, counts: dict[str, int]) -> Any:
    """Undo our exports' formula defusing ("'=x" back to "=x"); count formula-like text."""
    if isinstance(value, str):
        if value.startswith("'") and value[1:].startswith(FORMULA_START):
            counts["undefused"] += 1
            return value[1:]
        if value.startswith(FORMULA_START):
            counts["formula_like"] += 1
    return value


class _Resolver:
    """Typed values of one register's fields, with the person's value mapping applied."""

    def __init__(self, db: Database, register: Register, mapping: ColumnMap,
                 values: ValueMap) -> None:
        self.register, self.values = register, values
        self.options: dict[str, dict[Any, str]] = {}
        self.labels: dict[str, dict[str, Any]] = {}
        for target in mapping.values():
            if target and target != ID_FIELD and mappable(register.field(target)):
                self.options[target] = options(db, register.field(target))
                self.labels[target] = labels_by_name(self.options[target])

    def typed(self, spec: Field, raw: Any) -> Any:
        if is_blank(raw):
            return coerce(spec, raw)
        text = str(raw).strip()
        mapped = self.values.get(spec.name, {})
        if spec.kind == "multi":  # each of the cell's values mapped on its own
            return coerce(spec, [mapped.get(part, part) for part in their_values(spec, raw)])
        if text in mapped:
            return coerce(spec, mapped[text]) if spec.reference is None else mapped[text]
        if spec.name in self.options:
            return resolve(self.options[spec.name], spec, raw, self.labels[spec.name])
        return coerce(spec, raw)


def _existing(db: Database, register: Register, key: tuple[str, ...],
              wanted: list[tuple[Any, ...]]) -> dict[tuple[Any, ...], list[dict[str, Any]]]:
    """Existing rows whose key is among ``wanted`` (titles compared without case)."""
    if not key or not wanted:
        return {}
    by_title = key != (ID_FIELD,) and len(key) == 1 and key[0] == register.title_field
    column = f'lower(trim(CAST("{key[0]}" AS VARCHAR)))' if by_title else None
    if len(key) == 1:
        expression = column or f'"{key[0]}"'
        values = [(str(w[0]).strip().lower() if by_title else w[0]) for w in wanted]
        frame = db.query_df(f'SELECT * FROM "{register.table}" WHERE {expression} IN '
                            "(SELECT unnest(?))", [values])
    else:
        frame = db.query_df(f'SELECT * FROM "{register.table}"')
    found: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for row in frame.to_dict("records"):
        row = {k: (None if _missing(v) else _plain(v)) for k, v in row.items()}
        found.setdefault(_key_of(row, key, by_title), []).append(row)
    return found


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _plain(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.date()
    if hasattr(value, "item"):
        return value.item()
    return value


def _key_of(values: dict[str, Any], key: tuple[str, ...], by_title: bool) -> tuple[Any, ...]:
    if by_title:
        return (str(values.get(key[0]) or "").strip().lower(),)
    return tuple(values.get(k) for k in key)


def plan_import(db: Database, table: str, sheet: Sheet, mapping: ColumnMap,
                values: ValueMap, actor: Actor, *, blanks_clear: bool = False,
                progress: Progress | None = None) -> ImportPlan:
    """The dry run: what importing ``sheet`` with this mapping would add, change and refuse."""
    register = REGISTERS[table]
    report = ImportPlan(table, len(sheet.frame), notes=list(sheet.notes))
    columns = {target: header for header, target in mapping.items() if target}
    key = match_key(register, mapping)
    by_title = key != (ID_FIELD,) and len(key) == 1 and key[0] == register.title_field
    resolver = _Resolver(db, register, mapping, values)
    counts = {"undefused": 0, "formula_like": 0}
    typed_rows: list[tuple[str, dict[str, Any], set[str]]] = []
    raw_rows = sheet.frame.to_dict("records")
    for position, raw in enumerate(raw_rows):
        if progress and position % CHUNK == 0:
            progress(0.7 * position / max(1, len(raw_rows)),
                     f"Checking row {position + 1} of {len(raw_rows)}")
        label = f"row {sheet.row_numbers[position]}"
        typed: dict[str, Any] = {}
        blank: set[str] = set()
        bad = False
        for target, header in columns.items():
            cell = _clean_text(raw[header], counts)
            if (position, header) in sheet.formulas:
                report.problems.append(RowProblem(label, _label(register, target),
                                                  "is a formula whose result was never saved:"
                                                  " open and save the file in Excel first"))
                bad = True
                continue
            if target == ID_FIELD:
                try:
                    typed[ID_FIELD] = None if is_blank(cell) else \
                        coerce(Field(ID_FIELD, "ID", "int", min_value=1), cell)
                except InvalidValue as exc:
                    report.problems.append(RowProblem(label, "ID", str(exc)))
                    bad = True
                continue
            spec = register.field(target)
            if is_blank(cell):
                blank.add(target)
            try:
                typed[target] = resolver.typed(spec, cell)
            except InvalidValue as exc:
                hint = " (map it on the values step)" if mappable(spec) and \
                    not is_blank(cell) else ""
                report.problems.append(RowProblem(label, spec.label, f"{exc}{hint}"))
                bad = True
        if not bad:
            typed_rows.append((label, typed, blank))
    if counts["undefused"]:
        report.notes.append(f"{counts['undefused']} cell(s) began with the apostrophe that "
                            "exports add before = + - @; it was removed, as exported.")
    if counts["formula_like"]:
        report.notes.append(f"{counts['formula_like']} text cell(s) begin with = + - or @: "
                            "they are kept as text and defused again in every export.")
    _match(db, register, key, by_title, typed_rows, blanks_clear, report)
    if progress:
        progress(0.75, "Checking with the register's rules (nothing is saved)")
    if report.changes:
        dry = apply_changes(db, table, report.changes, actor, dry_run=True)
        report.problems += dry.errors + dry.conflicts
    report.problems.sort(key=lambda p: (_number(p.row), p.field or ""))
    if progress:
        progress(1.0, "Dry run complete")
    return report


def _number(row: str) -> int:
    tail = row.rsplit(" ", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def _label(register: Register, name: str) -> str:
    return "ID" if name == ID_FIELD else register.field(name).label


def _match(db: Database, register: Register, key: tuple[str, ...], by_title: bool,
           typed_rows: list[tuple[str, dict[str, Any], set[str]]], blanks_clear: bool,
           report: ImportPlan) -> None:
    wanted = [_key_of(t, key, by_title) for _, t, _ in typed_rows
              if key and all(t.get(k) is not None for k in key)]
    existing = _existing(db, register, key, list(dict.fromkeys(wanted)))
    seen: dict[tuple[Any, ...], str] = {}
    for label, typed, blank in typed_rows:
        values = {k: v for k, v in typed.items() if k != ID_FIELD}
        row_key = _key_of(typed, key, by_title) if key else None
        if row_key is not None and None not in row_key and row_key != ("",):
            if row_key in seen:
                what = "ID" if key == (ID_FIELD,) else " and ".join(
                    register.field(k).label for k in key)
                report.problems.append(RowProblem(label, _label(register, key[-1]),
                                                  f"repeats the {what} of {seen[row_key]}"))
                continue
            seen[row_key] = label
        matches = existing.get(row_key, []) if row_key is not None else []
        if len(matches) > 1:
            report.problems.append(RowProblem(label, _label(register, key[0]),
                                              f"matches {len(matches)} {register.label} "
                                              "records: add an id column to say which"))
            continue
        if not matches:
            if key == (ID_FIELD,) and typed.get(ID_FIELD) is not None:
                report.problems.append(RowProblem(label, "ID", f"no {register.label} has the "
                                                  f"id {typed[ID_FIELD]}; leave it empty to "
                                                  "add the row"))
                continue
            values = {k: v for k, v in values.items() if v is not None}
            report.planned.append(PlannedRow(label, "insert", None, values))
            report.changes.append(RowChange("insert", values, label=label))
            continue
        current = matches[0]
        diff = {k: v for k, v in values.items() if (blanks_clear or k not in blank)
                and current.get(k) != v}
        if not diff:
            report.unchanged += 1
            continue
        report.planned.append(PlannedRow(label, "update", current["id"], diff,
                                         {k: current.get(k) for k in diff}))
        report.changes.append(RowChange("update", diff, row_id=current["id"],
                                        expected_version=current["version"], label=label))


def commit(db: Database, plan: ImportPlan, actor: Actor) -> WriteResult:
    """Write a dry-run plan in one transaction through the write path (all or nothing; a
    row someone changed since the dry run is reported as a conflict)."""
    if not plan.ok:
        return WriteResult(errors=list(plan.problems))
    return apply_changes(db, plan.table, plan.changes, actor)
