"""Re-validation due dates: tiers, month ends, leap years, never validated."""

from __future__ import annotations

from datetime import date

import pytest

from aims_core.revalidation import revalidation_schedule
from aims_core.storage.database import Database
from aims_core.writes import RowChange, apply_changes


def system(db: Database, category: str = "minimal", stage: str = "operation") -> int:
    result = apply_changes(db, "ai_systems", [RowChange("insert", {
        "name": f"S-{category}-{stage}", "owner": "Ana", "sourcing": "built",
        "lifecycle_stage": stage, "eu_ai_act_category": category})], "Ana")
    assert result.ok, result.errors
    return result.inserted[0]


def validate(db: Database, system_id: int, on: date) -> None:
    assert apply_changes(db, "validations", [RowChange("insert", {
        "ai_system_id": system_id, "validated_on": on, "validated_by": "Ana",
        "result": "pass"})], "Ana").ok


def risk(db: Database, system_id: int, likelihood: int, impact: int) -> None:
    assert apply_changes(db, "risks", [RowChange("insert", {
        "ai_system_id": system_id, "title": "r", "owner": "Ana", "status": "open",
        "inherent_likelihood": likelihood, "inherent_impact": impact})], "Ana").ok


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
