"""When each AI system is next due for re-validation, and why (PRODUCT.md section 4).

Next due = last validation + the interval of the system's risk tier. The tier is the
stricter of "EU AI Act high-risk" and the system's worst open residual risk band.
Systems in design or development are not yet due; retired systems never are.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from aims_core.risk_method import LEVEL_BANDS, RATED_RISKS_SQL, band_rank_sql
from aims_core.storage.database import Database

VALIDATED_STAGES = ("validation", "deployment", "operation")

SCHEDULE_SQL = f"""
WITH rated AS ({RATED_RISKS_SQL}),
worst AS (
    SELECT ai_system_id, max({band_rank_sql('current_level')}) AS worst_rank
    FROM rated WHERE is_open AND ai_system_id IS NOT NULL GROUP BY ai_system_id
),
last AS (
    SELECT ai_system_id, max(validated_on) AS last_validated,
           arg_max(result, validated_on) AS last_result
    FROM validations GROUP BY ai_system_id
),
tiered AS (
    SELECT s.id AS ai_system_id, s.name, s.owner, s.eu_ai_act_category, s.lifecycle_stage,
           l.last_validated, l.last_result,
           lower(list_extract({list(LEVEL_BANDS)!r}, greatest(coalesce(w.worst_rank, 1), 1)))
               AS risk_band,
           s.eu_ai_act_category = 'high_risk' AS eu_high_risk
    FROM ai_systems s
    LEFT JOIN worst w ON w.ai_system_id = s.id
    LEFT JOIN last l ON l.ai_system_id = s.id
    WHERE s.lifecycle_stage IN {VALIDATED_STAGES!r}
)
SELECT t.*,
       CASE WHEN t.eu_high_risk AND e.months <= b.months THEN 'eu_high_risk' ELSE t.risk_band END
           AS risk_tier,
       least(b.months, CASE WHEN t.eu_high_risk THEN e.months END) AS interval_months,
       CAST(t.last_validated + to_months(least(b.months,
            CASE WHEN t.eu_high_risk THEN e.months END)) AS DATE) AS next_due
FROM tiered t
JOIN revalidation_intervals b ON b.risk_tier = t.risk_band
LEFT JOIN revalidation_intervals e ON e.risk_tier = 'eu_high_risk'
"""


def revalidation_schedule(db: Database, today: date) -> pd.DataFrame:
    """One row per system that needs validating: next due date, overdue flag, reason."""
    return db.query_df(
        f"""SELECT *,
               next_due IS NULL OR next_due < ?::DATE AS overdue,
               CASE WHEN last_validated IS NULL THEN 'Never validated'
                    WHEN next_due < ?::DATE THEN
                        'Last validated ' || strftime(last_validated, '%Y-%m-%d')
                        || '; interval ' || interval_months || ' months (' || risk_tier
                        || ' tier) ran out on ' || strftime(next_due, '%Y-%m-%d')
                    ELSE 'Due ' || strftime(next_due, '%Y-%m-%d') || ' (' || interval_months
                        || '-month interval, ' || risk_tier || ' tier)'
               END AS reason
            FROM ({SCHEDULE_SQL})
            ORDER BY overdue DESC, next_due NULLS FIRST, name""",
        [today, today],
    )


def overdue_count(db: Database, today: date) -> int:
    return int(db.scalar(
        f"SELECT count(*) FROM ({SCHEDULE_SQL}) WHERE next_due IS NULL OR next_due < ?::DATE",
        [today]))
