"""Headline figures for the Overview page, aggregated in DuckDB."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from aims_core.compliance.soa import SOA_ROWS_SQL, STANDING_SQL
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


def headline(db: Database, today: date) -> Headline:
    systems = db.scalar("SELECT count(*) FROM ai_systems WHERE lifecycle_stage <> 'retired'")
    high = db.scalar(
        f"SELECT count(*) FROM ({RATED_RISKS_SQL}) WHERE is_open "
        "AND current_level IN ('High', 'Critical')"
    )
    applicable, implemented = db.query_rows(
        "SELECT count(*) FILTER (WHERE applicable), "
        f"count(*) FILTER (WHERE applicable AND {STANDING_SQL} = 'implemented') "
        f"FROM ({SOA_ROWS_SQL}) s",
        {"today": today})[0]
    pct = round(100.0 * implemented / applicable, 1) if applicable else None
    red = db.scalar(f"SELECT count(*) FROM ({LATEST_STATUS_SQL}) WHERE status = 'red'")
    return Headline(systems, high, pct, applicable, overdue_count(db, today), red)


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
