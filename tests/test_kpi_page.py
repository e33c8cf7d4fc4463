"""The KPI page through AppTest: filters, trends against thresholds, snapshot, a new value
that breaches red, and the Overview's "KPIs in red"."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from aims_core.auth.actor import Actor
from aims_core.bootstrap import open_database
from aims_core.config import database_path
from aims_core.inventory.revalidation import revalidation_schedule
from aims_core.records.writes import RowChange, apply_changes
from aims_core.ui.session import get_db, today
from aims_core.ui.text import md_unescape
from tests.apptest_kit import open_page, run_app

on_demo = pytest.mark.usefixtures("demo_path")


def open_kpis(name: str | None = None) -> AppTest:
    return open_page("pages/kpis.py", name)


def tile_names(at: AppTest) -> list[str]:
    """Names on the sparkline tiles (the four status-count tiles come first)."""
    return sorted(m.label.replace("\\", "") for m in at.metric[4:])


def trends(at: AppTest) -> dict | None:
    """The one trend chart's spec (its panels are the KPIs of the page), if drawn."""
    charts = at.get("plotly_chart")
    return json.loads(charts[0].proto.spec) if charts else None


def panels(spec: dict | None) -> list[str]:
    """Each panel's title (the KPI's name, escaped for Plotly), in order."""
    if spec is None:
        return []
    return [a["text"].split("</b>")[0].removeprefix("<b>") for a in spec["layout"]["annotations"]
            if a["text"].startswith("<b>")]


def open_tab(at: AppTest, label: str) -> AppTest:
    """Switch the KPI page's tabs (each tab runs only while it is open)."""
    at.session_state["kpis_tab"] = label
    at.run()
    assert not at.exception, at.exception
    return at


@on_demo
def test_demo_trends_cover_18_months_against_thresholds() -> None:
    at = open_kpis()
    assert at.selectbox(key="kpis_period").value == "Last 18 months"
    assert len(at.get("plotly_chart")) == 1  # one chart: a panel per KPI of the page
    spec = trends(at)
    assert len(panels(spec)) == 8  # one page of trends, red first
    line = next(t for t in spec["data"] if t["xaxis"] == "x" and t["mode"] == "lines")
    assert len(line["x"]) >= 18
    markers = [t for t in spec["data"] if t["xaxis"] == "x" and t["mode"] == "markers"]
    assert sum(len(t["x"]) for t in markers) == len(line["x"])  # every point, its status
    first = [s for s in spec["layout"]["shapes"] if s["xref"] == "x domain"]
    assert len([s for s in first if s["type"] == "rect"]) == 3  # red, amber, green bands
    labels = {a["text"] for a in spec["layout"]["annotations"] if a.get("yref") == "y"}
    assert {"red", "amber", "green"} <= labels and any(t.startswith("target ") for t in labels)
    red = get_db().scalar("SELECT count(*) FROM kpis k WHERE (SELECT arg_max(value, "
                          "measured_on) FROM kpi_measurements WHERE kpi_id = k.id) "
                          "> k.red_threshold AND direction = 'lower' OR (SELECT "
                          "arg_max(value, measured_on) FROM kpi_measurements WHERE kpi_id = "
                          "k.id) < k.red_threshold AND direction = 'higher'")
    assert at.metric[0].label == "✖ Red: breach" and at.metric[0].value == str(red)
    objectives = at.dataframe[0].value
    assert len(objectives) == 4 and objectives["kpis"].sum() == 10
    assert objectives["red"].sum() == red  # each demo KPI serves one objective


@on_demo
def test_filter_by_ai_system_and_objective() -> None:
    at = open_kpis()
    db = get_db()
    system = int(db.scalar("SELECT id FROM ai_systems WHERE name = 'CreditLens credit scoring'"))
    at.multiselect(key="kpis_system").set_value([system]).run()
    expected = sorted(r[0] for r in db.query_rows(
        "SELECT name FROM kpis WHERE ai_system_id = ?", [system]))
    assert tile_names(at) == expected and sorted(panels(trends(at))) == expected

    at.multiselect(key="kpis_system").set_value([]).run()
    objective = int(db.scalar("SELECT id FROM objectives WHERE title LIKE 'Fair outcomes%'"))
    at.multiselect(key="kpis_objective").set_value([objective]).run()
    expected = sorted(r[0] for r in db.query_rows(
        "SELECT k.name FROM kpis k JOIN objective_kpis l ON l.kpi_id = k.id "
        "WHERE l.objective_id = ?", [objective]))
    assert tile_names(at) == expected

    at.multiselect(key="kpis_system").set_value([system]).run()  # both: no KPI matches
    assert trends(at) is None
    assert any("No KPI matches" in i.value for i in at.info)


@on_demo
def test_snapshot_button_twice_keeps_one_value_a_day() -> None:
    at = open_kpis("Sarah Klein")
    for _ in range(2):
        at.button(key="kpis_snapshot").click().run()
        assert not at.exception, at.exception
        assert any(": 4 computed KPIs (" in md_unescape(s.value) for s in at.success)
    assert get_db().scalar("SELECT max(n) FROM (SELECT count(*) AS n FROM kpi_measurements "
                           "GROUP BY kpi_id, measured_on)") == 1


@on_demo
def test_entered_red_value_makes_system_due_and_shows_on_overview() -> None:
    db = get_db()
    kpi_id, system = db.query_rows("SELECT id, ai_system_id FROM kpis "
                                   "WHERE name = 'CreditLens AUC'")[0]
    at = open_tab(open_kpis("Priya Shah"), "Enter values")
    at.selectbox(key="kpi_values_kpi").set_value(kpi_id).run()
    epoch = at.session_state["_table_kpi_values"]["epoch"]
    at.session_state[f"kpi_values_editor_{epoch}"] = {
        "edited_rows": {}, "deleted_rows": [],
        "added_rows": [{"measured_on": str(today()), "value": 0.61, "note": "after outage"}]}
    at.button(key="kpi_values_save").click().run()
    assert not at.exception, at.exception
    assert any("1 added" in s.value for s in at.success), [e.value for e in at.error]
    assert db.scalar("SELECT source FROM kpi_measurements WHERE kpi_id = ? AND "
                     "measured_on = ?", [kpi_id, today()]) == "entered"

    schedule = revalidation_schedule(db, today())
    row = schedule[schedule["ai_system_id"] == system].iloc[0]
    assert bool(row["due_now"]) and 'KPI "CreditLens AUC" is beyond its red' in row["reason"]

    at.query_params["overview_tab"] = "KPIs in red"  # the Overview's detail, one click away
    at.switch_page("pages/overview.py").run()
    assert not at.exception, at.exception
    red = next(d for d in at.dataframe if "red_threshold" in d.value.columns).value
    assert "CreditLens AUC" in set(red["name"])
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["KPIs in red"] == str(len(red))


@on_demo
def test_system_detail_lists_its_kpis_with_status() -> None:
    at = run_app()
    at.switch_page("pages/ai_systems.py").run()
    system = int(get_db().scalar("SELECT id FROM ai_systems WHERE name = 'CreditLens credit "
                                 "scoring'"))
    at.selectbox(key="system_detail_choice").set_value(system).run()
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "status_text" in d.value.columns)
    assert dict(zip(table["name"], table["status_text"], strict=True)) == {
        "CreditLens population stability (PSI)": "✖ Red: breach",
        "CreditLens AUC": "● Green: on track"}


def _add_row(at: AppTest, table: str, row: dict) -> None:
    epoch = at.session_state[f"_table_{table}"]["epoch"]
    at.session_state[f"{table}_editor_{epoch}"] = {"edited_rows": {}, "deleted_rows": [],
                                                   "added_rows": [row]}
    at.button(key=f"{table}_save").click().run()
    assert not at.exception, at.exception
    assert any("1 added" in s.value for s in at.success), [e.value for e in at.error]


@pytest.mark.usefixtures("empty_path")
def test_first_kpi_objective_and_link_on_an_empty_organisation() -> None:
    with open_database(database_path()) as db:
        assert apply_changes(db, "organisation", [RowChange("insert", {
            "name": "New Co"})], Actor("Ana")).ok
    at = open_tab(open_kpis("Ana"), "KPI definitions & objectives")
    assert any("No KPIs yet" in i.value for i in at.info)
    _add_row(at, "kpi_definitions", {"name": "Model accuracy", "kind": "measured",
                                     "direction": "higher", "target": 0.9,
                                     "amber_threshold": 0.85, "red_threshold": 0.8})
    _add_row(at, "objectives", {"title": "Accurate models", "owner": "Ana",
                                "status": "planned"})
    _add_row(at, "objective_kpis", {"objective_id": 1, "kpi_id": 1})
    at.multiselect(key="kpis_objective").set_value([1]).run()
    at = open_tab(at, "Trends")
    assert tile_names(at) == ["Model accuracy"]
    assert at.metric[3].value == "1"  # no data yet
