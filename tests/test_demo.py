"""The demo organisation: deterministic, realistic, and consistent with its history."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd

from aims_core import demo
from aims_core.inventory.revalidation import revalidation_schedule
from aims_core.records.registry import REGISTERS
from aims_core.records.writes import row_json
from aims_core.storage.database import Database
from tests.conftest import TODAY


def test_generator_is_deterministic() -> None:
    first, second = demo.generate(), demo.generate()
    assert first.keys() == second.keys()
    for table in first:
        pd.testing.assert_frame_equal(first[table], second[table], obj=table)


def test_demo_is_the_promised_organisation(demo_db: Database) -> None:
    q = demo_db.scalar
    assert q("SELECT count(*) FROM ai_systems") == 12
    assert q("SELECT count(DISTINCT sourcing) FROM ai_systems") == 4
    assert q("SELECT count(*) FROM ai_systems WHERE eu_ai_act_category = 'high_risk' "
             "AND annex_iii_area IS NOT NULL") >= 1
    assert q("SELECT count(*) FROM ai_systems WHERE sourcing = 'api' "
             "AND name ILIKE '%chatbot%'") == 1
    assert 35 <= q("SELECT count(*) FROM risks") <= 50
    assert q("SELECT count(*) FROM risks WHERE ai_system_id IS NULL") >= 1
    statuses = {r[0] for r in demo_db.query_rows("SELECT implementation_status FROM soa")}
    assert {"implemented", "not_started"} <= statuses
    assert q("SELECT count(*) FROM soa") == 38
    months = q("SELECT datediff('month', min(measured_on), max(measured_on)) "
               "FROM kpi_measurements")
    assert months >= 17
    assert q("SELECT max(measured_on) FROM kpi_measurements") <= TODAY
    assert q("SELECT count(*) FROM management_reviews WHERE review_date < ?", [TODAY]) >= 1
    schedule = revalidation_schedule(demo_db, TODAY)
    assert schedule["overdue"].sum() >= 2
    assert (schedule["reason"] == "Never validated").sum() >= 1


def test_change_history_spans_the_period_and_ends_in_the_present(demo_db: Database) -> None:
    first, last = demo_db.query_rows("SELECT min(changed_at), max(changed_at) FROM change_log")[0]
    assert (last.date() - first.date()).days >= 500
    assert last.date() <= TODAY
    for table in set(REGISTERS) - {"revalidation_intervals"}:  # seeded by the schema itself
        current = demo_db.query_df(f"SELECT * FROM {table}")
        logged = demo_db.query_df(
            "SELECT row_id, arg_max(after_json, id) AS after_json FROM change_log "
            "WHERE table_name = ? GROUP BY row_id", [table])
        assert len(logged) == len(current), table
        latest = {int(r.row_id): json.loads(r.after_json) for r in logged.itertuples()}
        cursor = demo_db.cursor().execute(f"SELECT * FROM {table}")
        names = [d[0] for d in cursor.description]
        for values in cursor.fetchall():
            row = dict(zip(names, values, strict=True))
            assert latest[row["id"]] == json.loads(row_json(row)), (table, row["id"])


def test_dates_are_moved_to_end_today(demo_db: Database) -> None:
    anchor = demo_db.scalar("SELECT value FROM aims_meta WHERE key = 'data_anchor_date'")
    assert date.fromisoformat(anchor) == TODAY


def test_scale_generation_counts() -> None:
    frames = demo.generate(systems=100, seed=7)
    assert len(frames["ai_systems"]) == 100
    high_risk = int((frames["ai_systems"]["eu_ai_act_category"] == "high_risk").sum())
    assert len(frames["risks"]) == 100 * 25 + len(demo.ORG_RISKS) + high_risk
    assert len(frames["impact_assessments"]) == high_risk
    assert frames["ai_systems"]["name"].is_unique
    assert len(frames["kpi_measurements"]) == (100 - 12) * 250 + 184


def test_demo_soa_has_two_approved_versions_with_a_meaningful_diff(demo_db: Database) -> None:
    from aims_core.compliance import soa

    assert soa.versions(demo_db)["version_no"].tolist() == [2, 1]
    changes = soa.diff(demo_db, 1, 2)
    fields = set(changes["field"])
    assert {"Implementation status", "Owner", "Justification"} <= fields
    assert 3 <= changes["control_id"].nunique() < 38
    assert not soa.diff(demo_db, 2, None).empty  # edited since the last approval
    assert demo_db.scalar("SELECT count(*) FROM clause_status") == 32
    assert demo_db.scalar("SELECT count(DISTINCT status) FROM clause_status") == 4
