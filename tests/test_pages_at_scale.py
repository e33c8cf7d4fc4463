"""Pages on a large organisation cost what they show: pickers search instead of listing
every AI system, tables are paged, downloads are built only when pressed, trend charts are
decimated. (AppTest on a generated organisation of 250 systems; the speed itself is
measured by benchmarks/scale.py, never asserted.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from aims_core.bootstrap import generate_into, init_database
from aims_core.compliance import soa
from aims_core.dashboard import my_work
from aims_core.inventory import exports
from aims_core.performance.kpis import kpi_status
from aims_core.ui.charts import stretches
from aims_core.ui.pickers import LIST_ALL
from aims_core.ui.session import get_db
from tests.apptest_kit import ROOT, fresh_caches, open_page, run_app

SYSTEMS = 250
assert SYSTEMS > LIST_ALL


@pytest.fixture(scope="module")
def large_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("large") / "large.duckdb"
    db = init_database(path, "empty")
    generate_into(db, SYSTEMS)
    db.close()
    return path


@pytest.fixture
def large(large_file: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("AIMS_DB", str(large_file))
    fresh_caches()
    yield large_file
    fresh_caches()


def _late_system() -> tuple[int, str]:
    """A system whose name sorts far beyond the first page of names."""
    row = get_db().query_rows("SELECT id, name FROM ai_systems ORDER BY name DESC LIMIT 1")
    return int(row[0][0]), str(row[0][1])


def _refuse(*_: object) -> None:
    raise AssertionError("a download was built although nobody pressed its button")


@pytest.mark.usefixtures("large")
def test_inventory_downloads_are_built_only_when_pressed(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    monkeypatch.setattr(exports, "inventory", _refuse)
    at = open_page("pages/ai_systems.py", "Priya Shah")  # a person who may export
    assert not at.exception, at.exception
    buttons = {b.proto.label: b.proto for b in at.get("download_button")}
    assert buttons["Inventory as CSV"].deferred_file_id
    assert buttons["Inventory as Excel"].deferred_file_id


@pytest.mark.usefixtures("large")
def test_soa_export_is_built_only_when_pressed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(soa, "export_frame", _refuse)
    at = open_page("pages/soa.py", "Priya Shah")
    assert not at.exception, at.exception
    buttons = at.get("download_button")
    assert buttons and all(b.proto.deferred_file_id for b in buttons)


@pytest.mark.usefixtures("large")
def test_system_picker_searches_and_a_link_still_opens_its_system() -> None:
    at = open_page("pages/ai_systems.py", None)
    choice = at.selectbox(key="system_detail_choice")
    assert len(choice.options) <= 50  # the first names, not all 250
    late_id, late_name = _late_system()
    at.text_input(key="system_detail_find").input(late_name).run()
    assert at.selectbox(key="system_detail_choice").options == [late_name]
    linked = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    linked.query_params["system"] = str(late_id)
    linked.switch_page("pages/ai_systems.py").run()
    assert not linked.exception, linked.exception
    assert linked.selectbox(key="system_detail_choice").value == late_id


@pytest.mark.usefixtures("large")
def test_kpi_filter_searches_and_a_shared_link_names_any_system() -> None:
    late_id, late_name = _late_system()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["kpis_system"] = late_name  # a link names a system beyond the first 50
    at.switch_page("pages/kpis.py").run()
    assert not at.exception, at.exception
    assert at.multiselect(key="kpis_system").value == [late_id]
    expected = get_db().query_rows("SELECT name FROM kpis WHERE ai_system_id = ?", [late_id])
    assert f"{len(expected)} KPIs match, red first" in [c.value for c in at.caption]
    assert at.text_input(key="kpis_system_find")  # a search box, not 250 names
    assert len(at.multiselect(key="kpis_system").options) <= 52


@pytest.mark.usefixtures("large")
def test_kpi_table_is_paged_red_first() -> None:
    at = run_app()
    at.switch_page("pages/kpis.py").run()
    everything = kpi_status(get_db())
    pages = -(-len(everything) // 50)
    assert pages >= 3
    table = next(d.value for d in at.dataframe if "status_text" in d.value.columns)
    assert list(table["name"]) == list(everything["name"].head(50))
    at.number_input(key=f"kpis_table_of_{pages}").set_value(pages).run()
    table = next(d.value for d in at.dataframe if "status_text" in d.value.columns)
    assert list(table["name"]) == list(everything["name"].iloc[(pages - 1) * 50:])


@pytest.mark.usefixtures("large")
def test_risk_filter_searches_and_the_system_column_offers_the_systems_listed() -> None:
    at = open_page("pages/risks.py", None)
    assert len(at.multiselect(key="risks_system").options) <= 51
    late_id, late_name = _late_system()
    at.text_input(key="risks_system_find").input(late_name).run()
    at.multiselect(key="risks_system").set_value([late_id]).run()
    assert not at.exception, at.exception
    shown = at.session_state["_table_risks"]["frame"]
    assert set(shown["ai_system_id"].dropna().astype(int)) == {late_id}


def test_a_long_series_is_summarised_keeping_breaches_and_the_latest() -> None:
    days = pd.date_range("2025-01-01", periods=1000, freq="D")
    values = 90 + np.sin(np.arange(1000) / 30.0)
    values[317] = 60.0  # one breach among a thousand values
    status = np.where(values < 80, "red", "green")
    series = pd.DataFrame({"kpi_id": 1, "measured_on": days, "value": values,
                           "status": status})
    summary = stretches(series, 60, higher_is_better=True)
    assert len(summary.mean) == len(summary.low) == len(summary.high) == 60
    assert summary.low.min() == 60.0 and summary.high.max() == values.max()
    assert np.isclose(summary.mean.mean(), values.mean(), atol=0.5)
    marked = summary.marked
    assert list(marked["value"]) == [60.0, values[-1]]  # the breach and the latest value
    assert list(marked["status"]) == ["red", "green"]
    assert stretches(series.head(120), 60, higher_is_better=True) is None  # drawn as is


@pytest.mark.usefixtures("large")
def test_my_work_offers_the_systems_of_the_rows_listed() -> None:
    at = open_page("pages/my_work.py", "Priya Shah")
    assert not at.exception, at.exception
    frame = at.session_state["_table_my_work_risks"]["frame"]
    listed = tuple(sorted({int(i) for i in frame["ai_system_id"].dropna()}))
    labels = my_work.reference_labels(get_db(), "risks", {"ai_system_id": listed})
    assert set(labels["ai_system_id"]) == set(listed) and len(listed) < SYSTEMS
    assert len(my_work.reference_labels(get_db(), "risks")["ai_system_id"]) == SYSTEMS


def test_a_column_with_many_choices_offers_those_of_the_rows_shown() -> None:
    from aims_core.ui.editable_table import offered_labels

    many = {i: f"System {i}" for i in range(1, LIST_ALL + 50)}
    few = {"a": "A", "b": "B"}
    frame = pd.DataFrame({"ai_system_id": pd.array([3, None, 7, 3], dtype="Int64"),
                          "kind": ["a", "a", "b", "a"]})
    offered, trimmed = offered_labels({"ai_system_id": many, "kind": few}, frame)
    assert offered == {"ai_system_id": {3: "System 3", 7: "System 7"}, "kind": few}
    assert trimmed == ["ai_system_id"]


@pytest.mark.usefixtures("large")
def test_incident_pickers_search_and_the_table_offers_the_systems_listed() -> None:
    at = open_page("pages/incidents.py", "Priya Shah")
    assert not at.exception, at.exception
    assert len(at.multiselect(key="incidents_system").options) <= 51
    assert len(at.selectbox(key="incident_new_0_ai_system_id").options) <= 51
    late_name = _late_system()[1]
    at.text_input(key="incident_new_system_find").input(late_name).run()
    assert late_name in at.selectbox(key="incident_new_0_ai_system_id").options
    assert any("the choices offered are those of the rows listed" in c.value
               for c in at.caption)


@pytest.mark.usefixtures("large")
def test_person_columns_take_a_typed_name_in_a_large_directory(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from aims_core.ui import editable_table

    monkeypatch.setattr(editable_table, "PEOPLE_LISTED", 3)
    at = open_page("pages/suppliers.py", "Priya Shah")
    assert not at.exception, at.exception
    assert any("people: type the name as in the people directory" in c.value
               for c in at.caption)


@pytest.mark.usefixtures("large")
def test_the_evidence_document_picker_searches_a_large_register() -> None:
    from aims_core.management_system import documents

    choices = documents.choices(get_db())
    assert len(choices) > LIST_ALL  # the generated register is large enough to search
    at = open_page("pages/clauses.py", "Priya Shah")
    assert not at.exception, at.exception

    def picker() -> list[str]:  # the options as shown
        return next(s for s in at.selectbox if "_evidence_document_" in (s.key or "")).options

    assert len(picker()) < len(choices)
    label = list(choices.values())[-1]
    next(t for t in at.text_input if t.key.endswith("_evidence_document_find")) \
        .input(label).run()
    assert [o for o in picker() if o.startswith(label)]
