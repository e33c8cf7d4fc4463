"""The AI system inventory's reads: the register filtered and paged, one system with what
hangs off it (supplier, data sources, validations), and recording a validation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from aims_core.auth.actor import Actor
from aims_core.inventory.triage_records import RECHECK_SQL
from aims_core.records.writes import RowChange, WriteResult, apply_changes
from aims_core.storage.database import Database


@dataclass(frozen=True)
class SystemFilter:
    """The inventory's filters; an empty tuple means 'any'. Frozen, so it can key caches."""

    search: str = ""
    owners: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    sourcing: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    only_ids: tuple[int, ...] | None = None  # e.g. the systems due for re-validation
    recheck_only: bool = False  # latest triage flagged for a re-check

    def where(self) -> tuple[str, dict[str, Any]]:
        clauses, params = ["TRUE"], {}
        if self.search.strip():
            clauses.append("(name ILIKE $search OR purpose ILIKE $search)")
            params["search"] = f"%{self.search.strip()}%"
        for column, name, chosen in (("owner", "owners", self.owners),
                                     ("department", "departments", self.departments),
                                     ("sourcing", "sourcing", self.sourcing),
                                     ("lifecycle_stage", "stages", self.stages),
                                     ("eu_ai_act_category", "categories", self.categories)):
            if chosen:
                clauses.append(f"{column} IN (SELECT unnest(${name}::VARCHAR[]))")
                params[name] = list(chosen)
        if self.only_ids is not None:
            clauses.append("id IN (SELECT unnest($ids::BIGINT[]))")
            params["ids"] = list(self.only_ids)
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
    """The owners and departments that occur, for the filters."""
    owners = db.query_rows("SELECT DISTINCT owner FROM ai_systems WHERE owner IS NOT NULL "
                           "ORDER BY 1")
    departments = db.query_rows("SELECT DISTINCT department FROM ai_systems "
                                "WHERE department IS NOT NULL ORDER BY 1")
    return [r[0] for r in owners], [r[0] for r in departments]


def reference_labels(db: Database) -> dict[str, dict[int, str]]:
    """Labels of the register's references: suppliers and Annex III areas."""
    suppliers = db.query_rows("SELECT id, name FROM suppliers ORDER BY name")
    areas = db.query_rows("SELECT area_no, title FROM eu_annex_iii_areas ORDER BY area_no")
    return {"supplier_id": {int(i): name for i, name in suppliers},
            "annex_iii_area": {int(n): f"{n}. {title}" for n, title in areas}}


def names(db: Database) -> dict[int, str]:
    """Every system's name by id, in name order."""
    return {int(i): name for i, name in
            db.query_rows("SELECT id, name FROM ai_systems ORDER BY name")}


def one(db: Database, system_id: int) -> dict[str, Any] | None:
    """One system's row with its supplier's name."""
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
