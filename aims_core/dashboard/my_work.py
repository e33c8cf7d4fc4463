"""My work: everything one person owns or must act on, overdue first.

Two parts, both generic over the areas, so registers added later join by declaring the usual
metadata:

- what falls due for the person: the Schedule's sources (every area's ``due_dates.py``)
  filtered to their ``owner`` in SQL, with the same overdue and horizon rules as the
  Schedule, so the counts here equal the Schedule's "only mine";
- the rows they own in every register that has an ``owner_field``, to edit in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from aims_core.dashboard import schedule
from aims_core.records.fields import Register
from aims_core.records.registry import REGISTERS
from aims_core.storage.database import Database

HORIZONS = (7, 30)  # the "due in the next N days" counts, as on the Schedule


@dataclass(frozen=True)
class DueCounts:
    overdue: int
    due_soon: dict[int, int]  # days -> items due within that many days (not overdue)
    total: int


def due(db: Database, today: date, owner: str) -> pd.DataFrame:
    """The person's due items, overdue first, then by date (the Schedule's columns)."""
    return schedule.due_dates(db, today, owner)


def counts(db: Database, today: date, owner: str) -> DueCounts:
    items = due(db, today, owner)
    late = items["overdue"]
    soon = {days: int((~late & (items["due_on"] <= today + timedelta(days=days))).sum())
            for days in HORIZONS}
    return DueCounts(int(late.sum()), soon, len(items))


# --- rows owned ------------------------------------------------------------------------

FIRST = ("risks", "ai_systems", "soa", "kpis")  # a risk owner's registers, then the rest


def owned_registers() -> list[Register]:
    """Registers whose rows have a person owner: the risk owner's first, then by registry."""
    owned = [r for r in REGISTERS.values() if r.owner_field]
    return sorted(owned, key=lambda r: FIRST.index(r.table) if r.table in FIRST else len(FIRST))


def owned_counts(db: Database, owner: str) -> dict[str, int]:
    """Rows the person owns, per register table (registers whose table exists)."""
    tables = set(db.table_names())
    registers = [r for r in owned_registers() if r.table in tables]
    if not registers:
        return {}
    rows = db.query_rows(" UNION ALL ".join(
        f"SELECT '{r.table}', count(*) FROM \"{r.table}\" WHERE \"{r.owner_field}\" = $owner"
        for r in registers), {"owner": owner})
    return {table: int(n) for table, n in rows}


def owned_rows(db: Database, table: str, owner: str, limit: int, offset: int = 0
               ) -> pd.DataFrame:
    """One page of the rows ``owner`` owns in ``table``, in id order."""
    register = REGISTERS[table]
    return db.query_df(
        f'SELECT * FROM "{table}" WHERE "{register.owner_field}" = $owner ORDER BY id '
        f"LIMIT {int(limit)} OFFSET {int(offset)}", {"owner": owner})


def reference_labels(db: Database, table: str) -> dict[str, dict[object, str]]:
    """{field: {stored value: label}} for the register's references to other registers and
    the catalogue (people are picked from the directory by the table itself)."""
    labels = {}
    for spec in REGISTERS[table].fields:
        ref = spec.reference
        if ref is None or ref.label_column is None or spec.person:
            continue
        rows = db.query_rows(f'SELECT "{ref.column}", "{ref.label_column}" FROM "{ref.table}" '
                             f'ORDER BY "{ref.label_column}"')
        labels[spec.name] = {key: str(label) for key, label in rows}
    return labels
