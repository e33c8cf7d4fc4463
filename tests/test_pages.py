"""Page logic through Streamlit's AppTest, on the demo organisation and on an empty one."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from aims_core.compliance.soa import SOA_ROWS_SQL
from aims_core.risk.risk_method import RATED_RISKS_SQL
from aims_core.ui.navigation import all_pages
from aims_core.ui.session import get_db
from aims_core.ui.session import today as session_today
from aims_core.ui.text import md_unescape
from tests.apptest_kit import ROOT, fresh_caches, open_page, point_at_generated, run_app
from tests.html_kit import chart, matrix_cells, table_rows
from tests.schedule_truth import every_due_date

PAGES = [spec.path for spec in all_pages()]










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
    fresh_caches()
    at = run_app()
    assert path.exists()
    assert at.metric[0].value == "12"
    fresh_caches()


def test_overview_tiles_equal_sql(demo_path: Path) -> None:
    at = run_app()
    tiles = {m.label: m.value for m in at.metric}
    con = get_db()
    assert tiles["AI systems in scope"] == str(con.scalar(
        "SELECT count(*) FROM ai_systems WHERE lifecycle_stage <> 'retired'"))
    implemented = con.scalar(  # implemented, evidence current, reviewed within 12 months,
        # no open major nonconformity against it
        "SELECT round(100.0 * count(*) FILTER (WHERE implementation_status = 'implemented' "
        "AND NOT coalesce(evidence_expiry < $today OR last_reviewed < $today - INTERVAL 12 "
        "MONTH, FALSE) AND control_id NOT IN (SELECT requirement_id FROM nonconformities "
        "WHERE grade = 'major' AND status NOT IN ('closed', 'closed_not_effective'))) "
        f"/ count(*)) FROM ({SOA_ROWS_SQL}) WHERE applicable", {"today": session_today()})
    assert tiles["SoA implemented"] == f"{implemented:.0f} %"
    high = con.scalar(
        "SELECT count(*) FROM risks r JOIN risk_level_grid g ON "
        "g.likelihood = coalesce(r.residual_likelihood, r.inherent_likelihood) AND "
        "g.impact = coalesce(r.residual_impact, r.inherent_impact) "
        "WHERE r.status IN ('open', 'treating') AND g.level_band IN ('High', 'Critical')")
    assert tiles["High & critical open"] == str(high)
    assert int(tiles["Validations overdue"]) >= 1
    red = con.scalar("SELECT count(*) FROM (SELECT k.red_threshold, k.direction, "
                     "arg_max(m.value, m.measured_on) AS v FROM kpis k JOIN kpi_measurements m "
                     "ON m.kpi_id = k.id GROUP BY ALL) WHERE CASE direction WHEN 'higher' "
                     "THEN v < red_threshold ELSE v > red_threshold END")
    assert tiles["KPIs in red"] == str(red)


def test_overview_heatmap_due_list_and_changes_equal_sql(demo_path: Path) -> None:
    at = run_app()
    con = get_db()
    shown = {cell: n for cell, n in matrix_cells(chart(at, "data-likelihood")).items() if n}
    stored = {(lik, imp): n for lik, imp, n in con.query_rows(
        "SELECT residual_likelihood, residual_impact, count(*) FROM risks "
        "WHERE status <> 'closed' AND residual_likelihood IS NOT NULL GROUP BY ALL")}
    assert shown == stored
    by_kind = table_rows(chart(at, "All due"))  # under the list, in "By kind"
    items = every_due_date(con, session_today())
    soon = items[items["overdue"] | (items["due_on"] <= session_today() + timedelta(days=30))]
    assert sum(int(r["All due"]) for r in by_kind) == len(soon)
    assert sum(int(r["Overdue"]) for r in by_kind) == items["overdue"].sum()
    listed = table_rows(chart(at, "Owner"))
    assert len(listed) == 5 and all(r["Status"] == "Overdue" for r in listed)
    last_review = con.scalar("SELECT max(review_date) FROM management_reviews "
                             "WHERE status <> 'planned'")  # held or signed, not planned
    at.query_params["overview_tab"] = "Changed since the last review"  # one click away
    at.run()
    assert f"({last_review:%d %b %Y})" in " ".join(h.value for h in at.subheader)
    changes = at.dataframe[0].value
    expected = con.scalar("SELECT count(*) FROM change_log WHERE CAST(changed_at AS DATE) > ?",
                          [last_review])
    assert int(changes[["added", "changed", "removed"]].to_numpy().sum()) == expected > 0


def test_overview_tiles_open_the_matching_filters(demo_path: Path) -> None:
    at = run_app()
    links = {link.proto.label: link.proto for link in at.get("page_link")}
    risks_link = links["These risks"]
    assert risks_link.page.endswith("risks") or "risks" in risks_link.page
    assert "risks_level=High" in risks_link.query_string and \
        "risks_level=Critical" in risks_link.query_string
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["risks_level"] = ["High", "Critical"]
    at.query_params["risks_status"] = ["Open", "In treatment"]
    at.switch_page("pages/risks.py").run()
    assert at.multiselect(key="risks_level").value == ["High", "Critical"]
    high = get_db().scalar(f"SELECT count(*) FROM ({RATED_RISKS_SQL}) WHERE is_open "
                           "AND current_level IN ('High', 'Critical')")
    assert f"of {high} matching risks" in " ".join(c.value for c in at.caption)




def _open_systems(name: str | None = "Priya Shah") -> AppTest:
    return open_page("pages/ai_systems.py", name)


def _save(at: AppTest, state: dict, editor: str = "ai_systems_editor_0") -> AppTest:
    at.session_state[editor] = {"edited_rows": {}, "added_rows": [], "deleted_rows": [],
                                **state}
    at.button(key="ai_systems_save").click().run()
    assert not at.exception, at.exception
    return at


def _shown_ids(at: AppTest) -> list[int]:
    return [int(i) for i in at.session_state["_table_ai_systems"]["frame"]["id"]]


def test_filter_by_owner_and_stage(demo_path: Path) -> None:
    at = _open_systems(None)
    at.multiselect(key="systems_owner").set_value(["Priya Shah"]).run()
    expected = get_db().query_rows("SELECT id FROM ai_systems WHERE owner = 'Priya Shah' "
                                   "ORDER BY id")
    assert _shown_ids(at) == [r[0] for r in expected]
    at.multiselect(key="systems_stage").set_value(["operation"]).run()
    expected = get_db().query_rows("SELECT id FROM ai_systems WHERE owner = 'Priya Shah' "
                                   "AND lifecycle_stage = 'operation' ORDER BY id")
    assert _shown_ids(at) == [r[0] for r in expected]


def test_overdue_filter_lists_the_schedule_overdue(demo_path: Path) -> None:
    from aims_core.inventory.revalidation import revalidation_schedule
    from aims_core.ui.session import today

    at = _open_systems(None)
    at.toggle(key="systems_overdue").set_value(True).run()
    schedule = revalidation_schedule(get_db(), today())
    assert sorted(_shown_ids(at)) == sorted(int(i) for i in
                                            schedule.loc[schedule["overdue"], "ai_system_id"])


def test_edit_in_place_is_saved_and_logged(demo_path: Path) -> None:
    at = _open_systems()
    at = _save(at, {"edited_rows": {0: {"owner": "Julia Hart"}}})
    assert any("1 updated" in s.value for s in at.success)
    db = get_db()
    assert db.scalar("SELECT owner FROM ai_systems WHERE id = 1") == "Julia Hart"
    assert db.scalar("SELECT changed_by FROM change_log ORDER BY id DESC LIMIT 1") == "Priya Shah"


def test_add_a_system_gets_a_due_date(demo_path: Path) -> None:
    at = _open_systems()
    at = _save(at, {"added_rows": [{"name": "Invoice classifier", "owner": "Priya Shah",
                                    "sourcing": "built", "lifecycle_stage": "operation",
                                    "eu_ai_act_category": "minimal"}]})
    assert any("1 added" in s.value for s in at.success), [s.value for s in at.success]
    from aims_core.inventory.revalidation import revalidation_schedule
    from aims_core.ui.session import today

    new_id = get_db().scalar("SELECT id FROM ai_systems WHERE name = 'Invoice classifier'")
    schedule = revalidation_schedule(get_db(), today())
    row = schedule[schedule["ai_system_id"] == new_id].iloc[0]
    assert bool(row["overdue"]) and row["reason"] == "Never validated"


def test_bad_edit_names_row_and_field_and_keeps_nothing(demo_path: Path) -> None:
    at = _open_systems()
    at = _save(at, {"edited_rows": {1: {"lifecycle_stage": "retired"}}})
    assert at.error, "expected an error message"
    assert "AI system 2 ('TalentSift CV screening'), field 'Retired on'" in \
        md_unescape(at.error[0].value)
    assert get_db().scalar("SELECT lifecycle_stage FROM ai_systems WHERE id = 2") == "operation"


def test_retire_with_a_date(demo_path: Path) -> None:
    at = _open_systems()
    at = _save(at, {"edited_rows": {1: {"lifecycle_stage": "retired",
                                        "retired_on": "2026-11-20"}}})
    assert any("1 updated" in s.value for s in at.success)
    row = get_db().query_rows("SELECT lifecycle_stage, retired_on FROM ai_systems WHERE id = 2")
    assert row[0][0] == "retired" and str(row[0][1]) == "2026-11-20"
    assert get_db().scalar("SELECT count(*) FROM ai_systems") == 12  # nothing deleted


def test_no_name_no_edit(demo_path: Path) -> None:
    at = _open_systems(None)
    assert at.button(key="ai_systems_save").disabled


def _open_detail(at: AppTest, system_name: str) -> int:
    system_id = int(get_db().scalar("SELECT id FROM ai_systems WHERE name = ?", [system_name]))
    at.selectbox(key="system_detail_choice").set_value(system_id).run()
    assert not at.exception, at.exception
    return system_id


def test_recording_a_validation_moves_the_due_date(demo_path: Path) -> None:
    from aims_core.inventory.revalidation import revalidation_schedule
    from aims_core.ui.session import today

    at = _open_systems()
    overdue = revalidation_schedule(get_db(), today())
    name = get_db().scalar("SELECT name FROM ai_systems WHERE id = ?", [int(
        overdue.loc[overdue["overdue"] & (overdue["reason"] != "Never validated"),
                    "ai_system_id"].iloc[0])])
    system_id = _open_detail(at, name)
    prefix = f"validation_{system_id}"
    at.text_input(key=f"{prefix}_method").input("Hold-out test set")
    at.selectbox(key=f"{prefix}_result").set_value("pass")
    at.button(key=f"FormSubmitter:{prefix}-Save validation").click().run()
    assert not at.exception, at.exception
    assert any("Validation saved" in s.value for s in at.success), [e.value for e in at.error]
    row = revalidation_schedule(get_db(), today()).set_index("ai_system_id").loc[system_id]
    assert not bool(row["overdue"])


def test_heatmap_cell_click_filters_the_register(demo_path: Path) -> None:
    import json as _json

    at = run_app()
    at.switch_page("pages/risks.py").run()
    chart = _json.loads(at.get("plotly_chart")[0].proto.spec)
    residual = next(t for t in chart["data"] if t["name"] == "residual")
    cells = list(zip(residual["customdata"], residual["text"], strict=True))
    (view, likelihood, impact), _ = max(
        cells, key=lambda c: int(c[1].split("</b>")[0].removeprefix("<b>"))
        if c[1].startswith("<b>") else 0)
    at.session_state["risk_matrix_0"] = {"selection": {"points": [
        {"customdata": [view, likelihood, impact]}], "point_indices": [], "box": [],
        "lasso": []}}
    at.run()
    assert not at.exception, at.exception
    shown = sorted(int(i) for i in at.session_state["_table_risks"]["frame"]["id"])
    expected = [r[0] for r in get_db().query_rows(
        "SELECT id FROM risks WHERE residual_likelihood = ? AND residual_impact = ? "
        "AND status <> 'closed' ORDER BY id", [likelihood, impact])]
    assert shown == expected and len(expected) > 1
    at.button(key="risks_clear_cell").click().run()
    assert len(at.session_state["_table_risks"]["frame"]) == get_db().scalar(
        "SELECT count(*) FROM risks")


def test_recording_an_acceptance_sets_the_risk_accepted(demo_path: Path) -> None:
    at = run_app()
    at.switch_page("pages/risks.py").run()
    at.sidebar.selectbox(key="identity_name").set_value("Sarah Klein").run()
    risk_id = int(get_db().scalar("SELECT min(id) FROM risks WHERE status = 'treating'"))
    at.selectbox(key="risks_detail_choice").set_value(risk_id).run()
    prefix = f"acceptance_{risk_id}"
    at.text_area(key=f"{prefix}_0_justification").input(
        "Residual within tolerance after retraining")
    at.button(key=f"{prefix}_record").click().run()
    assert not at.exception, at.exception
    assert any("Acceptance recorded" in s.value for s in at.success), \
        [e.value for e in at.error]
    assert get_db().scalar("SELECT status FROM risks WHERE id = ?", [risk_id]) == "accepted"


def test_linking_controls_to_a_risk(demo_path: Path) -> None:
    at = run_app()
    at.switch_page("pages/risks.py").run()
    at.sidebar.selectbox(key="identity_name").set_value("Sarah Klein").run()
    at.selectbox(key="risks_detail_choice").set_value(1).run()
    at.multiselect(key="risk_controls_1").set_value(["A.6.2.4", "A.7.4"]).run()
    at.button(key="risk_controls_1_save").click().run()
    assert any("Treating controls saved" in s.value for s in at.success)
    assert [r[0] for r in get_db().query_rows(
        "SELECT control_id FROM risk_controls WHERE risk_id = 1 ORDER BY 1")] == \
        ["A.6.2.4", "A.7.4"]


def test_raise_an_impact_as_a_risk_on_the_page(demo_path: Path) -> None:
    at = run_app()
    at.switch_page("pages/impact_assessments.py").run()
    at.sidebar.selectbox(key="identity_name").set_value("Sarah Klein").run()
    assessment = int(at.selectbox(key="impact_open").value)
    at.button(key=f"raise_{assessment}_go").click().run()
    assert not at.exception, at.exception
    assert any("Raised as risk" in s.value for s in at.success), [e.value for e in at.error]


def test_risk_method_page_shrinks_the_matrix(demo_path: Path) -> None:
    at = run_app()
    at.switch_page("pages/risk_method.py").run()
    at.sidebar.selectbox(key="identity_name").set_value("Sarah Klein").run()
    at.number_input(key="method_size_v1").set_value(4).run()
    assert any("clamps the ratings" in w.value for w in at.warning)
    at.button(key="method_save").click().run()
    assert not at.exception, at.exception
    assert any("Risk method saved" in s.value for s in at.success), [e.value for e in at.error]
    assert get_db().scalar("SELECT max(inherent_likelihood) FROM risks") == 4


def test_schedule_filters_by_horizon_kind_and_owner(demo_path: Path) -> None:
    from aims_core.ui.session import today

    at = run_app()
    at.switch_page("pages/schedule.py").run()
    at.sidebar.selectbox(key="identity_name").set_value("Tom Becker").run()
    items = every_due_date(get_db(), today())
    assert at.metric[0].value == str(int(items["overdue"].sum()))
    at.selectbox(key="schedule_horizon").set_value("Overdue only").run()
    shown, overdue = at.dataframe[0].value, items[items["overdue"]]
    assert list(shown["item"]) == list(overdue["item"][:50])  # the first page of 50
    assert set(shown["status"]) == {"Overdue"}
    assert f"Showing 1–{len(shown)} of {len(overdue)}, overdue first" in \
        [c.value for c in at.caption]
    at.selectbox(key="schedule_horizon").set_value("Everything").run()
    at.multiselect(key="schedule_kinds").set_value(["Risk review"]).run()
    at.toggle(key="schedule_mine").set_value(True).run()
    shown = at.dataframe[0].value
    expected = items[(items["kind"] == "Risk review") & (items["owner"] == "Tom Becker")]
    assert list(shown["item"]) == list(expected["item"]) and len(expected) >= 1


def test_long_registers_are_paged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    point_at_generated(tmp_path / "scale.duckdb", 250, monkeypatch)
    at = run_app()
    at.switch_page("pages/ai_systems.py").run()
    picker = at.number_input(key="systems_page_of_3")
    assert picker.label == "Page (of 3)"
    picker.set_value(3).run()
    assert "Showing 201–250 of 250 matching AI systems" in [c.value for c in at.caption]
    at.switch_page("pages/risks.py").run()
    total = get_db().scalar("SELECT count(*) FROM risks")
    pages = -(-total // 100)
    at.number_input(key=f"risks_page_of_{pages}").set_value(pages).run()
    assert not at.exception, at.exception
    first = (pages - 1) * 100 + 1
    assert f"Showing {first}–{total} of {total} matching risks" in [c.value for c in at.caption]
    fresh_caches()
