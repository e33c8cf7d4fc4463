"""The command line while the app runs: snapshot, import-kpis, export and backup go through
the app's API (URL and token from options or environment); without them the one-line
message says how. With the app stopped: backup, restore and tokens on the file."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from aims_core.api.tokens import create_token
from aims_core.bootstrap import init_database
from aims_core.storage import backup
from tests.browser_kit import Server, start_server
from tests.conftest import DEMO_ADMIN

ROOT = Path(__file__).resolve().parents[1]


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AIMS_API")}
    return subprocess.run([sys.executable, "-m", "aims_core", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300,
                          env={**clean, **(env or {})})


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("cli_api")
    db_path = tmp / "aims.duckdb"
    settings = tmp / "settings.toml"
    settings.write_text("[jobs]\nenabled = false\n")
    with init_database(db_path, "demo") as db:
        token, _ = create_token(db, DEMO_ADMIN, "command line", ["snapshot", "kpi:write",
                                                          "backup:read"])
        kpi = db.scalar("SELECT name FROM kpis WHERE kind = 'measured' ORDER BY id LIMIT 1")
    server = start_server(db_path, tmp / "server.log", secrets=settings)
    yield {"server": server, "token": token, "db": str(db_path), "kpi": kpi, "tmp": tmp}
    server.stop()


def test_without_a_token_the_message_says_how(running: dict[str, Any]) -> None:
    done = cli("snapshot", "--db", running["db"])
    assert done.returncode == 1
    message = done.stderr.strip()
    assert message.count("\n") == 0 and "in use by another program" in message
    assert "AIMS_API_TOKEN" in message and "scope snapshot" in message
    assert "Jobs & API page" in message


def test_snapshot_import_and_export_through_the_app(running: dict[str, Any],
                                                    tmp_path: Path) -> None:
    server: Server = running["server"]
    options = ["--db", running["db"], "--api-url", server.url, "--api-token", running["token"]]
    done = cli("snapshot", *options)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Snapshot of ") and "computed KPIs" in done.stdout

    values = tmp_path / "drift.csv"
    values.write_text(f'kpi,measured_on,value\n"{running["kpi"]}",2026-05-01,0.12\n'
                      f'"{running["kpi"]}",2026-05-02,0.14\n')
    # the environment works as well as the options
    env = {"AIMS_API_URL": server.url, "AIMS_API_TOKEN": running["token"]}
    done = cli("import-kpis", "--db", running["db"], "--file", str(values), env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Imported 2 values from drift.csv: 2 added")

    bad = tmp_path / "bad.csv"
    bad.write_text(f'kpi,measured_on,value\n"{running["kpi"]}",2026-05-03,lots\n')
    done = cli("import-kpis", "--db", running["db"], "--file", str(bad), env=env)
    assert done.returncode == 1
    assert "HTTP 422" in done.stderr and "line 2, field 'value'" in done.stderr

    out = tmp_path / "export"
    done = cli("export", *options, "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "through the app" in done.stdout and (out / "manifest.json").exists()
    measured = pd.read_parquet(out / "kpi_measurements.parquet")
    assert len(measured[measured["measured_on"].astype(str).isin(["2026-05-01",
                                                                   "2026-05-02"])]) == 2
    # the export imports into a fresh file like a local one
    done = cli("import", "--db", str(tmp_path / "copy.duckdb"), "--from", str(out))
    assert done.returncode == 0, done.stderr


def test_backup_through_the_app_and_a_wrong_token(running: dict[str, Any],
                                                  tmp_path: Path) -> None:
    server: Server = running["server"]
    done = cli("backup", "--db", running["db"], "--dir", str(tmp_path), "--api-url",
               server.url, "--api-token", running["token"])
    assert done.returncode == 0, done.stderr
    [made] = backup.list_backups(tmp_path)
    plain = tmp_path / "plain.duckdb"
    plain.write_bytes(gzip.decompress(made.path.read_bytes()))
    assert backup.inspect_file(plain).rows["ai_systems"] == 12
    done = cli("snapshot", "--db", running["db"], "--api-url", server.url, "--api-token",
               "aims_wrong")
    assert done.returncode == 1 and "HTTP 401" in done.stderr
    done = cli("snapshot", "--db", running["db"], "--api-url", "http://127.0.0.1:9",
               "--api-token", running["token"])
    assert done.returncode == 1 and "cannot reach the app" in done.stderr
    done = cli("restore", "--db", running["db"], "--as", "Sarah Klein", "--from",
               str(made.path), "--yes")
    assert done.returncode == 1 and "Backups page" in done.stderr
    done = cli("token", "list", "--db", running["db"])
    assert done.returncode == 1 and "Jobs & API" in done.stderr


def test_offline_backup_restore_and_tokens(tmp_path: Path) -> None:
    db = str(tmp_path / "aims.duckdb")
    assert cli("init", "--demo", "--db", db).returncode == 0
    admin = ("--as", "Sarah Klein")  # the demo's Admin
    refused = cli("token", "create", "--db", db, "--name", "drift job", "--scope", "read")
    assert refused.returncode == 1 and "--as" in refused.stderr
    done = cli("token", "create", "--db", db, *admin, "--name", "drift job", "--scope",
               "kpi:write")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1].startswith("aims_")
    assert "drift job" in cli("token", "list", "--db", db).stdout
    again = cli("token", "create", "--db", db, *admin, "--name", "drift job", "--scope", "read")
    assert again.returncode == 1 and "already exists" in again.stderr
    assert cli("token", "revoke", "--db", db, *admin, "--name", "drift job").returncode == 0
    assert "REVOKED" in cli("token", "list", "--db", db).stdout

    done = cli("backup", "--db", db)
    assert done.returncode == 0, done.stderr
    [made] = backup.list_backups(tmp_path / "backups")
    assert made.name in cli("backup", "--list", "--db", db).stdout
    refused = cli("restore", "--db", db, *admin, "--from", made.name)
    assert refused.returncode == 1 and "--yes" in refused.stderr
    refused = cli("restore", "--db", db, "--as", "Priya Shah", "--from", made.name, "--yes")
    assert refused.returncode == 1 and "not an active Admin" in refused.stderr
    done = cli("restore", "--db", db, *admin, "--from", made.name, "--yes")
    assert done.returncode == 0, done.stderr
    assert "the previous state is in" in done.stdout

    Path(db).write_bytes(os.urandom(20_000))  # the database file is damaged
    done = cli("restore", "--db", db, *admin, "--from", made.name, "--yes")
    assert done.returncode == 0, done.stderr
    assert "kept as aims.duckdb.damaged-" in done.stdout
    assert cli("export", "--db", db, "--out", str(tmp_path / "x")).returncode == 0
