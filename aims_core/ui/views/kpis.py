"""KPIs & objectives (clauses 6.2, 9.1): status from the latest values, trends against
targets and thresholds, filters by AI system and objective, register snapshots."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from aims_core.performance import kpis
from aims_core.performance.kpi_status import STATUS_LABELS
from aims_core.performance.registers import OBJECTIVE_STATUSES
from aims_core.ui.charts import kpi_trend
from aims_core.ui.editable_table import show_outcome
from aims_core.ui.paging import page_offset
from aims_core.ui.session import Identity, cached, current_identity, get_db, query, today
from aims_core.ui.text import md_escape
from aims_core.ui.views import kpi_entry

CHARTS_PER_PAGE = 8
PERIODS = {"Last 18 months": 548, "Last 12 months": 365, "Last 6 months": 183, "Everything": None}


def _filters() -> tuple[list[int] | None, list[int] | None, int | None]:
    """AI system, objective and period; kept in the URL so a filtered view can be shared."""
    systems = query("SELECT DISTINCT s.id, s.name FROM kpis k JOIN ai_systems s "
                    "ON s.id = k.ai_system_id ORDER BY s.name")
    system_names = {kpis.ORGANISATION_WIDE: "Organisation-wide (no AI system)",
                    **dict(zip(systems["id"].astype(int), systems["name"], strict=True))}
    objectives = query("SELECT id, title FROM objectives ORDER BY id")
    objective_titles = dict(zip(objectives["id"].astype(int), objectives["title"], strict=True))
    cols = st.columns([3, 3, 2])
    chosen_systems = cols[0].multiselect("AI system", list(system_names),
                                         format_func=system_names.get, key="kpis_system",
                                         bind="query-params")
    chosen_objectives = cols[1].multiselect("Objective", list(objective_titles),
                                            format_func=objective_titles.get,
                                            key="kpis_objective", bind="query-params")
    period = cols[2].selectbox("Period", list(PERIODS), key="kpis_period",
                               bind="query-params")
    return chosen_systems or None, chosen_objectives or None, PERIODS[period]


def _status_tiles(frame: pd.DataFrame) -> None:
    counts = frame["status"].value_counts()
    tiles = st.columns(4)
    for tile, status in zip(tiles, ("red", "amber", "green", "no_data"), strict=True):
        number = int(counts.get(status, 0)) + (int(counts.get("unrated", 0))
                                               if status == "no_data" else 0)
        label = STATUS_LABELS[status] if status != "no_data" else "○ No data or no thresholds"
        tile.metric(label, number, border=True)


def _value_text(value: float | None, unit: str | None) -> str:
    if value is None or pd.isna(value):
        return "–"
    return f"{value:.3g} {unit}" if unit and unit != "count" else f"{value:.3g}"


# Streamlit's named colours for a tile's sparkline and delta, by status (text says it too).
_TILE_COLOURS = {"red": "red", "amber": "orange", "green": "green"}


def _tiles(page: pd.DataFrame, series: pd.DataFrame) -> None:
    """Sparkline tiles: latest value, change since the previous value, status in words."""
    columns = st.columns(4)
    for position, kpi in enumerate(page.to_dict("records")):
        points = series.loc[series["kpi_id"] == kpi["id"], "value"].tolist()
        change = None
        if not pd.isna(kpi["previous_value"]) and not pd.isna(kpi["value"]):
            change = float(f"{kpi['value'] - kpi['previous_value']:.3g}")
        columns[position % 4].metric(
            md_escape(kpi["name"]), md_escape(_value_text(kpi["value"], kpi["unit"])),
            delta=change,
            delta_color=_TILE_COLOURS.get(kpi["status"], "gray"),
            delta_description=STATUS_LABELS[kpi["status"]],
            chart_data=points[-24:] or None, border=True,
            help=md_escape(
                f"Target {_value_text(kpi['target'], kpi['unit'])}, amber beyond "
                f"{_value_text(kpi['amber_threshold'], kpi['unit'])}, red beyond "
                f"{_value_text(kpi['red_threshold'], kpi['unit'])} "
                f"({'higher' if kpi['direction'] == 'higher' else 'lower'} is better)"))


def _trends(page: pd.DataFrame, series: pd.DataFrame) -> None:
    left, right = st.columns(2)
    for position, kpi in enumerate(page.to_dict("records")):
        points = series[series["kpi_id"] == kpi["id"]]
        with (left if position % 2 == 0 else right).container(border=True):
            where = f" · {kpi['ai_system']}" if isinstance(kpi["ai_system"], str) else ""
            st.markdown(f"**{md_escape(kpi['name'])}**{md_escape(where)}  \n"
                        f"{STATUS_LABELS[kpi['status']]}")
            if points.empty:
                st.caption("No values in this period.")
                continue
            st.plotly_chart(kpi_trend(points, kpi), key=f"kpi_trend_{kpi['id']}",
                            config={"displayModeBar": False})


def _snapshot(who: Identity) -> None:
    result = kpis.take_snapshot(get_db(), today(), who.actor)
    if not result.write.ok:
        st.session_state["_kpis_outcome"] = result.write
        return
    st.session_state["_kpis_outcome"] = ("success", result.summary())


def _objectives() -> None:
    summary = cached(kpis.objective_summary)
    if summary.empty:
        return
    st.subheader("Objectives (6.2) and their KPIs now")
    st.dataframe(
        summary.assign(status=summary["status"].map(OBJECTIVE_STATUSES)).drop(columns="id"),
        hide_index=True, width="stretch",
        column_config={
            "title": st.column_config.TextColumn("Objective", width="large"),
            "owner": "Owner", "target_date": st.column_config.DateColumn("Target date"),
            "status": "Status", "kpis": "KPIs", "red": STATUS_LABELS["red"],
            "amber": STATUS_LABELS["amber"], "green": STATUS_LABELS["green"]})


def _summary_table(frame: pd.DataFrame) -> None:
    shown = frame.assign(status_text=frame["status"].map(STATUS_LABELS),
                         ai_system=frame["ai_system"].fillna("Organisation-wide"))
    st.dataframe(
        shown[["name", "status_text", "value", "unit", "measured_on", "target",
               "amber_threshold", "red_threshold", "ai_system", "objectives", "owner", "kind"]],
        hide_index=True, width="stretch",
        column_config={
            "name": "KPI", "status_text": "Status", "value": "Latest", "unit": "Unit",
            "measured_on": st.column_config.DateColumn("Measured on"), "target": "Target",
            "amber_threshold": "Amber", "red_threshold": "Red", "ai_system": "AI system",
            "objectives": st.column_config.TextColumn("Objectives", width="medium"),
            "owner": "Owner", "kind": "Kind"})


def render() -> None:
    st.title("KPIs & objectives")
    st.caption("AI objectives (ISO/IEC 42001 6.2) and the KPIs that monitor them (9.1). "
               "Status comes from each KPI's latest value: red beyond the red threshold, amber "
               "beyond amber. A red KPI linked to an AI system makes it due for re-validation.")
    who = current_identity()
    show_outcome(st.session_state.pop("_kpis_outcome", None))
    defined = int(query("SELECT count(*) AS n FROM kpis")["n"].iloc[0])
    if defined == 0:
        st.info("No KPIs yet. Define the KPIs that show whether your AI systems and the "
                "management system work (accuracy, drift, fairness, complaints, SoA progress) "
                "in the KPI definitions tab below, then link them to your objectives.",
                icon=":material/lightbulb:")
    systems, objectives, days = _filters()
    frame = cached(kpis.kpi_status, systems, objectives)
    top = st.columns([5, 2], vertical_alignment="center")
    top[0].caption(f"{len(frame)} KPIs match · computed KPIs record the registers once a day "
                   "(button, or `python -m aims_core snapshot` from a scheduler)")
    top[1].button("Take today's snapshot", icon=":material/photo_camera:",
                  key="kpis_snapshot", disabled=not who.can("manage"), on_click=_snapshot,
                  args=(who,), help="Record today's register figures for the computed KPIs "
                  "(again today: replaces today's values)")
    trends, enter, upload, define = st.tabs(["Trends", "Enter values", "Import a file",
                                             "KPI definitions & objectives"])
    with trends:
        if frame.empty and defined == 0:
            st.caption("Trends appear here once KPIs are defined and have values.")
        elif frame.empty:
            st.info("No KPI matches these filters.", icon=":material/filter_alt_off:")
        else:
            _status_tiles(frame)
            _objectives()
            with st.columns(4)[0]:
                first = page_offset(len(frame), CHARTS_PER_PAGE, "kpis_page", "red first")
            page = frame.iloc[first:first + CHARTS_PER_PAGE]
            since = None if days is None else today() - timedelta(days=days)
            series = cached(kpis.measurements, [int(i) for i in page["id"]], since)
            _tiles(page, series)
            _trends(page, series)
            st.subheader("All matching KPIs")
            _summary_table(frame)
    with enter:
        kpi_entry.values_editor(who)
    with upload:
        kpi_entry.file_import(who)
    with define:
        kpi_entry.definitions(who, [int(i) for i in frame["id"]])
