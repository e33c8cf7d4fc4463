"""Re-validation due dates: tiers, month ends, leap years, never validated."""

from __future__ import annotations

from datetime import date

import pytest

from aims_core.inventory.revalidation import revalidation_schedule
from aims_core.records.writes import RowChange, apply_changes
from aims_core.storage.database import Database
from tests.conftest import ANA


def system(db: Database, category: str = "minimal", stage: str = "operation") -> int:
    result = apply_changes(db, "ai_systems", [RowChange("insert", {
        "name": f"S-{category}-{stage}", "owner": "Ana", "sourcing": "built",
        "lifecycle_stage": stage, "eu_ai_act_category": category})], ANA)
    assert result.ok, result.errors
    return result.inserted[0]


def validate(db: Database, system_id: int, on: date) -> None:
    assert apply_changes(db, "validations", [RowChange("insert", {
        "ai_system_id": system_id, "validated_on": on, "validated_by": "Ana",
        "result": "pass"})], ANA).ok


def risk(db: Database, system_id: int, likelihood: int, impact: int) -> None:
    assert apply_changes(db, "risks", [RowChange("insert", {
        "ai_system_id": system_id, "title": "r", "owner": "Ana", "status": "open",
        "inherent_likelihood": likelihood, "inherent_impact": impact})], ANA).ok


def row(db: Database, system_id: int, today: date = date(2026, 11, 22)):
    schedule = revalidation_schedule(db, today)
    return schedule[schedule["ai_system_id"] == system_id].iloc[0]


@pytest.mark.parametrize(
    ("last", "expected"),
    [(date(2026, 1, 31), date(2026, 7, 31)),
     (date(2024, 8, 31), date(2025, 2, 28)),   # month end clamps
     (date(2023, 8, 29), date(2024, 2, 29)),   # leap day
     (date(2023, 8, 31), date(2024, 2, 29))],
)
def test_high_risk_interval_and_month_ends(db: Database, last: date, expected: date) -> None:
    sid = system(db, "high_risk")
    validate(db, sid, last)
    found = row(db, sid)
    assert found["next_due"].date() == expected if hasattr(found["next_due"], "date") \
        else found["next_due"] == expected
    assert found["risk_tier"] == "eu_high_risk" and found["interval_months"] == 6


@pytest.mark.parametrize(("likelihood", "impact", "tier", "months"),
                         [(5, 5, "critical", 6), (3, 4, "high", 12), (2, 3, "medium", 12),
                          (1, 1, "low", 24)])
def test_tier_follows_worst_open_risk(db: Database, likelihood: int, impact: int, tier: str,
                                      months: int) -> None:
    sid = system(db)
    risk(db, sid, likelihood, impact)
    risk(db, sid, 1, 1)
    validate(db, sid, date(2026, 6, 1))
    found = row(db, sid)
    assert (found["risk_tier"], found["interval_months"]) == (tier, months)


def test_no_risk_means_low_tier(db: Database) -> None:
    sid = system(db)
    validate(db, sid, date(2026, 6, 1))
    assert row(db, sid)["risk_tier"] == "low"


def test_never_validated_is_overdue_now(db: Database) -> None:
    sid = system(db)
    found = row(db, sid)
    assert bool(found["overdue"]) and found["reason"] == "Never validated"


def test_overdue_reason_names_the_dates(db: Database) -> None:
    sid = system(db, "high_risk")
    validate(db, sid, date(2025, 1, 15))
    found = row(db, sid)
    assert bool(found["overdue"])
    assert "2025-01-15" in found["reason"] and "2025-07-15" in found["reason"]


def test_design_and_retired_systems_are_not_scheduled(db: Database) -> None:
    design = system(db, stage="design")
    schedule = revalidation_schedule(db, date(2026, 11, 22))
    assert design not in set(schedule["ai_system_id"])


def update_system(db: Database, system_id: int, **values: object) -> None:
    version = db.scalar("SELECT version FROM ai_systems WHERE id = ?", [system_id])
    assert apply_changes(db, "ai_systems", [RowChange("update", values, row_id=system_id,
                                                      expected_version=version)], ANA).ok


def test_model_version_change_after_validation_makes_it_due_now(db: Database) -> None:
    sid = system(db)
    validate(db, sid, date(2026, 6, 1))
    assert not bool(row(db, sid)["overdue"])
    update_system(db, sid, model_version="2.0")  # logged today, after the validation
    found = row(db, sid, today=date.today())
    assert bool(found["overdue"]) and bool(found["due_now"])
    assert "Model version changed from – to 2.0" in found["reason"]


def test_stage_change_trigger_and_a_new_validation_clears_it(db: Database) -> None:
    sid = system(db, stage="validation")
    validate(db, sid, date(2026, 1, 10))
    update_system(db, sid, lifecycle_stage="operation")
    assert "Life-cycle stage changed from validation to operation" in \
        row(db, sid, today=date.today())["reason"]
    validate(db, sid, date.today())  # a validation on the day of the change clears it
    assert not bool(row(db, sid, today=date.today())["due_now"])


def test_kpi_breach_makes_linked_system_due_now(db: Database) -> None:
    sid = system(db)
    validate(db, sid, date(2026, 6, 1))
    kpi = apply_changes(db, "kpis", [RowChange("insert", {
        "name": "AUC", "direction": "higher", "red_threshold": 0.7, "kind": "measured",
        "ai_system_id": sid})], ANA).inserted[0]

    def measure(on: date, value: float) -> None:
        assert apply_changes(db, "kpi_measurements", [RowChange("insert", {
            "kpi_id": kpi, "measured_on": on, "value": value, "source": "entered"})], ANA).ok

    measure(date(2026, 7, 1), 0.75)
    assert not bool(row(db, sid)["due_now"])
    measure(date(2026, 8, 1), 0.65)
    found = row(db, sid)
    assert bool(found["due_now"]) and 'KPI "AUC" is beyond its red threshold' in found["reason"]
    measure(date(2026, 9, 1), 0.78)  # back above the threshold: the latest value counts
    assert not bool(row(db, sid)["due_now"])
