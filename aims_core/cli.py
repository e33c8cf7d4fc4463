"""``python -m aims_core``: create, fill, export and import AIMS databases, manage users,
serve the app.

Every failure ends with a non-zero exit code and one line saying why (a KPI import refused
for bad rows then lists each bad row and field). Commands that change registers act as a
named Admin (``--as``), who is recorded as the author of each change.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import time
from datetime import date
from pathlib import Path

from aims_core import bootstrap, cli_service
from aims_core.api.client import ApiClient
from aims_core.auth import accounts, audit, binding, people
from aims_core.auth.actor import Actor
from aims_core.auth.config import ConfigError, from_secrets, read_secrets
from aims_core.auth.roles import ROLES
from aims_core.cli_service import CommandError, add_api_arguments, through_app
from aims_core.config import DEMO_SEED_DIR, PROJECT_ROOT, database_path
from aims_core.performance.kpi_import import ImportFileError, describe, import_measurements
from aims_core.performance.kpis import take_snapshot
from aims_core.records.writes import WriteResult
from aims_core.storage.database import Database, DatabaseError
from aims_core.storage.transfer import TransferError, export_database, import_into_file

AS_ENV = "AIMS_AS"  # the default for --as
APP_SCRIPT = "server.py"  # the pages, the HTTP API and the daily jobs in one process
# Who the change history names for an import: it replaces the whole file, people included,
# so no person of the old file acts (the file's lock keeps the app out meanwhile).
IMPORT_ACTOR = Actor("command line", "admin", "cli")


def _db_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, default=None,
                        help="database file (default: $AIMS_DB or data/aims.duckdb)")


def _as_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as", dest="acting", metavar="ADMIN", default=None,
                        help=f"name or email of the Admin this command acts as, recorded as the "
                             f"author of its changes (default: ${AS_ENV})")


def _password_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--password-stdin", action="store_true",
                        help="read the password from the first line of standard input "
                             "(default: ask for it twice)")


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
    add_api_arguments(exp)

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
    _as_argument(snap)
    snap.add_argument("--date", type=_iso_date, default=None,
                      help="the day to record, YYYY-MM-DD (default today; not in the future)")
    add_api_arguments(snap)

    kpi_import = sub.add_parser("import-kpis", help="import measured KPI values from CSV/Parquet",
                                description="Import measured KPI values. Columns: kpi (id or "
                                "name), measured_on (YYYY-MM-DD), value, note (optional). A "
                                "file with a bad row is refused whole unless --skip-bad-rows.")
    _db_argument(kpi_import)
    _as_argument(kpi_import)
    kpi_import.add_argument("--file", type=Path, required=True, help=".csv or .parquet file")
    kpi_import.add_argument("--skip-bad-rows", action="store_true",
                            help="import the good rows and list the bad ones")
    add_api_arguments(kpi_import)
    cli_service.add_commands(sub, _db_argument, _as_argument)

    seed = sub.add_parser("demo-seed", help="regenerate the committed demo seed files",
                          description="Rewrite data/demo/*.parquet from the generator.")
    seed.add_argument("--out", type=Path, default=DEMO_SEED_DIR)
    _user_parser(sub)
    serve = sub.add_parser("serve", help="start the app (refuses a network address without "
                                         "sign-in)",
                           description="Start the app. Without sign-in configured it serves "
                           "only this computer; another address needs team mode (README) or "
                           f"--allow-network-without-sign-in (or ${binding.OVERRIDE_ENV}=1), "
                           "and the app then shows a permanent warning.")
    serve.add_argument("--address", default=binding.LOCAL_ADDRESS,
                       help=f"address to listen on (default {binding.LOCAL_ADDRESS})")
    serve.add_argument("--port", type=int, default=8501, help="port (default 8501)")
    serve.add_argument("--allow-network-without-sign-in", action="store_true",
                       help="serve a network address without sign-in (anyone reaching it can "
                            "edit everything)")
    return parser


def _user_parser(sub: argparse._SubParsersAction) -> None:
    user = sub.add_parser("user", help="local accounts: add, reset, disable, enable, list",
                          description="Manage people who sign in with a local account (team "
                          "mode). The first Admin is added without --as; after that every "
                          "command acts as a named Admin.")
    actions = user.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="add a person with a local account (or give an "
                                         "existing person one)")
    add.add_argument("--name", required=True, help="the person's name as registers show it")
    add.add_argument("--email", required=True, help="the email they sign in with")
    add.add_argument("--role", choices=list(ROLES), default="contributor",
                     help="app role (default contributor; the first user must be admin)")
    for action, what in (("reset", "set a new password"), ("disable", "stop a person signing "
                         "in (their rows stay theirs)"), ("enable", "let a person sign in "
                         "again")):
        parser = actions.add_parser(action, help=what)
        parser.add_argument("--email", required=True)
        if action == "reset":
            _password_argument(parser)
        _as_argument(parser)
        _db_argument(parser)
    _password_argument(add)
    _as_argument(add)
    _db_argument(add)
    listing = actions.add_parser("list", help="the people directory with roles and accounts")
    _db_argument(listing)


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
        try:
            summary = import_into_file(db_path, args.source, IMPORT_ACTOR)
        except TransferError as exc:
            raise CommandError("\n".join([str(exc), *(str(p) for p in exc.problems)])) \
                from None
        kept = f"; the replaced file is kept as {summary.backup.name}" if summary.backup else ""
        return f"imported {summary.tables} tables ({summary.rows} rows) into {db_path}{kept}"
    if args.command == "serve":
        return _serve(args)
    if args.command == "user":
        if not db_path.exists():
            raise DatabaseError(f"{db_path} does not exist")
        with bootstrap.open_database(db_path) as db:
            return _user(db, args)
    if args.command == "snapshot":
        return through_app(
            db_path, args, "snapshot",
            lambda db: _snapshot(db, args.date or date.today(),
                                 acting_admin(db, args.acting, "snapshot")),
            lambda api: api.snapshot(args.date))
    if args.command == "import-kpis":
        return through_app(
            db_path, args, "kpi:write",
            lambda db: _import_kpis(db, args.file, args.skip_bad_rows,
                                    acting_admin(db, args.acting, "import-kpis")),
            lambda api: _import_kpis_through(api, args.file, args.skip_bad_rows))
    if args.command == "backup":
        return cli_service.run_backup(db_path, args)
    if args.command == "restore":
        return cli_service.run_restore(db_path, args, acting_admin)
    if args.command == "token":
        return cli_service.run_token(db_path, args, acting_admin)
    raise AssertionError(args.command)


def acting_admin(db: Database, given: str | None, command: str) -> Actor:
    """The Admin a command acts as (``--as`` or ``$AIMS_AS``); logged in ``audit_events``."""
    wanted = (given or os.environ.get(AS_ENV, "")).strip()
    if not wanted:
        raise CommandError(f"name the Admin this command acts as: --as NAME_OR_EMAIL (or set "
                           f"${AS_ENV}); `python -m aims_core user list` shows the people")
    person = people.by_email(db, wanted) if "@" in wanted else people.by_name(db, wanted)
    if person is None or not person.active or person.role != "admin":
        raise CommandError(f"{wanted!r} is not an active Admin in the people directory "
                           "(`python -m aims_core user list` shows the roles)")
    audit.record(db, audit.Event("cli_admin", person.name, "cli", person.id, detail=command))
    return Actor(person.name, "admin", "cli", person_id=person.id)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        raise CommandError("no terminal to ask for the password: pass --password-stdin")
    first = getpass.getpass("New password: ")
    if getpass.getpass("Same password again: ") != first:
        raise CommandError("the two passwords differ; nothing was changed")
    return first


def _found(db: Database, email: str) -> people.Person:
    person = people.by_email(db, email)
    if person is None:
        raise CommandError(f"nobody in the people directory has the email {email!r}")
    return person


def _user(db: Database, args: argparse.Namespace) -> str:
    if args.action == "list":
        return _user_list(db)
    if args.action == "add" and not accounts.has_admin(db):
        if args.role != "admin":
            raise CommandError("the file has no Admin yet: add the first user with --role admin")
        actor = Actor(" ".join(args.name.split()), "admin", "cli")  # the first Admin, by name
    else:
        actor = acting_admin(db, args.acting, f"user {args.action}")
    if args.action == "add":
        person = _add_user(db, args, actor)
        accounts.set_password(db, person.id, _read_password(args.password_stdin), actor)
        return f"{person.name} <{person.email}> can sign in with a local account as " \
               f"{ROLES[args.role]}"
    person = _found(db, args.email)
    if args.action == "reset":
        accounts.set_password(db, person.id, _read_password(args.password_stdin), actor)
        return f"new password set for {person.name}; their open sessions ended"
    _write(people.update(db, actor, person.id, active=args.action == "enable"))
    return f"{person.name} {'can sign in again' if args.action == 'enable' else 'is disabled'}"


def _add_user(db: Database, args: argparse.Namespace, actor: Actor) -> people.Person:
    if people.by_email(db, args.email) is not None:
        raise CommandError(f"{args.email!r} is already someone's email: use `user reset`")
    existing = people.by_name(db, args.name)
    if existing is None:
        _write(people.add(db, actor, " ".join(args.name.split()), email=args.email.strip(),
                          role=args.role, sign_in="local"))
    else:  # e.g. an owner named in the registers: give them the account
        _write(people.update(db, actor, existing.id, email=args.email.strip(),
                             role=args.role, sign_in="local", active=True))
    return people.by_email(db, args.email)


def _write(result: WriteResult) -> None:
    if not result.ok:
        raise CommandError("; ".join(str(p) for p in result.errors + result.conflicts))


def _user_list(db: Database) -> str:
    frame = people.directory(db)
    if frame.empty:
        return "the people directory is empty"
    lines = [f"{'name':<28} {'email':<40} {'role':<13} {'sign-in':<6} {'active':<6} password"]
    for row in frame.itertuples():
        lines.append(f"{row.name[:28]:<28} {(row.email or '')[:40]:<40} {row.role:<13} "
                     f"{row.sign_in:<6} {'yes' if row.active else 'no':<6} "
                     f"{'set' if row.has_password else '-'}")
    return "\n".join(lines)


def _serve(args: argparse.Namespace) -> str:
    try:
        team = from_secrets(read_secrets(PROJECT_ROOT)).team
    except ConfigError as exc:
        raise CommandError(str(exc)) from None
    override = args.allow_network_without_sign_in or binding.override_given()
    decision = binding.decide(args.address, team, override)
    if not decision.allowed:
        raise CommandError(decision.message)
    print(_ready_database(database_path()), flush=True)
    env = {**os.environ, **({binding.OVERRIDE_ENV: "1"} if override else {})}
    command = [sys.executable, "-m", "streamlit", "run", APP_SCRIPT,
               f"--server.address={args.address}", f"--server.port={args.port}",
               "--browser.gatherUsageStats=false"]
    os.chdir(PROJECT_ROOT)
    os.execve(sys.executable, command, env)
    raise AssertionError("unreachable")  # pragma: no cover


def _ready_database(path: Path) -> str:
    """Create (from the demo seed) or upgrade the database before the server starts, so the
    first visit opens it as fast as any other."""
    if not path.exists():
        bootstrap.init_database(path, "demo").close()
        return f"created {path} with the demo organisation"
    bootstrap.open_database(path).close()
    return f"database: {path}"


def _snapshot(db: Database, day: date, actor: Actor) -> str:
    result = take_snapshot(db, day, actor)
    if not result.write.ok:
        raise CommandError("; ".join(str(p) for p in result.write.errors
                                     + result.write.conflicts))
    return result.summary()


def _import_kpis(db: Database, path: Path, skip_bad_rows: bool, actor: Actor) -> str:
    try:
        data = path.read_bytes()
        report = import_measurements(db, data, path.name, actor,
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
    except (DatabaseError, CommandError, accounts.AccountError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0
