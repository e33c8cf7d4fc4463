"""Backups and restore on real DuckDB files: complete or absent, rotation, a restore that
equals the original (Parquet exports compared), refusals that leave the database as it was,
and a server process killed half-way through a backup or a restore."""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from aims_core.bootstrap import generate_into, open_database
from aims_core.records.writes import RowChange, apply_changes
from aims_core.storage import backup
from aims_core.storage.database import Database, apply_migrations
from aims_core.storage.schema import LATEST_VERSION
from aims_core.storage.transfer import export_database
from tests.conftest import ANA

ROOT = Path(__file__).resolve().parents[1]


def exported(db: Database, out: Path, skip: frozenset[str] = backup.KEPT_ON_RESTORE
             ) -> dict[str, pd.DataFrame]:
    export_database(db, out)
    return {p.stem: pd.read_parquet(p) for p in sorted(out.glob("*.parquet"))
            if p.stem not in skip}


def assert_same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    assert a.keys() == b.keys()
    for table in a:
        pd.testing.assert_frame_equal(a[table], b[table], check_exact=True, obj=table)


def test_backup_is_a_complete_gzipped_database(demo_db: Database, tmp_path: Path) -> None:
    made = backup.take_backup(demo_db, tmp_path / "b", "manual")
    assert made.kind == "manual" and made.size == made.path.stat().st_size > 0
    assert made.name.endswith("-manual.duckdb.gz")
    plain = tmp_path / "plain.duckdb"
    plain.write_bytes(gzip.decompress(made.path.read_bytes()))
    info = backup.inspect_file(plain)
    assert info.schema_version == LATEST_VERSION
    assert info.rows["ai_systems"] == 12 and info.rows["change_log"] > 100
    assert [b.name for b in backup.list_backups(tmp_path / "b")] == [made.name]
    assert not [p for p in (tmp_path / "b").iterdir() if p.name.startswith(".")]


def test_restore_round_trip_equals_the_original(demo_db: Database, tmp_path: Path) -> None:
    directory = tmp_path / "backups"
    before = exported(demo_db, tmp_path / "before")
    made = backup.take_backup(demo_db, directory, "manual")
    system = demo_db.query_rows("SELECT id, version FROM ai_systems ORDER BY id LIMIT 1")[0]
    changed = apply_changes(demo_db, "ai_systems", [
        RowChange("update", {"name": "Renamed after the backup"}, row_id=system[0],
                  expected_version=system[1]),
        RowChange("insert", {"name": "Added after the backup", "owner": "Sarah Klein",
                             "sourcing": "built", "lifecycle_stage": "design",
                             "eu_ai_act_category": "minimal"})], ANA)
    assert changed.ok
    generation = demo_db.generation
    result = backup.restore_into(demo_db, made.path, directory)
    assert result.safety_backup is not None and result.safety_backup.kind == "pre-restore"
    assert result.migrated_from is None and result.rows > 0
    assert demo_db.generation > generation  # every page cache sees the restored state
    assert_same(before, exported(demo_db, tmp_path / "after"))
    # the safety backup holds the state the restore replaced
    undo = backup.restore_into(demo_db, result.safety_backup.path, directory)
    assert undo.safety_backup is not None
    assert demo_db.scalar("SELECT count(*) FROM ai_systems WHERE name = "
                          "'Added after the backup'") == 1


def test_restore_keeps_tokens_and_job_runs(demo_db: Database, tmp_path: Path) -> None:
    made = backup.take_backup(demo_db, tmp_path, "manual")
    with demo_db.transaction() as cur:
        cur.execute("INSERT INTO job_runs VALUES (1, 'backup', 'manual', NULL, now(), now(), "
                    "'ok', 'after the backup', 'Ana')")
    backup.restore_into(demo_db, made.path, tmp_path)
    assert demo_db.scalar("SELECT message FROM job_runs") == "after the backup"


def _nightly(directory: Path, when: datetime) -> Path:
    path = directory / f"aims-{when:%Y%m%dT%H%M%S}Z-nightly.duckdb.gz"
    path.write_bytes(b"x")
    return path


def _newest_per(generated: list[datetime], key, count: int) -> set[datetime]:
    newest: dict[object, datetime] = {}
    for when in generated:
        newest[key(when)] = max(when, newest.get(key(when), when))
    return {newest[k] for k in sorted(newest, reverse=True)[:count]}


def test_rotation_keeps_newest_of_days_weeks_months(tmp_path: Path) -> None:
    start = datetime(2026, 1, 1, 2, 0)
    generated = [start + timedelta(days=day) for day in range(400)]
    generated += [start + timedelta(days=day, hours=12) for day in range(0, 400, 10)]
    for when in generated:
        _nightly(tmp_path, when)
    manual = tmp_path / "aims-20250101T000000Z-manual.duckdb.gz"
    safety = tmp_path / "aims-20250101T000001Z-pre-restore.duckdb.gz"
    for path in (manual, safety):
        path.write_bytes(b"x")
    removed = backup.rotate(tmp_path, backup.RotationPolicy(daily=7, weekly=4, monthly=12))
    kept = {b.taken_at for b in backup.list_backups(tmp_path) if b.kind == "nightly"}
    expected = (_newest_per(generated, lambda t: t.date(), 7)
                | _newest_per(generated, lambda t: t.isocalendar()[:2], 4)
                | _newest_per(generated, lambda t: (t.year, t.month), 12))
    assert kept == expected and len(kept) <= 23
    assert max(kept) == max(generated) and datetime(2026, 3, 31, 2, 0) in kept
    assert len(removed) == len(generated) - len(kept)
    assert manual.exists() and safety.exists()  # hand-made and safety backups never rotate
    assert backup.rotate(tmp_path, backup.RotationPolicy()) == []  # idempotent


def _refused(db: Database, source: Path, directory: Path, words: str) -> None:
    before = db.scalar("SELECT hash(list(t ORDER BY ALL)) FROM ai_systems t")
    with pytest.raises(backup.BackupError, match=words):
        backup.restore_into(db, source, directory)
    assert db.scalar("SELECT hash(list(t ORDER BY ALL)) FROM ai_systems t") == before
    assert backup.list_backups(directory) == []  # refused before the safety backup


def test_damaged_and_foreign_files_are_refused(demo_db: Database, tmp_path: Path) -> None:
    good = backup.take_backup(demo_db, tmp_path / "src", "manual").path
    truncated = tmp_path / "truncated.duckdb.gz"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    _refused(demo_db, truncated, tmp_path / "d1", "damaged or incomplete")
    noise = tmp_path / "noise.duckdb"
    noise.write_bytes(os.urandom(50_000))
    _refused(demo_db, noise, tmp_path / "d2", "not a readable AIMS database")
    foreign = tmp_path / "foreign.duckdb"
    duckdb.connect(str(foreign)).execute("CREATE TABLE t (x INTEGER)").close()
    _refused(demo_db, foreign, tmp_path / "d3", "not an AIMS Dashboard one")


def test_a_backup_from_a_newer_version_is_refused(demo_db: Database, tmp_path: Path) -> None:
    newer = tmp_path / "newer.duckdb"
    newer.write_bytes(gzip.decompress(
        backup.take_backup(demo_db, tmp_path / "src", "manual").path.read_bytes()))
    con = duckdb.connect(str(newer))
    con.execute("INSERT INTO schema_migrations VALUES (999, 'from the future', now())")
    con.close()
    _refused(demo_db, newer, tmp_path / "d", "newer program version")


def test_a_backup_from_an_older_version_is_migrated(db: Database, tmp_path: Path) -> None:
    old = tmp_path / "old.duckdb"
    con = duckdb.connect(str(old))
    apply_migrations(con, target=6)
    con.execute("INSERT INTO suppliers VALUES (1, 'Old Vendor Ltd', NULL, 'Ana', NULL, NULL, "
                "NULL, NULL, 1)")
    con.close()
    result = backup.restore_into(db, old, tmp_path / "b")
    assert result.migrated_from == 6
    assert db.scalar("SELECT name FROM suppliers") == "Old Vendor Ltd"
    assert db.scalar("SELECT count(*) FROM controls") == 38  # catalogue of this version


_LOOP = """
import sys
from pathlib import Path
from aims_core.bootstrap import open_database
from aims_core.storage import backup
db = open_database(sys.argv[1])
print("ready", flush=True)
if sys.argv[2] == "backup":
    while True:
        backup.take_backup(db, Path(sys.argv[3]), "manual")
        print("done", flush=True)
else:
    backup.restore_into(db, Path(sys.argv[3]), Path(sys.argv[4]))
    print("restored", flush=True)
"""


def _killed_after(args: list[str], seconds: float, wait_for: str = "ready") -> str:
    process = subprocess.Popen([sys.executable, "-c", _LOOP, *args], cwd=ROOT,
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    assert process.stdout.readline().strip() == wait_for
    time.sleep(seconds)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    return process.stdout.read()


@pytest.fixture(scope="module")
def large_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("large") / "large.duckdb"
    with open_database(path) as database:
        generate_into(database, 300)
    return path


def test_killed_during_backups_leaves_complete_backups_only(large_path: Path,
                                                            tmp_path: Path) -> None:
    directory = tmp_path / "backups"
    for delay in (0.15, 0.45):
        _killed_after([str(large_path), "backup", str(directory)], delay)
    listed = backup.list_backups(directory)
    for made in listed:  # every listed backup is whole
        plain = tmp_path / "check.duckdb"
        plain.write_bytes(gzip.decompress(made.path.read_bytes()))
        assert backup.inspect_file(plain).rows["risks"] > 7000
        plain.unlink()
    backup.clean_leftovers(directory, min_age_seconds=0)
    assert not [p for p in directory.iterdir() if p.name.startswith(".")]
    with Database(large_path) as reopened:  # the database still opens
        assert reopened.scalar("SELECT count(*) FROM ai_systems") == 300


def test_killed_during_a_restore_leaves_old_or_new_never_a_mix(large_path: Path,
                                                               tmp_path: Path) -> None:
    target = tmp_path / "target.duckdb"
    with open_database(target) as database:  # an empty organisation to restore over
        empty = {t: database.scalar(f'SELECT count(*) FROM "{t}"')
                 for t in database.table_names()}
    with Database(large_path) as large:
        source = backup.take_backup(large, tmp_path / "src", "manual").path
    _killed_after([str(target), "restore", str(source), str(tmp_path / "b")], 1.0)
    with Database(target) as reopened:
        counts = {t: reopened.scalar(f'SELECT count(*) FROM "{t}"')
                  for t in reopened.table_names()}
    restored = counts["risks"] > 0
    for table in ("ai_systems", "risks", "kpi_measurements", "change_log"):
        assert (counts[table] > 0) == restored and (restored or counts[table] == empty[table])


def test_backup_while_a_reader_holds_a_transaction(demo_db: Database, tmp_path: Path) -> None:
    """A result left half-read keeps a transaction open, which refuses a checkpoint: the
    backup then copies the write-ahead log with the file and is still complete."""
    reader = demo_db.cursor()
    reader.execute("SELECT * FROM risks").fetchone()  # left open on purpose
    system = demo_db.query_rows("SELECT id, version FROM ai_systems ORDER BY id LIMIT 1")
    other = demo_db._con.cursor()
    other.execute("SELECT * FROM risks").fetchone()
    assert apply_changes(demo_db, "ai_systems", [RowChange(
        "update", {"purpose": "changed before the backup"}, row_id=system[0][0],
        expected_version=system[0][1])], ANA).ok
    made = backup.take_backup(demo_db, tmp_path, "manual")
    plain = tmp_path / "plain.duckdb"
    plain.write_bytes(gzip.decompress(made.path.read_bytes()))
    con = duckdb.connect(str(plain), read_only=True)
    assert con.execute("SELECT purpose FROM ai_systems WHERE id = ?", [system[0][0]]
                       ).fetchone()[0] == "changed before the backup"
    con.close()
    other.close()


def test_the_file_stays_locked_after_a_backup(demo_db: Database, tmp_path: Path) -> None:
    """DuckDB's lock is a POSIX lock, lost when the process closes any descriptor of the
    file: a backup must not open and close the file itself."""
    backup.take_backup(demo_db, tmp_path, "manual")
    probe = subprocess.run([sys.executable, "-c", "import duckdb, sys; "
                            "duckdb.connect(sys.argv[1], read_only=True)", str(demo_db.path)],
                           capture_output=True, text=True, timeout=60)
    assert probe.returncode != 0 and "lock" in probe.stderr.lower()
