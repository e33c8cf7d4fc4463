"""The command line: init, generate, export/import round trip, refusals with one line."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from aims_core.cli import main

ROOT = Path(__file__).resolve().parents[1]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "aims_core", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def read_export(directory: Path) -> dict[str, pd.DataFrame]:
    return {p.stem: pd.read_parquet(p) for p in sorted(directory.glob("*.parquet"))}


@pytest.mark.parametrize("command", ["init", "generate", "export", "import", "demo-seed",
                                     "snapshot", "import-kpis", "user", "serve"])
def test_every_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main([command, "--help"])
    assert caught.value.code == 0
    assert "usage:" in capsys.readouterr().out


def test_init_demo_has_the_catalogue_in_sql(tmp_path: Path) -> None:
    path = tmp_path / "x.duckdb"
    done = cli("init", "--demo", "--db", str(path))
    assert done.returncode == 0, done.stderr
    con = duckdb.connect(str(path), read_only=True)
    per_objective = con.execute(
        "SELECT objective_id, count(*) FROM controls GROUP BY ALL ORDER BY objective_id"
    ).fetchall()
    assert sum(n for _, n in per_objective) == 38 and len(per_objective) == 9
    assert con.execute("SELECT count(*) FROM clauses WHERE is_leaf").fetchone()[0] == 32
    assert con.execute("SELECT count(*) FROM ai_systems").fetchone()[0] == 12
    con.close()


def test_init_refuses_existing_file_without_force(tmp_path: Path) -> None:
    path = tmp_path / "x.duckdb"
    assert cli("init", "--empty", "--db", str(path)).returncode == 0
    again = cli("init", "--empty", "--db", str(path))
    assert again.returncode == 1
    assert again.stderr.strip().count("\n") == 0 and "--force" in again.stderr
    assert cli("init", "--empty", "--force", "--db", str(path)).returncode == 0


def test_export_import_export_is_identical(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    assert cli("init", "--demo", "--db", str(tmp_path / "a.duckdb")).returncode == 0
    assert cli("export", "--db", str(tmp_path / "a.duckdb"), "--out", str(first)).returncode == 0
    done = cli("import", "--db", str(tmp_path / "b.duckdb"), "--from", str(first))
    assert done.returncode == 0, done.stderr
    assert cli("export", "--db", str(tmp_path / "b.duckdb"), "--out", str(second)).returncode == 0
    a, b = read_export(first), read_export(second)
    assert a.keys() == b.keys() and len(a) >= 25
    imported = b["change_log"].iloc[-1]  # the import is recorded in the history it brought
    assert (imported["table_name"], imported["operation"], imported["changed_by"]) == \
        ("database", "import", "command line")
    b["change_log"] = b["change_log"].iloc[:-1]
    for table in a:
        pd.testing.assert_frame_equal(a[table], b[table], check_exact=True, obj=table)
    assert len(a["change_log"]) > 100


def _table_digest(path: Path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
    digest = {t: con.execute(f'SELECT count(*), hash(list(t ORDER BY ALL)) FROM "{t}" t')
              .fetchone() for t in tables}
    con.close()
    return digest


@pytest.mark.parametrize("damage", ["no_manifest", "missing_file", "changed_file",
                                    "bad_json", "missing_table", "not_a_dir"])
def test_bad_import_directory_is_refused_and_nothing_changes(tmp_path: Path, damage: str) -> None:
    source, target = tmp_path / "a.duckdb", tmp_path / "target.duckdb"
    export = tmp_path / "export"
    assert cli("init", "--demo", "--db", str(source)).returncode == 0
    assert cli("export", "--db", str(source), "--out", str(export)).returncode == 0
    assert cli("init", "--empty", "--db", str(target)).returncode == 0
    before = _table_digest(target)
    if damage == "no_manifest":
        (export / "manifest.json").unlink()
    elif damage == "missing_file":
        (export / "risks.parquet").unlink()
    elif damage == "changed_file":
        shutil.copy(export / "kpis.parquet", export / "risks.parquet")
    elif damage == "bad_json":
        (export / "manifest.json").write_text("{not json")
    elif damage == "missing_table":
        text = (export / "manifest.json").read_text().replace('"soa"', '"soa_old"')
        (export / "manifest.json").write_text(text)
    elif damage == "not_a_dir":
        export = tmp_path / "nowhere"
    done = cli("import", "--db", str(target), "--from", str(export))
    assert done.returncode == 1
    assert done.stderr.startswith("error: ") and done.stderr.strip().count("\n") == 0
    assert _table_digest(target) == before


def test_generate_at_scale(tmp_path: Path) -> None:
    path = tmp_path / "big.duckdb"
    done = cli("generate", "--db", str(path), "--systems", "60")
    assert done.returncode == 0, done.stderr
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("SELECT count(*) FROM ai_systems").fetchone()[0] == 60
    high_risk = con.execute("SELECT count(*) FROM ai_systems WHERE eu_ai_act_category = "
                            "'high_risk'").fetchone()[0]
    # 25 per system, 4 organisation-wide, one raised from each high-risk impact assessment
    assert con.execute("SELECT count(*) FROM risks").fetchone()[0] == 60 * 25 + 4 + high_risk
    # 250 daily points for each system beyond the twelve curated ones, plus their monthly KPIs
    assert con.execute("SELECT count(*) FROM kpi_measurements").fetchone()[0] == 48 * 250 + 184
    con.close()


def test_generate_rejects_bad_size(tmp_path: Path) -> None:
    done = cli("generate", "--db", str(tmp_path / "x.duckdb"), "--systems", "0")
    assert done.returncode == 1 and "--systems" in done.stderr


def test_snapshot_twice_a_day_keeps_one_value_per_kpi(tmp_path: Path) -> None:
    path = tmp_path / "a.duckdb"
    assert cli("init", "--demo", "--db", str(path)).returncode == 0
    runs = [cli("snapshot", "--db", str(path), "--date", "2026-11-20", "--as", "Sarah Klein")
            for _ in range(2)]
    assert [r.returncode for r in runs] == [0, 0], runs[0].stderr
    assert runs[0].stdout.startswith("Snapshot of 2026-11-20: 4 computed KPIs (4 added")
    assert runs[1].stdout.startswith("Snapshot of 2026-11-20: 4 computed KPIs (0 added, 0 "
                                     "replaced, 4 unchanged)")
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("SELECT count(*) FROM kpi_measurements WHERE measured_on = "
                       "'2026-11-20'").fetchone()[0] == 4
    assert con.execute("SELECT DISTINCT changed_by FROM change_log WHERE table_name = "
                       "'kpi_measurements' AND row_id IN (SELECT id FROM kpi_measurements "
                       "WHERE measured_on = '2026-11-20')").fetchall() == [("Sarah Klein",)]
    con.close()
    future = cli("snapshot", "--db", str(path), "--date", "2999-01-01", "--as", "Sarah Klein")
    assert future.returncode == 1 and "is in the future" in future.stderr


def test_snapshot_refuses_a_missing_file(tmp_path: Path) -> None:
    done = cli("snapshot", "--db", str(tmp_path / "typo.duckdb"))
    assert done.returncode == 1 and "does not exist" in done.stderr
    assert not (tmp_path / "typo.duckdb").exists()
