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
from aims_core.storage.file_swap import replace_database

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


def init_database(path: str | Path, mode: InitMode = "demo", *, force: bool = False,
                  today: date | None = None, seed_dir: Path = DEMO_SEED_DIR) -> Database:
    """Create a new database file holding the demo organisation or nothing at all.

    ``force`` replaces an existing file, unless another program holds it; the new file is
    built beside the old one and swapped in when complete, the old one kept as
    ``<file>.pre-init-<stamp>.bak`` (:func:`aims_core.storage.file_swap.replace_database`).
    """
    path = Path(path)
    if path.exists() and not force:
        raise DatabaseError(f"{path} already exists; pass --force to replace it")

    def build(fresh: Path, _old: object) -> None:
        with open_database(fresh) as db:
            if mode == "demo":
                load_demo(db, today=today, seed_dir=seed_dir)

    replace_database(path, build, backup="pre-init")
    return open_database(path)


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
    from aims_core.management_review import reviews

    reviews.freeze_missing_packs(db)  # after the shift: the pack holds the dates shown


def generate_into(db: Database, systems: int, seed: int = 42, anchor: date | None = None,
                  *, freeze_packs: bool = True) -> dict[str, int]:
    """Replace the registers with a synthetic organisation; returns rows per table.
    Signed reviews get their frozen pack unless ``freeze_packs`` is False (the committed
    seed: its dates move on load, so the pack is frozen after the move)."""
    from aims_core import demo
    from aims_core.management_review import reviews

    anchor = anchor or date.today()
    frames = demo.generate(systems=systems, seed=seed, anchor=anchor)
    demo.write_frames(db, frames, anchor)
    people.adopt_names(db)
    if freeze_packs:
        reviews.freeze_missing_packs(db)
    return {table: len(frame) for table, frame in frames.items()}


def write_demo_seed(seed_dir: Path = DEMO_SEED_DIR) -> dict[str, int]:
    """Regenerate the committed demo seed files (deterministic: same files every time)."""
    from aims_core import demo
    from aims_core.storage.transfer import export_database

    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(Path(tmp) / "seed.duckdb")
        try:
            counts = generate_into(db, systems=len(demo.ARCHETYPES), anchor=demo.DEMO_ANCHOR,
                                   freeze_packs=False)
            for stale in seed_dir.glob("*.parquet"):
                stale.unlink()
            export_database(db, seed_dir)
        finally:
            db.close()
    return counts
