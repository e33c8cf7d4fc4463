"""SoA dates that fall due: evidence expiry, control reviews and target dates.

Each source is one SELECT with the columns kind, item, owner, due_on, reason, link (the
page and filter where the item is handled); it may use ``$today``. The Schedule, the
Overview and "My work" read every area's sources (aims_core/dashboard/schedule.py).
"""

from __future__ import annotations

from aims_core.compliance.soa import REVIEW_MONTHS, SOA_ROWS_SQL

# SoA items open the SoA page filtered to the control's objective (a URL-bound filter). The
# evidence's expiry is a linked evidence document's next review (SOA_ROWS_SQL).
_SOA_ROWS = f"""'soa?soa_objective=' || url_encode(o.objective_id || ' ' || o.title) AS link
        FROM ({SOA_ROWS_SQL}) s JOIN controls c USING (control_id)
        JOIN control_objectives o USING (objective_id)"""


DUE_DATES: dict[str, str] = {
    "Evidence expiry": f"""
        SELECT 'Evidence expiry' AS kind, s.control_id || ' ' || c.title AS item, s.owner,
               s.evidence_expiry AS due_on,
               'Renew the evidence: ' || coalesce(s.evidence, 'none recorded') AS reason,
               {_SOA_ROWS}
        WHERE s.applicable AND s.evidence_expiry IS NOT NULL""",
    "Control review": f"""
        SELECT 'Control review' AS kind, s.control_id || ' ' || c.title AS item, s.owner,
               CAST(s.last_reviewed + INTERVAL {REVIEW_MONTHS} MONTH AS DATE) AS due_on,
               'Review the control (last reviewed ' || strftime(s.last_reviewed, '%d %b %Y')
                   || ')' AS reason,
               {_SOA_ROWS}
        WHERE s.applicable AND s.last_reviewed IS NOT NULL""",
    "Control target date": f"""
        SELECT 'Control target date' AS kind, s.control_id || ' ' || c.title AS item, s.owner,
               s.target_date AS due_on,
               'Implement the control (now ' || replace(s.implementation_status, '_', ' ')
                   || ')' AS reason,
               {_SOA_ROWS}
        WHERE s.applicable AND s.implementation_status <> 'implemented'
          AND s.target_date IS NOT NULL""",
}
