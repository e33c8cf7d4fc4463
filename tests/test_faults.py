"""kill -9 at any moment: during an import, an init --force, a loop of saves, a generation
and an upgrade with its backup. Afterwards the file always opens, holds the old content or
the new one (never a mixture), no batch is half-written, every backup that exists is whole,
and the next run cleans what the killed one left. Kill moments are spread over each
command's normal duration (measured first). Counts go to test-artifacts/reliability.json.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from aims_core.bootstrap import init_database
from aims_core.records.writes import RowChange, apply_changes
from aims_core.storage.database import Database, apply_migrations, schema_version_of
from aims_core.storage.schema import LATEST_VERSION
from aims_core.storage.transfer import export_database
from tests.conftest import ANA
from tests.fuzz_kit import ROOT, Tally

KILLS = 6  # per kind of work
tally = Tally("faults")


def _digest(path: Path) -> dict:
    """The content of every table but the log and the migration dates (they carry times)."""
    with Database(path) as db:
        return {t: db.query_rows(f'SELECT count(*), hash(list(t ORDER BY ALL)) FROM "{t}" t')[0]
                for t in db.table_names() if t not in ("change_log", "schema_migrations")}


def _python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def _aims(*args: str) -> list[str]:
    return [sys.executable, "-m", "aims_core", *args]


def _duration(command: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return time.perf_counter() - started


def _kill_after(command: list[str], delay: float) -> bool:
    """Run ``command`` and kill -9 it after ``delay`` seconds; True if it was killed."""
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        process.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        return True


def _moments(duration: float) -> list[float]:
    """KILLS moments spread from the interpreter's start-up to the end of the work."""
    return [duration * (0.25 + 0.75 * n / KILLS) for n in range(KILLS)]


def _kill_repeatedly(command: list[str], reset: Callable[[], None],
                     check: Callable[[], None], duration: float) -> None:
    for moment in _moments(duration):
        reset()
        killed = _kill_after(command, moment)
        check()
        tally.add("kills_survived" if killed else "finished_before_the_kill")


def _whole_backups(folder: Path) -> None:
    for backup in folder.glob("*.bak"):
        with duckdb.connect(str(backup), read_only=True) as con:
            assert schema_version_of(con) > 0, f"{backup.name} is not a whole database"


@pytest.fixture
def exported(tmp_path: Path) -> tuple[Path, Path]:
    """A demo file (the old content) and an export of a different organisation (the new)."""
    old = tmp_path / "aims.duckdb"
    source = tmp_path / "source.duckdb"
    with init_database(source, "demo") as db:
        assert apply_changes(db, "organisation", [RowChange(
            "update", {"name": "Imported Ltd"}, row_id=1, expected_version=db.scalar(
                "SELECT version FROM organisation WHERE id = 1"))], ANA).ok
        export_database(db, tmp_path / "export")
    init_database(old, "empty").close()
    return old, tmp_path / "export"


def test_kill_during_import_leaves_the_old_file_or_the_new_one(exported: tuple[Path, Path],
                                                               tmp_path: Path) -> None:
    path, export = exported
    pristine = tmp_path / "pristine.duckdb"
    path.replace(pristine)
    command = _aims("import", "--db", str(path), "--from", str(export))

    def reset() -> None:
        for stale in tmp_path.glob("*.bak"):
            stale.unlink()
        path.write_bytes(pristine.read_bytes())

    reset()
    old = _digest(path)
    duration = _duration(command)
    new = _digest(path)
    assert new != old

    def check() -> None:
        assert _digest(path) in (old, new), "a mixture of the old file and the import"
        _whole_backups(tmp_path)

    _kill_repeatedly(command, reset, check, duration)
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr  # the next run works and cleans up
    assert not list(tmp_path.glob(".aims.duckdb.new-*")) and not list(tmp_path.glob("*.partial"))


def test_kill_during_init_force_leaves_the_old_file_or_the_new_one(tmp_path: Path) -> None:
    path = tmp_path / "aims.duckdb"
    command = _aims("init", "--demo", "--force", "--db", str(path))

    def reset() -> None:
        for stale in tmp_path.glob("*.bak"):
            stale.unlink()
        path.unlink(missing_ok=True)
        init_database(path, "empty").close()

    reset()
    old = _digest(path)
    duration = _duration(command)
    new = _digest(path)

    def check() -> None:
        assert _digest(path) in (old, new)
        _whole_backups(tmp_path)

    _kill_repeatedly(command, reset, check, duration)


SAVER = """
import sys
from aims_core.auth.actor import Actor
from aims_core.records.writes import RowChange, apply_changes
from aims_core.storage.database import Database
db = Database(sys.argv[1])
kpi = db.scalar("SELECT id FROM kpis WHERE kind = 'measured' ORDER BY id LIMIT 1")
for batch in range(120):
    changes = [RowChange("insert", {"kpi_id": kpi, "measured_on": f"{1901 + batch}-01-"
                                    f"{day:02d}", "value": day, "source": "entered",
                                    "note": f"batch {batch}"}) for day in range(1, 29)]
    result = apply_changes(db, "kpi_measurements", changes, Actor("Ana"))
    assert result.ok, result.errors
    print(batch, flush=True)
"""


def test_kill_during_saves_leaves_no_half_written_batch(tmp_path: Path) -> None:
    path = tmp_path / "aims.duckdb"
    command = [*_python(SAVER), str(path)]

    def reset() -> None:
        path.unlink(missing_ok=True)
        init_database(path, "demo").close()

    def check() -> None:
        with Database(path) as db:
            sizes = db.query_rows("SELECT note, count(*) FROM kpi_measurements WHERE note LIKE "
                                  "'batch %' GROUP BY ALL")
            assert all(n == 28 for _, n in sizes), sizes
            logged = db.scalar("SELECT count(*) FROM change_log WHERE table_name = "
                               "'kpi_measurements' AND json_extract_string(after_json, "
                               "'$.note') LIKE 'batch %'")
            assert logged == 28 * len(sizes)  # one entry per saved row, none without a row

    reset()
    _kill_repeatedly(command, reset, check, _duration(command))


GENERATOR = "generate --systems 150 --db {path}"


def test_kill_during_generation_leaves_the_registers_whole(tmp_path: Path) -> None:
    path = tmp_path / "aims.duckdb"
    command = _aims(*GENERATOR.format(path=path).split())

    def reset() -> None:
        path.unlink(missing_ok=True)
        init_database(path, "demo").close()

    reset()
    old = _digest(path)
    duration = _duration(command)
    new = _digest(path)

    def check() -> None:
        assert _digest(path) in (old, new)

    _kill_repeatedly(command, reset, check, duration)


def test_kill_during_an_upgrade_and_its_backup_loses_nothing(tmp_path: Path) -> None:
    path = tmp_path / "aims.duckdb"
    command = _python(f"from aims_core.storage.database import Database; "
                      f"Database({str(path)!r}).close()")

    def reset() -> None:
        for stale in [*tmp_path.glob("*.bak"), *tmp_path.glob(".*partial"), path]:
            stale.unlink(missing_ok=True)
        con = duckdb.connect(str(path))
        apply_migrations(con, target=6)
        con.execute("INSERT INTO ai_systems (id, name, version) SELECT i, 'S' || i, 1 "
                    "FROM range(1, 20001) t(i)")
        con.close()

    def check() -> None:
        _whole_backups(tmp_path)
        with Database(path) as db:  # the next open finishes the upgrade
            assert schema_version_of(db.cursor()) == LATEST_VERSION
            assert db.scalar("SELECT count(*) FROM ai_systems") == 20000
        assert list(tmp_path.glob("aims.duckdb.v6-*.bak"))  # and a copy of v6 is kept

    reset()
    _kill_repeatedly(command, reset, check, _duration(command))
    tally.save()
