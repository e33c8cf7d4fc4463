"""Property-based fuzzing of the write path: hostile values into every field of every
register, through the one write path, on the demo organisation.

For each generated value: no exception; refused in words (row and field named) with
nothing written, or stored as intended (nothing bent) with one change-log entry per
changed row and a row the oracle accepts (tests/fuzz_kit.py). Then every page must still
render with all the accepted values in place. Seeded (derandomized): the same values every
run. The counts go to test-artifacts/reliability.json for the README.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aims_core.auth.actor import Actor
from aims_core.bootstrap import init_database
from aims_core.records.registry import REGISTERS
from aims_core.records.writes import RowChange, apply_changes
from aims_core.storage.database import Database
from aims_core.ui.navigation import all_pages
from tests.apptest_kit import fresh_caches, run_app
from tests.fuzz_kit import Tally, case_for, row_problems

VALUES = 1200  # at least 1,000 generated values per run
TODAY = date.today()
TARGETS = [(table, spec.name) for table, register in REGISTERS.items()
           for spec in register.fields]
tally = Tally("fuzz_values")


@pytest.fixture(scope="module")
def fuzz_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Database]]:
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.duckdb"
    db = init_database(path, "demo")
    yield path, db
    db.close()
    tally.save()


def _row(db: Database, table: str, row_id: int) -> dict | None:
    found = db.query_df(f'SELECT * FROM "{table}" WHERE id = ?', [row_id])
    if found.empty:
        return None
    return {k: (None if v is None or v != v else v)  # NaN/NaT from the frame: empty
            for k, v in found.iloc[0].to_dict().items()}


def _plain(row: dict) -> dict:
    """A row from a frame as the write path stores it (dates, ints, None)."""
    out = {}
    for key, value in row.items():
        if hasattr(value, "to_pydatetime"):
            value = value.to_pydatetime().date()
        elif hasattr(value, "item"):
            value = value.item()
        out[key] = value
    return out


@settings(max_examples=VALUES, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.filter_too_much])
@given(data=st.data())
def test_every_value_is_refused_in_words_or_stored_unbent(fuzz_db: tuple[Path, Database],
                                                          data: st.DataObject) -> None:
    _, db = fuzz_db
    table, name = data.draw(st.sampled_from(TARGETS), label="field")
    register, spec = REGISTERS[table], REGISTERS[table].field(name)
    ids = [r[0] for r in db.query_rows(f'SELECT id FROM "{table}" ORDER BY id')]
    raw, expectation, intended = data.draw(
        case_for(spec, db.column_types(table).get(name, ""), TODAY), label="value")
    insert = not ids or data.draw(st.integers(0, 4), label="insert?") == 0
    # an index, not the id list: the list grows as values are accepted, the draw must not
    pick = data.draw(st.integers(0, 10_000), label="row")
    template = _plain(_row(db, table, ids[pick % len(ids)])) if ids else {}
    change = RowChange("insert", {**{f: template.get(f) for f in register.field_names},
                                  name: raw}, label="the fuzzed row") if insert else \
        RowChange("update", {name: raw}, row_id=template["id"],
                  expected_version=template["version"])
    rows_before = db.scalar(f'SELECT count(*) FROM "{table}"')
    log_before = db.scalar("SELECT count(*) FROM change_log")
    tally.add("tried")
    try:
        result = apply_changes(db, table, [change], Actor("Fuzz Tester"))
    except Exception:
        tally.add("crashed")
        raise
    if not result.ok:
        tally.add("refused")
        assert db.scalar(f'SELECT count(*) FROM "{table}"') == rows_before
        assert db.scalar("SELECT count(*) FROM change_log") == log_before, "partial write"
        if not insert:
            assert _row(db, table, template["id"])["version"] == template["version"]
        for problem in result.errors + result.conflicts:
            assert problem.row and problem.message and "Error" not in problem.message, problem
        return
    tally.add("accepted")
    written = result.inserted or result.updated
    assert db.scalar("SELECT count(*) FROM change_log") == log_before + result.changed
    stored = _plain(_row(db, table, written[0] if written else template["id"]))
    problems = row_problems(db, register, stored, TODAY)
    if problems or expectation == "refuse":
        tally.add("accepted_invalid")
    assert not problems, (raw, problems)
    assert expectation != "refuse", f"{raw!r} was stored in {table}.{name} as {stored[name]!r}"
    if expectation == "accept" and stored[name] != intended:
        tally.add("bent")
        pytest.fail(f"{raw!r} was stored in {table}.{name} as {stored[name]!r}, "
                    f"not {intended!r}")


@pytest.mark.parametrize("page", [spec.path for spec in all_pages()])
def test_every_page_renders_after_the_accepted_values(
        fuzz_db: tuple[Path, Database], page: str, monkeypatch: pytest.MonkeyPatch) -> None:
    path, db = fuzz_db
    db.cursor().execute("CHECKPOINT")
    monkeypatch.setenv("AIMS_DB", str(path))
    fresh_caches()
    at = run_app()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    tally.add("pages_rendered")
    fresh_caches()
