"""First start and the app's About (issue 18): `make run` builds the database before the
server starts; the About names the version, the file, its schema and the data folder."""

from __future__ import annotations

from pathlib import Path

from aims_core import about, cli
from aims_core.bootstrap import open_database
from aims_core.storage.schema import MIGRATIONS


def test_serve_builds_the_demo_database_first_then_only_opens_it(tmp_path: Path) -> None:
    path = tmp_path / "first" / "aims.duckdb"
    assert cli._ready_database(path) == f"created {path} with the demo organisation"
    with open_database(path) as db:
        systems = db.scalar("SELECT count(*) FROM ai_systems")
    assert systems > 0
    assert cli._ready_database(path) == f"database: {path}"  # kept, not rebuilt
    with open_database(path) as db:
        assert db.scalar("SELECT count(*) FROM ai_systems") == systems


def test_about_names_version_file_schema_and_folder(tmp_path: Path) -> None:
    with open_database(tmp_path / "aims.duckdb") as db:
        info = about.about(db)
    assert info.version == "0.1.0"  # pyproject.toml
    assert info.database == (tmp_path / "aims.duckdb").resolve()
    assert info.data_folder == tmp_path.resolve()
    assert info.schema_version == max(m.version for m in MIGRATIONS)
    assert info.migrations == len(MIGRATIONS)
    assert [label for label, _ in about.lines(info)] == [
        "Version", "Database file", "Schema version", "Data folder", "Demo seed"]
