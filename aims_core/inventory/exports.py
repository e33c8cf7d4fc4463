"""Spreadsheet exports that are safe to open: formula injection defused, labels readable."""

from __future__ import annotations

import io

import pandas as pd

from aims_core.inventory.registers import EU_AI_ACT_CATEGORIES, LIFECYCLE_STAGES, SOURCING
from aims_core.storage.database import Database

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

INVENTORY_SQL = """
    SELECT s.id, s.name, s.purpose, s.owner, s.department, s.sourcing, p.name AS supplier,
           s.lifecycle_stage, s.model_version, s.eu_ai_act_category, s.annex_iii_area,
           s.personal_data, s.automated_decisions, s.human_oversight, s.affected_people,
           s.created_on, s.retired_on, t.assessed_on AS triage_date, t.assessed_by AS triaged_by,
           t.reasoning AS triage_reasoning
    FROM ai_systems s
    LEFT JOIN suppliers p ON p.id = s.supplier_id
    LEFT JOIN (SELECT * FROM triage_assessments
               QUALIFY row_number() OVER (PARTITION BY ai_system_id
                                          ORDER BY assessed_on DESC, id DESC) = 1) t
           ON t.ai_system_id = s.id
    ORDER BY s.id
"""


def defuse(value: object) -> object:
    """Prefix text a spreadsheet would run as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def defused(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(defuse).astype(object)
    return out


def inventory(db: Database) -> pd.DataFrame:
    """The AI system inventory with labels and the latest EU AI Act triage reasoning."""
    frame = db.query_df(INVENTORY_SQL)
    frame["sourcing"] = frame["sourcing"].map(SOURCING).fillna(frame["sourcing"])
    frame["lifecycle_stage"] = frame["lifecycle_stage"].map(LIFECYCLE_STAGES)\
        .fillna(frame["lifecycle_stage"])
    frame["eu_ai_act_category"] = frame["eu_ai_act_category"].map(EU_AI_ACT_CATEGORIES)\
        .fillna(frame["eu_ai_act_category"])
    return frame


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    return defused(frame).to_csv(index=False).encode("utf-8-sig")


def to_excel_bytes(frame: pd.DataFrame, sheet: str) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        defused(frame).to_excel(writer, sheet_name=sheet[:31], index=False)
        worksheet = writer.sheets[sheet[:31]]
        worksheet.freeze_panes = "B2"
        for cells in worksheet.columns:
            width = max((len(str(c.value)) for c in cells if c.value is not None), default=8)
            worksheet.column_dimensions[cells[0].column_letter].width = min(60, max(10, width))
    return buffer.getvalue()
