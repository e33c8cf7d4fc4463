"""Measured KPI values from a CSV or Parquet file, checked row by row before anything is written.

Columns: ``kpi`` (the KPI's id or name; ``kpi_id`` also accepted), ``measured_on`` (or
``date``, YYYY-MM-DD), ``value`` and an optional ``note``. A file with a bad row is refused
whole, each bad row and field named, unless the caller chooses to skip bad rows; then the
good rows are written and the report lists what was skipped. A value for a KPI and day that
already has one replaces it (one value per KPI per day).
"""

from __future__ import annotations

import csv
import io
import numbers
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePath
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from aims_core.auth.actor import Actor
from aims_core.performance.kpis import record_measurements
from aims_core.performance.registers import KPI_MEASUREMENTS
from aims_core.records.validation import InvalidValue, coerce, is_blank, shown
from aims_core.records.writes import RowProblem, WriteResult
from aims_core.storage.database import Database
from aims_core.storage.spreadsheets import to_csv_bytes

_ALIASES = {"kpi_id": "kpi", "date": "measured_on"}
REQUIRED_COLUMNS = ("kpi", "measured_on", "value")
FORMATS = ("csv", "parquet")
_DELIMITERS = (",", ";", "\t")  # the first line decides: Excel writes ';' where ',' is decimal


class ImportFileError(ValueError):
    """The file as a whole cannot be read (format, encoding, columns); nothing was written."""


@dataclass
class ImportReport:
    rows: int  # data rows in the file
    problems: list[RowProblem] = field(default_factory=list)
    write: WriteResult | None = None  # None: refused, nothing was written
    accepted: int = 0  # good rows sent to the write path

    @property
    def skipped_rows(self) -> list[str]:
        return sorted({p.row for p in self.problems}, key=_row_number)


def _row_number(label: str) -> int:
    return int(label.rsplit(" ", 1)[-1])


@dataclass
class FileRows:
    """A file's data rows with normalised column names, each with the name it has in
    messages ("line 5" of a CSV, "row 3" of a Parquet file), and rows that could not be
    split into the header's columns."""

    frame: pd.DataFrame
    labels: list[str]
    broken: list[RowProblem] = field(default_factory=list)


def _read_csv(data: bytes, filename: str) -> FileRows:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"{filename} is not UTF-8 text (byte {exc.start + 1}): save it "
                              "as CSV UTF-8") from None
    first = text.split("\n", 1)[0]
    delimiter = max(_DELIMITERS, key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter,
                        skipinitialspace=True, strict=True)
    try:
        header = next(reader, None)
        if not header:
            raise ImportFileError(f"{filename} is empty: expected a header line first")
        records, labels, broken = [], [], []
        line = reader.line_num
        for record in reader:
            label, line = f"line {line + 1}", reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                broken.append(RowProblem(label, None, f"has {len(record)} fields, the header "
                                         f"has {len(header)}: check for a missing or extra "
                                         f"'{delimiter}' (values with one are quoted)"))
                continue
            records.append(record)
            labels.append(label)
    except csv.Error as exc:
        raise ImportFileError(f"{filename} cannot be read as CSV at line {reader.line_num}: "
                              f"{exc}") from None
    return FileRows(pd.DataFrame(records, columns=header, dtype=object), labels, broken)


def _read_parquet(data: bytes, filename: str) -> FileRows:
    try:
        table = pq.read_table(io.BytesIO(data))
        frame = table.to_pandas(types_mapper=None, date_as_object=True)
    except (pa.ArrowException, ValueError, OSError, TypeError) as exc:
        raise ImportFileError(f"{filename} cannot be read as PARQUET: {exc}") from None
    return FileRows(frame.astype(object), [f"row {n}" for n in range(1, len(frame) + 1)])


def read_table(data: bytes, filename: str) -> FileRows:
    """The file's rows with normalised column names, each named as messages name it."""
    suffix = PurePath(filename).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ImportFileError(f"{filename}: expected a .csv or .parquet file")
    rows = _read_csv(data, filename) if suffix == "csv" else _read_parquet(data, filename)
    return _normalised(rows, filename)


def from_records(frame: pd.DataFrame, source: str, row_word: str) -> FileRows:
    """Rows already parsed (e.g. JSON posted to the API), named ``row_word`` 1, 2, …"""
    return _normalised(FileRows(frame.astype(object),
                                [f"{row_word} {n}" for n in range(1, len(frame) + 1)]), source)


def _normalised(rows: FileRows, source: str) -> FileRows:
    """``rows`` with lower-case column names and aliases resolved; refuses missing columns."""
    frame = rows.frame
    frame.columns = [_ALIASES.get(str(c).strip().lower(), str(c).strip().lower())
                     for c in frame.columns]
    if missing := [c for c in REQUIRED_COLUMNS if c not in frame.columns]:
        raise ImportFileError(f"{source} has no column {', '.join(missing)}; expected "
                              "kpi (id or name), measured_on (YYYY-MM-DD), value and "
                              "optionally note")
    if frame.columns.duplicated().any():
        raise ImportFileError(f"{source} names a column twice")
    return rows


class _KpiIndex:
    """Finds a KPI by id or (case-insensitive) name."""

    def __init__(self, db: Database) -> None:
        kpis = db.query_df("SELECT id, name, kind FROM kpis")
        self.by_id = {int(r.id): (int(r.id), str(r.kind)) for r in kpis.itertuples()}
        self.by_name = {str(r.name).strip().lower(): (int(r.id), str(r.kind))
                        for r in kpis.itertuples()}

    def find(self, raw: Any) -> int:
        if not isinstance(raw, str | numbers.Real) or isinstance(raw, bool | np.bool_):
            raise InvalidValue(f"expected the id or name of a KPI, got {shown(raw)}")
        text = str(raw).strip()
        found = self.by_name.get(text.lower())
        if found is None:
            try:
                found = self.by_id.get(int(text) if text.isascii() and text.isdigit()
                                       else _whole(float(text)))
            except (ValueError, OverflowError):
                found = None
        if found is None:
            raise InvalidValue(f"{shown(text)} is neither the id nor the name of a KPI")
        if found[1] == "computed":
            raise InvalidValue(f"{shown(text)} is a computed KPI: its values come from "
                               "snapshots of the registers, not from files")
        return found[0]


def _whole(number: float) -> int:
    if not number.is_integer():
        raise ValueError(number)
    return int(number)


def check_rows(db: Database, rows: FileRows,
               today: date) -> tuple[pd.DataFrame, list[RowProblem]]:
    """The good rows as measurements (each with its ``label``), and a problem for each bad
    field of each bad row."""
    index = _KpiIndex(db)
    good: list[dict[str, Any]] = []
    problems: list[RowProblem] = list(rows.broken)
    seen: dict[tuple[int, date], str] = {}
    for label, raw in zip(rows.labels, rows.frame.to_dict("records"), strict=True):
        row, bad = _check_row(index, raw, today)
        problems += [RowProblem(label, name, message) for name, message in bad]
        if bad:
            continue
        key = (row["kpi_id"], row["measured_on"])
        if key in seen:
            problems.append(RowProblem(label, "measured_on", f"repeats the KPI and date of "
                                                             f"{seen[key]}"))
            continue
        seen[key] = label
        good.append({**row, "label": label})
    columns = ["kpi_id", "measured_on", "value", "source", "note", "label"]
    return pd.DataFrame(good, columns=columns), sorted(problems, key=lambda p:
                                                       _row_number(p.row))


def _check_row(index: _KpiIndex, raw: dict[str, Any],
               today: date) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    row: dict[str, Any] = {"source": "imported"}
    bad: list[tuple[str, str]] = []
    if is_blank(raw["kpi"]):
        bad.append(("kpi", "is required"))
    else:
        try:
            row["kpi_id"] = index.find(raw["kpi"])
        except InvalidValue as exc:
            bad.append(("kpi", str(exc)))
    for name in ("measured_on", "value", "note"):
        try:
            row[name] = coerce(KPI_MEASUREMENTS.field(name), raw.get(name), today=today)
        except InvalidValue as exc:
            bad.append((name, str(exc)))
    return row, bad


def import_measurements(db: Database, data: bytes, filename: str, actor: Actor, *,
                        skip_bad_rows: bool = False, today: date | None = None) -> ImportReport:
    """Check every row, then write all of them, or (``skip_bad_rows``) only the good ones.

    Raises :class:`ImportFileError` when the file itself cannot be used.
    """
    return import_rows(db, read_table(data, filename), actor, skip_bad_rows=skip_bad_rows,
                       today=today)


def import_rows(db: Database, rows: FileRows, actor: Actor, *, skip_bad_rows: bool = False,
                today: date | None = None) -> ImportReport:
    """:func:`import_measurements` for rows already read (:func:`read_table`,
    :func:`from_records`)."""
    good, problems = check_rows(db, rows, today or date.today())
    report = ImportReport(rows=len(rows.labels) + len(rows.broken), problems=problems)
    if (problems and not skip_bad_rows) or good.empty:
        return report
    report.accepted = len(good)
    report.write = record_measurements(db, good, actor)
    return report


def template_csv(db: Database, today: date) -> bytes:
    """A file to start from: the columns, and a row for the first measured KPI (quoted and
    defused like every spreadsheet the app writes)."""
    example = db.scalar("SELECT name FROM kpis WHERE kind = 'measured' ORDER BY name LIMIT 1")
    return to_csv_bytes(pd.DataFrame({"kpi": [example or "Model accuracy"],
                                      "measured_on": [today.isoformat()], "value": [None],
                                      "note": [None]}))


def describe(report: ImportReport, filename: str) -> list[str]:
    """The report as lines for people: outcome first, then each problem."""
    if report.write is None:
        if not report.problems:
            head = f"{filename} holds no rows to import."
        else:
            head = (f"{filename} was not imported: {len(report.skipped_rows)} of {report.rows} "
                    "rows are bad. Fix them, or choose to skip bad rows.")
    elif not report.write.ok:
        head = f"{filename} was not imported: the database refused the values."
        return [head, *(str(p) for p in report.write.errors + report.write.conflicts)]
    else:
        write = report.write
        values = "value" if report.accepted == 1 else "values"
        head = (f"Imported {report.accepted} {values} from {filename}: {len(write.inserted)} "
                f"added, {len(write.updated)} replaced, "
                f"{report.accepted - write.changed} unchanged.")
        if report.problems:
            head += f" Skipped {len(report.skipped_rows)} bad rows:"
    return [head, *(str(p) for p in report.problems)]
