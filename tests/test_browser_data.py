"""The Data pages end to end in Debian's chromium, against server.py (pages, API and jobs
in one process): a backup taken and restored (a value posted through the API after the
backup is gone again), a damaged upload refused, a spreadsheet import from dry run to commit.
"""

from __future__ import annotations

import io
import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import duckdb
import openpyxl
import pytest

from aims_core.api.tokens import create_token
from aims_core.bootstrap import init_database
from tests.browser_kit import SHOTS, Server, pick_identity, press, settle, start_server
from tests.conftest import DEMO_ADMIN

pytestmark = pytest.mark.browser

HEADERS = ["Name", "Owner", "Sourcing", "Life-cycle stage", "EU AI Act category", "Added on"]


@pytest.fixture
def data_server(tmp_path: Path) -> Iterator[tuple[Server, str]]:
    db_path = tmp_path / "aims.duckdb"
    with init_database(db_path, "demo") as db:
        token, _ = create_token(db, DEMO_ADMIN, "drift pipeline", ["kpi:write"])
    settings = tmp_path / "settings.toml"
    settings.write_text("[jobs]\nenabled = false\n")
    server = start_server(db_path, tmp_path / "server.log", secrets=settings)
    yield server, token
    server.stop()


def _open(page: object, server: Server, slug: str) -> None:
    page.goto(f"{server.url}/{slug}")
    settle(page)
    pick_identity(page, "Sarah Klein")


def _post_value(server: Server, token: str, day: str) -> None:
    body = json.dumps([{"kpi": "CreditLens AUC", "measured_on": day, "value": 0.5}]).encode()
    request = urllib.request.Request(f"{server.url}/api/v1/kpi-values", data=body,
                                     method="POST", headers={
                                         "Authorization": f"Bearer {token}",
                                         "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as reply:
        assert json.loads(reply.read())["added"] == 1


def _workbook(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Our AI inventory (from the consultant)"])
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload_inventory(page: object, path: Path) -> None:
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(path))
    settle(page)
    header = page.locator("input[aria-label='Headers are on row']")
    header.fill("2")
    header.press("Enter")
    settle(page)


def test_backup_then_restore_undoes_a_later_change(data_server: tuple[Server, str],
                                                   page: object, tmp_path: Path) -> None:
    server, token = data_server
    SHOTS.mkdir(exist_ok=True)
    _open(page, server, "backups")
    press(page, "Take a backup now", "taken")
    _post_value(server, token, "2026-01-10")  # after the backup
    page.get_by_text("I understand").click()
    settle(page)
    page.screenshot(path=str(SHOTS / "backups_restore.png"), full_page=True)
    press(page, "Restore", "Restored")
    assert page.get_by_text("The state before the restore is kept as").count() == 1

    damaged = tmp_path / "damaged.duckdb.gz"
    damaged.write_bytes(b"\x1f\x8b" + b"not really gzip" * 100)
    page.get_by_text("A file from your computer").click()
    settle(page)
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(
        str(damaged))
    settle(page)
    page.get_by_text("I understand").click()
    settle(page)
    press(page, "Restore", "damaged or incomplete")
    page.screenshot(path=str(SHOTS / "backups_damaged.png"), full_page=True)

    server.stop()
    con = duckdb.connect(str(server.db_path), read_only=True)
    posted = con.execute("SELECT count(*) FROM kpi_measurements WHERE measured_on = "
                         "'2026-01-10'").fetchone()[0]
    runs = con.execute("SELECT job, outcome, requested_by FROM job_runs ORDER BY id").fetchall()
    con.close()
    assert posted == 0  # the restore removed what came after the backup
    assert ("restore", "ok", "Sarah Klein") in runs and ("restore", "failed",
                                                         "Sarah Klein") in runs


def test_import_a_spreadsheet_from_dry_run_to_commit(data_server: tuple[Server, str],
                                                     page: object, tmp_path: Path) -> None:
    server, _ = data_server
    bad = tmp_path / "inventory.xlsx"
    bad.write_bytes(_workbook([
        ["Fraud Sentinel", "Ben Okafor", "built", "Operation", "Minimal", "2025-02-01"],
        ["Invoice Reader", "Lena Novak", "bought", "Deployment", "Minimal", "01/02/2025"]]))
    _open(page, server, "data_transfer")
    _upload_inventory(page, bad)
    page.get_by_text("1. Their columns → our fields").wait_for()
    page.get_by_text("Rows are matched to existing records by Name").wait_for()
    press(page, "Check (dry run: nothing is saved)", "Nothing can be imported")
    page.get_by_text("'01/02/2025' is ambiguous (1 February or 2 January?)").wait_for(
        state="attached")
    page.screenshot(path=str(SHOTS / "import_dry_run_refused.png"), full_page=True)
    assert page.get_by_role("button", name="Import 2 rows").count() == 0

    good = tmp_path / "inventory-fixed.xlsx"
    good.write_bytes(_workbook([
        ["Fraud Sentinel", "Ben Okafor", "built", "Operation", "Minimal", "2025-02-01"],
        ["Invoice Reader", "Lena Novak", "bought", "Deployment", "Minimal", "2025-12-31"]]))
    _upload_inventory(page, good)
    page.get_by_role("button", name="Check (dry run: nothing is saved)").click()
    page.get_by_role("button", name="Import 2 rows").wait_for(timeout=30_000)
    settle(page)
    page.screenshot(path=str(SHOTS / "import_dry_run_ok.png"), full_page=True)
    press(page, "Import 2 rows", "2 added")

    server.stop()
    con = duckdb.connect(str(server.db_path), read_only=True)
    added = con.execute("SELECT name, lifecycle_stage, created_on FROM ai_systems WHERE name "
                        "IN ('Fraud Sentinel', 'Invoice Reader') ORDER BY name").fetchall()
    layouts = con.execute("SELECT register, saved_by FROM import_layouts WHERE headers_json "
                          "= ?", [json.dumps(HEADERS)]).fetchall()
    authors = con.execute("SELECT DISTINCT changed_by FROM change_log WHERE table_name = "
                          "'ai_systems' AND row_id > 12").fetchall()
    con.close()
    assert [(n, s) for n, s, _ in added] == [("Fraud Sentinel", "operation"),
                                             ("Invoice Reader", "deployment")]
    assert str(added[1][2]) == "2025-12-31"
    assert layouts == [("ai_systems", "Sarah Klein")] and authors == [("Sarah Klein",)]
