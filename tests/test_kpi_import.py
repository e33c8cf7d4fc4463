"""Importing measured KPI values: a good file, a bad file refused whole, a bad file skipped."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from aims_core.performance.kpi_import import ImportFileError, describe, import_measurements
from aims_core.storage.database import Database
from tests.conftest import ANA, TODAY
from tests.test_cli import cli

GOOD = b"""kpi,measured_on,value,note
CreditLens AUC,2026-11-20,0.81,after retraining
4,2026-11-21,0.8,
chatbot answers rated wrong, 2026-11-21 ,"2,5",
"""
BAD = GOOD + b"""Nope,2026-13-01,abc,
SoA controls implemented,2026-11-01,3,
CreditLens AUC,2026-11-20,0.79,typed twice
CreditLens AUC,2099-01-01,,
"""


def values(db: Database, since: str = "2026-11-16") -> set[tuple[str, str, float, str]]:
    rows = db.query_rows("SELECT k.name, CAST(m.measured_on AS VARCHAR), m.value, m.source "
                         "FROM kpi_measurements m JOIN kpis k ON k.id = m.kpi_id "
                         "WHERE m.measured_on >= ? AND k.kind = 'measured'", [since])
    return set(rows)


def run(db: Database, data: bytes, name: str = "values.csv", skip: bool = False):
    return import_measurements(db, data, name, ANA, skip_bad_rows=skip, today=TODAY)


EXPECTED = {("CreditLens AUC", "2026-11-20", 0.81, "imported"),
            ("CreditLens AUC", "2026-11-21", 0.8, "imported"),
            ("Chatbot answers rated wrong", "2026-11-21", 2.5, "imported")}


def test_good_csv_is_imported_by_name_or_id_and_logged(demo_db: Database) -> None:
    report = run(demo_db, GOOD)
    assert report.write is not None and report.write.ok and not report.problems
    assert values(demo_db) == EXPECTED
    assert demo_db.scalar("SELECT count(*) FROM change_log WHERE table_name = "
                          "'kpi_measurements' AND changed_by = 'Ana'") == 3
    # The same file again replaces nothing and adds nothing: one value per KPI and day.
    again = run(demo_db, GOOD)
    assert again.write.ok and again.write.changed == 0
    assert describe(again, "values.csv")[0] == ("Imported 3 values from values.csv: 0 added, "
                                                "0 replaced, 3 unchanged.")


def test_bad_csv_is_refused_whole_naming_each_row_and_field(demo_db: Database) -> None:
    before = values(demo_db)
    report = run(demo_db, BAD)
    assert report.write is None and values(demo_db) == before
    assert [str(p) for p in report.problems] == [
        "line 5, field 'kpi': 'Nope' is neither the id nor the name of a KPI",
        "line 5, field 'measured_on': '2026-13-01' is not a date in the calendar",
        "line 5, field 'value': expected a number such as 3.2 or 3,2, got 'abc'",
        "line 6, field 'kpi': 'SoA controls implemented' is a computed KPI: its values come "
        "from snapshots of the registers, not from files",
        "line 7, field 'measured_on': repeats the KPI and date of line 2",
        "line 8, field 'measured_on': 2099-01-01 is in the future: it records what happened",
        "line 8, field 'value': is required",
    ]
    assert describe(report, "values.csv")[0] == (
        "values.csv was not imported: 4 of 7 rows are bad. Fix them, or choose to skip bad rows.")


def test_bad_csv_with_skip_imports_the_good_rows_and_reports_the_rest(demo_db: Database) -> None:
    report = run(demo_db, BAD, skip=True)
    assert report.write is not None and report.write.ok
    assert values(demo_db) == EXPECTED
    assert report.skipped_rows == ["line 5", "line 6", "line 7", "line 8"]
    assert describe(report, "values.csv")[0].endswith("Skipped 4 bad rows:")


def test_parquet_rows_are_numbered_from_one(demo_db: Database) -> None:
    frame = pd.DataFrame({"kpi_id": [4, 4], "date": pd.to_datetime(["2026-11-20", "x"],
                                                                   errors="coerce"),
                          "value": [0.81, 0.8]})
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    report = run(demo_db, buffer.getvalue(), "values.parquet")
    assert [str(p) for p in report.problems] == ["row 2, field 'measured_on': is required"]


@pytest.mark.parametrize(("data", "name", "message"), [
    (GOOD, "values.xlsx", "expected a .csv or .parquet file"),
    (b"kpi,value\nA,1\n", "values.csv", "has no column measured_on"),
    (b"not parquet", "values.parquet", "cannot be read as PARQUET"),
])
def test_unusable_files_are_refused(demo_db: Database, data: bytes, name: str,
                                    message: str) -> None:
    with pytest.raises(ImportFileError, match=message):
        run(demo_db, data, name)


def test_cli_import_refuses_then_skips(tmp_path: Path) -> None:
    path, csv = tmp_path / "a.duckdb", tmp_path / "values.csv"
    assert cli("init", "--demo", "--db", str(path)).returncode == 0
    csv.write_bytes(BAD)
    refused = cli("import-kpis", "--db", str(path), "--file", str(csv), "--as", "Sarah Klein")
    assert refused.returncode == 1
    assert refused.stderr.startswith("error: values.csv was not imported: 4 of 7 rows")
    assert "line 5, field 'value': expected a number such as 3.2 or 3,2, got 'abc'" in \
        refused.stderr
    done = cli("import-kpis", "--db", str(path), "--file", str(csv), "--skip-bad-rows",
               "--as", "Sarah Klein")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Imported 3 values from values.csv: 3 added")
    assert "line 6, field 'kpi'" in done.stdout
