"""KPIs (clause 9.1) and objectives (6.2): latest status, trends and register snapshots.

Computed KPIs record a figure of the registers (``kpis.code``) once per day: a snapshot
taken twice on one day replaces that day's value. Every value, computed, entered or
imported, is written through the one write path (validated, versioned, logged).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

import pandas as pd

from aims_core.auth.actor import Actor
from aims_core.dashboard.overview import Headline, headline
from aims_core.improvement.figures import ImprovementFigures
from aims_core.improvement.figures import figures as improvement_figures
from aims_core.management_system import training
from aims_core.performance.kpi_status import STATUSES, latest_status_sql, status_sql
from aims_core.records.writes import RowChange, RowProblem, WriteResult, apply_changes
from aims_core.self_assessment import results as self_assessment_results
from aims_core.storage.database import Database

ORGANISATION_WIDE = 0  # filter value for KPIs linked to no AI system


@dataclass
class RegisterDay:
    """The registers as read for one day's snapshot; shared figures are computed once."""

    db: Database
    day: date

    @cached_property
    def headline(self) -> Headline:
        return headline(self.db, self.day)

    @cached_property
    def improvement(self) -> ImprovementFigures:
        return improvement_figures(self.db, self.day)


# The register figure each computed KPI code records (None: no figure yet). Every code of
# COMPUTED_KPI_CODES (performance/registers.py) has one; an area adds its codes to both.
FIGURES: dict[str, Callable[[RegisterDay], float | None]] = {
    "soa_implemented_pct": lambda r: r.headline.soa_implemented_pct,
    "high_critical_risks_open": lambda r: float(r.headline.high_critical_open),
    "revalidations_overdue": lambda r: float(r.headline.overdue_validations),
    "incidents_open": lambda r: float(r.improvement.incidents_open),
    "actions_overdue": lambda r: float(r.improvement.actions_overdue),
    "nonconformities_open": lambda r: float(r.improvement.nonconformities_open),
    "ai_literacy_coverage_pct": lambda r: training.ai_literacy(r.db, r.day).pct,
    "self_assessment_overall": lambda r: self_assessment_results.latest_overall(r.db),
}


_RED_FIRST = "CASE status WHEN 'red' THEN 0 WHEN 'amber' THEN 1 ELSE 2 END, name, id"


def kpi_status(db: Database, ai_system_ids: list[int] | None = None,
               objective_ids: list[int] | None = None) -> pd.DataFrame:
    """One row per KPI with its latest value and status; red first. Filters combine (AND);
    ``None`` means no filter; AI system id :data:`ORGANISATION_WIDE` picks the KPIs that
    belong to no AI system."""
    where, params = KpiFilter(None if ai_system_ids is None else tuple(ai_system_ids),
                              None if objective_ids is None else tuple(objective_ids)).where()
    return db.query_df(f"SELECT * FROM ({latest_status_sql(where)}) ORDER BY {_RED_FIRST}",
                       params)


@dataclass(frozen=True)
class KpiFilter:
    """The KPI page's filters; None means any. Frozen, so it can key caches."""

    ai_system_ids: tuple[int, ...] | None = None  # ORGANISATION_WIDE: KPIs of no system
    objective_ids: tuple[int, ...] | None = None

    def where(self) -> tuple[str, dict[str, Any]]:
        """SQL condition over ``kpis`` and its named parameters ("TRUE" without filters)."""
        clauses, params = [], {}
        if self.ai_system_ids is not None:
            clauses.append(f"list_contains($systems, coalesce(ai_system_id, "
                           f"{ORGANISATION_WIDE}))")
            params["systems"] = list(self.ai_system_ids)
        if self.objective_ids is not None:
            clauses.append("id IN (SELECT kpi_id FROM objective_kpis "
                           "WHERE list_contains($objectives, objective_id))")
            params["objectives"] = list(self.objective_ids)
        return " AND ".join(clauses) or "TRUE", params


@dataclass(frozen=True)
class KpiListing:
    """What the KPI page shows of the matching KPIs, from one reading of the latest values."""

    counts: dict[str, int]  # matching KPIs per status (STATUSES), zero included
    trends: pd.DataFrame  # the page of KPIs charted, red first
    table: pd.DataFrame  # the page of the table of every matching KPI, red first

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def listing(db: Database, filters: KpiFilter, trends: tuple[int, int],
            table: tuple[int, int]) -> KpiListing:
    """The status counts of the KPIs matching ``filters`` and two pages of them, red first:
    ``trends`` and ``table`` are (offset, rows). The latest value of every KPI is read once
    (an aggregate per KPI, not a ranking of every point)."""
    (t0, tn), (s0, sn) = trends, table
    where, params = filters.where()
    frame = db.query_df(
        f"""WITH matched AS MATERIALIZED ({latest_status_sql(where)}),
            ordered AS (
                SELECT *, row_number() OVER (ORDER BY {_RED_FIRST}) - 1 AS position
                FROM matched)
            SELECT *, (SELECT histogram(status) FROM matched) AS counts FROM ordered
            WHERE position >= {int(t0)} AND position < {int(t0) + int(tn)}
               OR position >= {int(s0)} AND position < {int(s0) + int(sn)}
            ORDER BY position""", params)
    counts = dict.fromkeys(STATUSES, 0)
    if len(frame):
        counts.update({str(k): int(v) for k, v in frame["counts"].iloc[0].items()})
    rows = frame.drop(columns="counts")

    def part(start: int, size: int) -> pd.DataFrame:
        picked = rows[(rows["position"] >= start) & (rows["position"] < start + size)]
        return picked.drop(columns="position").reset_index(drop=True)

    return KpiListing(counts, part(t0, tn), part(s0, sn))


def kpi_count(db: Database, measured_only: bool = False) -> int:
    kind = "WHERE kind = 'measured'" if measured_only else ""
    return int(db.scalar(f"SELECT count(*) FROM kpis {kind}"))


def names(db: Database, search: str | None = None, ids: tuple[int, ...] = (),
          measured_only: bool = False, limit: int = 50) -> dict[int, str]:
    """{id: name} by name: the KPIs whose name contains ``search`` (any case), at most
    ``limit`` of them (``search`` None: every KPI), plus those of ``ids``."""
    kind = "kind = 'measured'" if measured_only else "TRUE"
    first = "" if search is None else \
        f"AND name ILIKE $search ORDER BY name, id LIMIT {int(limit)}"
    rows = db.query_rows(
        f"""(SELECT id, name FROM kpis WHERE {kind} {first})
            UNION (SELECT id, name FROM kpis WHERE list_contains($ids, id))
            ORDER BY name, id""",
        {"ids": list(ids), **({} if search is None else {"search": f"%{search.strip()}%"})})
    return {int(i): str(n) for i, n in rows}


def definition_count(db: Database, filters: KpiFilter) -> int:
    """How many KPI definitions match ``filters`` (no value read)."""
    where, params = filters.where()
    return int(db.scalar(f"SELECT count(*) FROM kpis WHERE {where}", params))


def definitions(db: Database, filters: KpiFilter, offset: int, limit: int) -> pd.DataFrame:
    """A page of the matching KPIs' definitions (every column of ``kpis``), by name."""
    where, params = filters.where()
    return db.query_df(f"SELECT * FROM kpis WHERE {where} ORDER BY name, id "
                       f"LIMIT {int(limit)} OFFSET {int(offset)}", params)


def values_of(db: Database, kpi_id: int) -> pd.DataFrame:
    """One KPI's values (every column), newest first."""
    return db.query_df("SELECT * FROM kpi_measurements WHERE kpi_id = ? "
                       "ORDER BY measured_on DESC", [kpi_id])


def objectives(db: Database) -> pd.DataFrame:
    return db.query_df("SELECT * FROM objectives ORDER BY id")


def objective_links(db: Database) -> pd.DataFrame:
    return db.query_df("SELECT * FROM objective_kpis ORDER BY objective_id, kpi_id")


def objective_titles(db: Database) -> dict[int, str]:
    return {int(i): str(t) for i, t in db.query_rows("SELECT id, title FROM objectives "
                                                      "ORDER BY id")}


def measurements(db: Database, kpi_ids: list[int], since: date | None = None) -> pd.DataFrame:
    """The time series of the given KPIs (only those: pages chart a page of KPIs at a time)."""
    return db.query_df(
        f"""SELECT m.kpi_id, m.measured_on, m.value, m.source, m.note,
                   {status_sql('m.value', 'k.direction', 'k.amber_threshold',
                               'k.red_threshold')} AS status
            FROM kpi_measurements m JOIN kpis k ON k.id = m.kpi_id
            WHERE list_contains($ids, m.kpi_id) AND ($since IS NULL OR m.measured_on >= $since)
            ORDER BY m.kpi_id, m.measured_on""",
        {"ids": kpi_ids, "since": since})


def record_measurements(db: Database, values: pd.DataFrame, actor: Actor) -> WriteResult:
    """Upsert ``values`` (kpi_id, measured_on, value, source, note; optionally the ``label``
    that names each row in messages, e.g. its line in a file): a KPI's value for a day that
    already has one replaces it; unchanged values are left alone. All or nothing, written
    set-based by the write path (20,000 values in about a second)."""
    if values.empty:
        return WriteResult()
    incoming = values[["kpi_id", "measured_on", "value", "source", "note"]]
    cur = db.cursor()
    cur.register("incoming_kpi_values", incoming)
    try:
        existing = cur.execute(
            """SELECT i.kpi_id, CAST(i.measured_on AS DATE) AS measured_on, m.id, m.version,
                      m.value, m.source, m.note
               FROM incoming_kpi_values i JOIN kpi_measurements m
                 ON m.kpi_id = i.kpi_id AND m.measured_on = CAST(i.measured_on AS DATE)"""
        ).fetchall()
    finally:
        cur.unregister("incoming_kpi_values")
    known = {(kpi_id, day): (row_id, version, (value, source, note))
             for kpi_id, day, row_id, version, value, source, note in existing}
    labels = values["label"].tolist() if "label" in values else [None] * len(values)
    changes: list[RowChange] = []
    for row, label in zip(incoming.itertuples(index=False), labels, strict=True):
        day = pd.Timestamp(row.measured_on).date()
        note = None if pd.isna(row.note) else row.note
        new = {"value": row.value, "source": row.source, "note": note}
        old = known.get((int(row.kpi_id), day))
        if old is None:
            changes.append(RowChange("insert", {**new, "kpi_id": int(row.kpi_id),
                                                "measured_on": day}, label=label))
        elif old[2] != (new["value"], new["source"], new["note"]):
            changes.append(RowChange("update", new, row_id=old[0], expected_version=old[1],
                                     label=label))
    return apply_changes(db, "kpi_measurements", changes, actor)


@dataclass
class SnapshotResult:
    day: date
    recorded: int  # computed KPIs with a value for the day (new, replaced or unchanged)
    write: WriteResult
    skipped: list[str]  # KPIs without a figure today (e.g. no applicable control yet)

    def summary(self) -> str:
        write = self.write
        text = (f"Snapshot of {self.day:%Y-%m-%d}: {self.recorded} computed KPIs "
                f"({len(write.inserted)} added, {len(write.updated)} replaced, "
                f"{self.recorded - write.changed} unchanged)")
        if self.skipped:
            text += "; no figure yet for " + ", ".join(self.skipped)
        return text


def take_snapshot(db: Database, day: date, actor: Actor,
                  today: date | None = None) -> SnapshotResult:
    """Record the registers' figures for every computed KPI, dated ``day``; idempotent per
    day. The registers can only be read as they stand now, so ``day`` cannot be in the
    future (a past day is allowed, for a job that runs after midnight)."""
    if day > (today or date.today()):
        refused = RowProblem(f"Snapshot for {day:%Y-%m-%d}", None, "is in the future")
        return SnapshotResult(day, 0, WriteResult(errors=[refused]), [])
    registers = RegisterDay(db, day)
    computed = db.query_df("SELECT id, name, code FROM kpis WHERE kind = 'computed' "
                           "AND code IS NOT NULL ORDER BY id")
    rows: list[dict[str, Any]] = []
    skipped: list[str] = []
    for kpi in computed.itertuples():
        value = FIGURES[kpi.code](registers)
        if value is None:
            skipped.append(str(kpi.name))
            continue
        rows.append({"kpi_id": int(kpi.id), "measured_on": day, "value": value,
                     "source": "computed", "note": None})
    write = record_measurements(db, pd.DataFrame(rows), actor)
    return SnapshotResult(day, len(rows) if write.ok else 0, write, skipped)


def objective_summary(db: Database) -> pd.DataFrame:
    """Each objective with how many of its KPIs are red, amber and green now."""
    return db.query_df(
        f"""WITH status AS ({latest_status_sql('id IN (SELECT kpi_id FROM objective_kpis)')})
            SELECT o.id, o.title, o.owner, o.target_date, o.status,
                   count(s.id) AS kpis,
                   count(s.id) FILTER (WHERE s.status = 'red') AS red,
                   count(s.id) FILTER (WHERE s.status = 'amber') AS amber,
                   count(s.id) FILTER (WHERE s.status = 'green') AS green
            FROM objectives o
            LEFT JOIN objective_kpis l ON l.objective_id = o.id
            LEFT JOIN status s ON s.id = l.kpi_id
            GROUP BY ALL ORDER BY o.target_date NULLS LAST, o.id""")
