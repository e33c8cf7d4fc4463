"""A KPI value's traffic-light status against its thresholds, stated once, in SQL.

A threshold is the last value of the better band: for "higher is better" with red 0.72, the
value 0.72 is amber and 0.7199 is red. The re-validation trigger (revalidation.py) and the
KPI page both use these expressions, so "red" means the same everywhere.
"""

from __future__ import annotations

STATUSES = ("red", "amber", "green", "unrated", "no_data")
# Text label and symbol for each status: colour is never the only cue.
STATUS_LABELS = {"red": "✖ Red: breach", "amber": "▲ Amber: watch", "green": "● Green: on track",
                 "unrated": "○ No thresholds", "no_data": "○ No data yet"}
# Okabe-Ito vermillion, orange and bluish green; grey for no status.
STATUS_COLOURS = {"red": "#D55E00", "amber": "#E69F00", "green": "#009E73",
                  "unrated": "#999999", "no_data": "#999999"}


def worse_than_sql(value: str, direction: str, threshold: str) -> str:
    """SQL: ``value`` is strictly worse than ``threshold`` (NULL when either is NULL)."""
    return (f"(CASE WHEN {direction} = 'higher' THEN {value} < {threshold} "
            f"ELSE {value} > {threshold} END)")


def status_sql(value: str, direction: str, amber: str, red: str) -> str:
    """SQL giving one of :data:`STATUSES` for a value and its KPI's thresholds."""
    return (f"(CASE WHEN {value} IS NULL THEN 'no_data' "
            f"WHEN {worse_than_sql(value, direction, red)} THEN 'red' "
            f"WHEN {worse_than_sql(value, direction, amber)} THEN 'amber' "
            f"WHEN {amber} IS NULL AND {red} IS NULL THEN 'unrated' ELSE 'green' END)")


def latest_status_sql(kpis_where: str = "TRUE") -> str:
    """SQL of one row per KPI: its definition, AI system, objectives, latest and previous
    value, status. ``kpis_where`` (a condition on the ``kpis`` table) keeps some KPIs, and
    only their values are read. The two latest values come from one aggregate per KPI
    (max_by with n = 2), not from ranking every point."""
    only_picked = "TRUE" if kpis_where == "TRUE" else "kpi_id IN (SELECT id FROM picked)"
    return f"""
WITH picked AS (SELECT * FROM kpis WHERE {kpis_where}),
last_two AS (
    SELECT kpi_id, max(measured_on) AS measured_on, max_by(value, measured_on, 2) AS values
    FROM kpi_measurements WHERE {only_picked} GROUP BY kpi_id
),
links AS (
    SELECT l.kpi_id, list(o.id ORDER BY o.id) AS objective_ids,
           string_agg(o.title, '; ' ORDER BY o.id) AS objectives
    FROM objective_kpis l JOIN objectives o ON o.id = l.objective_id GROUP BY l.kpi_id
)
SELECT k.id, k.name, k.unit, k.direction, k.target, k.amber_threshold, k.red_threshold,
       k.frequency, k.owner, k.kind, k.code, k.ai_system_id, s.name AS ai_system,
       k.control_id, coalesce(n.objective_ids, []) AS objective_ids, n.objectives,
       m.measured_on, m.values[1] AS value, m.values[2] AS previous_value,
       {status_sql('m.values[1]', 'k.direction', 'k.amber_threshold', 'k.red_threshold')}
           AS status
FROM picked k
LEFT JOIN last_two m ON m.kpi_id = k.id
LEFT JOIN ai_systems s ON s.id = k.ai_system_id
LEFT JOIN links n ON n.kpi_id = k.id
"""


# Every KPI (see latest_status_sql).
LATEST_STATUS_SQL = latest_status_sql()


def status_on_sql(day: str) -> str:
    """SQL: every KPI with its latest value on or before the date ``day`` (a parameter such
    as ``$until``) and that value's status: the KPIs as they stood on a past day."""
    return f"""
        WITH latest AS (
            SELECT kpi_id, max(measured_on) AS measured_on,
                   arg_max(value, measured_on) AS value
            FROM kpi_measurements WHERE measured_on <= {day} GROUP BY kpi_id)
        SELECT k.id, k.name, k.unit, k.direction, k.target, k.amber_threshold,
               k.red_threshold, s.name AS ai_system, l.measured_on, l.value,
               {status_sql('l.value', 'k.direction', 'k.amber_threshold', 'k.red_threshold')}
                   AS status
        FROM kpis k LEFT JOIN latest l ON l.kpi_id = k.id
        LEFT JOIN ai_systems s ON s.id = k.ai_system_id"""
