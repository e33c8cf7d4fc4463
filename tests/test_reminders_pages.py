"""The Reminders page through AppTest: my digest equals the domain's, settings are saved
through the write path with per-field messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from aims_core.reminders.digest import digest_for, preference
from aims_core.ui.session import get_db, today
from tests.apptest_kit import open_page, shown

PRIYA = "Priya Shah"


@pytest.fixture(autouse=True)
def no_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIMS_SETTINGS", str(tmp_path / "none.toml"))


def test_my_digest_and_settings(demo_path: Path) -> None:
    before = preference(get_db(), PRIYA)  # the demo's setting for her
    at = open_page("pages/reminders.py", PRIYA)
    digest = digest_for(get_db(), PRIYA, today())
    tiles = {m.label: m.value for m in at.metric}
    assert tiles == {"Overdue": str(digest.overdue),
                     f"Due in the next {before.horizon_days} days": str(digest.due_soon)}
    assert list(at.dataframe[0].value["item"]) == list(digest.items["item"])
    assert any("E-mail is off for this installation" in shown(c.value) for c in at.caption)
    at.number_input(key="reminders_horizon").set_value(60)
    at.text_input(key="reminders_email").input("priya at aldwick")
    at.toggle(key="reminders_email_on").set_value(True)
    at.button[0].click().run()
    assert any("E-mail address" in shown(e.value) for e in at.error)
    assert preference(get_db(), PRIYA) == before  # nothing saved
    at.text_input(key="reminders_email").input("priya.shah@aldwick.example")
    at.button[0].click().run()
    assert any("Settings saved" in s.value for s in at.success)
    saved = preference(get_db(), PRIYA)
    assert (saved.horizon_days, saved.email, saved.email_enabled) == (
        60, "priya.shah@aldwick.example", True)
    assert {m.label for m in at.metric} == {"Overdue", "Due in the next 60 days"}
