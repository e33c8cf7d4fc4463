"""The KPI page's working tabs: enter values, import a file, define KPIs and objectives."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from aims_core.performance.kpi_import import (
    ImportFileError,
    describe,
    import_measurements,
    template_csv,
)
from aims_core.performance.registers import (
    COMPUTED_KPI_CODES,
    KPI_MEASUREMENTS,
    KPIS,
    OBJECTIVE_KPIS,
    OBJECTIVE_STATUSES,
    OBJECTIVES,
)
from aims_core.ui.editable_table import editable_table
from aims_core.ui.session import Identity, get_db, query, today
from aims_core.ui.text import md_escape

MAX_DEFINITIONS = 500


def _names(sql: str) -> dict[int, str]:
    frame = query(sql)
    return dict(zip(frame["id"].astype(int), frame["name"].astype(str), strict=True))


def values_editor(who: Identity) -> None:
    measured = _names("SELECT id, name FROM kpis WHERE kind = 'measured' ORDER BY name")
    if not measured:
        st.info("No measured KPI yet: define one (kind Measured) in the KPI definitions tab.",
                icon=":material/lightbulb:")
        return
    kpi_id = st.selectbox("KPI", list(measured), format_func=measured.get, key="kpi_values_kpi")
    st.caption("One value per KPI per day; newest first. Add a row for a new value, edit a "
               "value in place, or delete a wrong one. Computed KPIs are recorded by snapshots.")
    editable_table(
        KPI_MEASUREMENTS,
        lambda: query("SELECT * FROM kpi_measurements WHERE kpi_id = ? "
                      "ORDER BY measured_on DESC", (kpi_id,)),
        key="kpi_values", who=who, signature=str(kpi_id), height=420,
        fixed={"kpi_id": kpi_id, "source": "entered"},
        column_order=["measured_on", "value", "note"])


def _import(who: Identity) -> None:
    """Import-button callback: check the uploaded file and write it (or report why not)."""
    uploaded = st.session_state.get("kpi_import_file")
    if uploaded is None:
        st.session_state["_kpi_import_outcome"] = ("error", "Choose a file first.", None)
        return
    skip = bool(st.session_state.get("kpi_import_skip"))
    try:
        report = import_measurements(get_db(), uploaded.getvalue(), uploaded.name,
                                     who.actor, skip_bad_rows=skip)
    except ImportFileError as exc:
        st.session_state["_kpi_import_outcome"] = ("error", str(exc), None)
        return
    head = describe(report, uploaded.name)[0]
    problems = pd.DataFrame([(p.row, p.field, p.message) for p in report.problems],
                            columns=["Row", "Field", "Problem"])
    ok = report.write is not None and report.write.ok
    if report.write is not None and not report.write.ok:
        problems = pd.DataFrame([(p.row, p.field, p.message) for p in
                                 report.write.errors + report.write.conflicts],
                                columns=["Row", "Field", "Problem"])
    st.session_state["_kpi_import_outcome"] = ("success" if ok else "error", head, problems)


def file_import(who: Identity) -> None:
    st.caption("A CSV or Parquet file with the columns **kpi** (id or name of a measured KPI), "
               "**measured_on** (YYYY-MM-DD), **value** and optionally **note**. A file with "
               "a bad row is refused whole, each bad row and field named, unless you choose "
               "to skip bad rows. A value for a day that already has one replaces it. From a "
               "scheduler: `python -m aims_core import-kpis --file F`.")
    st.download_button("Download a template CSV", key="kpi_import_template",
                       data=template_csv(get_db(), today()), file_name="kpi_values.csv",
                       mime="text/csv", icon=":material/download:")
    uploaded = st.file_uploader("File to import", type=["csv", "parquet"],
                                key="kpi_import_file")
    st.checkbox("Skip bad rows: import the good rows and list what was skipped",
                key="kpi_import_skip")
    st.button("Import values", type="primary", icon=":material/upload:", key="kpi_import_go",
              disabled=uploaded is None or not who.can_edit, on_click=_import, args=(who,))
    if not who.can_edit:
        st.caption("Pick your name in the sidebar to import.")
    outcome = st.session_state.pop("_kpi_import_outcome", None)
    if outcome:
        kind, head, problems = outcome
        (st.success if kind == "success" else st.error)(md_escape(head))
        if problems is not None and not problems.empty:
            st.dataframe(problems, hide_index=True, width="stretch")


def definitions(who: Identity, kpi_ids: list[int]) -> None:
    systems = _names("SELECT id, name FROM ai_systems ORDER BY name")
    controls = query("SELECT control_id, control_id || ' ' || title AS label FROM controls "
                     "ORDER BY sort_order")
    st.subheader("KPI definitions")
    st.caption("Direction says whether higher or lower is better; a value beyond the amber "
               "threshold is amber, beyond the red one red. Computed KPIs name the register "
               "figure they record: " + "; ".join(COMPUTED_KPI_CODES.values()) + ".")
    shown = kpi_ids[:MAX_DEFINITIONS]
    if len(kpi_ids) > MAX_DEFINITIONS:
        st.caption(f"Showing the first {MAX_DEFINITIONS} of {len(kpi_ids)} matching KPIs: "
                   "filter by AI system or objective to see others.")
    editable_table(
        KPIS,
        lambda: query("SELECT * FROM kpis WHERE id IN (SELECT unnest(?::BIGINT[])) "
                      "ORDER BY name", (shown,)),
        key="kpi_definitions", who=who, signature=repr(shown),
        labels={"ai_system_id": systems,
                "control_id": dict(zip(controls["control_id"], controls["label"],
                                       strict=True))},
        column_order=["name", "kind", "code", "unit", "direction", "target", "amber_threshold",
                      "red_threshold", "frequency", "owner", "ai_system_id", "control_id",
                      "description"])
    st.subheader("Objectives (6.2)")
    st.caption("Status: " + ", ".join(OBJECTIVE_STATUSES.values()) + ".")
    editable_table(OBJECTIVES, lambda: query("SELECT * FROM objectives ORDER BY id"),
                   key="objectives", who=who)
    st.subheader("Which KPIs measure which objective")
    editable_table(
        OBJECTIVE_KPIS,
        lambda: query("SELECT * FROM objective_kpis ORDER BY objective_id, kpi_id"),
        key="objective_kpis", who=who,
        labels={"objective_id": _names("SELECT id, title AS name FROM objectives ORDER BY id"),
                "kpi_id": _names("SELECT id, name FROM kpis ORDER BY name")})
