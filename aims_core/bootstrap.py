"""Creating and opening databases: empty, demo, or synthetic at scale.

Opening is what every start does; the demo generator and the Parquet transfer are imported
only by the functions that create a database, so the app's first page does not wait for
them.
"""

from __future__ import annotations

import tempfile
import threading
from datetime import date
from pathlib import Path
from typing import Literal

from aims_core.auth import people
from aims_core.catalogue import ensure_catalogue
from aims_core.config import DEMO_SEED_DIR
from aims_core.storage.database import Database, DatabaseError

InitMode = Literal["demo", "empty"]


def open_database(path: str | Path) -> Database:
    """Open (creating or upgrading as needed) a database with a current catalogue, and every
    name its registers hold in the people directory (see :func:`people.adopt_names`)."""
    db = Database(path)
    ensure_catalogue(db)
    people.adopt_names(db)
    return db


_SHARED: dict[Path, Database] = {}
_SHARED_LOCK = threading.Lock()


def shared_database(path: str | Path) -> Database:
    """This process's one handle on ``path``, shared by the pages, the API and the jobs (a
    second handle in the same process could not open the file). The first start, with no
    file yet, builds the demo organisation."""
    key = Path(path).resolve()
    with _SHARED_LOCK:
        db = _SHARED.get(key)
        if db is None:
            db = open_database(key) if key.exists() else init_database(key, "demo")
            _SHARED[key] = db
        return db


def close_shared() -> None:
    """Close every shared handle (server shut-down; tests between apps)."""
    with _SHARED_LOCK:
        for db in _SHARED.values():
            db.close()
        _SHARED.clear()


def _remove_database_files(path: Path) -> None:
    for candidate in (path, path.with_name(path.name + ".wal")):
        candidate.unlink(missing_ok=True)


def init_database(path: str | Path, mode: InitMode = "demo", *, force: bool = False,
                  today: date | None = None, seed_dir: Path = DEMO_SEED_DIR) -> Database:
    """Create a new database file holding the demo organisation or nothing at all."""
    path = Path(path)
    if path.exists():
        if not force:
            raise DatabaseError(f"{path} already exists; pass --force to replace it")
        _remove_database_files(path)
    db = open_database(path)
    try:
        if mode == "demo":
            load_demo(db, today=today, seed_dir=seed_dir)
    except Exception:
        db.close()
        _remove_database_files(path)
        raise
    return db


def load_demo(db: Database, *, today: date | None = None, seed_dir: Path = DEMO_SEED_DIR) -> None:
    """Load the committed demo seed and move its dates so that it ends today."""
    from aims_core import demo
    from aims_core.storage.transfer import import_database

    import_database(db, seed_dir)
    ensure_catalogue(db)
    people.adopt_names(db)
    anchor = db.scalar("SELECT value FROM aims_meta WHERE key = 'data_anchor_date'")
    if anchor:
        demo.shift_dates(db, ((today or date.today()) - date.fromisoformat(anchor)).days)


def generate_into(db: Database, systems: int, seed: int = 42,
                  anchor: date | None = None) -> dict[str, int]:
    """Replace the registers with a synthetic organisation; returns rows per table."""
    from aims_core import demo

    anchor = anchor or date.today()
    frames = demo.generate(systems=systems, seed=seed, anchor=anchor)
    demo.write_frames(db, frames, anchor)
    people.adopt_names(db)
    return {table: len(frame) for table, frame in frames.items()}


def write_demo_seed(seed_dir: Path = DEMO_SEED_DIR) -> dict[str, int]:
    """Regenerate the committed demo seed files (deterministic: same files every time)."""
    from aims_core import demo
    from aims_core.storage.transfer import export_database

    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(Path(tmp) / "seed.duckdb")
        try:
            counts = generate_into(db, systems=len(demo.ARCHETYPES), anchor=demo.DEMO_ANCHOR)
            for stale in seed_dir.glob("*.parquet"):
                stale.unlink()
            export_database(db, seed_dir)
        finally:
            db.close()
    return counts
