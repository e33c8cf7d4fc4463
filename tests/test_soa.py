"""Statement of Applicability: completeness, justification, suggestions, versions, coverage,
export."""

from __future__ import annotations

import io
from datetime import date, timedelta

import openpyxl
import pandas as pd
import pytest

from aims_core.auth.actor import Actor
from aims_core.compliance import soa
from aims_core.records.writes import RowChange, apply_changes
from aims_core.storage import spreadsheets
from aims_core.storage.database import Database
from tests.conftest import ANA, TODAY


def _start(db: Database) -> None:
    assert soa.add_missing_rows(db, "soa", ANA).ok
    assert soa.add_missing_rows(db, "clause_status", ANA).ok


def _decide_all(db: Database, applicable: bool = True) -> None:
    rows = db.query_rows("SELECT id, version FROM soa ORDER BY id")
    result = apply_changes(db, "soa", [
        RowChange("update", {"applicable": applicable, "justification": "Needed"},
                  row_id=i, expected_version=v) for i, v in rows], ANA)
    assert result.ok, result.errors


def _set(db: Database, control: str, **values: object) -> None:
    row_id, version = db.query_rows("SELECT id, version FROM soa WHERE control_id = ?",
                                    [control])[0]
    result = apply_changes(db, "soa", [RowChange("update", values, row_id=row_id,
                                                 expected_version=version)], ANA)
    assert result.ok, result.errors


def _system(db: Database, **values: object) -> None:
    row = {"name": "S", "owner": "Ana", "sourcing": "built", "lifecycle_stage": "operation",
           "eu_ai_act_category": "minimal", **values}
    assert apply_changes(db, "ai_systems", [RowChange("insert", row)], ANA).ok


def test_every_control_present_exactly_once(db: Database, demo_db: Database) -> None:
    assert len(soa.missing_rows(db, "soa")) == 38
    assert len(soa.missing_rows(db, "clause_status")) == 32
    _start(db)
    for database in (db, demo_db):
        assert soa.missing_rows(database, "soa") == []
        assert database.scalar("SELECT count(DISTINCT control_id) FROM soa") == 38
        assert database.scalar("SELECT count(*) FROM soa") == 38
        assert len(soa.soa_table(database, TODAY)) == 38
        frame = soa.export_frame(database)
        assert frame["ID"].is_unique and len(frame) == 38
    assert soa.add_missing_rows(db, "soa", ANA).inserted == []  # nothing twice
    assert db.scalar("SELECT count(*) FROM clause_status") == 32


def test_justification_required_for_inclusion_and_exclusion(db: Database) -> None:
    _start(db)
    row_id = db.scalar("SELECT id FROM soa WHERE control_id = 'A.2.2'")
    for applicable in (True, False):
        result = apply_changes(db, "soa", [RowChange("update", {"applicable": applicable},
                                                     row_id=row_id, expected_version=1)], ANA)
        assert not result.ok
        assert "field 'Justification': is required" in str(result.errors[0])
    assert db.scalar("SELECT applicable FROM soa WHERE id = ?", [row_id]) is None


@pytest.mark.parametrize(("system", "expected"), [
    ({"sourcing": "api"}, {"A.10.2", "A.10.3"}),
    ({"personal_data": True}, {"A.7.2", "A.7.3", "A.7.4", "A.7.5", "A.7.6"}),
    ({"lifecycle_stage": "design"}, {"A.6.1.2", "A.6.1.3", "A.6.2.2", "A.6.2.3", "A.6.2.4",
                                     "A.6.2.5", "A.6.2.6", "A.6.2.7", "A.6.2.8"}),
    ({"eu_ai_act_category": "high_risk"}, {"A.5.2", "A.5.3", "A.5.4", "A.5.5"}),
])
def test_suggestion_rules(db: Database, system: dict, expected: set[str]) -> None:
    _start(db)
    _system(db, name="Only", **({"lifecycle_stage": "validation"} | system))
    found = soa.suggestions(db)
    assert set(found["control_id"]) == expected
    assert all("Only" in reason for reason in found["reason"])
    assert found["differs"].all()


def test_suggestions_from_suppliers_and_operation_and_nothing_when_empty(db: Database) -> None:
    assert soa.suggestions(db).empty
    assert apply_changes(db, "suppliers", [RowChange("insert", {"name": "Vendor"})], ANA).ok
    _system(db, name="Live")
    found = soa.suggestions(db).set_index("control_id")
    assert {"A.10.2", "A.10.3", "A.6.2.6", "A.8.4", "A.9.2"} <= set(found.index)
    assert "Vendor" in found.loc["A.10.3", "reason"]
    assert "Live" in found.loc["A.9.2", "reason"]


def test_suggestions_apply_only_when_confirmed(db: Database) -> None:
    _start(db)
    _system(db, sourcing="bought")
    found = soa.suggestions(db)
    assert db.scalar("SELECT count(*) FROM soa WHERE applicable") == 0  # shown, not applied
    chosen = found[found["control_id"] == "A.10.3"]
    assert soa.apply_suggestions(db, chosen, ANA).ok
    applicable, justification = db.query_rows(
        "SELECT applicable, justification FROM soa WHERE control_id = 'A.10.3'")[0]
    assert applicable and "Third-party AI" in justification
    assert db.scalar("SELECT count(*) FROM soa WHERE applicable") == 1
    assert not soa.suggestions(db).set_index("control_id").loc["A.10.3", "differs"]
    stale = soa.apply_suggestions(db, chosen, Actor("Bo"))  # loaded before Ana's change
    assert stale.ok and not stale.updated  # the same change: merged, nothing more to write
    assert "to the values you chose" in stale.merged[0].message


def test_approval_needs_every_control_decided(db: Database) -> None:
    _start(db)
    result = soa.approve(db, "Ben", TODAY, None, ANA)
    assert len(result.errors) == 38 and "must be decided" in str(result.errors[0])
    assert db.scalar("SELECT count(*) FROM soa_versions") == 0


def test_versions_and_diff(db: Database) -> None:
    _start(db)
    _decide_all(db)
    first = soa.approve(db, "Ben", date(2026, 1, 10), "First SoA", ANA)
    assert first.ok, first.errors
    assert soa.diff(db, 1, None).empty
    _set(db, "A.2.2", implementation_status="implemented", owner="Bo")
    _set(db, "A.10.4", applicable=False, justification="We have no customers for AI")
    assert soa.approve(db, "Ben", date(2026, 6, 1), None, ANA).ok
    listed = soa.versions(db)
    assert listed["version_no"].tolist() == [2, 1]
    assert listed["controls"].tolist() == [38, 38]
    assert listed["applicable"].tolist() == [37, 38]
    changes = soa.diff(db, 1, 2)
    assert changes[["control_id", "field", "before", "after"]].values.tolist() == [
        ["A.2.2", "Implementation status", "Not started", "Implemented"],
        ["A.2.2", "Owner", "—", "Bo"],
        ["A.10.4", "Applicable", "Yes", "No"],
        ["A.10.4", "Justification", "Needed", "We have no customers for AI"],
    ]
    assert len(soa.diff(db, 2, 1)) == 4
    item = db.scalar("SELECT id FROM soa_version_items WHERE version_no = 1 AND control_id = "
                     "'A.2.2'")
    rewrite = apply_changes(db, "soa_version_items", [RowChange(
        "update", {"owner": "Cleo"}, row_id=item, expected_version=1)], Actor("Cleo"))
    assert "field 'Owner': cannot be changed" in str(rewrite.errors[0])  # approved is final
    assert soa.diff(db, 2, None).empty
    _set(db, "A.2.3", evidence="Policy map", last_reviewed=TODAY)
    assert soa.diff(db, 2, None).empty  # evidence and dates only when asked for
    full = soa.diff(db, 2, None, soa.SNAPSHOT_FIELDS)
    assert full["field"].tolist() == ["Evidence", "Last reviewed"]


def test_second_approval_with_the_same_number_is_refused(db: Database,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    _start(db)
    _decide_all(db)
    assert soa.approve(db, "Ben", TODAY, None, ANA).ok
    real_scalar = db.scalar
    monkeypatch.setattr(db, "scalar", lambda sql, *a: 1 if "max(version_no)" in sql
                        else real_scalar(sql, *a))
    late = soa.approve(db, "Ben", TODAY, None, Actor("Bo"))  # raced: computed the same number
    assert not late.ok and "Version 1 already exists (SoA version 1)" in str(late.errors[0])
    assert db.scalar("SELECT count(*) FROM soa_version_items") == 38


def test_coverage_equals_sql_over_soa(demo_db: Database) -> None:
    frame = soa.coverage(demo_db, TODAY).set_index("objective_id")
    # Implemented controls with expired evidence (a linked document's next review, where one
    # is linked), a review over 12 months old or an open major nonconformity stand partial.
    expected = demo_db.query_rows(
        "SELECT c.objective_id, CASE WHEN s.implementation_status = 'implemented' AND "
        "(s.evidence_expiry < $today OR s.last_reviewed < $today - INTERVAL 12 MONTH "
        "OR s.control_id IN (SELECT requirement_id FROM nonconformities WHERE grade = 'major' "
        "AND status NOT IN ('closed', 'closed_not_effective'))) "
        "THEN 'partial' ELSE s.implementation_status END, count(*) "
        f"FROM ({soa.SOA_ROWS_SQL}) s "
        "JOIN controls c USING (control_id) WHERE s.applicable GROUP BY ALL", {"today": TODAY})
    assert sum(n for *_, n in expected) == frame["applicable"].sum() > 0
    for objective, status, count in expected:
        assert frame.loc[objective, status] == count
        share = 100.0 * count / frame.loc[objective, "applicable"]
        assert frame.loc[objective, f"{status}_pct"] == pytest.approx(share, abs=0.05)
    assert len(frame) == 9 and frame["controls"].sum() == 38
    assert frame["lowered"].sum() > 0  # the demo has stale evidence, so standing matters


def test_expired_evidence_or_old_review_lowers_a_controls_standing(db: Database) -> None:
    _start(db)
    _decide_all(db)

    def standing() -> tuple[int, int]:
        row = soa.coverage(db, TODAY).set_index("objective_id").loc["A.2"]
        return int(row["implemented"]), int(row["lowered"])

    _set(db, "A.2.2", implementation_status="implemented", last_reviewed=TODAY,
         evidence_expiry=TODAY + timedelta(days=30))
    assert standing() == (1, 0)
    _set(db, "A.2.2", evidence_expiry=TODAY - timedelta(days=1))
    assert standing() == (0, 1)
    _set(db, "A.2.2", evidence_expiry=None, last_reviewed=TODAY - timedelta(days=400))
    assert standing() == (0, 1)
    flags = soa.soa_table(db, TODAY).set_index("control_id").loc["A.2.2", "flags"]
    assert "Review overdue" in flags


def test_clause_coverage_counts_the_32_leaves(db: Database) -> None:
    frame = soa.clause_coverage(db)
    assert frame["clause_id"].tolist() == ["4", "5", "6", "7", "8", "9", "10"]
    assert frame["subclauses"].sum() == 32 == frame["not_started"].sum()
    _start(db)
    row_id = db.scalar("SELECT id FROM clause_status WHERE clause_id = '6.1.3'")
    assert apply_changes(db, "clause_status", [RowChange(
        "update", {"status": "implemented"}, row_id=row_id, expected_version=1)], ANA).ok
    planning = soa.clause_coverage(db).set_index("clause_id").loc["6"]
    assert (planning["implemented"], planning["not_started"]) == (1, 5)


def test_flags_and_untreated_risks(db: Database) -> None:
    _start(db)
    _decide_all(db)
    _set(db, "A.2.2", owner="Ana", evidence="Policy", evidence_expiry=date(2026, 1, 1))
    _set(db, "A.2.3", owner="Ana")
    _set(db, "A.3.2", owner="Ana", target_date=date(2026, 10, 1))
    _set(db, "A.3.3", owner="Ana", target_date=date(2026, 10, 1),
         implementation_status="implemented")
    flags = soa.soa_table(db, TODAY).set_index("control_id")["flags"]
    assert flags["A.2.2"] == "Evidence expired"
    assert flags["A.2.3"] == flags["A.3.3"] == ""
    assert flags["A.2.4"] == "No owner"
    assert flags["A.3.2"] == "Target date passed"
    assert len(soa.soa_table(db, TODAY, soa.SoaFilter(flagged_only=True))) == 36
    risk = {"title": "R", "owner": "Ana", "inherent_likelihood": 3, "inherent_impact": 3,
            "status": "open"}
    assert apply_changes(db, "risks", [RowChange("insert", risk),
                                       RowChange("insert", {**risk, "title": "T"})], ANA).ok
    assert apply_changes(db, "risk_controls", [RowChange("insert", {
        "risk_id": 2, "control_id": "A.10.4"})], ANA).ok
    assert soa.untreated_risks(db)["title"].tolist() == ["R"]
    _set(db, "A.10.4", applicable=False, justification="No customers")
    gaps = soa.untreated_risks(db).set_index("title")
    assert gaps.loc["T", "reason"].endswith("A.10.4")


def test_filter_by_crosswalk(demo_db: Database) -> None:
    oversight = soa.soa_table(demo_db, TODAY, soa.SoaFilter(eu_articles=("Art. 14",)))
    expected = demo_db.query_rows("SELECT iso_id FROM crosswalk_eu_ai_act WHERE eu_article = "
                                  "'Art. 14' AND iso_kind = 'control' ORDER BY iso_id")
    assert sorted(oversight["control_id"]) == [r[0] for r in expected]
    assert all("Art. 14" in articles for articles in oversight["eu_articles"])
    nist = soa.soa_table(demo_db, TODAY, soa.SoaFilter(nist_subcategories=("GOVERN 6.1",)))
    assert set(nist["control_id"]) == {"A.10.2", "A.10.3"}
    articles, subcategories = soa.crosswalk_choices(demo_db)
    assert articles["Art. 14"] == "Art. 14 Human oversight"
    assert "GOVERN 6.1" in subcategories


def test_export_columns_rows_and_approval(demo_db: Database) -> None:
    frame = soa.export_frame(demo_db)
    assert list(frame.columns) == list(soa.EXPORT_COLUMNS)
    assert len(frame) == 38
    assert frame["Justification"].notna().all()
    latest = soa.latest_approval(demo_db)
    assert latest is not None
    assert set(frame["SoA version"]) == {f"v{latest.version_no}"}
    changed = set(soa.diff(demo_db, latest.version_no, None, soa.SNAPSHOT_FIELDS)["control_id"])
    stale = set(frame.loc[frame["Approval"] == "Changed since this approval", "ID"])
    assert stale == changed
    as_approved = soa.export_frame(demo_db, 1)
    assert as_approved["Approval"].str.startswith("Approved by").all()


def test_export_files_are_defused_and_complete(db: Database) -> None:
    _start(db)
    _set(db, "A.2.2", applicable=True, justification="=HYPERLINK(\"http://x\")")
    frame = soa.export_frame(db)
    csv = pd.read_csv(io.BytesIO(spreadsheets.to_csv_bytes(frame)), encoding="utf-8-sig")
    assert list(csv.columns) == list(soa.EXPORT_COLUMNS) and len(csv) == 38
    assert csv.loc[0, "Justification"].startswith("'=")
    sheet = openpyxl.load_workbook(io.BytesIO(spreadsheets.to_excel_bytes(
        frame, "Statement of Applicability"))).active
    assert [c.value for c in sheet[2]] == list(soa.EXPORT_COLUMNS)  # under the title row
    assert sheet.max_row == 40
    assert sheet["E3"].value.startswith("'=")
