"""The Schedule and the Overview's due panel through AppTest: tiles follow "only mine" and
the kinds chosen, the table is paged, and every figure equals the unpaged truth."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from aims_core.dashboard.schedule import DueFilter
from aims_core.ui.session import get_db, today
from aims_core.ui.views.overview import DUE_SHOWN
from tests.apptest_kit import fresh_caches, open_page, point_at_generated, run_app
from tests.html_kit import chart, table_rows
from tests.schedule_truth import every_due_date, filtered


def _tiles(at: AppTest) -> dict[str, int]:
    return {m.label: int(m.value) for m in at.metric}


def _expected_tiles(frame: pd.DataFrame) -> dict[str, int]:
    upcoming = frame[~frame["overdue"]]
    return {"Overdue": int(frame["overdue"].sum()),
            "Due in the next 7 days": int((upcoming["due_on"] <= today()
                                           + timedelta(days=7)).sum()),
            "Due in the next 30 days": int((upcoming["due_on"] <= today()
                                            + timedelta(days=30)).sum())}


@pytest.mark.usefixtures("demo_path")
def test_tiles_follow_only_mine_and_the_kinds_chosen() -> None:
    at = open_page("pages/schedule.py", "Tom Becker")
    truth = every_due_date(get_db(), today())
    assert _tiles(at) == _expected_tiles(truth)  # the whole organisation by default
    at.toggle(key="schedule_mine").set_value(True).run()
    mine = filtered(truth, today(), DueFilter(owner="Tom Becker"), listed=False)
    assert _tiles(at) == _expected_tiles(mine) and len(mine) < len(truth)
    at.multiselect(key="schedule_kinds").set_value(["Risk review"]).run()
    reviews = filtered(truth, today(), DueFilter(kinds=("Risk review",), owner="Tom Becker"),
                       listed=False)
    assert _tiles(at) == _expected_tiles(reviews)
    assert any("your own items" in c.value for c in at.caption)


@pytest.fixture
def generated_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    yield point_at_generated(tmp_path / "generated.duckdb", 120, monkeypatch)
    fresh_caches()


@pytest.mark.usefixtures("generated_path")
def test_schedule_table_is_paged_and_equals_the_truth() -> None:
    at = run_app()
    at.switch_page("pages/schedule.py").run()
    at.selectbox(key="schedule_horizon").set_value("Everything").run()
    truth = every_due_date(get_db(), today())
    pages = -(-len(truth) // 50)
    assert pages >= 3
    shown = at.dataframe[0].value
    assert list(shown["item"]) == list(truth["item"].head(50))
    assert f"Showing 1–50 of {len(truth)}, overdue first" in [c.value for c in at.caption]
    at.number_input(key=f"schedule_page_of_{pages}").set_value(2).run()
    assert not at.exception, at.exception
    shown = at.dataframe[0].value
    assert list(shown["link"]) == list(truth["link"].iloc[50:100])
    assert list(shown["due_on"]) == list(truth["due_on"].iloc[50:100])


@pytest.mark.usefixtures("generated_path")
def test_overview_due_panel_counts_and_first_rows_equal_the_truth() -> None:
    at = run_app()
    soon = filtered(every_due_date(get_db(), today()), today(), DueFilter(horizon=30))
    by_kind = table_rows(chart(at, "All due"))  # under the first rows, "By kind"
    expected = soon.groupby("kind").agg(overdue=("overdue", "sum"), items=("item", "size"))
    assert {r["What"]: int(r["All due"]) for r in by_kind} == expected["items"].to_dict()
    assert {r["What"]: int(r["Overdue"]) for r in by_kind} == expected["overdue"].to_dict()
    first = table_rows(chart(at, "Owner"))
    assert [r["Item"] for r in first] == list(soon["item"].head(DUE_SHOWN))
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Validations overdue"] == str(int(expected.loc["Re-validation", "overdue"]))
    links = [link.proto.label for link in at.get("page_link")]
    assert f"All {len(soon)} in the schedule" in links
