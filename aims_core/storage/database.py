"""The one DuckDB file: opening, migrating, thread-safe reads and serialised writes.

Streamlit runs each browser session in its own thread. DuckDB connections are not meant to
be shared across threads, cursors are: every thread reads through its own cursor of one
shared connection, and every write goes through :meth:`Database.transaction`, which holds a
process-wide lock so that concurrent writers never hit DuckDB's optimistic-concurrency
conflicts. Business-level lost updates are caught by the ``version`` column (see writes.py).
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from aims_core.storage.schema import LATEST_VERSION, MIGRATIONS, Migration


class DatabaseError(RuntimeError):
    """A problem with the database file, phrased for the person who has to fix it."""


class DatabaseLockedError(DatabaseError):
    """Another process holds the file's lock."""


def utc_now() -> datetime:
    """Naive UTC timestamp (stored as DuckDB TIMESTAMP)."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def _connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" in text.lower():
            pid = re.search(r"PID (\d+)", text)
            holder = f" (process {pid.group(1)})" if pid else ""
            raise DatabaseLockedError(
                f"The database {path} is in use by another program{holder}. "
                "Stop the running app (or other job) first, or work on an exported copy."
            ) from None
        raise DatabaseError(f"Cannot open the database {path}: {text}") from None


def schema_version_of(con: duckdb.DuckDBPyConnection) -> int:
    """Schema version recorded in a file; 0 for a file without our schema.

    Results are fetched whole: a result left open keeps its transaction open, and an open
    transaction on the shared connection makes every later CHECKPOINT (backups) fail."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchall()[0][0]
    if not exists:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations"
                       ).fetchall()[0][0]


def _applied(con: duckdb.DuckDBPyConnection) -> set[int]:
    if not schema_version_of(con):
        return set()
    return {r[0] for r in con.execute("SELECT version FROM schema_migrations").fetchall()}


def pending_migrations(con: duckdb.DuckDBPyConnection,
                       target: int = LATEST_VERSION) -> list[Migration]:
    """Migrations up to ``target`` not yet recorded in the file. By set, not by the highest
    version: migration numbers are assigned ahead, so a file may hold 9 but not yet 7."""
    applied = _applied(con)
    return [m for m in MIGRATIONS if m.version not in applied and m.version <= target]


def apply_migrations(con: duckdb.DuckDBPyConnection, target: int = LATEST_VERSION) -> int:
    """Apply the pending migrations up to ``target`` in one transaction; returns the version."""
    pending = pending_migrations(con, target)
    if not pending:
        return schema_version_of(con)
    con.begin()
    try:
        for migration in pending:
            for statement in migration.statements:
                con.execute(statement)
            con.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                [migration.version, migration.description, utc_now()],
            )
        con.commit()
    except Exception:
        con.rollback()
        raise
    return schema_version_of(con)


def backup_path_for(path: Path, version: int) -> Path:
    stamp = utc_now().strftime("%Y%m%dT%H%M%S")
    return path.with_name(f"{path.name}.v{version}-{stamp}.bak")


def _copy_from_descriptor(source: int, target: Path) -> None:
    size = os.fstat(source).st_size
    with target.open("wb") as out:
        offset = 0
        while offset < size:
            sent = os.sendfile(out.fileno(), source, offset, size - offset)
            if sent == 0:
                break
            offset += sent


class Database:
    """One open database file, shared by every thread of the process."""

    def __init__(self, path: str | Path, *, migrate: bool = True) -> None:
        self.path = Path(path)
        self.backup_path: Path | None = None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._con = _connect(self.path)
        if migrate:
            self._upgrade()
        self._write_lock = threading.RLock()
        self._local = threading.local()
        self._generation = 0
        # DuckDB's lock on the file is a POSIX lock, which the process loses as soon as it
        # closes *any* descriptor of the file: copies read through this one, kept open.
        self._file_fd = os.open(self.path, os.O_RDONLY) if self.path.is_file() else None

    def _upgrade(self) -> None:
        """Bring an older file up to date, after copying it aside."""
        current = schema_version_of(self._con)
        unknown = sorted(_applied(self._con) - {m.version for m in MIGRATIONS})
        if current > LATEST_VERSION or unknown:
            self._con.close()
            raise DatabaseError(
                f"The database {self.path} has schema version {current}"
                + (f" (with migration {', '.join(map(str, unknown))})" if unknown else "")
                + f", newer than this program understands ({LATEST_VERSION}). Update the "
                "program."
            )
        pending = pending_migrations(self._con)
        if current and pending:
            self._con.execute("CHECKPOINT")
            self._con.close()
            self.backup_path = backup_path_for(self.path, current)
            shutil.copy2(self.path, self.backup_path)
            self._con = _connect(self.path)
        if pending:
            apply_migrations(self._con)

    # --- reading -------------------------------------------------------------------------
    def cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor on the shared connection."""
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._con.cursor()
            self._local.cursor = cur
        return cur

    def query_df(self, sql: str, params: list[Any] | dict[str, Any] | None = None) -> pd.DataFrame:
        return self.cursor().execute(sql, params or []).df()

    def query_rows(self, sql: str, params: list[Any] | dict[str, Any] | None = None) -> list[tuple]:
        return self.cursor().execute(sql, params or []).fetchall()

    def query_dicts(self, sql: str, params: list[Any] | dict[str, Any] | None = None
                    ) -> list[dict[str, Any]]:
        """Rows as dicts of plain Python values (None, date, str …), column names as keys."""
        result = self.cursor().execute(sql, params or [])
        names = [d[0] for d in result.description]
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]

    def scalar(self, sql: str, params: list[Any] | dict[str, Any] | None = None) -> Any:
        # fetchall, not fetchone: an unfinished result would block this thread's cursor
        rows = self.cursor().execute(sql, params or []).fetchall()
        return rows[0][0] if rows else None

    def table_names(self) -> list[str]:
        return [
            r[0]
            for r in self.query_rows(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'main' AND table_type = 'BASE TABLE' ORDER BY table_name"
            )
        ]

    @property
    def generation(self) -> int:
        """Counter bumped by every committed write; cache keys use it for invalidation."""
        return self._generation

    # --- writing -------------------------------------------------------------------------
    @contextmanager
    def transaction(self, *, bump: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
        """Serialised, all-or-nothing write block; yields a cursor to write with.
        ``bump=False`` for writes no cached read shows (audit events), so that they do not
        invalidate every page's cache."""
        with self._write_lock:
            cur = self._con.cursor()
            cur.begin()
            try:
                yield cur
                cur.commit()
            except BaseException:
                cur.rollback()
                raise
            finally:
                cur.close()
            if bump:
                self._generation += 1

    def copy_files_to(self, directory: Path) -> tuple[Path, dict[str, int]]:
        """Copy the file (and its write-ahead log, if one is left) under the write lock,
        after a checkpoint: no write can land half-way, so the copy is one consistent state
        while readers carry on. Returns the copy and every table's row count at that moment.
        """
        directory.mkdir(parents=True, exist_ok=True)
        if self._file_fd is None:
            raise DatabaseError("an in-memory database has no file to copy")
        target = directory / self.path.name
        wal = self.path.with_name(self.path.name + ".wal")
        with self._write_lock:
            cur = self._con.cursor()
            try:
                # a reader holding a transaction open refuses the checkpoint: the log is
                # then copied with the file, and the copy replays it when it is checked
                with suppress(duckdb.TransactionException):
                    cur.execute("CHECKPOINT")
                counts = {table: cur.execute(f'SELECT count(*) FROM "{table}"').fetchall()[0][0]
                          for table in self.table_names()}
                _copy_from_descriptor(self._file_fd, target)
                if wal.exists():
                    shutil.copyfile(wal, target.with_name(target.name + ".wal"))
            finally:
                cur.close()
        return target, counts

    def close(self) -> None:
        self._con.close()
        if self._file_fd is not None:
            os.close(self._file_fd)

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
