"""Replacing a database file safely: never one another process holds, never half-built.

Destructive commands (``init --force``, ``import``, a restore) go through
:func:`replace_database`: it takes the file's lock first (so a running app's file is refused
with one line instead of being deleted under it), builds the new file beside the old one,
keeps a copy of the old one, and swaps the new one in with one atomic rename. A kill at any
moment leaves the old file or the new one at the path, never a mixture; the leftovers of a
killed run are removed by the next one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import duckdb

from aims_core.storage.database import (
    DatabaseError,
    DatabaseLockedError,
    connect_file,
    utc_now,
)

T = TypeVar("T")


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


@contextmanager
def holding(path: Path) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """The file's lock for the duration of the block (None when the file does not exist or
    cannot be opened as a database). Raises :class:`DatabaseLockedError`, whose one-line
    message names the process, when another program holds it."""
    if not path.exists():
        yield None
        return
    try:
        con = connect_file(path)
    except DatabaseLockedError:
        raise
    except DatabaseError:
        yield None  # not a readable database: replacing it is what --force is for
        return
    try:
        yield con
    finally:
        con.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_leftovers(path: Path) -> None:
    """Files a killed earlier run left: half-built new files and half-copied backups."""
    for leftover in path.parent.glob(f".{path.name}.new-*"):
        pid = leftover.name.removeprefix(f".{path.name}.new-").split(".", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            leftover.unlink(missing_ok=True)
    for partial in path.parent.glob(f".{path.name}.*.partial"):
        partial.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def copy_aside(path: Path, why: str) -> Path:
    """A complete copy of ``path`` beside it, ``<file>.<why>-<UTC stamp>.bak`` (copied under
    a temporary name and renamed, so a copy that exists is whole)."""
    target = path.with_name(f"{path.name}.{why}-{utc_now():%Y%m%dT%H%M%S}.bak")
    partial = path.with_name(f".{target.name}.partial")
    with path.open("rb") as source, partial.open("wb") as copy:
        while chunk := source.read(1 << 20):
            copy.write(chunk)
        copy.flush()
        os.fsync(copy.fileno())
    partial.replace(target)
    return target


def replace_database(path: Path, build: Callable[[Path, duckdb.DuckDBPyConnection | None], T],
                     *, backup: str | None) -> tuple[T, Path | None]:
    """Build a new database with ``build(new_path, old)`` and put it at ``path``.

    ``old`` is a connection to the current file (None if there is none), held for the whole
    build so that no other program can open it meanwhile; ``build`` must create
    ``new_path`` and close it. With ``backup`` (e.g. "pre-import") the current file is
    copied aside first. Returns what ``build`` returned and the backup's path.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = path.with_name(f".{path.name}.new-{os.getpid()}")
    with holding(path) as old:
        _remove_leftovers(path)
        for stale in (fresh, _wal(fresh)):
            stale.unlink(missing_ok=True)
        try:
            result = build(fresh, old)
            if _wal(fresh).exists():
                raise DatabaseError(f"the new database {fresh.name} was not closed cleanly")
            _fsync(fresh)
        except BaseException:
            for stale in (fresh, _wal(fresh)):
                stale.unlink(missing_ok=True)
            raise
        if old is not None:
            old.close()  # checkpoints: the old file is whole and has no WAL left
    kept = copy_aside(path, backup) if backup and path.exists() else None
    if _wal(path).exists():  # a WAL of a file that could not be opened must not follow
        _wal(path).replace(path.with_name(f"{path.name}.wal.stale-{utc_now():%Y%m%dT%H%M%S}"))
    fresh.replace(path)
    _fsync(path.parent)
    return result, kept
