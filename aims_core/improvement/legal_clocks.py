"""The reporting deadlines the law sets for an incident, counted from the day the
organisation became aware of it (``incidents.detected_on``).

- EU AI Act, a serious incident (Art. 3(49)) on a system its latest triage classifies as
  high-risk: the **provider** reports to the market surveillance authority within 15 days
  (Art. 73(2)), 10 days when a person died (73(4)), 2 days for a widespread infringement or a
  serious and irreversible disruption of critical infrastructure (73(3)). A **deployer**
  informs the provider immediately, then the importer or distributor and the authority
  (Art. 26(5)); "immediately" is counted here as by the day after awareness. Whether the duty
  already applied is the triage's date for that obligation (Annex III high-risk systems from
  2 Dec 2027, Annex I from 2 Aug 2028), compared with the day of awareness.
- GDPR Art. 33: a personal-data breach is notified to the supervisory authority within 72
  hours of awareness.

A reported-on date stops a clock; a deadline passed without one is overdue. The system's
roles and obligations are read only through ``triage.roles`` and ``triage.triage``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

import pandas as pd

from aims_core.inventory import triage, triage_records
from aims_core.inventory.registers import EU_AI_ACT_CATEGORIES
from aims_core.storage.database import Database

# Days from awareness to the provider's report, by the kind of serious incident (Art. 73).
PROVIDER_DAYS = {"serious": 15, "death": 10, "widespread": 2}
_PROVIDER_PERIODS = {"serious": "15 days", "death": "10 days (a person died)",
                     "widespread": "2 days (widespread infringement or critical "
                                   "infrastructure disrupted)"}
DEPLOYER_DAYS = 1  # Art. 26(5) "immediately", counted as by the day after awareness
GDPR_HOURS = 72
GDPR_APPLIES_FROM = date(2018, 5, 25)
_DUTY_BASIS = {"provider": re.compile(r"\b73\b"), "deployer": re.compile(r"Art\. 26\b")}

State = Literal["running", "overdue", "reported on time", "reported late"]


@dataclass(frozen=True)
class Clock:
    incident_id: int
    law: str  # "EU AI Act Art. 73", "EU AI Act Art. 26(5)" or "GDPR Art. 33"
    duty: str  # who tells whom
    period: str  # "15 days", "72 hours" …
    aware_on: date
    deadline: date
    applies_from: date
    reported_on: date | None

    @property
    def reported_field(self) -> str:
        """The incident field whose date stops this clock."""
        return "gdpr_reported_on" if self.law.startswith("GDPR") else "ai_act_reported_on"

    @property
    def in_force(self) -> bool:
        """Whether the duty applied on the day the organisation became aware."""
        return self.aware_on >= self.applies_from

    def state(self, today: date) -> State:
        if self.reported_on is not None:
            return "reported on time" if self.reported_on <= self.deadline else "reported late"
        return "overdue" if today > self.deadline else "running"

    def force_note(self) -> str:
        if self.in_force:
            return f"In force since {self.applies_from:%-d %b %Y}."
        return (f"Applies to this system from {self.applies_from:%-d %b %Y}: not yet binding "
                "for this incident, reporting now is voluntary.")

    def reason(self) -> str:
        """One line for the Schedule: the duty, its period and whether it binds."""
        when = f"within {self.period} of awareness ({self.aware_on:%-d %b %Y})"
        if self.law.startswith("GDPR"):
            when += f", i.e. by the same time on {self.deadline:%-d %b %Y}"
        return f"{self.law}: {self.duty} {when}. {self.force_note()}"


@dataclass(frozen=True)
class Reporting:
    """An incident's reporting clocks and what keeps a clock from being computed."""

    clocks: tuple[Clock, ...] = ()
    notes: tuple[str, ...] = field(default=())


_INCIDENTS_SQL = """
    WITH latest AS (
        SELECT ai_system_id, answers_json FROM triage_assessments
        QUALIFY row_number() OVER (PARTITION BY ai_system_id
                                   ORDER BY assessed_on DESC, id DESC) = 1)
    SELECT i.id, i.title, i.owner, i.ai_system_id, i.detected_on, i.serious_incident,
           i.personal_data_breach, i.ai_act_reported_on, i.gdpr_reported_on, t.answers_json
    FROM incidents i LEFT JOIN latest t ON t.ai_system_id = i.ai_system_id
    WHERE {where}
"""
_SERIOUS = tuple(PROVIDER_DAYS)


def _ai_act(row: dict[str, Any]) -> tuple[list[Clock], list[str]]:
    kind, aware = row["serious_incident"], row["detected_on"]
    if row["answers_json"] is None:
        if kind in _SERIOUS or kind is None:
            return [], ["No EU AI Act triage is recorded for this system: run it on the AI "
                        "systems page to know whether a serious-incident report (Art. 73) "
                        "is due."]
        return [], []
    answers, result, problem = triage_records.read_answers(row["answers_json"])
    if result is None:
        return [], [f"The system's latest EU AI Act triage cannot be read ({problem}): run it "
                    "again to know whether Art. 73 applies."]
    if result.category != "high_risk":
        if kind in _SERIOUS:
            category = EU_AI_ACT_CATEGORIES.get(result.category, result.category)
            return [], [f"No Art. 73 report: the latest triage classifies the system as "
                        f"{category}, not high-risk."]
        return [], []
    if kind is None:
        return [], ["The system is high-risk: decide whether this is a serious incident "
                    "(Art. 3(49)), since a report may be due within 15 days of awareness."]
    if kind not in _SERIOUS:
        return [], []
    roles = triage.roles(answers)
    role = "provider" if "provider" in roles else "deployer" if "deployer" in roles else None
    if role is None:
        return [], ["The latest triage names no provider or deployer role for this system, "
                    "so no Art. 73 clock is computed."]
    applies = [o.applies_from for o in result.obligations
               if o.role == role and _DUTY_BASIS[role].search(o.legal_basis)]
    if not applies:
        return [], [f"The latest triage lists no {role} incident duty for this system."]
    if role == "provider":
        clock = Clock(int(row["id"]), "EU AI Act Art. 73",
                      "report the serious incident to the market surveillance authority",
                      _PROVIDER_PERIODS[kind], aware, aware + timedelta(PROVIDER_DAYS[kind]),
                      min(applies), row["ai_act_reported_on"])
    else:
        clock = Clock(int(row["id"]), "EU AI Act Art. 26(5)",
                      "as deployer, inform the provider (then the importer or distributor "
                      "and the market surveillance authority)", "1 day (immediately)", aware,
                      aware + timedelta(DEPLOYER_DAYS), min(applies), row["ai_act_reported_on"])
    return [clock], []


def _gdpr(row: dict[str, Any]) -> Clock:
    aware = row["detected_on"]
    return Clock(int(row["id"]), "GDPR Art. 33",
                 "notify the personal-data breach to the supervisory authority", "72 hours",
                 aware, aware + timedelta(hours=GDPR_HOURS), GDPR_APPLIES_FROM,
                 row["gdpr_reported_on"])


def _assess(row: dict[str, Any]) -> Reporting:
    clocks, notes = ([], []) if row["ai_system_id"] is None else _ai_act(row)
    if row["personal_data_breach"]:
        clocks.append(_gdpr(row))
    return Reporting(tuple(clocks), tuple(notes))


def _rows(db: Database, where: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    cursor = db.cursor().execute(_INCIDENTS_SQL.format(where=where), params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def reporting(db: Database, incident_ids: list[int]) -> dict[int, Reporting]:
    """The clocks and notes of the given incidents."""
    return {int(row["id"]): _assess(row)
            for row in _rows(db, "list_contains($ids, i.id)", {"ids": incident_ids})}


def running(db: Database, today: date) -> pd.DataFrame:
    """Every clock not yet stopped by a reported-on date, in the Schedule's columns."""
    rows = _rows(db, f"(i.serious_incident IN {_SERIOUS!r} AND i.ai_act_reported_on IS NULL) "
                     "OR (i.personal_data_breach AND i.gdpr_reported_on IS NULL)", {})
    found = []
    for row in rows:
        for clock in _assess(row).clocks:
            if clock.reported_on is None:
                found.append({"kind": "Incident report", "item": f"#{row['id']} {row['title']}",
                              "owner": row["owner"], "due_on": clock.deadline,
                              "overdue": clock.state(today) == "overdue",
                              "reason": clock.reason(),
                              "link": f"incidents?incident={row['id']}"})
    frame = pd.DataFrame(found, columns=["kind", "item", "owner", "due_on", "overdue", "reason",
                                         "link"])
    # datetime64 like the SQL sources, so joining them keeps the column's type (and speed)
    frame["due_on"] = pd.to_datetime(frame["due_on"])
    return frame.astype({"overdue": bool})


def summary(report: Reporting, today: date) -> str:
    """The clocks in a few words, for the register's table."""
    parts = []
    for clock in report.clocks:
        law = "AI Act" if clock.law.startswith("EU") else "GDPR"
        state = clock.state(today)
        if clock.reported_on is not None:
            parts.append(f"{law}: {state} ({clock.reported_on:%d %b})")
        else:
            parts.append(f"{law}: {'OVERDUE since' if state == 'overdue' else 'due'} "
                         f"{clock.deadline:%d %b %Y}" + ("" if clock.in_force else
                                                       " (voluntary)"))
    return " · ".join(parts)
