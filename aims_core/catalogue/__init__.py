"""The reference catalogue: ISO/IEC 42001 clauses and Annex A/C, EU AI Act, NIST AI RMF.

The CSV files under ``data/`` are the source of truth (under version control). They are
loaded into read-only tables of every database and reloaded whenever the files change.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pandas as pd

from aims_core.storage.database import Database

DATA_DIR = Path(__file__).resolve().parent / "data"

# Load order; each name is both the CSV file stem and the table name.
CATALOGUE_TABLES = (
    "clauses",
    "control_objectives",
    "controls",
    "annex_c_objectives",
    "annex_c_risk_sources",
    "eu_ai_act_categories",
    "eu_annex_iii_areas",
    "eu_annex_iii_points",
    "eu_annex_i_legislation",
    "eu_ai_act_dates",
    "nist_functions",
    "nist_categories",
    "nist_subcategories",
    "crosswalk_nist",
    "crosswalk_eu_ai_act",
)


def catalogue_hash() -> str:
    digest = hashlib.sha256()
    for name in CATALOGUE_TABLES:
        digest.update((DATA_DIR / f"{name}.csv").read_bytes())
    return digest.hexdigest()


def read_catalogue_csv(name: str) -> pd.DataFrame:
    frame = pd.read_csv(DATA_DIR / f"{name}.csv", dtype=str, keep_default_na=False)
    return frame.replace("", None)


def load_into(cur: duckdb.DuckDBPyConnection) -> None:
    """Replace every catalogue table with the CSV content (inside the caller's transaction)."""
    for name in CATALOGUE_TABLES:
        cur.register("catalogue_frame", read_catalogue_csv(name))
        cur.execute(f'DELETE FROM "{name}"')
        cur.execute(f'INSERT INTO "{name}" BY NAME SELECT * FROM catalogue_frame')
        cur.unregister("catalogue_frame")
    cur.execute("INSERT OR REPLACE INTO aims_meta VALUES ('catalogue_hash', ?)",
                [catalogue_hash()])


def ensure_catalogue(db: Database) -> bool:
    """Load the catalogue if the file's copy is missing or stale; True when it loaded."""
    current = db.scalar("SELECT value FROM aims_meta WHERE key = 'catalogue_hash'")
    if current == catalogue_hash():
        return False
    with db.transaction() as cur:
        load_into(cur)
    return True
