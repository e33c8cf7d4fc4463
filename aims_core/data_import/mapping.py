"""Which of their headers goes to which of our fields, and which of their values means which
of our choices: suggested from the register's metadata (names, labels, choice labels,
referenced records), confirmed by the person, remembered per file layout."""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from aims_core.auth.actor import Actor
from aims_core.records.export import VERSION_HEADER
from aims_core.records.fields import Field, Register
from aims_core.records.naming import reference_label
from aims_core.records.registry import REGISTERS
from aims_core.records.validation import InvalidValue, coerce, is_blank
from aims_core.records.writes import RowChange, WriteResult, apply_changes
from aims_core.storage.database import Database

ColumnMap = dict[str, str | None]  # their header -> our field name (None: not imported)
ValueMap = dict[str, dict[str, Any]]  # field name -> {their value: our code or id}
ID_FIELD = "id"


def normalise(text: object) -> str:
    return re.sub(r"[^0-9a-z]+", " ", str(text).lower()).strip()


def importable() -> dict[str, Register]:
    """Every register the import offers (see ``Register.importable``)."""
    return {t: r for t, r in REGISTERS.items() if r.importable}


def layout_key(headers: list[str]) -> str:
    """The same headers (in any case and spacing, in the same order) are the same layout."""
    return hashlib.sha256("\x1f".join(normalise(h) for h in headers).encode()).hexdigest()[:32]


def _names_of(spec: Field) -> list[str]:
    label = spec.label
    return [normalise(n) for n in (spec.name, spec.name.replace("_id", ""), label,
                                   re.sub(r"\(.*?\)", "", label)) if normalise(n)]


def suggest_columns(register: Register, headers: list[str]) -> ColumnMap:
    """Each header's likely field: the same name or label, else a close one; each field
    once. ``id`` goes to the row id (to update rows exported from the app)."""
    choices: dict[str, str] = {normalise(ID_FIELD): ID_FIELD}
    for spec in register.fields:
        for name in _names_of(spec):
            choices.setdefault(name, spec.name)
    mapping: ColumnMap = dict.fromkeys(headers)
    taken: set[str] = set()
    for header in headers:  # exact names first; our exports' record version is no field
        target = None if header == VERSION_HEADER else choices.get(normalise(header))
        if target and target not in taken:
            mapping[header], taken = target, taken | {target}
    for header in headers:
        if mapping[header] is not None or header == VERSION_HEADER:
            continue
        close = difflib.get_close_matches(normalise(header), list(choices), n=3, cutoff=0.75)
        target = next((choices[c] for c in close if choices[c] not in taken), None)
        if target:
            mapping[header], taken = target, taken | {target}
    return mapping


def mapping_problems(register: Register, mapping: ColumnMap) -> list[str]:
    """What stops a mapping: two headers to one field, unknown fields, nothing mapped."""
    problems: list[str] = []
    by_field: dict[str, list[str]] = {}
    for header, target in mapping.items():
        if target is None:
            continue
        if target != ID_FIELD and target not in register.field_names:
            problems.append(f"'{header}' goes to {target!r}, which is not a field of "
                            f"{register.label}")
            continue
        by_field.setdefault(target, []).append(header)
    for target, headers in by_field.items():
        if len(headers) > 1:
            label = "ID" if target == ID_FIELD else register.field(target).label
            problems.append(f"{' and '.join(repr(h) for h in headers)} all go to {label}: "
                            "keep one and set the others to 'not imported'")
    if not by_field:
        problems.append("no column is mapped to a field yet")
    return problems


def unmapped_required(register: Register, mapping: ColumnMap) -> list[str]:
    mapped = {t for t in mapping.values() if t}
    return [s.label for s in register.fields if s.required and s.name not in mapped]


# --- values -------------------------------------------------------------------------------
def options(db: Database, spec: Field) -> dict[Any, str]:
    """Our values a field takes, with their labels (choices, yes/no, referenced records)."""
    if spec.choices:
        return dict(spec.choices)
    if spec.kind == "bool":
        return {True: "Yes", False: "No"}
    ref = spec.reference
    if ref is not None and ref.label_column:
        rows = db.query_rows(f'SELECT "{ref.column}", CAST("{ref.label_column}" AS VARCHAR) '
                             f'FROM "{ref.table}" ORDER BY 2')
        return {key: reference_label(key, label, ref.column) for key, label in rows}
    return {}


def mappable(spec: Field) -> bool:
    """Fields whose values come from a list (and so can be mapped value by value)."""
    return bool(spec.choices) or spec.kind == "bool" or \
        (spec.reference is not None and spec.reference.label_column is not None)


_AMBIGUOUS = object()


def labels_by_name(db_options: dict[Any, str]) -> dict[str, Any]:
    """Referenced records by their name alone; a name several records share is ambiguous."""
    out: dict[str, Any] = {}
    for key, label in db_options.items():
        name = normalise(label.removeprefix(f"#{key} ").removeprefix(f"{key} "))
        out[name] = _AMBIGUOUS if name in out and out[name] != key else key
    return out


def _by_key(db_options: dict[Any, str], text: str, column: str) -> Any:
    """The record a text names by its key: ``#7 …`` (ids), ``A.2.2 …`` (codes) or the bare
    key."""
    keys = {str(k).lower(): k for k in db_options}
    lowered = text.lower()
    if lowered in keys:
        return keys[lowered]
    if lowered.endswith(".0") and lowered[:-2] in keys:  # 7.0 from a spreadsheet cell
        return keys[lowered[:-2]]
    first = lowered.split(maxsplit=1)[0] if lowered.split() else ""
    if first.startswith("#") and first[1:] in keys:
        return keys[first[1:]]
    if first in keys and column != "id":  # a catalogue code followed by its title
        return keys[first]
    return None


def resolve(db_options: dict[Any, str], spec: Field, raw: Any,
            labels: dict[str, Any] | None = None) -> Any:
    """Our value for ``raw`` without any mapping (a code, a label, a referenced record's key
    or name), or :class:`InvalidValue`."""
    if spec.reference is not None and spec.reference.label_column:
        text = str(raw).strip()
        key = _by_key(db_options, text, spec.reference.column)
        if key is not None:
            return key
        found = (labels if labels is not None else labels_by_name(db_options)).get(
            normalise(text))
        if found is _AMBIGUOUS:
            raise InvalidValue(f"{text!r} names several records of {spec.label.lower()}: "
                               "write it with its key as exports do (e.g. '#7 Name')")
        if found is None:
            raise InvalidValue(f"{text!r} is not a {spec.label.lower()} in the register")
        return found
    if spec.choices and isinstance(raw, str):  # a code in other letter case: "Minimal"
        codes = {code.lower(): code for code in spec.choices}
        raw = codes.get(raw.strip().lower(), raw)
    return coerce(spec, [raw] if spec.kind == "multi" else raw)  # one of a cell's values


def their_values(spec: Field, raw: Any) -> list[str]:
    """The values one cell holds: a cell of a ``multi`` field lists several, each mapped on
    its own. Our exports join labels with semicolons (labels may hold commas); a cell without
    one is split at commas, unless it is one of our codes or labels whole."""
    text = str(raw).strip()
    if spec.kind != "multi":
        return [text]
    ours = {v.casefold() for pair in (spec.choices or {}).items() for v in pair}
    if text.casefold() in ours:
        return [text]
    separator = ";" if ";" in text else ","
    return [part.strip() for part in text.split(separator) if part.strip()]


def their_value_counts(spec: Field, column: pd.Series) -> Counter[str]:
    """How many times each of their values occurs in a column, in order of appearance."""
    return Counter(value for cell in column if not is_blank(cell)
                   for value in their_values(spec, cell))


def unknown_values(db: Database, spec: Field, column: pd.Series) -> list[str]:
    """The distinct values of a column that resolve to none of our values."""
    choices = options(db, spec)
    labels = labels_by_name(choices)
    unknown: list[str] = []
    for raw in their_value_counts(spec, column):
        try:
            resolve(choices, spec, raw, labels)
        except InvalidValue:
            unknown.append(raw)
    return unknown


def suggest_value(choices: dict[Any, str], raw: str) -> Any:
    """Our likely value for one of theirs: a code or label it starts, else a close label."""
    wanted = normalise(raw)
    if not wanted:
        return None
    labels = {key: normalise(label) for key, label in choices.items()}
    starts = [k for k, label in labels.items()
              if label.startswith(wanted) or normalise(k).startswith(wanted)]
    if len(starts) == 1:
        return starts[0]
    words = [k for k, label in labels.items() if set(wanted.split()) & set(label.split())]
    if len(words) == 1:
        return words[0]
    close = difflib.get_close_matches(wanted, list(labels.values()), n=1, cutoff=0.6)
    return next((k for k, label in labels.items() if close and label == close[0]), None)


# --- remembered layouts -------------------------------------------------------------------
@dataclass(frozen=True)
class Layout:
    columns: ColumnMap
    values: ValueMap = field(default_factory=dict)
    saved_by: str | None = None
    saved_on: date | None = None


def remembered(db: Database, table: str, headers: list[str]) -> Layout | None:
    found = db.query_rows("SELECT column_map_json, value_map_json, saved_by, saved_on FROM "
                          "import_layouts WHERE register = ? AND layout_key = ?",
                          [table, layout_key(headers)])
    if not found:
        return None
    columns = {h: t for h, t in json.loads(found[0][0]).items() if h in headers}
    values = json.loads(found[0][1])
    return Layout(columns, values, found[0][2], found[0][3])


def remember(db: Database, actor: Actor, table: str, headers: list[str], columns: ColumnMap,
             values: ValueMap, today: date | None = None) -> WriteResult:
    """Save the mapping of this layout through the write path (create or replace)."""
    key = layout_key(headers)
    record = {"headers_json": json.dumps(headers, ensure_ascii=False),
              "column_map_json": json.dumps(columns, ensure_ascii=False),
              "value_map_json": json.dumps(values, ensure_ascii=False, default=str),
              "saved_by": actor.name, "saved_on": today or date.today()}
    found = db.query_rows("SELECT id, version FROM import_layouts WHERE register = ? AND "
                          "layout_key = ?", [table, key])
    change = RowChange("insert", {"register": table, "layout_key": key, **record},
                       label="The layout") if not found else \
        RowChange("update", record, row_id=found[0][0], expected_version=found[0][1],
                  label="The layout")
    return apply_changes(db, "import_layouts", [change], actor)
