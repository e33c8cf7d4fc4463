"""AIMS roles and responsibilities (5.3, A.3.2): who holds each role, their deputy, and the
competences each role requires. Organisational roles, not app permissions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from aims_core.auth.actor import Actor
from aims_core.management_system.registers import AIMS_ROLES, STANDARD_ROLES
from aims_core.records.labels import for_people
from aims_core.records.links import link_changes
from aims_core.records.writes import WriteResult, apply_changes
from aims_core.storage.database import Database

# A role assignment that has not ended counts (for gaps, AI literacy and "who holds what").
ACTIVE_ROLE_SQL = "(r.ended_on IS NULL OR r.ended_on > $today)"


@dataclass(frozen=True)
class RoleFilter:
    search: str = ""
    person: str | None = None  # as holder or deputy
    ai_system_id: int | None = None
    include_ended: bool = False

    def where(self) -> tuple[str, dict[str, object]]:
        return (f"""($search = '' OR r.role ILIKE $like OR r.responsibilities ILIKE $like)
                  AND ($person IS NULL OR r.holder = $person OR r.deputy = $person)
                  AND ($system IS NULL OR r.ai_system_id = $system)
                  AND ($ended OR {ACTIVE_ROLE_SQL})""",
                {"search": self.search.strip(), "like": f"%{self.search.strip()}%",
                 "person": self.person, "system": self.ai_system_id,
                 "ended": self.include_ended})


def register(db: Database, today: date, filters: RoleFilter = RoleFilter(),
             limit: int | None = None, offset: int = 0) -> pd.DataFrame:
    """One page of roles (every field, id and version) with the AI system's name and the
    competences each requires."""
    where, params = filters.where()
    return db.query_df(f"""
        WITH page AS (
            SELECT r.* FROM aims_roles r WHERE {where}
            ORDER BY r.role, r.holder, r.id LIMIT $limit OFFSET $offset
        ), required AS (
            SELECT rc.role_id, string_agg(c.name, ', ' ORDER BY c.name) AS competences
            FROM role_competences rc JOIN competences c ON c.id = rc.competence_id
            WHERE rc.role_id IN (SELECT id FROM page) GROUP BY ALL
        )
        SELECT page.*, s.name AS ai_system, required.competences
        FROM page LEFT JOIN ai_systems s ON s.id = page.ai_system_id
        LEFT JOIN required ON required.role_id = page.id
        ORDER BY page.role, page.holder, page.id""",
        {**params, "today": today, "limit": limit, "offset": offset})


def count(db: Database, today: date, filters: RoleFilter = RoleFilter()) -> int:
    where, params = filters.where()
    return int(db.scalar(f"SELECT count(*) FROM aims_roles r WHERE {where}",
                         {**params, "today": today}))


def total(db: Database) -> int:
    return int(db.scalar("SELECT count(*) FROM aims_roles"))


def people(db: Database) -> list[str]:
    """Everyone who holds or deputises a role, or has a training record."""
    return [r[0] for r in db.query_rows(
        "SELECT DISTINCT person FROM (SELECT holder AS person FROM aims_roles UNION ALL "
        "SELECT deputy FROM aims_roles UNION ALL SELECT person FROM training_records) "
        "WHERE person IS NOT NULL ORDER BY 1")]


def labels(db: Database, role_ids: list[int] | None = None) -> dict[int, str]:
    """"Role — holder" per role id (all roles, or those given)."""
    return {int(i): f"{role} — {holder}" for i, role, holder in db.query_rows(
        "SELECT id, role, holder FROM aims_roles WHERE $ids IS NULL OR list_contains($ids, id) "
        "ORDER BY role, holder, id", {"ids": role_ids})}


def unheld_standard_roles(db: Database, today: date) -> list[str]:
    """Roles an AIMS usually needs that no current role's name mentions."""
    held = [r[0].casefold() for r in db.query_rows(
        f"SELECT DISTINCT r.role FROM aims_roles r WHERE {ACTIVE_ROLE_SQL}", {"today": today})]
    return [role for role in STANDARD_ROLES
            if not any(role.casefold().replace("-", " ") in name.replace("-", " ")
                       for name in held)]


def required(db: Database, role_id: int) -> pd.DataFrame:
    """The competences a role requires: link rows (id, version, competence_id)."""
    return db.query_df("SELECT id, version, competence_id FROM role_competences "
                       "WHERE role_id = ? ORDER BY competence_id", [role_id])


def set_required(db: Database, role_id: int, existing: pd.DataFrame,
                 competence_ids: list[int], actor: Actor) -> WriteResult:
    """Make the role require exactly ``competence_ids``; ``existing`` is :func:`required`
    as the person saw it."""
    have = {int(r.competence_id): (int(r.id), int(r.version)) for r in existing.itertuples()}
    changes = link_changes(have, [int(c) for c in competence_ids],
                           values=lambda c: {"role_id": role_id, "competence_id": c},
                           label=lambda c: f"Required competence {c}")
    return apply_changes(db, "role_competences", changes, actor)


def by_person(db: Database, today: date, limit: int | None = None,
              offset: int = 0) -> pd.DataFrame:
    """Per person: the current roles they hold and those they deputise."""
    return db.query_df(f"""
        SELECT person, string_agg(role, '; ' ORDER BY role) FILTER (WHERE capacity = 'holder')
                   AS holds,
               string_agg(role, '; ' ORDER BY role) FILTER (WHERE capacity = 'deputy')
                   AS deputises,
               count(*) AS roles
        FROM (SELECT r.holder AS person, r.role, 'holder' AS capacity FROM aims_roles r
              WHERE {ACTIVE_ROLE_SQL}
              UNION ALL
              SELECT r.deputy, r.role, 'deputy' FROM aims_roles r
              WHERE {ACTIVE_ROLE_SQL} AND r.deputy IS NOT NULL)
        GROUP BY person ORDER BY roles DESC, person LIMIT $limit OFFSET $offset""",
        {"today": today, "limit": limit, "offset": offset})


def export(db: Database, today: date) -> pd.DataFrame:
    """Every role, ended ones too, as people read it."""
    return for_people(AIMS_ROLES, register(db, today, RoleFilter(include_ended=True)),
                      {"ai_system": "AI system name", "competences": "Competences required"})
