"""The Change history page through AppTest: filters equal the history's own counts, and a
register as of a date shows as many rows as the rebuild."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from aims_core.jobs.daily import app_zone
from aims_core.records import history
from aims_core.ui.session import get_db
from tests.apptest_kit import open_page
from tests.conftest import TODAY


def test_filters_and_counts(demo_path: Path) -> None:
    at = open_page("pages/history.py", "Sarah Klein")
    db = get_db()
    total = history.count(db, history.HistoryFilter())
    assert any(f"of {total:,} changes" in c.value for c in at.caption)
    at.multiselect(key="history_tables").select("risks").run()
    at.multiselect(key="history_people").select("Priya Shah").run()
    expected = history.count(db, history.HistoryFilter(tables=("risks",),
                                                       people=("Priya Shah",)))
    assert expected > 0
    assert any(f"of {expected:,} changes" in c.value for c in at.caption)
    shown = at.dataframe[0].value
    assert set(shown["changed_by"]) == {"Priya Shah"} and len(shown) == min(50, expected)
    at.text_input(key="history_record").input("no such record anywhere").run()
    assert any("No change matches" in w.value for w in at.warning)


def test_a_register_as_of_a_date(demo_path: Path) -> None:
    at = open_page("pages/history.py", "Sarah Klein")
    day = TODAY - timedelta(days=200)
    at.selectbox(key="asof_table").set_value("risks")
    at.date_input(key="asof_day").set_value(day).run()
    assert not at.exception, at.exception
    rows = history.as_of_count(get_db(), "risks", history.end_of_day(day, app_zone()))
    assert 0 < rows < get_db().scalar("SELECT count(*) FROM risks")
    assert any(f"Risk: {rows:,} rows at the end of {day:%d %b %Y}" in c.value
               for c in at.caption)
    assert len(at.dataframe[-1].value) == rows
