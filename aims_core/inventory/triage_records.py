"""Stored EU AI Act triages: recording one (with its system's category), reading the latest
per system, and the regulatory dates on which each system's obligations start to apply.

A triage row keeps the answers, the questionnaire version, the roles, the category, the
Annex III point, the reasoning and every obligation with its date (``obligations_json``),
so the record says what was concluded when, and SQL can read the dates.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from aims_core.auth.actor import Actor
from aims_core.inventory.triage import TriageError, TriageResult, triage
from aims_core.inventory.triage_questionnaire import (
    QUESTIONNAIRE_VERSION,
    ROLE_NAMES,
    VERSION_KEY,
    lower_first,
)
from aims_core.records.writes import RowChange, WriteResult, apply_batches
from aims_core.storage.database import Database

LATEST_TRIAGE_SQL = """
    SELECT * FROM triage_assessments
    QUALIFY row_number() OVER (PARTITION BY ai_system_id ORDER BY assessed_on DESC, id DESC) = 1
"""
_OBLIGATION_TYPE = ('[{"role": "VARCHAR", "topic": "VARCHAR", "legal_basis": "VARCHAR", '
                    '"text": "VARCHAR", "applies_from": "DATE"}]')
_ROLE_LABELS = " ".join(f"WHEN '{code}' THEN '{lower_first(label)}'"
                        for code, label in ROLE_NAMES.items())
_ROLE_ORDER = repr(list(ROLE_NAMES))

# One row per AI system (not retired) and date on which obligations of its latest triage
# start to apply: what starts (topics), for which role under which articles, and the reason
# line the Schedule shows.
REGULATORY_DATES_SQL = f"""
WITH duty AS (
    SELECT l.ai_system_id, l.category, l.annex_iii_point, u.d.role, u.d.topic,
           u.d.legal_basis, u.d.applies_from, u.n
    FROM ({LATEST_TRIAGE_SQL}) l,
         -- try(): an unreadable stored list (typed by hand, imported) lists no dates
         -- rather than breaking every page that reads the Schedule
         unnest(try(from_json(l.obligations_json, '{_OBLIGATION_TYPE}')))
             WITH ORDINALITY AS u(d, n)
    WHERE l.obligations_json IS NOT NULL
), article AS (  -- each article once per role and date, in the triage's own order
    SELECT ai_system_id, category, annex_iii_point, applies_from, role, topic, legal_basis,
           min(n) AS n
    FROM duty GROUP BY ALL
), per_role AS (
    SELECT ai_system_id, category, annex_iii_point, applies_from, role,
           'as ' || CASE role {_ROLE_LABELS} ELSE role END || ': '
               || string_agg(legal_basis, ', ' ORDER BY n) AS bases
    FROM article GROUP BY ai_system_id, category, annex_iii_point, applies_from, role
), topic AS (
    SELECT ai_system_id, applies_from, string_agg(topic, '; ' ORDER BY n) AS topics
    FROM (SELECT ai_system_id, applies_from, topic, min(n) AS n FROM article GROUP BY ALL)
    GROUP BY ALL
), per_date AS (
    SELECT r.ai_system_id, r.category, r.annex_iii_point, r.applies_from, t.topics,
           string_agg(r.bases, '; ' ORDER BY list_position({_ROLE_ORDER}, r.role)) AS duties
    FROM per_role r JOIN topic t USING (ai_system_id, applies_from)
    GROUP BY ALL
)
SELECT s.id AS ai_system_id, s.name, s.owner, d.applies_from, d.category, d.annex_iii_point,
       c.label AS category_label, d.topics, d.duties,
       d.topics || ' from ' || strftime(d.applies_from, '%-d %b %Y') || ' ('
           || coalesce(c.label, d.category) || coalesce(', Annex III ' || d.annex_iii_point, '')
           || ') — ' || d.duties AS reason
FROM per_date d
JOIN ai_systems s ON s.id = d.ai_system_id
LEFT JOIN eu_ai_act_categories c ON c.category_id = d.category
WHERE s.lifecycle_stage IS DISTINCT FROM 'retired'
"""

# Systems whose latest triage is flagged for a re-check (e.g. made with an earlier
# questionnaire): due now.
RECHECK_SQL = f"""
SELECT s.id AS ai_system_id, s.name, s.owner, l.assessed_on, l.recheck
FROM ({LATEST_TRIAGE_SQL}) l JOIN ai_systems s ON s.id = l.ai_system_id
WHERE l.recheck IS NOT NULL AND s.lifecycle_stage IS DISTINCT FROM 'retired'
"""


def obligations_json(result: TriageResult) -> str:
    return json.dumps([{"role": o.role, "topic": o.topic, "legal_basis": o.legal_basis,
                        "text": o.text, "applies_from": o.applies_from.isoformat()}
                       for o in result.obligations], ensure_ascii=False)


def triage_row(system_id: int, answers: dict[str, Any], result: TriageResult, who: str,
               on: date) -> dict[str, Any]:
    """The triage_assessments row recording ``result`` (the demo generator writes it too)."""
    return {"ai_system_id": system_id, "assessed_on": on, "assessed_by": who,
            "answers_json": json.dumps(answers, sort_keys=True, ensure_ascii=False),
            "category": result.category, "annex_iii_area": result.annex_iii_area,
            "annex_iii_point": result.annex_iii_point, "reasoning": result.reasoning_text(),
            "questionnaire_version": result.questionnaire_version,
            "roles": ",".join(result.role_codes) or None,
            "obligations_json": obligations_json(result), "recheck": None}


def record_triage(db: Database, system_id: int, system_version: int,
                  answers: dict[str, Any], actor: Actor,
                  on: date) -> tuple[TriageResult, WriteResult]:
    """Triage ``answers`` (current questionnaire) and store the result with the system's
    category, Annex III area and point, in one transaction; TriageError names a bad answer
    and nothing is written."""
    answers = {**answers, VERSION_KEY: QUESTIONNAIRE_VERSION}
    result = triage(answers)
    record = RowChange("insert", triage_row(system_id, answers, result, actor.name, on),
                       label="The triage")
    system = RowChange("update", {"eu_ai_act_category": result.category,
                                  "annex_iii_area": result.annex_iii_area,
                                  "annex_iii_point": result.annex_iii_point},
                       row_id=system_id, expected_version=system_version)
    return result, apply_batches(db, [("triage_assessments", [record]),
                                      ("ai_systems", [system])], actor)


@dataclass(frozen=True)
class StoredTriage:
    """A system's latest triage as recorded, with its answers read by the current code."""

    assessed_on: date
    assessed_by: str
    answers: dict[str, Any]
    category: str
    reasoning: str
    questionnaire_version: int
    recheck: str | None
    result: TriageResult | None  # None when the stored answers can no longer be read
    problem: str | None


def read_answers(answers_json: str) -> tuple[dict[str, Any], TriageResult | None, str | None]:
    """Stored answers, read by the current code: (answers, result, None), or ({}, None, what
    is wrong) when a file or a SQL shell left answers that are not answers at all."""
    try:
        answers = json.loads(answers_json)
        return answers, triage(answers), None
    except (TriageError, ValueError, TypeError, AttributeError) as exc:
        return {}, None, str(exc) or type(exc).__name__


def latest(db: Database, system_id: int) -> StoredTriage | None:
    rows = db.query_df(f"SELECT * FROM ({LATEST_TRIAGE_SQL}) WHERE ai_system_id = ?",
                       [system_id])
    if rows.empty:
        return None
    row = rows.iloc[0]
    answers, result, problem = read_answers(row["answers_json"])
    version = row["questionnaire_version"]
    return StoredTriage(pd.Timestamp(row["assessed_on"]).date(), str(row["assessed_by"]),
                        answers, str(row["category"]), str(row["reasoning"]),
                        1 if pd.isna(version) else int(version),
                        None if pd.isna(row["recheck"]) else str(row["recheck"]),
                        result, problem)


def regulatory_dates(db: Database, today: date, *, upcoming_only: bool = True) -> pd.DataFrame:
    """Per AI system and date, the EU AI Act obligations of its latest triage that start to
    apply then (the management review and the Schedule read it); ``upcoming_only`` keeps
    the dates from ``today`` on. Earliest first."""
    frame = db.query_df(
        f"""SELECT *, applies_from <= $today AS in_force FROM ({REGULATORY_DATES_SQL})
            WHERE NOT $upcoming OR applies_from >= $today
            ORDER BY applies_from, name""", {"today": today, "upcoming": upcoming_only})
    frame["applies_from"] = pd.to_datetime(frame["applies_from"]).dt.date
    return frame
