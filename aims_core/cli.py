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

from aims_core import bootstrap, cli_service
from aims_core.api.client import ApiClient
from aims_core.auth.actor import Actor
from aims_core.cli_service import CommandError, add_api_arguments, through_app
from aims_core.config import DEMO_SEED_DIR, database_path
from aims_core.performance.kpi_import import ImportFileError, describe, import_measurements
from aims_core.performance.kpis import take_snapshot
from aims_core.storage.database import Database, DatabaseError
from aims_core.storage.transfer import export_database, import_database

CLI_ACTOR = Actor("command line", channel="cli")  # the author of CLI writes


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
    init.add_argument("--force", action="store_true", help="replace an existing file")
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
    add_api_arguments(exp)

    imp = sub.add_parser("import", help="replace every table from an export directory",
                         description="Import an export directory; nothing changes on error.")
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
    add_api_arguments(snap)

    kpi_import = sub.add_parser("import-kpis", help="import measured KPI values from CSV/Parquet",
                                description="Import measured KPI values. Columns: kpi (id or "
                                "name), measured_on (YYYY-MM-DD), value, note (optional). A "
                                "file with a bad row is refused whole unless --skip-bad-rows.")
    _db_argument(kpi_import)
    kpi_import.add_argument("--file", type=Path, required=True, help=".csv or .parquet file")
    kpi_import.add_argument("--skip-bad-rows", action="store_true",
                            help="import the good rows and list the bad ones")
    add_api_arguments(kpi_import)
    cli_service.add_commands(sub, _db_argument)

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
        return through_app(
            db_path, args, "backup:read",
            lambda db: f"exported {len(export_database(db, args.out)['tables'])} tables to "
                       f"{args.out}",
            lambda api: f"exported {len(api.export(args.out)['tables'])} tables to "
                        f"{args.out}, through the app")
    if args.command == "import":
        with bootstrap.open_database(db_path) as db:
            summary = import_database(db, args.source)
        return f"imported {summary.tables} tables ({summary.rows} rows) into {db_path}"
    if args.command == "snapshot":
        return through_app(db_path, args, "snapshot",
                           lambda db: _snapshot(db, args.date or date.today()),
                           lambda api: api.snapshot(args.date))
    if args.command == "import-kpis":
        return through_app(db_path, args, "kpi:write",
                           lambda db: _import_kpis(db, args.file, args.skip_bad_rows),
                           lambda api: _import_kpis_through(api, args.file, args.skip_bad_rows))
    if args.command == "backup":
        return cli_service.run_backup(db_path, args)
    if args.command == "restore":
        return cli_service.run_restore(db_path, args)
    if args.command == "token":
        return cli_service.run_token(db_path, args, CLI_ACTOR)
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


def _import_kpis_through(api: ApiClient, path: Path, skip_bad_rows: bool) -> str:
    return "\n".join(api.import_kpis(path.read_bytes(), path.name, skip_bad_rows))


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        print(_run(args))
    except (DatabaseError, CommandError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0
