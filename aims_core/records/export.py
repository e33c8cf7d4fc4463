"""Any register as people read it, live or as it stood at a past moment: field labels as
headers, choice labels instead of codes, the names of referenced records; to CSV and Excel
(formulas defused) or Parquet (stored values, for tools)."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Literal

import pandas as pd

from aims_core.records.history import register_as_of
from aims_core.records.labels import shown
from aims_core.records.naming import reference_label
from aims_core.records.registry import REGISTERS
from aims_core.storage import spreadsheets
from aims_core.storage.database import Database

Format = Literal["csv", "xlsx", "parquet"]
# The row's edit count (``version``); not "Version", which is a field of some registers.
VERSION_HEADER = "Record version"
MIME = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument."
        "spreadsheetml.sheet", "parquet": "application/vnd.apache.parquet"}


def rows(db: Database, table: str, moment: datetime | None = None) -> pd.DataFrame:
    """The stored rows: live, or rebuilt from the history as of ``moment`` (naive UTC)."""
    if moment is None:
        return db.query_df(f'SELECT * FROM "{table}" ORDER BY id')
    return register_as_of(db, table, moment)


def _reference_labels(db: Database, table: str, column: str, label: str,
                      moment: datetime | None) -> dict[object, str]:
    """Each referenced record's name with its key (``#7 …``, ``A.2.2 …``): names repeat,
    keys do not, so an exported file imports back to the same records."""
    if moment is not None and table in REGISTERS:
        source = register_as_of(db, table, moment)
    else:
        source = db.query_df(f'SELECT "{column}", "{label}" FROM "{table}"')
    return {key: reference_label(key, name, column)
            for key, name in zip(source[column], source[label], strict=True)}


def labelled(db: Database, table: str, moment: datetime | None = None) -> pd.DataFrame:
    """The register with labels for people (references named as they stood then)."""
    register = REGISTERS[table]
    frame = rows(db, table, moment)
    out = pd.DataFrame({"ID": frame["id"]})
    for spec in register.fields:
        values = frame[spec.name]
        if spec.choices:
            values = shown(spec, values)
        elif spec.reference is not None and spec.reference.label_column:
            ref = spec.reference
            names = _reference_labels(db, ref.table, ref.column, ref.label_column, moment)
            values = values.map(lambda v, n=names: None if pd.isna(v) else n.get(v, v))
        out[spec.label] = values.to_numpy()
    out[VERSION_HEADER] = frame["version"].to_numpy()
    return out


def file_bytes(db: Database, table: str, fmt: Format, moment: datetime | None = None, *,
               organisation: str | None = None) -> bytes:
    """The register as a file: CSV and Excel labelled and defused (the Excel sheet titled
    with ``organisation``, the register and the day), Parquet as stored."""
    if fmt == "parquet":
        buffer = io.BytesIO()
        rows(db, table, moment).to_parquet(buffer, index=False)
        return buffer.getvalue()
    frame = labelled(db, table, moment)
    if fmt == "csv":
        return spreadsheets.to_csv_bytes(frame)
    return spreadsheets.to_excel_bytes(frame, REGISTERS[table].label, organisation=organisation)


def file_name(table: str, fmt: Format, moment: datetime | None = None) -> str:
    when = f"-as-of-{moment:%Y-%m-%d}" if moment else ""
    return f"{table}{when}.{fmt}"
