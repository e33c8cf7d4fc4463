"""KPI status against thresholds, register snapshots, and the KPI-breach re-validation trigger."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from aims_core.auth.actor import Actor
from aims_core.dashboard.overview import headline, kpis_in_red
from aims_core.inventory.revalidation import revalidation_schedule
from aims_core.management_system.training import ai_literacy
from aims_core.performance.kpi_status import status_sql
from aims_core.performance.kpis import kpi_status, record_measurements, take_snapshot
from aims_core.records.writes import RowChange, apply_changes
from aims_core.storage.database import Database
from tests.conftest import ANA, TODAY


def status(db: Database, value: float | None, direction: str, amber: float | None,
           red: float | None) -> str:
    return db.scalar(f"SELECT {status_sql('$v', '$d', '$a', '$r')}",
                     {"v": value, "d": direction, "a": amber, "r": red})


@pytest.mark.parametrize(("value", "expected"), [
    (0.90, "green"), (0.80, "green"), (0.7999, "amber"), (0.72, "amber"), (0.7199, "red"),
    (None, "no_data")])
def test_higher_is_better_boundaries(db: Database, value: float | None, expected: str) -> None:
    assert status(db, value, "higher", 0.80, 0.72) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (0.05, "green"), (0.20, "green"), (0.2001, "amber"), (0.25, "amber"), (0.2501, "red")])
def test_lower_is_better_boundaries(db: Database, value: float, expected: str) -> None:
    assert status(db, value, "lower", 0.20, 0.25) == expected


def test_without_thresholds_there_is_no_rating(db: Database) -> None:
    assert status(db, 3.0, "lower", None, None) == "unrated"
    assert status(db, 30.0, "lower", None, 10.0) == "red"


def kpi(db: Database, **values: object) -> int:
    result = apply_changes(db, "kpis", [RowChange("insert", {
        "name": "KPI", "direction": "higher", "kind": "measured", **values})], ANA)
    assert result.ok, result.errors
    return result.inserted[0]


def test_thresholds_must_get_worse_in_the_direction(db: Database) -> None:
    result = apply_changes(db, "kpis", [RowChange("insert", {
        "name": "PSI", "direction": "lower", "kind": "measured", "target": 0.1,
        "amber_threshold": 0.2, "red_threshold": 0.15})], ANA)
    assert [str(p) for p in result.errors] == [
        "new KPI 1, field 'Red threshold': must be at least the amber threshold (0.2) when "
        "lower is better"]


def test_computed_kpi_needs_a_code_and_measured_has_none(db: Database) -> None:
    result = apply_changes(db, "kpis", [
        RowChange("insert", {"name": "A", "direction": "higher", "kind": "computed"}),
        RowChange("insert", {"name": "B", "direction": "higher", "kind": "measured",
                             "code": "soa_implemented_pct"})], ANA)
    assert [p.field for p in result.errors] == ["Computed from", "Computed from"]


def test_every_computed_code_has_a_figure() -> None:
    from aims_core.performance.kpis import FIGURES
    from aims_core.performance.registers import COMPUTED_KPI_CODES

    assert set(FIGURES) == set(COMPUTED_KPI_CODES)


def computed_kpis(db: Database) -> dict[str, int]:
    return {code: kpi(db, name=code, kind="computed", code=code, direction="lower")
            for code in ("soa_implemented_pct", "high_critical_risks_open",
                         "revalidations_overdue")}


def test_snapshot_twice_a_day_replaces_and_never_duplicates(demo_db: Database) -> None:
    day = TODAY
    first = take_snapshot(demo_db, day, Actor("job"), today=TODAY)
    assert first.write.ok and first.recorded == 4
    rows = demo_db.query_df("SELECT k.code, m.value, m.source, m.version FROM kpi_measurements m "
                            "JOIN kpis k ON k.id = m.kpi_id WHERE m.measured_on = ?", [day])
    figures = headline(demo_db, day)
    assert dict(zip(rows["code"], rows["value"], strict=True)) == {
        "soa_implemented_pct": figures.soa_implemented_pct,
        "high_critical_risks_open": figures.high_critical_open,
        "revalidations_overdue": figures.overdue_validations,
        "ai_literacy_coverage_pct": ai_literacy(demo_db, day).pct}
    logged = demo_db.scalar("SELECT count(*) FROM change_log WHERE table_name = "
                            "'kpi_measurements'")
    again = take_snapshot(demo_db, day, Actor("job"), today=TODAY)
    assert again.write.ok and again.write.changed == 0  # same figures: nothing to rewrite
    assert demo_db.scalar("SELECT count(*) FROM change_log WHERE table_name = "
                          "'kpi_measurements'") == logged

    # A register change between the runs replaces the day's value (update, not insert).
    soa = demo_db.query_rows(  # a control whose evidence and review are current
        "SELECT id, version FROM soa WHERE applicable AND implementation_status <> "
        "'implemented' AND coalesce(evidence_expiry, ?) >= ? AND "
        "coalesce(last_reviewed, ?) >= ? - INTERVAL 12 MONTH ORDER BY id LIMIT 1",
        [day, day, day, day])[0]
    assert apply_changes(demo_db, "soa", [RowChange("update", {
        "implementation_status": "implemented"}, row_id=soa[0], expected_version=soa[1])],
        ANA).ok
    third = take_snapshot(demo_db, day, Actor("job"), today=TODAY)
    assert len(third.write.updated) == 1 and not third.write.inserted
    assert demo_db.scalar("SELECT count(*) FROM kpi_measurements GROUP BY kpi_id, measured_on "
                          "ORDER BY count(*) DESC LIMIT 1") == 1


def test_snapshot_of_an_empty_organisation_skips_the_undefined_share(db: Database) -> None:
    ids = computed_kpis(db)
    result = take_snapshot(db, TODAY, Actor("job"), today=TODAY)
    assert result.write.ok and result.skipped == ["soa_implemented_pct"]
    assert db.scalar("SELECT count(*) FROM kpi_measurements") == 2
    assert db.scalar("SELECT value FROM kpi_measurements WHERE kpi_id = ?",
                     [ids["high_critical_risks_open"]]) == 0


def test_snapshot_cannot_be_dated_in_the_future(db: Database) -> None:
    computed_kpis(db)
    result = take_snapshot(db, date(2030, 1, 1), Actor("job"), today=TODAY)
    assert not result.write.ok and "is in the future" in str(result.write.errors[0])
    assert db.scalar("SELECT count(*) FROM kpi_measurements") == 0


def test_one_value_per_kpi_and_day_is_named_and_enforced_by_the_database(db: Database) -> None:
    import duckdb

    kid = kpi(db)
    row = {"kpi_id": kid, "measured_on": TODAY, "value": 1.0, "source": "entered"}
    assert apply_changes(db, "kpi_measurements", [RowChange("insert", row)], ANA).ok
    again = apply_changes(db, "kpi_measurements", [
        RowChange("insert", {**row, "measured_on": date(2026, 1, 1)}),
        RowChange("insert", {**row, "measured_on": date(2026, 1, 1)}),
        RowChange("insert", row)], ANA)
    assert [str(p) for p in again.errors] == [
        "new KPI measurement 2, field 'Date': repeats the KPI and Date of new KPI measurement 1",
        "new KPI measurement 3, field 'Date': KPI 1, Date 2026-11-22 already exists (KPI "
        "measurement 1): change that row instead, or reload if someone just saved it"]
    moved = apply_changes(db, "kpi_measurements", [RowChange(
        "update", {"value": 2.0, "measured_on": TODAY}, row_id=1, expected_version=1)], ANA)
    assert moved.ok  # its own key is no duplicate
    with pytest.raises(duckdb.ConstraintException, match="Duplicate key"):
        db.cursor().execute("INSERT INTO kpi_measurements VALUES (9, ?, ?, 3.0, 'entered', "
                            "NULL, 1)", [kid, TODAY])


def measure(db: Database, kpi_id: int, day: date, value: float) -> None:
    frame = pd.DataFrame([{"kpi_id": kpi_id, "measured_on": day, "value": value,
                           "source": "entered", "note": None}])
    assert record_measurements(db, frame, ANA).ok


def test_red_measurement_makes_the_linked_system_due_and_shows_in_red(db: Database) -> None:
    system = apply_changes(db, "ai_systems", [RowChange("insert", {
        "name": "Scorer", "owner": "Ana", "sourcing": "built", "lifecycle_stage": "operation",
        "eu_ai_act_category": "minimal"})], ANA).inserted[0]
    assert apply_changes(db, "validations", [RowChange("insert", {
        "ai_system_id": system, "validated_on": date(2026, 6, 1), "validated_by": "Ana",
        "result": "pass"})], ANA).ok
    kid = kpi(db, name="Scorer AUC", ai_system_id=system, target=0.8, amber_threshold=0.76,
              red_threshold=0.72)

    def schedule_row() -> pd.Series:
        frame = revalidation_schedule(db, TODAY)
        return frame[frame["ai_system_id"] == system].iloc[0]

    measure(db, kid, date(2026, 9, 1), 0.74)  # amber: watch, no trigger
    assert kpi_status(db)["status"].tolist() == ["amber"]
    assert not bool(schedule_row()["due_now"]) and kpis_in_red(db).total == 0
    measure(db, kid, date(2026, 10, 1), 0.70)
    red = kpis_in_red(db)
    assert red.first["name"].tolist() == ["Scorer AUC"] and red.total == 1
    row = schedule_row()
    assert bool(row["due_now"]) and bool(row["overdue"])
    assert 'KPI "Scorer AUC" is beyond its red threshold (0.7 vs 0.72)' in row["reason"]
    # A corrected value for the same day replaces it, and the trigger clears.
    measure(db, kid, date(2026, 10, 1), 0.79)
    assert db.scalar("SELECT count(*) FROM kpi_measurements") == 2
    assert not bool(schedule_row()["due_now"])


def test_filters_by_system_and_objective(db: Database) -> None:
    a = kpi(db, name="A")
    b = kpi(db, name="B")
    objective = apply_changes(db, "objectives", [RowChange("insert", {
        "title": "Fair lending", "owner": "Ana", "status": "on_track"})], ANA).inserted[0]
    assert apply_changes(db, "objective_kpis", [RowChange("insert", {
        "objective_id": objective, "kpi_id": b})], ANA).ok
    assert kpi_status(db, objective_ids=[objective])["id"].tolist() == [b]
    assert sorted(kpi_status(db)["id"]) == [a, b]
    assert kpi_status(db, ai_system_ids=[99]).empty


def test_organisation_wide_filter(db: Database) -> None:
    from aims_core.performance.kpis import ORGANISATION_WIDE

    a = kpi(db, name="A")
    assert kpi_status(db, ai_system_ids=[ORGANISATION_WIDE])["id"].tolist() == [a]


def test_migration_6_keeps_the_latest_duplicate_and_logs_the_others(tmp_path) -> None:
    import duckdb

    from aims_core.storage.database import apply_migrations

    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    apply_migrations(con, target=3)
    con.execute("INSERT INTO kpi_measurements VALUES (1, 1, '2026-01-01', 1.0, 'entered', NULL, 1),"
                " (2, 1, '2026-01-01', 2.0, 'entered', NULL, 1),"
                " (3, 1, '2026-02-01', 3.0, 'entered', NULL, 1)")
    assert apply_migrations(con, target=6) == 6
    assert con.execute("SELECT id, value FROM kpi_measurements ORDER BY id").fetchall() == [
        (2, 2.0), (3, 3.0)]
    assert con.execute(
        "SELECT row_id, operation, changed_by, after_json IS NULL, "
        "json_extract_string(before_json, '$.value') FROM change_log").fetchall() == [
        (1, "delete", "schema migration 6", True, "1.0")]
    con.close()
