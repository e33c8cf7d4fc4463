"""The people directory: who can be named in a register, and who signs in as whom.

Every person field of every register (declared with ``person_field``) holds the name of a
person in ``people``. Files written before the directory existed, and registers added later
with names typed freely, are brought in by :func:`adopt_names`, which runs each time a file is
opened: every name no person has yet becomes a person, and spellings that differ only in case
or spacing are merged into one (each changed row logged in ``change_log``, each merge in
``audit_events``). It is idempotent: a second run finds nothing to do.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from aims_core.auth import audit
from aims_core.auth.actor import Actor
from aims_core.auth.registers import name_key
from aims_core.auth.roles import FIRST_SIGN_IN_ROLE
from aims_core.records.registry import REGISTERS
from aims_core.records.writes import ChangeLog, RowChange, WriteResult, apply_changes, fetch_row
from aims_core.storage.database import Database, utc_now

ADOPTER = "people directory"  # the author of adoption changes in the change history
ADOPTED_ROLE = "viewer"  # people found in the registers sign in only once an admin says so


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    email: str | None
    active: bool
    role: str
    sign_in: str


def _person(row: tuple | None) -> Person | None:
    return None if row is None else Person(int(row[0]), row[1], row[2], bool(row[3]), row[4],
                                           row[5])


_COLUMNS = "id, name, email, active, role, sign_in"


def get(db: Database, person_id: int) -> Person | None:
    return _person(next(iter(db.query_rows(f"SELECT {_COLUMNS} FROM people WHERE id = ?",
                                           [person_id])), None))


def by_name(db: Database, name: str) -> Person | None:
    """The person of ``name``, ignoring case and spacing."""
    key = name_key(name)
    for row in db.query_rows(f"SELECT {_COLUMNS} FROM people ORDER BY id"):
        if name_key(row[1]) == key:
            return _person(row)
    return None


def by_email(db: Database, email: str) -> Person | None:
    return _person(next(iter(db.query_rows(
        f"SELECT {_COLUMNS} FROM people WHERE lower(email) = lower(?)", [email.strip()])), None))


def active_names(db: Database) -> list[str]:
    """Names a person field may take, alphabetically."""
    return [r[0] for r in db.query_rows("SELECT name FROM active_people ORDER BY lower(name)")]


def active_count(db: Database) -> int:
    """How many names a person field may take."""
    return int(db.scalar("SELECT count(*) FROM active_people"))


def count(db: Database) -> int:
    return int(db.scalar("SELECT count(*) FROM people"))


def directory(db: Database) -> pd.DataFrame:
    """Every person with their last sign-in and whether a local password is set."""
    return db.query_df(
        """SELECT p.*, l.person_id IS NOT NULL AS has_password,
                  (SELECT max(occurred_at) FROM audit_events e
                   WHERE e.person_id = p.id AND e.event = 'sign_in') AS last_sign_in
           FROM people p LEFT JOIN local_accounts l ON l.person_id = p.id
           ORDER BY lower(p.name)""")


def add(db: Database, actor: Actor, name: str, *, email: str | None = None,
        role: str = ADOPTED_ROLE, sign_in: str = "none", active: bool = True) -> WriteResult:
    """Add one person through the write path (validated, logged)."""
    return apply_changes(db, "people", [RowChange("insert", {
        "name": name, "email": email, "active": active, "role": role, "sign_in": sign_in},
        label=f"Person '{name}'")], actor)


def update(db: Database, actor: Actor, person_id: int, **values: object) -> WriteResult:
    """Change one person (email, role, sign-in, active) through the write path."""
    version = db.scalar("SELECT version FROM people WHERE id = ?", [person_id])
    return apply_changes(db, "people", [RowChange("update", dict(values), row_id=person_id,
                                                  expected_version=version)], actor)


def first_sign_in(db: Database, email: str, name: str | None) -> WriteResult:
    """Create the person of an identity-provider user seen for the first time: a Viewer
    until an Admin grants more (never more by default)."""
    shown = " ".join((name or "").split()) or email.split("@")[0]
    if by_name(db, shown) is not None:  # a namesake without this email: keep both apart
        shown = f"{shown} ({email})"
    return add(db, Actor("sign-in (identity provider)", "admin", "app"), shown,
               email=email.strip(), role=FIRST_SIGN_IN_ROLE, sign_in="oidc")


# --- adoption of free-typed names -------------------------------------------------------

@dataclass
class Adoption:
    """What one run of :func:`adopt_names` did."""

    added: list[str] = field(default_factory=list)
    merged: dict[str, list[str]] = field(default_factory=dict)  # canonical -> spellings
    rows_changed: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.rows_changed)


def person_columns(tables: set[str]) -> list[tuple[str, str]]:
    """(table, column) of every person field of every register whose table exists."""
    return [(register.table, spec.name) for register in REGISTERS.values()
            if register.table in tables for spec in register.fields if spec.person]


def _canonical(spellings: Counter[str]) -> str:
    """The spelling most rows use; ties go to one with capitals, then alphabetically."""
    best = min(spellings, key=lambda s: (-spellings[s], s == s.lower(), s))
    return " ".join(best.split())


def adopt_names(db: Database) -> Adoption:
    """Give every name in a person field a person, merging case/space variants (see module)."""
    tables = set(db.table_names())
    columns = person_columns(tables)
    if "people" not in tables or not columns:
        return Adoption()
    used = db.query_rows(" UNION ALL ".join(
        f"""SELECT '{table}', '{column}', "{column}", count(*) FROM "{table}"
            WHERE "{column}" IS NOT NULL GROUP BY ALL""" for table, column in columns))
    known = {name_key(name): name for (name,) in db.query_rows("SELECT name FROM people")}
    spellings: dict[str, Counter[str]] = {}
    for _, _, value, n in used:
        if value.strip():
            spellings.setdefault(name_key(value), Counter())[value] += n
    target = {key: known.get(key) or _canonical(found) for key, found in spellings.items()}
    renames = [(table, column, value, target[name_key(value)]) for table, column, value, _ in used
               if value.strip() and value != target[name_key(value)]]
    report = Adoption(added=sorted(target[k] for k in spellings if k not in known))
    if not report.added and not renames:
        return report
    when = utc_now()
    with db.transaction() as cur:
        log = ChangeLog(cur, ADOPTER, when)
        next_id = cur.execute("SELECT coalesce(max(id), 0) + 1 FROM people").fetchone()[0]
        events = []
        for offset, name in enumerate(report.added):
            cur.execute("INSERT INTO people VALUES (?, ?, NULL, TRUE, ?, 'none', 1)",
                        [next_id + offset, name, ADOPTED_ROLE])
            log.append("people", next_id + offset, "insert", None,
                       fetch_row(cur, "people", next_id + offset))
            events.append(audit.Event("person_added", ADOPTER, "job", next_id + offset,
                                      table_name="people", row_id=next_id + offset,
                                      detail=f"'{name}' was named in a register"))
        for table, column, old, new in renames:
            ids = [r[0] for r in cur.execute(f'SELECT id FROM "{table}" WHERE "{column}" = ?',
                                             [old]).fetchall()]
            befores = {i: fetch_row(cur, table, i) for i in ids}
            cur.execute(f'UPDATE "{table}" SET "{column}" = ?, version = version + 1 '
                        f'WHERE "{column}" = ?', [new, old])
            for i in ids:
                log.append(table, i, "update", befores[i], fetch_row(cur, table, i))
            report.rows_changed += len(ids)
            report.merged.setdefault(new, []).append(old)
            events.append(audit.Event("names_merged", ADOPTER, "job", table_name=table,
                                      detail=f"'{old}' in {table}.{column} ({len(ids)} rows) "
                                             f"is now '{new}'"))
        audit.append(cur, events, when)
    return report
