"""Spreadsheet files that are safe to open and look finished.

Text a spreadsheet would run as a formula is defused, so a register's content can be exported
to CSV or Excel for anyone. Excel sheets carry a title row (organisation, register, date), a
bold frozen header row with a filter, typed cells (real dates and numbers, never text that
looks like one) and column widths that fit their content.
"""

from __future__ import annotations

import io
import math
from datetime import date, datetime
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
TITLE_ROW, HEADER_ROW = 1, 2  # the data starts on the row below the header
DATE_FORMAT, DATETIME_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm"
MIN_WIDTH, MAX_WIDTH = 8, 60
_HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")


def defuse(value: object) -> object:
    """Prefix text a spreadsheet would run as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def defused(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(defuse).astype(object)
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    return defused(frame).to_csv(index=False).encode("utf-8-sig")


def to_excel_bytes(frame: pd.DataFrame, sheet: str, *, organisation: str | None = None,
                   day: date | None = None) -> bytes:
    return to_workbook_bytes({sheet: frame}, organisation=organisation, day=day)


def to_workbook_bytes(sheets: dict[str, pd.DataFrame], *, organisation: str | None = None,
                      day: date | None = None) -> bytes:
    """One Excel workbook with a sheet per frame (e.g. an audit programme and its findings);
    each sheet's title row names ``organisation``, the sheet and ``day`` (default today)."""
    book = Workbook()
    book.remove(book.active)
    for name, frame in sheets.items():
        sheet = book.create_sheet(name[:31])
        _write_sheet(sheet, frame, " · ".join(
            part for part in (organisation, name, f"exported {(day or date.today()):%d %b %Y}")
            if part))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _write_sheet(sheet: Worksheet, frame: pd.DataFrame, title: str) -> None:
    sheet.cell(TITLE_ROW, 1, defuse(title)).font = Font(bold=True, size=14)
    columns = [str(c) for c in frame.columns]
    for number, header in enumerate(columns, start=1):
        cell = sheet.cell(HEADER_ROW, number, defuse(header))
        cell.font, cell.fill = Font(bold=True), _HEADER_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    widths = [len(header) for header in columns]
    for row_number, values in enumerate(frame.itertuples(index=False, name=None),
                                        start=HEADER_ROW + 1):
        for number, value in enumerate(values, start=1):
            typed, number_format = cell_value(value)
            if typed is None:
                continue
            cell = sheet.cell(row_number, number, typed)
            if number_format:
                cell.number_format = number_format
            widths[number - 1] = max(widths[number - 1], _shown_length(typed, number_format))
    last_column = get_column_letter(max(len(columns), 1))
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 1)
    if columns:
        sheet.auto_filter.ref = f"A{HEADER_ROW}:{last_column}{HEADER_ROW + len(frame)}"
    for number, width in enumerate(widths, start=1):
        letter = get_column_letter(number)
        sheet.column_dimensions[letter].width = min(MAX_WIDTH, max(MIN_WIDTH, width + 2))
        if width > MAX_WIDTH:  # long text wraps inside its column instead of running on
            for (cell,) in sheet.iter_rows(min_row=HEADER_ROW + 1, min_col=number,
                                           max_col=number):
                cell.alignment = Alignment(wrap_text=True, vertical="top")


def cell_value(value: Any) -> tuple[Any, str | None]:
    """A frame's value as an Excel cell holds it: (value, number format); None = empty.

    Dates become date cells (a timestamp at midnight is a date), numbers stay numbers,
    yes/no reads Yes/No, and text is defused."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None, None
    if not isinstance(value, str | list | tuple) and pd.isna(value):
        return None, None
    if isinstance(value, pd.Timestamp | datetime):
        moment = pd.Timestamp(value).to_pydatetime()
        if moment.time() == datetime.min.time():
            return moment.date(), DATE_FORMAT
        return moment.replace(tzinfo=None), DATETIME_FORMAT
    if isinstance(value, date):
        return value, DATE_FORMAT
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return ("Yes" if value else "No"), None
    if isinstance(value, int | float) or pd.api.types.is_number(value):
        return value.item() if hasattr(value, "item") else value, None
    if isinstance(value, list | tuple):
        value = "; ".join(str(v) for v in value)
    return defuse(str(value)), None


def _shown_length(value: Any, number_format: str | None) -> int:
    if number_format:
        return len(number_format)
    return max((len(line) for line in str(value).splitlines()), default=0)
