"""The HTTP API under ``/api/v1``, served by the app's own process (``server.py``).

Every endpoint is declared once in :data:`ENDPOINTS` (path, method, scope, description);
the routes and the OpenAPI description are both built from it. Work that touches the
database runs in a worker thread on the process's shared handle; every write goes through
the one write path with the token's name as its author.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import anyio
import pandas as pd
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route, Router

from aims_core import bootstrap, service
from aims_core.api.openapi import describe
from aims_core.api.registers import SCOPES
from aims_core.api.tokens import TokenHolder, authenticate
from aims_core.config import database_path, settings_section
from aims_core.inventory.revalidation import revalidation_schedule
from aims_core.jobs.daily import local_today
from aims_core.jobs.runs import latest_per_job, run_recorded
from aims_core.performance import kpi_import
from aims_core.performance.kpis import kpi_status, take_snapshot
from aims_core.storage import backup
from aims_core.storage.database import Database, DatabaseError, schema_version_of
from aims_core.storage.transfer import export_archive

PREFIX = "/api/v1"
DEFAULT_MAX_BODY_MB = 10


class ApiError(Exception):
    """An answer other than success: HTTP status, a code and a message for the caller."""

    def __init__(self, status: int, code: str, message: str,
                 problems: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.problems = status, code, message, problems

    def response(self) -> JSONResponse:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.problems is not None:
            error["problems"] = self.problems
        headers = {"WWW-Authenticate": 'Bearer realm="aims"'} if self.status == 401 else None
        return JSONResponse({"error": error}, status_code=self.status, headers=headers)


Handler = Callable[[Request, TokenHolder | None], Awaitable[Response]]


@dataclass(frozen=True)
class Endpoint:
    path: str
    method: str
    scope: str | None  # None: no token needed
    summary: str
    handler: Handler
    request: dict[str, Any] | None = None  # OpenAPI requestBody
    responses: dict[str, str] = field(default_factory=dict)  # extra status -> description
    parameters: tuple[dict[str, Any], ...] = ()
    produces: str = "application/json"


# --- plumbing -------------------------------------------------------------------------------
def max_body_bytes() -> int:
    """``[api] max_body_mb`` in the settings (default 10 MB)."""
    value = settings_section("api").get("max_body_mb", DEFAULT_MAX_BODY_MB)
    return int(float(value) * 1024 * 1024)


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 past ``limit`` bytes (read and dropped, never
    kept, so the client gets the answer instead of a broken connection)."""
    declared = request.headers.get("content-length", "")
    too_big = ApiError(413, "body_too_large",
                       f"The body is larger than the {limit / 1024 / 1024:.0f} MB limit "
                       "([api] max_body_mb): send the values in smaller batches.")
    if declared.isdigit() and int(declared) > limit and \
            request.headers.get("expect", "").lower() == "100-continue":
        raise too_big
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size <= limit:
            chunks.append(chunk)
    if size > limit:
        raise too_big
    return b"".join(chunks)


def _database() -> Database:
    try:
        return bootstrap.shared_database(database_path())
    except DatabaseError as exc:
        raise ApiError(503, "database_unavailable", str(exc)) from None


def _holder(request: Request) -> TokenHolder:
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    if not header:
        raise ApiError(401, "token_missing", "Send a token: 'Authorization: Bearer <token>'. "
                       "An administrator creates one on the Jobs & API page or with "
                       "'python -m aims_core token create'.")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiError(401, "token_malformed", "The Authorization header must read "
                       "'Bearer <token>'.")
    holder = authenticate(_database(), secret.strip())
    if holder is None:
        raise ApiError(401, "token_invalid", "The token is unknown or was revoked.")
    return holder


def _json(frame: pd.DataFrame) -> Any:
    return json.loads(frame.to_json(orient="records", date_format="iso"))


def _flag(request: Request, name: str) -> bool:
    value = request.query_params.get(name, "false").strip().lower()
    if value not in ("true", "false", "1", "0", "yes", "no"):
        raise ApiError(400, "bad_parameter", f"{name} must be true or false, got {value!r}")
    return value in ("true", "1", "yes")


def _problems(items: list[Any]) -> list[dict[str, Any]]:
    return [{"row": p.row, "field": p.field, "message": p.message} for p in items]


# --- endpoints ------------------------------------------------------------------------------
async def health(_request: Request, _holder: TokenHolder | None) -> Response:
    def check() -> dict[str, Any]:
        db = _database()
        running = service.scheduler()
        return {"status": "ok", "schema_version": schema_version_of(db.cursor()),
                "jobs": {"running": running is not None and running.running,
                         "problem": service.jobs_problem(),
                         "last": {name: {"outcome": run.outcome,
                                         "finished_at": run.finished_at.isoformat()
                                         if run.finished_at else None}
                                  for name, run in latest_per_job(db).items()}}}
    return JSONResponse(await anyio.to_thread.run_sync(check))


def _kpi_rows(body: bytes, content_type: str) -> tuple[kpi_import.FileRows, bool | None]:
    """The posted rows, each named as messages name it, and a JSON body's skip_bad_rows."""
    kind = content_type.split(";")[0].strip().lower()
    try:
        if kind == "application/json":
            return _json_rows(body)
        if kind in ("text/csv", "application/csv"):
            return kpi_import.read_table(body, "body.csv"), None
        if kind in ("application/vnd.apache.parquet", "application/x-parquet"):
            return kpi_import.read_table(body, "body.parquet"), None
    except kpi_import.ImportFileError as exc:
        raise ApiError(400, "unreadable_body", str(exc)) from None
    raise ApiError(415, "unsupported_media_type",
                   "Send application/json, text/csv or application/vnd.apache.parquet.")


def _json_rows(body: bytes) -> tuple[kpi_import.FileRows, bool | None]:
    try:
        parsed = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(400, "malformed_json", f"The body is not valid JSON: {exc}") from None
    values = parsed.get("values") if isinstance(parsed, dict) else parsed
    if not isinstance(values, list):
        raise ApiError(400, "malformed_json", 'Expected a list of values or {"values": [...]}.')
    if bad := [n for n, item in enumerate(values, start=1) if not isinstance(item, dict)]:
        raise ApiError(400, "malformed_json", f"item {bad[0]} is not an object with kpi, "
                       "measured_on, value and optionally note")
    frame = pd.DataFrame(values, dtype=object)
    if frame.empty:
        frame = pd.DataFrame(columns=list(kpi_import.REQUIRED_COLUMNS))
    skip = parsed.get("skip_bad_rows") if isinstance(parsed, dict) else None
    return (kpi_import.from_records(frame, "the body", "item"),
            None if skip is None else bool(skip))


async def post_kpi_values(request: Request, holder: TokenHolder | None) -> Response:
    assert holder is not None
    body = await read_body(request, max_body_bytes())
    rows, skip_in_body = _kpi_rows(body, request.headers.get("content-type", ""))
    skip = _flag(request, "skip_bad_rows") if skip_in_body is None else skip_in_body

    def write() -> kpi_import.ImportReport:
        return kpi_import.import_rows(_database(), rows, holder.actor,
                                      skip_bad_rows=skip, today=local_today())
    report = await anyio.to_thread.run_sync(write)
    lines = kpi_import.describe(report, request.query_params.get("source", "the request")[:200])
    if report.write is None and report.problems:
        raise ApiError(422, "invalid_rows", lines[0], _problems(report.problems))
    if report.write is not None and not report.write.ok:
        raise ApiError(409 if report.write.conflicts else 422, "refused", lines[0],
                       _problems(report.write.errors + report.write.conflicts))
    write_result = report.write
    return JSONResponse({
        "rows": report.rows, "imported": report.accepted,
        "added": len(write_result.inserted) if write_result else 0,
        "replaced": len(write_result.updated) if write_result else 0,
        "unchanged": report.accepted - (write_result.changed if write_result else 0),
        "skipped_rows": report.skipped_rows, "problems": _problems(report.problems),
        "lines": lines})


async def post_snapshot(request: Request, holder: TokenHolder | None) -> Response:
    assert holder is not None
    body = await read_body(request, 64 * 1024)
    try:
        parsed = json.loads(body.decode("utf-8")) if body.strip() else {}
    except (UnicodeDecodeError, json.JSONDecodeError):
        parsed = None
    if not isinstance(parsed, dict):
        raise ApiError(400, "malformed_json", 'Expected no body or {"date": "YYYY-MM-DD"}.')
    today = local_today()
    try:
        day = date.fromisoformat(parsed["date"]) if parsed.get("date") else today
    except (TypeError, ValueError):
        raise ApiError(400, "bad_date", f"date must be YYYY-MM-DD, got {parsed['date']!r}"
                       ) from None

    result = await anyio.to_thread.run_sync(
        lambda: take_snapshot(_database(), day, holder.actor, today=today))
    if not result.write.ok:
        problems = result.write.errors + result.write.conflicts
        raise ApiError(422, "refused", "; ".join(str(p) for p in problems), _problems(problems))
    return JSONResponse({"day": day.isoformat(), "recorded": result.recorded,
                         "added": len(result.write.inserted),
                         "replaced": len(result.write.updated), "skipped": result.skipped,
                         "summary": result.summary()})


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


async def get_backup(_request: Request, holder: TokenHolder | None) -> Response:
    assert holder is not None
    target = backup.scratch_file()

    def make() -> None:
        db = _database()
        run = run_recorded(db, "backup", lambda: _backup_to(db, target), trigger="api",
                           requested_by=holder.name)
        if run.outcome != "ok":
            raise ApiError(500, "backup_failed", run.message)
    try:
        await anyio.to_thread.run_sync(make)
    except ApiError:
        target.unlink(missing_ok=True)
        raise
    return FileResponse(target, media_type="application/gzip",
                        filename=f"aims-{_stamp()}-api{backup.SUFFIX}",
                        background=BackgroundTask(target.unlink, missing_ok=True))


def _backup_to(db: Database, target: Path) -> str:
    backup.write_backup(db, target)
    return f"downloaded through the API ({target.stat().st_size / 1e6:.1f} MB)"


async def get_export(_request: Request, holder: TokenHolder | None) -> Response:
    assert holder is not None
    work = Path(tempfile.mkdtemp(prefix="aims-export-"))
    archive = work / "export.zip"

    def make() -> None:
        db = _database()

        def export() -> str:
            manifest = export_archive(db, archive)
            return f"exported {len(manifest['tables'])} tables through the API"
        run = run_recorded(db, "export", export, trigger="api", requested_by=holder.name)
        if run.outcome != "ok":
            raise ApiError(500, "export_failed", run.message)
    try:
        await anyio.to_thread.run_sync(make)
    except ApiError:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return FileResponse(archive, media_type="application/zip",
                        filename=f"aims-export-{_stamp()}.zip",
                        background=BackgroundTask(shutil.rmtree, work, ignore_errors=True))


async def get_kpis(_request: Request, _holder: TokenHolder | None) -> Response:
    frame = await anyio.to_thread.run_sync(lambda: kpi_status(_database()))
    return JSONResponse({"kpis": _json(frame.drop(columns=["objective_ids"], errors="ignore"))})


async def get_revalidations(request: Request, _holder: TokenHolder | None) -> Response:
    overdue_only = _flag(request, "overdue")
    frame = await anyio.to_thread.run_sync(
        lambda: revalidation_schedule(_database(), local_today()))
    if overdue_only and not frame.empty:
        frame = frame[frame["overdue"]]
    return JSONResponse({"today": local_today().isoformat(), "systems": _json(frame)})


async def get_openapi(_request: Request, _holder: TokenHolder | None) -> Response:
    return JSONResponse(describe(ENDPOINTS, PREFIX))


# --- the table of endpoints -----------------------------------------------------------------
_VALUES_SCHEMA = {"type": "object", "required": ["kpi", "measured_on", "value"], "properties": {
    "kpi": {"description": "A measured KPI's id or name", "oneOf": [{"type": "integer"},
                                                                    {"type": "string"}]},
    "measured_on": {"type": "string", "format": "date"},
    "value": {"type": "number"}, "note": {"type": "string"}}}
ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("/health", "GET", None, "The server, its database and its scheduled jobs",
             health),
    Endpoint("/openapi.json", "GET", None, "This description of the API", get_openapi),
    Endpoint("/kpi-values", "POST", "kpi:write",
             "Record measured KPI values, one per KPI and day (a repeat replaces it). "
             "Refused whole when a row is bad, unless skip_bad_rows.", post_kpi_values,
             request={"required": True, "content": {
                 "application/json": {"schema": {"oneOf": [
                     {"type": "array", "items": _VALUES_SCHEMA},
                     {"type": "object", "properties": {
                         "values": {"type": "array", "items": _VALUES_SCHEMA},
                         "skip_bad_rows": {"type": "boolean"}}}]}},
                 "text/csv": {"schema": {"type": "string",
                                         "description": "kpi,measured_on,value,note"}},
                 "application/vnd.apache.parquet": {"schema": {"type": "string",
                                                               "format": "binary"}}}},
             parameters=({"name": "skip_bad_rows", "in": "query",
                          "schema": {"type": "boolean"}},
                         {"name": "source", "in": "query", "schema": {"type": "string"},
                          "description": "A name for the values in messages (a file name)"}),
             responses={"409": "A value changed while saving", "413": "Body too large",
                        "415": "Unsupported body type", "422": "Bad rows (listed)"}),
    Endpoint("/snapshot", "POST", "snapshot",
             "Record today's (or a past day's) figures of every computed KPI", post_snapshot,
             request={"required": False, "content": {"application/json": {"schema": {
                 "type": "object", "properties": {"date": {"type": "string",
                                                           "format": "date"}}}}}},
             responses={"422": "Refused (e.g. a day in the future)"}),
    Endpoint("/backup", "GET", "backup:read",
             "A consistent backup of the whole database (gzipped DuckDB file)", get_backup,
             produces="application/gzip"),
    Endpoint("/export", "GET", "backup:read",
             "Every table as Parquet with a manifest, in one ZIP (what 'export' writes)",
             get_export, produces="application/zip"),
    Endpoint("/kpis", "GET", "read", "Every KPI with its latest value and status", get_kpis),
    Endpoint("/revalidations", "GET", "read", "The re-validation schedule of the AI systems",
             get_revalidations, parameters=({"name": "overdue", "in": "query",
                                             "schema": {"type": "boolean"}},)),
)
assert all(e.scope is None or e.scope in SCOPES for e in ENDPOINTS)


def _route(endpoint: Endpoint) -> Route:
    async def call(request: Request) -> Response:
        try:
            holder = None
            if endpoint.scope is not None:
                holder = await anyio.to_thread.run_sync(_holder, request)
                if endpoint.scope not in holder.scopes:
                    raise ApiError(403, "scope_missing", f"The token '{holder.name}' lacks the "
                                   f"scope {endpoint.scope} ({SCOPES[endpoint.scope]}).")
            return await endpoint.handler(request, holder)
        except ApiError as exc:
            return exc.response()
    return Route(endpoint.path, call, methods=[endpoint.method])


async def _not_found(request: Request) -> Response:
    path = request.url.path.removeprefix(PREFIX)
    if methods := [e.method for e in ENDPOINTS if e.path == path]:
        return ApiError(405, "method_not_allowed", f"{PREFIX}{path} takes "
                        f"{', '.join(methods)}, not {request.method}").response()
    return ApiError(404, "not_found", f"No endpoint {request.url.path}; see "
                    f"{PREFIX}/openapi.json").response()


def router() -> Router:
    """Every endpoint under :data:`PREFIX` (``server.py`` mounts it there), and a JSON 404 or
    405 for any other path below it."""
    return Router(routes=[*(_route(e) for e in ENDPOINTS),
                          Route("/{rest:path}", _not_found,
                                methods=["GET", "POST", "PUT", "DELETE", "PATCH"])])

