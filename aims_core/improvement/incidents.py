"""AI incidents (ISO/IEC 42001 A.8.4, A.3.3): the register's listing and recording one.

An incident on an AI system makes the system due for re-validation now (see
inventory/revalidation.py); its legal reporting clocks are in legal_clocks.py.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from aims_core.auth.actor import Actor
from aims_core.improvement.registers import OPEN_INCIDENT_STATUSES, SEVERITIES
from aims_core.records.writes import RowChange, WriteResult, apply_changes
from aims_core.storage.database import Database
from aims_core.storage.filters import ColumnFilter, count_rows, select_page

ORG_WIDE = 0  # the AI-system filter's value for organisation-wide incidents

LIST_SQL = f"""
    SELECT i.*, s.name AS ai_system, coalesce(i.ai_system_id, {ORG_WIDE}) AS system_key,
           i.status IN {OPEN_INCIDENT_STATUSES!r} AS is_open,
           list_position({list(SEVERITIES)!r}, i.severity) AS severity_rank,
           (SELECT count(*) FROM nonconformities n WHERE n.source_table = 'incidents'
                AND n.source_id = i.id) AS nonconformities
    FROM incidents i LEFT JOIN ai_systems s ON s.id = i.ai_system_id
"""


def register(db: Database, filters: ColumnFilter, me: str | None = None,
             limit: int | None = None, offset: int = 0) -> pd.DataFrame:
    """Filtered incidents: with ``me``, that owner's first; open before closed, the most
    severe and the latest first."""
    order = "is_open DESC, severity_rank DESC, detected_on DESC, id DESC"
    if me:
        return select_page(db, LIST_SQL, filters, order_by=f"owner = $me DESC, {order}",
                           params={"me": me}, limit=limit, offset=offset)
    return select_page(db, LIST_SQL, filters, order_by=order, limit=limit, offset=offset)


def count(db: Database, filters: ColumnFilter) -> int:
    return count_rows(db, LIST_SQL, filters)


def one(db: Database, incident_id: int) -> dict[str, Any] | None:
    found = select_page(db, LIST_SQL, ColumnFilter.of(id=[incident_id]), order_by="id")
    return None if found.empty else found.iloc[0].to_dict()


def record(db: Database, actor: Actor, values: dict[str, Any]) -> WriteResult:
    """Record one new incident (validated like every write)."""
    return apply_changes(db, "incidents", [RowChange("insert", values, label="The incident")],
                         actor)


def people(db: Database) -> list[str]:
    """Owners of incidents, for the owner filter."""
    return [r[0] for r in db.query_rows("SELECT DISTINCT owner FROM incidents ORDER BY 1")]



def record_report(db: Database, actor: Actor, incident_id: int, expected_version: int,
                  field: str, reported_on: date) -> WriteResult:
    """Record the day a report was made (``ai_act_reported_on`` or ``gdpr_reported_on``),
    which stops that reporting clock."""
    return apply_changes(db, "incidents", [RowChange(
        "update", {field: reported_on}, row_id=incident_id, expected_version=expected_version)],
        actor)
