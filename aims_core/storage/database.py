"""The one DuckDB file: opening, migrating, thread-safe reads and serialised writes.

Streamlit runs each browser session in its own thread. DuckDB connections are not meant to
be shared across threads, cursors are: every thread reads through its own cursor of one
shared connection, and every write goes through :meth:`Database.transaction`, which holds a
process-wide lock so that concurrent writers never hit DuckDB's optimistic-concurrency
conflicts. Business-level lost updates are caught by the ``version`` column (see writes.py).
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from aims_core.storage.schema import LATEST_VERSION, MIGRATIONS


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
    """Schema version recorded in a file; 0 for a file without our schema."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchone()[0]
    if not exists:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0]


def apply_migrations(con: duckdb.DuckDBPyConnection, target: int = LATEST_VERSION) -> int:
    """Apply the pending migrations up to ``target`` in one transaction; returns the version."""
    current = schema_version_of(con)
    pending = [m for m in MIGRATIONS if current < m.version <= target]
    if not pending:
        return current
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
    return pending[-1].version


def backup_path_for(path: Path, version: int) -> Path:
    stamp = utc_now().strftime("%Y%m%dT%H%M%S")
    return path.with_name(f"{path.name}.v{version}-{stamp}.bak")


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
        self._schema_facts: dict[tuple[str, str], Any] = {}

    def _upgrade(self) -> None:
        """Bring an older file up to date, after copying it aside."""
        current = schema_version_of(self._con)
        if current > LATEST_VERSION:
            self._con.close()
            raise DatabaseError(
                f"The database {self.path} has schema version {current}, newer than this "
                f"program understands ({LATEST_VERSION}). Update the program."
            )
        if 0 < current < LATEST_VERSION:
            self._con.execute("CHECKPOINT")
            self._con.close()
            self.backup_path = backup_path_for(self.path, current)
            shutil.copy2(self.path, self.backup_path)
            self._con = _connect(self.path)
        if current < LATEST_VERSION:
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

    def column_types(self, table: str) -> dict[str, str]:
        """Each column of ``table`` and its DuckDB type, in table order (the schema only
        changes when the file is opened, so the answer is kept)."""
        key = ("columns", table)
        if key not in self._schema_facts:
            self._schema_facts[key] = dict(self.query_rows(
                "SELECT column_name, data_type FROM duckdb_columns() "
                "WHERE schema_name = 'main' AND table_name = ? ORDER BY column_index", [table]))
        return self._schema_facts[key]

    def unique_keys(self, table: str) -> list[tuple[str, ...]]:
        """The column sets of ``table``'s UNIQUE constraints (the primary key excluded)."""
        key = ("unique", table)
        if key not in self._schema_facts:
            self._schema_facts[key] = [tuple(r[0]) for r in self.query_rows(
                "SELECT constraint_column_names FROM duckdb_constraints() "
                "WHERE schema_name = 'main' AND table_name = ? AND constraint_type = 'UNIQUE' "
                "ORDER BY constraint_index", [table])]
        return self._schema_facts[key]

    @property
    def generation(self) -> int:
        """Counter bumped by every committed write; cache keys use it for invalidation."""
        return self._generation

    # --- writing -------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Serialised, all-or-nothing write block; yields a cursor to write with."""
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
            self._generation += 1

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
