"""Where the data lives and other settings read from the environment."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_DB_PATH = DATA_DIR / "aims.duckdb"
DEMO_SEED_DIR = DATA_DIR / "demo"


def database_path() -> Path:
    """The database file: ``$AIMS_DB`` if set, else ``data/aims.duckdb``."""
    configured = os.environ.get("AIMS_DB", "").strip()
    return Path(configured).expanduser() if configured else DEFAULT_DB_PATH
