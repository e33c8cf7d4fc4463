"""The record a nonconformity or an action comes from, as people read it: its kind, number
and title ("Audit finding #4: …") and the page where it is handled."""

from __future__ import annotations

from aims_core.improvement.sources import RECORD_PAGES, SourceKind
from aims_core.records.registry import REGISTERS


def source_columns(alias: str, kinds: dict[str, SourceKind]) -> tuple[str, str]:
    """SQL (select columns, joins) adding ``source_label``, ``source_record`` and
    ``source_link`` to a query over the table aliased ``alias``; one join per source register,
    each on its id, so only the linked rows are read."""
    tables = list(dict.fromkeys(t for kind in kinds.values() for t in kind.tables))
    joins = "\n".join(f"LEFT JOIN {table} src{i} ON {alias}.source_table = '{table}' "
                      f"AND src{i}.id = {alias}.source_id" for i, table in enumerate(tables))
    title = "coalesce(" + ", ".join(
        f"CAST(src{i}.{REGISTERS[table].title_field} AS VARCHAR)"
        for i, table in enumerate(tables)) + ")" if tables else "NULL"
    label = "CASE " + " ".join(f"WHEN {alias}.source = '{code}' THEN '{kind.label}'"
                               for code, kind in kinds.items()) + f" ELSE {alias}.source END"
    link = "CASE " + " ".join(
        f"WHEN {alias}.source_table = '{table}' THEN '{page}' || {alias}.source_id"
        for table, page in RECORD_PAGES.items() if table in tables) + " END"
    columns = (f"{label} AS source_label, "
               f"{label} || coalesce(' #' || {alias}.source_id, '') "
               f"|| coalesce(': ' || {title}, '') AS source_record, {link} AS source_link")
    return columns, joins
