"""The change history read back, and registers as they stood: the rebuild from change_log
equals the register at each moment of a scripted edit sequence, and on the demo every
register rebuilt "now" equals the live table."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pandas as pd
import pytest

from aims_core.records import export, history
from aims_core.records.registry import REGISTERS
from aims_core.records.writes import RowChange, apply_changes
from aims_core.storage.database import Database
from tests.conftest import ANA

T0 = datetime(2026, 6, 1, 9, 0)


def live(db: Database, table: str) -> pd.DataFrame:
    return db.query_df(f'SELECT * FROM "{table}" ORDER BY id')


def same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True),
                                  check_dtype=False)


def version(db: Database, table: str, row_id: int) -> int:
    return db.scalar(f'SELECT version FROM "{table}" WHERE id = ?', [row_id])


def scripted(db: Database) -> dict[datetime, dict[str, pd.DataFrame]]:
    """Edits at known moments; returns the live tables after each step."""
    states: dict[datetime, dict[str, pd.DataFrame]] = {}

    def step(when: datetime, table: str, changes: list[RowChange]) -> None:
        result = apply_changes(db, table, changes, ANA, now=when)
        assert result.ok, result.errors
        states[when] = {t: live(db, t) for t in ("suppliers", "ai_systems", "ai_data_sources")}

    step(T0, "suppliers", [RowChange("insert", {"name": "Vendor One", "owner": "Ana"}),
                           RowChange("insert", {"name": "Vendor Two", "owner": "Ben"})])
    step(T0 + timedelta(days=1), "ai_systems", [
        RowChange("insert", {"name": f"System {n}", "owner": "Bo", "sourcing": "bought",
                             "supplier_id": 1, "lifecycle_stage": "operation",
                             "eu_ai_act_category": "minimal"}) for n in (1, 2, 3)])
    step(T0 + timedelta(days=2), "ai_systems", [RowChange(
        "update", {"lifecycle_stage": "retired", "retired_on": "2026-06-03"}, row_id=2,
        expected_version=1)])
    step(T0 + timedelta(days=3), "suppliers", [RowChange(
        "update", {"name": "Vendor One Renamed"}, row_id=1, expected_version=1)])
    step(T0 + timedelta(days=4), "ai_data_sources", [
        RowChange("insert", {"ai_system_id": 1, "name": "Loans 2025"}),
        RowChange("insert", {"ai_system_id": 3, "name": "Chats"})])
    step(T0 + timedelta(days=5), "ai_data_sources", [
        RowChange("delete", row_id=2, expected_version=1)])
    step(T0 + timedelta(days=6), "ai_systems", [RowChange(
        "update", {"owner": "Cleo", "purpose": "=HYPERLINK(\"http://x\")"}, row_id=1,
        expected_version=version(db, "ai_systems", 1))])
    return states


def test_the_rebuild_equals_the_register_at_every_moment(db: Database) -> None:
    states = scripted(db)
    moments = sorted(states)
    for when in moments:
        for table, expected in states[when].items():
            same(history.register_as_of(db, table, when), expected)
            # a moment between two edits shows the earlier state
            same(history.register_as_of(db, table, when + timedelta(hours=12)), expected)
    before = history.register_as_of(db, "ai_systems", T0)
    assert before.empty and list(before.columns) == list(live(db, "ai_systems").columns)
    assert history.as_of_count(db, "ai_data_sources", moments[4]) == 2
    assert history.as_of_count(db, "ai_data_sources", moments[5]) == 1
    page = history.register_as_of(db, "ai_systems", moments[-1], offset=1, limit=1)
    assert list(page["name"]) == ["System 2"]


def test_the_demo_rebuilt_now_equals_every_live_register(demo_db: Database) -> None:
    now = demo_db.scalar("SELECT max(changed_at) FROM change_log")
    for table in REGISTERS:
        if table == "revalidation_intervals":  # its rows come from a migration, unlogged
            assert history.register_as_of(demo_db, table, now).empty
            continue
        same(history.register_as_of(demo_db, table, now), live(demo_db, table))


def test_filters_paging_and_side_by_side(db: Database) -> None:
    scripted(db)
    everything = history.HistoryFilter()
    assert history.count(db, everything) == 2 + 3 + 1 + 1 + 2 + 1 + 1
    systems = history.HistoryFilter(tables=("ai_systems",))
    assert history.count(db, systems) == 5
    page = history.changes(db, systems, offset=0, limit=2)
    assert list(page["operation"]) == ["update", "update"]  # newest first
    assert page["fields"].iloc[0] == "Purpose, Owner"
    assert page["record"].iloc[0] == "System 1"
    assert history.count(db, history.HistoryFilter(text="vendor one")) == 2  # by title
    assert history.count(db, history.HistoryFilter(row_id=2, tables=("ai_systems",))) == 2
    window = history.HistoryFilter(since=T0 + timedelta(days=2), until=T0 + timedelta(days=4))
    assert history.count(db, window) == 2
    assert history.people(db) == ["Ana"]
    assert history.tables(db) == ["ai_systems", "suppliers", "ai_data_sources"]
    renamed = history.one(db, int(history.changes(
        db, history.HistoryFilter(tables=("suppliers",)), 0, 1)["id"].iloc[0]))
    assert renamed is not None and renamed.operation == "update"
    sides = renamed.side_by_side().set_index("field")
    assert sides.loc["Supplier", "before"] == "Vendor One"
    assert sides.loc["Supplier", "after"] == "Vendor One Renamed"
    assert sides["changed"].sum() == 2  # the name and the row's version


def test_exports_of_the_past_name_references_as_they_stood(db: Database) -> None:
    states = scripted(db)
    moments = sorted(states)
    then = export.labelled(db, "ai_systems", moments[2])
    assert list(then["Supplier"]) == ["#1 Vendor One"] * 3  # renamed only later
    now = export.labelled(db, "ai_systems")
    assert list(now["Supplier"]) == ["#1 Vendor One Renamed"] * 3
    assert list(then["Life-cycle stage"]) == ["Operation & monitoring", "Retired",
                                              "Operation & monitoring"]
    csv = pd.read_csv(io.BytesIO(export.file_bytes(db, "ai_systems", "csv")))
    assert csv.loc[0, "Purpose"] == "'=HYPERLINK(\"http://x\")"  # defused for spreadsheets
    parquet = pd.read_parquet(io.BytesIO(export.file_bytes(db, "ai_systems", "parquet",
                                                           moments[2])))
    same(parquet, states[moments[2]]["ai_systems"])
    xlsx = pd.read_excel(io.BytesIO(export.file_bytes(db, "suppliers", "xlsx", moments[0])),
                         header=1)  # under the sheet's title row
    assert list(xlsx["Supplier"]) == ["Vendor One", "Vendor Two"]
    assert export.file_name("risks", "xlsx", moments[0]) == "risks-as-of-2026-06-01.xlsx"


@pytest.mark.parametrize("table", ["risks", "soa", "kpis"])
def test_exports_label_every_field(demo_db: Database, table: str) -> None:
    frame = export.labelled(demo_db, table)
    labels = [f.label for f in REGISTERS[table].fields]
    assert list(frame.columns) == ["ID", *labels, "Record version"]
    assert len(frame) == demo_db.scalar(f'SELECT count(*) FROM "{table}"')
