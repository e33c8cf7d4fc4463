"""Measured KPI values from a CSV or Parquet file, checked row by row before anything is written.

Columns: ``kpi`` (the KPI's id or name; ``kpi_id`` also accepted), ``measured_on`` (or
``date``, YYYY-MM-DD), ``value`` and an optional ``note``. A file with a bad row is refused
whole, each bad row and field named, unless the caller chooses to skip bad rows; then the
good rows are written and the report lists what was skipped. A value for a KPI and day that
already has one replaces it (one value per KPI per day).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePath
from typing import Any

import pandas as pd

from aims_core.auth.actor import Actor
from aims_core.performance.kpis import record_measurements
from aims_core.performance.registers import KPI_MEASUREMENTS
from aims_core.records.validation import InvalidValue, coerce, is_blank
from aims_core.records.writes import RowProblem, WriteResult
from aims_core.storage.database import Database

_ALIASES = {"kpi_id": "kpi", "date": "measured_on"}
REQUIRED_COLUMNS = ("kpi", "measured_on", "value")
FORMATS = ("csv", "parquet")


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


def read_table(data: bytes, filename: str) -> tuple[pd.DataFrame, str]:
    """The file's rows with normalised column names, and how rows are named ("line"/"row")."""
    suffix = PurePath(filename).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ImportFileError(f"{filename}: expected a .csv or .parquet file")
    try:
        if suffix == "csv":
            frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False,
                                encoding="utf-8-sig", skipinitialspace=True)
        else:
            frame = pd.read_parquet(io.BytesIO(data))
    except (ValueError, UnicodeDecodeError, OSError) as exc:
        raise ImportFileError(f"{filename} cannot be read as {suffix.upper()}: {exc}") from None
    return normalised(frame, filename), "line" if suffix == "csv" else "row"


def normalised(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """``frame`` with lower-case column names and aliases resolved; refuses missing columns."""
    frame = frame.copy()
    frame.columns = [_ALIASES.get(str(c).strip().lower(), str(c).strip().lower())
                     for c in frame.columns]
    if missing := [c for c in REQUIRED_COLUMNS if c not in frame.columns]:
        raise ImportFileError(f"{source} has no column {', '.join(missing)}; expected "
                              "kpi (id or name), measured_on (YYYY-MM-DD), value and "
                              "optionally note")
    if frame.columns.duplicated().any():
        raise ImportFileError(f"{source} names a column twice")
    if "note" not in frame.columns:
        frame["note"] = None
    return frame


class _KpiIndex:
    """Finds a KPI by id or (case-insensitive) name."""

    def __init__(self, db: Database) -> None:
        kpis = db.query_df("SELECT id, name, kind FROM kpis")
        self.by_id = {int(r.id): (int(r.id), str(r.kind)) for r in kpis.itertuples()}
        self.by_name = {str(r.name).strip().lower(): (int(r.id), str(r.kind))
                        for r in kpis.itertuples()}

    def find(self, raw: Any) -> int:
        text = str(raw).strip()
        found = self.by_name.get(text.lower())
        if found is None:
            try:
                found = self.by_id.get(int(text) if text.isdigit() else _whole(float(text)))
            except ValueError:
                found = None
        if found is None:
            raise InvalidValue(f"{text!r} is neither the id nor the name of a KPI")
        if found[1] == "computed":
            raise InvalidValue(f"{text!r} is a computed KPI: its values come from snapshots "
                               "of the registers, not from files")
        return found[0]


def _whole(number: float) -> int:
    if not number.is_integer():
        raise ValueError(number)
    return int(number)


def check_rows(db: Database, frame: pd.DataFrame, row_word: str,
               today: date) -> tuple[pd.DataFrame, list[RowProblem]]:
    """The good rows as measurements, and a problem for each bad field of each bad row."""
    index = _KpiIndex(db)
    first_offset = 2 if row_word == "line" else 1  # CSV line 1 is the header
    good: list[dict[str, Any]] = []
    problems: list[RowProblem] = []
    seen: dict[tuple[int, date], str] = {}
    for position, raw in enumerate(frame.to_dict("records")):
        label = f"{row_word} {position + first_offset}"
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
        good.append(row)
    columns = ["kpi_id", "measured_on", "value", "source", "note"]
    return pd.DataFrame(good, columns=columns), problems


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
            row[name] = coerce(KPI_MEASUREMENTS.field(name), raw.get(name))
        except InvalidValue as exc:
            bad.append((name, str(exc)))
    if row.get("measured_on") is not None and row["measured_on"] > today:
        bad.append(("measured_on", f"{row['measured_on']:%Y-%m-%d} is in the future"))
    return row, bad


def import_measurements(db: Database, data: bytes, filename: str, actor: Actor, *,
                        skip_bad_rows: bool = False, today: date | None = None) -> ImportReport:
    """Check every row, then write all of them, or (``skip_bad_rows``) only the good ones.

    Raises :class:`ImportFileError` when the file itself cannot be used.
    """
    frame, row_word = read_table(data, filename)
    return import_rows(db, frame, row_word, actor, skip_bad_rows=skip_bad_rows, today=today)


def import_rows(db: Database, frame: pd.DataFrame, row_word: str, actor: Actor, *,
                skip_bad_rows: bool = False, today: date | None = None) -> ImportReport:
    """:func:`import_measurements` for rows already read (e.g. JSON posted to the API);
    ``frame`` has normalised columns (:func:`normalised`), rows are named ``row_word`` n."""
    good, problems = check_rows(db, frame, row_word, today or date.today())
    report = ImportReport(rows=len(frame), problems=problems)
    if (problems and not skip_bad_rows) or good.empty:
        return report
    report.accepted = len(good)
    report.write = record_measurements(db, good, actor)
    return report


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
