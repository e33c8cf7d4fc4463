"""Download buttons for a register in the auditor's layout: a CSV per sheet and one Excel
workbook, both defused against formula injection, built only when clicked."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
import streamlit as st

from aims_core.storage import spreadsheets

_EXCEL = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def spreadsheet_downloads(stem: str, sheets: dict[str, Callable[[], pd.DataFrame]],
                          key: str) -> None:
    """A CSV button per sheet ({sheet name: loader}) and one Excel workbook of them all."""
    stamp = date.today().isoformat()
    columns = st.columns([2] * (len(sheets) + 1) + [max(1, 6 - 2 * len(sheets))])
    for column, (name, load) in zip(columns, sheets.items(), strict=False):
        column.download_button(
            f"{name} as CSV", lambda load=load: spreadsheets.to_csv_bytes(load()),
            file_name=f"{stem}-{name.lower().replace(' ', '-')}-{stamp}.csv", mime="text/csv",
            icon=":material/download:", key=f"{key}_csv_{name}")
    columns[len(sheets)].download_button(
        "Excel workbook",
        lambda: spreadsheets.to_workbook_bytes({name: load() for name, load in sheets.items()}),
        file_name=f"{stem}-{stamp}.xlsx", mime=_EXCEL, icon=":material/download:",
        key=f"{key}_xlsx")
