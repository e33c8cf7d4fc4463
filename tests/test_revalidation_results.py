"""A failed or conditional validation leaves the system due now, flagged, with the reason,
until a passing validation is recorded; the schedule, the Overview tile and the KPI follow."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from aims_core.dashboard.overview import headline
from aims_core.dashboard.schedule import page
from aims_core.inventory.revalidation import overdue_count, revalidation_schedule
from aims_core.records.writes import RowChange, apply_changes
from aims_core.storage.database import Database
from aims_core.ui.session import get_db
from aims_core.ui.text import md_unescape
from tests.apptest_kit import open_page
from tests.conftest import ANA
from tests.test_revalidation import system

TODAY = date(2026, 11, 22)


def validate(db: Database, system_id: int, on: date, result: str,
             notes: str | None = None) -> None:
    assert apply_changes(db, "validations", [RowChange("insert", {
        "ai_system_id": system_id, "validated_on": on, "validated_by": "Ana",
        "result": result, "notes": notes})], ANA).ok


def row(db: Database, system_id: int):
    schedule = revalidation_schedule(db, TODAY)
    return schedule[schedule["ai_system_id"] == system_id].iloc[0]


def test_a_failed_validation_leaves_the_system_due_now_with_the_reason(db: Database) -> None:
    sid = system(db)
    validate(db, sid, date(2026, 6, 1), "pass")
    assert not bool(row(db, sid)["overdue"])
    validate(db, sid, date(2026, 10, 1), "fail", "recall 0.71 below 0.80")
    found = row(db, sid)
    assert bool(found["overdue"]) and bool(found["due_now"]) and bool(found["failed_validation"])
    assert found["reason"] == ("Due now: Validation failed (recall 0.71 below 0.80) on "
                               "2026-10-01, after the last passing validation; due until a "
                               "validation passes")
    assert str(found["last_validated"])[:10] == "2026-06-01"  # the clock stays at the pass


def test_a_conditional_validation_is_not_a_pass(db: Database) -> None:
    sid = system(db)
    validate(db, sid, date(2026, 9, 1), "conditional")
    found = row(db, sid)
    assert bool(found["due_now"]) and "passed only with conditions" in found["reason"]
    assert "after the system went live" in found["reason"]  # no pass ever recorded


def test_a_passing_validation_clears_it_and_restarts_the_clock(db: Database) -> None:
    sid = system(db)
    validate(db, sid, date(2026, 9, 1), "fail")
    validate(db, sid, date(2026, 10, 15), "pass")
    found = row(db, sid)
    assert not bool(found["overdue"]) and not bool(found["failed_validation"])
    assert str(found["next_due"])[:10] == "2028-10-15"  # low tier: 24 months after the pass


def test_schedule_overview_tile_and_kpi_count_it(db: Database) -> None:
    sid = system(db)
    validate(db, sid, date(2026, 11, 1), "pass")
    assert overdue_count(db, TODAY) == 0
    validate(db, sid, date(2026, 11, 10), "fail")
    assert overdue_count(db, TODAY) == 1
    assert headline(db, TODAY).overdue_validations == 1  # tile and revalidations_overdue KPI
    items = page(db, TODAY, limit=None)
    due = items[items["kind"] == "Re-validation"].iloc[0]
    assert bool(due["overdue"]) and "Validation failed" in due["reason"]


def test_recording_a_failed_validation_on_the_page_says_it_stays_due(demo_path: Path) -> None:
    at = open_page("pages/ai_systems.py", "Priya Shah")
    system_id = int(get_db().scalar("SELECT id FROM ai_systems WHERE name = "
                                    "'CreditLens credit scoring'"))
    at.selectbox(key="system_detail_choice").set_value(system_id).run()
    prefix = f"validation_{system_id}"
    at.selectbox(key=f"{prefix}_result").set_value("fail")
    at.text_area(key=f"{prefix}_notes").input("Disparate impact ratio 0.71")
    at.button(key=f"FormSubmitter:{prefix}-Save validation").click().run()
    assert not at.exception, at.exception
    assert any("stays due now until a passing validation" in w.value for w in at.warning)
    assert any("Validation failed (Disparate impact ratio 0.71)" in md_unescape(e.value)
               for e in at.error)
