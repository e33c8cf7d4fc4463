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


def connect_file(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
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


def _fetch_all(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def applied_versions(con: duckdb.DuckDBPyConnection) -> set[int]:
    """The migrations recorded in a file; empty for a file without our schema."""
    exists = _fetch_all(con, "SELECT count(*) FROM information_schema.tables "
                             "WHERE table_name = 'schema_migrations'")[0][0]
    if not exists:
        return set()
    return {r[0] for r in _fetch_all(con, "SELECT version FROM schema_migrations")}


def schema_version_of(con: duckdb.DuckDBPyConnection) -> int:
    """Schema version recorded in a file (its highest migration); 0 without our schema."""
    return max(applied_versions(con), default=0)


class MigrationError(DatabaseError):
    """A migration failed and was rolled back; ``migration`` names it."""

    def __init__(self, migration: Migration, cause: Exception) -> None:
        self.migration = migration
        detail = " ".join(str(cause).split())
        super().__init__(f"migration {migration.version} ({migration.description}) failed: "
                         f"{detail}")


def pending_migrations(con: duckdb.DuckDBPyConnection,
                       target: int | None = None) -> list[Migration]:
    """Migrations (up to ``target``) not yet recorded in the file, by set, not by the highest
    version: numbers are assigned ahead, so a file may hold 11 but not yet 7."""
    applied = applied_versions(con)
    return [m for m in MIGRATIONS
            if m.version not in applied and (target is None or m.version <= target)]


def apply_migrations(con: duckdb.DuckDBPyConnection, target: int | None = None) -> int:
    """Apply every migration the file lacks (up to ``target``), in order; returns the version.

    Each migration is one transaction: a failure rolls it back (raising
    :class:`MigrationError`) and leaves the file at the migrations before it. Numbers are
    handed out per feature, so a file may lack a lower number than its highest one: what is
    missing is applied, whatever its number. A migration's ``constraints`` are added in a
    second transaction, because DuckDB checks a new constraint against committed data only;
    its statements must therefore be safe to run again.
    """
    for migration in pending_migrations(con, target):
        try:
            _run_in_transaction(con, migration.statements,
                                None if migration.constraints else migration)
            if migration.constraints:
                _run_in_transaction(con, migration.constraints, migration)
        except duckdb.Error as exc:
            raise MigrationError(migration, exc) from None
    return schema_version_of(con)


def _run_in_transaction(con: duckdb.DuckDBPyConnection, statements: tuple[str, ...],
                        record: Migration | None) -> None:
    con.begin()
    try:
        for statement in statements:
            con.execute(statement)
        if record is not None:
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)",
                        [record.version, record.description, utc_now()])
        con.commit()
    except BaseException:
        con.rollback()
        raise


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
def _same_file(a: Path, b: Path) -> bool:
    if a.stat().st_size != b.stat().st_size:
        return False
    with a.open("rb") as left, b.open("rb") as right:
        while chunk := left.read(1 << 20):
            if chunk != right.read(len(chunk)):
                return False
    return True


def backup_before_upgrade(path: Path, version: int) -> Path:
    """A copy of ``path`` beside it, named for its schema version; a copy of the very same
    content made by an earlier attempt is reused, so retries do not pile up backups. The
    copy is written under a temporary name and renamed, so it is complete or absent."""
    for partial in path.parent.glob(f".{path.name}.v*-*.bak.partial"):
        partial.unlink(missing_ok=True)  # a copy a killed attempt did not finish
    for earlier in sorted(path.parent.glob(f"{path.name}.v{version}-*.bak")):
        if _same_file(earlier, path):
            return earlier
    target = backup_path_for(path, version)
    partial = target.with_name(f".{target.name}.partial")
    shutil.copy2(path, partial)
    partial.replace(target)
    return target


class Database:
    """One open database file, shared by every thread of the process."""

    def __init__(self, path: str | Path, *, migrate: bool = True) -> None:
        self.path = Path(path)
        self.backup_path: Path | None = None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._con = connect_file(self.path)
        if migrate:
            self._upgrade()
        self._write_lock = threading.RLock()
        self._local = threading.local()
        self._generation = 0
        # DuckDB's lock on the file is a POSIX lock, which the process loses as soon as it
        # closes *any* descriptor of the file: copies read through this one, kept open.
        self._file_fd = os.open(self.path, os.O_RDONLY) if self.path.is_file() else None
        self._schema_facts: dict[tuple[str, str], Any] = {}

    def _upgrade(self) -> None:
        """Bring an older file up to date, after copying it aside (see
        :func:`apply_migrations`); a failure says in one line what failed and where the
        copy is."""
        applied = applied_versions(self._con)
        known = {m.version for m in MIGRATIONS}
        if unknown := sorted(applied - known):
            self._con.close()
            raise DatabaseError(
                f"The database {self.path} has schema version {max(applied)} (with migration "
                f"{', '.join(map(str, unknown))}), newer than this program understands "
                f"({LATEST_VERSION}). Update the program.")
        if not known - applied:
            return
        if applied:
            self._con.execute("CHECKPOINT")
            self._con.close()
            self.backup_path = backup_before_upgrade(self.path, max(applied))
            self._con = connect_file(self.path)
        try:
            apply_migrations(self._con)
        except MigrationError as exc:
            version = schema_version_of(self._con)
            self._con.close()
            kept = f"; the file as it was before the upgrade is {self.backup_path}" \
                if self.backup_path else ""
            raise DatabaseError(
                f"Cannot upgrade the database {self.path}: {exc}. The failed step was rolled "
                f"back and the file stays at schema version {version}{kept}.") from None

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
    @property
    def write_lock(self) -> threading.RLock:
        """Held by every write; hold it yourself around reading what a write depends on (a
        next id, a snapshot) and that write, so no other thread writes in between."""
        return self._write_lock

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
