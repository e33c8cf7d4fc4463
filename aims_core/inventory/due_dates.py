"""Inventory dates that fall due: supplier reviews (re-validations: revalidation.py).

Each source is one SELECT with the columns kind, item, owner, due_on, reason, link (the
page and filter where the item is handled); it may use ``$today``. The Schedule, the
Overview and "My work" read every area's sources (aims_core/dashboard/schedule.py).
"""

from __future__ import annotations

DUE_DATES: dict[str, str] = {
    "Supplier review": """
        SELECT 'Supplier review' AS kind, name AS item, owner, next_review AS due_on,
               'Due diligence and contract review (A.10.3)' AS reason,
               'suppliers' AS link
        FROM suppliers WHERE next_review IS NOT NULL""",
}
