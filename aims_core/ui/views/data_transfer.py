"""Import & export: bring in the spreadsheets an SME already keeps (pick the register, map
their columns and values, check a dry run, then import in one transaction) and export any
register, live or as it stood on a date, or every table at once."""

from __future__ import annotations

import hashlib
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from aims_core.data_import import mapping, plan
from aims_core.data_import.sheets import Sheet, SheetError, read_sheet
from aims_core.jobs.daily import app_zone
from aims_core.records import history
from aims_core.records.fields import Register
from aims_core.records.registry import REGISTERS
from aims_core.storage.transfer import export_archive
from aims_core.ui.downloads import register_files
from aims_core.ui.editable_table import show_result
from aims_core.ui.session import Identity, current_identity, get_db, today
from aims_core.ui.text import md_escape
from aims_core.ui.views.history import register_label

NOT_IMPORTED = "— not imported —"
BY_ID = "ID (updates the row with this id)"
PREVIEW_ROWS = 200
FIRST_IMPORT = "ai_systems"  # what an SME usually brings first: its AI inventory


def _sheet(table: str) -> tuple[Sheet, str] | None:
    uploaded = st.file_uploader("Spreadsheet (.xlsx or .csv)", type=["xlsx", "csv"],
                                key="import_file")
    if uploaded is None:
        return None
    data = uploaded.getvalue()
    digest = hashlib.sha256(data).hexdigest()[:16]
    cols = st.columns([2, 1])
    sheet_name = None
    try:
        first = _read(data, uploaded.name, None, 1)
    except SheetError as exc:
        st.error(md_escape(f"{uploaded.name}: {exc}"), icon=":material/error:")
        return None
    if uploaded.name.lower().endswith(".xlsx"):
        sheet_name = cols[0].selectbox("Sheet", first.sheets, key=f"import_sheet_{digest}")
    guess = (first if sheet_name in (None, first.sheet) else
             _read(data, uploaded.name, sheet_name, 1)).likely_header_row
    header_row = cols[1].number_input("Headers are on row", 1, 50, guess,
                                      key=f"import_header_{digest}_{sheet_name}",
                                      help="Many spreadsheets have a title above the headers "
                                           "(the app's own Excel exports: row 2)")
    try:
        sheet = _read(data, uploaded.name, sheet_name, int(header_row))
    except SheetError as exc:
        st.error(md_escape(f"{uploaded.name}: {exc}"), icon=":material/error:")
        return None
    if sheet.frame.empty:
        st.warning("No rows under that header row.", icon=":material/table_rows:")
        return None
    for note in sheet.notes:
        st.caption(md_escape(note))
    return sheet, f"{table}|{digest}|{sheet_name}|{header_row}"


@st.cache_data(max_entries=8, show_spinner="Reading the spreadsheet…")
def _read(data: bytes, name: str, sheet: str | None, header_row: int) -> Sheet:
    return read_sheet(data, name, sheet, header_row)


def _field_labels(register: Register) -> dict[str, str | None]:
    return {NOT_IMPORTED: None, BY_ID: mapping.ID_FIELD,
            **{f.label: f.name for f in register.fields}}


def _columns(register: Register, sheet: Sheet, signature: str) -> mapping.ColumnMap:
    """The column step: their headers, a few values, our field (suggested or remembered)."""
    labels = _field_labels(register)
    names = {v: k for k, v in labels.items()}
    remembered = mapping.remembered(get_db(), register.table, sheet.headers)
    start = remembered.columns if remembered and remembered.columns else \
        mapping.suggest_columns(register, sheet.headers)
    if remembered:
        st.caption(f"This layout was mapped before by {md_escape(remembered.saved_by)} on "
                   f"{remembered.saved_on:%d %b %Y}; its mapping is filled in.")
    frame = pd.DataFrame({"header": sheet.headers,
                          "examples": [sheet.samples(h) for h in sheet.headers],
                          "field": [names.get(start.get(h)) or NOT_IMPORTED
                                    for h in sheet.headers]})
    edited = st.data_editor(
        frame, hide_index=True, width="stretch", key=f"import_columns_{signature}",
        disabled=["header", "examples"], column_config={
            "header": "Their column", "examples": st.column_config.TextColumn(
                "First values", width="large"),
            "field": st.column_config.SelectboxColumn(f"Our field ({register.label})",
                                                      options=list(labels), required=True)})
    return {h: labels.get(f) for h, f in zip(edited["header"], edited["field"], strict=True)}


def _values(register: Register, sheet: Sheet, columns: mapping.ColumnMap,
            signature: str) -> mapping.ValueMap:
    """The value step: for list fields, each of their values that is none of ours."""
    db = get_db()
    remembered = mapping.remembered(db, register.table, sheet.headers)
    saved = remembered.values if remembered else {}
    values: mapping.ValueMap = {}
    for header, target in columns.items():
        if not target or target == mapping.ID_FIELD or not mapping.mappable(
                register.field(target)):
            continue
        spec = register.field(target)
        unknown = mapping.unknown_values(db, spec, sheet.frame[header])
        if not unknown:
            continue
        choices = mapping.options(db, spec)
        by_label = {label: key for key, label in choices.items()}
        counts = mapping.their_value_counts(spec, sheet.frame[header])
        known = saved.get(target, {})
        frame = pd.DataFrame({
            "theirs": unknown, "rows": [counts[u] for u in unknown],
            "ours": [choices.get(known.get(u, mapping.suggest_value(choices, u)))
                     for u in unknown]})
        st.markdown(f"**{md_escape(spec.label)}** — values in *{md_escape(header)}* that are "
                    "not ours yet:")
        edited = st.data_editor(
            frame, hide_index=True, width="stretch", disabled=["theirs", "rows"],
            key=f"import_values_{signature}_{target}", column_config={
                "theirs": "Their value", "rows": "Rows",
                "ours": st.column_config.SelectboxColumn("Our value",
                                                         options=list(by_label))})
        values[target] = {t: by_label[o] for t, o in zip(edited["theirs"], edited["ours"],
                                                         strict=True)
                          if isinstance(o, str) and o in by_label}
    return values


def _check(who: Identity, register: Register, sheet: Sheet, columns: mapping.ColumnMap,
           values: mapping.ValueMap, signature: str) -> None:
    bar = st.progress(0.0, text="Checking…")
    result = plan.plan_import(get_db(), register.table, sheet, columns, values, who.actor,
                              blanks_clear=bool(st.session_state.get("import_blanks_clear")),
                              progress=lambda share, text: bar.progress(share, text=text))
    bar.empty()
    st.session_state["_import_plan"] = (signature, repr((columns, values)), result)


def _show_plan(register: Register, result: plan.ImportPlan) -> None:
    tiles = st.columns(4)
    tiles[0].metric("Rows to add", len(result.to_add), border=True)
    tiles[1].metric("Rows to change", len(result.to_change), border=True)
    tiles[2].metric("Unchanged", result.unchanged, border=True)
    tiles[3].metric("Rows refused", len(result.refused_rows()), border=True)
    for note in result.notes:
        st.caption(md_escape(note))
    if result.problems:
        st.error(f"Nothing can be imported until these {len(result.problems)} problems are "
                 "fixed in the file or the mapping:", icon=":material/error:")
        st.dataframe(pd.DataFrame([(p.row, p.field, p.message) for p in result.problems],
                                  columns=["Row", "Field", "Problem"]),
                     hide_index=True, width="stretch")
    labels = {f.name: f.label for f in register.fields}
    if result.to_add:
        with st.expander(f"Rows to add ({len(result.to_add)})", expanded=not result.problems):
            st.dataframe(pd.DataFrame([{"Row": p.row, **{labels[k]: v for k, v in
                                                         p.values.items()}}
                                       for p in result.to_add[:PREVIEW_ROWS]]).astype(str),
                         hide_index=True, width="stretch")
    if result.to_change:
        with st.expander(f"Rows to change ({len(result.to_change)})",
                         expanded=not result.problems):
            st.dataframe(pd.DataFrame([(p.row, p.row_id, labels[k], _shown(p.before.get(k)),
                                        _shown(v)) for p in result.to_change[:PREVIEW_ROWS]
                                       for k, v in p.values.items()],
                                      columns=["Row", "Record id", "Field", "Now", "After"]),
                         hide_index=True, width="stretch")


def _shown(value: Any) -> str:
    return "" if value is None else str(value)


def _commit(who: Identity, register: Register, sheet: Sheet, columns: mapping.ColumnMap,
            values: mapping.ValueMap) -> None:
    stored = st.session_state.pop("_import_plan", None)
    if stored is None:
        return
    db = get_db()
    result = plan.commit(db, stored[2], who.actor)
    if result.ok:
        mapping.remember(db, who.actor, register.table, sheet.headers, columns, values)
        st.session_state["_import_done"] = (
            "success", f"Imported into {register.label}: {len(result.inserted)} added, "
                       f"{len(result.updated)} changed, in one transaction.")
    else:
        st.session_state["_import_done"] = result


def _import(who: Identity) -> None:
    offered = mapping.importable()
    tables = list(offered)
    table = st.selectbox("Register to import into", tables, format_func=register_label,
                         index=tables.index(FIRST_IMPORT), key="import_table")
    register = offered[table]
    read = _sheet(table)
    done = st.session_state.pop("_import_done", None)
    if isinstance(done, tuple):
        st.success(md_escape(done[1]), icon=":material/check_circle:")
    elif done is not None:
        st.error("The import was refused; nothing was written.", icon=":material/error:")
        show_result(done)
    if read is None:
        return
    sheet, signature = read
    st.subheader("1. Their columns → our fields")
    columns = _columns(register, sheet, signature)
    problems = mapping.mapping_problems(register, columns)
    for problem in problems:
        st.error(md_escape(problem), icon=":material/error:")
    missing = mapping.unmapped_required(register, columns)
    key = plan.match_key(register, columns)
    st.caption(("Rows are matched to existing records by "
                + " and ".join("ID" if k == mapping.ID_FIELD else register.field(k).label
                               for k in key) + "; the others are added.") if key else
               "No column identifies existing records: every row is added.")
    if missing:
        st.caption("Not mapped, but required for new rows: " + ", ".join(missing) + ".")
    if problems:
        return
    st.subheader("2. Their values → our values")
    values = _values(register, sheet, columns, signature)
    if not values:
        st.caption("Every value of the list fields is already one of ours.")
    st.toggle("An empty cell clears the field (otherwise it keeps the current value)",
              key="import_blanks_clear")
    st.subheader("3. Dry run, then import")
    st.button("Check (dry run: nothing is saved)", icon=":material/fact_check:",
              key="import_check", disabled=not who.can_edit, on_click=_check,
              args=(who, register, sheet, columns, values, signature))
    if not who.can_edit:
        st.caption("Pick your name in the sidebar to import.")
    stored = st.session_state.get("_import_plan")
    if stored is None or stored[0] != signature or stored[1] != repr((columns, values)):
        return
    result = stored[2]
    _show_plan(register, result)
    if result.ok and result.changes:
        st.button(f"Import {len(result.changes)} rows", type="primary", key="import_commit",
                  icon=":material/upload:", on_click=_commit,
                  args=(who, register, sheet, columns, values))
    elif result.ok:
        st.success("The register already holds everything in this file.",
                   icon=":material/task_alt:")


def _archive() -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "export.zip"
        export_archive(get_db(), target)
        return target.read_bytes()


def _export() -> None:
    left, right = st.columns([3, 2])
    table = left.selectbox("Register", list(REGISTERS), format_func=register_label,
                           key="export_table")
    when = right.radio("Content", ["As it stands now", "As it stood on a date"],
                       key="export_when", horizontal=True)
    moment = None
    if when != "As it stands now":
        day = right.date_input("End of", value=today() - timedelta(days=30),
                               max_value=today(), key="export_day", format="YYYY-MM-DD")
        moment = history.end_of_day(day or today(), app_zone())
    register_files(table, REGISTERS[table].label, "export", moment)
    st.caption("Excel and CSV carry the field labels, choice labels and the names of linked "
               "records (formulas defused); Parquet keeps the stored values for tools.")
    st.divider()
    st.download_button("Every table: Parquet files and a manifest (ZIP)", data=_archive,
                       file_name=f"aims-export-{today():%Y-%m-%d}.zip", mime="application/zip",
                       key="export_everything", icon=":material/folder_zip:")
    st.caption("The same as `python -m aims_core export`; `python -m aims_core import` loads "
               "it into another database, checking every file first.")


def render() -> None:
    st.title("Import & export")
    st.caption("Bring in the spreadsheets you already keep and take any register out again.")
    who = current_identity()
    importing, exporting = st.tabs(["Import a spreadsheet", "Export"])
    with importing:
        st.info("Start with your AI system inventory, then suppliers and risks: pick the "
                "register, upload the file, say which of your columns is which of our fields "
                "and what your values mean, check the dry run, then import it in one step.",
                icon=":material/lightbulb:")
        _import(who)
    with exporting:
        _export()
