"""The improvement registers as an auditor reads them: labels instead of codes, names
instead of ids, each record's source and the reporting deadlines an incident set."""

from __future__ import annotations

from datetime import date

import pandas as pd

from aims_core.improvement import actions, audits, incidents, legal_clocks, nonconformities
from aims_core.improvement.registers import (
    ACTIONS,
    AUDIT_FINDINGS,
    AUDITS,
    INCIDENTS,
    NONCONFORMITIES,
)
from aims_core.records.fields import Register
from aims_core.storage.database import Database
from aims_core.storage.filters import ColumnFilter

EVERYTHING = ColumnFilter()


def _layout(frame: pd.DataFrame, register: Register, columns: list[str],
            extra: dict[str, str]) -> pd.DataFrame:
    """``columns`` of ``frame`` under their labels: the register's fields with choice labels
    and Yes/No, the ``extra`` columns (not fields) under the labels given; dates as dates."""
    out = pd.DataFrame(index=frame.index)
    for name in columns:
        values = frame[name]
        if name in extra:
            label = extra[name]
        else:
            spec = register.field(name)
            label = spec.label
            if spec.kind == "choice" and spec.choices:
                values = values.map(spec.choices).fillna(values)
            elif spec.kind == "bool":
                values = values.map({True: "Yes", False: "No"})
        if pd.api.types.is_datetime64_any_dtype(values):
            values = pd.Series([None if pd.isna(v) else v.date() for v in values],
                               index=values.index, dtype="object")
        out[label] = values
    return out.reset_index(drop=True)


def _clock_columns(report: legal_clocks.Reporting, today: date) -> dict[str, object]:
    columns: dict[str, object] = {}
    for clock in report.clocks:
        law = "GDPR" if clock.law.startswith("GDPR") else "AI Act"
        columns[f"{law} duty"] = f"{clock.law}: {clock.duty} within {clock.period}. " \
                                 + clock.force_note()
        columns[f"{law} deadline"] = clock.deadline
        columns[f"{law} status"] = clock.state(today)
    return columns


def incident_register(db: Database, today: date) -> pd.DataFrame:
    frame = incidents.register(db, EVERYTHING)
    frame["ai_system"] = frame["ai_system"].fillna("Organisation-wide")
    out = _layout(frame, INCIDENTS, [
        "id", "ai_system", "title", "severity", "harm_type", "occurred_on", "detected_on",
        "reported_by", "owner", "people_affected", "status", "closed_on", "serious_incident",
        "personal_data_breach", "ai_act_reported_on", "gdpr_reported_on", "description",
        "immediate_action", "root_cause", "lessons_learned", "nonconformities"],
        {"id": "ID", "ai_system": "AI system", "nonconformities": "Nonconformities raised"})
    reports = legal_clocks.reporting(db, [int(i) for i in frame["id"]])
    clocks = pd.DataFrame([_clock_columns(reports[int(i)], today) for i in frame["id"]],
                          columns=[f"{law} {part}" for law in ("AI Act", "GDPR")
                                   for part in ("duty", "deadline", "status")])
    return pd.concat([out, clocks], axis=1)


def audit_programme(db: Database, today: date) -> pd.DataFrame:
    frame = audits.programme(db, today, EVERYTHING)
    frame["independence"] = frame["independence"].fillna("Independent")
    return _layout(frame, AUDITS, [
        "id", "title", "planned_on", "status", "held_on", "lead_auditor", "auditee",
        "auditors", "scope", "scope_covered", "conclusion", "finding_counts", "independence"],
        {"id": "ID", "scope": "Scope planned", "finding_counts": "Findings",
         "independence": "Auditor independence (9.2.2)"})


def audit_findings(db: Database) -> pd.DataFrame:
    frame = audits.findings(db)
    frame["requirement"] = (frame["requirement_id"].fillna("") + " "
                            + frame["requirement_title"].fillna("")).str.strip()
    frame["nonconformity"] = ["" if pd.isna(n) else f"#{int(n)}"
                              for n in frame["nonconformity_id"]]
    return _layout(frame, AUDIT_FINDINGS, [
        "audit_id", "audit", "held_on", "id", "finding_type", "requirement", "ai_system",
        "description", "evidence", "nonconformity"],
        {"audit_id": "Audit ID", "audit": "Audit", "held_on": "Held on", "id": "Finding ID",
         "requirement": "Clause or control", "ai_system": "AI system",
         "nonconformity": "Nonconformity raised"})


def nonconformity_register(db: Database, today: date) -> pd.DataFrame:
    frame = nonconformities.register(db, today, EVERYTHING)
    frame["corrective_actions"] = [f"{int(n - o)} of {int(n)} done or cancelled" if n else "none"
                                   for n, o in zip(frame["actions"], frame["open_actions"],
                                                   strict=True)]
    return _layout(frame, NONCONFORMITIES, [
        "id", "title", "grade", "source_record", "requirement_id", "ai_system", "owner",
        "raised_on", "description", "correction", "root_cause", "corrective_actions", "status",
        "effectiveness_due", "effectiveness_checked_on", "effectiveness_result",
        "effectiveness_notes", "closed_on"],
        {"id": "ID", "source_record": "Source", "ai_system": "AI system",
         "corrective_actions": "Corrective actions"})


def action_list(db: Database, today: date) -> pd.DataFrame:
    frame = actions.register(db, today, EVERYTHING)
    frame["overdue"] = frame["overdue"].map({True: "Overdue", False: ""})
    return _layout(frame, ACTIONS, [
        "id", "title", "owner", "due_on", "status", "done_on", "overdue", "source_record",
        "created_on", "notes"],
        {"id": "ID", "overdue": "Overdue", "source_record": "Source"})
