"""The AI system inventory's reads: the register filtered, counted and paged in DuckDB,
names to pick a system from (searched, never the whole list of a large organisation), one
system with what hangs off it (supplier, data sources, validations), and recording a
validation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from aims_core.auth.actor import Actor
from aims_core.inventory.revalidation import SCHEDULE_SQL
from aims_core.inventory.triage_records import RECHECK_SQL
from aims_core.records.writes import RowChange, WriteResult, apply_changes
from aims_core.storage.database import Database
from aims_core.storage.sql import any_of

PICK_LIMIT = 50  # names a search offers at most


@dataclass(frozen=True)
class SystemFilter:
    """The inventory's filters; an empty tuple means 'any'. Frozen, so it can key caches."""

    search: str = ""  # in the name or purpose, any case
    owners: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    sourcing: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    overdue_on: date | None = None  # only systems due for re-validation on this day or before
    recheck_only: bool = False  # latest triage flagged for a re-check

    def where(self) -> tuple[str, dict[str, Any]]:
        """SQL condition over ``ai_systems`` and its named parameters."""
        clauses, params = ["TRUE"], {}
        if self.search.strip():
            clauses.append("(name ILIKE $search OR purpose ILIKE $search)")
            params["search"] = f"%{self.search.strip()}%"
        chosen, values = any_of((("owner", "owners", self.owners),
                                 ("department", "departments", self.departments),
                                 ("sourcing", "sourcing", self.sourcing),
                                 ("lifecycle_stage", "stages", self.stages),
                                 ("eu_ai_act_category", "categories", self.categories)))
        clauses += chosen
        params.update(values)
        if self.overdue_on is not None:
            clauses.append(f"id IN (SELECT ai_system_id FROM ({SCHEDULE_SQL}) WHERE overdue)")
            params["today"] = self.overdue_on
        if self.recheck_only:
            clauses.append(f"id IN (SELECT ai_system_id FROM ({RECHECK_SQL}))")
        return " AND ".join(clauses), params


def count(db: Database, filters: SystemFilter | None = None) -> int:
    """Systems matching ``filters``; all systems without them."""
    where, params = (filters or SystemFilter()).where()
    return int(db.scalar(f"SELECT count(*) FROM ai_systems WHERE {where}", params))


def page(db: Database, filters: SystemFilter, limit: int, offset: int) -> pd.DataFrame:
    """One page of the register's rows (every column, id and version), by id."""
    where, params = filters.where()
    return db.query_df(f"SELECT * FROM ai_systems WHERE {where} ORDER BY id "
                       "LIMIT $limit OFFSET $offset", {**params, "limit": limit,
                                                        "offset": offset})


def filter_choices(db: Database) -> tuple[list[str], list[str]]:
    """The owners and departments that occur, sorted, for the filters."""
    owners, departments = db.query_rows(
        "SELECT list(DISTINCT owner ORDER BY owner) FILTER (WHERE owner IS NOT NULL), "
        "list(DISTINCT department ORDER BY department) FILTER (WHERE department IS NOT NULL) "
        "FROM ai_systems")[0]
    return list(owners or []), list(departments or [])


def reference_labels(db: Database) -> dict[str, dict[int, str]]:
    """Labels of the register's references: suppliers and Annex III areas."""
    suppliers = db.query_rows("SELECT id, name FROM suppliers ORDER BY name")
    areas = db.query_rows("SELECT area_no, title FROM eu_annex_iii_areas ORDER BY area_no")
    return {"supplier_id": {int(i): name for i, name in suppliers},
            "annex_iii_area": {int(n): f"{n}. {title}" for n, title in areas}}


def _pickable(with_kpis: bool) -> str:
    return "id IN (SELECT ai_system_id FROM kpis)" if with_kpis else "TRUE"


def pickable_count(db: Database, with_kpis: bool = False) -> int:
    """How many systems a picker chooses from (``with_kpis``: those some KPI measures)."""
    return int(db.scalar(f"SELECT count(*) FROM ai_systems WHERE {_pickable(with_kpis)}"))


def names(db: Database, search: str | None = None, ids: tuple[int, ...] = (),
          with_kpis: bool = False, limit: int = PICK_LIMIT) -> dict[int, str]:
    """{id: name} by name: the systems whose name contains ``search`` (any case), at most
    ``limit`` of them (``search`` None: every system), plus those of ``ids`` (a choice
    already made stays offered). ``with_kpis`` keeps the systems some KPI measures."""
    first = "" if search is None else \
        f"AND name ILIKE $search ORDER BY name, id LIMIT {int(limit)}"
    rows = db.query_rows(
        f"""(SELECT id, name FROM ai_systems WHERE {_pickable(with_kpis)} {first})
            UNION (SELECT id, name FROM ai_systems WHERE list_contains($ids, id))
            ORDER BY name, id""",
        {"ids": list(ids), **({} if search is None else {"search": f"%{search.strip()}%"})})
    return {int(i): str(n) for i, n in rows}


def ids_named(db: Database, wanted: list[str]) -> list[int]:
    """The ids of the systems with these exact names (a shared link names its systems)."""
    if not wanted:
        return []
    return [int(r[0]) for r in db.query_rows(
        "SELECT id FROM ai_systems WHERE list_contains($names, name) ORDER BY name, id",
        {"names": wanted})]


def one(db: Database, system_id: int) -> dict[str, Any] | None:
    """One system's row with its supplier's name; None if there is no such system."""
    found = db.query_df("SELECT s.*, p.name AS supplier_name FROM ai_systems s "
                        "LEFT JOIN suppliers p ON p.id = s.supplier_id WHERE s.id = ?",
                        [system_id])
    return None if found.empty else found.iloc[0].to_dict()


def data_sources(db: Database, system_id: int) -> pd.DataFrame:
    return db.query_df("SELECT * FROM ai_data_sources WHERE ai_system_id = ? ORDER BY id",
                       [system_id])


def validation_history(db: Database, system_id: int) -> pd.DataFrame:
    return db.query_df("SELECT validated_on, validated_by, method, result, notes, "
                       "evidence_link FROM validations WHERE ai_system_id = ? "
                       "ORDER BY validated_on DESC, id DESC", [system_id])


def record_validation(db: Database, system_id: int, values: dict[str, Any],
                      actor: Actor) -> WriteResult:
    return apply_changes(db, "validations", [RowChange(
        "insert", {"ai_system_id": system_id, **values}, label="The validation")], actor)
