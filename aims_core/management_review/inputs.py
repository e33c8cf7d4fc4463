"""Each review input computed from the registers for the review's period (9.3.2 a-e and the
AI-specific inputs); "changed since the last review" is in changes.py.

Every function takes the database, the review's id and its :class:`Period` and returns one
section (content.py). Figures are aggregated in DuckDB; tables keep at most MAX_ROWS rows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pandas as pd

from aims_core.compliance.registers import IMPLEMENTATION_STATUSES
from aims_core.compliance.soa import SOA_ROWS_SQL, STANDING_SQL, coverage
from aims_core.improvement.registers import (
    ACTION_STATUSES,
    FINDING_TYPES,
    INCIDENT_STATUSES,
    NC_GRADES,
    NC_STATUSES,
    OPEN_ACTION_STATUSES,
    OPEN_INCIDENT_STATUSES,
    SEVERITIES,
)
from aims_core.inventory.revalidation import revalidation_schedule
from aims_core.management_review import changes
from aims_core.management_review.content import Period, bars, section, table, trend
from aims_core.management_system.registers import OPPORTUNITY_STATUSES
from aims_core.performance.kpi_status import STATUS_LABELS, status_on_sql
from aims_core.records.history import field_changes
from aims_core.risk.registers import RISK_STATUSES, TREATMENTS
from aims_core.risk.risk_method import (
    BAND_COLOURS,
    LEVEL_BANDS,
    RATED_RISKS_SQL,
    band_rank_sql,
    load_method,
)
from aims_core.self_assessment import results
from aims_core.storage.database import Database

TREND_KPIS = 4  # KPI trend charts per review: red ones first, then amber
_OPEN_ACTIONS = repr(OPEN_ACTION_STATUSES)


def table_exists(db: Database, name: str) -> bool:
    return bool(db.scalar("SELECT count(*) FROM information_schema.tables "
                          "WHERE table_schema = 'main' AND table_name = ?", [name]))


def _labels(frame: pd.DataFrame, column: str, labels: dict[str, str]) -> pd.DataFrame:
    frame[column] = frame[column].map(lambda code: labels.get(code, code))
    return frame


# --- a) ------------------------------------------------------------------------------------
PREVIOUS_ACTIONS_SQL = f"""
    WITH origin AS (
        SELECT 'management_review_decisions' AS source_table, d.id AS source_id,
               r.id AS review_id, r.review_date, d.decision
        FROM management_review_decisions d JOIN management_reviews r ON r.id = d.review_id
        UNION ALL
        SELECT 'management_reviews', r.id, r.id, r.review_date, NULL FROM management_reviews r
    )
    SELECT a.id, a.title, a.owner, a.due_on, a.status, a.done_on, o.review_date, o.decision,
           a.status IN {_OPEN_ACTIONS} AND a.due_on < $until AS overdue
    FROM actions a JOIN origin o USING (source_table, source_id)
    WHERE o.review_id <> $review AND o.review_date < $day
"""


def previous_actions(db: Database, review: int, day: date, period: Period) -> pd.DataFrame:
    """The actions decided at reviews before this one, and where each stands."""
    return db.query_df(f"{PREVIOUS_ACTIONS_SQL} ORDER BY overdue DESC, "
                       f"a.status IN {_OPEN_ACTIONS} DESC, a.due_on, a.id",
                       {"review": review, "day": day, "until": period.until})


def actions_input(db: Database, review: int, day: date, period: Period) -> dict[str, Any]:
    frame = previous_actions(db, review, day, period)
    done = int((frame["status"] == "done").sum())
    open_ = int(frame["status"].isin(OPEN_ACTION_STATUSES).sum())
    overdue = int(frame["overdue"].sum())
    frame["state"] = [("OVERDUE, " if late else "") + ACTION_STATUSES.get(s, s)
                      for s, late in zip(frame["status"], frame["overdue"], strict=True)]
    return section("a_actions", facts=[
        ("Actions from earlier reviews", len(frame)), ("Done", done), ("Still open", open_),
        ("Overdue", overdue)],
        charts=[bars("Actions by status", [("Done", done), ("Open, on time", open_ - overdue),
                                            ("Overdue", overdue)])] if len(frame) else [],
        tables=[table("Actions decided at earlier reviews", frame, {
            "title": "Action", "owner": "Owner", "due_on": "Due", "state": "Status",
            "done_on": "Done on", "review_date": "Decided at the review of"},
            empty="No action was decided at an earlier review.")])


# --- b) and c) ----------------------------------------------------------------------------
def _context_changes(db: Database, table_name: str, period: Period) -> pd.DataFrame:
    frame = field_changes(db, (table_name,), period.since, period.until)
    frame["change"] = [{"insert": "Added", "delete": "Removed"}.get(op, f"Changed: {fields}")
                       for op, fields in zip(frame["operation"], frame["fields"], strict=True)]
    return frame


def _context_input(db: Database, code: str, table_name: str, noun: str,
                   period: Period) -> dict[str, Any]:
    counts = db.query_rows(
        f"""SELECT count(*) FILTER (WHERE closed_on IS NULL OR closed_on > $until),
                   count(*) FILTER (WHERE closed_on <= $until
                                    AND ($since IS NULL OR closed_on > $since))
            FROM "{table_name}" """, period.params)[0]
    frame = _context_changes(db, table_name, period)
    added = int((frame["operation"] == "insert").sum())
    changed_rows = frame.loc[frame["operation"] == "update", "row_id"].nunique()
    return section(code, facts=[
        (f"{noun.capitalize()} relevant at the review", counts[0]), ("Added", added),
        ("Changed", changed_rows), ("Closed (no longer relevant)", counts[1])],
        tables=[table(f"Changes to {noun} in the period", frame, {
            "changed_at": "When", "changed_by": "Who", "item": "Item", "change": "Change"},
            empty=f"No change to {noun} in the period.")])


def issues_input(db: Database, review: int, day: date, period: Period) -> dict[str, Any]:
    return _context_input(db, "b_issues", "context_issues", "issues", period)


def parties_input(db: Database, review: int, day: date, period: Period) -> dict[str, Any]:
    return _context_input(db, "c_parties", "interested_parties", "interested parties", period)


# --- d) 1) --------------------------------------------------------------------------------
def nonconformities_input(db: Database, review: int, day: date,
                          period: Period) -> dict[str, Any]:
    p = period.params
    raised = db.query_df("""
        SELECT id, title, grade, status, raised_on, closed_on, owner FROM nonconformities
        WHERE ($since IS NULL OR raised_on > $since) AND raised_on <= $until
        ORDER BY raised_on DESC, id DESC""", p)
    row = db.query_rows(f"""
        SELECT count(*) FILTER (WHERE closed_on > coalesce($since, DATE '0001-01-01')
                                AND closed_on <= $until),
               count(*) FILTER (WHERE raised_on <= $until
                                AND (closed_on IS NULL OR closed_on > $until)),
               count(*) FILTER (WHERE raised_on <= $until AND grade = 'major'
                                AND (closed_on IS NULL OR closed_on > $until)),
               (SELECT count(*) FROM actions WHERE source = 'nonconformity'
                AND done_on > coalesce($since, DATE '0001-01-01') AND done_on <= $until),
               (SELECT count(*) FROM actions WHERE source = 'nonconformity'
                AND status IN {_OPEN_ACTIONS} AND created_on <= $until),
               (SELECT count(*) FROM actions WHERE source = 'nonconformity'
                AND status IN {_OPEN_ACTIONS} AND due_on < $until)
        FROM nonconformities""", p)[0]
    months = db.query_df("""
        WITH m AS (SELECT unnest(generate_series(date_trunc('month', $until) - INTERVAL 11 MONTH,
                                                 date_trunc('month', $until), INTERVAL 1 MONTH))
                          ::DATE AS month)
        SELECT strftime(m.month, '%b %y') AS label,
               (SELECT count(*) FROM nonconformities n
                WHERE date_trunc('month', n.raised_on) = m.month
                  AND n.raised_on <= $until) AS raised
        FROM m ORDER BY m.month""", {"until": period.until})
    _labels(_labels(raised, "grade", NC_GRADES), "status", NC_STATUSES)
    return section("d1_nonconformities", facts=[
        ("Raised in the period", len(raised)), ("Closed in the period", row[0]),
        ("Open at the review", row[1]), ("Open major", row[2]),
        ("Corrective actions done in the period", row[3]),
        ("Corrective actions open", row[4]), ("Corrective actions overdue", row[5])],
        charts=[bars("Nonconformities raised per month (last 12 months)",
                     list(months.itertuples(index=False, name=None)))],
        tables=[table("Nonconformities raised in the period", raised, {
            "title": "Nonconformity", "grade": "Grade", "status": "Status",
            "raised_on": "Raised", "closed_on": "Closed", "owner": "Owner"})])


# --- d) 2) --------------------------------------------------------------------------------
def monitoring_input(db: Database, review: int, day: date, period: Period) -> dict[str, Any]:
    status = db.query_df(f"""
        SELECT *, CASE status WHEN 'red' THEN 0 WHEN 'amber' THEN 1 ELSE 2 END AS rank
        FROM ({status_on_sql('$until')}) ORDER BY rank, name, id""",
        {"until": period.until})
    counts = status["status"].value_counts()
    worst = status[status["status"].isin(("red", "amber"))]
    charted = status.head(TREND_KPIS) if not worst.empty else worst
    charts = []
    if not charted.empty:
        points = db.query_df("""
            SELECT kpi_id, date_trunc('month', measured_on)::DATE AS month, avg(value) AS value
            FROM kpi_measurements
            WHERE list_contains($ids, kpi_id) AND measured_on <= $until
              AND measured_on > $until - INTERVAL 12 MONTH
            GROUP BY ALL ORDER BY kpi_id, month""",
            {"ids": [int(i) for i in charted["id"]], "until": period.until})
        for kpi in charted.itertuples():
            label = STATUS_LABELS[kpi.status]
            name = f"{kpi.name}" + (f" ({kpi.ai_system})" if isinstance(kpi.ai_system, str)
                                    else "")
            charts.append(trend(f"{name}: {label}", points.loc[points["kpi_id"] == kpi.id,
                                                               ["month", "value"]],
                                unit=kpi.unit if isinstance(kpi.unit, str) else None,
                                target=_number(kpi.target), amber=_number(kpi.amber_threshold),
                                red=_number(kpi.red_threshold),
                                direction=kpi.direction if isinstance(kpi.direction, str)
                                else None, status=kpi.status))
    objectives = _objectives(db, status)
    worst = worst.assign(state=worst["status"].map(STATUS_LABELS))
    return section("d2_monitoring", facts=[
        ("KPIs", len(status)), ("Red: breach", int(counts.get("red", 0))),
        ("Amber: watch", int(counts.get("amber", 0))),
        ("Green: on track", int(counts.get("green", 0))),
        ("No data or thresholds", int(counts.get("no_data", 0) + counts.get("unrated", 0)))],
        charts=charts,
        tables=[table("KPIs in red or amber at the review", worst, {
            "name": "KPI", "ai_system": "AI system", "value": "Latest value", "unit": "Unit",
            "target": "Target", "measured_on": "Measured on", "state": "Status"},
            empty="Every KPI with thresholds is green."),
            table("Objectives (6.2) and their KPIs", objectives, {
                "title": "Objective", "owner": "Owner", "target_date": "Target date",
                "kpis": "KPIs", "red": "Red", "amber": "Amber", "green": "Green"},
                empty="No objective is recorded yet.")])


def _objectives(db: Database, status: pd.DataFrame) -> pd.DataFrame:
    """Each objective with how many of its KPIs stood red, amber and green (from ``status``,
    the KPIs as they stood at the review: computed once for the whole input)."""
    links = db.query_df("""
        SELECT o.id, o.title, o.owner, o.target_date, l.kpi_id FROM objectives o
        LEFT JOIN objective_kpis l ON l.objective_id = o.id""")
    merged = links.merge(status[["id", "status"]].rename(columns={"id": "kpi_id"}),
                         on="kpi_id", how="left")
    for colour in ("red", "amber", "green"):
        merged[colour] = merged["status"] == colour
    merged["kpis"] = merged["kpi_id"].notna()
    grouped = merged.groupby(["id", "title", "owner", "target_date"], dropna=False)[
        ["kpis", "red", "amber", "green"]].sum().reset_index()
    return grouped.sort_values(["red", "amber", "title"], ascending=[False, False, True])


def _number(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


# --- d) 3) --------------------------------------------------------------------------------
def audits_input(db: Database, review: int, day: date, period: Period) -> dict[str, Any]:
    p = period.params
    held = db.query_df("""
        SELECT a.id, a.title, a.held_on, a.lead_auditor, a.conclusion,
               count(f.id) AS findings,
               count(f.id) FILTER (WHERE f.finding_type IN ('major', 'minor')) AS ncs
        FROM audits a LEFT JOIN audit_findings f ON f.audit_id = a.id
        WHERE a.held_on IS NOT NULL AND ($since IS NULL OR a.held_on > $since)
          AND a.held_on <= $until
        GROUP BY ALL ORDER BY a.held_on DESC, a.id""", p)
    findings = db.query_df("""
        SELECT f.finding_type, count(*) AS n
        FROM audit_findings f JOIN audits a ON a.id = f.audit_id
        WHERE a.held_on IS NOT NULL AND ($since IS NULL OR a.held_on > $since)
          AND a.held_on <= $until GROUP BY ALL""", p)
    by_type = dict(zip(findings["finding_type"], findings["n"], strict=True))
    planned = db.query_df("""
        SELECT title, planned_on, lead_auditor FROM audits
        WHERE status = 'planned' AND planned_on > $until ORDER BY planned_on LIMIT 5""",
        {"until": period.until})
    return section("d3_audits", facts=[
        ("Audits held in the period", len(held)),
        *[(label, int(by_type.get(code, 0))) for code, label in FINDING_TYPES.items()]],
        charts=[bars("Findings of the audits in the period",
                     [(label, int(by_type.get(code, 0)))
                      for code, label in FINDING_TYPES.items()])] if len(held) else [],
        tables=[table("Audits held in the period", held, {
            "title": "Audit", "held_on": "Held on", "lead_auditor": "Lead auditor",
            "findings": "Findings", "ncs": "Nonconformities", "conclusion": "Conclusion"},
            empty="No internal audit was held in the period."),
            table("Next audits planned", planned, {"title": "Audit", "planned_on": "Planned on",
                                                   "lead_auditor": "Lead auditor"},
                  empty="No audit is planned: plan the next one (9.2).")])


# --- e) ------------------------------------------------------------------------------------
NO_SELF_ASSESSMENT = ("No finished self-assessment yet: run one on the Self-assessment page "
                      "to see its largest gaps here.")


def self_assessment_gaps(db: Database) -> tuple[str | None, pd.DataFrame | None]:
    """The largest gaps of the latest finished self-assessment, or why there are none."""
    gaps = results.latest_gaps(db)
    if gaps.empty:
        return NO_SELF_ASSESSMENT, None
    return None, pd.DataFrame({"topic": gaps["requirement_id"] + " " + gaps["title"],
                               "score": gaps["score"], "gap": gaps["gap"]})


def opportunities_input(db: Database, review: int, day: date,
                        period: Period) -> dict[str, Any]:
    frame = db.query_df("""
        SELECT o.title, o.status, o.owner, o.benefit, s.name AS ai_system FROM opportunities o
        LEFT JOIN ai_systems s ON s.id = o.ai_system_id
        ORDER BY o.status IN ('realised', 'dropped'), o.id""")
    changed = field_changes(db, ("opportunities",), period.since, period.until)
    counts = frame["status"].value_counts()
    _labels(frame, "status", OPPORTUNITY_STATUSES)
    missing, gaps = self_assessment_gaps(db)
    tables = [table("Opportunities for improvement (6.1.1, 10.1)", frame, {
        "title": "Opportunity", "status": "Status", "owner": "Owner",
        "benefit": "Expected benefit", "ai_system": "AI system"},
        empty="No opportunity is recorded yet: add them on the Context page.")]
    if gaps is not None:
        tables.append(table("Gaps of the latest self-assessment", gaps,
                            {"topic": "Topic", "score": "Score", "gap": "Gap"}))
    return section("e_opportunities", facts=[
        ("Opportunities", len(frame)),
        ("Identified or pursuing", int(counts.get("identified", 0) + counts.get("pursuing", 0))),
        ("Realised", int(counts.get("realised", 0))),
        ("Changed in the period", changed["row_id"].nunique())],
        tables=tables, notes=[missing] if missing else [])


# --- the AI-specific inputs -------------------------------------------------------------------
def risks_input(db: Database, review: int, day: date, period: Period) -> dict[str, Any]:
    method = load_method(db)
    above = [band for band in LEVEL_BANDS if method.above_tolerance(band)]
    levels = db.query_df(f"""
        SELECT current_level AS level, count(*) AS n FROM ({RATED_RISKS_SQL})
        WHERE is_open GROUP BY ALL""")
    by_level = dict(zip(levels["level"], levels["n"], strict=True))
    row = db.query_rows(f"""
        SELECT count(*) FILTER (WHERE is_open),
               count(*) FILTER (WHERE is_open AND list_contains($above, current_level)),
               count(*) FILTER (WHERE is_open AND list_contains($above, current_level)
                                AND coalesce(treatment, '') = ''),
               count(*) FILTER (WHERE is_open AND review_date < $until)
        FROM ({RATED_RISKS_SQL})""", {"above": above, "until": period.until})[0]
    top = db.query_df(f"""
        SELECT r.title, s.name AS ai_system, r.current_level, r.treatment, r.status, r.owner,
               r.review_date
        FROM ({RATED_RISKS_SQL}) r LEFT JOIN ai_systems s ON s.id = r.ai_system_id
        WHERE r.is_open AND list_contains($above, r.current_level)
        ORDER BY {band_rank_sql('r.current_level')} DESC, r.id""", {"above": above})
    _labels(_labels(top, "treatment", TREATMENTS), "status", RISK_STATUSES)
    return section("risks", facts=[
        ("Open risks", row[0]), (f"Above tolerance ({method.tolerance})", row[1]),
        ("Above tolerance with no treatment", row[2]), ("Risk reviews overdue", row[3])],
        charts=[bars("Open risks by current level",
                     [(band, int(by_level.get(band, 0))) for band in LEVEL_BANDS],
                     colours=[BAND_COLOURS[band] for band in LEVEL_BANDS])],
        tables=[table("Open risks above the risk tolerance", top, {
            "title": "Risk", "ai_system": "AI system", "current_level": "Level",
            "treatment": "Treatment", "status": "Status", "owner": "Owner",
            "review_date": "Review due"}, empty="No open risk is above the tolerance.")])


def soa_input(db: Database, review: int, day: date, period: Period) -> dict[str, Any]:
    standing = db.query_df(f"""
        SELECT {STANDING_SQL} AS standing, count(*) AS n FROM ({SOA_ROWS_SQL}) s
        WHERE s.applicable GROUP BY ALL""", {"today": period.until})
    by_status = dict(zip(standing["standing"], standing["n"], strict=True))
    applicable = int(standing["n"].sum())
    implemented = int(by_status.get("implemented", 0))
    versions = db.query_df("""
        SELECT version_no, approved_by, approved_on, note FROM soa_versions
        WHERE ($since IS NULL OR approved_on > $since) AND approved_on <= $until
        ORDER BY version_no DESC""", period.params)
    by_objective = coverage(db, period.until)
    by_objective["implemented_share"] = by_objective["implemented_pct"].map(
        lambda v: "" if pd.isna(v) else f"{v:.0f}%")
    pct = f"{100 * implemented / applicable:.0f}%" if applicable else "no control applicable"
    return section("soa", facts=[
        ("Applicable controls", applicable), ("Implemented", f"{implemented} ({pct})"),
        ("SoA versions approved in the period", len(versions))],
        charts=[bars("Applicable controls by standing",
                     [(label, int(by_status.get(code, 0)))
                      for code, label in IMPLEMENTATION_STATUSES.items()])],
        tables=[table("SoA versions approved in the period", versions, {
            "version_no": "Version", "approved_by": "Approved by",
            "approved_on": "Approved on", "note": "Note"},
            empty="No SoA version was approved in the period."),
            table("Coverage by Annex A objective", by_objective, {
                "objective": "Objective", "applicable": "Applicable",
                "implemented": "Implemented", "implemented_share": "Share"})])


def revalidation_incidents_input(db: Database, review: int, day: date,
                                 period: Period) -> dict[str, Any]:
    p = period.params
    schedule = revalidation_schedule(db, period.until)
    overdue = schedule[schedule["overdue"].astype(bool)]
    row = db.query_rows(f"""
        SELECT (SELECT count(*) FROM validations WHERE validated_on <= $until
                AND ($since IS NULL OR validated_on > $since)),
               (SELECT count(*) FROM incidents WHERE detected_on <= $until
                AND ($since IS NULL OR detected_on > $since)),
               (SELECT count(*) FROM incidents WHERE closed_on <= $until
                AND ($since IS NULL OR closed_on > $since)),
               (SELECT count(*) FROM incidents WHERE status IN {OPEN_INCIDENT_STATUSES!r}),
               (SELECT count(*) FROM incidents WHERE detected_on <= $until
                AND ($since IS NULL OR detected_on > $since)
                AND coalesce(serious_incident, 'not_serious') <> 'not_serious')""", p)[0]
    incidents = db.query_df("""
        SELECT i.title, s.name AS ai_system, i.severity, i.status, i.detected_on, i.closed_on
        FROM incidents i LEFT JOIN ai_systems s ON s.id = i.ai_system_id
        WHERE (i.detected_on <= $until AND ($since IS NULL OR i.detected_on > $since))
           OR (i.closed_on <= $until AND ($since IS NULL OR i.closed_on > $since))
        ORDER BY i.detected_on DESC, i.id DESC""", p)
    _labels(_labels(incidents, "severity", SEVERITIES), "status", INCIDENT_STATUSES)
    return section("revalidation_incidents", facts=[
        ("Re-validations overdue", len(overdue)), ("Validations done in the period", row[0]),
        ("Incidents opened in the period", row[1]), ("Incidents closed in the period", row[2]),
        ("Incidents open now", row[3]), ("Serious incidents (EU AI Act) in the period", row[4])],
        tables=[table("Re-validations overdue", overdue, {
            "name": "AI system", "owner": "Owner", "next_due": "Due", "reason": "Reason"},
            empty="No re-validation is overdue."),
            table("Incidents opened or closed in the period", incidents, {
                "title": "Incident", "ai_system": "AI system", "severity": "Severity",
                "status": "Status", "detected_on": "Detected", "closed_on": "Closed"})])


def eu_ai_act_input(db: Database, review: int, day: date, period: Period) -> dict[str, Any]:
    horizon = period.until + timedelta(days=365)
    dates = db.query_df("""
        SELECT applies_from, item, legal_basis,
               CASE WHEN applies_from <= $until THEN 'In force since the last review'
                    ELSE 'Coming within a year' END AS state
        FROM eu_ai_act_dates
        WHERE (applies_from <= $until AND ($since IS NULL OR applies_from > $since))
           OR (applies_from > $until AND applies_from <= $horizon)
        ORDER BY applies_from, item""", {**period.params, "horizon": horizon})
    row = db.query_rows("""
        SELECT count(*) FILTER (WHERE eu_ai_act_category = 'high_risk'),
               count(*) FILTER (WHERE eu_ai_act_category IS NULL)
        FROM ai_systems WHERE lifecycle_stage <> 'retired'""")[0]
    return section("eu_ai_act", facts=[
        ("Dates in force since the last review",
         int((dates["state"] == "In force since the last review").sum())),
        ("Dates coming within a year", int((dates["state"] == "Coming within a year").sum())),
        ("High-risk AI systems in use or development", row[0]),
        ("AI systems not yet triaged", row[1])],
        tables=[table("EU AI Act dates", dates, {
            "applies_from": "Applies from", "item": "What applies", "legal_basis": "Basis",
            "state": "For this review"},
            empty="No EU AI Act date fell in the period or falls in the next year.")],
        notes=["A triage aid, not legal advice: the dates are those of the Regulation as "
               "amended, held in the catalogue."])


INPUTS: dict[str, Callable[[Database, int, date, Period], dict[str, Any]]] = {
    "a_actions": actions_input, "b_issues": issues_input, "c_parties": parties_input,
    "d1_nonconformities": nonconformities_input, "d2_monitoring": monitoring_input,
    "d3_audits": audits_input, "e_opportunities": opportunities_input, "risks": risks_input,
    "soa": soa_input, "revalidation_incidents": revalidation_incidents_input,
    "eu_ai_act": eu_ai_act_input, "changes": changes.changes_input,
}
