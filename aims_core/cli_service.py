"""Command-line pieces for the running service: backups, restore, API tokens, and the way
``snapshot``, ``import-kpis``, ``export`` and ``backup`` go through the app's API when the
app holds the database file.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from aims_core import bootstrap
from aims_core.api import tokens
from aims_core.api.client import ApiClient, ApiClientError, api_settings
from aims_core.api.registers import SCOPES
from aims_core.auth.actor import Actor
from aims_core.jobs.runs import run_recorded
from aims_core.storage import backup
from aims_core.storage.database import Database, DatabaseError, DatabaseLockedError, utc_now

T = TypeVar("T")


class CommandError(RuntimeError):
    """A command that could not do its job; the message says why."""


def add_api_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--api-url", default=None,
                        help="the running app, used when it holds the file (default "
                             "$AIMS_API_URL or http://127.0.0.1:8501)")
    parser.add_argument("--api-token", default=None,
                        help="an API token for that (default $AIMS_API_TOKEN)")


def through_app(db_path: Path, args: argparse.Namespace, scope: str,
                local: Callable[[Database], T], remote: Callable[[ApiClient], T]) -> T:
    """``local(db)`` on the file; when the running app holds it, ``remote(client)`` through
    the app's API, or a one-line message saying exactly how to do that."""
    if not db_path.exists():
        raise DatabaseError(f"{db_path} does not exist")
    try:
        db = bootstrap.open_database(db_path)
    except DatabaseLockedError as exc:
        url, token = api_settings(args.api_url, args.api_token)
        if token is None:
            raise CommandError(
                f"{exc} The app is running, so run this command through its API: set "
                f"AIMS_API_TOKEN (or --api-token) to a token with the scope {scope}, which an "
                "administrator creates on the Jobs & API page, and AIMS_API_URL (or --api-url)"
                f" if the app is not at {url}.") from None
        try:
            return remote(ApiClient(url, token))
        except ApiClientError as api_exc:
            raise CommandError(str(api_exc)) from None
    with db:
        return local(db)


def _admin_database(db_path: Path, what: str) -> Database:
    if not db_path.exists():
        raise DatabaseError(f"{db_path} does not exist")
    try:
        return bootstrap.open_database(db_path)
    except DatabaseLockedError as exc:
        raise CommandError(f"{exc} {what} while the app runs is done on its Jobs & API and "
                           "Backups pages, by an administrator.") from None


# --- parser -------------------------------------------------------------------------------
ActingAdmin = Callable[[Database, str | None, str], Actor]  # cli.acting_admin


def add_commands(sub: argparse._SubParsersAction, db_argument: Callable,
                 as_argument: Callable) -> None:
    take = sub.add_parser("backup", help="take a backup now (or --list them)",
                          description="Take a consistent backup into the backups folder "
                          "(default: backups/ beside the database). While the app runs it "
                          "is downloaded through the app's API (scope backup:read).")
    db_argument(take)
    take.add_argument("--dir", type=Path, default=None, help="backups folder")
    take.add_argument("--list", action="store_true", help="list the backups instead")
    add_api_arguments(take)

    restore = sub.add_parser("restore", help="replace the database's content with a backup",
                             description="Restore a backup (a name from 'backup --list' or "
                             "a file). A backup of the current state is taken first. With the "
                             "app stopped; while it runs, restore on its Backups page.")
    db_argument(restore)
    as_argument(restore)
    restore.add_argument("--from", dest="source", required=True,
                         help="backup name in the backups folder, or a path to a file")
    restore.add_argument("--dir", type=Path, default=None, help="backups folder")
    restore.add_argument("--yes", action="store_true",
                         help="confirm: every register is replaced by the backup's content")

    token = sub.add_parser("token", help="create, list or revoke API tokens",
                           description="API tokens for pipelines and for the command line "
                           "while the app runs. Scopes: " + ", ".join(SCOPES) + ".")
    db_argument(token)
    as_argument(token)
    token.add_argument("action", choices=("create", "list", "revoke"))
    token.add_argument("--name", help="the token's name (recorded as the author of its writes)")
    token.add_argument("--scope", action="append", default=[], choices=list(SCOPES),
                       help="what the token may do (repeat for several)")


# --- commands -----------------------------------------------------------------------------
def run_backup(db_path: Path, args: argparse.Namespace) -> str:
    directory = args.dir or backup.backup_dir(db_path)
    if args.list:
        listed = backup.list_backups(directory)
        if not listed:
            return f"no backups in {directory}"
        return "\n".join(f"{b.name}  {b.kind:<11} {b.size / 1e6:8.1f} MB  "
                         f"{b.taken_at:%Y-%m-%d %H:%M} UTC" for b in listed)

    def local(db: Database) -> str:
        made = backup.take_backup(db, directory, "manual")
        return f"backup {made.path} ({made.size / 1e6:.1f} MB)"

    def remote(client: ApiClient) -> str:
        directory.mkdir(parents=True, exist_ok=True)
        target = directory / f"aims-{utc_now():%Y%m%dT%H%M%S}Z-manual{backup.SUFFIX}"
        client.download("/backup", target)
        return f"backup {target} ({target.stat().st_size / 1e6:.1f} MB), through the app"

    return through_app(db_path, args, "backup:read", local, remote)


def _restoring_admin(db_path: Path, args: argparse.Namespace,
                     acting_admin: ActingAdmin) -> str | None:
    """The Admin named by --as, checked in the file's people directory while it opens (a
    file that no longer opens has no directory to ask: the administrator at the machine)."""
    try:
        db = backup.open_unless_locked(db_path) if db_path.exists() else None
    except DatabaseLockedError as exc:
        raise CommandError(f"{exc} While the app runs, restore on its Backups page "
                           "(an administrator).") from None
    if db is None:
        return (args.acting or "").strip() or None
    with db:
        return acting_admin(db, args.acting, "restore").name


def run_restore(db_path: Path, args: argparse.Namespace, acting_admin: ActingAdmin) -> str:
    directory = args.dir or backup.backup_dir(db_path)
    source = Path(args.source)
    if not source.is_file():
        source = backup.find_backup(directory, args.source).path
    if not args.yes:
        raise CommandError(f"add --yes to confirm: the content of {db_path} is replaced by "
                           f"{source.name} (a backup of the current state is taken first)")
    admin = _restoring_admin(db_path, args, acting_admin)
    try:
        result, damaged = backup.restore_offline(db_path, source, directory)
    except DatabaseLockedError as exc:
        raise CommandError(f"{exc} While the app runs, restore on its Backups page "
                           "(an administrator).") from None
    text = f"restored {result.source} into {db_path}: {result.tables} tables, {result.rows} rows"
    if result.migrated_from:
        text += f" (upgraded from schema {result.migrated_from})"
    if result.safety_backup:
        text += f"; the previous state is in {result.safety_backup.name}"
    if damaged:
        text += f"; the unreadable file was kept as {damaged.name}"
    with Database(db_path) as db:  # recorded with the runs the Jobs & API page lists
        run_recorded(db, "restore", lambda: text, trigger="manual", requested_by=admin)
    return text


def run_token(db_path: Path, args: argparse.Namespace, acting_admin: ActingAdmin) -> str:
    with _admin_database(db_path, "Managing tokens") as db:
        if args.action == "list":
            listed = tokens.list_tokens(db)
            if listed.empty:
                return "no API tokens"
            return "\n".join(
                f"{t.name:<24} {t.scopes:<30} {t.token_hint}…  created {t.created_on:%Y-%m-%d} "
                f"by {t.created_by}" + ("" if t.active else f"  REVOKED {t.revoked_on:%Y-%m-%d}")
                for t in listed.itertuples())
        if not args.name:
            raise CommandError(f"token {args.action} needs --name")
        actor = acting_admin(db, args.acting, f"token {args.action}")
        if args.action == "create":
            secret, result = tokens.create_token(db, actor, args.name, args.scope)
            if secret is None:
                raise CommandError("; ".join(str(p) for p in result.errors + result.conflicts))
            return (f"token {args.name!r} ({' '.join(dict.fromkeys(args.scope))}); it is shown "
                    f"only now, keep it secret:\n{secret}")
        result = tokens.revoke_token(db, actor, args.name)
        if not result.ok:
            raise CommandError("; ".join(str(p) for p in result.errors + result.conflicts))
        return f"token {args.name!r} revoked: every later call with it is refused"
