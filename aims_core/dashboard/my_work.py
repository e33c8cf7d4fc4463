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
from datetime import date

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

    @classmethod
    def of(cls, counts: schedule.DueCounts) -> DueCounts:
        return cls(counts.overdue, {7: counts.next_7_days, 30: counts.next_30_days},
                   counts.total)


def mine(owner: str) -> schedule.DueFilter:
    """The Schedule's filter of one person's items, every horizon."""
    return schedule.DueFilter(owner=owner)


def listing(db: Database, today: date, owner: str, offset: int,
            limit: int) -> schedule.Listing:
    """The person's counts and one page of their due items, from one reading of the
    Schedule's sources (counted, sorted and paged in DuckDB)."""
    return schedule.listing(db, today, mine(owner), offset, limit)


def due(db: Database, today: date, owner: str, offset: int = 0,
        limit: int | None = None) -> pd.DataFrame:
    """The person's due items from ``offset`` (at most ``limit``; None: all), overdue first,
    then by date (the Schedule's columns)."""
    return schedule.page(db, today, mine(owner), offset, limit)


def counts(db: Database, today: date, owner: str) -> DueCounts:
    return DueCounts.of(schedule.counts(db, today, mine(owner)))


# --- rows owned ------------------------------------------------------------------------

FIRST = ("risks", "ai_systems", "soa", "kpis")  # a risk owner's registers, then the rest


def owned_registers() -> list[Register]:
    """Registers whose rows have a person owner (records of the management system, not the
    app's own settings): the risk owner's first, then by registry."""
    owned = [r for r in REGISTERS.values() if r.owner_field and r.importable]
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


def reference_labels(db: Database, table: str,
                     only: dict[str, tuple] | None = None) -> dict[str, dict[object, str]]:
    """{field: {stored value: label}} for the register's references to other registers and
    the catalogue (people are picked from the directory by the table itself). ``only``
    limits a field's choices to these values (a large organisation's rows listed, not its
    thousands of AI systems)."""
    labels = {}
    for spec in REGISTERS[table].fields:
        ref = spec.reference
        if ref is None or ref.label_column is None or spec.person:
            continue
        kept = "TRUE" if only is None or spec.name not in only else \
            f'list_contains($only, "{ref.column}")'
        rows = db.query_rows(f'SELECT "{ref.column}", "{ref.label_column}" FROM "{ref.table}" '
                             f'WHERE {kept} ORDER BY "{ref.label_column}"',
                             {} if kept == "TRUE" else {"only": list(only[spec.name])})
        labels[spec.name] = {key: str(label) for key, label in rows}
    return labels
