"""Download buttons for a register in the auditor's layout: a CSV per sheet and Excel, built
only when clicked, with formulas defused (aims_core.storage.spreadsheets). People whose role
may not export see why instead."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
import streamlit as st

from aims_core.storage import spreadsheets
from aims_core.ui.session import current_identity

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def spreadsheet_downloads(stem: str, sheets: dict[str, Callable[[], pd.DataFrame]],
                          key: str, *, label: str | None = None) -> None:
    """A CSV button per sheet ({sheet name: loader}) and one Excel workbook of them all.

    With one sheet the buttons read "<label> as CSV" and "<label> as Excel" (``label``
    defaults to the sheet's name)."""
    names = list(sheets)
    missing = current_identity().lacks("export", f"export the {names[0].lower()}")
    if missing:
        st.caption(missing)
        return
    stamp = date.today().isoformat()
    row = st.container(horizontal=True)
    single = len(sheets) == 1
    for name, load in sheets.items():
        row.download_button(
            f"{label or name} as CSV", lambda load=load: spreadsheets.to_csv_bytes(load()),
            file_name=f"{stem}-{stamp}.csv" if single else
            f"{stem}-{name.lower().replace(' ', '-')}-{stamp}.csv",
            mime="text/csv", icon=":material/download:", key=f"{key}_csv_{name}")
    row.download_button(
        f"{label or names[0]} as Excel" if single else "Excel workbook",
        lambda: spreadsheets.to_workbook_bytes({name: load() for name, load in sheets.items()}),
        file_name=f"{stem}-{stamp}.xlsx", mime=XLSX, icon=":material/download:",
        key=f"{key}_xlsx")
