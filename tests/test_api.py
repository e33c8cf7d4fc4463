"""The HTTP API through a real running server (``server.py``) and real HTTP requests:
authentication, scopes, validation with per-row messages, idempotence, size limits,
downloads, reads, and the token's name as the author of every write."""

from __future__ import annotations

import gzip
import http.client
import io
import json
import urllib.request
import zipfile
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from aims_core.api.routes import ENDPOINTS, PREFIX
from aims_core.api.tokens import create_token, revoke_token
from aims_core.bootstrap import init_database
from aims_core.storage import backup
from aims_core.storage.schema import LATEST_VERSION
from aims_core.storage.transfer import read_manifest, verify_files
from tests.browser_kit import Server, start_server
from tests.conftest import DEMO_ADMIN


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A demo server with jobs off, and one token per scope plus a revoked one."""
    tmp = tmp_path_factory.mktemp("api")
    db_path = tmp / "aims.duckdb"
    settings = tmp / "settings.toml"
    settings.write_text("[jobs]\nenabled = false\n[api]\nmax_body_mb = 2\n")
    secrets: dict[str, str] = {}
    with init_database(db_path, "demo") as db:
        for name, scopes in (("drift pipeline", ["kpi:write"]), ("scheduler", ["snapshot"]),
                             ("backup robot", ["backup:read"]), ("dashboard", ["read"]),
                             ("old pipeline", ["kpi:write"])):
            secret, result = create_token(db, DEMO_ADMIN, name, scopes)
            assert result.ok and secret
            secrets[name] = secret
        assert revoke_token(db, DEMO_ADMIN, "old pipeline").ok
        kpi = db.query_rows("SELECT id, name FROM kpis WHERE kind = 'measured' ORDER BY id "
                            "LIMIT 1")[0]
    server = start_server(db_path, tmp / "server.log", secrets=settings)
    yield {"server": server, "tokens": secrets, "kpi_id": kpi[0], "kpi_name": kpi[1],
           "db_path": db_path, "tmp": tmp}
    server.stop()


def call(server: Server, method: str, path: str, token: str | None = None,
         body: bytes | None = None, content_type: str | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(server.url + PREFIX + path, data=body, method=method)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if content_type:
        request.add_header("Content-Type", content_type)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=120) as reply:
            return reply.status, dict(reply.headers), reply.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def post_values(api: dict[str, Any], values: Any, query: str = "",
                token: str = "drift pipeline") -> tuple[int, dict[str, Any]]:
    status, _, body = call(api["server"], "POST", f"/kpi-values{query}",
                           api["tokens"][token], json.dumps(values).encode(),
                           "application/json")
    return status, json.loads(body)


def test_health_and_openapi_need_no_token(api: dict[str, Any]) -> None:
    status, _, body = call(api["server"], "GET", "/health")
    health = json.loads(body)
    assert status == 200 and health["status"] == "ok"
    assert health["schema_version"] == LATEST_VERSION
    assert health["jobs"]["running"] is False and "enabled = false" in health["jobs"]["problem"]
    status, _, body = call(api["server"], "GET", "/openapi.json")
    spec = json.loads(body)
    assert status == 200 and spec["openapi"].startswith("3.1")
    described = {(path, method.upper()) for path, ops in spec["paths"].items() for method in ops}
    assert described == {(PREFIX + e.path, e.method) for e in ENDPOINTS}
    assert spec["paths"][PREFIX + "/kpi-values"]["post"]["security"] == [{"token":
                                                                           ["kpi:write"]}]


@pytest.mark.parametrize(("token", "status", "code"), [
    (None, 401, "token_missing"), ("aims_not-a-real-token", 401, "token_invalid"),
    ("old pipeline", 401, "token_invalid"), ("dashboard", 403, "scope_missing")])
def test_refused_without_a_valid_token_of_the_right_scope(api: dict[str, Any],
                                                          token: str | None, status: int,
                                                          code: str) -> None:
    secret = api["tokens"].get(token, token) if token else None
    got, headers, body = call(api["server"], "POST", "/kpi-values", secret, b"[]",
                              "application/json")
    assert got == status and json.loads(body)["error"]["code"] == code
    if status == 401:
        assert headers["www-authenticate"].startswith("Bearer")
    assert call(api["server"], "POST", "/kpi-values", None, b"[]", "application/json",
                headers={"Authorization": "Basic abc"})[0] == 401


def test_post_values_is_idempotent_per_kpi_and_day(api: dict[str, Any]) -> None:
    days = [date(2026, 1, d) for d in (5, 6, 7)]
    values = [{"kpi": api["kpi_name"], "measured_on": d.isoformat(), "value": 0.1 * n,
               "note": "drift from the nightly pipeline"} for n, d in enumerate(days, 1)]
    status, first = post_values(api, values, "?source=drift.json")
    assert status == 200, first
    assert (first["added"], first["replaced"], first["unchanged"]) == (3, 0, 0)
    assert first["lines"][0].startswith("Imported 3 values from drift.json")
    status, again = post_values(api, {"values": values})
    assert status == 200 and (again["added"], again["replaced"], again["unchanged"]) == (0, 0, 3)
    values[0]["value"] = 0.9
    values[1]["kpi"] = api["kpi_id"]  # by id as well as by name
    status, changed = post_values(api, values)
    assert status == 200 and (changed["added"], changed["replaced"]) == (0, 1)


def test_bad_rows_are_refused_whole_or_skipped(api: dict[str, Any]) -> None:
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    values = [{"kpi": api["kpi_name"], "measured_on": "2026-02-01", "value": 1.5},
              {"kpi": "No such KPI", "measured_on": "2026-02-02", "value": 1},
              {"kpi": api["kpi_name"], "measured_on": "01/02/2026", "value": "high"},
              {"kpi": api["kpi_name"], "measured_on": tomorrow, "value": 2},
              {"kpi": api["kpi_name"], "measured_on": "2026-02-01", "value": True}]
    status, refused = post_values(api, values)
    assert status == 422 and refused["error"]["code"] == "invalid_rows"
    problems = {(p["row"], p["field"]) for p in refused["error"]["problems"]}
    assert problems == {("item 2", "kpi"), ("item 3", "measured_on"), ("item 3", "value"),
                        ("item 4", "measured_on"), ("item 5", "value")}
    status, skipped = post_values(api, values, "?skip_bad_rows=true")
    assert status == 200 and skipped["added"] == 1
    assert skipped["skipped_rows"] == ["item 2", "item 3", "item 4", "item 5"]
    status, computed = post_values(api, [{"kpi": "Open high and critical risks",
                                          "measured_on": "2026-02-03", "value": 3}])
    assert status in (200, 422)  # refused when that name is a computed KPI of the demo
    if status == 422:
        assert "computed KPI" in computed["error"]["problems"][0]["message"]


def test_malformed_bodies_get_clear_messages(api: dict[str, Any]) -> None:
    server, token = api["server"], api["tokens"]["drift pipeline"]
    status, _, body = call(server, "POST", "/kpi-values", token, b'[{"kpi": 1,',
                           "application/json")
    assert status == 400 and "not valid JSON" in json.loads(body)["error"]["message"]
    status, _, body = call(server, "POST", "/kpi-values", token, b'{"kpi": 1}',
                           "application/json")
    assert status == 400 and json.loads(body)["error"]["code"] == "malformed_json"
    status, _, body = call(server, "POST", "/kpi-values", token, b"<xml/>", "application/xml")
    assert status == 415
    status, _, body = call(server, "POST", "/kpi-values", token, b"a,b\n1,2\n", "text/csv")
    assert status == 400 and "has no column kpi" in json.loads(body)["error"]["message"]
    status, _, body = call(server, "GET", "/kpi-values", token)
    assert status == 405
    assert call(server, "GET", "/nothing-here", token)[0] == 404


def test_csv_with_formulas_is_refused_or_kept_as_text(api: dict[str, Any]) -> None:
    server, token = api["server"], api["tokens"]["drift pipeline"]
    name = api["kpi_name"]
    csv = (f'kpi,measured_on,value,note\n"{name}",2026-03-01,=1+1,\n'
           f'"{name}",2026-03-02,0.25,"=HYPERLINK(""http://x.example"",""click"")"\n').encode()
    status, _, body = call(server, "POST", "/kpi-values", token, csv, "text/csv")
    refused = json.loads(body)["error"]
    assert status == 422
    assert refused["problems"] == [{"row": "line 2", "field": "value",
                                    "message": "expected a number such as 3.2 or 3,2, got '=1+1'"}]
    status, _, body = call(server, "POST", "/kpi-values?skip_bad_rows=true", token, csv,
                           "text/csv")
    assert status == 200 and json.loads(body)["added"] == 1  # the note is stored as text


def test_a_body_over_the_limit_is_refused_and_the_server_carries_on(api: dict[str, Any]
                                                                    ) -> None:
    big = b"[" + b'{"kpi": 1, "measured_on": "2026-01-01", "value": 1},' * 60_000 + b"{}]"
    assert len(big) > 2 * 1024 * 1024
    status, _, body = call(api["server"], "POST", "/kpi-values", api["tokens"]["drift pipeline"],
                           big, "application/json")
    assert status == 413 and "2 MB limit" in json.loads(body)["error"]["message"]
    # a client announcing 50 MB with Expect: 100-continue is refused before it sends it
    host, port = api["server"].url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    connection.putrequest("POST", PREFIX + "/kpi-values")
    connection.putheader("Authorization", f"Bearer {api['tokens']['drift pipeline']}")
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Content-Length", str(50 * 1024 * 1024))
    connection.putheader("Expect", "100-continue")
    connection.endheaders()
    reply = connection.getresponse()
    assert reply.status == 413
    connection.close()
    assert call(api["server"], "GET", "/health")[0] == 200


def test_snapshot_through_the_api(api: dict[str, Any]) -> None:
    server, token = api["server"], api["tokens"]["scheduler"]
    status, _, body = call(server, "POST", "/snapshot", token)
    taken = json.loads(body)
    assert status == 200 and taken["recorded"] >= 3 and taken["day"] == date.today().isoformat()
    future = (date.today() + timedelta(days=3)).isoformat()
    status, _, body = call(server, "POST", "/snapshot", token,
                           json.dumps({"date": future}).encode(), "application/json")
    assert status == 422 and "in the future" in json.loads(body)["error"]["message"]
    status, _, body = call(server, "POST", "/snapshot", token, b'{"date": "31/12/2026"}',
                           "application/json")
    assert status == 400 and json.loads(body)["error"]["code"] == "bad_date"


def test_backup_and_export_downloads_are_complete(api: dict[str, Any], tmp_path: Path) -> None:
    server, token = api["server"], api["tokens"]["backup robot"]
    status, headers, body = call(server, "GET", "/backup", token)
    assert status == 200 and headers["content-type"] == "application/gzip"
    assert "attachment" in headers["content-disposition"]
    plain = tmp_path / "downloaded.duckdb"
    plain.write_bytes(gzip.decompress(body))
    assert backup.inspect_file(plain).rows["ai_systems"] == 12
    status, _, body = call(server, "GET", "/export", token)
    assert status == 200
    zipfile.ZipFile(io.BytesIO(body)).extractall(tmp_path / "export")
    manifest = read_manifest(tmp_path / "export")
    verify_files(tmp_path / "export", manifest)
    assert manifest["schema_version"] == LATEST_VERSION and "change_log" in manifest["tables"]
    assert call(server, "GET", "/backup", api["tokens"]["dashboard"])[0] == 403


def test_reads_of_kpi_status_and_revalidations(api: dict[str, Any]) -> None:
    server, token = api["server"], api["tokens"]["dashboard"]
    status, _, body = call(server, "GET", "/kpis", token)
    kpis = json.loads(body)["kpis"]
    assert status == 200 and len(kpis) >= 5
    assert {"id", "name", "status", "value", "measured_on"} <= kpis[0].keys()
    status, _, body = call(server, "GET", "/revalidations?overdue=true", token)
    systems = json.loads(body)["systems"]
    assert status == 200 and systems and all(s["overdue"] for s in systems)
    assert call(server, "GET", "/revalidations?overdue=maybe", token)[0] == 400


def test_every_write_carries_the_token_name(api: dict[str, Any]) -> None:
    """Runs last in this module: it stops the server to read the file."""
    post_values(api, [{"kpi": api["kpi_name"], "measured_on": "2026-04-01", "value": 0.3}])
    api["server"].stop()
    con = duckdb.connect(str(api["db_path"]), read_only=True)
    authors = dict(con.execute(
        "SELECT changed_by, count(*) FROM change_log WHERE table_name = 'kpi_measurements' "
        "AND json_extract_string(after_json, '$.measured_on') IN ('2026-01-05', "
        "'2026-01-06', '2026-01-07', '2026-02-01', '2026-03-02', '2026-04-01') "
        "GROUP BY ALL").fetchall())
    note = con.execute("SELECT note FROM kpi_measurements WHERE measured_on = '2026-03-02'"
                       ).fetchone()[0]
    runs = con.execute("SELECT job, trigger, requested_by, outcome FROM job_runs "
                       "ORDER BY id").fetchall()
    con.close()
    assert set(authors) == {"drift pipeline"} and authors["drift pipeline"] >= 6
    assert note == '=HYPERLINK("http://x.example","click")'  # stored as typed, inert text
    assert ("backup", "api", "backup robot", "ok") in runs
    assert ("export", "api", "backup robot", "ok") in runs
