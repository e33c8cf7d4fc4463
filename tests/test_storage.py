"""The database file: migrations with backup, the lock message, thread-local cursors."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from aims_core.storage.database import (
    Database,
    DatabaseLockedError,
    apply_migrations,
    schema_version_of,
)
from aims_core.storage.schema import LATEST_VERSION


def test_new_file_gets_latest_schema(tmp_path: Path) -> None:
    db = Database(tmp_path / "a.duckdb")
    assert schema_version_of(db.cursor()) == LATEST_VERSION
    assert db.backup_path is None
    db.close()


def test_older_file_is_backed_up_then_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    apply_migrations(con, target=1)
    con.execute("INSERT INTO ai_systems (id, name, version) VALUES (1, 'Legacy', 1)")
    con.close()

    db = Database(path)
    assert schema_version_of(db.cursor()) == LATEST_VERSION
    assert db.scalar("SELECT name FROM ai_systems") == "Legacy"
    assert db.scalar("SELECT count(*) FROM risk_level_grid") == 25
    assert db.backup_path is not None and db.backup_path.exists()
    assert ".v1-" in db.backup_path.name
    db.close()
    backup = duckdb.connect(str(db.backup_path), read_only=True)
    assert schema_version_of(backup) == 1
    assert backup.execute("SELECT name FROM ai_systems").fetchone()[0] == "Legacy"
    backup.close()


def test_newer_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.duckdb"
    Database(path).close()
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO schema_migrations VALUES (999, 'future', now()::TIMESTAMP)")
    con.close()
    with pytest.raises(Exception, match="newer than this program"):
        Database(path)


def test_file_locked_by_another_process_gives_one_line(tmp_path: Path) -> None:
    path = tmp_path / "locked.duckdb"
    Database(path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c",
         f"import duckdb, time; c = duckdb.connect({str(path)!r}); print('ready', flush=True); "
         "time.sleep(60)"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(DatabaseLockedError) as caught:
            Database(path)
        message = str(caught.value)
        assert "in use by another program" in message and "\n" not in message
        assert f"process {holder.pid}" in message
    finally:
        holder.kill()
        holder.wait()


def test_each_thread_gets_its_own_cursor(tmp_path: Path) -> None:
    import threading

    db = Database(tmp_path / "t.duckdb")
    seen = []
    thread = threading.Thread(target=lambda: seen.append(db.cursor()))
    thread.start()
    thread.join()
    assert seen[0] is not db.cursor()
    assert db.cursor() is db.cursor()
    started = time.perf_counter()
    assert db.scalar("SELECT 1") == 1 and time.perf_counter() - started < 60
    db.close()
