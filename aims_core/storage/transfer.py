"""Export every table to Parquet with a manifest, and import such a directory back.

An import is checked completely before anything is written (manifest, table set, file
checksums, columns, row counts) and then loaded in one transaction, so a malformed or
incomplete directory leaves the database exactly as it was.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from aims_core.storage.database import Database, DatabaseError, schema_version_of, utc_now

MANIFEST_NAME = "manifest.json"
FORMAT_NAME = "aims-dashboard-export"
FORMAT_VERSION = 1


class TransferError(DatabaseError):
    """An export or import that cannot go ahead; the message says why."""


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


def read_manifest(src: Path) -> dict[str, Any]:
    path = src / MANIFEST_NAME
    if not src.is_dir():
        raise TransferError(f"{src} is not a directory")
    if not path.is_file():
        raise TransferError(f"{src} has no {MANIFEST_NAME}: not an AIMS export directory")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise TransferError(f"{path} is not valid JSON ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise TransferError(f"{path} is not an AIMS Dashboard export manifest")
    if not isinstance(manifest.get("tables"), dict):
        raise TransferError(f"{path} lists no tables")
    return manifest


def verify_files(src: Path, manifest: dict[str, Any]) -> None:
    """Every file the manifest lists is present and matches its checksum."""
    for table, entry in sorted(manifest["tables"].items()):
        path = src / str(entry.get("file", ""))
        if not path.is_file():
            raise TransferError(f"the export is incomplete: {path.name} for {table} is missing")
        if _sha256(path) != entry.get("sha256"):
            raise TransferError(f"{path.name} does not match its checksum: the file was changed "
                                "or damaged after export")


def check_import_directory(db: Database, src_dir: str | Path) -> dict[str, Any]:
    """Everything that can be checked before writing; raises :class:`TransferError`."""
    src = Path(src_dir)
    manifest = read_manifest(src)
    cur = db.cursor()
    ours = schema_version_of(cur)
    if manifest.get("schema_version") != ours:
        raise TransferError(
            f"the export has schema version {manifest.get('schema_version')}, this database "
            f"has {ours}: import it with the program version that wrote it, or migrate first"
        )
    expected, listed = set(db.table_names()), set(manifest["tables"])
    if missing := sorted(expected - listed):
        raise TransferError(f"the export is incomplete: no data for {', '.join(missing)}")
    if unknown := sorted(listed - expected):
        raise TransferError(f"the export has tables this database does not: {', '.join(unknown)}")
    verify_files(src, manifest)
    for table, entry in sorted(manifest["tables"].items()):
        path = src / str(entry.get("file", ""))
        relation = f"read_parquet('{_sql_path(path)}')"
        try:
            columns = _columns(cur, f"SELECT * FROM {relation}")
            rows = cur.execute(f"SELECT count(*) FROM {relation}").fetchone()[0]
        except duckdb.Error as exc:
            raise TransferError(f"{path.name} cannot be read as Parquet: {exc}") from None
        table_columns = _columns(cur, f'"{table}"')
        if [c[0] for c in columns] != [c[0] for c in table_columns]:
            raise TransferError(f"{path.name} has columns {[c[0] for c in columns]}, "
                                f"expected {[c[0] for c in table_columns]}")
        if rows != entry.get("rows"):
            raise TransferError(f"{path.name} holds {rows} rows, the manifest says "
                                f"{entry.get('rows')}")
    return manifest


def import_database(db: Database, src_dir: str | Path) -> ImportSummary:
    """Replace every table with the export's content, all or nothing."""
    src = Path(src_dir)
    manifest = check_import_directory(db, src)
    total = 0
    try:
        with db.transaction() as cur:
            for table, entry in manifest["tables"].items():
                path = _sql_path(src / entry["file"])
                cur.execute(f'DELETE FROM "{table}"')
                cur.execute(f"INSERT INTO \"{table}\" SELECT * FROM read_parquet('{path}')")
                total += entry["rows"]
    except duckdb.Error as exc:
        raise TransferError(f"import failed and was rolled back: {exc}") from None
    return ImportSummary(tables=len(manifest["tables"]), rows=total)
