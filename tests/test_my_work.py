"""My work: one person's due items and owned rows, checked against SQL and the Schedule."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from aims_core.dashboard import my_work
from aims_core.storage.database import Database
from aims_core.ui.session import get_db
from aims_core.ui.session import today as session_today
from tests.apptest_kit import open_page
from tests.conftest import TODAY
from tests.schedule_truth import every_due_date as due_dates

PEOPLE = ("Priya Shah", "Tom Becker")


@pytest.mark.parametrize("person", PEOPLE)
def test_due_items_equal_the_schedules_only_mine(demo_db: Database, person: str) -> None:
    mine = my_work.due(demo_db, TODAY, person)
    everything = due_dates(demo_db, TODAY)
    expected = everything[everything["owner"] == person].reset_index(drop=True)
    assert mine.to_dict("records") == expected.to_dict("records") and len(mine) > 3
    assert list(mine["overdue"]) == sorted(mine["overdue"], reverse=True)  # overdue first
    counts = my_work.counts(demo_db, TODAY, person)
    assert counts.overdue == int(expected["overdue"].sum())
    for days in my_work.HORIZONS:
        assert counts.due_soon[days] == int(
            (~expected["overdue"] & (expected["due_on"] <= TODAY + timedelta(days=days))).sum())


@pytest.mark.parametrize("person", PEOPLE)
def test_due_risk_items_are_the_persons_overdue_reviews_and_acceptances(
        demo_db: Database, person: str) -> None:
    mine = my_work.due(demo_db, TODAY, person)
    reviews = demo_db.query_rows(
        "SELECT '#' || id || ' ' || title FROM risks WHERE owner = ? AND status <> 'closed' "
        "AND review_date < ? ORDER BY 1", [person, TODAY])
    shown = mine[(mine["kind"] == "Risk review") & mine["overdue"]]
    assert sorted(shown["item"]) == [r[0] for r in reviews]


def test_owned_counts_and_rows_per_register(demo_db: Database) -> None:
    counts = my_work.owned_counts(demo_db, "Tom Becker")
    for table, column in (("risks", "owner"), ("ai_systems", "owner"), ("soa", "owner"),
                          ("impact_assessments", "reviewer"), ("kpis", "owner")):
        assert counts[table] == demo_db.scalar(
            f"SELECT count(*) FROM {table} WHERE {column} = 'Tom Becker'")
    rows = my_work.owned_rows(demo_db, "risks", "Tom Becker", limit=5, offset=2)
    expected = [r[0] for r in demo_db.query_rows(
        "SELECT id FROM risks WHERE owner = 'Tom Becker' ORDER BY id LIMIT 5 OFFSET 2")]
    assert list(rows["id"]) == expected and len(expected) == 5
    assert "people" not in counts  # the directory has no owner


@pytest.mark.parametrize("person", PEOPLE)
def test_my_work_page_for_two_people(demo_path: Path, person: str) -> None:
    at = open_page("pages/my_work.py", person)
    assert not at.exception, at.exception
    db = get_db()
    day = session_today()
    expected = due_dates(db, day)
    expected = expected[expected["owner"] == person]
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Overdue"] == str(int(expected["overdue"].sum()))
    assert tiles["Due in the next 30 days"] == str(int(
        (~expected["overdue"] & (expected["due_on"] <= day + timedelta(days=30))).sum()))
    owned = sum(db.scalar(f"SELECT count(*) FROM {t} WHERE {c} = ?", [person]) for t, c in (
        ("ai_systems", "owner"), ("suppliers", "owner"), ("risks", "owner"),
        ("impact_assessments", "reviewer"), ("soa", "owner"), ("clause_status", "owner"),
        ("objectives", "owner"), ("kpis", "owner"), ("incidents", "owner"),
        ("audits", "lead_auditor"), ("nonconformities", "owner"), ("actions", "owner"),
        ("context_issues", "owner"), ("interested_parties", "owner"), ("opportunities", "owner"),
        ("documents", "owner"), ("aims_roles", "holder"), ("training_records", "person")))
    assert tiles["Rows you own"] == str(owned)
    shown = at.dataframe[0].value
    assert list(shown["item"]) == list(expected["item"].head(len(shown)))
    assert set(shown["status"].head(int(expected["overdue"].sum()))) <= {"Overdue"}
    table = at.session_state["_table_my_work_risks"]["frame"]
    assert set(table["owner"]) == {person} and len(table) == min(100, db.scalar(
        "SELECT count(*) FROM risks WHERE owner = ?", [person]))


def test_edit_own_row_in_place_on_my_work(demo_path: Path) -> None:
    at = open_page("pages/my_work.py", "Tom Becker")
    frame = at.session_state["_table_my_work_risks"]["frame"]
    risk_id = int(frame["id"].iloc[0])
    epoch = at.session_state["_table_my_work_risks"]["epoch"]
    at.session_state[f"my_work_risks_editor_{epoch}"] = {
        "edited_rows": {0: {"treatment_plan": "Retrain on the 2026 data"}}, "added_rows": [],
        "deleted_rows": []}
    at.button(key="my_work_risks_save").click().run()
    assert any("1 updated" in s.value for s in at.success), [e.value for e in at.error]
    assert get_db().scalar("SELECT treatment_plan FROM risks WHERE id = ?", [risk_id]) == \
        "Retrain on the 2026 data"
