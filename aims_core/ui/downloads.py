"""Download buttons for a register in the auditor's layout: a CSV per sheet and Excel, built
only when clicked, with formulas defused (aims_core.storage.spreadsheets). The Excel sheets are
titled with the organisation, the register and the day. People whose role may not export see
why instead. Every register's export goes through :func:`spreadsheet_downloads` (an
auditor's view of it) or :func:`register_files` (its stored rows, live or as of a moment)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pandas as pd
import streamlit as st

from aims_core.management_system import organisation
from aims_core.records import export
from aims_core.records.registry import REGISTERS
from aims_core.storage import spreadsheets
from aims_core.ui.session import cached, current_identity, get_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def spreadsheet_downloads(stem: str, sheets: dict[str, Callable[[], pd.DataFrame]],
                          key: str, *, label: str | None = None,
                          suffix: str | None = None) -> None:
    """A CSV button per sheet ({sheet name: loader}) and one Excel workbook of them all.

    With one sheet the buttons read "<label> as CSV" and "<label> as Excel" (``label``
    defaults to the sheet's name). File names end with ``suffix`` (default: today's
    date), e.g. an approved SoA version's "v3"."""
    names = list(sheets)
    missing = current_identity().lacks("export", f"export the {names[0].lower()}")
    if missing:
        st.caption(missing)
        return
    day = date.today()
    stamp = suffix or day.isoformat()
    org = cached(organisation.name)
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
        lambda: spreadsheets.to_workbook_bytes({name: load() for name, load in sheets.items()},
                                               organisation=org, day=day),
        file_name=f"{stem}-{stamp}.xlsx", mime=XLSX, icon=":material/download:",
        key=f"{key}_xlsx")


REGISTER_FORMATS = (("xlsx", "Excel"), ("csv", "CSV"), ("parquet", "Parquet"))


def register_files(table: str, label: str, key: str, moment: datetime | None = None) -> None:
    """Excel, CSV and Parquet of a register's rows (live, or as of ``moment``), built on
    click; the buttons read "<label> as Excel"."""
    missing = current_identity().lacks("export", f"export the {REGISTERS[table].label.lower()}")
    if missing:
        st.caption(missing)
        return
    org = cached(organisation.name)
    for col, (fmt, name) in zip(st.columns(len(REGISTER_FORMATS)), REGISTER_FORMATS,
                                strict=True):
        col.download_button(
            f"{label} as {name}",
            data=lambda fmt=fmt: export.file_bytes(get_db(), table, fmt, moment,
                                                   organisation=org),
            file_name=export.file_name(table, fmt, moment), mime=export.MIME[fmt],
            key=f"{key}_{fmt}", icon=":material/download:")
