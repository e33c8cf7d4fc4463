"""The Backups and Jobs & API pages through AppTest: take, restore and delete backups, run a
job by hand, create and revoke API tokens; administrators only where it matters."""

from __future__ import annotations

from pathlib import Path

import pytest

from aims_core.api.tokens import authenticate
from aims_core.storage import backup
from aims_core.ui.session import get_db
from tests.apptest_kit import open_page, shown


@pytest.fixture
def backups_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("AIMS_BACKUP_DIR", str(tmp_path / "backups"))
    monkeypatch.setenv("AIMS_SETTINGS", str(tmp_path / "none.toml"))
    return tmp_path / "backups"


def test_take_restore_and_delete_a_backup(demo_path: Path, backups_dir: Path) -> None:
    at = open_page("pages/backups.py", "Sarah Klein")
    assert any("No backup yet" in i.value for i in at.info)
    at.button(key="backups_take").click().run()
    assert "taken" in shown(at.success[0].value)
    [made] = backup.list_backups(backups_dir)
    db = get_db()
    before = db.scalar("SELECT count(*) FROM change_log")
    with db.transaction() as cur:  # a change after the backup
        cur.execute("UPDATE suppliers SET provides = 'changed' WHERE id = 1")
    assert at.button(key="restore_go").disabled
    at.selectbox(key="restore_backup").set_value(made.name)
    at.checkbox(key="restore_confirm").check().run()
    at.button(key="restore_go").click().run()
    assert not at.exception, at.exception
    assert shown(at.success[0].value).startswith(f"Restored {made.name}")
    assert db.scalar("SELECT provides FROM suppliers WHERE id = 1") != "changed"
    assert db.scalar("SELECT count(*) FROM change_log") == before
    kinds = sorted(b.kind for b in backup.list_backups(backups_dir))
    assert kinds == ["manual", "pre-restore"]
    at.selectbox(key="backups_pick").set_value(made.name).run()
    at.button(key="backups_delete").click().run()
    assert [b.kind for b in backup.list_backups(backups_dir)] == ["pre-restore"]


def test_restore_is_for_administrators(demo_path: Path, backups_dir: Path) -> None:
    at = open_page("pages/backups.py", None)
    assert at.button(key="backups_take").disabled
    assert not [b for b in at.button if b.key == "restore_go"]
    assert any("to restore a backup" in shown(c.value) for c in at.caption)


def test_run_a_job_and_manage_tokens(demo_path: Path, backups_dir: Path) -> None:
    at = open_page("pages/jobs_api.py", "Sarah Klein")
    assert any("runs no scheduled jobs" in w.value for w in at.warning)
    at.button(key="jobs_run_snapshot").click().run()
    assert shown(at.success[0].value).startswith("snapshot: Snapshot of ")
    at.text_input(key="token_name").input("drift pipeline")
    at.multiselect(key="token_scopes").select("kpi:write").select("read")
    at.button(key="token_create").click().run()
    assert not at.exception, at.exception
    secret = at.code[0].value
    holder = authenticate(get_db(), secret)
    assert holder is not None and holder.scopes == {"kpi:write", "read"}
    assert holder.name == "drift pipeline"
    at.text_input(key="token_name").input("drift pipeline")
    at.multiselect(key="token_scopes").select("read")
    at.button(key="token_create").click().run()
    assert any("already exists" in shown(e.value) for e in at.error)
    at.selectbox(key="token_revoke").set_value("drift pipeline")
    at.checkbox(key="token_revoke_confirm").check().run()
    at.button(key="token_revoke_go").click().run()
    assert any("revoked" in s.value for s in at.success)
    assert authenticate(get_db(), secret) is None
    author = get_db().scalar("SELECT changed_by FROM change_log WHERE table_name = "
                             "'api_tokens' ORDER BY id DESC LIMIT 1")
    assert author == "Sarah Klein"
