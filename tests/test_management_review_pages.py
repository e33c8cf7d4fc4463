"""The Management review page through AppTest: preparing, recording notes and decisions,
refusals that keep the typing, sign-off, the frozen pack, presenter mode, the empty state."""

from __future__ import annotations

import json
from pathlib import Path

from aims_core.management_review import pack_export
from aims_core.ui.session import get_db
from aims_core.ui.text import md_unescape
from tests.apptest_kit import open_page

PAGE = "pages/management_review.py"
CHAIR = "Daniel Price"


def _planned(db) -> dict:
    return db.query_dicts("SELECT * FROM management_reviews WHERE status = 'planned'")[0]


def _button(at, label: str):
    return next(b for b in at.button if b.label == label)


def test_the_planned_review_shows_every_input_with_readiness(demo_path: Path) -> None:
    at = open_page(PAGE, "Sarah Klein")
    review = _planned(get_db())
    assert f"review_pick_{review['id']}" in [s.key for s in at.selectbox]
    labels = [e.label.replace("\\", "") for e in at.expander]  # labels are escaped
    assert len([label for label in labels if "9.3.2" in label]) >= 8
    assert any("Risk picture" in label for label in labels)
    readiness = next(df.value for df in at.dataframe if "detail" in df.value.columns)
    # the demo's latest finished self-assessment feeds input e)
    assert len(readiness) == 12 and "self-assessment" not in " ".join(readiness["detail"])


def test_notes_and_a_decision_with_its_action_are_saved(demo_path: Path) -> None:
    at = open_page(PAGE, "Sarah Klein")
    db = get_db()
    review = _planned(db)
    key = f"notes_{review['id']}_risks_v0"
    at.text_area(key=f"{key}_text").set_value("Two risks **above** tolerance")
    at.checkbox(key=f"{key}_done").check()
    next(b for b in at.button if b.label == "Save the notes" and
         b.proto.form_id == key).click().run()
    assert not at.exception
    row = db.query_dicts("SELECT * FROM management_review_sections WHERE review_id = ? AND "
                         "section = 'risks'", [review["id"]])[0]
    assert row["notes"] == "Two risks **above** tolerance" and row["discussed"]
    form = f"decision_{review['id']}_0"
    at.selectbox(key=f"{form}_type").set_value("resources")
    at.text_area(key=f"{form}_text").set_value("Hire a second data scientist")
    at.text_input(key=f"{form}_action").set_value("Open the position")
    at.selectbox(key=f"{form}_owner").set_value("Tom Becker")
    at.date_input(key=f"{form}_due").set_value("2027-03-01")
    _button(at, "Record the decision").click().run()
    assert not at.exception
    assert any("Decision recorded with its action" in s.value for s in at.success)
    decision = db.query_dicts("SELECT * FROM management_review_decisions WHERE decision = "
                              "'Hire a second data scientist'")[0]
    action = db.query_dicts("SELECT * FROM actions WHERE source_table = "
                            "'management_review_decisions' AND source_id = ?",
                            [decision["id"]])[0]
    assert action["owner"] == "Tom Becker" and action["title"] == "Open the position"


def test_an_action_without_owner_is_refused_and_the_typing_stays(demo_path: Path) -> None:
    at = open_page(PAGE, "Sarah Klein")
    db = get_db()
    review = _planned(db)
    before = db.scalar("SELECT count(*) FROM management_review_decisions")
    form = f"decision_{review['id']}_0"
    at.text_area(key=f"{form}_text").set_value("Buy a fairness toolkit")
    at.text_input(key=f"{form}_action").set_value("Compare three vendors")
    _button(at, "Record the decision").click().run()
    errors = " ".join(e.value for e in at.error)
    assert "Nothing was saved" in errors and "Owner" in errors and "Due on" in errors
    assert db.scalar("SELECT count(*) FROM management_review_decisions") == before
    assert at.text_area(key=f"{form}_text").value == "Buy a fairness toolkit"


def test_a_colleagues_newer_notes_are_reported_and_mine_kept(demo_path: Path) -> None:
    at = open_page(PAGE, "Sarah Klein")
    db = get_db()
    review = _planned(db)
    key = f"notes_{review['id']}_soa_v0"
    from aims_core.auth.actor import Actor
    from aims_core.management_review import reviews

    reviews.save_notes(db, Actor("Ben Okafor"), review["id"], "soa", "Colleague first", True)
    at.text_area(key=f"{key}_text").set_value("My note")
    next(b for b in at.button if b.label == "Save the notes" and
         b.proto.form_id == key).click().run()
    assert any("already exists" in md_unescape(e.value) for e in at.error)
    row = reviews.section_notes(db, review["id"])["soa"]
    assert row["notes"] == "Colleague first"
    shown = at.text_area(key=f"notes_{review['id']}_soa_v{row['version']}_text").value
    assert shown == "My note"  # the typing stays on screen over the colleague's version


def test_sign_off_refused_without_conclusion_then_locked_with_its_pack(
        demo_path: Path) -> None:
    at = open_page(PAGE, CHAIR)
    db = get_db()
    review = _planned(db)
    db.cursor().execute("UPDATE management_reviews SET review_date = current_date - 1 "
                        "WHERE id = ?", [review["id"]])  # the meeting is today
    at.run()
    _button(at, "Sign off as chair").click().run()
    errors = " ".join(e.value for e in at.error)
    assert "Conclusion and reasons" in errors and "is required to sign off" in errors
    assert db.scalar("SELECT status FROM management_reviews WHERE id = ?",
                     [review["id"]]) == "planned"
    key = f"conclusion_{review['id']}_v{review['version']}"
    for name in ("aims_suitable", "aims_adequate", "aims_effective"):
        at.radio(key=f"{key}_{name}").set_value(True)
    at.text_area(key=f"{key}_text").set_value("Suitable, adequate and effective: KPIs hold.")
    _button(at, "Save the conclusion").click().run()
    assert not at.error, [e.value for e in at.error]
    _button(at, "Sign off as chair").click().run()
    assert not at.exception
    assert db.scalar("SELECT status FROM management_reviews WHERE id = ?",
                     [review["id"]]) == "signed"
    assert any("minutes are locked" in i.value for i in at.info)
    assert not [t for t in at.text_area if t.key and t.key.startswith("notes_")]
    pack = json.loads(db.scalar("SELECT content_json FROM management_review_packs "
                                "WHERE review_id = ?", [review["id"]]))
    assert pack["review"]["signed_by"] == CHAIR
    assert {b.label for b in at.get("download_button")} >= {"HTML pack", "PDF pack"}
    assert pack_export.to_html(pack).startswith("<!DOCTYPE html>")


def test_presenter_mode_has_no_edit_widgets_and_steps_through_inputs(demo_path: Path) -> None:
    at = open_page(PAGE, "Sarah Klein")
    review = _planned(get_db())
    at.query_params["present"] = "1"
    at.query_params["review"] = str(review["id"])
    at.run()
    assert not at.exception
    assert at.title[0].value == "Actions from previous reviews"
    assert not at.text_area and not at.text_input and not at.date_input
    _button(at, "Next ▶").click().run()
    assert at.title[0].value == "External and internal issues"
    assert at.query_params["section"] == ["2"] or at.query_params["section"] == "2"


def test_the_signed_demo_review_shows_its_frozen_pack(demo_path: Path) -> None:
    at = open_page(PAGE, "Sarah Klein")
    db = get_db()
    signed = db.query_dicts("SELECT * FROM management_reviews WHERE status = 'signed'")[0]
    at.query_params["review"] = str(signed["id"])
    at.run()
    assert any("Signed off by" in i.value for i in at.info)
    assert any("Frozen on" in s.value for s in at.success)


def test_the_empty_organisation_is_guided_to_plan_a_review(empty_path: Path) -> None:
    at = open_page(PAGE, "Ana")
    assert any("AI system" in i.value for i in at.info)
    at.date_input(key="plan_date").set_value("2027-01-15")
    at.selectbox(key="plan_chair").set_value("Ben")
    _button(at, "Plan the review").click().run()
    assert get_db().scalar("SELECT count(*) FROM management_reviews WHERE status = "
                           "'planned'") == 1


def test_attendance_is_ticked_and_saved(demo_path: Path) -> None:
    at = open_page(PAGE, "Sarah Klein")
    db = get_db()
    review = _planned(db)
    people = db.query_dicts("SELECT * FROM management_review_attendees WHERE review_id = ? "
                            "ORDER BY id", [review["id"]])
    assert people and all(p["attended"] is None for p in people)
    at.checkbox(key=f"attended_{people[0]['id']}_v{people[0]['version']}").check()
    _button(at, "Save the attendance").click().run()
    assert any("Attendance saved" in s.value for s in at.success)
    assert db.scalar("SELECT attended FROM management_review_attendees WHERE id = ?",
                     [people[0]["id"]]) is True


def test_the_overview_shows_the_last_and_next_review_and_open_actions(
        demo_path: Path) -> None:
    at = open_page("pages/overview.py", None)
    at.query_params["overview_tab"] = "Management review"  # the Overview's detail tab
    at.run()
    text = " ".join(m.value for m in at.markdown)
    held = get_db().scalar("SELECT max(review_date) FROM management_reviews "
                           "WHERE status = 'signed'")
    assert f"Last management review held on {held:%d %b %Y}" in text
    assert "next due" in text
    assert any("open action(s) from management reviews, 1 overdue" in c.value
               for c in at.caption)
