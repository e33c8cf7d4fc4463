"""Forms and notices that respect the person (issue 18): a refused submit keeps what was
typed; "someone saved changes to this table" appears only for someone else's saves."""

from __future__ import annotations

from pathlib import Path

from aims_core.auth.actor import Actor
from aims_core.records.writes import RowChange, apply_changes
from aims_core.ui.session import get_db
from aims_core.ui.text import md_escape
from tests.apptest_kit import open_page

WHY = "Residual within tolerance after retraining; monitored monthly"


def _notices(at: object) -> list[str]:
    return [i.value for i in at.info if "saved changes to this table" in i.value]


def test_a_refused_acceptance_keeps_everything_typed(demo_path: Path) -> None:
    at = open_page("pages/risks.py", "Sarah Klein")
    risk_id, owner = get_db().query_rows(
        "SELECT id, owner FROM risks WHERE status = 'treating' ORDER BY id LIMIT 1")[0]
    at.selectbox(key="risks_detail_choice").set_value(risk_id).run()
    prefix = f"acceptance_{risk_id}_0"
    at.selectbox(key=f"{prefix}_approved_by").set_value(owner).run()  # the risk's own owner
    at.text_area(key=f"{prefix}_justification").input(WHY)
    at.button(key=f"acceptance_{risk_id}_record").click().run()
    assert not at.exception, at.exception
    assert any("Nothing was saved" in e.value for e in at.error), [e.value for e in at.error]
    assert at.text_area(key=f"{prefix}_justification").value == WHY
    assert at.selectbox(key=f"{prefix}_approved_by").value == owner
    assert get_db().scalar("SELECT count(*) FROM risk_acceptances WHERE risk_id = ?",
                           [risk_id]) == 0
    # fixed: another approver, and the same typing is saved, after which the form empties
    at.selectbox(key=f"{prefix}_approved_by").set_value("Sarah Klein").run()
    at.button(key=f"acceptance_{risk_id}_record").click().run()
    assert any("Acceptance recorded" in s.value for s in at.success), [e.value for e in at.error]
    assert get_db().scalar("SELECT justification FROM risk_acceptances WHERE risk_id = ?",
                           [risk_id]) == WHY
    assert at.text_area(key=f"acceptance_{risk_id}_1_justification").value in ("", None)


def _rename_first_system(author: str, name: str) -> None:
    db = get_db()
    row_id, version = db.query_rows("SELECT id, version FROM ai_systems ORDER BY id LIMIT 1")[0]
    result = apply_changes(db, "ai_systems", [RowChange("update", {"name": name}, row_id=row_id,
                                                       expected_version=version)],
                           Actor(author))
    assert result.ok, result.errors


def test_the_newer_data_notice_is_for_someone_elses_saves_only(demo_path: Path) -> None:
    at = open_page("pages/ai_systems.py", "Sarah Klein")
    assert not _notices(at)
    _rename_first_system("Sarah Klein", "Renamed by me elsewhere")  # e.g. in another form
    at.run()
    assert not _notices(at), _notices(at)
    _rename_first_system("Daniel Price", "Renamed by a colleague")
    at.run()
    assert _notices(at) == ["Daniel Price saved changes to this table since you opened it. "
                            "Your edits are saved on top of them; where someone changed the "
                            "same field, you choose."]
    at.button(key="ai_systems_reload").click().run()
    at.run()
    assert not _notices(at)


def test_no_notice_in_the_other_table_after_ones_own_save(demo_path: Path) -> None:
    """The Impact assessments page shows two registers at once: a save in one is no news to
    the other (it used to say "Newer data was saved")."""
    at = open_page("pages/impact_assessments.py", "Sarah Klein")
    impacts = next(k for k in at.session_state if k.startswith("_table_impacts_"))
    editor = f"impact_assessments_editor_{at.session_state['_table_impact_assessments']['epoch']}"
    at.session_state[editor] = {"edited_rows": {0: {"affected_groups": "Saved from the table"}},
                                "added_rows": [], "deleted_rows": []}
    at.button(key="impact_assessments_save").click().run()
    assert any("changes saved" in s.value for s in at.success), [e.value for e in at.error]
    at.run()
    assert not at.exception
    assert at.session_state[impacts]["generation"] == get_db().generation
    assert not _notices(at), _notices(at)


def _editor(at: object, alt: str) -> tuple[dict, list[str], str]:
    import json

    grid = next(d for d in at.dataframe if d.proto.alt == alt)
    return json.loads(grid.proto.columns), list(grid.proto.column_order), grid.proto.placeholder


def test_a_wide_register_pins_what_names_the_row_and_explains_its_fields(
        demo_path: Path) -> None:
    from aims_core.risk.registers import RISKS

    at = open_page("pages/risks.py", "Sarah Klein")
    columns, order, placeholder = _editor(at, "Risk register")
    assert order[:2] == ["id", "title"]  # what names the row, then what a person edits
    assert {name for name, spec in columns.items() if spec.get("pinned")} == {"id", "title"}
    assert placeholder == ""  # a blank cell reads blank, not "None"
    for spec in RISKS.fields:
        if spec.help:
            assert columns[spec.name]["help"].startswith(md_escape(spec.help)), spec.name
    # a picked cell's help says nothing about typing; a typed one says how
    assert columns["ai_system_id"]["help"] == md_escape(RISKS.field("ai_system_id").help)
    assert "Type a date" in columns["review_date"]["help"]
    assert columns["residual_likelihood"]["help"].startswith("After the treating controls")

