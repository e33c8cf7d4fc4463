"""Self-assessment dates that fall due: a session left in progress (finish it within two
weeks of starting, so its answers still describe the same management system) and the next
yearly self-assessment, twelve months after the latest one held (finished or under way).

Each source is one SELECT with the columns kind, item, owner, due_on, reason, link, read by
the Schedule, the Overview and "My work" (aims_core/dashboard/schedule.py).
"""

from __future__ import annotations

FINISH_WITHIN_DAYS = 14
REPEAT_MONTHS = 12

DUE_DATES: dict[str, str] = {
    "Self-assessment to finish": f"""
        SELECT 'Self-assessment to finish' AS kind, '#' || id || ' ' || title AS item,
               facilitator AS owner, held_on + {FINISH_WITHIN_DAYS} AS due_on,
               'Answer the remaining questions and finish the session' AS reason,
               'self_assessment?session=' || id AS link
        FROM self_assessment_sessions WHERE status = 'in_progress'""",
    "Self-assessment": f"""
        SELECT 'Self-assessment' AS kind,
               'Next self-assessment (last: #' || id || ' ' || title || ')' AS item,
               facilitator AS owner,
               CAST(held_on + INTERVAL {REPEAT_MONTHS} MONTH AS DATE) AS due_on,
               'Assess the management system again against clauses 4–10 and Annex A' AS reason,
               'self_assessment' AS link
        FROM self_assessment_sessions WHERE status <> 'cancelled'
        QUALIFY row_number() OVER (ORDER BY held_on DESC, id DESC) = 1""",
}
