"""Reading the spreadsheets SMEs keep: CSV (any common delimiter and encoding) or Excel,
with the header on any row. Values are kept as the file holds them; nothing is converted
here (the write path's coercion decides, and refuses what does not fit)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import openpyxl
import pandas as pd
from openpyxl.utils import get_column_letter

FORMATS = ("csv", "xlsx")
_DELIMITERS = ",;\t|"


class SheetError(ValueError):
    """The file as a whole cannot be read; nothing was imported."""


@dataclass
class Sheet:
    headers: list[str]
    frame: pd.DataFrame  # object columns named by ``headers``; one row per data row
    row_numbers: list[int]  # the spreadsheet's row (CSV: line) number of each frame row
    sheets: list[str] = field(default_factory=list)  # Excel: the workbook's sheets
    sheet: str | None = None
    formulas: dict[tuple[int, str], str] = field(default_factory=dict)  # unsaved results
    notes: list[str] = field(default_factory=list)
    likely_header_row: int = 1  # the first full row: our own Excel exports have a title above

    def samples(self, header: str, count: int = 3) -> str:
        """The first few different values of a column, for the mapping step."""
        seen: list[str] = []
        for value in self.frame[header]:
            if not _blank(value) and str(value) not in seen:
                seen.append(str(value))
                if len(seen) == count:
                    break
        return ", ".join(seen)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or \
        (isinstance(value, float) and pd.isna(value))


def _unique_headers(raw: list[Any], notes: list[str]) -> list[str]:
    headers: list[str] = []
    for position, value in enumerate(raw, start=1):
        name = str(value).strip() if not _blank(value) else f"Column {get_column_letter(position)}"
        if name in headers:
            number = 2
            while f"{name} ({number})" in headers:
                number += 1
            notes.append(f"The header '{name}' appears twice; the second is called "
                         f"'{name} ({number})'.")
            name = f"{name} ({number})"
        headers.append(name)
    return headers


def _likely_header_row(rows: list[list[Any]], scanned: int = 20) -> int:
    """The first of the top rows with as many filled cells as the fullest of them."""
    filled = [sum(not _blank(v) for v in row) for row in rows[:scanned]]
    return filled.index(max(filled)) + 1 if filled and max(filled) else 1


def _table(rows: list[list[Any]], header_row: int, first_number: int,
           notes: list[str]) -> tuple[list[str], pd.DataFrame, list[int]]:
    if header_row < 1 or header_row > len(rows):
        raise SheetError(f"the file has {len(rows)} rows; there is no header on row "
                         f"{header_row}")
    width = max((len(r) for r in rows), default=0)
    headers = _unique_headers(list(rows[header_row - 1]) + [None] * (width - len(rows[
        header_row - 1])), notes)
    data, numbers = [], []
    for offset, row in enumerate(rows[header_row:], start=header_row + first_number):
        padded = list(row) + [None] * (width - len(row))
        if all(_blank(v) for v in padded):
            continue
        data.append(padded)
        numbers.append(offset)
    return headers, pd.DataFrame(data, columns=headers, dtype=object), numbers


def _decode(data: bytes, notes: list[str]) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        notes.append("The file is not UTF-8; it was read as Windows-1252 (Excel's usual CSV "
                     "encoding). Check accented letters in the preview.")
        return data.decode("cp1252", errors="strict")


def _read_csv(data: bytes, header_row: int, notes: list[str]) -> Sheet:
    try:
        text = _decode(data, notes)
    except UnicodeDecodeError as exc:
        raise SheetError(f"the file is neither UTF-8 nor Windows-1252 text ({exc})") from None
    try:
        dialect = csv.Sniffer().sniff(text[:65536], delimiters=_DELIMITERS)
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    if delimiter != ",":
        notes.append(f"Columns are separated by {'a tab' if delimiter == chr(9) else delimiter!r}.")
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise SheetError(f"the file is not valid CSV: {exc}") from None
    headers, frame, numbers = _table(rows, header_row, 1, notes)
    return Sheet(headers, frame, numbers, notes=notes, likely_header_row=_likely_header_row(rows))


def _read_xlsx(data: bytes, sheet: str | None, header_row: int, notes: list[str]) -> Sheet:
    try:
        values_book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formula_book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        raise SheetError(f"the file cannot be read as an Excel workbook ({exc})") from None
    names = values_book.sheetnames
    chosen = sheet or names[0]
    if chosen not in names:
        raise SheetError(f"the workbook has no sheet {chosen!r}; it has {', '.join(names)}")
    rows = [list(r) for r in values_book[chosen].iter_rows(values_only=True)]
    formulas_raw = [list(r) for r in formula_book[chosen].iter_rows(values_only=True)]
    values_book.close()
    formula_book.close()
    headers, frame, numbers = _table(rows, header_row, 1, notes)
    formulas: dict[tuple[int, str], str] = {}
    for position, number in enumerate(numbers):
        source = formulas_raw[number - 1] if number - 1 < len(formulas_raw) else []
        for column, header in enumerate(headers):
            text = source[column] if column < len(source) else None
            if isinstance(text, str) and text.startswith("=") and _blank(frame.iat[position,
                                                                                   column]):
                formulas[(position, header)] = text
    return Sheet(headers, frame, numbers, names, chosen, formulas, notes,
                 _likely_header_row(rows))


def read_sheet(data: bytes, filename: str, sheet: str | None = None,
               header_row: int = 1) -> Sheet:
    """The rows under ``header_row`` (1 = the first line) of a CSV or Excel file."""
    suffix = PurePath(filename).suffix.lower().lstrip(".")
    if suffix == "xls":
        raise SheetError("this is the old Excel format (.xls): save it as .xlsx or CSV first")
    if suffix not in FORMATS:
        raise SheetError(f"{filename}: expected a .csv or .xlsx file")
    if not data:
        raise SheetError(f"{filename} is empty")
    notes: list[str] = []
    return _read_csv(data, header_row, notes) if suffix == "csv" else \
        _read_xlsx(data, sheet, header_row, notes)
