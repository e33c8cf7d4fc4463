"""What the improvement tests share: an AI system with a triage, and registers filled
through the one write path (as Ana, on the empty ``db`` fixture)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from aims_core.demo.inventory import TRIAGE_ANSWERS
from aims_core.improvement import actions
from aims_core.inventory import triage
from aims_core.records.writes import RowChange, WriteResult, apply_changes
from aims_core.storage.database import Database
from tests.conftest import ANA, TODAY

# Triage answers of the demo archetypes (kept current with the questionnaire by the demo).
PROVIDER_HIGH_RISK = TRIAGE_ANSWERS[0]  # credit scoring, built and used: provider and deployer
DEPLOYER_HIGH_RISK = TRIAGE_ANSWERS[1]  # bought CV screening: deployer only
NOT_HIGH_RISK = TRIAGE_ANSWERS[2]  # chatbot on an API: transparency obligations


def ok(result: WriteResult) -> WriteResult:
    assert result.ok, [str(p) for p in result.errors + result.conflicts]
    return result


def insert(db: Database, table: str, **values: Any) -> int:
    return ok(apply_changes(db, table, [RowChange("insert", values)], ANA)).inserted[0]


def update(db: Database, table: str, row_id: int, **values: Any) -> WriteResult:
    version = db.scalar(f"SELECT version FROM {table} WHERE id = ?", [row_id])
    return apply_changes(db, table, [RowChange("update", values, row_id=row_id,
                                               expected_version=version)], ANA)


def system(db: Database, answers: dict | None = None, name: str = "Scorer",
           validated_on: date | None = None) -> int:
    """An AI system in operation, triaged with ``answers`` (none: not triaged)."""
    category = triage.triage(answers).category if answers else "not_assessed"
    system_id = insert(db, "ai_systems", name=name, owner="Ben", sourcing="built",
                       lifecycle_stage="operation", eu_ai_act_category=category)
    if answers:
        add_triage(db, system_id, answers)
    if validated_on:
        insert(db, "validations", ai_system_id=system_id, validated_on=validated_on,
               validated_by="Cleo", result="pass")
    return system_id


def add_triage(db: Database, system_id: int, answers: dict,
               assessed_on: date = date(2026, 1, 10)) -> None:
    result = triage.triage(answers)
    insert(db, "triage_assessments", ai_system_id=system_id, assessed_on=assessed_on,
           assessed_by="Ana", answers_json=json.dumps(answers), category=result.category,
           annex_iii_area=result.annex_iii_area, reasoning=result.reasoning_text())


def incident(db: Database, system_id: int | None, detected_on: date = TODAY,
             **values: Any) -> int:
    return insert(db, "incidents", **{
        "ai_system_id": system_id, "title": "Wrong declines", "detected_on": detected_on,
        "owner": "Ben", "severity": "high", "harm_type": "discrimination", "status": "open",
        **values})


def audit(db: Database, **values: Any) -> int:
    return insert(db, "audits", **{"title": "Annex A.6 audit", "planned_on": TODAY,
                                   "lead_auditor": "Cleo", "status": "planned", **values})


def finding(db: Database, audit_id: int, finding_type: str = "major",
            requirement_id: str | None = "A.6.2.4", **values: Any) -> int:
    return insert(db, "audit_findings", **{
        "audit_id": audit_id, "finding_type": finding_type, "requirement_id": requirement_id,
        "description": "Validation did not re-test fairness", "evidence": "VAL-7", **values})


def nonconformity(db: Database, **values: Any) -> int:
    return insert(db, "nonconformities", **{
        "title": "Documentation out of date", "grade": "major", "source": "other",
        "requirement_id": "A.6.2.4", "owner": "Bo", "raised_on": TODAY, "status": "open",
        **values})


def new_action(db: Database, title: str = "Fix", owner: str | None = "Bo",
               due_on: date | None = TODAY, source: str = "other", source_id: int | None = None,
               **values: Any) -> WriteResult:
    """An action created today (the test's today) through the actions API."""
    return actions.create(db, ANA, title, owner, due_on, source, source_id, created_on=TODAY,
                          **values)
