"""Whole tables checked against the rules the write path applies to each row: for imports
and restores, where millions of rows arrive at once.

The value rules come from the same field metadata as :func:`aims_core.records.validation.coerce`
(lengths, characters, choices, ranges, the date window, "not in the future", date order,
references, required fields) and are checked in SQL, one query per rule; the rows a rule
flags get their message from ``coerce`` itself, so an import and the grid say the same
thing. Cross-field rules (``Register.rules``) run per row. Settings that are not registers
(the risk method, re-validation tiers, metadata) are checked by the functions each area
lists in ``<area>/settings_checks.py``. A problem names the table, the row and the field.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb

from aims_core.inventory import settings_checks as inventory_settings
from aims_core.records.fields import MULTI_SEPARATOR, Field, Reference, Register
from aims_core.records.registry import REGISTERS
from aims_core.records.validation import (
    DATE_MAX,
    DATE_MIN,
    FLOAT_LIMIT,
    InvalidValue,
    coerce,
    forbidden_text_sql,
)
from aims_core.records.writes import RowProblem, unique_keys
from aims_core.risk import settings_checks as risk_settings
from aims_core.storage.database import Database

Cursor = duckdb.DuckDBPyConnection
SettingsCheck = Callable[[Cursor], list[RowProblem]]
# Every area's checks of its settings tables (not registers): add an area's tuple here.
SETTINGS_CHECKS: tuple[SettingsCheck, ...] = (*risk_settings.SETTINGS_CHECKS,
                                              *inventory_settings.SETTINGS_CHECKS)
SHOWN_PER_RULE = 5  # rows named per broken rule; the count says how many more
PEOPLE_ON_RECORD = Reference("people", "name")  # everyone in the directory, active or not


@dataclass(frozen=True)
class _Rule:
    field: Field
    bad_when: str  # SQL over the table's columns, true for a row that breaks the rule
    params: tuple[Any, ...] = ()
    message: str | None = None  # None: coerce() explains the value


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _value_rules(register: Register, today: date) -> Iterator[_Rule]:
    for spec in register.fields:
        column = _quoted(spec.name)
        if spec.required:
            yield _Rule(spec, f"{column} IS NULL", message="is required")
        if spec.kind in ("text", "choice"):
            if spec.max_length is not None:
                yield _Rule(spec, f"length({column}) > ?", (spec.max_length,))
            yield _Rule(spec, f"regexp_matches({column}, ?)", (forbidden_text_sql(spec),))
        if spec.kind == "choice" and spec.choices:
            yield _Rule(spec, f"{column} NOT IN (SELECT unnest(?::VARCHAR[]))",
                        (list(spec.choices),))
        if spec.kind == "multi" and spec.choices:
            # codes of the list, each once, in the choices' order, as the write path stores
            parts = f"list_transform(string_split({column}, ','), lambda p: trim(p))"
            yield _Rule(spec, f"{column} = '' OR {column} <> array_to_string(list_filter("
                              f"?::VARCHAR[], lambda c: list_contains({parts}, c)), ?)",
                        (list(spec.choices), MULTI_SEPARATOR))
        if spec.kind == "float":
            yield _Rule(spec, f"NOT isfinite({column}) OR abs({column}) > ?", (FLOAT_LIMIT,))
        if spec.kind in ("int", "float"):
            if spec.min_value is not None:
                yield _Rule(spec, f"{column} < ?", (spec.min_value,))
            if spec.max_value is not None:
                yield _Rule(spec, f"{column} > ?", (spec.max_value,))
        if spec.kind == "date":
            yield _Rule(spec, f"{column} < ? OR {column} > ?", (DATE_MIN, DATE_MAX))
            if spec.not_after_today:
                yield _Rule(spec, f"{column} > ?", (today,),
                            f"is in the future (after {today:%Y-%m-%d}): it records what "
                            "happened")
        if spec.not_before:
            other = register.field(spec.not_before)
            yield _Rule(spec, f"{column} < {_quoted(other.name)}",
                        message=f"cannot be before {other.label.lower()}")
        if spec.reference is not None:
            # Rows already stored may name people no longer active (a new value may not).
            ref = PEOPLE_ON_RECORD if spec.person else spec.reference
            yield _Rule(spec, f"{column} IS NOT NULL AND {column} NOT IN "
                              f"(SELECT {_quoted(ref.column)} FROM {_quoted(ref.table)} "
                              f"WHERE {_quoted(ref.column)} IS NOT NULL)",
                        message="does not exist in " + ref.table.replace("_", " "))


def _row_label(register: Register, row_id: Any, title: Any) -> str:
    suffix = f" ('{title}')" if title not in (None, "") else ""
    return f"{register.table} row {row_id}{suffix}"


def _title_sql(register: Register) -> str:
    return f"CAST({_quoted(register.title_field)} AS VARCHAR)" \
        if register.title_field in register.field_names else "NULL"


def _flagged(cur: Cursor, register: Register, rule: _Rule) -> list[RowProblem]:
    table, title = _quoted(register.table), _title_sql(register)
    column = _quoted(rule.field.name)
    where = f"coalesce(({rule.bad_when}), FALSE)"
    total = cur.execute(f"SELECT count(*) FROM {table} WHERE {where}",
                        list(rule.params)).fetchall()[0][0]
    if not total:
        return []
    rows = cur.execute(f"SELECT id, {title}, {column} FROM {table} WHERE {where} ORDER BY id "
                       f"LIMIT {SHOWN_PER_RULE}", list(rule.params)).fetchall()
    problems = [RowProblem(_row_label(register, row_id, name), rule.field.label,
                           rule.message or _explain(rule.field, value))
                for row_id, name, value in rows]
    if total > len(rows):
        problems.append(RowProblem(f"{register.table}, {total - len(rows)} more rows",
                                   rule.field.label, "break the same rule"))
    return problems


def _explain(spec: Field, value: Any) -> str:
    try:
        coerce(spec, value)
    except InvalidValue as exc:
        return str(exc)
    return "is not allowed here"  # pragma: no cover - the SQL and coerce() share the rules


class _ReadOnce:
    """A cursor for cross-field rules over a whole table: while the table is checked
    nothing changes, so each distinct read (e.g. the matrix size) is run once."""

    def __init__(self, cur: Cursor) -> None:
        self._cur = cur
        self._seen: dict[tuple[str, str], list[tuple]] = {}
        self._rows: list[tuple] = []

    def execute(self, sql: str, params: Any = None) -> _ReadOnce:
        key = (sql, json.dumps(params, default=str))
        if key not in self._seen:
            self._seen[key] = self._cur.execute(sql, params or []).fetchall()
        self._rows = self._seen[key]
        return self

    def fetchall(self) -> list[tuple]:
        return list(self._rows)

    def fetchone(self) -> tuple | None:
        return self._rows[0] if self._rows else None


def _rule_problems(cur: Cursor, register: Register) -> list[RowProblem]:
    if not register.rules:
        return []
    result = cur.execute(f"SELECT * FROM {_quoted(register.table)} ORDER BY id")
    names = [d[0] for d in result.description]
    reader, problems, counted = _ReadOnce(cur), [], {}
    for values in result.fetchall():
        row = dict(zip(names, values, strict=True))
        for rule in register.rules:
            for name, message in rule(reader, row):
                label = register.field(name).label
                counted[label] = counted.get(label, 0) + 1
                if counted[label] <= SHOWN_PER_RULE:
                    problems.append(RowProblem(_row_label(register, row["id"],
                                                          row.get(register.title_field)),
                                               label, message))
    problems += [RowProblem(f"{register.table}, {n - SHOWN_PER_RULE} more rows", label,
                            "break the same rule")
                 for label, n in counted.items() if n > SHOWN_PER_RULE]
    return problems


def _key_problems(db: Database, cur: Cursor, register: Register) -> list[RowProblem]:
    problems = []
    for key in unique_keys(db, register):
        columns = ", ".join(_quoted(name) for name in key)
        repeated = cur.execute(
            f"SELECT {columns}, list(id ORDER BY id) FROM {_quoted(register.table)} "
            f"WHERE {' AND '.join(f'{_quoted(n)} IS NOT NULL' for n in key)} "
            f"GROUP BY ALL HAVING count(*) > 1 LIMIT {SHOWN_PER_RULE}").fetchall()
        what = " and ".join(register.field(name).label for name in key)
        problems += [RowProblem(f"{register.table} rows {', '.join(map(str, ids))}",
                                register.field(key[-1]).label, f"repeat the same {what}")
                     for *_, ids in repeated]
    return problems


def register_problems(db: Database, cur: Cursor, register: Register,
                      today: date) -> list[RowProblem]:
    """Every rule of the write path, over every row of one register's table."""
    problems = [RowProblem(_row_label(register, row_id, None), None,
                           "has no valid version (1 or more)")
                for (row_id,) in cur.execute(
                    f"SELECT id FROM {_quoted(register.table)} WHERE version IS NULL OR "
                    f"version < 1 ORDER BY id LIMIT {SHOWN_PER_RULE}").fetchall()]
    for rule in _value_rules(register, today):
        problems += _flagged(cur, register, rule)
    return problems + _key_problems(db, cur, register) + _rule_problems(cur, register)


def database_problems(db: Database, cur: Cursor, today: date) -> list[RowProblem]:
    """Every register and every setting, as the pages would accept them (``cur`` may be
    inside the transaction that loaded them)."""
    problems: list[RowProblem] = []
    for register in REGISTERS.values():
        problems += register_problems(db, cur, register, today)
    for check in SETTINGS_CHECKS:
        problems += check(cur)
    return problems
