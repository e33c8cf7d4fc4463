"""The KPI page's working tabs: enter values, import a file, define KPIs and objectives."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from aims_core.compliance import soa
from aims_core.inventory import systems
from aims_core.performance import kpis
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
from aims_core.ui.paging import page_offset
from aims_core.ui.pickers import LIST_ALL, listed_only_note, search_text
from aims_core.ui.session import Identity, cached, get_db, today
from aims_core.ui.text import md_escape

DEFINITIONS_PER_PAGE = 50


def values_editor(who: Identity) -> None:
    total = cached(kpis.kpi_count, True)
    if total == 0:
        st.info("No measured KPI yet: define one (kind Measured) in the KPI definitions tab.",
                icon=":material/lightbulb:")
        return
    chosen = st.session_state.get("kpi_values_kpi")
    search = search_text("kpi_values", total, "measured KPIs")
    measured = cached(kpis.names, search, () if chosen is None else (int(chosen),), True)
    if not measured:
        st.warning("No measured KPI has that in its name.", icon=":material/filter_alt_off:")
        return
    kpi_id = st.selectbox("KPI", list(measured), format_func=measured.get, key="kpi_values_kpi")
    st.caption("One value per KPI per day; newest first. Add a row for a new value, edit a "
               "value in place, or delete a wrong one. Computed KPIs are recorded by snapshots.")
    editable_table(
        KPI_MEASUREMENTS,
        lambda: kpis.values_of(get_db(), kpi_id),
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
                       data=lambda: template_csv(get_db(), today()), file_name="kpi_values.csv",
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


def _reference_labels(definitions: pd.DataFrame,
                      filters: kpis.KpiFilter) -> dict[str, dict]:
    """Choices of the definitions' AI system and control columns. With many systems the
    AI system column offers those of the rows shown and of the filter above (filter by a
    system to link KPIs to it), not thousands of names."""
    shown = tuple(int(i) for i in definitions["ai_system_id"].dropna())
    picked = tuple(i for i in filters.ai_system_ids or () if i != kpis.ORGANISATION_WIDE)
    many = cached(systems.pickable_count) > LIST_ALL
    names = cached(systems.names, "" if many else None, shown + picked, False, 0)
    return {"ai_system_id": names, "control_id": cached(soa.control_labels)}


def definitions(who: Identity, filters: kpis.KpiFilter) -> None:
    st.subheader("KPI definitions")
    st.caption("Direction says whether higher or lower is better; a value beyond the amber "
               "threshold is amber, beyond the red one red. Computed KPIs name the register "
               "figure they record: " + "; ".join(COMPUTED_KPI_CODES.values()) + ".")
    total = cached(kpis.definition_count, filters)
    offset = page_offset(total, DEFINITIONS_PER_PAGE, "kpi_definitions_page")
    if total > DEFINITIONS_PER_PAGE:
        st.caption(f"Showing {offset + 1}–{min(offset + DEFINITIONS_PER_PAGE, total)} of "
                   f"{total} matching KPIs by name; the filters above narrow them down.")
    shown = cached(kpis.definitions, filters, offset, DEFINITIONS_PER_PAGE)
    listed_only_note(cached(systems.pickable_count))
    editable_table(
        KPIS, lambda: kpis.definitions(get_db(), filters, offset, DEFINITIONS_PER_PAGE),
        key="kpi_definitions", who=who, signature=repr((filters, offset)),
        labels=_reference_labels(shown, filters),
        column_order=["name", "kind", "code", "unit", "direction", "target", "amber_threshold",
                      "red_threshold", "frequency", "owner", "ai_system_id", "control_id",
                      "description"])
    st.subheader("Objectives (6.2)")
    st.caption("Status: " + ", ".join(OBJECTIVE_STATUSES.values()) + ".")
    editable_table(OBJECTIVES, lambda: kpis.objectives(get_db()), key="objectives", who=who)
    st.subheader("Which KPIs measure which objective")
    links = cached(kpis.objective_links)
    many = cached(kpis.kpi_count) > LIST_ALL
    linkable = tuple(int(i) for i in links["kpi_id"]) + tuple(int(i) for i in shown["id"])
    if many:
        st.caption("A new link can name a KPI listed on this page of definitions (or one "
                   "already linked): filter or page the definitions above to reach others.")
    editable_table(
        OBJECTIVE_KPIS, lambda: kpis.objective_links(get_db()), key="objective_kpis", who=who,
        labels={"objective_id": cached(kpis.objective_titles),
                "kpi_id": cached(kpis.names, "" if many else None, linkable, False, 0)})
