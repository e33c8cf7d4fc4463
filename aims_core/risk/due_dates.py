"""Risk dates that fall due: reviews, acceptance expiries, impact-assessment reviews.

Each source is one SELECT with the columns kind, item, owner, due_on, reason, link (the
page and filter where the item is handled); it may use ``$today``. The Schedule, the
Overview and "My work" read every area's sources (aims_core/dashboard/schedule.py).
"""

from __future__ import annotations

from aims_core.risk.risks import LATEST_ACCEPTANCE_SQL

DUE_DATES: dict[str, str] = {
    "Risk review": """
        SELECT 'Risk review' AS kind, '#' || id || ' ' || title AS item, owner,
               review_date AS due_on, 'Review the rating and treatment' AS reason,
               'risks?risk=' || id AS link
        FROM risks WHERE status <> 'closed' AND review_date IS NOT NULL""",
    "Risk acceptance": f"""
        SELECT 'Risk acceptance' AS kind, '#' || r.id || ' ' || r.title AS item, r.owner,
               coalesce(a.acceptance_expires, $today) AS due_on,
               CASE WHEN a.acceptance_expires IS NULL
                    THEN 'Accepted without a recorded approval'
                    ELSE 'Acceptance by ' || a.accepted_by || ' expires' END AS reason,
               'risks?risk=' || r.id AS link
        FROM risks r LEFT JOIN ({LATEST_ACCEPTANCE_SQL}) a ON a.risk_id = r.id
        WHERE r.status = 'accepted'""",
    "Impact assessment review": """
        SELECT 'Impact assessment review' AS kind,
               s.name || ' (assessed ' || strftime(a.assessed_on, '%d %b %Y') || ')' AS item,
               coalesce(s.owner, a.reviewer) AS owner, a.next_review AS due_on,
               'Review the impact assessment' AS reason,
               'impact_assessments?assessment=' || a.id AS link
        FROM impact_assessments a JOIN ai_systems s ON s.id = a.ai_system_id
        WHERE a.next_review IS NOT NULL""",
}
