"""The AI inventory as an auditor reads it: labels, supplier names, the latest triage (roles,
reasoning, whether it is to be re-checked)."""

from __future__ import annotations

import pandas as pd

from aims_core.inventory.registers import AI_SYSTEMS
from aims_core.inventory.triage_questionnaire import ROLE_NAMES
from aims_core.inventory.triage_records import LATEST_TRIAGE_SQL
from aims_core.records.fields import split_codes
from aims_core.records.labels import for_people
from aims_core.storage.database import Database

INVENTORY_SQL = f"""
    SELECT s.id, s.name, s.purpose, s.owner, s.department, s.sourcing, p.name AS supplier_id,
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


# The triage's columns after the register's own, under the names people read.
TRIAGE_COLUMNS = {"triage_date": "Triaged on", "triaged_by": "Triaged by",
                  "triage_roles": "Roles (EU AI Act)", "triage_reasoning": "Triage reasoning",
                  "triage_recheck": "Triage to re-check"}


def inventory(db: Database) -> pd.DataFrame:
    """The AI system inventory with human headers, labels, the supplier's name and the latest
    EU AI Act triage reasoning."""
    frame = for_people(AI_SYSTEMS, db.query_df(INVENTORY_SQL), TRIAGE_COLUMNS)
    roles = TRIAGE_COLUMNS["triage_roles"]
    frame[roles] = [", ".join(ROLE_NAMES.get(code, code) for code in split_codes(stored))
                    if isinstance(stored, str) else None for stored in frame[roles]]
    return frame
