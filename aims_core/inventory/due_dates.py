"""Inventory dates that fall due: re-validations (revalidation.py) and supplier reviews.

Each source is one SELECT with the columns kind, item, owner, due_on, reason, link (the
page and filter where the item is handled); it may use ``$today``. The Schedule, the
Overview and "My work" read every area's sources (aims_core/dashboard/schedule.py).
"""

from __future__ import annotations

from aims_core.inventory.revalidation import SCHEDULE_SQL

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
}
