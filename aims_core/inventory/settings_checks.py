"""Inventory settings checked as a whole, for imports and restores: the re-validation
interval of every risk tier, each once (the schedule joins on them)."""

from __future__ import annotations

import duckdb

from aims_core.inventory.revalidation import TIER_LABELS
from aims_core.records.writes import RowProblem


def revalidation_tiers(cur: duckdb.DuckDBPyConnection) -> list[RowProblem]:
    found = [r[0] for r in cur.execute("SELECT risk_tier FROM revalidation_intervals "
                                       "ORDER BY id").fetchall()]
    problems = [RowProblem("revalidation_intervals", "Risk tier",
                           f"{tier!r} is not a risk tier ({', '.join(TIER_LABELS)})")
                for tier in found if tier not in TIER_LABELS]
    problems += [RowProblem("revalidation_intervals", "Risk tier",
                            f"has no interval for {tier!r} ({label})")
                 for tier, label in TIER_LABELS.items() if tier not in found]
    return problems


SETTINGS_CHECKS = (revalidation_tiers,)
