"""Suppliers (A.10.3) as the page reads them: each with the active AI systems it provides."""

from __future__ import annotations

import pandas as pd

from aims_core.storage.database import Database

NAMES_SHOWN = 10  # system names listed per supplier; the count says how many in all


def overview(db: Database) -> pd.DataFrame:
    """Per supplier: next review, how many active systems it provides and the first names."""
    return db.query_df(f"""
        SELECT p.name AS supplier, p.next_review, count(s.id) AS systems,
               array_to_string((list(s.name ORDER BY s.name)
                   FILTER (WHERE s.name IS NOT NULL))[:{NAMES_SHOWN}], ', ')
                   || CASE WHEN count(s.id) > {NAMES_SHOWN}
                           THEN ', and ' || (count(s.id) - {NAMES_SHOWN}) || ' more'
                           ELSE '' END AS ai_systems
        FROM suppliers p LEFT JOIN ai_systems s ON s.supplier_id = p.id
             AND s.lifecycle_stage <> 'retired'
        GROUP BY ALL ORDER BY p.name""")


def register(db: Database) -> pd.DataFrame:
    """Every supplier row, by name."""
    return db.query_df("SELECT * FROM suppliers ORDER BY name")
