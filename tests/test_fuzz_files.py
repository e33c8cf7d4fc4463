"""Property-based fuzzing of the importers with generated files: KPI value files (CSV in
several delimiters and encodings, Parquet with odd types) and export directories damaged
in their values, settings or manifest.

Per file: no exception but a one-line refusal of the file; every bad row named by its line
or row; a refused file changes nothing; an accepted file stores exactly the intended values
and nothing it should not. Seeded; at least 200 files per run; counts to
test-artifacts/reliability.json.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aims_core.auth.actor import Actor
from aims_core.bootstrap import init_database
from aims_core.performance.kpi_import import ImportFileError, import_measurements
from aims_core.storage.database import Database
from aims_core.storage.transfer import TransferError, export_database, import_database
from tests.fuzz_kit import MARKUP, Tally
from tests.test_integrity_import import SETTINGS_DAMAGE, VALUE_DAMAGE, tamper

KPI_FILES = 160
EXPORT_DIRS = 50  # with the KPI files: 210 files per run
TODAY = date.today()
kpi_tally, export_tally = Tally("fuzz_kpi_files"), Tally("fuzz_export_dirs")
SETTINGS = {"derandomize": True, "deadline": None, "database": None,
            "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}


@pytest.fixture(scope="module")
def kpi_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = init_database(tmp_path_factory.mktemp("kpis") / "kpis.duckdb", "demo")
    yield db
    db.close()
    kpi_tally.save()


def _kpis(db: Database) -> tuple[list[tuple[int, str]], list[str]]:
    measured = db.query_rows("SELECT id, name FROM kpis WHERE kind = 'measured' ORDER BY id")
    computed = [r[0] for r in db.query_rows("SELECT name FROM kpis WHERE kind = 'computed'")]
    return measured, computed


@st.composite
def kpi_row(draw: st.DrawFn, measured: list, computed: list) -> tuple[list, object]:
    """A row's cells and what must become of it: (kpi id, day, value) or None (refused)."""
    kpi_id, name = draw(st.sampled_from(measured))
    day = TODAY - timedelta(days=draw(st.integers(0, 900)))
    value = round(draw(st.floats(-1e6, 1e6, allow_nan=False)), draw(st.integers(0, 4))) + 0.0
    kpi = draw(st.sampled_from([name, name.upper(), f" {name} ", str(kpi_id), f"{kpi_id}.0"]))
    when = draw(st.sampled_from([day.isoformat(), f"{day:%d.%m.%Y}"]))
    text = repr(value)
    if draw(st.booleans()) and "e" not in text:
        head, _, tail = text.lstrip("-").partition(".")
        if not (len(tail) == 3 and 1 <= len(head) <= 3 and head != "0"):
            text = text.replace(".", ",")  # a decimal comma, unambiguous
    note = draw(st.sampled_from(["", "after retraining", *MARKUP[:6], "quoted, with comma"]))
    damage = draw(st.sampled_from([None] * 6 + ["kpi", "computed", "date", "future", "value",
                                                "ambiguous", "note", "extra", "missing"]))
    cells = [kpi, when, text, note]
    if damage == "kpi":
        cells[0] = draw(st.sampled_from(["Nope", "999999", "", "\u200bAUC", "1e400"]))
    elif damage == "computed":
        cells[0] = draw(st.sampled_from(computed))
    elif damage == "date":
        cells[1] = draw(st.sampled_from(["2026-13-01", "01/02/2026", "0001-01-01", "yesterday",
                                         f"{day.isoformat()}x", ""]))
    elif damage == "future":
        cells[1] = (TODAY + timedelta(days=draw(st.integers(1, 400)))).isoformat()
    elif damage == "value":
        cells[2] = draw(st.sampled_from(["12x,5", "abc", "", "nan", "inf", "1e400", "1_0"]))
    elif damage == "ambiguous":
        cells[2] = f"{draw(st.integers(1, 999))},{draw(st.integers(0, 999)):03d}"
    elif damage == "note":
        cells[3] = draw(st.sampled_from(["a\x00b", "x" * 2001, "\ud800"]))
    elif damage == "extra":
        cells.append("spill")
    elif damage == "missing":
        cells = cells[:2]
    return cells, None if damage else (kpi_id, day, float(text.replace(",", ".")))


def _csv(rows: list[list], delimiter: str, encoding: str, header: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    try:
        return buffer.getvalue().encode(encoding, errors="surrogatepass")
    except UnicodeEncodeError:  # text latin-1 cannot hold: the file is written as UTF-8
        return buffer.getvalue().encode("utf-8", errors="surrogatepass")


@settings(max_examples=KPI_FILES, **SETTINGS)
@given(data=st.data())
def test_kpi_files_are_refused_in_words_or_imported_exactly(kpi_db: Database,
                                                            data: st.DataObject) -> None:
    measured, computed = _kpis(kpi_db)
    generated = data.draw(st.lists(kpi_row(measured, computed), min_size=0, max_size=30),
                          label="rows")
    cells, intended = [c for c, _ in generated], [i for _, i in generated]
    header = data.draw(st.sampled_from([["kpi", "measured_on", "value", "note"],
                                        ["KPI_ID", " Date ", "Value", "note"],
                                        ["kpi", "value", "note", "measured_on"]]), label="head")
    fmt = data.draw(st.sampled_from(["csv", "csv;", "csv\t", "csv-bom", "latin-1", "utf-16",
                                     "parquet", "garbage"]), label="format")
    skip = data.draw(st.booleans(), label="skip bad rows")
    if header[1] == "value":  # the columns in another order: move the cells with them
        cells = [[c[0], c[2], c[3], c[1], *c[4:]] if len(c) >= 4 else c for c in cells]
    name = "values.parquet" if fmt == "parquet" else "values.csv"
    if fmt == "parquet":  # a table has no ragged rows, and its text is valid Unicode
        kept = [(c, i) for c, i in zip(cells, intended, strict=True) if len(c) == 4]
        cells = [["a\x00b" if any("\ud800" <= ch <= "\udfff" for ch in cell) else cell
                  for cell in c] for c, _ in kept]  # still a bad note, one Parquet can hold
        intended = [i for _, i in kept]
        buffer = io.BytesIO()
        pd.DataFrame(cells, columns=header).to_parquet(buffer)
        payload = buffer.getvalue()
    elif fmt == "garbage":
        payload = data.draw(st.binary(max_size=200), label="bytes")
    else:
        delimiter = {"csv;": ";", "csv\t": "\t"}.get(fmt, ",")
        encoding = {"csv-bom": "utf-8-sig", "latin-1": "latin-1", "utf-16": "utf-16"}.get(
            fmt, "utf-8")
        payload = _csv(cells, delimiter, encoding, header)
    before = kpi_db.query_rows("SELECT id, version, value FROM kpi_measurements ORDER BY id")
    log_before = kpi_db.scalar("SELECT count(*) FROM change_log")
    kpi_tally.add("tried")
    try:
        report = import_measurements(kpi_db, payload, name, Actor("Fuzz Tester"),
                                     skip_bad_rows=skip)
    except ImportFileError as exc:
        kpi_tally.add("file_refused")
        assert "\n" not in str(exc) and "Traceback" not in str(exc)
        assert kpi_db.scalar("SELECT count(*) FROM change_log") == log_before
        return
    except Exception:
        kpi_tally.add("crashed")
        raise
    bad = {f"{'row' if fmt == 'parquet' else 'line'} {n + (1 if fmt == 'parquet' else 2)}"
           for n, want in enumerate(intended) if want is None}
    named = {p.row for p in report.problems} | (
        {p.row for p in report.write.errors} if report.write else set())
    if fmt != "garbage":
        assert bad <= named, f"bad rows not named: {sorted(bad - named)}"
    if report.write is None or not report.write.ok:
        kpi_tally.add("refused" if report.problems or generated else "empty")
        assert kpi_db.query_rows("SELECT id, version, value FROM kpi_measurements "
                                 "ORDER BY id") == before
        assert kpi_db.scalar("SELECT count(*) FROM change_log") == log_before
        return
    kpi_tally.add("imported")
    assert skip or not report.problems
    stored = {(k, d): v for k, d, v in kpi_db.query_rows(
        "SELECT kpi_id, measured_on, value FROM kpi_measurements")}
    seen = set()
    for want in intended if fmt != "garbage" else []:
        if want is None or want[:2] in seen:
            continue
        seen.add(want[:2])
        assert stored.get(want[:2]) == want[2], (want, stored.get(want[:2]))


# --- export directories ------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_export(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Database]]:
    base = tmp_path_factory.mktemp("exports")
    with init_database(base / "demo.duckdb", "demo") as db:
        export_database(db, base / "export")
    target = Database(base / "target.duckdb")
    yield base / "export", target
    target.close()
    export_tally.save()


BENIGN = {  # values the pages accept: the import must keep them exactly
    "markup in a description": ("risks", "description", MARKUP[0]),
    "formula in a note": ("kpi_measurements", "note", "=HYPERLINK(\"https://evil.example\")"),
    "image in a purpose": ("ai_systems", "purpose", MARKUP[1]),
}


def _digest(db: Database) -> dict:
    return {t: db.query_rows(f'SELECT count(*), hash(list(t ORDER BY ALL)) FROM "{t}" t')[0]
            for t in db.table_names()}


@settings(max_examples=EXPORT_DIRS, **SETTINGS)
@given(data=st.data())
def test_damaged_exports_are_refused_whole_and_sound_ones_kept_exactly(
        demo_export: tuple[Path, Database], data: st.DataObject, tmp_path_factory:
        pytest.TempPathFactory) -> None:
    source, target = demo_export
    export = tmp_path_factory.mktemp("attempt") / "export"
    shutil.copytree(source, export)
    damages = data.draw(st.lists(st.sampled_from(
        [*(("value", k) for k in VALUE_DAMAGE), *(("setting", k) for k in SETTINGS_DAMAGE),
         *(("benign", k) for k in BENIGN)]), min_size=0, max_size=3, unique=True),
        label="damage")
    for kind, key in damages:
        if kind == "value":
            tamper(export, *VALUE_DAMAGE[key][:2])
        elif kind == "setting":
            tamper(export, *SETTINGS_DAMAGE[key][:2])
        else:
            table, column, text = BENIGN[key]
            tamper(export, table, f"SELECT * REPLACE (CASE WHEN id = 1 THEN "
                                  f"'{text.replace(chr(39), chr(39) * 2)}' ELSE {column} END "
                                  f"AS {column}) FROM t")
    before = _digest(target)
    export_tally.add("tried")
    harmful = [d for d in damages if d[0] != "benign"]
    try:
        import_database(target, export, Actor("command line", channel="cli"))
    except TransferError as exc:
        export_tally.add("refused")
        assert harmful, f"a sound export was refused: {exc} {exc.problems[:3]}"
        assert "\n" not in str(exc)
        assert _digest(target) == before, "a refused import changed the database"
        return
    except Exception:
        export_tally.add("crashed")
        raise
    export_tally.add("imported")
    assert not harmful, f"imported although damaged: {harmful}"
    for _, key in damages:
        table, column, text = BENIGN[key]
        assert target.scalar(f'SELECT "{column}" FROM "{table}" WHERE id = 1') == text
    with duckdb.connect() as con:
        counts = {t: con.execute(f"SELECT count(*) FROM read_parquet('{export / t}.parquet')")
                  .fetchone()[0] for t in target.table_names()}
    assert counts["change_log"] + 1 == target.scalar("SELECT count(*) FROM change_log")
    assert all(target.scalar(f'SELECT count(*) FROM "{t}"') == n for t, n in counts.items()
               if t != "change_log")
