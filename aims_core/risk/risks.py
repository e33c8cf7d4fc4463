"""The risk register's queries: filters, heatmap counts, movement, acceptances, impacts.

Heatmaps count *live* risks (every status except closed) after the register's filters, so a
cell's count is always the number of rows the table shows when that cell is clicked. The
filters only name rated columns, so counts read the rated risks alone (no system names or
acceptances joined to every row).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

import pandas as pd

from aims_core.auth.actor import Actor
from aims_core.records.writes import RowChange, RowProblem, WriteResult, apply_changes
from aims_core.risk.registers import RISKS
from aims_core.risk.risk_method import LEVEL_BANDS, RATED_RISKS_SQL
from aims_core.storage.database import Database
from aims_core.storage.sql import any_of

View = Literal["inherent", "residual"]
VIEWS: tuple[View, ...] = ("inherent", "residual")

# Latest acceptance per risk, and whether it has run out.
LATEST_ACCEPTANCE_SQL = """
    SELECT risk_id, arg_max(approved_by, approved_on) AS accepted_by,
           max(approved_on) AS accepted_on, arg_max(expires_on, approved_on) AS acceptance_expires
    FROM risk_acceptances GROUP BY risk_id
"""

REGISTER_SQL = f"""
    SELECT r.*, s.name AS ai_system,
           a.accepted_by, a.accepted_on, a.acceptance_expires,
           r.status = 'accepted' AND (a.acceptance_expires IS NULL
                                      OR a.acceptance_expires < $today) AS acceptance_due,
           r.status <> 'closed' AND r.review_date < $today AS review_overdue
    FROM ({RATED_RISKS_SQL}) r
    LEFT JOIN ai_systems s ON s.id = r.ai_system_id
    LEFT JOIN ({LATEST_ACCEPTANCE_SQL}) a ON a.risk_id = r.id
"""


@dataclass(frozen=True)
class RiskFilter:
    """The register's filters; each empty tuple means 'any'. Frozen, so it can key caches."""

    ai_system_ids: tuple[int, ...] = ()
    org_wide: bool = False  # include risks not tied to one system
    owners: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()  # current level band
    statuses: tuple[str, ...] = ()
    risk_sources: tuple[str, ...] = ()
    objectives: tuple[str, ...] = ()
    cell: tuple[View, int, int] | None = None  # (view, likelihood, impact) clicked

    def where(self, *, with_cell: bool = True) -> tuple[str, dict[str, object]]:
        """SQL condition over REGISTER_SQL's columns and its named parameters."""
        clauses, params = ["TRUE"], {}
        systems = []
        if self.ai_system_ids:
            systems.append("ai_system_id IN (SELECT unnest($systems::BIGINT[]))")
            params["systems"] = list(self.ai_system_ids)
        if self.org_wide:
            systems.append("ai_system_id IS NULL")
        if systems:
            clauses.append("(" + " OR ".join(systems) + ")")
        chosen, values = any_of((("owner", "owners", self.owners),
                                 ("current_level", "levels", self.levels),
                                 ("status", "statuses", self.statuses),
                                 ("risk_source", "sources", self.risk_sources),
                                 ("objective_affected", "objectives", self.objectives)))
        clauses += chosen
        params.update(values)
        if with_cell and self.cell:
            view, likelihood, impact = self.cell
            clauses.append(f"{view}_likelihood = $cell_l AND {view}_impact = $cell_i "
                           "AND status <> 'closed'")
            params.update(cell_l=likelihood, cell_i=impact)
        return " AND ".join(clauses), params


def register(db: Database, today: date, filters: RiskFilter, me: str | None = None,
             limit: int | None = None, offset: int = 0) -> pd.DataFrame:
    """Filtered risks; with ``me``, that owner's risks first, overdue reviews on top."""
    where, params = filters.where()
    mine = "owner = $me" if me else "FALSE"
    page = f"LIMIT {int(limit)} OFFSET {int(offset)}" if limit else ""
    return db.query_df(
        f"""SELECT *, {mine} AS mine FROM ({REGISTER_SQL}) WHERE {where}
            ORDER BY mine DESC, (mine AND (review_overdue OR acceptance_due)) DESC,
                     review_overdue DESC, id {page}""",
        {**params, "today": today, **({"me": me} if me else {})})


def count(db: Database, today: date, filters: RiskFilter) -> int:
    where, params = filters.where()
    return int(db.scalar(f"SELECT count(*) FROM ({RATED_RISKS_SQL}) WHERE {where}", params))


def matrix_counts(db: Database, today: date, filters: RiskFilter, view: View) -> pd.DataFrame:
    """Live risks per (likelihood, impact) cell of one view, with the cell's band: one row per
    cell of the matrix, zero counts included."""
    where, params = filters.where(with_cell=False)
    return db.query_df(
        f"""WITH picked AS (SELECT * FROM ({RATED_RISKS_SQL})
                            WHERE {where} AND status <> 'closed')
            SELECT g.likelihood, g.impact, g.level_band, count(p.id) AS risks
            FROM risk_level_grid g
            LEFT JOIN picked p ON p.{view}_likelihood = g.likelihood
                              AND p.{view}_impact = g.impact
            GROUP BY ALL ORDER BY g.likelihood, g.impact""", params)


def unrated_residual(db: Database, today: date, filters: RiskFilter) -> int:
    where, params = filters.where(with_cell=False)
    return int(db.scalar(
        f"SELECT count(*) FROM ({RATED_RISKS_SQL}) WHERE {where} AND status <> 'closed' "
        "AND residual_likelihood IS NULL", params))


def movement(db: Database, today: date, filters: RiskFilter) -> pd.DataFrame:
    """Live risks by inherent band (rows) and residual band (columns, 'Not rated' too)."""
    where, params = filters.where(with_cell=False)
    counts = db.query_df(
        f"""SELECT inherent_level, coalesce(residual_level, 'Not rated') AS residual_level,
                   count(*) AS risks
            FROM ({RATED_RISKS_SQL}) WHERE {where} AND status <> 'closed' GROUP BY ALL""",
        params)
    columns = [*LEVEL_BANDS, "Not rated"]
    if counts.empty:
        return pd.DataFrame(0, index=list(LEVEL_BANDS), columns=columns)
    table = counts.pivot_table(index="inherent_level", columns="residual_level",
                               values="risks", aggfunc="sum", fill_value=0)
    return table.reindex(index=list(LEVEL_BANDS), columns=columns, fill_value=0).astype(int)


_ACCEPTANCE_DUE_SQL = f"""
    SELECT r.id AS risk_id, r.title, r.owner, a.accepted_by, a.accepted_on,
           a.acceptance_expires
    FROM risks r LEFT JOIN ({LATEST_ACCEPTANCE_SQL}) a ON a.risk_id = r.id
    WHERE r.status = 'accepted'
      AND (a.acceptance_expires IS NULL OR a.acceptance_expires < $today)
"""


def acceptances_due(db: Database, today: date, limit: int | None = None) -> pd.DataFrame:
    """Accepted risks whose acceptance has expired or was never recorded, the first
    ``limit`` of them (None: all)."""
    rows = "" if limit is None else f"LIMIT {int(limit)}"
    return db.query_df(f"SELECT * FROM ({_ACCEPTANCE_DUE_SQL}) "
                       f"ORDER BY acceptance_expires NULLS FIRST, risk_id {rows}",
                       {"today": today})


def acceptances_due_count(db: Database, today: date) -> int:
    return int(db.scalar(f"SELECT count(*) FROM ({_ACCEPTANCE_DUE_SQL})", {"today": today}))


def risk_title(text: str, limit: int) -> str:
    """``text`` as a title of at most ``limit`` characters: whole when it fits, else cut at a
    word boundary and marked with an ellipsis (the full text is kept elsewhere)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1].rsplit(" ", 1)[0] if " " in text[:limit - 1] else text[:limit - 1]
    return cut.rstrip(" ,.;:") + "…"


def raise_impact_as_risk(db: Database, impact_id: int, owner: str, today: date,
                         actor: Actor) -> WriteResult:
    """Turn an impact-assessment finding into a risk on the same system, linked to it. The
    risk's title is the impact (shortened with an ellipsis if longer than a title may be;
    its description then holds the whole text). One risk per impact: the database's unique
    key refuses a second one, even when two people raise the same impact at once."""
    found = db.query_df(
        """SELECT i.description, i.severity, i.likelihood, i.mitigation, a.ai_system_id,
                  (SELECT min(id) FROM risks WHERE impact_id = i.id) AS existing_risk
           FROM impacts i JOIN impact_assessments a ON a.id = i.impact_assessment_id
           WHERE i.id = ?""", [impact_id])
    if found.empty:
        return WriteResult(conflicts=[RowProblem(f"Impact {impact_id}", None, "no longer exists")])
    row = found.iloc[0]
    if pd.notna(row["existing_risk"]):
        return WriteResult(errors=[RowProblem(
            f"Impact {impact_id}", None, f"is already raised as risk {int(row['existing_risk'])}")])
    title = risk_title(row["description"], RISKS.field("title").max_length)
    description = "Raised from the AI system impact assessment (6.1.4)."
    if title != row["description"]:
        whole = f"{description} The impact: {row['description']}"
        description = whole if len(whole) <= RISKS.field("description").max_length \
            else row["description"]
    return apply_changes(db, "risks", [RowChange("insert", {
        "ai_system_id": int(row["ai_system_id"]), "title": title,
        "description": description,
        "owner": owner, "inherent_likelihood": int(row["likelihood"]),
        "inherent_impact": int(row["severity"]), "treatment": "mitigate",
        "treatment_plan": row["mitigation"], "status": "open", "identified_on": today,
        "impact_id": impact_id}, label=f"Risk from impact {impact_id}")], actor)


# --- reads of the register page -----------------------------------------------------------
def annex_c_choices(db: Database) -> tuple[dict[str, str], dict[str, str]]:
    """Annex C risk sources and objectives: ({"C.3.1": "C.3.1 Complexity…"}, {…})."""
    sources = db.query_rows("SELECT source_id, source_id || ' ' || title "
                            "FROM annex_c_risk_sources ORDER BY source_id")
    objectives = db.query_rows("SELECT objective_id, objective_id || ' ' || title "
                               "FROM annex_c_objectives ORDER BY objective_id")
    return dict(sources), dict(objectives)


def owners(db: Database) -> list[str]:
    return [r[0] for r in db.query_rows(
        "SELECT DISTINCT owner FROM risks WHERE owner IS NOT NULL ORDER BY owner")]


def titles(db: Database, ids: tuple[int, ...]) -> dict[int, str]:
    """{id: "#7 Biased screening"} for these risks, by id."""
    rows = db.query_rows("SELECT id, title FROM risks WHERE list_contains($ids, id) "
                         "ORDER BY id", {"ids": list(ids)})
    return {int(i): f"#{int(i)} {title}" for i, title in rows}


def one(db: Database, risk_id: int) -> pd.Series | None:
    """One risk's row (every column), None if there is no such risk."""
    frame = db.query_df("SELECT * FROM risks WHERE id = ?", [risk_id])
    return None if frame.empty else frame.iloc[0]


def control_links(db: Database, risk_id: int) -> pd.DataFrame:
    """The risk's links to its treating controls (id, control_id, version)."""
    return db.query_df("SELECT id, control_id, version FROM risk_controls WHERE risk_id = ? "
                       "ORDER BY control_id", [risk_id])


def acceptances_of(db: Database, risk_id: int) -> pd.DataFrame:
    """The risk's acceptances, newest first."""
    return db.query_df("SELECT approved_by, approved_on, expires_on, justification "
                       "FROM risk_acceptances WHERE risk_id = ? ORDER BY approved_on DESC",
                       [risk_id])


def of_system(db: Database, system_id: int) -> pd.DataFrame:
    """One AI system's risks with their levels, review date and treating controls."""
    return db.query_df(
        f"""SELECT r.id, r.title, r.owner, r.status, r.inherent_level, r.residual_level,
                   r.review_date, string_agg(rc.control_id, ', ' ORDER BY rc.control_id)
                       AS controls
            FROM ({RATED_RISKS_SQL}) r LEFT JOIN risk_controls rc ON rc.risk_id = r.id
            WHERE r.ai_system_id = ? GROUP BY ALL ORDER BY r.id""", [system_id])
