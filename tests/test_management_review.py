"""Management review (9.3): each input against SQL over a scripted sequence of register
edits between two review dates; the lock of signed minutes in the write path; decisions →
actions → the next review's input a); the frozen pack unchanged after later edits."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest

from aims_core.auth.actor import Actor
from aims_core.management_review import changes, inputs, reviews
from aims_core.management_review.content import Period
from aims_core.records.writes import RowChange, WriteResult, apply_changes
from aims_core.storage.database import Database
from tests.conftest import ANA

FIRST = date(2026, 1, 20)  # the first review
SECOND = date(2026, 10, 20)  # the second review
BETWEEN = date(2026, 5, 5)
AFTER = date(2026, 11, 2)  # edits after the second review
BEN = Actor("Ben")  # the chair, an AIMS manager


def ok(result: WriteResult) -> WriteResult:
    assert result.ok, [str(p) for p in result.errors + result.conflicts]
    return result


def at(day: date) -> datetime:
    return datetime.combine(day, time(10))


def insert(db: Database, table: str, day: date, **values: Any) -> int:
    return ok(apply_changes(db, table, [RowChange("insert", values)], ANA, now=at(day))
              ).inserted[0]


def update(db: Database, table: str, row_id: int, day: date, **values: Any) -> WriteResult:
    version = db.scalar(f"SELECT version FROM {table} WHERE id = ?", [row_id])
    return ok(apply_changes(db, table, [RowChange("update", values, row_id=row_id,
                                                  expected_version=version)], ANA, now=at(day)))


def level(db: Database, likelihood: int, impact: int) -> str:
    return db.scalar("SELECT level_band FROM risk_level_grid WHERE likelihood = ? AND impact = ?",
                     [likelihood, impact])


def facts(section: dict[str, Any]) -> dict[str, str]:
    return dict(section["facts"])


def section_of(db: Database, review_id: int, code: str, today: date) -> dict[str, Any]:
    review = reviews.one(db, review_id)
    return inputs.INPUTS[code](db, review_id, review["review_date"],
                               reviews.period_of(db, review, today))


@pytest.fixture
def scripted(db: Database) -> dict[str, int]:
    """Registers before the first review, a first review signed with a decision and its
    action, edits between the reviews, a second review held, and edits after it."""
    ids: dict[str, int] = {}
    before = FIRST - timedelta(days=30)
    ids["scorer"] = insert(db, "ai_systems", before, name="Scorer", owner="Ben",
                           sourcing="built", lifecycle_stage="operation",
                           eu_ai_act_category="high_risk")
    ids["chatbot"] = insert(db, "ai_systems", before, name="Chatbot", owner="Ben",
                            sourcing="api", lifecycle_stage="operation",
                            eu_ai_act_category="transparency")
    ids["risk"] = insert(db, "risks", before, title="Unfair declines", owner="Ben",
                         ai_system_id=ids["scorer"], inherent_likelihood=2,
                         inherent_impact=2, status="open")
    ids["steady"] = insert(db, "risks", before, title="Steady risk", owner="Ben",
                           inherent_likelihood=3, inherent_impact=3, status="open")
    ids["control"] = insert(db, "soa", before, control_id="A.6.2.4", applicable=True,
                            implementation_status="planned", justification="Validation")
    ids["issue"] = insert(db, "context_issues", before, issue_type="external",
                          description="AI Act duties", owner="Ben")
    ids["party"] = insert(db, "interested_parties", before, party="Customers",
                          needs="Fair decisions", owner="Ben")
    ids["kpi"] = insert(db, "kpis", before, name="Approval parity", direction="higher",
                        target=0.95, amber_threshold=0.9, red_threshold=0.8, owner="Ben",
                        kind="measured")
    insert(db, "kpi_measurements", FIRST - timedelta(days=5), kpi_id=ids["kpi"], value=0.97,
           measured_on=FIRST - timedelta(days=5), source="entered")
    # The first review, with a decision and its action, signed off.
    ids["first"] = ok(reviews.plan(db, ANA, {"review_date": FIRST, "chair": "Ben",
                                             "status": "held"})).inserted[0]
    decided = ok(reviews.record_decision(db, ANA, ids["first"], "improvement",
                                         "Add fairness monitoring", "risks", {
                                             "title": "Build the parity dashboard",
                                             "owner": "Cleo", "due_on": BETWEEN,
                                             "created_on": FIRST}))
    ids["decision"] = decided.inserted[0]
    ids["action"] = db.scalar("SELECT id FROM actions WHERE source_table = "
                              "'management_review_decisions'")
    ok(reviews.update(db, BEN, ids["first"], _version(db, ids["first"]), {
        "aims_suitable": True, "aims_adequate": True, "aims_effective": False,
        "conclusion": "Effective once monitoring exists"}))
    ok(reviews.sign_off(db, BEN, ids["first"], _version(db, ids["first"]), FIRST))
    # Between the reviews.
    update(db, "risks", ids["risk"], BETWEEN, inherent_likelihood=5, inherent_impact=5)
    update(db, "soa", ids["control"], BETWEEN, implementation_status="implemented")
    update(db, "context_issues", ids["issue"], BETWEEN, description="AI Act duties moved")
    insert(db, "interested_parties", BETWEEN, party="Works council", needs="Consultation",
           owner="Ben")
    update(db, "ai_systems", ids["chatbot"], BETWEEN, lifecycle_stage="retired",
           retired_on=BETWEEN)
    ids["new_system"] = insert(db, "ai_systems", BETWEEN, name="Router", owner="Ben",
                               sourcing="bought", lifecycle_stage="deployment",
                               eu_ai_act_category="minimal")
    insert(db, "kpi_measurements", BETWEEN, kpi_id=ids["kpi"], value=0.7, measured_on=BETWEEN,
           source="entered")
    insert(db, "incidents", BETWEEN, title="Wrong declines", detected_on=BETWEEN, owner="Ben",
           severity="high", harm_type="discrimination", status="closed",
           closed_on=BETWEEN + timedelta(days=3), ai_system_id=ids["scorer"])
    insert(db, "nonconformities", BETWEEN, title="Parity below target", grade="major",
           source="other", owner="Ben", raised_on=BETWEEN, status="open")
    update(db, "actions", ids["action"], BETWEEN, status="done", done_on=BETWEEN)
    ids["second"] = ok(reviews.plan(db, ANA, {"review_date": SECOND, "chair": "Ben",
                                              "status": "held"})).inserted[0]
    # After the second review: none of this is in its period.
    update(db, "risks", ids["steady"], AFTER, inherent_likelihood=1, inherent_impact=1)
    insert(db, "context_issues", AFTER, issue_type="internal", description="Late issue",
           owner="Ben")
    return ids


def _version(db: Database, review_id: int) -> int:
    return int(db.scalar("SELECT version FROM management_reviews WHERE id = ?", [review_id]))


def test_the_period_runs_from_the_previous_review(db: Database,
                                                  scripted: dict[str, int]) -> None:
    review = reviews.one(db, scripted["second"])
    assert reviews.period_of(db, review, AFTER) == Period(FIRST, SECOND)
    assert reviews.period_of(db, reviews.one(db, scripted["first"]), AFTER).since is None
    assert reviews.last_review_on(db, AFTER) == SECOND


def test_input_a_lists_the_previous_reviews_actions(db: Database,
                                                    scripted: dict[str, int]) -> None:
    section = section_of(db, scripted["second"], "a_actions", AFTER)
    assert facts(section) == {"Actions from earlier reviews": "1", "Done": "1",
                              "Still open": "0", "Overdue": "0"}
    assert section["tables"][0]["rows"][0][0] == "Build the parity dashboard"
    # The first review has no earlier review: nothing to report.
    assert facts(section_of(db, scripted["first"], "a_actions", AFTER))[
        "Actions from earlier reviews"] == "0"


def test_inputs_b_and_c_count_the_changes_in_the_period(db: Database,
                                                        scripted: dict[str, int]) -> None:
    issues = section_of(db, scripted["second"], "b_issues", AFTER)
    expected = db.scalar("""SELECT count(DISTINCT row_id) FROM change_log
        WHERE table_name = 'context_issues' AND operation = 'update'
          AND CAST(changed_at AS DATE) > ? AND CAST(changed_at AS DATE) <= ?""",
                         [FIRST, SECOND])
    assert facts(issues)["Changed"] == str(expected) == "1"
    assert facts(issues)["Added"] == "0"  # the issue added after the review does not count
    assert issues["tables"][0]["rows"][0][2] == "AI Act duties moved"
    parties = section_of(db, scripted["second"], "c_parties", AFTER)
    assert facts(parties)["Added"] == "1"
    assert facts(parties)["Interested parties relevant at the review"] == "2"


def test_input_d_trends_from_the_registers(db: Database, scripted: dict[str, int]) -> None:
    ncs = facts(section_of(db, scripted["second"], "d1_nonconformities", AFTER))
    assert ncs["Raised in the period"] == "1" and ncs["Open major"] == "1"
    monitoring = section_of(db, scripted["second"], "d2_monitoring", AFTER)
    assert facts(monitoring)["Red: breach"] == "1"
    assert monitoring["charts"][0]["kind"] == "trend"
    assert [v for _, v in monitoring["charts"][0]["points"]] == [0.97, 0.7]
    audits = facts(section_of(db, scripted["second"], "d3_audits", AFTER))
    assert audits["Audits held in the period"] == "0"


def test_input_e_says_plainly_when_no_self_assessment_is_finished(
        db: Database, scripted: dict[str, int]) -> None:
    section = section_of(db, scripted["second"], "e_opportunities", AFTER)
    assert section["notes"] == [inputs.NO_SELF_ASSESSMENT]


def test_changed_since_the_last_review_reads_from_and_to(db: Database,
                                                         scripted: dict[str, int]) -> None:
    period = Period(FIRST, SECOND)
    risks = changes.risk_level_changes(db, period)
    assert risks[["title", "level_from", "level_to", "movement"]].values.tolist() == [
        ["Unfair declines", level(db, 2, 2), level(db, 5, 5), "rose"]]
    controls = changes.control_status_changes(db, period)
    assert controls[["control_id", "status_from", "status_to"]].values.tolist() == [
        ["A.6.2.4", "planned", "implemented"]]
    systems = changes.systems_added_retired(db, period)
    assert sorted(systems[["name", "change"]].values.tolist()) == [
        ["Chatbot", "Retired"], ["Router", "Added"]]
    crossed = changes.kpi_crossings(db, period)
    assert crossed[["name", "status_from", "status_to"]].values.tolist() == [
        ["Approval parity", "green", "red"]]
    figures = changes.counts(db, period)
    assert figures == {"incidents_opened": 1, "incidents_closed": 1, "actions_done": 1,
                       "actions_overdue": 0}
    section = facts(section_of(db, scripted["second"], "changes", AFTER))
    assert section["Risks whose level rose"] == "1"
    assert section["Risks whose level fell"] == "0"  # the fall after the review is not in it


def test_the_lock_of_signed_minutes_holds_in_the_write_path(db: Database,
                                                            scripted: dict[str, int]) -> None:
    first = scripted["first"]
    for table, row_id, values in (
            ("management_reviews", first, {"notes": "Edited later"}),
            ("management_review_decisions", scripted["decision"], {"decision": "Other"})):
        version = db.scalar(f"SELECT version FROM {table} WHERE id = ?", [row_id])
        result = apply_changes(db, table, [RowChange("update", values, row_id=row_id,
                                                     expected_version=version)], ANA)
        assert not result.ok
        assert "signed off by Ben" in str(result.errors[0]) and "locked" in str(
            result.errors[0])
    refused = reviews.save_notes(db, ANA, first, "risks", "Late note", True)
    assert not refused.ok and "locked" in str(refused.errors[0])
    pack_id = db.scalar("SELECT id FROM management_review_packs WHERE review_id = ?", [first])
    result = apply_changes(db, "management_review_packs", [RowChange(
        "update", {"content_json": "{}"}, row_id=pack_id, expected_version=1)], ANA)
    assert not result.ok and "frozen review pack" in str(result.errors[0])
    assert db.scalar("SELECT count(*) FROM management_review_sections") == 0


def test_sign_off_needs_the_chair_and_a_conclusion(db: Database,
                                                   scripted: dict[str, int]) -> None:
    second = scripted["second"]
    refused = reviews.sign_off(db, ANA, second, _version(db, second), SECOND)
    messages = " ".join(str(p) for p in refused.errors)
    assert "only the chair" in messages and "Conclusion and reasons" in messages
    assert "AIMS remains suitable" in messages
    assert db.scalar("SELECT status FROM management_reviews WHERE id = ?", [second]) == "held"
    assert db.scalar("SELECT count(*) FROM management_review_packs WHERE review_id = ?",
                     [second]) == 0  # nothing half-written
    ok(reviews.update(db, ANA, second, _version(db, second), {"chair": None}))
    refused = reviews.sign_off(db, ANA, second, _version(db, second), SECOND)
    assert "Chair" in str(refused.errors[0]) and "is required to sign off" in str(
        refused.errors[0])


def test_a_review_cannot_be_dated_before_the_previous_one(db: Database,
                                                          scripted: dict[str, int]) -> None:
    refused = reviews.plan(db, ANA, {"review_date": FIRST - timedelta(days=1), "chair": "Ben"})
    assert not refused.ok
    assert "Review date" in str(refused.errors[0]) and "after the previous review" in str(
        refused.errors[0])


def test_an_action_without_owner_or_due_date_leaves_no_decision(
        db: Database, scripted: dict[str, int]) -> None:
    before = db.scalar("SELECT count(*) FROM management_review_decisions")
    refused = reviews.record_decision(db, ANA, scripted["second"], "resources",
                                      "Hire a data scientist", None,
                                      {"title": "Open the position", "owner": None,
                                       "due_on": None})
    messages = " ".join(str(p) for p in refused.errors)
    assert "Owner" in messages and "Due on" in messages and "is required" in messages
    assert db.scalar("SELECT count(*) FROM management_review_decisions") == before


def test_a_second_note_taker_never_overwrites_the_first(db: Database,
                                                        scripted: dict[str, int]) -> None:
    second = scripted["second"]
    ok(reviews.save_notes(db, ANA, second, "risks", "Screen: risk rose", True))
    row = reviews.section_notes(db, second)["risks"]
    ok(reviews.save_notes(db, ANA, second, "risks", "Note-taker: agreed treatment", True,
                          row["id"], row["version"]))
    stale = reviews.save_notes(db, BEN, second, "risks", "Screen overwrites", True, row["id"],
                               row["version"])
    assert not stale.ok and "since you loaded it" in str(stale.conflicts[0])
    assert reviews.section_notes(db, second)["risks"]["notes"] == "Note-taker: agreed treatment"
    twin = reviews.save_notes(db, BEN, second, "risks", "Second insert", False)
    assert not twin.ok and "already exists" in str(twin.errors[0])


def test_decisions_become_actions_and_come_back_as_input_a(db: Database,
                                                           scripted: dict[str, int]) -> None:
    second = scripted["second"]
    ok(reviews.update(db, BEN, second, _version(db, second), {
        "aims_suitable": True, "aims_adequate": True, "aims_effective": True,
        "conclusion": "Monitoring works"}))
    ok(reviews.record_decision(db, ANA, second, "aims_change", "Extend scope to HR", None,
                               {"title": "Update the scope statement", "owner": "Bo",
                                "due_on": AFTER + timedelta(days=60), "created_on": SECOND}))
    ok(reviews.sign_off(db, BEN, second, _version(db, second), SECOND + timedelta(days=1)))
    third = ok(reviews.plan(db, ANA, {"review_date": AFTER + timedelta(days=30),
                                      "chair": "Ben"})).inserted[0]
    section = section_of(db, third, "a_actions", AFTER + timedelta(days=30))
    titles = [row[0] for row in section["tables"][0]["rows"]]
    assert sorted(titles) == ["Build the parity dashboard", "Update the scope statement"]
    expected = db.scalar("""SELECT count(*) FROM actions a JOIN management_review_decisions d
        ON a.source_table = 'management_review_decisions' AND a.source_id = d.id""")
    assert facts(section)["Actions from earlier reviews"] == str(expected)


def test_the_pack_is_unchanged_after_later_edits(db: Database,
                                                 scripted: dict[str, int]) -> None:
    first = scripted["first"]
    frozen = db.scalar("SELECT content_json FROM management_review_packs WHERE review_id = ?",
                       [first])
    pack = json.loads(frozen)
    assert [s["code"] for s in pack["sections"]][:3] == ["a_actions", "b_issues", "c_parties"]
    assert pack["decisions"][0]["actions"][0]["status"] == "Open"  # as it stood at sign-off
    risks_then = facts(next(s for s in pack["sections"] if s["code"] == "risks"))
    # Registers move on: the action is done, a risk rose, a system was added.
    again = reviews.pack(db, first)
    assert again == pack
    assert facts(next(s for s in again["sections"] if s["code"] == "risks")) == risks_then
    assert reviews.one(db, first)["status"] == "signed"
    digest = db.scalar("SELECT content_sha256 FROM management_review_packs")
    import hashlib

    assert hashlib.sha256(frozen.encode()).hexdigest() == digest


def test_the_schedule_lists_the_next_review(db: Database, scripted: dict[str, int]) -> None:
    from aims_core.dashboard.schedule import DueFilter, page

    def due(day: date):
        return page(db, day, DueFilter(kinds=("Management review",)), limit=None)

    rows = due(AFTER)
    assert rows["item"].tolist() == ["Next management review (none planned)"]
    assert rows["due_on"].tolist() == [date(2027, 10, 20)]  # 12 months after the second
    ok(reviews.set_interval(db, ANA, 6))
    assert due(AFTER)["due_on"].tolist() == [date(2027, 4, 20)]
    insert(db, "incidents", AFTER, title="Outage", detected_on=AFTER, owner="Ben",
           severity="critical", harm_type="other", status="open")
    assert reviews.next_due(db, AFTER) == (AFTER + timedelta(days=30), "critical incident")
    planned = ok(reviews.plan(db, ANA, {"review_date": date(2027, 2, 1), "chair": "Ben"}))
    assert due(AFTER)["link"].tolist() == [f"management_review?review={planned.inserted[0]}"]


def test_the_demo_has_a_signed_review_with_its_pack_and_a_planned_one(
        demo_db: Database) -> None:
    frame = reviews.all_reviews(demo_db)
    assert sorted(frame["status"]) == ["planned", "signed"]
    signed = frame[frame["status"] == "signed"].iloc[0]
    assert bool(signed["has_pack"])
    months = (demo_db.scalar("SELECT max(value) FROM aims_meta WHERE key = 'data_anchor_date'"))
    assert months  # the demo is anchored, so "ten months ago" is stable
    statuses = demo_db.query_df(
        f"SELECT status, overdue FROM ({inputs.PREVIOUS_ACTIONS_SQL})",
        {"review": int(frame[frame['status'] == 'planned'].iloc[0]['id']),
         "day": frame[frame["status"] == "planned"].iloc[0]["review_date"],
         "until": date(2026, 11, 22)})
    assert (statuses["status"] == "done").sum() >= 2 and statuses["overdue"].sum() == 1
