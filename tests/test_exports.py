"""Inventory export: readable labels, triage reasoning, spreadsheet formula injection defused."""

from __future__ import annotations

import io
import json

import openpyxl
import pandas as pd

from aims_core.inventory import exports
from aims_core.records.writes import RowChange, apply_batches, apply_changes
from aims_core.storage import spreadsheets
from aims_core.storage.database import Database
from tests.conftest import ANA


def test_defuse_prefixes_formula_text_only() -> None:
    assert spreadsheets.defuse("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert spreadsheets.defuse("@SUM(A1)") == "'@SUM(A1)"
    assert spreadsheets.defuse("Plain text") == "Plain text"
    assert spreadsheets.defuse(42) == 42


def test_inventory_export_has_reasoning_and_is_defused(db: Database) -> None:
    system = apply_changes(db, "ai_systems", [RowChange("insert", {
        "name": "=cmd|' /C calc'!A0", "owner": "Ana", "sourcing": "api",
        "lifecycle_stage": "operation", "eu_ai_act_category": "not_assessed"})], ANA)
    sid = system.inserted[0]
    assert apply_batches(db, [("triage_assessments", [RowChange("insert", {
        "ai_system_id": sid, "assessed_on": "2026-11-01", "assessed_by": "Ana",
        "answers_json": json.dumps({}), "category": "transparency",
        "reasoning": "Art. 50: the system interacts directly with people."})])], ANA).ok
    frame = exports.inventory(db)
    assert frame.loc[0, "Sourcing"] == "Third-party API"
    assert frame.loc[0, "Triage reasoning"].startswith("Art. 50")

    text = spreadsheets.to_csv_bytes(frame).decode("utf-8-sig")
    parsed = pd.read_csv(io.StringIO(text))
    assert parsed.loc[0, "Name"] == "'=cmd|' /C calc'!A0"
    assert "Triage reasoning" in parsed.columns

    book = openpyxl.load_workbook(io.BytesIO(spreadsheets.to_excel_bytes(frame, "AI inventory")))
    sheet = book["AI inventory"]
    header = [c.value for c in sheet[2]]  # under the title row
    assert sheet.cell(row=3, column=header.index("Name") + 1).value.startswith("'=")
    assert sheet.max_row == 3
