"""When each AI system is next due for re-validation, and why (PRODUCT.md section 4).

Calendar rule: next due = last validation + the interval of the system's risk tier, the
stricter of "EU AI Act high-risk" and the band of its worst open risk.
The clock runs from the last validation that passed. Early triggers make a system due
*now* when they happen after it: a change of life-cycle stage or model version (read from
the change history), a linked KPI whose latest value is beyond its red threshold, a
latest validation that failed or passed only with conditions (due until one passes), and
an incident recorded on the system.
Systems in design or development are not yet due; retired systems never are.
A system is overdue from its due day on: never validated, due now after a trigger, or its
calendar date today or earlier. The reason is worded in SQL, so any page can list or count
systems without computing anything per row in Python.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from aims_core.performance.kpi_status import worse_than_sql
from aims_core.risk.risk_method import LEVEL_BANDS, RATED_RISKS_SQL, band_rank_sql
from aims_core.storage.database import Database

VALIDATED_STAGES = ("validation", "deployment", "operation")
TIER_LABELS = {
    "eu_high_risk": "EU AI Act high-risk",
    "critical": "worst open risk Critical",
    "high": "worst open risk High",
    "medium": "worst open risk Medium",
    "low": "worst open risk Low or none",
}



def _tier_label_sql(column: str) -> str:
    """SQL giving the words for a risk tier code (:data:`TIER_LABELS`)."""
    whens = " ".join(f"WHEN '{tier}' THEN '{label}'" for tier, label in TIER_LABELS.items())
    return f"(CASE {column} {whens} ELSE {column} END)"


_STAGE = "json_extract_string({side}, '$.lifecycle_stage')"
_MODEL = "json_extract_string({side}, '$.model_version')"

SCHEDULE_SQL = f"""
WITH rated AS ({RATED_RISKS_SQL}),
worst AS (
    SELECT ai_system_id, max({band_rank_sql('current_level')}) AS worst_rank
    FROM rated WHERE is_open AND ai_system_id IS NOT NULL GROUP BY ai_system_id
),
last AS (  -- the clock runs from the last *passing* validation
    SELECT ai_system_id, max(validated_on) FILTER (WHERE result = 'pass') AS last_validated,
           arg_max(result, (validated_on, id)) AS last_result,
           max(validated_on) AS last_result_on,
           arg_max(notes, (validated_on, id)) AS last_notes
    FROM validations GROUP BY ai_system_id
),
tiered AS (
    SELECT s.id AS ai_system_id, s.name, s.owner, s.department, s.eu_ai_act_category,
           s.lifecycle_stage, l.last_validated, l.last_result,
           coalesce(l.last_result IN ('fail', 'conditional'), FALSE) AS failed_validation,
           lower(list_extract({list(LEVEL_BANDS)!r}, greatest(coalesce(w.worst_rank, 1), 1)))
               AS risk_band,
           s.eu_ai_act_category = 'high_risk' AS eu_high_risk
    FROM ai_systems s
    LEFT JOIN worst w ON w.ai_system_id = s.id
    LEFT JOIN last l ON l.ai_system_id = s.id
    WHERE s.lifecycle_stage IN {VALIDATED_STAGES!r}
),
material AS (
    SELECT row_id AS ai_system_id, CAST(changed_at AS DATE) AS trigger_on,
           CASE WHEN {_STAGE.format(side='before_json')}
                     IS DISTINCT FROM {_STAGE.format(side='after_json')}
                THEN 'Life-cycle stage changed from '
                     || coalesce({_STAGE.format(side='before_json')}, '–') || ' to '
                     || coalesce({_STAGE.format(side='after_json')}, '–')
                ELSE 'Model version changed from '
                     || coalesce({_MODEL.format(side='before_json')}, '–') || ' to '
                     || coalesce({_MODEL.format(side='after_json')}, '–')
           END AS trigger_kind
    FROM change_log
    WHERE table_name = 'ai_systems' AND operation = 'update'
      AND ({_STAGE.format(side='before_json')} IS DISTINCT FROM {_STAGE.format(side='after_json')}
        OR {_MODEL.format(side='before_json')} IS DISTINCT FROM {_MODEL.format(side='after_json')})
),
latest_kpi AS (
    SELECT kpi_id, max(measured_on) AS measured_on, arg_max(value, measured_on) AS value
    FROM kpi_measurements GROUP BY kpi_id
),
breach AS (
    SELECT k.ai_system_id, m.measured_on AS trigger_on,
           'KPI "' || k.name || '" is beyond its red threshold (' || round(m.value, 3)
           || ' vs ' || k.red_threshold || ')' AS trigger_kind
    FROM kpis k JOIN latest_kpi m ON m.kpi_id = k.id
    WHERE k.ai_system_id IS NOT NULL AND k.red_threshold IS NOT NULL
      AND {worse_than_sql('m.value', 'k.direction', 'k.red_threshold')}
),
failed AS (  -- a failed or conditional validation leaves the system due until one passes
    SELECT ai_system_id, last_result_on AS trigger_on,
           'Validation ' || CASE last_result WHEN 'fail' THEN 'failed'
                                 ELSE 'passed only with conditions' END
           || coalesce(' (' || last_notes || ')', '') AS trigger_kind
    FROM last WHERE last_result IN ('fail', 'conditional')
),
incident AS (
    SELECT ai_system_id, detected_on AS trigger_on,
           'Incident #' || id || ' "' || title || '" was opened' AS trigger_kind
    FROM incidents WHERE ai_system_id IS NOT NULL
),
triggered AS (
    SELECT x.ai_system_id, max(x.trigger_on) AS trigger_on,
           arg_max(x.trigger_kind, x.trigger_on) AS trigger_kind
    FROM (SELECT * FROM material UNION ALL SELECT * FROM breach
          UNION ALL SELECT * FROM failed UNION ALL SELECT * FROM incident) x
    JOIN tiered t USING (ai_system_id)
    WHERE t.last_validated IS NULL OR x.trigger_on > t.last_validated
    GROUP BY x.ai_system_id
),
due AS (
    SELECT t.*,
           CASE WHEN t.eu_high_risk AND e.months <= b.months THEN 'eu_high_risk'
                ELSE t.risk_band END AS risk_tier,
           least(b.months, CASE WHEN t.eu_high_risk THEN e.months END) AS interval_months,
           CAST(t.last_validated + to_months(least(b.months,
                CASE WHEN t.eu_high_risk THEN e.months END)) AS DATE) AS calendar_due,
           g.trigger_on, g.trigger_kind,
           CASE WHEN g.trigger_on IS NOT NULL THEN least(g.trigger_on, calendar_due)
                ELSE calendar_due END AS next_due
    FROM tiered t
    JOIN revalidation_intervals b ON b.risk_tier = t.risk_band
    LEFT JOIN revalidation_intervals e ON e.risk_tier = 'eu_high_risk'
    LEFT JOIN triggered g ON g.ai_system_id = t.ai_system_id
),
flagged AS (
    SELECT *, trigger_kind IS NOT NULL AS due_now,
           coalesce(next_due, $today) <= $today AS overdue,
           interval_months || '-month interval (' || {_tier_label_sql('risk_tier')} || ')'
               AS interval_text
    FROM due
)
SELECT * EXCLUDE (interval_text),
       CASE WHEN due_now THEN 'Due now: ' || trigger_kind || ' on '
                 || strftime(trigger_on, '%Y-%m-%d') || ', after the '
                 || CASE WHEN last_validated IS NULL THEN 'system went live'
                         ELSE 'last passing validation' END
                 || CASE WHEN failed_validation THEN '; due until a validation passes'
                         ELSE '' END
            WHEN last_validated IS NULL THEN 'Never validated'
            WHEN next_due = $today THEN 'Due today: ' || interval_text
                 || ' after the validation of ' || strftime(last_validated, '%Y-%m-%d')
            WHEN overdue THEN 'Overdue since ' || strftime(next_due, '%Y-%m-%d') || ': '
                 || interval_text || ' after the validation of '
                 || strftime(last_validated, '%Y-%m-%d')
            ELSE 'Due ' || strftime(next_due, '%Y-%m-%d') || ': ' || interval_text
       END AS reason
FROM flagged
"""


def revalidation_schedule(db: Database, today: date,
                          ai_system_ids: list[int] | None = None) -> pd.DataFrame:
    """One row per system to validate (or only those of ``ai_system_ids``): next due date,
    overdue flag and the reason, overdue first."""
    return db.query_df(
        f"""SELECT * FROM ({SCHEDULE_SQL})
            WHERE $ids IS NULL OR list_contains($ids, ai_system_id)
            ORDER BY overdue DESC, next_due NULLS FIRST, name""",
        {"today": today, "ids": ai_system_ids})


def overdue_count(db: Database, today: date) -> int:
    """Systems due for re-validation today or earlier (never validated, or due now after a
    trigger, included)."""
    return int(db.scalar(f"SELECT count(*) FROM ({SCHEDULE_SQL}) WHERE overdue",
                         {"today": today}))


def intervals(db: Database) -> pd.DataFrame:
    """The months between validations per risk tier, shortest first."""
    return db.query_df("SELECT * FROM revalidation_intervals ORDER BY months, id")
