"""The Controls (SoA) and Clauses pages through AppTest: edit, filter, suggest, approve,
compare, and charts that agree with the tables."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from aims_core.compliance import soa
from aims_core.records.writes import RowChange, apply_changes
from aims_core.ui.session import get_db, today
from aims_core.ui.text import md_unescape
from tests.apptest_kit import ROOT, open_page
from tests.conftest import ANA
from tests.html_kit import bar_counts, chart


def _open(page: str, name: str | None = "Sarah Klein") -> AppTest:
    return open_page(page, name)


def _edit(at: AppTest, key: str, edited: dict) -> AppTest:
    epoch = at.session_state[f"_table_{key}"]["epoch"]
    at.session_state[f"{key}_editor_{epoch}"] = {"edited_rows": edited, "added_rows": [],
                                                 "deleted_rows": []}
    at.button(key=f"{key}_save").click().run()
    assert not at.exception, at.exception
    return at


def _shown_controls(at: AppTest) -> list[str]:
    return at.session_state["_table_soa"]["frame"]["control_id"].tolist()


@pytest.mark.usefixtures("demo_path")
def test_edit_a_control_in_place() -> None:
    at = _open("pages/soa.py")
    assert _shown_controls(at)[0] == "A.2.2"
    at = _edit(at, "soa", {0: {"owner": "Julia Hart", "implementation_status": "partial"}})
    assert any("1 updated" in s.value for s in at.success), [e.value for e in at.error]
    db = get_db()
    assert db.query_rows("SELECT owner, implementation_status FROM soa WHERE control_id = "
                         "'A.2.2'") == [("Julia Hart", "partial")]
    assert db.scalar("SELECT changed_by FROM change_log ORDER BY id DESC LIMIT 1") == \
        "Sarah Klein"


@pytest.mark.usefixtures("demo_path")
def test_clearing_a_justification_is_refused() -> None:
    at = _open("pages/soa.py")
    at = _edit(at, "soa", {1: {"justification": None}})
    assert at.error and "SoA entry 2 ('A.2.3'), field 'Justification'" in \
        md_unescape(at.error[0].value)
    assert get_db().scalar("SELECT justification FROM soa WHERE control_id = 'A.2.3'")


@pytest.mark.usefixtures("demo_path")
def test_filter_by_eu_article_and_objective() -> None:
    at = _open("pages/soa.py", None)
    at.multiselect(key="soa_eu").set_value(["Art. 14"]).run()
    expected = get_db().query_rows("SELECT iso_id FROM crosswalk_eu_ai_act WHERE eu_article "
                                   "= 'Art. 14' AND iso_kind = 'control'")
    assert sorted(_shown_controls(at)) == sorted(r[0] for r in expected)
    at.multiselect(key="soa_eu").set_value([]).run()
    at.multiselect(key="soa_objective").set_value(["A.10"]).run()
    assert _shown_controls(at) == ["A.10.2", "A.10.3", "A.10.4"]


@pytest.mark.usefixtures("demo_path")
def test_a_schedule_link_opens_the_soa_filtered_to_the_objective() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["soa_objective"] = "A.10 Third-party and customer relationships"
    at.switch_page("pages/soa.py").run()
    assert not at.exception, at.exception
    assert _shown_controls(at) == ["A.10.2", "A.10.3", "A.10.4"]


@pytest.mark.usefixtures("demo_path")
def test_coverage_chart_equals_the_table() -> None:
    at = _open("pages/soa.py", None)
    bars = chart(at, "data-row")
    coverage = soa.coverage(get_db(), today())
    for status in ("implemented", "partial", "planned", "not_started"):
        assert bar_counts(bars, status) == coverage[status].tolist()
    sql = get_db().scalar(  # implemented with current evidence and a review within a year,
        # no open major nonconformity against it
        f"SELECT count(*) FROM ({soa.SOA_ROWS_SQL}) WHERE applicable "
        "AND implementation_status = 'implemented' "
        "AND NOT coalesce(evidence_expiry < $today OR last_reviewed < $today - INTERVAL 12 "
        "MONTH, FALSE) AND control_id NOT IN (SELECT requirement_id FROM nonconformities "
        "WHERE grade = 'major' AND status NOT IN ('closed', 'closed_not_effective'))",
        {"today": today()})
    implemented = sum(bar_counts(bars, "implemented"))
    assert implemented == sql
    tiles = {m.label: m.value for m in at.metric}
    applicable = get_db().scalar("SELECT count(*) FROM soa WHERE applicable")
    assert tiles["Applicable controls"] == f"{applicable} of 38"
    assert tiles["Implemented"] == f"{100 * sql / applicable:.0f} %"


@pytest.mark.usefixtures("demo_path")
def test_confirm_a_suggestion() -> None:
    at = _open("pages/soa.py")
    at.multiselect(key="soa_suggest_pick").set_value(["A.10.4"]).run()
    at.button(key="soa_suggest_apply").click().run()
    assert not at.exception, at.exception
    assert any("1 controls included" in s.value for s in at.success)
    applicable, justification = get_db().query_rows(
        "SELECT applicable, justification FROM soa WHERE control_id = 'A.10.4'")[0]
    assert applicable and "provider role" in justification


@pytest.mark.usefixtures("demo_path")
def test_approve_and_compare_versions() -> None:
    at = _open("pages/soa.py")
    assert at.selectbox(key="soa_diff_from").value == 1
    assert at.selectbox(key="soa_diff_to").value == 2
    diff_table = next(d.value for d in at.dataframe if "before" in d.value.columns)
    assert len(diff_table) == len(soa.diff(get_db(), 1, 2))
    at.text_input(key="soa_approval_note").input("Approved in test")
    at.button(key="soa_approve").click().run()
    assert not at.exception, at.exception
    assert any("recorded as a new version" in s.value for s in at.success)
    db = get_db()
    assert db.query_rows("SELECT approved_by, note FROM soa_versions WHERE version_no = 3") == \
        [("Sarah Klein", "Approved in test")]
    assert db.scalar("SELECT count(*) FROM soa_version_items WHERE version_no = 3") == 38
    assert soa.diff(db, 3, None, soa.SNAPSHOT_FIELDS).empty


@pytest.mark.usefixtures("empty_path")
def test_empty_organisation_starts_the_soa_and_clauses() -> None:
    at = _open("pages/soa.py", None)
    assert at.button(key="start_soa").disabled  # no name, no edit
    # A first supplier makes "Ana" a known person (and suggests A.10.2 and A.10.3).
    assert apply_changes(get_db(), "suppliers", [RowChange("insert", {"name": "Vendor"})],
                         ANA).ok
    at.run()
    at.sidebar.selectbox(key="identity_name").set_value("Ana").run()
    at.button(key="start_soa").click().run()
    assert not at.exception, at.exception
    assert get_db().scalar("SELECT count(*) FROM soa") == 38
    assert len(_shown_controls(at)) == 38
    assert at.button(key="soa_approve").disabled  # 38 controls not decided yet
    assert any("38 control(s) are not decided" in c.value for c in at.caption)
    assert at.multiselect(key="soa_suggest_pick").options == [
        "A.10.2 Allocating responsibilities", "A.10.3 Suppliers"]
    at.switch_page("pages/clauses.py").run()
    at.button(key="start_clause_status").click().run()
    assert not at.exception, at.exception
    assert get_db().scalar("SELECT count(*) FROM clause_status") == 32


@pytest.mark.usefixtures("demo_path")
def test_clause_status_edit_moves_the_chart() -> None:
    at = _open("pages/clauses.py")
    frame = at.session_state["_table_clauses"]["frame"]
    position = frame.index[frame["clause_id"] == "10.1"][0]
    at = _edit(at, "clauses", {int(position): {"status": "implemented"}})
    assert any("1 updated" in s.value for s in at.success), [e.value for e in at.error]
    expected = soa.clause_coverage(get_db())["implemented"].tolist()
    assert bar_counts(chart(at, "data-row"), "implemented") == expected
    assert expected[-1] == 1  # clause 10
