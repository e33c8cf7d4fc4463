"""What the app's "About" says: its version, where its data is and the file's schema."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from aims_core.config import DEMO_SEED_DIR, PROJECT_ROOT
from aims_core.storage.database import Database


@cache
def app_version() -> str:
    """The version in pyproject.toml (the one place it is written)."""
    with (PROJECT_ROOT / "pyproject.toml").open("rb") as handle:
        return tomllib.load(handle)["project"]["version"]


@dataclass(frozen=True)
class About:
    version: str
    database: Path
    schema_version: int
    migrations: int  # how many migrations the file has recorded
    data_folder: Path  # the database's folder: backups and exports land beside it
    demo_seed: Path


def about(db: Database) -> About:
    latest, applied = db.query_rows(
        "SELECT coalesce(max(version), 0), count(*) FROM schema_migrations")[0]
    return About(app_version(), db.path.resolve(), int(latest), int(applied),
                 db.path.resolve().parent, DEMO_SEED_DIR)


def lines(info: About) -> list[tuple[str, str]]:
    """(label, value) pairs in reading order."""
    return [("Version", info.version), ("Database file", str(info.database)),
            ("Schema version", f"{info.schema_version} ({info.migrations} migrations applied)"),
            ("Data folder", str(info.data_folder)), ("Demo seed", str(info.demo_seed))]
