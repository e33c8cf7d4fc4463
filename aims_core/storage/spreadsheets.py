"""Spreadsheet files that are safe to open: text a spreadsheet would run as a formula is
defused, so a register's content can be exported to CSV or Excel for anyone."""

from __future__ import annotations

import io

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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


def to_excel_bytes(frame: pd.DataFrame, sheet: str) -> bytes:
    return to_workbook_bytes({sheet: frame})


def to_workbook_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """One Excel workbook with a sheet per frame (e.g. an audit programme and its findings)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for sheet, frame in sheets.items():
            defused(frame).to_excel(writer, sheet_name=sheet[:31], index=False)
            worksheet = writer.sheets[sheet[:31]]
            worksheet.freeze_panes = "B2"
            for cells in worksheet.columns:
                width = max((len(str(c.value)) for c in cells if c.value is not None),
                            default=8)
                worksheet.column_dimensions[cells[0].column_letter].width = \
                    min(60, max(10, width))
    return buffer.getvalue()
