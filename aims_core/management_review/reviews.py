"""Management reviews (9.3): reading a review and its period, preparing it, recording notes,
decisions and actions during the meeting, and signing it off with its frozen pack.

Every write goes through the one write path; a signed review's minutes are locked there
(registers.py). Notes, decisions and attendees are rows of their own, each version-checked,
so a note-taker and the person at the shared screen never overwrite each other.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, time
from typing import Any

import duckdb
import pandas as pd

from aims_core.auth.actor import Actor
from aims_core.improvement.registers import ACTION_STATUSES, OPEN_ACTION_STATUSES
from aims_core.management_review.content import Period
from aims_core.management_review.inputs import INPUTS, PREVIOUS_ACTIONS_SQL
from aims_core.management_review.registers import DECISION_TYPES
from aims_core.management_review.sections import SECTIONS
from aims_core.records.writes import ChangeLog, RowChange, RowProblem, WriteResult, apply_batches
from aims_core.self_assessment import results
from aims_core.storage.database import Database

PACK_FORMAT = 1
DEFAULT_INTERVAL_MONTHS = 12
INTERVAL_KEY = "management_review_interval_months"
CRITICAL_INCIDENT_DAYS = 30  # a review falls due this long after a critical incident
HELD = "coalesce(status, 'held') <> 'planned'"  # held or signed (older rows had no status)
DECISION_SOURCE = "management_review_decision"
DECISIONS_TABLE = "management_review_decisions"


# --- reading ---------------------------------------------------------------------------------
def last_review_on(db: Database, today: date) -> date | None:
    """The date of the latest management review held on or before ``today``."""
    return db.scalar(f"SELECT max(review_date) FROM management_reviews WHERE review_date <= ? "
                     f"AND {HELD}", [today])


def organisation_name(db: Database) -> str | None:
    return db.scalar("SELECT min(name) FROM organisation")


def count_systems(db: Database) -> int:
    return int(db.scalar("SELECT count(*) FROM ai_systems"))


def all_reviews(db: Database) -> pd.DataFrame:
    """Every review, newest first, with whether its pack is frozen."""
    return db.query_df("""
        SELECT r.*, p.id IS NOT NULL AS has_pack FROM management_reviews r
        LEFT JOIN management_review_packs p ON p.review_id = r.id
        ORDER BY r.review_date DESC, r.id DESC""")


def one(db: Database, review_id: int) -> dict[str, Any] | None:
    found = db.query_dicts("SELECT * FROM management_reviews WHERE id = ?", [review_id])
    return found[0] if found else None


def previous_review_on(db: Database, review: dict[str, Any]) -> date | None:
    """The date of the latest review held before ``review``."""
    return db.scalar(f"SELECT max(review_date) FROM management_reviews WHERE review_date < ? "
                     f"AND id <> ? AND {HELD}", [review["review_date"], review["id"]])


def period_of(db: Database, review: dict[str, Any], today: date) -> Period:
    """After the previous review (or the recorded start) up to the review's date; a review
    still ahead covers up to today."""
    since = review.get("period_start") or previous_review_on(db, review)
    return Period(since, min(review["review_date"], today))


def interval_months(db: Database) -> int:
    value = db.scalar("SELECT value FROM aims_meta WHERE key = ?", [INTERVAL_KEY])
    return int(value) if value else DEFAULT_INTERVAL_MONTHS


def next_due(db: Database, today: date) -> tuple[date | None, str]:
    """When the next review is due and why: the planned one, else the interval after the
    last one (or after a critical incident since then, if sooner)."""
    planned = db.scalar("SELECT min(review_date) FROM management_reviews "
                        "WHERE status = 'planned'")
    if planned is not None:
        return planned, "planned"
    last = last_review_on(db, today)
    if last is None:
        return None, "no review held yet"
    months = interval_months(db)
    due = db.scalar("SELECT CAST(? + to_months(?) AS DATE)", [last, months])
    critical = _critical_incident_after(db, last)
    if critical is not None and critical < due:
        return critical, "critical incident"
    return due, f"{months} months after the last review"


def _critical_incident_after(db: Database, last: date) -> date | None:
    return db.scalar(f"SELECT CAST(min(detected_on) + INTERVAL {CRITICAL_INCIDENT_DAYS} DAY "
                     "AS DATE) FROM incidents WHERE severity = 'critical' AND detected_on > ?",
                     [last])


def section_notes(db: Database, review_id: int) -> dict[str, dict[str, Any]]:
    """Each input's notes row (id, notes, discussed, version), by section code."""
    rows = db.query_dicts("SELECT * FROM management_review_sections WHERE review_id = ?",
                          [review_id])
    return {row["section"]: row for row in rows}


def decisions(db: Database, review_id: int) -> pd.DataFrame:
    return db.query_df("SELECT * FROM management_review_decisions WHERE review_id = ? "
                       "ORDER BY id", [review_id])


def decision_actions(db: Database, review_id: int, today: date) -> pd.DataFrame:
    """The actions of this review's decisions (and any linked to the review itself)."""
    return db.query_df(f"""
        SELECT a.*, d.id AS decision_id,
               a.status IN {OPEN_ACTION_STATUSES!r} AND a.due_on < $today AS overdue
        FROM actions a LEFT JOIN management_review_decisions d
             ON a.source_table = '{DECISIONS_TABLE}' AND d.id = a.source_id
        WHERE d.review_id = $review OR (a.source_table = 'management_reviews'
                                        AND a.source_id = $review)
        ORDER BY a.id""", {"review": review_id, "today": today})


def open_review_actions(db: Database, today: date) -> pd.DataFrame:
    """Open actions decided at management reviews, overdue first (the Overview lists them)."""
    return db.query_df(f"""
        SELECT a.id, a.title, a.owner, a.due_on, a.status, a.due_on < $today AS overdue
        FROM actions a WHERE a.source = '{DECISION_SOURCE}'
          AND a.status IN {OPEN_ACTION_STATUSES!r}
        ORDER BY overdue DESC, a.due_on, a.id""", {"today": today})


def attendees(db: Database, review_id: int) -> pd.DataFrame:
    return db.query_df("SELECT * FROM management_review_attendees WHERE review_id = ? "
                       "ORDER BY id", [review_id])


# What the meeting records; no input is computed from these rows.
MEETING_TABLES = ("management_review_sections", "management_review_decisions",
                  "management_review_attendees", "management_review_packs")


def registers_mark(db: Database) -> int:
    """The latest change to any register but the meeting's records: the live inputs are
    cached on it, so notes, decisions and attendance saved during the meeting do not
    recompute them (a decision's action, a review's date or period do)."""
    return int(db.scalar("SELECT coalesce(max(id), 0) FROM change_log "
                         "WHERE NOT list_contains(?, table_name)", [list(MEETING_TABLES)]))


def live_sections(db: Database, review: dict[str, Any], today: date) -> list[dict[str, Any]]:
    """Every input computed from the registers as they are now, for the review's period."""
    period = period_of(db, review, today)
    return [INPUTS[spec.code](db, int(review["id"]), review["review_date"], period)
            for spec in SECTIONS]


def pack(db: Database, review_id: int) -> dict[str, Any] | None:
    """The frozen pack of a signed review (None if it has none)."""
    text = db.scalar("SELECT content_json FROM management_review_packs WHERE review_id = ?",
                     [review_id])
    return json.loads(text) if text else None


def readiness(db: Database, review: dict[str, Any], today: date) -> pd.DataFrame:
    """Per input: whether the registers hold data for it, and what."""
    period = period_of(db, review, today)
    p = {**period.params, "review": int(review["id"]), "day": review["review_date"]}
    counts = db.query_rows(f"""SELECT
        (SELECT count(*) FROM ({PREVIOUS_ACTIONS_SQL})),
        (SELECT count(*) FROM context_issues), (SELECT count(*) FROM interested_parties),
        (SELECT count(*) FROM nonconformities),
        (SELECT count(*) FROM kpi_measurements WHERE measured_on <= $until
                                                AND ($since IS NULL OR measured_on > $since)),
        (SELECT count(*) FROM audits WHERE held_on <= $until
                                       AND ($since IS NULL OR held_on > $since)),
        (SELECT count(*) FROM opportunities), (SELECT count(*) FROM risks),
        (SELECT count(*) FILTER (WHERE applicable IS NOT NULL) FROM soa),
        (SELECT count(*) FROM validations) + (SELECT count(*) FROM incidents),
        (SELECT count(*) FROM ai_systems WHERE eu_ai_act_category IS NOT NULL),
        (SELECT count(*) FROM change_log WHERE CAST(changed_at AS DATE) <= $until
           AND ($since IS NULL OR CAST(changed_at AS DATE) > $since))
        """, p)[0]
    what = ("actions from earlier reviews", "context issues", "interested parties",
            "nonconformities", "KPI values in the period", "audits held in the period",
            "opportunities", "risks", "SoA decisions", "validations and incidents",
            "AI systems triaged", "changes recorded in the period")
    rows = []
    for spec, count, noun in zip(SECTIONS, counts, what, strict=True):
        detail = f"{count:,} {noun}"
        if spec.code == "e_opportunities" and results.latest_finished(db) is None:
            detail += "; no finished self-assessment yet"
        rows.append({"section": spec.code, "input": f"{spec.clause} {spec.title}",
                     "ready": bool(count), "detail": detail})
    return pd.DataFrame(rows)


# --- preparing -------------------------------------------------------------------------------
def plan(db: Database, actor: Actor, values: dict[str, Any]) -> WriteResult:
    """Add a review (planned, or held if its date has passed and ``status`` says so)."""
    row = {"status": "planned", **values}
    return apply_batches(db, [("management_reviews", [RowChange("insert", row,
                                                                 label="The new review")])],
                         actor)


def update(db: Database, actor: Actor, review_id: int, expected_version: int,
           values: dict[str, Any]) -> WriteResult:
    return apply_batches(db, [("management_reviews", [RowChange(
        "update", values, row_id=review_id, expected_version=expected_version)])], actor)


def set_interval(db: Database, actor: Actor, months: int) -> WriteResult:
    """Change how many months may pass between reviews (an admin setting, logged)."""
    if not 1 <= months <= 36:
        result = WriteResult()
        result.errors.append(RowProblem("Review interval", "Months", "must be 1 to 36"))
        return result
    before = interval_months(db)

    def write(cur: duckdb.DuckDBPyConnection, log: ChangeLog) -> list[RowProblem]:
        cur.execute("INSERT OR REPLACE INTO aims_meta VALUES (?, ?)", [INTERVAL_KEY, str(months)])
        log.append("aims_meta", 0, "update", {INTERVAL_KEY: before}, {INTERVAL_KEY: months})
        return []

    return apply_batches(db, [], actor, also=write)


def add_attendee(db: Database, actor: Actor, review_id: int, person: str | None,
                 capacity: str | None) -> WriteResult:
    return apply_batches(db, [("management_review_attendees", [RowChange("insert", {
        "review_id": review_id, "person": person, "capacity": capacity, "attended": True},
        label="The attendee")])], actor)


def record_attendance(db: Database, actor: Actor,
                      attended: dict[int, tuple[int, bool]]) -> WriteResult:
    """Who attended, in one write: attendee id -> (the version read, attended)."""
    return apply_batches(db, [("management_review_attendees", [
        RowChange("update", {"attended": present}, row_id=attendee_id,
                  expected_version=version)
        for attendee_id, (version, present) in attended.items()])], actor)


# --- during the meeting ---------------------------------------------------------------------
def save_notes(db: Database, actor: Actor, review_id: int, section: str, notes: str | None,
               discussed: bool, row_id: int | None = None,
               expected_version: int | None = None) -> WriteResult:
    """An input's discussion notes and "discussed" tick; a newer save by someone else is
    reported as a conflict, never overwritten."""
    values = {"notes": notes, "discussed": discussed}
    if row_id is None:
        change = RowChange("insert", {"review_id": review_id, "section": section, **values},
                           label="The notes")
    else:
        change = RowChange("update", values, row_id=row_id, expected_version=expected_version)
    return apply_batches(db, [("management_review_sections", [change])], actor)


def record_decision(db: Database, actor: Actor, review_id: int, decision_type: str | None,
                    text: str | None, section: str | None,
                    action: dict[str, Any] | None = None) -> WriteResult:
    """A decision (9.3.3) and, if given, its first action (title, owner, due_on) in the one
    actions list, in one transaction: a refused action leaves no decision behind."""
    decision = RowChange("insert", {"review_id": review_id, "decision_type": decision_type,
                                    "decision": text, "section": section},
                         label="The decision")
    with db.write_lock:  # the decision's id is known before the action that links to it
        batches: list[tuple[str, list[RowChange]]] = [(DECISIONS_TABLE, [decision])]
        if action is not None:
            new_id = db.scalar(f"SELECT coalesce(max(id), 0) + 1 FROM {DECISIONS_TABLE}")
            batches.append(("actions", [_action_change(new_id, action)]))
        return apply_batches(db, batches, actor)


def add_action(db: Database, actor: Actor, decision_id: int, action: dict[str, Any]
               ) -> WriteResult:
    """A further action for a decision (an action of a signed review's decision is refused:
    its minutes are locked)."""
    review = db.scalar(f"SELECT review_id FROM {DECISIONS_TABLE} WHERE id = ?", [decision_id])
    if review is not None and db.scalar("SELECT status FROM management_reviews WHERE id = ?",
                                        [review]) == "signed":
        result = WriteResult()
        result.errors.append(RowProblem("The action", None, "cannot be added: the review is "
                                        "signed off and its minutes are locked; add it in the "
                                        "Actions list with the source Other"))
        return result
    return apply_batches(db, [("actions", [_action_change(decision_id, action)])], actor)


def _action_change(decision_id: int, action: dict[str, Any]) -> RowChange:
    return RowChange("insert", {
        "title": action.get("title"), "owner": action.get("owner"),
        "due_on": action.get("due_on"), "status": "open", "source": DECISION_SOURCE,
        "source_table": DECISIONS_TABLE, "source_id": decision_id,
        "created_on": action.get("created_on") or date.today(), "notes": None},
        label="The action")


# --- sign-off and the pack ------------------------------------------------------------------
def build_pack(db: Database, review: dict[str, Any], today: date,
               organisation: str | None = None) -> dict[str, Any]:
    """Everything the review considered and decided, as it stands now: the pack's content."""
    period = period_of(db, review, today)
    notes = section_notes(db, int(review["id"]))
    actions_now = decision_actions(db, int(review["id"]), today)
    found = decisions(db, int(review["id"]))
    people = attendees(db, int(review["id"]))
    name = organisation or organisation_name(db)
    return {
        "format": PACK_FORMAT, "organisation": name,
        "review": {k: _plain(review.get(k)) for k in (
            "id", "review_date", "chair", "attendees", "scope", "aims_suitable",
            "aims_adequate", "aims_effective", "conclusion", "signed_by", "signed_on")},
        "period": period.as_json(), "period_label": period.label(),
        "attendees": [{"person": r.person, "capacity": _plain(r.capacity),
                       "attended": _plain(r.attended)} for r in people.itertuples()],
        "sections": [{**section,
                      "discussion": _plain(notes.get(section["code"], {}).get("notes")),
                      "discussed": bool(notes.get(section["code"], {}).get("discussed"))}
                     for section in live_sections(db, review, today)],
        "decisions": [{"id": int(d.id), "type": DECISION_TYPES.get(d.decision_type,
                                                                   d.decision_type),
                       "decision": d.decision, "section": _plain(d.section),
                       "actions": [{"title": a.title, "owner": a.owner,
                                    "due_on": _plain(a.due_on),
                                    "status": ACTION_STATUSES.get(a.status, a.status)}
                                   for a in actions_now.itertuples()
                                   if a.decision_id == d.id]}
                      for d in found.itertuples()],
    }


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def sign_off(db: Database, actor: Actor, review_id: int, expected_version: int,
             signed_on: date) -> WriteResult:
    """The chair signs off: the review is locked and its pack frozen, in one transaction.
    Refused (nothing written) without a chair, the conclusion, or by anyone but the chair."""
    with db.write_lock:  # the pack holds what the registers say at the moment of signing
        review = one(db, review_id)
        if review is None:
            result = WriteResult()
            result.errors.append(RowProblem(f"Management review {review_id}", None,
                                            "no longer exists: reload"))
            return result
        signed = {"status": "signed", "signed_by": actor.name, "signed_on": signed_on}
        content = build_pack(db, {**review, **signed}, signed_on)
        text = json.dumps(content, ensure_ascii=False, sort_keys=True)
        return apply_batches(db, [
            ("management_reviews", [RowChange("update", signed, row_id=review_id,
                                              expected_version=expected_version)]),
            ("management_review_packs", [RowChange("insert", {
                "review_id": review_id, "frozen_on": signed_on, "content_json": text,
                "content_sha256": hashlib.sha256(text.encode()).hexdigest()},
                label="The review pack")])], actor)


def freeze_missing_packs(db: Database) -> int:
    """Freeze the pack of every signed review that has none (the demo's signed review is
    generated without one), as its signer on the day of signing; returns how many."""
    missing = db.query_dicts("""
        SELECT r.* FROM management_reviews r
        WHERE r.status = 'signed' AND r.signed_on IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM management_review_packs p WHERE p.review_id = r.id)""")
    for review in missing:
        text = json.dumps(build_pack(db, review, review["signed_on"]), ensure_ascii=False,
                          sort_keys=True)
        result = apply_batches(db, [("management_review_packs", [RowChange("insert", {
            "review_id": review["id"], "frozen_on": review["signed_on"], "content_json": text,
            "content_sha256": hashlib.sha256(text.encode()).hexdigest()})])],
            Actor(review["signed_by"], "admin", "cli"),
            now=datetime.combine(review["signed_on"], time(16)))
        if not result.ok:
            raise RuntimeError("; ".join(map(str, result.errors + result.conflicts)))
    return len(missing)
