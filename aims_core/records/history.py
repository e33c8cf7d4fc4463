"""What changed in registers, field by field, from the change history (who, when, which row,
which fields): the management review's "changes since the last review" and a register's own
history read it."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd

from aims_core.records.registry import REGISTERS
from aims_core.storage.database import Database

COLUMNS = ["changed_at", "changed_by", "register", "row_id", "item", "operation", "fields"]


def field_changes(db: Database, tables: tuple[str, ...],
                  since: date | None = None) -> pd.DataFrame:
    """Every change to rows of the registers ``tables`` after ``since`` (everything when
    None), newest first; ``fields`` names the fields an update changed, by their labels."""
    by_table = {table: REGISTERS[table] for table in tables}
    log = db.query_df(
        "SELECT changed_at, changed_by, table_name, row_id, operation, before_json, "
        "after_json FROM change_log WHERE list_contains($tables, table_name) "
        "AND ($since IS NULL OR CAST(changed_at AS DATE) > $since) "
        "ORDER BY changed_at DESC, id DESC",
        {"tables": list(by_table), "since": since})
    rows = []
    for entry in log.itertuples():
        register = by_table[entry.table_name]
        before = json.loads(entry.before_json) if isinstance(entry.before_json, str) else {}
        after = json.loads(entry.after_json) if isinstance(entry.after_json, str) else {}
        changed = [spec.label for spec in register.fields
                   if before.get(spec.name) != after.get(spec.name)]
        rows.append({"changed_at": entry.changed_at, "changed_by": entry.changed_by,
                     "register": register.label, "row_id": entry.row_id,
                     "item": (after or before).get(register.title_field),
                     "operation": entry.operation,
                     "fields": ", ".join(changed) if entry.operation == "update" else ""})
    return pd.DataFrame(rows, columns=COLUMNS)
