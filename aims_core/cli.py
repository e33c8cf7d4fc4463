"""``python -m aims_core``: create, fill, export and import AIMS databases.

Every failure ends with a non-zero exit code and one line saying why.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from aims_core import bootstrap
from aims_core.config import DEMO_SEED_DIR, database_path
from aims_core.storage.database import Database, DatabaseError
from aims_core.storage.transfer import export_database, import_database


def _db_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, default=None,
                        help="database file (default: $AIMS_DB or data/aims.duckdb)")


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

    imp = sub.add_parser("import", help="replace every table from an export directory",
                         description="Import an export directory; nothing changes on error.")
    _db_argument(imp)
    imp.add_argument("--from", dest="source", type=Path, required=True,
                     help="directory written by export")

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
        with bootstrap.open_database(db_path) as db:
            summary = import_database(db, args.source)
        return f"imported {summary.tables} tables ({summary.rows} rows) into {db_path}"
    raise AssertionError(args.command)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        print(_run(args))
    except (DatabaseError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0
