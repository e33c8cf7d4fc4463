"""Improvement dates that fall due: planned internal audits, effectiveness checks of
nonconformities, actions, and the legal reporting deadlines of incidents.

Each source in ``DUE_DATES`` is one SELECT with the columns kind, item, owner, due_on,
reason, link (the page and filter where the item is handled); it may use ``$today``.
Reporting deadlines depend on each system's EU AI Act triage, which is read in Python, so
they are a computed source (``COMPUTED_DUE_DATES``: a function of the database and today
returning the same columns plus ``overdue``). The Schedule, the Overview and "My work" read
every area's sources (aims_core/dashboard/schedule.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd

from aims_core.improvement import legal_clocks
from aims_core.improvement.actions import LIST_SQL as ACTIONS_SQL
from aims_core.improvement.registers import (
    OPEN_ACTION_STATUSES,
    OPEN_AUDIT_STATUSES,
    OPEN_NC_STATUSES,
)
from aims_core.storage.database import Database

DUE_DATES: dict[str, str] = {
    "Internal audit": f"""
        SELECT 'Internal audit' AS kind, '#' || id || ' ' || title AS item,
               lead_auditor AS owner, planned_on AS due_on,
               CASE status WHEN 'in_progress' THEN 'Complete the audit and record its '
                    || 'conclusion (9.2)' ELSE 'Hold the planned audit (9.2)' END AS reason,
               'audits?audit=' || id AS link
        FROM audits WHERE status IN {OPEN_AUDIT_STATUSES!r}""",
    "Effectiveness check": f"""
        SELECT 'Effectiveness check' AS kind, '#' || id || ' ' || title AS item, owner,
               effectiveness_due AS due_on,
               'Check that the corrective actions worked (10.2), then close' AS reason,
               'nonconformities?nc=' || id AS link
        FROM nonconformities
        WHERE status IN {OPEN_NC_STATUSES!r} AND effectiveness_due IS NOT NULL
          AND effectiveness_result IS NULL""",
    "Action": f"""
        SELECT 'Action' AS kind, '#' || id || ' ' || title AS item, owner, due_on,
               'From ' || source_record AS reason, 'actions?action=' || id AS link
        FROM ({ACTIONS_SQL}) WHERE status IN {OPEN_ACTION_STATUSES!r}""",
}

COMPUTED_DUE_DATES: dict[str, Callable[[Database, date], pd.DataFrame]] = {
    "Incident report": legal_clocks.running,
}
