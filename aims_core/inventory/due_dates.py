"""Inventory dates that fall due: re-validations (revalidation.py), supplier reviews, the
dates on which each system's EU AI Act obligations start to apply, and triages to re-check.

Each source is one SELECT with the columns kind, item, owner, due_on, reason, link (the
page and filter where the item is handled); it may use ``$today``. The Schedule, the
Overview and "My work" read every area's sources (aims_core/dashboard/schedule.py).
"""

from __future__ import annotations

from aims_core.inventory.revalidation import SCHEDULE_SQL
from aims_core.inventory.triage_records import RECHECK_SQL, REGULATORY_DATES_SQL

DUE_DATES: dict[str, str] = {
    # A system never validated is due today; one due now after a trigger, since the trigger.
    "Re-validation": f"""
        SELECT 'Re-validation' AS kind, name AS item, owner,
               coalesce(next_due, $today) AS due_on, reason,
               'ai_systems?system=' || ai_system_id AS link
        FROM ({SCHEDULE_SQL})""",
    "Supplier review": """
        SELECT 'Supplier review' AS kind, name AS item, owner, next_review AS due_on,
               'Due diligence and contract review (A.10.3)' AS reason,
               'suppliers' AS link
        FROM suppliers WHERE next_review IS NOT NULL""",
    # Upcoming only: a date already passed is in force, not overdue.
    "EU AI Act date": f"""
        SELECT 'EU AI Act date' AS kind, name AS item, owner, applies_from AS due_on,
               reason, 'ai_systems?system=' || ai_system_id AS link
        FROM ({REGULATORY_DATES_SQL}) WHERE applies_from >= $today""",
    "EU AI Act re-check": f"""
        SELECT 'EU AI Act re-check' AS kind, name AS item, owner, CAST($today AS DATE) AS due_on,
               recheck || ' (triage of ' || strftime(assessed_on, '%-d %b %Y') || ')'
                   AS reason,
               'ai_systems?system=' || ai_system_id AS link
        FROM ({RECHECK_SQL})""",
}
