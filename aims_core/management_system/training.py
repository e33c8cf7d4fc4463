"""Training and competence (7.2, 7.3, A.4.6): courses and competences, the records per
person with their expiry, who lacks what their role requires, and AI literacy coverage
(EU AI Act Art. 4, applying since 2 February 2025).

A record's expiry is its completion date plus the competence's validity (month ends clamp);
a competence without validity does not expire. A person holds a competence while their
latest record of it has not expired.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from aims_core.management_system.registers import TRAINING_RECORDS
from aims_core.management_system.roles import ACTIVE_ROLE_SQL
from aims_core.records.labels import for_people
from aims_core.storage.database import Database

EXPIRING_DAYS = 30
EXPIRES_SQL = ("CASE WHEN c.validity_months IS NULL THEN NULL ELSE "
               "CAST(t.completed_on + to_months(c.validity_months) AS DATE) END")
_STATE_SQL = f"""CASE WHEN expires_on IS NULL THEN 'current'
                     WHEN expires_on < $today THEN 'expired'
                     WHEN expires_on <= $today + INTERVAL {EXPIRING_DAYS} DAY THEN 'expiring'
                     ELSE 'current' END"""
STATES = {"current": "Current", "expiring": f"Expires within {EXPIRING_DAYS} days",
          "expired": "Expired", "missing": "Missing", "renewed": "Renewed by a later record"}

# Per person and competence, what they hold: the latest completion and its expiry.
HELD_SQL = f"""
    SELECT t.person, t.competence_id, max(t.completed_on) AS completed_on,
           CASE WHEN bool_or(c.validity_months IS NULL) THEN NULL
                ELSE max({EXPIRES_SQL}) END AS expires_on
    FROM training_records t JOIN competences c ON c.id = t.competence_id GROUP BY ALL"""


# --- records ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class RecordFilter:
    person: str | None = None
    competence_ids: tuple[int, ...] = ()
    kinds: tuple[str, ...] = ()
    states: tuple[str, ...] = ()  # of current, expiring, expired, renewed

    def where(self) -> tuple[str, dict[str, object]]:
        return ("""($person IS NULL OR person = $person)
                  AND ($competences = [] OR list_contains($competences, competence_id))
                  AND ($kinds = [] OR kind IN (SELECT unnest($kinds)))
                  AND ($states = [] OR state IN (SELECT unnest($states)))""",
                {"person": self.person, "competences": list(self.competence_ids),
                 "kinds": list(self.kinds), "states": list(self.states)})


_RECORDS_SQL = f"""
    SELECT *, CASE WHEN superseded THEN 'renewed' ELSE {_STATE_SQL} END AS state FROM (
        SELECT t.*, c.name AS competence, c.kind, {EXPIRES_SQL} AS expires_on,
               t.completed_on < max(t.completed_on) OVER (PARTITION BY t.person,
                                                          t.competence_id) AS superseded
        FROM training_records t JOIN competences c ON c.id = t.competence_id)"""


def records(db: Database, today: date, filters: RecordFilter = RecordFilter(),
            limit: int | None = None, offset: int = 0) -> pd.DataFrame:
    """Training records (every field, id and version) with the competence, its kind, the
    computed expiry and state (a record a later one of the same competence renewed is
    'renewed', whatever its expiry)."""
    where, params = filters.where()
    return db.query_df(f"SELECT * FROM ({_RECORDS_SQL}) WHERE {where} "
                       "ORDER BY person, competence, completed_on DESC, id "
                       "LIMIT $limit OFFSET $offset",
                       {**params, "today": today, "limit": limit, "offset": offset})


def record_count(db: Database, today: date, filters: RecordFilter = RecordFilter()) -> int:
    where, params = filters.where()
    return int(db.scalar(f"SELECT count(*) FROM ({_RECORDS_SQL}) WHERE {where}",
                         {**params, "today": today}))


def competences(db: Database) -> pd.DataFrame:
    """Competences (every field, id and version) with how many roles require each and how
    many people have a record of it."""
    return db.query_df("""
        SELECT c.*, (SELECT count(*) FROM role_competences rc WHERE rc.competence_id = c.id)
                   AS roles,
               (SELECT count(DISTINCT person) FROM training_records t
                WHERE t.competence_id = c.id) AS people
        FROM competences c ORDER BY c.kind, c.name""")


def competence_names(db: Database) -> dict[int, str]:
    return {int(i): name for i, name in
            db.query_rows("SELECT id, name FROM competences ORDER BY name")}


# --- gaps ------------------------------------------------------------------------------------
# Every competence a current role requires, per person holding or deputising the role, with
# what that person holds of it.
_NEEDS_SQL = f"""
    WITH people_in_roles AS (
        SELECT r.id AS role_id, r.role, r.holder AS person, 'holder' AS capacity
        FROM aims_roles r WHERE {ACTIVE_ROLE_SQL}
        UNION ALL
        SELECT r.id, r.role, r.deputy, 'deputy' FROM aims_roles r
        WHERE {ACTIVE_ROLE_SQL} AND r.deputy IS NOT NULL
    ), needs AS (
        SELECT p.*, rc.competence_id, c.name AS competence, c.kind
        FROM people_in_roles p JOIN role_competences rc ON rc.role_id = p.role_id
        JOIN competences c ON c.id = rc.competence_id
    )
    SELECT needs.*, h.completed_on, h.expires_on,
           CASE WHEN h.person IS NULL THEN 'missing' ELSE {_STATE_SQL} END AS state
    FROM needs LEFT JOIN ({HELD_SQL}) h
         ON h.person = needs.person AND h.competence_id = needs.competence_id"""


def needs(db: Database, today: date, person: str | None = None) -> pd.DataFrame:
    """Each (person, role, required competence) with its state: current, expiring, expired
    or missing."""
    return db.query_df(f"SELECT * FROM ({_NEEDS_SQL}) WHERE $person IS NULL OR "
                       "person = $person ORDER BY person, role, competence",
                       {"today": today, "person": person})


def gaps_by_person(db: Database, today: date, limit: int | None = None,
                   offset: int = 0) -> pd.DataFrame:
    """Per person with a gap: the competences they lack or hold expired, and their roles;
    most gaps first."""
    return db.query_df(f"""
        SELECT person,
               count(DISTINCT competence_id) FILTER (WHERE state = 'missing') AS missing,
               count(DISTINCT competence_id) FILTER (WHERE state = 'expired') AS expired,
               string_agg(DISTINCT competence || ' (' || state || ')', '; ')
                   FILTER (WHERE state IN ('missing', 'expired')) AS lacking,
               string_agg(DISTINCT role, '; ') AS roles
        FROM ({_NEEDS_SQL}) GROUP BY person
        HAVING count(*) FILTER (WHERE state IN ('missing', 'expired')) > 0
        ORDER BY missing + expired DESC, person LIMIT $limit OFFSET $offset""",
        {"today": today, "limit": limit, "offset": offset})


def gaps_by_role(db: Database, today: date, limit: int | None = None,
                 offset: int = 0) -> pd.DataFrame:
    """Per role with a gap: who lacks which required competence; most gaps first."""
    return db.query_df(f"""
        SELECT role_id, role, count(*) AS gaps,
               string_agg(person || ' (' || capacity || '): ' || competence || ', '
                          || state, '; ' ORDER BY person, competence) AS who
        FROM ({_NEEDS_SQL}) WHERE state IN ('missing', 'expired')
        GROUP BY ALL ORDER BY gaps DESC, role, role_id LIMIT $limit OFFSET $offset""",
        {"today": today, "limit": limit, "offset": offset})


def roles_with_gaps(db: Database, today: date) -> int:
    return int(db.scalar(f"SELECT count(DISTINCT role_id) FROM ({_NEEDS_SQL}) "
                         "WHERE state IN ('missing', 'expired')", {"today": today}))


@dataclass(frozen=True)
class GapCounts:
    people_with_gaps: int
    missing: int  # (person, competence) pairs with no record
    expired: int
    expiring: int


def gap_counts(db: Database, today: date) -> GapCounts:
    people, missing, expired, expiring = db.query_rows(f"""
        SELECT count(DISTINCT person) FILTER (WHERE state IN ('missing', 'expired')),
               count(DISTINCT (person, competence_id)) FILTER (WHERE state = 'missing'),
               count(DISTINCT (person, competence_id)) FILTER (WHERE state = 'expired'),
               count(DISTINCT (person, competence_id)) FILTER (WHERE state = 'expiring')
        FROM ({_NEEDS_SQL})""", {"today": today})[0]
    return GapCounts(int(people), int(missing), int(expired), int(expiring))


# --- AI literacy (EU AI Act Art. 4) ----------------------------------------------------------
# The people who operate or use AI systems: holders and deputies of current roles marked
# "operates or uses AI", and the owners of AI systems in use (not retired).
_AI_PEOPLE_SQL = f"""
    WITH reasons AS (
        SELECT r.holder AS person, 'role ' || r.role AS why FROM aims_roles r
        WHERE r.works_with_ai AND {ACTIVE_ROLE_SQL}
        UNION ALL
        SELECT r.deputy, 'deputy ' || r.role FROM aims_roles r
        WHERE r.works_with_ai AND r.deputy IS NOT NULL AND {ACTIVE_ROLE_SQL}
        UNION ALL
        SELECT owner, 'owns ' || name FROM ai_systems
        WHERE owner IS NOT NULL AND lifecycle_stage IS DISTINCT FROM 'retired'
    ), literate AS (
        SELECT DISTINCT h.person FROM ({HELD_SQL}) h
        JOIN competences c ON c.id = h.competence_id
        WHERE c.kind = 'ai_literacy' AND (h.expires_on IS NULL OR h.expires_on >= $today)
    )
    SELECT p.person, p.person IN (SELECT person FROM literate) AS literate,
           count(*) AS reasons,
           string_agg(DISTINCT p.why, '; ' ORDER BY p.why) AS why
    FROM reasons p GROUP BY p.person"""
WHY_SHOWN = 3  # reasons listed per person; a large owner's list of systems is cut


@dataclass(frozen=True)
class LiteracyCoverage:
    people: int  # who operate or use AI systems
    literate: int  # of them, with a current AI literacy competence

    @property
    def pct(self) -> float | None:
        return round(100.0 * self.literate / self.people, 1) if self.people else None


def ai_literacy(db: Database, today: date) -> LiteracyCoverage:
    people, literate = db.query_rows(
        f"SELECT count(*), count(*) FILTER (WHERE literate) FROM ({_AI_PEOPLE_SQL})",
        {"today": today})[0]
    return LiteracyCoverage(int(people), int(literate))


def ai_people(db: Database, today: date, without_literacy_only: bool = False,
              limit: int | None = None, offset: int = 0) -> pd.DataFrame:
    """The people who operate or use AI systems, why each counts, and whether they hold
    a current AI literacy competence; those without first."""
    frame = db.query_df(
        f"SELECT * FROM ({_AI_PEOPLE_SQL}) WHERE NOT $only OR NOT literate "
        "ORDER BY literate, person LIMIT $limit OFFSET $offset",
        {"today": today, "only": without_literacy_only, "limit": limit, "offset": offset})
    frame["why"] = [_first_reasons(why, n) for why, n in
                    zip(frame["why"], frame["reasons"], strict=True)]
    return frame.drop(columns="reasons")


def _first_reasons(why: str, total: int) -> str:
    parts = why.split("; ")
    shown = "; ".join(parts[:WHY_SHOWN])
    return shown + (f" and {total - WHY_SHOWN} more" if total > WHY_SHOWN else "")


def ai_people_count(db: Database, today: date, without_literacy_only: bool = False) -> int:
    return int(db.scalar(f"SELECT count(*) FROM ({_AI_PEOPLE_SQL}) WHERE NOT $only OR "
                         "NOT literate", {"today": today, "only": without_literacy_only}))


def export_records(db: Database, today: date) -> pd.DataFrame:
    """Every training record with its competence, expiry and state, as people read it."""
    frame = records(db, today)
    frame["state"] = frame["state"].map(STATES)
    return for_people(TRAINING_RECORDS, frame.assign(competence_id=frame["competence"]), {
        "kind": "Kind", "expires_on": "Expires on", "state": "State"})


def export_gaps(db: Database, today: date) -> pd.DataFrame:
    """Every required competence per person and role with its state (gaps and the rest)."""
    frame = needs(db, today)
    return pd.DataFrame({
        "Person": frame["person"], "As": frame["capacity"], "Role": frame["role"],
        "Competence required": frame["competence"], "Completed on": frame["completed_on"],
        "Expires on": frame["expires_on"], "State": frame["state"].map(STATES)})
