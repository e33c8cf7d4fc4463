"""Export every table to Parquet with a manifest, and import such a directory back.

An import is checked completely before it is kept: first the directory (manifest, table
set, file names inside the directory, checksums, columns and their types, row counts),
then, with the tables loaded inside one transaction, every value of every row against the
rules the pages apply (:mod:`aims_core.records.table_checks`: types, lists, ranges,
references, required fields, cross-field rules, unique keys, the risk method and other
settings, the schema's migrations). Anything wrong and the transaction is rolled back,
naming table, row and field, so a bad directory leaves the database exactly as it was. A
kept import is recorded in the change history it brought.

``import_database`` loads into an open database (a new file, in practice); replacing the
file a person uses goes through :func:`import_into_file`, which takes the file's lock
first, builds the new file beside it and keeps a copy of the old one
(:mod:`aims_core.storage.file_swap`).
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

from aims_core.auth.actor import Actor
from aims_core.catalogue import catalogue_hash, load_into
from aims_core.records.table_checks import database_problems
from aims_core.records.writes import ChangeLog, RowProblem
from aims_core.storage.database import Database, DatabaseError, schema_version_of, utc_now
from aims_core.storage.file_swap import replace_database
from aims_core.storage.schema import MIGRATIONS

MANIFEST_NAME = "manifest.json"
FORMAT_NAME = "aims-dashboard-export"
FORMAT_VERSION = 1
SHOWN_PROBLEMS = 20  # a refused import lists this many problems, then how many more


class TransferError(DatabaseError):
    """An export or import that cannot go ahead; the message says why (one line) and
    ``problems`` lists each table, row and field that stopped it."""

    def __init__(self, message: str, problems: list[RowProblem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _columns(cur: duckdb.DuckDBPyConnection, relation: str) -> list[list[str]]:
    return [[r[0], r[1]] for r in cur.execute(f"DESCRIBE {relation}").fetchall()]


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def export_database(db: Database, out_dir: str | Path) -> dict[str, Any]:
    """Write ``<table>.parquet`` for every table plus ``manifest.json``; returns the manifest."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    cur = db.cursor()
    tables: dict[str, Any] = {}
    for table in db.table_names():
        target = out / f"{table}.parquet"
        tmp = out / f".{table}.parquet.tmp"
        # ORDER BY ALL makes the files byte-stable for identical content.
        cur.execute(
            f"COPY (SELECT * FROM \"{table}\" ORDER BY ALL) TO '{_sql_path(tmp)}' "
            "(FORMAT parquet, COMPRESSION zstd)"
        )
        tmp.replace(target)
        tables[table] = {
            "file": target.name,
            "rows": cur.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0],
            "columns": _columns(cur, f'"{table}"'),
            "sha256": _sha256(target),
        }
    manifest = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "schema_version": schema_version_of(cur),
        "exported_at": utc_now().isoformat(),
        "tables": tables,
    }
    _write_atomically(out / MANIFEST_NAME, json.dumps(manifest, indent=2))
    return manifest


def export_archive(db: Database, target: Path) -> dict[str, Any]:
    """The export as one ZIP file (Parquet files and manifest) at ``target``."""
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        manifest = export_database(db, Path(tmp))
        with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as packed:  # Parquet is packed
            for path in sorted(Path(tmp).iterdir()):
                packed.write(path, path.name)
    return manifest


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


@dataclass(frozen=True)
class ImportSummary:
    tables: int
    rows: int
    backup: Path | None = None  # the copy of the replaced file (import_into_file)


def read_manifest(src: Path) -> dict[str, Any]:
    path = src / MANIFEST_NAME
    if not src.is_dir():
        raise TransferError(f"{src} is not a directory")
    if not path.is_file():
        raise TransferError(f"{src} has no {MANIFEST_NAME}: not an AIMS export directory")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise TransferError(f"{path} is not valid JSON ({' '.join(str(exc).split())})") \
            from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise TransferError(f"{path} is not an AIMS Dashboard export manifest")
    tables = manifest.get("tables")
    if not isinstance(tables, dict) or not all(isinstance(entry, dict)
                                               for entry in tables.values()):
        raise TransferError(f"{path} lists no tables (expected an object with one entry per "
                            "table)")
    return manifest


def _file_of(src: Path, table: str, entry: dict[str, Any]) -> Path:
    """The entry's Parquet file, which must be a plain file name inside the directory."""
    name = entry.get("file")
    if not isinstance(name, str) or not name.endswith(".parquet") or name != Path(name).name \
            or name.startswith(".") or "\\" in name or "\x00" in name:
        raise TransferError(f"the manifest entry of {table} names {name!r}: expected a "
                            ".parquet file inside the export directory")
    path = src / name
    if path.resolve().parent != src.resolve():
        raise TransferError(f"the manifest entry of {table} points outside the export "
                            "directory")
    return path


def verify_files(src: Path, manifest: dict[str, Any]) -> None:
    """Every file the manifest lists is a plain file of the directory, present and matching
    its checksum."""
    for table, entry in sorted(manifest["tables"].items()):
        path = _file_of(src, table, entry)
        if not path.is_file():
            raise TransferError(f"the export is incomplete: {path.name} for {table} is missing")
        if _sha256(path) != entry.get("sha256"):
            raise TransferError(f"{path.name} does not match its checksum: the file was changed "
                                "or damaged after export")


def check_import_directory(db: Database, src_dir: str | Path) -> dict[str, Any]:
    """Everything that can be checked before loading; raises :class:`TransferError`."""
    src = Path(src_dir)
    manifest = read_manifest(src)
    cur = db.cursor()
    ours = schema_version_of(cur)
    if manifest.get("schema_version") != ours:
        raise TransferError(
            f"the export has schema version {manifest.get('schema_version')!r}, this "
            f"database has {ours}: import it with the program version that wrote it, or "
            "migrate first")
    expected, listed = set(db.table_names()), set(manifest["tables"])
    if missing := sorted(expected - listed):
        raise TransferError(f"the export is incomplete: no data for {', '.join(missing)}")
    if unknown := sorted(listed - expected):
        raise TransferError(f"the export has tables this database does not: {', '.join(unknown)}")
    verify_files(src, manifest)
    for table, entry in sorted(manifest["tables"].items()):
        path = _file_of(src, table, entry)
        relation = f"read_parquet('{_sql_path(path)}')"
        try:
            columns = _columns(cur, f"SELECT * FROM {relation}")
            rows = cur.execute(f"SELECT count(*) FROM {relation}").fetchall()[0][0]
        except duckdb.Error as exc:
            raise TransferError(f"{path.name} cannot be read as Parquet: "
                                f"{' '.join(str(exc).split())}") from None
        table_columns = _columns(cur, f'"{table}"')
        if [c[0] for c in columns] != [c[0] for c in table_columns]:
            raise TransferError(f"{path.name} has columns {[c[0] for c in columns]}, "
                                f"expected {[c[0] for c in table_columns]}")
        for (name, found), (_, wanted) in zip(columns, table_columns, strict=True):
            if found != wanted:
                raise TransferError(f"{path.name}: column {name} holds {found}, expected "
                                    f"{wanted}")
        if rows != entry.get("rows"):
            raise TransferError(f"{path.name} holds {rows} rows, the manifest says "
                                f"{entry.get('rows')!r}")
    return manifest


def _schema_problems(cur: duckdb.DuckDBPyConnection) -> list[RowProblem]:
    found = {r[0] for r in cur.execute("SELECT version FROM schema_migrations").fetchall()}
    known = {m.version for m in MIGRATIONS}
    if found == known:
        return []
    return [RowProblem("schema_migrations", "version", f"lists migrations {sorted(found)}, "
                       f"this program's schema is {sorted(known)}")]


def _exported_on(manifest: dict[str, Any]) -> date:
    try:
        return datetime.fromisoformat(str(manifest.get("exported_at"))).date()
    except ValueError:
        return date.today()


def _row_counts(cur: duckdb.DuckDBPyConnection, tables: list[str]) -> dict[str, int]:
    return {t: cur.execute(f'SELECT count(*) FROM "{t}"').fetchall()[0][0] for t in tables}


def refused(problems: list[RowProblem]) -> TransferError:
    more = f" (the first {SHOWN_PROBLEMS} are listed)" if len(problems) > SHOWN_PROBLEMS else ""
    return TransferError(f"the export holds {len(problems)} value(s) the app would refuse"
                         f"{more}; nothing was imported", problems[:SHOWN_PROBLEMS])


def import_database(db: Database, src_dir: str | Path, actor: Actor | None = None, *,
                    replaced: dict[str, Any] | None = None) -> ImportSummary:
    """Replace every table with the export's content, all or nothing, after checking every
    value. With ``actor`` the import is recorded in the (imported) change history, with
    ``replaced`` (default: this database's row counts) describing what it replaced."""
    src = Path(src_dir)
    manifest = check_import_directory(db, src)
    tables = list(manifest["tables"])
    today = max(date.today(), _exported_on(manifest))
    try:
        with db.transaction() as cur:
            before = replaced or {"rows": _row_counts(cur, tables)}
            for table in tables:
                path = _sql_path(_file_of(src, table, manifest["tables"][table]))
                cur.execute(f'DELETE FROM "{table}"')
                cur.execute(f"INSERT INTO \"{table}\" SELECT * FROM read_parquet('{path}')")
            stored = cur.execute("SELECT value FROM aims_meta WHERE key = 'catalogue_hash'"
                                 ).fetchall()
            if stored != [(catalogue_hash(),)]:
                load_into(cur)  # the references are checked against this program's catalogue
            problems = _schema_problems(cur) + database_problems(db, cur, today)
            if problems:
                raise refused(problems)
            if actor is not None:
                log = ChangeLog(cur, actor.name, utc_now())
                log.append("database", 0, "import", before, {
                    "source": src.name, "exported_at": manifest.get("exported_at"),
                    "schema_version": manifest.get("schema_version"),
                    "rows": _row_counts(cur, tables)})
    except duckdb.Error as exc:
        raise TransferError("import failed and was rolled back: "
                            f"{' '.join(str(exc).split())}") from None
    return ImportSummary(tables=len(tables), rows=sum(manifest["tables"][t].get("rows", 0)
                                                      for t in tables))


def import_into_file(path: Path, src_dir: str | Path, actor: Actor) -> ImportSummary:
    """Import an export directory as the database at ``path``: refused while another
    program holds the file; built beside it, the old file copied aside
    (``<file>.pre-import-<stamp>.bak``), then swapped in (see
    :func:`aims_core.storage.file_swap.replace_database`)."""
    def build(fresh: Path, old: duckdb.DuckDBPyConnection | None) -> ImportSummary:
        replaced = {"file": path.name}
        if old is not None:
            tables = [r[0] for r in old.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
                "AND table_type = 'BASE TABLE' ORDER BY 1").fetchall()]
            replaced["rows"] = _row_counts(old, tables)
        with Database(fresh) as new:
            return import_database(new, src_dir, actor, replaced=replaced)

    summary, backup = replace_database(path, build, backup="pre-import")
    return ImportSummary(summary.tables, summary.rows, backup)
