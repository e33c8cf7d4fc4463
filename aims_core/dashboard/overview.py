"""Headline figures for the Overview page, aggregated in DuckDB."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from aims_core.compliance.soa import coverage
from aims_core.inventory.registers import EU_AI_ACT_CATEGORIES
from aims_core.inventory.revalidation import overdue_count
from aims_core.management_review.reviews import last_review_on
from aims_core.performance.kpi_status import LATEST_STATUS_SQL
from aims_core.risk.risk_method import LEVEL_BANDS, RATED_RISKS_SQL
from aims_core.storage.database import Database


@dataclass(frozen=True)
class Headline:
    systems_in_scope: int
    high_critical_open: int
    soa_implemented_pct: float | None  # None when no control is marked applicable
    soa_applicable: int
    overdue_validations: int
    kpis_red: int  # KPIs whose latest value is beyond the red threshold

    @classmethod
    def of(cls, by_category: pd.DataFrame, by_level: pd.DataFrame, coverage: pd.DataFrame,
           overdue_validations: int, kpis_red: int) -> Headline:
        """The tiles from the figures the Overview's sections show (computed once per run):
        systems per EU AI Act category, open risks per level, SoA coverage per objective."""
        applicable = int(coverage["applicable"].sum())
        implemented = int(coverage["implemented"].sum())
        pct = round(100.0 * implemented / applicable, 1) if applicable else None
        high = int(by_level.loc[by_level["level"].isin(HIGH_LEVELS), "risks"].sum())
        return cls(int(by_category["systems"].sum()), high, pct, applicable,
                   overdue_validations, kpis_red)


HIGH_LEVELS = ("High", "Critical")


def headline(db: Database, today: date) -> Headline:
    """The headline figures as the Overview's tiles show them (and computed KPIs record)."""
    return Headline.of(systems_by_category(db), open_risks_by_level(db), coverage(db, today),
                       overdue_count(db, today), kpis_in_red(db, 0).total)


@dataclass(frozen=True)
class RedKpis:
    total: int  # KPIs whose latest value is beyond the red threshold
    first: pd.DataFrame  # the first of them by name, with their latest value and system


def kpis_in_red(db: Database, limit: int | None = None) -> RedKpis:
    """The KPIs in red and the first ``limit`` of them (None: all), by name, in one query
    (``limit`` 0 counts them only)."""
    red = f"SELECT * FROM ({LATEST_STATUS_SQL}) WHERE status = 'red'"
    if limit == 0:
        return RedKpis(int(db.scalar(f"SELECT count(*) FROM ({red})")), pd.DataFrame())
    rows = "" if limit is None else f"LIMIT {int(limit)}"
    frame = db.query_df(f"SELECT *, count(*) OVER () AS red_total FROM ({red}) "
                        f"ORDER BY name, id {rows}")
    total = int(frame["red_total"].iloc[0]) if len(frame) else 0  # no row: none is red
    return RedKpis(total, frame.drop(columns="red_total"))


def systems_by_category(db: Database) -> pd.DataFrame:
    """Count of active AI systems per EU AI Act category, every category listed."""
    counts = db.query_df(
        "SELECT coalesce(eu_ai_act_category, 'not_assessed') AS category, count(*) AS systems "
        "FROM ai_systems WHERE lifecycle_stage <> 'retired' GROUP BY ALL"
    )
    frame = pd.DataFrame({"category": list(EU_AI_ACT_CATEGORIES)})
    frame = frame.merge(counts, on="category", how="left").fillna({"systems": 0})
    frame["label"] = frame["category"].map(EU_AI_ACT_CATEGORIES)
    frame["systems"] = frame["systems"].astype("int64")
    return frame


def open_risks_by_level(db: Database) -> pd.DataFrame:
    """Open risks per current level band (residual when assessed, else inherent)."""
    counts = db.query_df(
        f"SELECT current_level AS level, count(*) AS risks FROM ({RATED_RISKS_SQL}) "
        "WHERE is_open GROUP BY ALL"
    )
    frame = pd.DataFrame({"level": list(LEVEL_BANDS)})
    frame = frame.merge(counts, on="level", how="left").fillna({"risks": 0})
    frame["risks"] = frame["risks"].astype("int64")
    return frame


@dataclass(frozen=True)
class SinceReview:
    review_date: date | None  # the latest management review on or before today
    changes: pd.DataFrame  # per register: added, changed, removed since that review


def changes_since_last_review(db: Database, today: date) -> SinceReview:
    """What changed in each register since the last management review (clause 9.3 asks the
    review to consider changes), counted from the change log."""
    last = last_review_on(db, today)
    changes = db.query_df(
        """SELECT table_name AS register,
                  count(*) FILTER (WHERE operation = 'insert') AS added,
                  count(*) FILTER (WHERE operation = 'update') AS changed,
                  count(*) FILTER (WHERE operation = 'delete') AS removed,
                  count(DISTINCT changed_by) AS people, max(changed_at) AS latest
           FROM change_log
           WHERE $since IS NULL OR CAST(changed_at AS DATE) > $since
           GROUP BY ALL ORDER BY added + changed + removed DESC, register""",
        {"since": last})
    return SinceReview(last, changes)
