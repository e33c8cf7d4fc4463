"""Regression tests for the probes of issue 19 not covered by a suite of their own: each
hostile input refused in words (or accepted correctly), never an exception."""

from __future__ import annotations

import io
import tomllib
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from aims_core.auth.actor import Actor
from aims_core.performance.kpi_import import import_measurements, template_csv
from aims_core.records.writes import RowChange, apply_changes
from aims_core.storage.database import Database
from aims_core.ui.text import md_unescape
from tests.apptest_kit import ROOT, open_page
from tests.conftest import ANA
from tests.test_writes import SYSTEM, add_system


@pytest.mark.parametrize(("field", "value", "fragment"), [
    ("name", "Scorer \ud800", "U+D800"),
    ("name", "Scorer\x00", "U+0000 (NUL)"),
    ("name", "Score\u202er", "right-to-left override"),
    ("name", "\u200b", "zero width space"),
    ("name", "x" * 201, "the limit is 200"),
    ("annex_iii_area", "1e30", "out of range"),
    ("annex_iii_area", 2147483648, "out of range"),
    ("annex_iii_area", 10**400, "out of range"),
    ("created_on", "2026-01-01 and then some", "YYYY-MM-DD"),
    ("created_on", "0001-01-01", "between 1900-01-01 and 2200-12-31"),
    ("created_on", "9999-12-31", "between 1900-01-01 and 2200-12-31"),
    ("created_on", date(10, 1, 1), "between 1900-01-01 and 2200-12-31"),
])
def test_crashing_and_accepted_invalid_values_are_refused_in_words(db: Database, field: str,
                                                                   value: object,
                                                                   fragment: str) -> None:
    result = apply_changes(db, "ai_systems", [RowChange("insert", {**SYSTEM, field: value})],
                           ANA)
    assert not result.ok and fragment in str(result.errors[0]), result.errors
    assert db.scalar("SELECT count(*) FROM ai_systems") == 0


@pytest.mark.parametrize(("typed", "stored"), [("0,93", 0.93), ("3,2", 3.2), ("1234,5", 1234.5),
                                               ("1.234,5", 1234.5), ("1,234.5", 1234.5)])
def test_decimal_commas_are_read_as_decimals_where_unambiguous(db: Database, typed: str,
                                                               stored: float) -> None:
    result = apply_changes(db, "kpis", [RowChange("insert", {
        "name": "AUC", "direction": "higher", "kind": "measured", "target": typed})], ANA)
    assert result.ok, result.errors
    assert db.scalar("SELECT target FROM kpis") == stored


@pytest.mark.parametrize("typed", ["1,234", "12x,5", "1_000", "nan"])
def test_numbers_that_cannot_be_told_for_sure_are_refused(db: Database, typed: str) -> None:
    result = apply_changes(db, "kpis", [RowChange("insert", {
        "name": "AUC", "direction": "higher", "kind": "measured", "target": typed})], ANA)
    assert not result.ok and "field 'Target'" in str(result.errors[0])


def test_a_system_cannot_be_retired_before_it_was_created(db: Database) -> None:
    system_id = add_system(db, created_on="2026-03-01")
    result = apply_changes(db, "ai_systems", [RowChange(
        "update", {"lifecycle_stage": "retired", "retired_on": "2026-02-01"}, row_id=system_id,
        expected_version=1)], ANA)
    assert "cannot be before added on (2026-03-01)" in str(result.errors[0])


def test_a_csv_row_with_a_field_too_many_is_named_not_shifted(demo_db: Database) -> None:
    data = b"kpi,measured_on,value,note\nCreditLens AUC,2026-11-20,0.81,ok,spill\n"
    report = import_measurements(demo_db, data, "v.csv", ANA)
    assert report.write is None
    assert [str(p) for p in report.problems] == [
        "line 2: has 5 fields, the header has 4: check for a missing or extra ',' (values "
        "with one are quoted)"]


def test_the_server_shows_visitors_no_internals_and_no_raw_download() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
    assert config["client"]["disableDataExport"] is True
    assert 1 <= config["server"]["maxUploadSize"] <= 50


def test_the_kpi_template_is_quoted_and_defused(demo_db: Database) -> None:
    kpi, version = demo_db.query_rows("SELECT id, version FROM kpis WHERE kind = 'measured' "
                                      "ORDER BY name LIMIT 1")[0]
    assert apply_changes(demo_db, "kpis", [RowChange(
        "update", {"name": '=HYPERLINK("x","y"), a'}, row_id=kpi, expected_version=version)],
        ANA).ok
    frame = pd.read_csv(io.BytesIO(template_csv(demo_db, date(2026, 11, 22))),
                        encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(frame.columns) == ["kpi", "measured_on", "value", "note"]
    assert frame.iloc[0].tolist() == ["'=HYPERLINK(\"x\",\"y\"), a", "2026-11-22", "", ""]


def test_a_stored_triage_that_cannot_be_read_does_not_break_the_page(demo_path: Path) -> None:
    from aims_core.ui.session import get_db

    db = get_db()
    with db.transaction() as cur:  # as an older program or a SQL shell could have left it
        cur.execute("UPDATE triage_assessments SET answers_json = '[\"not\", \"answers\"]' "
                    "WHERE ai_system_id = 1")
    at = open_page("pages/ai_systems.py", "Priya Shah")
    at.selectbox(key="system_detail_choice").set_value(1).run()
    assert not at.exception, at.exception
    assert any("can no longer be read" in md_unescape(e.value) for e in at.error)
    refused = apply_changes(db, "triage_assessments", [RowChange("insert", {
        "ai_system_id": 1, "assessed_on": date.today(), "assessed_by": "Priya Shah",
        "answers_json": "[]", "category": "minimal", "reasoning": "r"})], ANA)
    assert "must be a JSON object" in str(refused.errors[0])


def test_messages_that_name_rows_and_authors_show_them_as_text(demo_path: Path) -> None:
    from aims_core.ui.session import get_db

    db = get_db()
    payload = "[PWN](https://evil.example/p) **bold**"
    assert apply_changes(db, "ai_systems", [RowChange("update", {"name": payload}, row_id=2,
                                                      expected_version=db.scalar(
                                                          "SELECT version FROM ai_systems "
                                                          "WHERE id = 2"))],
                         Actor(payload)).ok
    at = open_page("pages/ai_systems.py", "Priya Shah")
    row = [int(i) for i in at.session_state["_table_ai_systems"]["frame"]["id"]].index(2)
    with db.transaction() as cur:  # someone else saves the row meanwhile
        cur.execute("UPDATE ai_systems SET version = version + 1 WHERE id = 2")
    at.session_state["ai_systems_editor_0"] = {
        "edited_rows": {row: {"lifecycle_stage": "retired"}}, "added_rows": [],
        "deleted_rows": []}
    at.button(key="ai_systems_save").click().run()
    shown = [*at.warning, *at.error]
    assert shown, "expected the refusal"
    for element in shown:
        assert payload not in element.value and "](https" not in element.value
    assert any("PWN" in md_unescape(e.value) for e in shown)
