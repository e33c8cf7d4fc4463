"""``python -m aims_core``: create, fill, export and import AIMS databases.

Every failure ends with a non-zero exit code and one line saying why (a KPI import refused
for bad rows then lists each bad row and field).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

from aims_core import bootstrap
from aims_core.auth.actor import Actor
from aims_core.config import DEMO_SEED_DIR, database_path
from aims_core.performance.kpi_import import ImportFileError, describe, import_measurements
from aims_core.performance.kpis import take_snapshot
from aims_core.storage.database import Database, DatabaseError
from aims_core.storage.transfer import TransferError, export_database, import_into_file

CLI_ACTOR = Actor("command line", channel="cli")  # the author of CLI writes


class CommandError(RuntimeError):
    """A command that could not do its job; the message says why."""


def _db_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, default=None,
                        help="database file (default: $AIMS_DB or data/aims.duckdb)")


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m aims_core",
                                     description="AIMS Dashboard data tools.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    init = sub.add_parser("init", help="create a database with the demo organisation or empty",
                          description="Create a new database file.")
    _db_argument(init)
    mode = init.add_mutually_exclusive_group()
    mode.add_argument("--demo", dest="mode", action="store_const", const="demo",
                      help="fill it with the demo organisation (default)")
    mode.add_argument("--empty", dest="mode", action="store_const", const="empty",
                      help="only the catalogue, no registers")
    init.add_argument("--force", action="store_true",
                      help="replace an existing file (refused while another program holds "
                      "it; the old file is copied aside first)")
    init.set_defaults(mode="demo")

    gen = sub.add_parser("generate", help="fill a database with a synthetic organisation",
                         description="Replace the registers with synthetic data at scale "
                         "(25 risks and 250 daily KPI points per AI system).")
    _db_argument(gen)
    gen.add_argument("--systems", type=int, required=True, help="number of AI systems")
    gen.add_argument("--seed", type=int, default=42, help="random seed (default 42)")

    exp = sub.add_parser("export", help="write every table to DIR/<table>.parquet + manifest",
                         description="Export every table to Parquet with a manifest.")
    _db_argument(exp)
    exp.add_argument("--out", type=Path, required=True, help="output directory")

    imp = sub.add_parser("import", help="replace every table from an export directory",
                         description="Import an export directory: every value is checked as "
                         "the pages check it, the current file is copied aside first and "
                         "replaced only when the import is complete; nothing changes on "
                         "error, and a file another program holds is refused.")
    _db_argument(imp)
    imp.add_argument("--from", dest="source", type=Path, required=True,
                     help="directory written by export")

    snap = sub.add_parser("snapshot", help="record today's register figures for computed KPIs",
                          description="Record the register figures of every computed KPI for "
                          "one day (run daily from a scheduler). Running it again on the same "
                          "day replaces that day's values; it never adds a second one.")
    _db_argument(snap)
    snap.add_argument("--date", type=_iso_date, default=None,
                      help="the day to record, YYYY-MM-DD (default today; not in the future)")

    kpi_import = sub.add_parser("import-kpis", help="import measured KPI values from CSV/Parquet",
                                description="Import measured KPI values. Columns: kpi (id or "
                                "name), measured_on (YYYY-MM-DD), value, note (optional). A "
                                "file with a bad row is refused whole unless --skip-bad-rows.")
    _db_argument(kpi_import)
    kpi_import.add_argument("--file", type=Path, required=True, help=".csv or .parquet file")
    kpi_import.add_argument("--skip-bad-rows", action="store_true",
                            help="import the good rows and list the bad ones")

    seed = sub.add_parser("demo-seed", help="regenerate the committed demo seed files",
                          description="Rewrite data/demo/*.parquet from the generator.")
    seed.add_argument("--out", type=Path, default=DEMO_SEED_DIR)
    return parser


def _run(args: argparse.Namespace) -> str:
    db_path = args.db if getattr(args, "db", None) else database_path()
    if args.command == "init":
        bootstrap.init_database(db_path, args.mode, force=args.force).close()
        return f"created {db_path} ({args.mode})"
    if args.command == "demo-seed":
        counts = bootstrap.write_demo_seed(args.out)
        return f"wrote demo seed to {args.out}: " + ", ".join(f"{t} {n}" for t, n in
                                                              counts.items())
    if args.command == "generate":
        if args.systems < 1:
            raise DatabaseError("--systems must be at least 1")
        started = time.perf_counter()
        with bootstrap.open_database(db_path) as db:
            counts = bootstrap.generate_into(db, args.systems, seed=args.seed)
        took = time.perf_counter() - started
        return (f"generated into {db_path} in {took:.1f} s: "
                + ", ".join(f"{t} {n}" for t, n in counts.items()))
    if args.command == "export":
        if not db_path.exists():
            raise DatabaseError(f"{db_path} does not exist")
        with Database(db_path) as db:
            manifest = export_database(db, args.out)
        return f"exported {len(manifest['tables'])} tables to {args.out}"
    if args.command == "import":
        try:
            summary = import_into_file(db_path, args.source, CLI_ACTOR)
        except TransferError as exc:
            raise CommandError("\n".join([str(exc), *(str(p) for p in exc.problems)])) \
                from None
        kept = f"; the replaced file is kept as {summary.backup.name}" if summary.backup else ""
        return f"imported {summary.tables} tables ({summary.rows} rows) into {db_path}{kept}"
    if args.command in ("snapshot", "import-kpis") and not db_path.exists():
        raise DatabaseError(f"{db_path} does not exist")
    if args.command == "snapshot":
        with bootstrap.open_database(db_path) as db:
            return _snapshot(db, args.date or date.today())
    if args.command == "import-kpis":
        with bootstrap.open_database(db_path) as db:
            return _import_kpis(db, args.file, args.skip_bad_rows)
    raise AssertionError(args.command)


def _snapshot(db: Database, day: date) -> str:
    result = take_snapshot(db, day, CLI_ACTOR)
    if not result.write.ok:
        raise CommandError("; ".join(str(p) for p in result.write.errors
                                     + result.write.conflicts))
    return result.summary()


def _import_kpis(db: Database, path: Path, skip_bad_rows: bool) -> str:
    try:
        data = path.read_bytes()
        report = import_measurements(db, data, path.name, CLI_ACTOR,
                                     skip_bad_rows=skip_bad_rows)
    except ImportFileError as exc:
        raise CommandError(str(exc)) from None
    lines = describe(report, path.name)
    if report.write is None or not report.write.ok:
        raise CommandError("\n".join(lines))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        print(_run(args))
    except (DatabaseError, CommandError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0
