"""What changed between two reviews, from the change history (change_log): each row's state
at the previous review and at this one is its last logged state on or before that day, so
the "from → to" of a risk's level or a control's status is read, not guessed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from aims_core.compliance.registers import IMPLEMENTATION_STATUSES
from aims_core.improvement.registers import OPEN_ACTION_STATUSES
from aims_core.management_review.content import Period, section, table
from aims_core.performance.kpi_status import status_on_sql
from aims_core.records.registry import REGISTERS
from aims_core.risk.risk_method import band_rank_sql
from aims_core.storage.database import Database


def states_sql(table_name: str) -> str:
    """SQL: per row of ``table_name`` changed in the period: ``before`` (its JSON on
    ``$since``, NULL if it did not exist then or was deleted) and ``after`` (on ``$until``).
    Only rows logged in the period are read, so a large, quiet register costs little."""
    in_period = ("CAST(changed_at AS DATE) <= $until AND ($since IS NULL OR "
                 "CAST(changed_at AS DATE) > $since)")
    return f"""
        SELECT row_id,
               arg_max_null(after_json, id) FILTER (WHERE $since IS NOT NULL
                                                    AND CAST(changed_at AS DATE) <= $since)
                   AS before,
               arg_max_null(after_json, id) AS after
        FROM change_log
        WHERE table_name = '{table_name}' AND CAST(changed_at AS DATE) <= $until
          AND row_id IN (SELECT row_id FROM change_log
                         WHERE table_name = '{table_name}' AND {in_period})
        GROUP BY row_id"""


_RATINGS = ["$.residual_likelihood", "$.residual_impact", "$.inherent_likelihood",
            "$.inherent_impact"]


def _level_sql(ratings: str, grid: str) -> str:
    """SQL joins giving a risk's current level band (residual once rated, else inherent)
    from ``ratings``, the list of its four ratings as text."""
    def join(alias: str, first: int) -> str:
        return (f"LEFT JOIN risk_level_grid {alias} ON {alias}.likelihood = "
                f"TRY_CAST({ratings}[{first}] AS INTEGER) AND {alias}.impact = "
                f"TRY_CAST({ratings}[{first + 1}] AS INTEGER)")

    return f"{join(grid + '_r', 1)} {join(grid + '_i', 3)}"


def risk_level_changes(db: Database, period: Period) -> pd.DataFrame:
    """Risks that existed at both reviews and whose current level differs: from → to."""
    return db.query_df(f"""
        WITH s AS ({states_sql('risks')}),
        rated AS (
            SELECT row_id AS id, json_extract_string(after, '$.title') AS title,
                   json_extract_string(before, {_RATINGS!r}) AS b,
                   json_extract_string(after, {_RATINGS!r}) AS a
            FROM s WHERE before IS NOT NULL AND after IS NOT NULL AND before <> after),
        levels AS (
            SELECT id, title, coalesce(gb_r.level_band, gb_i.level_band) AS level_from,
                   coalesce(ga_r.level_band, ga_i.level_band) AS level_to
            FROM rated {_level_sql('b', 'gb')} {_level_sql('a', 'ga')})
        SELECT l.*, CASE WHEN {band_rank_sql('level_to')} > {band_rank_sql('level_from')}
                         THEN 'rose' ELSE 'fell' END AS movement,
               a.name AS ai_system
        FROM levels l LEFT JOIN risks r ON r.id = l.id
        LEFT JOIN ai_systems a ON a.id = r.ai_system_id
        WHERE level_from IS DISTINCT FROM level_to
        ORDER BY movement DESC, {band_rank_sql('level_to')} DESC, l.id""", period.params)


def control_status_changes(db: Database, period: Period) -> pd.DataFrame:
    """SoA controls whose implementation status (or applicability) changed: from → to."""
    return db.query_df(f"""
        WITH s AS ({states_sql('soa')})
        SELECT json_extract_string(after, '$.control_id') AS control_id, c.title,
               json_extract_string(before, '$.implementation_status') AS status_from,
               json_extract_string(after, '$.implementation_status') AS status_to,
               json_extract_string(before, '$.applicable') AS applicable_from,
               json_extract_string(after, '$.applicable') AS applicable_to
        FROM s LEFT JOIN controls c
             ON c.control_id = json_extract_string(s.after, '$.control_id')
        WHERE after IS NOT NULL AND (
              json_extract_string(before, '$.implementation_status') IS DISTINCT FROM
              json_extract_string(after, '$.implementation_status')
           OR json_extract_string(before, '$.applicable') IS DISTINCT FROM
              json_extract_string(after, '$.applicable'))
        ORDER BY control_id""", period.params)


def systems_added_retired(db: Database, period: Period) -> pd.DataFrame:
    """AI systems added in the period, and those retired in it."""
    return db.query_df(f"""
        WITH s AS ({states_sql('ai_systems')})
        SELECT json_extract_string(after, '$.name') AS name,
               CASE WHEN before IS NULL THEN 'Added' ELSE 'Retired' END AS change,
               json_extract_string(after, '$.lifecycle_stage') AS stage
        FROM s WHERE after IS NOT NULL AND (
              (before IS NULL AND $since IS NOT NULL)
           OR (json_extract_string(after, '$.lifecycle_stage') = 'retired'
               AND json_extract_string(before, '$.lifecycle_stage') <> 'retired'))
        ORDER BY change, name""", period.params)


def kpi_crossings(db: Database, period: Period) -> pd.DataFrame:
    """KPIs whose status at the review differs from their status at the previous review."""
    if period.since is None:
        return pd.DataFrame(columns=["name", "status_from", "status_to", "value"])
    return db.query_df(f"""
        SELECT b.name, b.status AS status_from, a.status AS status_to, a.value
        FROM ({status_on_sql('$since')}) b JOIN ({status_on_sql('$until')}) a USING (id)
        WHERE b.status IS DISTINCT FROM a.status AND a.status <> 'no_data'
        ORDER BY a.status = 'red' DESC, b.name""", period.params)


def per_register(db: Database, period: Period) -> pd.DataFrame:
    """Rows added, changed and removed per register in the period."""
    frame = db.query_df("""
        SELECT table_name, count(*) FILTER (WHERE operation = 'insert') AS added,
               count(*) FILTER (WHERE operation = 'update') AS changed,
               count(*) FILTER (WHERE operation = 'delete') AS removed
        FROM change_log WHERE CAST(changed_at AS DATE) <= $until
          AND ($since IS NULL OR CAST(changed_at AS DATE) > $since)
        GROUP BY ALL ORDER BY added + changed + removed DESC, table_name""", period.params)
    frame["register"] = [REGISTERS[t].label if t in REGISTERS else t
                         for t in frame["table_name"]]
    return frame


def counts(db: Database, period: Period) -> dict[str, int]:
    """Incidents opened and closed, actions done in the period and overdue at its end."""
    row = db.query_rows(f"""
        SELECT (SELECT count(*) FROM incidents WHERE detected_on <= $until
                AND ($since IS NULL OR detected_on > $since)),
               (SELECT count(*) FROM incidents WHERE closed_on <= $until
                AND ($since IS NULL OR closed_on > $since)),
               (SELECT count(*) FROM actions WHERE done_on <= $until
                AND ($since IS NULL OR done_on > $since)),
               (SELECT count(*) FROM actions WHERE status IN {OPEN_ACTION_STATUSES!r}
                AND due_on < $until)""", period.params)[0]
    return dict(zip(("incidents_opened", "incidents_closed", "actions_done",
                     "actions_overdue"), (int(v) for v in row), strict=True))


def _status_label(code: Any) -> str:
    return IMPLEMENTATION_STATUSES.get(code, code or "not recorded")


def changes_input(db: Database, review: int, day: date, period: Period) -> dict[str, Any]:
    risks = risk_level_changes(db, period)
    risks["change"] = [f"{a} → {b} ({m})" for a, b, m in
                       zip(risks["level_from"], risks["level_to"], risks["movement"],
                           strict=True)]
    controls = control_status_changes(db, period)
    controls["change"] = [f"{_status_label(a)} → {_status_label(b)}" for a, b in
                          zip(controls["status_from"], controls["status_to"], strict=True)]
    systems = systems_added_retired(db, period)
    kpis = kpi_crossings(db, period)
    kpis["change"] = [f"{a} → {b}" for a, b in zip(kpis["status_from"], kpis["status_to"],
                                                    strict=True)]
    figures = counts(db, period)
    versions = db.scalar("SELECT count(*) FROM soa_versions WHERE approved_on <= $until "
                         "AND ($since IS NULL OR approved_on > $since)", period.params)
    registers = per_register(db, period)
    return section("changes", facts=[
        ("AI systems added", int((systems["change"] == "Added").sum())),
        ("AI systems retired", int((systems["change"] == "Retired").sum())),
        ("Risks whose level rose", int((risks["movement"] == "rose").sum())),
        ("Risks whose level fell", int((risks["movement"] == "fell").sum())),
        ("Controls whose status changed", len(controls)), ("SoA versions approved", versions),
        ("KPIs that crossed a threshold", len(kpis)),
        ("Incidents opened", figures["incidents_opened"]),
        ("Incidents closed", figures["incidents_closed"]),
        ("Actions done", figures["actions_done"]),
        ("Actions overdue at the review", figures["actions_overdue"])],
        tables=[
            table("Risks whose level changed", risks, {
                "title": "Risk", "ai_system": "AI system", "change": "Level: from → to"},
                empty="No risk's level changed."),
            table("Controls whose status changed", controls, {
                "control_id": "Control", "title": "Title", "change": "Status: from → to"},
                empty="No control's status changed."),
            table("AI systems added or retired", systems, {
                "name": "AI system", "change": "Change", "stage": "Life-cycle stage"},
                empty="No AI system was added or retired."),
            table("KPIs that crossed a threshold", kpis, {
                "name": "KPI", "change": "Status: from → to", "value": "Value at the review"},
                empty="No KPI crossed a threshold."),
            table("Changes per register", registers, {
                "register": "Register", "added": "Added", "changed": "Changed",
                "removed": "Removed"}, empty="Nothing changed in the registers.")],
        notes=[] if period.since else ["This is the first review: every record counts as "
                                       "new, so only the registers' totals are shown."])
