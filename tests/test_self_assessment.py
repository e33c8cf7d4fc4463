"""Self-assessment: the question bank, scoring with "don't know" and "not applicable" apart,
gap ranking weighted by the SoA, suggestions from the registers, sessions (autosave,
conflicts, locking), comparison, roadmap → actions and risks, results for other areas,
exports and the demo."""

from __future__ import annotations

import io
from datetime import date, timedelta

import openpyxl
import pandas as pd
import pytest

from aims_core.auth.actor import Actor
from aims_core.compliance import soa
from aims_core.dashboard import schedule
from aims_core.management_system import documents
from aims_core.management_system.registers import POLICY_CHECKS
from aims_core.performance.kpis import FIGURES, RegisterDay
from aims_core.records.writes import RowChange, apply_changes
from aims_core.self_assessment import (
    bank,
    exports,
    results,
    roadmap,
    scoring,
    sessions,
    suggestions,
)
from aims_core.storage.database import Database
from aims_core.ui.charts import maturity_bars, maturity_radar
from tests.conftest import ANA, TODAY
from tests.improvement_kit import PROVIDER_HIGH_RISK, audit, insert, nonconformity, ok, system

BEN = Actor("Ben")


def start(db: Database, mode: str = "quick", held_on: date = TODAY, **values) -> int:
    result = sessions.start(db, ANA, title=values.pop("title", "Gap analysis"),
                            held_on=held_on, mode=mode, facilitator="Ana",
                            participants=["Ana", "Ben"], **values)
    return ok(result).inserted[0]


def answer(db: Database, session_id: int, question_id: str, response: str = "level",
           level: int | None = None, actor: Actor = ANA, seen: int | None = None,
           **values) -> sessions.AnswerOutcome:
    return sessions.give_answer(db, actor, session_id, question_id,
                                {"response": response, "level": level, **values},
                                seen_version=seen, today=TODAY)


def finish(db: Database, session_id: int, day: date = TODAY) -> None:
    version = db.scalar("SELECT version FROM self_assessment_sessions WHERE id = ?",
                        [session_id])
    ok(sessions.finish(db, ANA, session_id, version, day))


def finished_session(db: Database, levels: dict[str, int | str], held_on: date = TODAY) -> int:
    session_id = start(db, held_on=held_on)
    for question_id, level in levels.items():
        if isinstance(level, str):
            assert answer(db, session_id, question_id, level).ok
        else:
            assert answer(db, session_id, question_id, level=level).ok
    finish(db, session_id, held_on)
    return session_id


def decide_soa(db: Database, applicable: bool = True, **per_control: bool) -> None:
    ok(soa.add_missing_rows(db, "soa", ANA))
    rows = db.query_rows("SELECT id, version, control_id FROM soa ORDER BY id")
    ok(apply_changes(db, "soa", [
        RowChange("update", {"applicable": per_control.get(c.replace(".", "_"), applicable),
                             "justification": "Decided"}, row_id=i, expected_version=v)
        for i, v, c in rows], ANA))


# --- the question bank -------------------------------------------------------------------
def test_bank_has_a_question_per_leaf_subclause_and_objective(db: Database) -> None:
    the_bank = bank.load()
    quick = the_bank.for_mode("quick")
    catalogue = scoring.requirements(db)
    assert len(quick) == 41
    assert [q.requirement_id for q in quick] == list(catalogue["requirement_id"])
    assert (catalogue["kind"] == "clause").sum() == 32
    assert (catalogue["kind"] == "objective").sum() == 9
    per_clause = pd.Series([q.requirement_id for q in the_bank.for_mode("thorough")
                            if not q.is_objective]).value_counts()
    assert len(per_clause) == 32 and per_clause.between(2, 4).all()
    assert all(q.text.strip() and q.good_evidence.strip() for q in the_bank.questions)
    assert [x.level for x in the_bank.levels] == [0, 1, 2, 3, 4, 5]
    assert all(x.meaning for x in the_bank.levels)
    assert the_bank.target_level == 3


def test_unknown_bank_version_is_refused(db: Database) -> None:
    with pytest.raises(KeyError):
        bank.load(99)
    result = sessions.start(db, ANA, title="X", held_on=TODAY, mode="quick",
                            facilitator="Ana", bank_version=99)
    assert [p.field for p in result.errors] == ["Question bank version"]


# --- scoring -------------------------------------------------------------------------------
def test_dont_know_and_not_applicable_are_counted_apart_never_as_zero(db: Database) -> None:
    session_id = start(db)
    assert answer(db, session_id, "4.1", level=2).ok
    assert answer(db, session_id, "4.2", "dont_know").ok
    assert answer(db, session_id, "4.3", "not_applicable").ok
    assert answer(db, session_id, "4.4", level=4).ok
    frame = scoring.scores(db, session_id).set_index("requirement_id")
    assert frame.loc["4.1", "score"] == 2 and frame.loc["4.4", "score"] == 4
    assert pd.isna(frame.loc["4.2", "score"]) and pd.isna(frame.loc["4.3", "score"])
    assert frame.loc["4.2", "dont_know"] == 1 and frame.loc["4.3", "not_applicable"] == 1
    assert scoring.overall(frame.reset_index()) == 3.0  # (2 + 4) / 2, not (2 + 0 + 0 + 4) / 4
    counts = scoring.counts(frame.reset_index())
    assert (counts.answered, counts.dont_know, counts.not_applicable, counts.given) == (2, 1, 1, 4)
    area = scoring.area_scores(frame.reset_index()).set_index("area")
    assert area.loc["4", "score"] == 3.0 and area.loc["4", "scored"] == 2


def test_thorough_mode_scores_the_mean_of_a_subclauses_questions(db: Database) -> None:
    session_id = start(db, mode="thorough")
    assert answer(db, session_id, "6.1.3/a", level=1).ok
    assert answer(db, session_id, "6.1.3/b", level=4).ok
    assert answer(db, session_id, "6.1.3/c", "dont_know").ok
    frame = scoring.scores(db, session_id).set_index("requirement_id")
    assert frame.loc["6.1.3", "score"] == 2.5 and frame.loc["6.1.3", "dont_know"] == 1
    assert frame.loc["6.1.3", "questions"] == len(
        [q for q in bank.load().for_mode("thorough") if q.requirement_id == "6.1.3"])


def test_gaps_rank_by_distance_to_three_weighted_by_the_soa(db: Database) -> None:
    # A.9: all three controls excluded → weight 0, no gap; A.10: applicable → weight 1
    decide_soa(db, **dict.fromkeys(("A_9_2", "A_9_3", "A_9_4"), False))
    session_id = finished_session(db, {"4.1": 1, "4.2": 2, "5.1": 4, "A.9": 0, "A.10": 2})
    frame = scoring.scores(db, session_id).set_index("requirement_id")
    assert frame.loc["A.9", "weight"] == 0 and pd.isna(frame.loc["A.9", "gap_rank"])
    assert frame.loc["5.1", "gap"] == 0 and pd.isna(frame.loc["5.1", "gap_rank"])
    top = scoring.top_gaps(frame.reset_index())
    assert list(top["requirement_id"]) == ["4.1", "4.2", "A.10"]
    assert list(top["gap"]) == [2.0, 1.0, 1.0]
    # an objective with some controls excluded weighs its applicable share
    assert scoring.objective_weights(db)["A.9"] == 0.0


def test_finish_freezes_the_scores(db: Database) -> None:
    session_id = finished_session(db, {"4.1": 1})
    before = scoring.scores(db, session_id)
    decide_soa(db, applicable=False)  # later SoA changes do not rewrite a finished session
    after = scoring.scores(db, session_id)
    assert len(after) == 41
    pd.testing.assert_series_equal(before["weight"], after["weight"])
    assert db.scalar("SELECT overall_score FROM self_assessment_sessions WHERE id = ?",
                     [session_id]) == 1.0


# --- answering, conflicts, locking ------------------------------------------------------
def test_an_answer_is_saved_at_once_with_the_suggestion_beside_it(db: Database) -> None:
    session_id = start(db)
    outcome = sessions.give_answer(db, ANA, session_id, "6.1.3",
                                   {"response": "level", "level": 2, "note": "Draft SoA"},
                                   seen_version=None, today=TODAY, suggested_level=3,
                                   suggestion_reason="Suggested: level 3")
    assert outcome.ok
    row = sessions.answer_row(db, session_id, "6.1.3")
    assert (row["level"], row["note"], row["suggested_level"], row["answered_by"]) == \
        (2, "Draft SoA", 3, "Ana")
    assert db.scalar("SELECT count(*) FROM change_log WHERE table_name = "
                     "'self_assessment_answers'") == 1
    # a note alone is kept without inventing an answer
    assert sessions.give_answer(db, ANA, session_id, "6.2", {"note": "Ask Bo"},
                                seen_version=None, today=TODAY).ok
    assert sessions.answer_row(db, session_id, "6.2")["response"] is None


def test_suggestions_are_never_saved_as_answers(demo_db: Database) -> None:
    before = demo_db.scalar("SELECT count(*) FROM self_assessment_answers")
    for requirement in bank.load().requirement_ids:
        suggestions.suggest(demo_db, requirement, TODAY)
    assert demo_db.scalar("SELECT count(*) FROM self_assessment_answers") == before


@pytest.mark.parametrize(("question", "values", "field"), [
    ("4.1", {"response": "level", "level": 7}, "Level"),
    ("4.1", {"response": "level", "level": -1}, "Level"),
    ("4.1", {"response": "level", "level": None}, "Level"),
    ("4.1", {"response": "maybe", "level": None}, "Answer"),
    ("9.9", {"response": "level", "level": 2}, "Question"),
    ("6.1.3/a", {"response": "level", "level": 2}, "Question"),  # thorough-only question
])
def test_bad_answers_are_refused_with_row_and_field(db: Database, question: str,
                                                   values: dict, field: str) -> None:
    session_id = start(db)
    outcome = sessions.give_answer(db, ANA, session_id, question, values, seen_version=None,
                                   today=TODAY)
    assert not outcome.ok
    assert [p.field for p in outcome.result.errors] == [field]
    assert outcome.result.errors[0].row == f"Question {question}"
    assert db.scalar("SELECT count(*) FROM self_assessment_answers") == 0


def test_a_level_beside_dont_know_is_refused_in_the_write_path(db: Database) -> None:
    session_id = start(db)
    result = apply_changes(db, "self_assessment_answers", [RowChange("insert", {
        "session_id": session_id, "question_id": "4.1", "requirement_id": "4.1",
        "response": "dont_know", "level": 0})], ANA)
    assert [p.field for p in result.errors] == ["Level"]
    assert "never 0" in result.errors[0].message


def test_two_browsers_on_one_question_the_later_is_told_nothing_lost(db: Database) -> None:
    session_id = start(db)
    assert answer(db, session_id, "4.1", level=2, actor=ANA).ok  # first browser
    late = answer(db, session_id, "4.1", level=4, actor=BEN, seen=None)  # saw no answer
    assert not late.ok and late.theirs["level"] == 2
    assert "answered meanwhile by Ana: level 2" in late.result.conflicts[0].message
    assert sessions.answer_row(db, session_id, "4.1")["level"] == 2
    # both looking at version 1: the first update wins, the second is told
    version = sessions.answer_row(db, session_id, "4.1")["version"]
    assert answer(db, session_id, "4.1", level=3, actor=BEN, seen=version).ok
    stale = answer(db, session_id, "4.1", level=5, actor=ANA, seen=version)
    assert not stale.ok and stale.theirs["level"] == 3
    assert sessions.answer_row(db, session_id, "4.1")["level"] == 3
    # saying the same thing twice is not a conflict
    assert answer(db, session_id, "4.1", level=3, actor=ANA, seen=version).ok


def test_a_finished_session_is_locked_in_the_write_path(db: Database) -> None:
    session_id = finished_session(db, {"4.1": 2})
    late = answer(db, session_id, "4.2", level=3)
    assert not late.ok and "is finished" in late.result.errors[0].message
    row = sessions.answer_row(db, session_id, "4.1")
    change = answer(db, session_id, "4.1", level=5, seen=row["version"])
    assert not change.ok and "locked" in str(change.result.errors[0])
    version = db.scalar("SELECT version FROM self_assessment_sessions WHERE id = ?",
                        [session_id])
    retitle = apply_changes(db, "self_assessment_sessions", [RowChange(
        "update", {"title": "Rewritten"}, row_id=session_id, expected_version=version)], ANA)
    assert not retitle.ok and "locked" in str(retitle.errors[0])
    joins = sessions.add_participant(db, ANA, session_id, "Cleo")
    assert not joins.ok
    assert db.scalar("SELECT title FROM self_assessment_sessions WHERE id = ?",
                     [session_id]) == "Gap analysis"


def test_a_cancelled_session_is_locked_too(db: Database) -> None:
    session_id = start(db)
    ok(sessions.cancel(db, ANA, session_id, 1))
    assert not answer(db, session_id, "4.1", level=2).ok


def test_resume_where_the_session_stopped() -> None:
    questions = bank.load().for_mode("quick")
    ids = [q.id for q in questions]
    assert sessions.resume_question(questions, set()) == "4.1"
    assert sessions.resume_question(questions, {"4.1", "4.2", "4.4"}) == "5.1"  # 4.3 skipped
    assert sessions.resume_question(questions, set(ids) - {"4.3"}) == "4.3"  # wraps round
    assert sessions.resume_question(questions, set(ids)) == ids[-1]


# --- suggestions against the registers ---------------------------------------------------
def test_6_1_3_at_least_3_once_every_control_is_decided_and_approved(db: Database) -> None:
    assert suggestions.suggest(db, "6.1.3", TODAY).level == 2  # nothing decided yet
    decide_soa(db)
    assert suggestions.suggest(db, "6.1.3", TODAY).level == 2  # decided, not approved
    ok(soa.approve(db, "Ana", TODAY, None, ANA))
    suggestion = suggestions.suggest(db, "6.1.3", TODAY)
    assert suggestion.level == 3 and "approved and every control is decided" in suggestion.text


def test_a_6_at_most_2_with_revalidation_overdue_on_a_high_risk_system(db: Database) -> None:
    system(db, PROVIDER_HIGH_RISK, validated_on=TODAY - timedelta(days=30))
    assert "at most 2" not in suggestions.suggest(db, "A.6", TODAY).text
    system(db, PROVIDER_HIGH_RISK, name="Old scorer", validated_on=TODAY - timedelta(days=900))
    suggestion = suggestions.suggest(db, "A.6", TODAY)
    assert suggestion.level <= 2 and "overdue on high-risk" in suggestion.text
    assert any("Old scorer" in f.text for f in suggestion.facts)


def test_9_1_at_least_3_with_targets_and_current_values(db: Database) -> None:
    assert suggestions.suggest(db, "9.1", TODAY).level == 1  # no KPI at all
    kpi = insert(db, "kpis", name="AUC", direction="higher", kind="measured", target=0.8,
                 frequency="monthly")
    assert suggestions.suggest(db, "9.1", TODAY).level == 2  # a target, no value
    insert(db, "kpi_measurements", kpi_id=kpi, measured_on=TODAY - timedelta(days=10),
           value=0.82, source="entered")
    suggestion = suggestions.suggest(db, "9.1", TODAY)
    assert suggestion.level == 3 and "1 of 1 KPIs" in suggestion.text


def test_9_2_and_9_3_from_audits_and_reviews(db: Database) -> None:
    assert suggestions.suggest(db, "9.2.1", TODAY).level == 1
    audit(db, status="completed", held_on=TODAY - timedelta(days=40),
          conclusion="Conforms")
    assert suggestions.suggest(db, "9.2.1", TODAY).level == 3
    assert suggestions.suggest(db, "9.3.1", TODAY).level == 1
    insert(db, "management_reviews", review_date=TODAY - timedelta(days=60), chair="Ana",
           status="held")
    assert suggestions.suggest(db, "9.3.1", TODAY).level == 3


def test_10_2_at_most_2_with_late_nonconformities(db: Database) -> None:
    assert suggestions.suggest(db, "10.2", TODAY).level is None  # nothing recorded: no hint
    nonconformity(db, raised_on=TODAY - timedelta(days=60),
                  effectiveness_due=TODAY - timedelta(days=5))
    suggestion = suggestions.suggest(db, "10.2", TODAY)
    assert suggestion.level == 2 and "late" in suggestion.text


def test_5_2_from_the_ai_policy_control(db: Database) -> None:
    decide_soa(db)
    assert suggestions.suggest(db, "5.2", TODAY).level == 1  # A.2.2 not started
    row_id, version = db.query_rows("SELECT id, version FROM soa WHERE control_id = 'A.2.2'")[0]
    ok(apply_changes(db, "soa", [RowChange("update", {
        "implementation_status": "implemented", "evidence": "POL-1", "owner": "Ana",
        "last_reviewed": TODAY}, row_id=row_id, expected_version=version)], ANA))
    # the SoA says implemented, but the documents register holds no AI policy yet
    assert suggestions.suggest(db, "5.2", TODAY).level == 1
    approved = date.today() - timedelta(days=10)
    policy = insert(db, "documents", title="AI policy", doc_type="ai_policy", doc_version="1.0",
                    owner="Ana", status="approved", approved_by="Ana", approved_on=approved,
                    next_review=date.today() + timedelta(days=300),
                    policy_checks=list(POLICY_CHECKS)[:-1])
    assert suggestions.suggest(db, "5.2", date.today()).level == 2  # one checklist item missing
    ok(documents.save_policy_checks(db, policy, 1, list(POLICY_CHECKS), ANA))
    suggestion = suggestions.suggest(db, "5.2", date.today())
    assert suggestion.level == 3 and "every item of the 5.2 checklist" in suggestion.text


def test_an_objective_whose_controls_are_all_excluded_is_suggested_not_applicable(
        db: Database) -> None:
    decide_soa(db, **dict.fromkeys(("A_9_2", "A_9_3", "A_9_4"), False))
    suggestion = suggestions.suggest(db, "A.9", TODAY)
    assert suggestion.not_applicable and suggestion.level is None


def test_a_rule_whose_register_does_not_exist_is_skipped(db: Database,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    def missing_register(database: Database, today: date) -> suggestions.Hint:
        database.scalar("SELECT count(*) FROM a_register_of_a_later_issue")
        return suggestions.Hint(at_least=5)

    monkeypatch.setitem(suggestions.RULES, "7.2", (missing_register,))
    suggestion = suggestions.suggest(db, "7.2", TODAY)
    assert suggestion.level is None  # skipped; the Clauses page hint still ran
    assert suggestion.facts


def test_7_2_and_7_3_from_training_records(demo_db: Database) -> None:
    competence = suggestions.suggest(demo_db, "7.2", TODAY)
    assert competence.level == 2 and "lack a competence their role requires" in competence.text
    literacy = suggestions.suggest(demo_db, "7.3", TODAY)
    assert "AI literacy" in literacy.facts[0].text


def test_4_1_and_4_2_from_the_context_registers(db: Database) -> None:
    assert suggestions.suggest(db, "4.1", TODAY).level == 1
    assert suggestions.suggest(db, "4.2", TODAY).level == 1
    insert(db, "interested_parties", party="Applicants", needs="Fair decisions",
           addressed=True, response="Fairness tests", last_reviewed=TODAY - timedelta(days=20))
    assert suggestions.suggest(db, "4.2", TODAY).level == 3


def test_a_ceiling_wins_over_a_floor() -> None:
    combined = suggestions.combine("8.1", [
        suggestions.Hint(at_least=3, reason="documented"),
        suggestions.Hint(at_most=2, reason="overdue re-validations")])
    assert combined.level == 2
    assert combined.reasons == ("at most 2: overdue re-validations", "although documented")


# --- comparison, history, results for other areas ------------------------------------------
def test_comparison_with_the_previous_finished_session(db: Database) -> None:
    first = finished_session(db, {"4.1": 1, "4.2": 3, "5.1": 2},
                             held_on=TODAY - timedelta(days=120))
    second = finished_session(db, {"4.1": 3, "4.2": 2, "5.1": 2, "6.1.1": 2})
    assert scoring.previous_finished(db, second) == first
    assert scoring.previous_finished(db, first) is None
    now = scoring.scores(db, second)
    before = scoring.scores(db, first)
    by_requirement = scoring.compare(now, before, "requirement_id").set_index(
        "requirement_id")
    assert by_requirement.loc["4.1", "change"] == 2 and \
        by_requirement.loc["4.1", "direction"] == "rose"
    assert by_requirement.loc["4.2", "direction"] == "fell"
    assert by_requirement.loc["5.1", "direction"] == "unchanged"
    assert by_requirement.loc["6.1.1", "direction"] == "not comparable"
    areas = scoring.compare(scoring.area_scores(now), scoring.area_scores(before), "area")
    assert areas.set_index("area").loc["4", "change"] == 0.5  # 2.0 → 2.5
    trend = scoring.trend(db)
    assert list(trend.drop_duplicates("session_id")["session_id"]) == [first, second]


def test_results_for_the_management_review_and_the_kpi(db: Database) -> None:
    assert results.latest(db).empty and results.latest_gaps(db).empty
    assert results.latest_summary(db) is None
    first = finished_session(db, {"4.1": 1}, held_on=TODAY - timedelta(days=90))
    second = finished_session(db, {"4.1": 2, "4.2": 0, "5.1": "dont_know"})
    start(db, title="Open one")  # an open session is never "the latest result"
    latest = results.latest(db)
    assert list(latest["session_id"]) == [second]
    assert latest["overall"].iloc[0] == 1.0 and latest["previous_overall"].iloc[0] == 1.0
    assert latest["dont_know"].iloc[0] == 1
    gaps = results.latest_gaps(db)
    assert list(gaps["requirement_id"]) == ["4.2", "4.1"]
    assert list(gaps.columns) == results.GAP_COLUMNS
    assert list(results.gaps(db, first)["requirement_id"]) == ["4.1"]
    assert FIGURES["self_assessment_overall"](RegisterDay(db, TODAY)) == 1.0


def test_an_open_session_is_due_on_the_schedule_and_the_next_yearly_one(db: Database) -> None:
    finished_session(db, {"4.1": 2}, held_on=TODAY - timedelta(days=200))
    due = schedule.page(db, TODAY, schedule.DueFilter(), limit=None)
    yearly = due[due["kind"] == "Self-assessment"]
    assert len(yearly) == 1 and yearly["due_on"].iloc[0] == date(2027, 5, 6)  # 12 months on
    open_id = start(db, held_on=TODAY - timedelta(days=20))
    due = schedule.page(db, TODAY, schedule.DueFilter(), limit=None)
    to_finish = due[due["kind"] == "Self-assessment to finish"]
    assert bool(to_finish["overdue"].iloc[0]) and to_finish["owner"].iloc[0] == "Ana"
    assert to_finish["link"].iloc[0] == f"self_assessment?session={open_id}"
    yearly = due[due["kind"] == "Self-assessment"]  # the cadence runs from the latest held
    assert yearly["due_on"].iloc[0] == date(2027, 11, 2) and f"#{open_id}" in \
        yearly["item"].iloc[0]


# --- roadmap → actions and risks -----------------------------------------------------------
def test_roadmap_orders_steps_names_owners_and_spreads_due_dates(db: Database) -> None:
    ok(soa.add_missing_rows(db, "clause_status", ANA))
    row_id, version = db.query_rows("SELECT id, version FROM clause_status WHERE clause_id = "
                                    "'4.2'")[0]
    ok(apply_changes(db, "clause_status", [RowChange("update", {"owner": "Bo"}, row_id=row_id,
                                                     expected_version=version)], ANA))
    session_id = finished_session(db, {"4.1": 2, "4.2": 0, "4.3": 1, "4.4": 3})
    ok(roadmap.build(db, ANA, session_id, 6, TODAY))
    steps = roadmap.steps(db, session_id)
    assert list(steps["requirement_id"]) == ["4.2", "4.3", "4.1"]
    assert list(steps["owner"]) == ["Bo", "Ana", "Ana"]  # clause owner, else the facilitator
    due = list(steps["due_on"].dt.date)
    assert due == sorted(due) and due[0] > TODAY
    assert due[-1] == TODAY + timedelta(days=round(6 * 365 / 12))  # the horizon's end
    assert steps["title"].iloc[0].startswith("Raise 4.2")
    again = roadmap.build(db, ANA, session_id, 6, TODAY)
    assert not again.ok and "already has 3 steps" in str(again.errors[0])


def test_roadmap_needs_a_finished_session(db: Database) -> None:
    session_id = start(db)
    assert answer(db, session_id, "4.1", level=1).ok
    result = roadmap.build(db, ANA, session_id, 3, TODAY)
    assert not result.ok and "finished session" in str(result.errors[0])
    with pytest.raises(ValueError):
        roadmap.proposal(db, session_id, 5, TODAY)


def test_chosen_steps_become_actions_linked_back(db: Database) -> None:
    session_id = finished_session(db, {"4.1": 2, "4.2": 0, "4.3": 1})
    ok(roadmap.build(db, ANA, session_id, 3, TODAY))
    steps = roadmap.steps(db, session_id)
    chosen = list(steps["id"].head(2))
    created = ok(roadmap.to_actions(db, ANA, session_id, chosen, TODAY))
    actions = db.query_df("SELECT * FROM actions ORDER BY id")
    assert len(actions) == 2 and set(actions["source"]) == {"self_assessment_gap"}
    assert list(actions["source_id"]) == chosen
    assert set(actions["source_table"]) == {"self_assessment_steps"}
    assert list(actions["due_on"]) == list(steps["due_on"].head(2))
    assert list(roadmap.steps(db, session_id)["actions"].head(2)) == [
        f"#{created.inserted[0]} open", f"#{created.inserted[1]} open"]
    twice = roadmap.to_actions(db, ANA, session_id, chosen[:1], TODAY)
    assert not twice.ok and "already has action" in str(twice.errors[0])
    assert db.scalar("SELECT count(*) FROM actions") == 2
    from aims_core.improvement import actions as actions_list
    listed = actions_list.for_source(db, "self_assessment_gap", chosen[0], TODAY)
    assert listed["source_link"].iloc[0] == f"self_assessment?step={chosen[0]}"


def test_chosen_steps_become_risks_linked_back(db: Database) -> None:
    session_id = finished_session(db, {"4.1": 2})
    ok(roadmap.build(db, ANA, session_id, 12, TODAY))
    step = int(roadmap.steps(db, session_id)["id"].iloc[0])
    ok(roadmap.to_risks(db, ANA, session_id, [step], 3, 2, TODAY))
    risk = db.query_df("SELECT * FROM risks").iloc[0]
    assert risk["self_assessment_step_id"] == step and risk["status"] == "open"
    assert (risk["inherent_likelihood"], risk["inherent_impact"]) == (3, 2)
    assert roadmap.steps(db, session_id)["risks"].iloc[0] == f"#{int(risk['id'])}"
    assert not roadmap.to_risks(db, ANA, session_id, [step], 3, 2, TODAY).ok


# --- exports -------------------------------------------------------------------------------
def test_excel_export_opens_with_answers_scores_gaps_and_roadmap(db: Database) -> None:
    session_id = finished_session(db, {"4.1": 2, "4.2": "dont_know", "4.3": 1})
    ok(roadmap.build(db, ANA, session_id, 6, TODAY))
    book = openpyxl.load_workbook(io.BytesIO(exports.workbook(db, session_id)))
    assert book.sheetnames == ["Session", "Answers", "Scores", "Areas", "Gaps", "Roadmap"]
    answers = list(book["Answers"].iter_rows(values_only=True))
    assert len(answers) == 43  # title, header + 41 questions, answered or not
    assert answers[3][:5] == ("4.2", "4.2", bank.load().question("4.2").text, "Don't know",
                              None)
    assert book["Roadmap"].max_row == 4  # title, header + 2 gaps


def test_html_report_opens_offline_with_its_charts_and_escapes_text(db: Database) -> None:
    session_id = finished_session(db, {"4.1": 2}, held_on=TODAY)
    version = db.scalar("SELECT version FROM self_assessment_sessions WHERE id = ?",
                        [session_id])
    assert version >= 2
    areas = scoring.area_scores(scoring.scores(db, session_id))
    start(db, title="<script>alert(1)</script>", scope_note="<b>bold</b>")
    html = exports.html_report(db, session_id, [maturity_radar(areas), maturity_bars(areas)])
    assert "Plotly.newPlot" in html and "scatterpolar" in html and '"type":"bar"' in html
    assert 'src="http' not in html  # nothing fetched: plotly.js is inline
    assert len(html) > 1_000_000
    other = sessions.titles(db)
    evil = next(i for i, t in other.items() if "script" in t)
    report = exports.html_report(db, evil, [])
    assert "<script>alert(1)</script>" not in report and "&lt;script&gt;" in report
    assert "<b>bold</b>" not in report


# --- the demo ------------------------------------------------------------------------------
def test_demo_has_two_finished_sessions_and_one_half_done(demo_db: Database) -> None:
    listed = sessions.listing(demo_db)
    assert sorted(listed["status"]) == ["finished", "finished", "in_progress"]
    open_one = listed[listed["status"] == "in_progress"].iloc[0]
    assert 0 < open_one["given"] < 41
    latest = results.latest_summary(demo_db)
    assert latest.overall > latest.previous_overall
    assert (latest.held_on - latest.previous_held_on).days > 90
    now = scoring.area_scores(scoring.scores(demo_db, latest.session_id))
    before = scoring.area_scores(scoring.scores(
        demo_db, scoring.previous_finished(demo_db, latest.session_id)))
    directions = set(scoring.compare(now, before, "area")["direction"])
    assert {"rose", "fell"} <= directions
    steps = roadmap.steps(demo_db, latest.session_id)
    assert len(steps) >= 5 and steps["actions"].notna().sum() == 3
    # the frozen scores are what scoring the answers today gives
    live = scoring.live_scores(demo_db, latest.session_id, "quick", 1)
    assert scoring.overall(live) == latest.overall


def test_a_larger_organisation_gets_a_longer_history() -> None:
    from aims_core.demo import generate

    frames = generate(systems=800)
    sessions_frame = frames["self_assessment_sessions"]
    assert (sessions_frame["status"] == "finished").sum() == 4
    assert set(sessions_frame["mode"]) == {"quick", "thorough"}
    assert len(frames["self_assessment_scores"]) == 41 * 4
