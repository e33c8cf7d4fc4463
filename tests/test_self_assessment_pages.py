"""The Self-assessment page through the app's router (AppTest): start, answer with autosave,
resume after a fresh session state, the later of two browsers told, finish and lock, the
results with radar and comparison, roadmap → actions, and the Overview's maturity tile."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from aims_core.self_assessment import bank, results, sessions
from aims_core.ui.session import get_db
from tests.apptest_kit import open_page

PAGE = "pages/self_assessment.py"
FACILITATOR = "Sarah Klein"
OPEN_SESSION = 3  # the demo's half-done session
QUICK = [q.id for q in bank.load().for_mode("quick")]


def _question(at: AppTest) -> str:
    """The requirement of the question on screen (from its caption)."""
    caption = next(c.value for c in at.caption if c.value.startswith(("Clause ", "Annex A")))
    return caption.split(" · ")[0].split(" ")[-1].replace("\\", "")


def _answer(at: AppTest, session_id: int, level: int) -> None:
    at.button(key=f"sa_{session_id}_L{level}").click().run()
    assert not at.exception, at.exception


def test_the_half_done_demo_session_resumes_where_it_stopped(demo_path: Path) -> None:
    at = open_page(PAGE, FACILITATOR)
    answered = set(sessions.answers(get_db(), OPEN_SESSION)["question_id"])
    expected = sessions.resume_question(bank.load().for_mode("quick"), answered)
    assert _question(at) == expected
    _answer(at, OPEN_SESSION, 2)
    row = sessions.answer_row(get_db(), OPEN_SESSION, expected)
    assert (row["level"], row["answered_by"]) == (2, FACILITATOR)
    assert row["suggested_level"] is not None  # what the product suggested, beside it
    following = QUICK[QUICK.index(expected) + 1]
    assert _question(at) == following  # the next open question follows at once
    fresh = open_page(PAGE, FACILITATOR)  # another browser: a fresh session state
    assert _question(fresh) == following


def test_the_url_keeps_the_question_and_the_jump_list_moves(demo_path: Path) -> None:
    at = open_page(PAGE, FACILITATOR)
    at.selectbox(key=f"sa_{OPEN_SESSION}_jump").set_value("6.1.3").run()
    assert _question(at) == "6.1.3"
    assert at.query_params["question"] in ("6.1.3", ["6.1.3"])
    at.button(key=f"sa_{OPEN_SESSION}_previous").click().run()
    assert _question(at) == "6.1.2"


def test_a_note_is_saved_when_the_field_is_left(demo_path: Path) -> None:
    at = open_page(PAGE, FACILITATOR)
    question = _question(at)
    note = next(t for t in at.text_area if t.key.startswith(f"sa_{OPEN_SESSION}_note_"))
    note.input("Ask Tom for the *training* plan").run()
    assert sessions.answer_row(get_db(), OPEN_SESSION, question)["note"] == \
        "Ask Tom for the *training* plan"
    assert _question(at) == question  # a note does not move on


def test_the_later_of_two_browsers_is_told_and_the_first_answer_kept(demo_path: Path) -> None:
    first, second = open_page(PAGE, FACILITATOR), open_page(PAGE, FACILITATOR)
    question = _question(first)
    assert _question(second) == question
    _answer(first, OPEN_SESSION, 1)
    second.button(key=f"sa_{OPEN_SESSION}_L4").click().run()
    warnings = [w.value for w in second.warning]
    assert any("was answered meanwhile" in w and "level 1" in w for w in warnings), warnings
    assert sessions.answer_row(get_db(), OPEN_SESSION, question)["level"] == 1
    # their answer on screen now; mine can still replace it, knowingly
    second.button(key=f"sa_{OPEN_SESSION}_replace").click().run()
    assert sessions.answer_row(get_db(), OPEN_SESSION, question)["level"] == 4


def test_finish_locks_and_shows_results_with_radar_and_comparison(demo_path: Path) -> None:
    at = open_page(PAGE, FACILITATOR)
    at.checkbox(key=f"sa_finish_{OPEN_SESSION}_0_confirm").check().run()
    at.button(key=f"sa_finish_{OPEN_SESSION}_go").click().run()
    assert not at.exception, at.exception
    assert any("finished and locked" in s.value for s in at.success)
    assert not [b for b in at.button if b.key == f"sa_{OPEN_SESSION}_L3"]  # read-only now
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    radar = next(c for c in charts if c["data"][0]["type"] == "scatterpolar")
    assert {t["name"] for t in radar["data"]} >= {"This session", "Previous session"}
    bars = next(c for c in charts if c["data"][0]["type"] == "bar")
    assert len(bars["data"][0]["y"]) == 16 and all(bars["data"][0]["text"])
    assert any(s.value.startswith("Compared with the previous") for s in at.subheader)
    assert [m.label for m in at.metric][:3] == ["Overall maturity (0–5)",
                                                "Answered with a level", "Don't know"]
    assert results.latest_summary(get_db()).session_id == OPEN_SESSION


def test_start_a_session_on_an_empty_organisation(empty_path: Path) -> None:
    at = open_page(PAGE, "Ben")
    assert any("AI system" in i.value for i in at.info)
    at.text_input(key="sa_start_0_title").set_value("First look").run()
    at.button(key="sa_start_go").click().run()
    assert not at.exception, at.exception
    listed = sessions.listing(get_db())
    assert list(listed["title"]) == ["First look"] and listed["facilitator"].iloc[0] == "Ben"
    session_id = int(listed["id"].iloc[0])
    assert _question(at) == "4.1"
    at.button(key=f"sa_{session_id}_dont_know").click().run()
    assert sessions.answer_row(get_db(), session_id, "4.1")["response"] == "dont_know"
    assert _question(at) == "4.2"


def test_roadmap_becomes_actions_on_the_page(demo_path: Path) -> None:
    at = open_page(PAGE, FACILITATOR)
    picker = next(b for b in at.selectbox if b.key.startswith("sa_session_choice"))
    picker.set_value(1).run()  # the baseline: no roadmap yet
    at.button(key="sa_roadmap_1_go").click().run()
    assert any("Roadmap built" in s.value for s in at.success)
    at.button(key="sa_to_actions_1").click().run()
    assert any("5 actions created" in s.value for s in at.success), [s.value for s in at.success]
    created = get_db().query_df("SELECT * FROM actions WHERE source = 'self_assessment_gap' "
                                "AND source_id IN (SELECT id FROM self_assessment_steps "
                                "WHERE session_id = 1)")
    assert len(created) == 5 and created["owner"].notna().all()


def test_overview_shows_the_latest_maturity(demo_path: Path) -> None:
    at = open_page("pages/overview.py", None)
    tile = next(m for m in at.metric if m.label == "Maturity score")
    latest = results.latest_summary(get_db())
    assert tile.value == f"{latest.overall:.2f} of 5"
    link = next(p.proto for p in at.get("page_link") if p.proto.page.endswith("self_assessment"))
    assert link.label == f"Results ({latest.overall - latest.previous_overall:+.2f})"
