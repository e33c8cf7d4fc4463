"""Page logic through Streamlit's AppTest, on the demo organisation and on an empty one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from aims_core.bootstrap import init_database
from aims_core.ui.session import get_db
from tests.conftest import TODAY

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["pages/overview.py", "pages/ai_systems.py"]


def _fresh_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def demo_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "demo.duckdb"
    init_database(path, "demo", today=TODAY).close()
    monkeypatch.setenv("AIMS_DB", str(path))
    _fresh_caches()
    yield path
    _fresh_caches()


@pytest.fixture
def empty_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "empty.duckdb"
    init_database(path, "empty").close()
    monkeypatch.setenv("AIMS_DB", str(path))
    _fresh_caches()
    yield path
    _fresh_caches()


def run_app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_on_demo(demo_path: Path, page: str) -> None:
    at = run_app()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert at.title[0].value


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_on_empty_and_guides(empty_path: Path, page: str) -> None:
    at = run_app()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert any("AI system" in info.value for info in at.info), [i.value for i in at.info]


def test_first_start_builds_demo_when_no_database(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "new" / "aims.duckdb"
    monkeypatch.setenv("AIMS_DB", str(path))
    _fresh_caches()
    at = run_app()
    assert path.exists()
    assert at.metric[0].value == "12"
    _fresh_caches()


def test_overview_tiles_equal_sql(demo_path: Path) -> None:
    at = run_app()
    tiles = {m.label: m.value for m in at.metric}
    con = get_db()
    assert tiles["AI systems in scope"] == str(con.scalar(
        "SELECT count(*) FROM ai_systems WHERE lifecycle_stage <> 'retired'"))
    implemented = con.scalar(
        "SELECT round(100.0 * count(*) FILTER (WHERE implementation_status = 'implemented') "
        "/ count(*)) FROM soa WHERE applicable")
    assert tiles["SoA controls implemented"] == f"{implemented:.0f} %"
    high = con.scalar(
        "SELECT count(*) FROM risks r JOIN risk_level_grid g ON "
        "g.likelihood = coalesce(r.residual_likelihood, r.inherent_likelihood) AND "
        "g.impact = coalesce(r.residual_impact, r.inherent_impact) "
        "WHERE r.status IN ('open', 'treating') AND g.level_band IN ('High', 'Critical')")
    assert tiles["High & critical risks open"] == str(high)
    assert int(tiles["Re-validations overdue"]) >= 1
