"""The demo organisation, and synthetic organisations of any size for benchmarks.

Everything is derived from a seed, so the same arguments give the same rows. With the
default twelve systems the generator produces the curated demo (a fictional consumer-finance
SME); larger sizes repeat the same system archetypes with numbered names. Dates are laid out
relative to an anchor date; :func:`shift_dates` moves a loaded demo to "today".
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from aims_core.demo import (
    compliance,
    improvement,
    inventory,
    management,
    operations,
    people,
    performance,
    risk,
    self_assessment,
)
from aims_core.demo.common import (
    AIMS_OWNER,
    DEMO_ANCHOR,
    HISTORY_MONTHS,
    History,
    months_before,
    write_frames,
)
from aims_core.demo.inventory import ARCHETYPES
from aims_core.demo.risk import ORG_RISKS
from aims_core.storage.database import Database

__all__ = ["ARCHETYPES", "DEMO_ANCHOR", "ORG_RISKS", "generate", "shift_dates", "write_frames"]


def generate(systems: int = 12, seed: int = 42, anchor: date = DEMO_ANCHOR,
             risks_per_system: int | None = None, kpi_points_per_system: int | None = None,
             ) -> dict[str, pd.DataFrame]:
    """All register frames (plus ``change_log``) for an organisation of ``systems`` systems."""
    rng = np.random.default_rng(seed)
    start = months_before(anchor, HISTORY_MONTHS)
    history = History()
    scale = systems > len(ARCHETYPES)
    frames: dict[str, pd.DataFrame] = {}

    frames["organisation"] = management.organisation(start, anchor, history)
    frames["suppliers"] = inventory.suppliers(start, anchor, history)
    supplier_ids = dict(zip(frames["suppliers"]["name"], frames["suppliers"]["id"], strict=True))
    sys_rows = inventory.systems(systems, rng, start, anchor, history, supplier_ids)
    frames["ai_systems"] = pd.DataFrame(sys_rows)
    frames["ai_data_sources"] = inventory.data_sources(sys_rows, start, history)
    frames["triage_assessments"] = inventory.triage_assessments(sys_rows, anchor, history)
    per_system = risks_per_system or (25 if scale else None)
    risks, links = risk.risks(sys_rows, rng, start, anchor, history, per_system)
    assessments, impacts, raised = risk.impact_assessments(sys_rows, anchor, history,
                                                           len(risks) + 1)
    frames["risks"] = pd.concat([risks, raised], ignore_index=True)
    frames["risk_controls"] = links
    frames["risk_acceptances"] = risk.acceptances(frames["risks"], rng, anchor, history)
    frames["impact_assessments"], frames["impacts"] = assessments, impacts
    frames["context_issues"], frames["interested_parties"], frames["opportunities"] = \
        management.context(anchor, sys_rows, history)
    docs = management.documents(anchor, sys_rows, sorted(set(assessments["ai_system_id"])),
                                history)
    frames["documents"], frames["document_versions"] = docs.documents, docs.versions
    frames["document_links"] = docs.links
    frames["soa"], timelines = compliance.soa(rng, start, anchor, history, {
        control: docs.ids[key] for control, key in management.SOA_EVIDENCE.items()})
    frames["soa_versions"], frames["soa_version_items"] = compliance.soa_versions(
        timelines, anchor, history)
    frames["clause_status"] = compliance.clause_status(start, anchor, history, {
        clause: docs.ids[key] for clause, key in management.CLAUSE_EVIDENCE.items()})
    staff = management.staffing(anchor, sys_rows, history)
    frames["aims_roles"], frames["competences"] = staff.roles, staff.competences
    frames["role_competences"] = staff.role_competences
    frames["training_records"] = staff.training_records
    frames["validations"] = inventory.validations(sys_rows, rng, anchor, history)
    frames["management_reviews"] = management.reviews(anchor, history)
    frames.update(improvement.generate(sys_rows, frames["risks"], frames["soa"], anchor,
                                       history, seed))
    frames.update(management.review_results(anchor, history, frames["actions"], sys_rows))
    frames.update(self_assessment.generate(frames, systems, anchor, history, seed))
    kpis, points = performance.kpis(frames, rng, start, anchor, history, kpi_points_per_system)
    frames["kpis"], frames["kpi_measurements"] = kpis, points
    frames["objectives"], frames["objective_kpis"] = performance.objectives(kpis, start, anchor,
                                                                            history)
    frames["api_tokens"] = operations.api_tokens(anchor, history)
    frames["reminder_preferences"] = operations.reminder_preferences(
        sorted({s["owner"] for s in sys_rows} | {AIMS_OWNER}), anchor, history)
    frames["import_layouts"] = operations.import_layouts(start, history)
    frames["people"] = people.people(frames, start, history)  # everyone the registers name
    frames["change_log"] = history.frame()
    return frames


def shift_dates(db: Database, days: int) -> None:
    """Move every date and timestamp of the registers by ``days``, change history included.

    This keeps the committed demo current: its overdue items stay overdue by the same margin
    whenever it is loaded, and the change history still ends in the rows' present state.
    """
    if days == 0:
        return
    columns = db.query_rows(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE data_type IN ('DATE', 'TIMESTAMP') AND table_name NOT IN "
        "('schema_migrations', 'eu_ai_act_dates')"
    )
    date_fields: dict[str, set[str]] = {}
    for table, column in columns:
        date_fields.setdefault(table, set()).add(column)
    log = db.query_df("SELECT id, table_name, before_json, after_json FROM change_log")
    for side in ("before_json", "after_json"):
        log[side] = [_shift_json(text, date_fields.get(table, set()), days)
                     for text, table in zip(log[side], log["table_name"], strict=True)]
    with db.transaction() as cur:
        for table, column in columns:
            cur.execute(f'UPDATE "{table}" SET "{column}" = "{column}" + INTERVAL (?) DAY',
                        [days])
        cur.register("shifted_log", log)
        cur.execute("UPDATE change_log SET before_json = s.before_json, after_json = s.after_json"
                    " FROM shifted_log s WHERE change_log.id = s.id")
        cur.unregister("shifted_log")
        anchor = cur.execute("SELECT value FROM aims_meta WHERE key = 'data_anchor_date'")\
            .fetchone()
        if anchor:
            moved = date.fromisoformat(anchor[0]) + timedelta(days=days)
            cur.execute("UPDATE aims_meta SET value = ? WHERE key = 'data_anchor_date'",
                        [moved.isoformat()])


def _shift_json(text: object, fields: set[str], days: int) -> object:
    if not isinstance(text, str) or not fields:
        return text
    row = json.loads(text)
    for name in fields & row.keys():
        value = row[name]
        if isinstance(value, str):
            moved = datetime.fromisoformat(value) + timedelta(days=days)
            row[name] = moved.date().isoformat() if len(value) == 10 else moved.isoformat()
    return json.dumps(row, ensure_ascii=False)

