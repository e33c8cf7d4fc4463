"""Download buttons for a register's export: CSV and Excel, built only when clicked, with
formulas defused (aims_core.storage.spreadsheets)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
import streamlit as st

from aims_core.storage import spreadsheets
from aims_core.ui.session import current_identity

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_buttons(frame: Callable[[], pd.DataFrame], stem: str, sheet: str, key: str,
                   label: str) -> None:
    """'<label> as CSV' and '<label> as Excel' side by side; ``frame`` is called on click.
    People whose role may not export see why instead."""
    missing = current_identity().lacks("export", f"export the {sheet.lower()}")
    if missing:
        st.caption(missing)
        return
    stamp = date.today().isoformat()
    row = st.container(horizontal=True)
    row.download_button(f"{label} as CSV", lambda: spreadsheets.to_csv_bytes(frame()),
                         file_name=f"{stem}-{stamp}.csv", mime="text/csv",
                         icon=":material/download:", key=f"{key}_csv")
    row.download_button(f"{label} as Excel",
                          lambda: spreadsheets.to_excel_bytes(frame(), sheet),
                          file_name=f"{stem}-{stamp}.xlsx", mime=XLSX,
                          icon=":material/download:", key=f"{key}_excel")
