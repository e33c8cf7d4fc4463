"""The improvement figures the Overview and the computed KPIs show, counted in one query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from aims_core.improvement.registers import (
    OPEN_ACTION_STATUSES,
    OPEN_INCIDENT_STATUSES,
    OPEN_NC_STATUSES,
    SEVERITIES,
)
from aims_core.storage.database import Database


@dataclass(frozen=True)
class ImprovementFigures:
    incidents_open: int
    open_by_severity: dict[str, int]  # every severity, most severe first, zeros included
    nonconformities_open: int
    actions_overdue: int  # open or in progress, past their due date


def figures(db: Database, today: date) -> ImprovementFigures:
    severity_counts = ", ".join(
        f"(SELECT count(*) FROM incidents WHERE status IN {OPEN_INCIDENT_STATUSES!r} "
        f"AND severity = '{code}')" for code in SEVERITIES)
    row = db.query_rows(
        f"""SELECT (SELECT count(*) FROM incidents WHERE status IN {OPEN_INCIDENT_STATUSES!r}),
                   (SELECT count(*) FROM nonconformities WHERE status IN {OPEN_NC_STATUSES!r}),
                   (SELECT count(*) FROM actions WHERE status IN {OPEN_ACTION_STATUSES!r}
                                                AND due_on < $today),
                   {severity_counts}""", {"today": today})[0]
    by_severity = dict(zip(SEVERITIES, row[3:], strict=True))
    return ImprovementFigures(
        incidents_open=int(row[0]),
        open_by_severity={code: int(by_severity[code]) for code in reversed(SEVERITIES)},
        nonconformities_open=int(row[1]), actions_overdue=int(row[2]))
