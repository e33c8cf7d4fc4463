"""What a register holds: fields, types, allowed values, references and who owns a row.

This metadata drives validation in the write path and the column set-up of the editable
table, so a rule is stated once and holds everywhere. Each domain area declares its own
registers (``aims_core/<area>/registers.py``); :mod:`aims_core.records.registry` collects them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import duckdb

# "multi": a set of codes of ``choices``, stored as one text of codes in the order of
# ``choices`` joined by MULTI_SEPARATOR ("developer, provider"), so plain SQL can read it.
FieldKind = Literal["text", "int", "float", "bool", "date", "choice", "multi"]
MULTI_SEPARATOR = ", "
PERSON_NAME_LENGTH = 200
SHORT_TEXT_LENGTH = 300  # text limited to this many characters is one line (a name, a title)

Cursor = duckdb.DuckDBPyConnection
# A cross-field rule of a register: (cursor, the row as it would be saved) -> problems as
# (field name, message). The cursor reads inside the write's transaction (e.g. settings).
RowRule = Callable[[Cursor, dict[str, Any]], list[tuple[str, str]]]


@dataclass(frozen=True)
class Reference:
    """A value that must exist in another table's key column."""

    table: str
    column: str = "id"
    label_column: str | None = None


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: FieldKind = "text"
    required: bool = False
    choices: dict[str, str] | None = None  # stored code -> label shown to people
    min_value: float | None = None
    max_value: float | None = None
    max_length: int | None = 2000
    reference: Reference | None = None
    editable: bool = True
    help: str | None = None
    person: bool = False  # names a person (owner, approver, reviewer …): see person_field
    not_before: str | None = None  # a date field of the same row this date cannot precede
    not_after_today: bool = False  # a date that records what happened (cannot be in the future)
    # How text is checked (aims_core.records.validation); None derives it from the above:
    multiline: bool | None = None  # newlines and tabs allowed: long text (notes, descriptions)
    name_like: bool | None = None  # names a thing or person: no invisible or bidi characters

    @property
    def is_multiline(self) -> bool:
        """Long free text (over SHORT_TEXT_LENGTH, not a person or a reference) may span
        lines; everything else is one line."""
        if self.multiline is not None:
            return self.multiline
        return (self.kind == "text" and not self.person and self.reference is None
                and (self.max_length is None or self.max_length > SHORT_TEXT_LENGTH))

    @property
    def is_name(self) -> bool:
        """People, IDs (references), one-line text and a register's title name something:
        invisible and direction-changing characters are refused there (they make two
        different names look alike, or an empty one look filled)."""
        if self.name_like is not None:
            return self.name_like
        return self.kind in ("text", "choice") and (
            self.person or self.reference is not None or not self.is_multiline)


def split_codes(stored: str | None) -> list[str]:
    """The codes of a stored ``multi`` value (empty for None)."""
    return [part.strip() for part in (stored or "").split(",") if part.strip()]


# Person fields hold a name from the people directory (``people.name``); the write path
# accepts only active people, whose names this view lists.
PEOPLE_REF = Reference("active_people", "name", "name")


def person_field(name: str, label: str, *, required: bool = False, editable: bool = True,
                 help: str | None = None) -> Field:
    """A field that names a person (owner, approver, reviewer, auditor, chair …).

    Every such field is declared through this one factory, so the rules for people (picked
    from and validated against the people directory, adopted into it when a file is opened,
    "my items") are stated once for all registers.
    """
    return Field(name, label, "text", required=required, max_length=PERSON_NAME_LENGTH,
                 reference=PEOPLE_REF, editable=editable, help=help, person=True)


@dataclass(frozen=True)
class Register:
    table: str
    label: str  # singular, for messages: "AI system"
    title_field: str  # names a row in messages
    fields: tuple[Field, ...]
    allow_delete: bool = False
    referenced_by: tuple[tuple[str, str], ...] = field(default=())  # (table, column)
    unique_together: tuple[str, ...] = ()  # no two rows share these values (a table UNIQUE)
    owner_field: str | None = None  # the person field whose person owns the row ("my items")
    # A child row (a link, an acceptance, a KPI value …) is owned by the owner of the row its
    # reference field ``owned_through`` points to, e.g. "risk_id" for a risk's acceptances.
    owned_through: str | None = None
    # A person field naming who approved the row: it may not name the row's owner, and the
    # owner may not record it (segregation of duties, e.g. residual-risk acceptance).
    approver_field: str | None = None
    # The lowest app role that may change every row (Contributors change the rows they own).
    edit_role: str = "aims_manager"
    rules: tuple[RowRule, ...] = ()  # cross-field rules checked on every insert and update
    # Rules about a change rather than a state (e.g. a signed record is locked): checked on
    # every insert and update through the write path, never over a stored table (an import
    # or a restore brings states, in which a locked record is simply there).
    change_rules: tuple[RowRule, ...] = ()
    # A record of the management system itself, which people bring in (the spreadsheet
    # import offers it) and work on ("My work" lists the rows they own). False for records
    # the app derives (approval snapshots, triage answers) or keeps for its own operation
    # (API tokens, reminder settings, import layouts).
    importable: bool = True

    def __post_init__(self) -> None:
        # The title names a row in every message, so it follows the rules for names.
        fields = tuple(replace(f, name_like=True) if f.name == self.title_field
                       and f.kind == "text" and f.name_like is None else f for f in self.fields)
        object.__setattr__(self, "fields", fields)
        object.__setattr__(self, "_by_name", {f.name: f for f in fields})
        object.__setattr__(self, "required_names", frozenset(f.name for f in fields
                                                             if f.required))

    def field(self, name: str) -> Field:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"{self.table} has no field {name!r}") from None

    def has_field(self, name: object) -> bool:
        return name in self._by_name

    @property
    def field_names(self) -> list[str]:
        return list(self._by_name)

    @property
    def ordered_dates(self) -> tuple[Field, ...]:
        """The date fields that declare a date they cannot precede (``not_before``)."""
        return tuple(f for f in self.fields if f.not_before)


# References to the catalogue and the inventory that many registers share.
AI_SYSTEM_REF = Reference("ai_systems", "id", "name")
CONTROL_REF = Reference("controls", "control_id", "title")
