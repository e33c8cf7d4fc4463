"""Imports validate values like the pages do, are recorded, keep a backup, never follow a
path outside their directory; destructive commands refuse a file another program holds."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from aims_core.auth.actor import Actor
from aims_core.bootstrap import init_database
from aims_core.storage.database import Database, DatabaseLockedError
from aims_core.storage.transfer import TransferError, export_database, import_into_file
from tests.conftest import TODAY
from tests.test_cli import cli

CLI = Actor("command line", channel="cli")


@pytest.fixture(scope="module")
def export_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo exported once; each test tampers with its own copy."""
    base = tmp_path_factory.mktemp("export")
    with init_database(base / "demo.duckdb", "demo", today=TODAY) as db:
        export_database(db, base / "export")
    return base / "export"


@pytest.fixture
def export(export_dir: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "export"
    copy.mkdir()
    for item in export_dir.iterdir():
        (copy / item.name).write_bytes(item.read_bytes())
    return copy


def _manifest(export: Path) -> dict:
    return json.loads((export / "manifest.json").read_text())


def _write_manifest(export: Path, manifest: dict) -> None:
    (export / "manifest.json").write_text(json.dumps(manifest))


def tamper(export: Path, table: str, select: str) -> None:
    """Rewrite ``table``'s file as ``select`` over its rows (``t``), and fix the manifest so
    that only the values are wrong."""
    path = export / f"{table}.parquet"
    con = duckdb.connect()
    con.execute(f"CREATE TABLE t AS SELECT * FROM read_parquet('{path}')")
    con.execute(f"COPY ({select}) TO '{path}' (FORMAT parquet)")
    rows = con.execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()[0]
    con.close()
    manifest = _manifest(export)
    manifest["tables"][table].update(rows=rows,
                                     sha256=hashlib.sha256(path.read_bytes()).hexdigest())
    _write_manifest(export, manifest)


def _target(tmp_path: Path) -> tuple[Path, dict]:
    path = tmp_path / "target.duckdb"
    init_database(path, "empty").close()
    return path, _digest(path)


def _digest(path: Path) -> dict:
    con = duckdb.connect(str(path), read_only=True)
    tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
    digest = {t: con.execute(f'SELECT count(*), hash(list(t ORDER BY ALL)) FROM "{t}" t')
              .fetchone() for t in tables}
    con.close()
    return digest


def _refused(tmp_path: Path, export: Path) -> list[str]:
    path, before = _target(tmp_path)
    with pytest.raises(TransferError) as caught:
        import_into_file(path, export, CLI)
    assert "\n" not in str(caught.value)
    assert _digest(path) == before, "a refused import changed the database"
    assert not list(tmp_path.glob(".target.duckdb.new-*")), "the half-built file was left"
    return [str(caught.value), *(str(p) for p in caught.value.problems)]


# Each damage: (table, SELECT over its rows t, the table, row and field the refusal names).
VALUE_DAMAGE = {
    "code not in its list": ("ai_systems", "SELECT * REPLACE (CASE WHEN id = 3 THEN 'stolen' "
                             "ELSE sourcing END AS sourcing) FROM t",
                             "ai_systems row 3", "Sourcing", "is not one of"),
    "number out of range": ("risks", "SELECT * REPLACE (CASE WHEN id = 5 THEN 9 ELSE "
                            "inherent_impact END AS inherent_impact) FROM t",
                            "risks row 5", "Inherent impact", "at most 7"),
    "rating beyond the matrix": ("risks", "SELECT * REPLACE (CASE WHEN id = 5 THEN 6 ELSE "
                                 "inherent_impact END AS inherent_impact) FROM t",
                                 "risks row 5", "Inherent impact", "current risk matrix"),
    "reference to a missing row": ("risks", "SELECT * REPLACE (CASE WHEN id = 2 THEN 999 ELSE "
                                   "ai_system_id END AS ai_system_id) FROM t",
                                   "risks row 2", "AI system", "does not exist"),
    "NULL in a required field": ("ai_systems", "SELECT * REPLACE (CASE WHEN id = 1 THEN NULL "
                                 "ELSE owner END AS owner) FROM t", "ai_systems row 1",
                                 "Owner", "is required"),
    "10 MB string": ("suppliers", "SELECT * REPLACE (CASE WHEN id = 1 THEN repeat('x', "
                     "10000000) ELSE contract_notes END AS contract_notes) FROM t",
                     "suppliers row 1", "Contract notes", "the limit is 2,000"),
    "zero-width name": ("ai_systems", "SELECT * REPLACE (CASE WHEN id = 4 THEN "
                        "name || chr(8203) ELSE name END AS name) FROM t", "ai_systems row 4",
                        "Name", "invisible character U+200B"),
    "NUL byte": ("risks", "SELECT * REPLACE (CASE WHEN id = 7 THEN 'a' || chr(0) || 'b' ELSE "
                 "description END AS description) FROM t", "risks row 7", "Description",
                 "control character U+0000"),
    "date the pages cannot show": ("validations", "SELECT * REPLACE (CASE WHEN id = 1 THEN "
                                   "DATE '0001-01-01' ELSE validated_on END AS validated_on) "
                                   "FROM t", "validations row 1", "Validated on",
                                   "between 1900-01-01 and 2200-12-31"),
    "retired before created": ("ai_systems", "SELECT * REPLACE (CASE WHEN id = 2 THEN "
                               "created_on - 1 ELSE retired_on END AS retired_on) FROM t",
                               "ai_systems row 2", "Retired on", "cannot be before"),
    "cross-field rule": ("ai_systems", "SELECT * REPLACE (CASE WHEN id = 2 THEN 'retired' "
                         "ELSE lifecycle_stage END AS lifecycle_stage, CASE WHEN id = 2 THEN "
                         "NULL ELSE retired_on END AS retired_on) FROM t", "ai_systems row 2",
                         "Retired on", "required when the life-cycle stage is Retired"),
    "two links of one pair": ("risk_controls", "SELECT * FROM t UNION ALL SELECT * REPLACE "
                              "(id + 100000 AS id) FROM t WHERE id = 1", "", "",
                              "import failed and was rolled back"),
    "version 0": ("kpis", "SELECT * REPLACE (CASE WHEN id = 1 THEN 0 ELSE version END AS "
                  "version) FROM t", "kpis row 1", "", "no valid version"),
}


@pytest.mark.parametrize("damage", list(VALUE_DAMAGE))
def test_bad_values_are_refused_naming_table_row_and_field(tmp_path: Path, export: Path,
                                                           damage: str) -> None:
    table, select, row, field, fragment = VALUE_DAMAGE[damage]
    tamper(export, table, select)
    lines = _refused(tmp_path, export)
    assert any(line.startswith(row) and f"field '{field}'" in line and fragment in line
               if field else row in line and fragment in line for line in lines), lines


SETTINGS_DAMAGE = {
    "tolerance Apocalyptic": ("aims_meta", "SELECT key, CASE WHEN key = 'risk_tolerance' THEN "
                              "'Apocalyptic' ELSE value END AS value FROM t", "risk_tolerance"),
    "grid band Bogus": ("risk_level_grid", "SELECT likelihood, impact, CASE WHEN likelihood = "
                        "2 AND impact = 2 THEN 'Bogus' ELSE level_band END AS level_band FROM t",
                        "L2 × I2"),
    "missing grid cell": ("risk_level_grid", "SELECT * FROM t WHERE NOT (likelihood = 5 AND "
                          "impact = 5)", "L5 × I5"),
    "method version abc": ("aims_meta", "SELECT key, CASE WHEN key = 'risk_method_version' "
                           "THEN 'abc' ELSE value END AS value FROM t", "risk_method_version"),
    "5 × 2 matrix": ("risk_scale", "SELECT * FROM t WHERE axis = 'likelihood' OR level <= 2",
                     "must be square"),
    "falling band": ("risk_level_grid", "SELECT likelihood, impact, CASE WHEN likelihood = 1 "
                     "AND impact = 1 THEN 'Critical' ELSE level_band END AS level_band FROM t",
                     "bands must not fall"),
    "unknown re-validation tier": ("revalidation_intervals", "SELECT * REPLACE (CASE WHEN "
                                   "risk_tier = 'low' THEN 'lowish' ELSE risk_tier END AS "
                                   "risk_tier) FROM t", "'lowish' is not a risk tier"),
    "migration missing": ("schema_migrations", "SELECT * FROM t WHERE version <> 5",
                          "schema_migrations"),
}


@pytest.mark.parametrize("damage", list(SETTINGS_DAMAGE))
def test_settings_the_pages_never_allow_are_refused(tmp_path: Path, export: Path,
                                                    damage: str) -> None:
    table, select, fragment = SETTINGS_DAMAGE[damage]
    tamper(export, table, select)
    lines = _refused(tmp_path, export)
    assert any(fragment in line for line in lines[1:]), lines


@pytest.mark.parametrize(("change", "fragment"), [
    (lambda m: m.update(tables="risks"), "lists no tables"),
    (lambda m: m["tables"].update(risks="risks.parquet"), "lists no tables"),
    (lambda m: m["tables"]["risks"].update(file="../risks.parquet"), "inside the export"),
    (lambda m: m["tables"]["risks"].update(file="/etc/passwd"), "inside the export"),
    (lambda m: m["tables"]["risks"].update(file=["risks.parquet"]), "inside the export"),
    (lambda m: m["tables"]["risks"].update(rows="many"), "the manifest says 'many'"),
    (lambda m: m.update(schema_version=None), "schema version None"),
])
def test_malformed_manifests_are_refused_in_one_line(tmp_path: Path, export: Path,
                                                     change: Callable[[dict], None],
                                                     fragment: str) -> None:
    manifest = _manifest(export)
    change(manifest)
    _write_manifest(export, manifest)
    assert fragment in _refused(tmp_path, export)[0]


def test_a_symlink_out_of_the_directory_is_not_followed(tmp_path: Path, export: Path) -> None:
    outside = tmp_path / "elsewhere.parquet"
    (export / "risks.parquet").rename(outside)
    (export / "risks.parquet").symlink_to(outside)
    assert "points outside the export directory" in _refused(tmp_path, export)[0]


def test_an_import_is_recorded_and_keeps_a_backup(tmp_path: Path, export: Path) -> None:
    path, _ = _target(tmp_path)
    summary = import_into_file(path, export, CLI)
    assert summary.backup is not None and summary.backup.name.startswith(
        "target.duckdb.pre-import-")
    with Database(summary.backup) as kept:
        assert kept.scalar("SELECT count(*) FROM ai_systems") == 0  # the replaced file
    with Database(path) as db:
        assert db.scalar("SELECT count(*) FROM ai_systems") == 12
        table, operation, who, before, after = db.query_rows(
            "SELECT table_name, operation, changed_by, before_json, after_json FROM change_log "
            "ORDER BY id DESC LIMIT 1")[0]
    assert (table, operation, who) == ("database", "import", "command line")
    assert json.loads(before)["rows"]["ai_systems"] == 0
    assert json.loads(after)["rows"]["ai_systems"] == 12


def _holder(path: Path) -> subprocess.Popen:
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(path)!r}); "
         "print('ready', flush=True); time.sleep(120)"], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "ready"
    return holder


@pytest.mark.parametrize("command", ["init", "import"])
def test_destructive_commands_refuse_a_file_another_program_holds(tmp_path: Path,
                                                                  export: Path,
                                                                  command: str) -> None:
    path = tmp_path / "held.duckdb"
    init_database(path, "empty").close()
    holder = _holder(path)
    try:
        args = ["init", "--demo", "--force"] if command == "init" else \
            ["import", "--from", str(export)]
        done = cli(*args, "--db", str(path))
        assert done.returncode == 1
        assert done.stderr.strip().count("\n") == 0
        assert "in use by another program" in done.stderr and str(holder.pid) in done.stderr
        with pytest.raises(DatabaseLockedError):
            import_into_file(path, export, CLI)
    finally:
        holder.kill()
        holder.wait()
    assert path.exists() and not list(tmp_path.glob("*.bak"))
    with Database(path) as db:
        assert db.scalar("SELECT count(*) FROM ai_systems") == 0  # untouched


def test_cli_lists_each_refused_value_after_one_line(tmp_path: Path, export: Path) -> None:
    tamper(export, *VALUE_DAMAGE["NULL in a required field"][:2])
    path, before = _target(tmp_path)
    done = cli("import", "--db", str(path), "--from", str(export))
    assert done.returncode == 1
    first, *rest = done.stderr.strip().splitlines()
    assert first.startswith("error: the export holds 1 value(s) the app would refuse")
    assert rest == ["ai_systems row 1 ('CreditLens credit scoring'), field 'Owner': is required"]
    assert _digest(path) == before
