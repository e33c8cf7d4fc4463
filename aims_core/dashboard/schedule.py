"""Every date that falls due, from every register that has one, in one list (PRODUCT.md §4
"Dates act"). Each row says what is due, for whom, when, and links to where it is handled.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from aims_core.compliance import due_dates as compliance_due
from aims_core.improvement import due_dates as improvement_due
from aims_core.inventory import due_dates as inventory_due
from aims_core.inventory.revalidation import revalidation_schedule
from aims_core.management_system import due_dates as management_due
from aims_core.performance import due_dates as performance_due
from aims_core.risk import due_dates as risk_due
from aims_core.self_assessment import due_dates as self_assessment_due
from aims_core.storage.database import Database

COLUMNS = ["kind", "item", "owner", "due_on", "overdue", "reason", "link"]

# Every area's sources, in the order the Schedule's kind filter lists them.
_SOURCES: dict[str, str] = {**risk_due.DUE_DATES, **inventory_due.DUE_DATES,
                            **compliance_due.DUE_DATES, **performance_due.DUE_DATES,
                            **improvement_due.DUE_DATES, **management_due.DUE_DATES,
                            **self_assessment_due.DUE_DATES}
# Sources computed in Python (each returns the COLUMNS for a database and today).
_COMPUTED = {**improvement_due.COMPUTED_DUE_DATES}
KINDS = ("Re-validation", *_COMPUTED, *_SOURCES)


def due_dates(db: Database, today: date, owner: str | None = None) -> pd.DataFrame:
    """Every due date (of one ``owner``'s items, if given), overdue first, then by date."""
    union = " UNION ALL ".join(_SOURCES.values())
    mine = "WHERE owner = $owner" if owner is not None else ""
    frame = db.query_df(f"SELECT *, due_on < $today AS overdue FROM ({union}) {mine}",
                        {"today": today, **({"owner": owner} if owner is not None else {})})
    validations = revalidation_schedule(db, today)
    computed = [source(db, today) for source in _COMPUTED.values()]
    if owner is not None:
        validations = validations[validations["owner"] == owner]
        computed = [part[part["owner"] == owner] for part in computed]
    parts = [frame, *computed]
    if not validations.empty:
        parts.append(pd.DataFrame({
            "kind": "Re-validation", "item": validations["name"],
            "owner": validations["owner"],
            "due_on": pd.to_datetime(validations["next_due"]).fillna(pd.Timestamp(today)),
            "overdue": validations["overdue"].astype(bool), "reason": validations["reason"],
            "link": "ai_systems?system=" + validations["ai_system_id"].astype(str)}))
    found = [df for df in parts if not df.empty]
    if found:
        frame = pd.concat(found, ignore_index=True)
    frame["due_on"] = pd.to_datetime(frame["due_on"]).dt.date
    frame["overdue"] = frame["overdue"].astype(bool)
    return frame[COLUMNS].sort_values(["overdue", "due_on", "kind", "item"],
                                      ascending=[False, True, True, True],
                                      ignore_index=True)
