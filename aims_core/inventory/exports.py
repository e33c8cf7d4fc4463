"""The AI inventory as an auditor reads it: labels, supplier names, the latest triage (roles,
reasoning, whether it is to be re-checked)."""

from __future__ import annotations

import pandas as pd

from aims_core.inventory.registers import EU_AI_ACT_CATEGORIES, LIFECYCLE_STAGES, SOURCING
from aims_core.inventory.triage_records import LATEST_TRIAGE_SQL
from aims_core.storage.database import Database

INVENTORY_SQL = f"""
    SELECT s.id, s.name, s.purpose, s.owner, s.department, s.sourcing, p.name AS supplier,
           s.lifecycle_stage, s.model_version, s.eu_ai_act_category, s.annex_iii_area,
           s.annex_iii_point, s.personal_data, s.automated_decisions, s.human_oversight,
           s.affected_people, s.created_on, s.retired_on, t.assessed_on AS triage_date,
           t.assessed_by AS triaged_by, t.roles AS triage_roles,
           t.reasoning AS triage_reasoning, t.recheck AS triage_recheck
    FROM ai_systems s
    LEFT JOIN suppliers p ON p.id = s.supplier_id
    LEFT JOIN ({LATEST_TRIAGE_SQL}) t ON t.ai_system_id = s.id
    ORDER BY s.id
"""


def inventory(db: Database) -> pd.DataFrame:
    """The AI system inventory with labels and the latest EU AI Act triage reasoning."""
    frame = db.query_df(INVENTORY_SQL)
    frame["sourcing"] = frame["sourcing"].map(SOURCING).fillna(frame["sourcing"])
    frame["lifecycle_stage"] = frame["lifecycle_stage"].map(LIFECYCLE_STAGES)\
        .fillna(frame["lifecycle_stage"])
    frame["eu_ai_act_category"] = frame["eu_ai_act_category"].map(EU_AI_ACT_CATEGORIES)\
        .fillna(frame["eu_ai_act_category"])
    return frame
