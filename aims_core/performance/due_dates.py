"""KPI dates that fall due: a measured KPI's next value.

Each source is one SELECT with the columns kind, item, owner, due_on, reason, link (the
page and filter where the item is handled); it may use ``$today``. The Schedule, the
Overview and "My work" read every area's sources (aims_core/dashboard/schedule.py).
"""

from __future__ import annotations

DUE_DATES: dict[str, str] = {
    "KPI measurement": """
        SELECT 'KPI measurement' AS kind, k.name AS item, k.owner,
               coalesce(CAST(m.latest + CASE k.frequency
                   WHEN 'daily' THEN INTERVAL 1 DAY WHEN 'weekly' THEN INTERVAL 7 DAY
                   WHEN 'monthly' THEN INTERVAL 1 MONTH WHEN 'quarterly' THEN INTERVAL 3 MONTH
                   ELSE INTERVAL 12 MONTH END AS DATE), $today) AS due_on,
               'Record the ' || coalesce(k.frequency, 'yearly') || ' value' AS reason,
               'kpis' AS link
        FROM kpis k
        LEFT JOIN (SELECT kpi_id, max(measured_on) AS latest FROM kpi_measurements
                   GROUP BY kpi_id) m ON m.kpi_id = k.id
        WHERE k.kind = 'measured'""",
}
