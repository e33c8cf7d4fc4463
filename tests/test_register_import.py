"""Spreadsheet import of registers: reading real CSV and Excel files, column and value
mapping (suggested from the register metadata, remembered per layout), a dry run that names
every row and field and writes nothing, then one transaction through the write path."""

from __future__ import annotations

import io
import signal
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

import duckdb
import openpyxl
import pytest

from aims_core.auth.actor import Actor
from aims_core.bootstrap import init_database
from aims_core.data_import import mapping, plan
from aims_core.data_import.sheets import SheetError, read_sheet
from aims_core.records import export
from aims_core.records.writes import RowChange, apply_changes
from aims_core.storage.database import Database
from tests.conftest import ANA

HEADERS = ["System", "What it does", "Owner", "Dept", "Built/bought", "Vendor", "Stage",
           "EU AI Act", "Personal data?", "Added", "Notes"]
ROWS = [
    ["CV Screener", "Ranks applicants", "Ana", "HR", "bought", "Acme AI", "in prod", "High",
     "Y", datetime(2025, 3, 1), "from the consultant"],
    ["Support bot", "Answers customers", "Ben", "Service", "API", "Acme AI", "pilot",
     "Transparency", "N", datetime(2025, 9, 15), None],
    ["Churn model", "Predicts churn", "Bo", "Sales", "in-house", None, "in prod",
     "Minimal", "yes", "2024-01-31", None],
]
COLUMNS = {"System": "name", "What it does": "purpose", "Owner": "owner", "Dept": "department",
           "Built/bought": "sourcing", "Vendor": "supplier_id", "Stage": "lifecycle_stage",
           "EU AI Act": "eu_ai_act_category", "Personal data?": "personal_data",
           "Added": "created_on", "Notes": None}
VALUES = {"lifecycle_stage": {"in prod": "operation", "pilot": "validation"},
          "sourcing": {"in-house": "built"}, "eu_ai_act_category": {"High": "high_risk"}}


def workbook(rows: list[list[object]], title: bool = True) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Inventory"
    if title:
        sheet.append(["AI inventory — consultant pack v3"])
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    book.create_sheet("Notes").append(["nothing here"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def with_supplier(db: Database) -> Database:
    assert apply_changes(db, "suppliers", [RowChange("insert", {"name": "Acme AI Ltd",
                                                                "owner": "Ana"})], ANA).ok
    return db


def test_reading_excel_and_csv_the_way_smes_keep_them() -> None:
    sheet = read_sheet(workbook(ROWS), "inventory.xlsx", header_row=2)
    assert sheet.headers == HEADERS and sheet.sheets == ["Inventory", "Notes"]
    assert sheet.row_numbers == [3, 4, 5] and sheet.frame.iat[0, 9] == datetime(2025, 3, 1)
    assert sheet.samples("Stage") == "in prod, pilot"
    csv = "Name;Owner;Department\r\nCaf\xe9 bot;B\xf6rje;Kundservice\r\n;;\r\nX;Y;Z\r\n"
    read = read_sheet(csv.encode("cp1252"), "systems.csv")
    assert read.headers == ["Name", "Owner", "Department"] and read.row_numbers == [2, 4]
    assert read.frame.iat[0, 0] == "Caf\xe9 bot"
    assert any("Windows-1252" in n for n in read.notes) and any("';'" in n for n in read.notes)
    twice = read_sheet(b"Owner,Owner,\na,b,c\n", "x.csv")
    assert twice.headers == ["Owner", "Owner (2)", "Column C"]
    for data, name, words in ((b"x", "x.xls", "old Excel format"), (b"", "x.csv", "empty"),
                              (b"PK\x03\x04junk", "x.xlsx", "cannot be read as an Excel"),
                              (b"a,b\n", "x.txt", "expected a .csv or .xlsx")):
        with pytest.raises(SheetError, match=words):
            read_sheet(data, name)
    with pytest.raises(SheetError, match="no sheet 'Risks'"):
        read_sheet(workbook(ROWS), "x.xlsx", sheet="Risks")


def test_columns_and_values_are_suggested_from_the_register(db: Database) -> None:
    register = mapping.importable()["ai_systems"]
    suggested = mapping.suggest_columns(register, [*HEADERS, "Life-cycle stage", "ID"])
    assert suggested["Owner"] == "owner" and suggested["Life-cycle stage"] == "lifecycle_stage"
    assert suggested["ID"] == "id" and suggested["Stage"] is None  # each field once
    assert mapping.unmapped_required(register, {"Owner": "owner"}) == [
        "Name", "Sourcing", "Life-cycle stage", "EU AI Act category"]
    sheet = read_sheet(workbook(ROWS), "i.xlsx", header_row=2)
    stage = register.field("lifecycle_stage")
    assert mapping.unknown_values(db, stage, sheet.frame["Stage"]) == ["in prod", "pilot"]
    choices = mapping.options(db, register.field("sourcing"))
    assert mapping.suggest_value(choices, "bought") == "bought"
    assert mapping.suggest_value(choices, "Embedded") == "saas_embedded"
    assert mapping.suggest_value(mapping.options(db, stage), "Monitoring") == "operation"
    assert {"soa", "risks", "suppliers", "ai_systems"} <= set(mapping.importable())
    assert "soa_versions" not in mapping.importable()


def test_two_headers_to_one_field_are_refused() -> None:
    register = mapping.importable()["ai_systems"]
    problems = mapping.mapping_problems(register, {"Owner": "owner", "Risk owner": "owner",
                                                   "Name": "name"})
    assert problems == ["'Owner' and 'Risk owner' all go to Owner: keep one and set the "
                        "others to 'not imported'"]
    assert mapping.mapping_problems(register, {"A": None}) == ["no column is mapped to a "
                                                               "field yet"]


def test_dry_run_lists_everything_and_writes_nothing(with_supplier: Database) -> None:
    db = with_supplier
    sheet = read_sheet(workbook(ROWS), "inventory.xlsx", header_row=2)
    before = (db.scalar("SELECT count(*) FROM ai_systems"),
              db.scalar("SELECT count(*) FROM change_log"), db.generation)
    values = {**VALUES, "supplier_id": {"Acme AI": 1}}
    steps: list[float] = []
    dry = plan.plan_import(db, "ai_systems", sheet, COLUMNS, values, ANA,
                           progress=lambda share, _: steps.append(share))
    assert dry.ok, dry.problems
    assert [(p.row, p.operation) for p in dry.planned] == [("row 3", "insert"),
                                                          ("row 4", "insert"),
                                                          ("row 5", "insert")]
    assert dry.planned[0].values["supplier_id"] == 1
    assert dry.planned[0].values["eu_ai_act_category"] == "high_risk"
    assert dry.planned[2].values["created_on"] == date(2024, 1, 31)
    assert steps[-1] == 1.0
    assert (db.scalar("SELECT count(*) FROM ai_systems"),
            db.scalar("SELECT count(*) FROM change_log"), db.generation) == before
    written = plan.commit(db, dry, ANA)
    assert written.ok and len(written.inserted) == 3
    assert db.scalar("SELECT count(DISTINCT changed_at) FROM change_log WHERE "
                     "table_name = 'ai_systems'") == 1  # one transaction

    again = plan.plan_import(db, "ai_systems", sheet, COLUMNS, values, ANA)
    assert again.ok and again.planned == [] and again.unchanged == 3
    changed_rows = [list(r) for r in ROWS]
    changed_rows[1][2] = "Cleo"  # new owner of "Support bot", matched by name
    changed_rows[0][0] = "cv screener "  # same system, other case and spacing
    changed_rows[0][3] = None  # a blank keeps the current value by default
    changed = plan.plan_import(db, "ai_systems",
                               read_sheet(workbook(changed_rows), "x.xlsx", header_row=2),
                               COLUMNS, values, ANA)
    assert [(p.row, p.operation, p.values, p.before) for p in changed.planned] == [
        ("row 3", "update", {"name": "cv screener"}, {"name": "CV Screener"}),
        ("row 4", "update", {"owner": "Cleo"}, {"owner": "Ben"})]
    cleared = plan.plan_import(db, "ai_systems",
                               read_sheet(workbook(changed_rows), "x.xlsx", header_row=2),
                               COLUMNS, values, ANA, blanks_clear=True)
    assert cleared.planned[0].values == {"name": "cv screener", "department": None}


def test_every_refusal_names_its_row_and_field(with_supplier: Database) -> None:
    db = with_supplier
    rows = [
        ["Good one", None, "Ana", None, "built", None, "design", "Minimal", "N", None, None],
        ["Bad date", None, "Ana", None, "built", None, "design", "Minimal", "N", "01/02/2025",
         None],
        ["No vendor", None, "Ana", None, "bought", "Globex", "design", "Minimal", "N", None,
         None],
        ["No owner", None, None, None, "built", None, "design", "Minimal", "maybe", None,
         None],
        ["Retired", None, "Ben", None, "built", None, "Retired", "Minimal", "N", None, None],
        ["Good one", None, "Bo", None, "built", None, "design", "Minimal", "N", None, None],
        ["Formula", None, "Bo", None, "built", None, "design", "Minimal", "N",
         "=DATE(2025,1,1)", None],
    ]
    dry = plan.plan_import(db, "ai_systems", read_sheet(workbook(rows, title=False), "x.xlsx"),
                           COLUMNS, VALUES, ANA)
    problems = [(p.row, p.field, p.message) for p in dry.problems]
    assert problems == [
        ("row 3", "Added on", "'01/02/2025' is ambiguous (1 February or 2 January?): write it "
                              "as YYYY-MM-DD"),
        ("row 4", "Supplier", "'Globex' is not a supplier in the register (map it on the "
                              "values step)"),
        ("row 5", "Owner", "is required"),
        ("row 5", "Personal data", "expected yes or no, got 'maybe' (map it on the values "
                                   "step)"),
        ("row 6", "Retired on", "is required when the life-cycle stage is Retired"),
        ("row 7", "Name", "repeats the Name of row 2"),
        ("row 8", "Added on", "is a formula whose result was never saved: open and save the "
                              "file in Excel first"),
    ]
    assert not dry.ok and dry.refused_rows() == ["row 3", "row 4", "row 5", "row 6", "row 7",
                                                 "row 8"]
    assert not plan.commit(db, dry, ANA).ok
    assert db.scalar("SELECT count(*) FROM ai_systems") == 0


def test_text_that_looks_like_a_formula_is_kept_as_text(db: Database) -> None:
    csv = (b'Name,Owner,Sourcing,Life-cycle stage,EU AI Act category,Purpose\n'
           b'Bot,Ana,built,design,minimal,"=HYPERLINK(""http://x"",""y"")"\n'
           b"Scorer,Ana,built,design,minimal,'=SUM(A1:A3)\n")
    sheet = read_sheet(csv, "systems.csv")
    register = mapping.importable()["ai_systems"]
    dry = plan.plan_import(db, "ai_systems", sheet,
                           mapping.suggest_columns(register, sheet.headers), {}, ANA)
    assert dry.ok, dry.problems
    assert any("kept as text" in n for n in dry.notes)
    assert any("apostrophe that exports add" in n for n in dry.notes)
    assert plan.commit(db, dry, ANA).ok
    assert [r[0] for r in db.query_rows("SELECT purpose FROM ai_systems ORDER BY id")] == [
        '=HYPERLINK("http://x","y")', "=SUM(A1:A3)"]  # stored as typed, inert
    assert export.labelled(db, "ai_systems")["Purpose"].tolist()[1] == "=SUM(A1:A3)"
    assert b"'=SUM(A1:A3)" in export.file_bytes(db, "ai_systems", "csv")  # defused again


def test_layouts_are_remembered(db: Database) -> None:
    assert mapping.remembered(db, "ai_systems", HEADERS) is None
    assert mapping.remember(db, ANA, "ai_systems", HEADERS, COLUMNS, VALUES).ok
    layout = mapping.remembered(db, "ai_systems", [h.upper() for h in HEADERS])
    assert layout is None or layout.columns == {}  # other headers: another layout
    layout = mapping.remembered(db, "ai_systems", list(HEADERS))
    assert layout is not None and layout.columns == COLUMNS and layout.values == VALUES
    assert layout.saved_by == "Ana"
    assert mapping.remember(db, ANA, "ai_systems", HEADERS, {**COLUMNS, "Notes": "purpose"},
                            {}).ok
    assert mapping.remembered(db, "ai_systems", HEADERS).columns["Notes"] == "purpose"
    assert mapping.layout_key(["Owner", "Name"]) != mapping.layout_key(["Name", "Owner"])
    assert mapping.layout_key([" owner", "NAME"]) == mapping.layout_key(["Owner", "name"])


def test_a_row_changed_after_the_dry_run_is_a_conflict(with_supplier: Database) -> None:
    db = with_supplier
    sheet = read_sheet(workbook(ROWS[:1]), "x.xlsx", header_row=2)
    values = {**VALUES, "supplier_id": {"Acme AI": 1}}
    assert plan.commit(db, plan.plan_import(db, "ai_systems", sheet, COLUMNS, values, ANA),
                       ANA).ok
    edited = [list(ROWS[0])]
    edited[0][2] = "Cleo"
    dry = plan.plan_import(db, "ai_systems", read_sheet(workbook(edited), "x.xlsx",
                                                        header_row=2), COLUMNS, values, ANA)
    assert dry.ok and len(dry.to_change) == 1
    assert apply_changes(db, "ai_systems", [RowChange("update", {"owner": "Ben"}, row_id=1,
                                                      expected_version=1)], Actor("Ben")).ok
    result = plan.commit(db, dry, ANA)
    assert not result.ok and "since you loaded it" in result.conflicts[0].message
    assert db.scalar("SELECT owner FROM ai_systems WHERE id = 1") == "Ben"


def test_a_cell_of_several_choices_is_mapped_value_by_value(db: Database) -> None:
    """A set of choices (the AI policy checklist) arrives as one cell: each of its values is
    mapped on its own; labels holding commas stay whole when separated by semicolons."""
    csv = (b"Title,Type,Version,Owner,Status,Checklist\n"
           b"AI policy,AI policy,1.0,Ana,Draft,\"purp; Is communicated within the organisation "
           b"(5.2)\"\n"
           b"Old policy,AI policy,0.9,Ana,Draft,\"Fits the organisation's purpose and the AI it "
           b"builds, sells or uses (5.2 a)\"\n"
           b"Draft policy,AI policy,0.1,Ana,Draft,\"objectives, purp\"\n")
    sheet = read_sheet(csv, "policies.csv")
    columns = {**mapping.suggest_columns(mapping.importable()["documents"], sheet.headers),
               "Checklist": "policy_checks"}
    checks = mapping.importable()["documents"].field("policy_checks")
    assert mapping.unknown_values(db, checks, sheet.frame["Checklist"]) == ["purp"]
    assert mapping.their_value_counts(checks, sheet.frame["Checklist"])["purp"] == 2
    dry = plan.plan_import(db, "documents", sheet, columns,
                           {"policy_checks": {"purp": "purpose"}}, ANA)
    assert dry.ok, dry.problems
    assert [p.values["policy_checks"] for p in dry.planned] == [
        "purpose, communicated", "purpose", "purpose, objectives"]
    unmapped = plan.plan_import(db, "documents", sheet, columns, {}, ANA)
    assert [(p.row, p.field) for p in unmapped.problems] == [("row 2", checks.label),
                                                             ("row 4", checks.label)]


@pytest.mark.parametrize("table", sorted(mapping.importable()))
def test_every_register_round_trips_its_own_export(demo_db: Database, table: str) -> None:
    """Registers of every area are importable from their metadata alone: the labelled
    export of the demo, imported back, changes nothing."""
    register = mapping.importable()[table]
    data = export.file_bytes(demo_db, table, "xlsx")
    guess = read_sheet(data, f"{table}.xlsx").likely_header_row
    assert guess == 2  # under the export's title row
    sheet = read_sheet(data, f"{table}.xlsx", header_row=guess)
    columns = mapping.suggest_columns(register, sheet.headers)
    assert columns.get("ID") == "id" and columns.get("Record version") is None
    assert {t for t in columns.values() if t} == {"id", *register.field_names}
    dry = plan.plan_import(demo_db, table, sheet, columns, {}, ANA)
    assert dry.ok, dry.problems[:5]
    assert dry.planned == [] and dry.unchanged == len(sheet.frame)


_IMPORT = """
import sys
from aims_core.bootstrap import open_database
from aims_core.data_import import plan
from aims_core.data_import.sheets import read_sheet
from tests.conftest import ANA
db = open_database(sys.argv[1])
rows = "".join(f"Supplier {n},Ana\\n" for n in range(int(sys.argv[2])))
sheet = read_sheet(("Supplier,Relationship owner\\n" + rows).encode(), "s.csv")
dry = plan.plan_import(db, "suppliers", sheet, {"Supplier": "name",
                                               "Relationship owner": "owner"}, {}, ANA)
print("planned", flush=True)
plan.commit(db, dry, ANA)
print("committed", flush=True)
"""


def test_a_server_killed_during_an_import_leaves_no_partial_rows(tmp_path: Path) -> None:
    path = tmp_path / "aims.duckdb"
    init_database(path, "empty").close()
    root = Path(__file__).resolve().parents[1]
    process = subprocess.Popen([sys.executable, "-c", _IMPORT, str(path), "3000"], cwd=root,
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "planned"
    time.sleep(1.0)  # in the middle of the one transaction
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    con = duckdb.connect(str(path), read_only=True)  # the database still opens
    suppliers = con.execute("SELECT count(*) FROM suppliers").fetchone()[0]
    logged = con.execute("SELECT count(*) FROM change_log WHERE table_name = 'suppliers'"
                         ).fetchone()[0]
    con.close()
    assert (suppliers, logged) in ((0, 0), (3000, 3000))  # all or nothing, never a part
