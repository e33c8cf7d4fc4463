"""Migration numbers are given out per feature, so branches merge in any order: a file
written by a build with a later migration but without an earlier one still gets it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from aims_core.storage.database import Database, DatabaseError, pending_migrations
from aims_core.storage.schema import MIGRATIONS


def _file_without(path: Path, missing: int) -> None:
    """A file with every migration but ``missing``, as a build without it wrote it."""
    con = duckdb.connect(str(path))
    con.begin()
    for migration in MIGRATIONS:
        if migration.version == missing:
            continue
        for statement in migration.statements:
            con.execute(statement)
        con.execute("INSERT INTO schema_migrations VALUES (?, ?, now()::TIMESTAMP)",
                    [migration.version, migration.description])
    con.commit()
    con.close()


def test_a_missing_earlier_migration_is_applied_after_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "gap.duckdb"
    _file_without(path, 7)
    db = Database(path)
    assert pending_migrations(db.cursor()) == []
    assert db.scalar("SELECT count(*) FROM actions") == 0  # migration 7's tables exist
    assert db.backup_path is not None and db.backup_path.exists()
    db.close()
    again = Database(path)  # nothing left to do: no second backup
    assert again.backup_path is None
    again.close()


def test_a_file_with_a_migration_this_program_lacks_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.duckdb"
    Database(path).close()
    con = duckdb.connect(str(path))
    unknown = next(n for n in range(1, 100) if n not in {m.version for m in MIGRATIONS})
    con.execute("INSERT INTO schema_migrations VALUES (?, 'from another build', "
                "now()::TIMESTAMP)", [unknown])
    con.close()
    with pytest.raises(DatabaseError, match=f"with migration {unknown}"):
        Database(path)
