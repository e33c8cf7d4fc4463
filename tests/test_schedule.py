"""The schedule lists every due date of every register that has one, and nothing else."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from aims_core.auth.actor import Actor
from aims_core.compliance.soa import SOA_ROWS_SQL
from aims_core.dashboard.schedule import KINDS, due_dates
from aims_core.inventory.revalidation import revalidation_schedule
from aims_core.records.writes import RowChange, apply_changes
from aims_core.storage.database import Database
from tests.conftest import ANA, TODAY


def _rows(frame: pd.DataFrame, kind: str) -> set[tuple[str, date]]:
    part = frame[frame["kind"] == kind]
    return set(zip(part["link"], part["due_on"], strict=True))


def test_rows_equal_the_source_registers_dates(demo_db: Database) -> None:
    items = due_dates(demo_db, TODAY)
    assert set(items["kind"]) == set(KINDS)
    reviews = demo_db.query_rows("SELECT id, review_date FROM risks WHERE status <> 'closed' "
                                 "AND review_date IS NOT NULL")
    assert _rows(items, "Risk review") == {(f"risks?risk={i}", d) for i, d in reviews}
    accepted = demo_db.query_rows(
        "SELECT r.id, arg_max(a.expires_on, a.approved_on) FROM risks r "
        "LEFT JOIN risk_acceptances a ON a.risk_id = r.id WHERE r.status = 'accepted' "
        "GROUP BY r.id")
    assert _rows(items, "Risk acceptance") == {(f"risks?risk={i}", d or TODAY)
                                               for i, d in accepted}
    assessments = demo_db.query_rows("SELECT id, next_review FROM impact_assessments")
    assert _rows(items, "Impact assessment review") == {
        (f"impact_assessments?assessment={i}", d) for i, d in assessments}
    suppliers = demo_db.query_rows("SELECT name, next_review FROM suppliers "
                                   "WHERE next_review IS NOT NULL")
    part = items[items["kind"] == "Supplier review"]
    assert set(zip(part["item"], part["due_on"], strict=True)) == set(suppliers)
    controls = {
        "Evidence expiry": f"SELECT control_id, evidence_expiry FROM ({SOA_ROWS_SQL}) "
                           "WHERE applicable AND evidence_expiry IS NOT NULL",
        "Control review": "SELECT control_id, CAST(last_reviewed + INTERVAL 12 MONTH AS DATE) "
                          "FROM soa WHERE applicable AND last_reviewed IS NOT NULL",
        "Control target date": "SELECT control_id, target_date FROM soa WHERE applicable "
                               "AND implementation_status <> 'implemented' "
                               "AND target_date IS NOT NULL"}
    for kind, sql in controls.items():
        part = items[items["kind"] == kind]
        shown = {(item.split(" ")[0], due) for item, due in zip(part["item"], part["due_on"],
                                                                 strict=True)}
        assert shown == set(demo_db.query_rows(sql)), kind
        assert part["link"].str.match(r"soa\?soa_objective=A\.\d+%20").all()
    measured = items[items["kind"] == "KPI measurement"]
    assert len(measured) == demo_db.scalar("SELECT count(*) FROM kpis WHERE kind = 'measured'")
    validations = revalidation_schedule(demo_db, TODAY)
    assert len(items[items["kind"] == "Re-validation"]) == len(validations)
    assert int(items.loc[items["kind"] == "Re-validation", "overdue"].sum()) == \
        int(validations["overdue"].sum())


def test_overdue_first_then_by_date(demo_db: Database) -> None:
    items = due_dates(demo_db, TODAY)
    overdue = list(items["overdue"])
    assert overdue == sorted(overdue, reverse=True)
    for flag in (True, False):
        dates = list(items.loc[items["overdue"] == flag, "due_on"])
        assert dates == sorted(dates)
    assert (items["overdue"] == (items["due_on"] < TODAY)).loc[
        items["kind"] != "Re-validation"].all()


def test_closed_risk_leaves_the_schedule(demo_db: Database) -> None:
    risk_id, version = demo_db.query_rows(
        "SELECT id, version FROM risks WHERE status = 'open' ORDER BY id LIMIT 1")[0]
    assert f"risks?risk={risk_id}" in set(due_dates(demo_db, TODAY)["link"])
    assert apply_changes(demo_db, "risks", [RowChange("update", {"status": "closed"},
                                                      row_id=risk_id,
                                                      expected_version=version)], Actor("A")).ok
    assert f"risks?risk={risk_id}" not in set(due_dates(demo_db, TODAY)["link"])


def test_a_kpi_is_due_one_period_after_its_latest_value(db: Database) -> None:
    assert apply_changes(db, "kpis", [RowChange("insert", {
        "name": "Drift (PSI)", "direction": "lower", "frequency": "monthly", "owner": "Ana",
        "kind": "measured"})], ANA).ok
    kpi_id = db.scalar("SELECT id FROM kpis")
    due = due_dates(db, TODAY)
    assert due[["item", "due_on"]].values.tolist() == [["Drift (PSI)", TODAY]]  # never measured
    assert apply_changes(db, "kpi_measurements", [RowChange("insert", {
        "kpi_id": kpi_id, "measured_on": date(2026, 1, 31), "value": 0.1,
        "source": "entered"})], ANA).ok
    due = due_dates(db, TODAY)
    assert due["due_on"].tolist() == [date(2026, 2, 28)] and due["overdue"].all()


def test_empty_organisation_has_nothing_due(db: Database) -> None:
    assert due_dates(db, TODAY + timedelta(days=1)).empty
