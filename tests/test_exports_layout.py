"""Exports that look finished (issue 18): opened with openpyxl as Excel would, every sheet has
a title row (organisation, register, date), a bold frozen header row of human headers with a
filter, typed dates and numbers, sensible widths; the SoA lists the risks each control treats."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd

from aims_core.compliance import soa
from aims_core.inventory import exports
from aims_core.storage import spreadsheets
from aims_core.storage.database import Database

DAY = date(2026, 11, 22)
ROOT = Path(__file__).resolve().parents[1]


def _sheet(frame: pd.DataFrame, name: str, organisation: str | None = "Aldwick Finance Ltd"):
    data = spreadsheets.to_excel_bytes(frame, name, organisation=organisation, day=DAY)
    return openpyxl.load_workbook(io.BytesIO(data))[name]


def _column(sheet: object, header: str) -> list[object]:
    headers = [c.value for c in sheet[2]]
    number = headers.index(header) + 1
    return [sheet.cell(row, number) for row in range(3, sheet.max_row + 1)]


def test_inventory_sheet_has_title_header_filter_and_typed_cells(demo_db: Database) -> None:
    frame = exports.inventory(demo_db)
    sheet = _sheet(frame, "AI inventory")
    assert sheet["A1"].value == "Aldwick Finance Ltd · AI inventory · exported 22 Nov 2026"
    assert sheet["A1"].font.bold
    headers = [c.value for c in sheet[2]]
    assert headers[:4] == ["ID", "Name", "Purpose", "Owner"]
    assert "Life-cycle stage" in headers and "lifecycle_stage" not in headers
    assert all(c.font.bold for c in sheet[2])
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref == f"A2:{openpyxl.utils.get_column_letter(len(headers))}" \
                                    f"{len(frame) + 2}"
    assert sheet.max_row == len(frame) + 2
    ids = _column(sheet, "ID")
    assert all(c.data_type == "n" and isinstance(c.value, int) for c in ids)
    added = _column(sheet, "Added on")
    assert all(c.is_date and c.number_format == "yyyy-mm-dd" for c in added)
    assert added[0].value == datetime.combine(frame.loc[0, "Added on"].date(),
                                              datetime.min.time())
    assert {c.value for c in _column(sheet, "Personal data")} <= {"Yes", "No"}
    stages = {c.value for c in _column(sheet, "Life-cycle stage")}
    assert "Operation & monitoring" in stages
    retired = _column(sheet, "Retired on")
    assert any(c.value is None for c in retired)  # a blank is an empty cell, not "NaT"
    for letter, dimension in sheet.column_dimensions.items():
        assert spreadsheets.MIN_WIDTH <= dimension.width <= spreadsheets.MAX_WIDTH, letter
    purpose = sheet.column_dimensions["C"].width
    assert purpose > sheet.column_dimensions["A"].width  # long text gets the room


def test_soa_sheet_lists_the_risk_ids_each_control_treats_and_dates_typed(
        demo_db: Database) -> None:
    frame = soa.export_frame(demo_db)
    sheet = _sheet(frame, "Statement of Applicability")
    treated = dict(demo_db.query_rows(
        "SELECT rc.control_id, list_sort(list(DISTINCT r.id)) FROM risk_controls rc "
        "JOIN risks r ON r.id = rc.risk_id WHERE r.status <> 'closed' GROUP BY ALL"))
    assert treated
    for id_cell, risks_cell in zip(_column(sheet, "ID"), _column(sheet, "Risks treated"),
                                   strict=True):
        expected = treated.get(id_cell.value)
        shown = risks_cell.value
        assert (shown is None) == (expected is None), id_cell.value
        if expected:
            assert [int(n) for n in re.findall(r"#(\d+)", shown)] == expected
    for header in ("Evidence expires", "Last reviewed", "Target date"):
        cells = [c for c in _column(sheet, header) if c.value is not None]
        assert cells, header
        assert all(c.is_date for c in cells), header
    version = soa.export_frame(demo_db, 1)  # an approved version's dates come from text
    assert pd.api.types.is_datetime64_any_dtype(version["Last reviewed"])


def test_title_and_text_cells_are_defused() -> None:
    frame = pd.DataFrame({"Name": ["=HYPERLINK(\"http://x\")", "plain"], "Count": [3, None]})
    sheet = _sheet(frame, "Sheet", organisation="=evil()")
    assert sheet["A1"].value.startswith("'=")
    assert sheet["A3"].value.startswith("'=") and sheet["A3"].data_type == "s"
    assert sheet["B3"].value == 3 and sheet["B4"].value is None


def test_a_timestamp_with_a_time_stays_a_date_and_time() -> None:
    value, number_format = spreadsheets.cell_value(pd.Timestamp("2026-11-22 14:30"))
    assert value == datetime(2026, 11, 22, 14, 30) and number_format == "yyyy-mm-dd hh:mm"
    assert spreadsheets.cell_value(pd.NA) == (None, None)
    assert spreadsheets.cell_value(pd.NaT) == (None, None)


# Files that are not a register's rows: a template to fill in, database backups, the
# archive of every table, the frozen management-review pack and the self-assessment report.
NOT_REGISTER_FILES = {"kpi_entry.py", "backups.py", "data_transfer.py", "management_review.py",
                      "self_assessment_results.py"}


def test_every_register_view_exports_through_the_one_helper() -> None:
    """Register rows leave through ui/downloads (spreadsheet_downloads, register_files), where
    the export permission and the defused, titled layout are; no view builds its own."""
    own = {path.name for path in (ROOT / "aims_core/ui/views").glob("*.py")
           if "download_button(" in path.read_text()}
    assert own <= NOT_REGISTER_FILES, own - NOT_REGISTER_FILES
    transfer = (ROOT / "aims_core/ui/views/data_transfer.py").read_text()
    assert transfer.count("download_button(") == 1 and "export_archive" in transfer
