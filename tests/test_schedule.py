"""The schedule lists every due date of every register that has one, and nothing else; its
counts, pages and timeline, computed in DuckDB, equal the unpaged truth."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta

import pandas as pd
import pytest

from aims_core.auth.actor import Actor
from aims_core.bootstrap import generate_into, open_database
from aims_core.compliance.soa import SOA_ROWS_SQL
from aims_core.dashboard.schedule import KINDS, DueCounts, DueFilter, listing, page
from aims_core.inventory.revalidation import revalidation_schedule
from aims_core.records.writes import RowChange, apply_changes
from aims_core.storage.database import Database
from tests.conftest import ANA, TODAY
from tests.schedule_truth import every_due_date, filtered


def due_dates(db: Database, today: date) -> pd.DataFrame:
    """Every listed row as the module pages them (no limit)."""
    return page(db, today, DueFilter(), limit=None)


def _rows(frame: pd.DataFrame, kind: str) -> set[tuple[str, date]]:
    part = frame[frame["kind"] == kind]
    return set(zip(part["link"], part["due_on"], strict=True))


def test_every_row_of_every_source_in_order(demo_db: Database) -> None:
    assert due_dates(demo_db, TODAY).equals(every_due_date(demo_db, TODAY))


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
    revalidations = items[items["kind"] == "Re-validation"]  # due now from their due day
    assert (revalidations["overdue"] == (revalidations["due_on"] <= TODAY)).all()


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


# --- counts, pages and timeline against the unpaged truth, on a generated organisation ----

@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    database = open_database(tmp_path_factory.mktemp("schedule") / "generated.duckdb")
    generate_into(database, 150, anchor=TODAY)
    yield database
    database.close()


def _owner(db: Database) -> str:
    return db.scalar("SELECT owner FROM risks GROUP BY owner ORDER BY count(*) DESC LIMIT 1")


FILTERS = [DueFilter(), DueFilter(horizon=0), DueFilter(horizon=30),
           DueFilter(kinds=("Risk review", "Re-validation"), horizon=90),
           DueFilter(kinds=("Risk acceptance",)), DueFilter(kinds=("No such kind",))]


def test_generated_organisation_has_thousands_of_due_dates(generated: Database) -> None:
    truth = every_due_date(generated, TODAY)
    assert len(truth) > 3000 and truth["overdue"].any() and not truth["overdue"].all()
    assert set(truth["kind"]) >= {"Re-validation", "Risk review", "KPI measurement"}


@pytest.mark.parametrize("filters", FILTERS, ids=repr)
def test_counts_and_kinds_equal_the_truth(generated: Database, filters: DueFilter) -> None:
    truth = every_due_date(generated, TODAY)
    for chosen in (filters, replace(filters, owner=_owner(generated))):
        every = filtered(truth, TODAY, chosen, listed=False)
        listed = filtered(truth, TODAY, chosen)
        shown = listing(generated, TODAY, chosen, limit=0)
        upcoming = every[~every["overdue"]]
        assert shown.counts == DueCounts(
            total=len(every), listed=len(listed), overdue=int(every["overdue"].sum()),
            next_7_days=int((upcoming["due_on"] <= TODAY + timedelta(days=7)).sum()),
            next_30_days=int((upcoming["due_on"] <= TODAY + timedelta(days=30)).sum()))
        expected = listed.groupby("kind", sort=False).agg(
            overdue=("overdue", "sum"), items=("item", "size"))
        assert dict(zip(shown.by_kind["kind"], zip(shown.by_kind["overdue"],
                                                    shown.by_kind["items"], strict=True),
                        strict=True)) == {k: (int(r["overdue"]), int(r["items"]))
                                          for k, r in expected.iterrows()}
        assert list(shown.by_kind["kind"]) == [k for k in KINDS if k in set(listed["kind"])]


@pytest.mark.parametrize("filters", FILTERS[:4], ids=repr)
def test_pages_put_together_equal_the_truth(generated: Database, filters: DueFilter) -> None:
    expected = filtered(every_due_date(generated, TODAY), TODAY, filters)
    size, pages = 500, []
    for offset in range(0, len(expected), size):
        part = listing(generated, TODAY, filters, offset, size)
        assert part.offset == offset and part.counts.listed == len(expected)
        pages.append(part.rows)
    assert pd.concat(pages, ignore_index=True).equals(expected)
    assert listing(generated, TODAY, filters, len(expected), size).rows.empty  # past the end
    assert page(generated, TODAY, filters, limit=None).equals(expected)


def test_timeline_keeps_the_most_overdue_and_the_next_due(generated: Database) -> None:
    filters = DueFilter(horizon=90)
    expected = filtered(every_due_date(generated, TODAY), TODAY, filters)
    timeline = listing(generated, TODAY, filters, timeline_rows=40).timeline
    late, soon = expected[expected["overdue"]], expected[~expected["overdue"]]
    assert len(late) > 40 and len(soon) > 20  # a backlog: half the rows for each
    assert timeline.equals(pd.concat([late.head(20), soon.head(20)], ignore_index=True))
    few = listing(generated, TODAY, DueFilter(kinds=("Control review",)), timeline_rows=40)
    assert len(few.timeline) == few.counts.listed <= 40  # every row when they fit
