"""Management-review dates that fall due (9.3.1 "at planned intervals"): each planned
review, and, when none is planned, the next review the interval asks for (sooner after a
critical incident). Listed in aims_core/dashboard/schedule.py."""

from __future__ import annotations

from aims_core.management_review.reviews import (
    CRITICAL_INCIDENT_DAYS,
    DEFAULT_INTERVAL_MONTHS,
    HELD,
    INTERVAL_KEY,
)

_INTERVAL_SQL = (f"(SELECT coalesce(max(TRY_CAST(value AS INTEGER)), {DEFAULT_INTERVAL_MONTHS})"
                 f" FROM aims_meta WHERE key = '{INTERVAL_KEY}')")
_LAST_SQL = f"(SELECT max(review_date) FROM management_reviews WHERE {HELD})"

DUE_DATES: dict[str, str] = {
    "Management review": f"""
        SELECT 'Management review' AS kind,
               'Management review of ' || strftime(review_date, '%d %b %Y') AS item,
               chair AS owner, review_date AS due_on,
               'Planned review (9.3): prepare the inputs and hold the meeting' AS reason,
               'management_review?review=' || id AS link
        FROM management_reviews WHERE status = 'planned'
        UNION ALL
        SELECT 'Management review', 'Next management review (none planned)', NULL,
               least(CAST({_LAST_SQL} + to_months({_INTERVAL_SQL}) AS DATE),
                     coalesce((SELECT CAST(min(detected_on) + INTERVAL {CRITICAL_INCIDENT_DAYS}
                                           DAY AS DATE)
                               FROM incidents WHERE severity = 'critical'
                                 AND detected_on > {_LAST_SQL}), DATE '9999-12-31')),
               'No review is planned: ' || {_INTERVAL_SQL} || ' months after the last one, '
                   || 'or ' || {CRITICAL_INCIDENT_DAYS} || ' days after a critical incident',
               'management_review'
        FROM (SELECT 1) WHERE {_LAST_SQL} IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM management_reviews WHERE status = 'planned')""",
}
